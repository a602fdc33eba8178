/**
 * Realistic Segment-spec traffic of the example business (an Indonesian shop and payments app):
 * what `analytics-node` or a mobile SDK would post. One customer session is 10 events: an
 * identify, pages, product views and an order with three products; every event carries the context
 * an SDK adds (library, locale, time zone, IP, user agent, device).
 */

export type SegmentEvent = Record<string, unknown> & { type: string };

const PROVINCES = ['DKI Jakarta', 'Jawa Barat', 'Jawa Timur', 'Papua', 'Maluku', 'Sulawesi Selatan', 'Nusa Tenggara Timur', 'Bali', 'Sumatera Utara', 'Kalimantan Timur'];
const CITIES = ['Jakarta', 'Bandung', 'Surabaya', 'Jayapura', 'Ambon', 'Makassar', 'Kupang', 'Denpasar', 'Medan', 'Balikpapan'];
const PRODUCTS = [
  { product_id: 'p-101', sku: 'PULSA-50K', name: 'Pulsa Telkomsel 50.000', price: 51_500, category: 'Top-up' },
  { product_id: 'p-202', sku: 'BERAS-5KG', name: 'Beras Premium 5 kg', price: 78_000, category: 'Groceries' },
  { product_id: 'p-303', sku: 'MINYAK-2L', name: 'Minyak Goreng 2 L', price: 36_000, category: 'Groceries' },
  { product_id: 'p-404', sku: 'SEPATU-42', name: 'Sepatu Lari Nusantara', price: 899_000, category: 'Shoes' },
  { product_id: 'p-505', sku: 'PLN-100K', name: 'Token Listrik PLN 100.000', price: 101_500, category: 'Bills' },
];

function context(user: number, at: string): Record<string, unknown> {
  return {
    library: { name: 'analytics-node', version: '3.1.0' },
    locale: user % 4 === 0 ? 'en-US' : 'id-ID',
    timezone: user % 7 === 3 ? 'Asia/Jayapura' : 'Asia/Jakarta',
    ip: `36.${user % 250}.${(user * 7) % 250}.${(user * 13) % 250}`,
    userAgent: 'TokoKita/5.12.0 (Android 14; SM-A155F)',
    device: { type: user % 3 === 0 ? 'ios' : 'android', token: `push-token-${user}-${'x'.repeat(40)}` },
    app: { name: 'Toko Kita', version: '5.12.0', build: '51200' },
    sentAtClient: at,
  };
}

/**
 * The 10 events of one session of customer `user` (session number `session` makes messageIds unique).
 *
 * @example
 * sessionEvents(7, 0, new Date()).length; // 10
 */
export function sessionEvents(user: number, session: number, now: Date): SegmentEvent[] {
  const userId = `bench-user-${user}`;
  const at = (offset: number) => new Date(now.getTime() - (10 - offset) * 20_000).toISOString();
  const base = (n: number) => ({ userId, messageId: `bench-${user}-${session}-${n}`, timestamp: at(n), context: context(user, at(n)) });
  const product = (n: number) => PRODUCTS[(user + n) % PRODUCTS.length];
  const page = (n: number, name: string, path: string) => ({
    type: 'page', ...base(n), name, properties: { url: `https://tokokita.co.id${path}`, path, title: `${name} | Toko Kita`, referrer: 'https://www.google.com/' },
  });
  const orderProducts = [0, 1, 2].map((n) => ({ ...product(n), quantity: 1 + ((user + n) % 3) }));
  const revenue = orderProducts.reduce((sum, p) => sum + p.price * p.quantity, 0);
  return [
    {
      type: 'identify', ...base(0),
      traits: {
        email: `pelanggan${user}@example.co.id`, firstName: ['Sari', 'Budi', 'Dewi', 'Agus', 'Putri'][user % 5], lastName: 'Wijaya',
        phone: `+62812${String(1_000_000 + user).padStart(7, '0')}`,
        address: { city: CITIES[user % CITIES.length], state: PROVINCES[user % PROVINCES.length], country: 'ID' },
        preferredChannel: ['email', 'push', 'sms'][user % 3], loyaltyPoints: (user * 37) % 1200, shoeSize: 38 + (user % 8),
      },
    },
    page(1, 'Home', '/'),
    page(2, 'Category', '/kategori/sembako'),
    { type: 'track', ...base(3), event: 'Product Viewed', properties: { ...product(0), currency: 'IDR' } },
    page(4, 'Product', `/produk/${product(1).product_id}`),
    { type: 'track', ...base(5), event: 'Product Viewed', properties: { ...product(1), currency: 'IDR' } },
    page(6, 'Cart', '/keranjang'),
    page(7, 'Checkout', '/checkout'),
    { type: 'track', ...base(8), event: 'Product Added', properties: { ...product(2), quantity: 1, currency: 'IDR' } },
    {
      type: 'track', ...base(9), event: 'Order Completed',
      properties: { order_id: `o-${user}-${session}`, revenue, total: revenue, currency: 'IDR', payment_method: 'ewallet', products: orderProducts },
    },
  ];
}

/**
 * Sessions of `users` customers, interleaved round-robin (as many customers use the app at once):
 * consecutive events belong to different customers.
 */
export function interleavedSessions(firstUser: number, users: number, session: number, now: Date): SegmentEvent[] {
  const sessions = Array.from({ length: users }, (_, i) => sessionEvents(firstUser + i, session, now));
  const events: SegmentEvent[] = [];
  for (let n = 0; n < 10; n++) for (const s of sessions) events.push(s[n]);
  return events;
}

/** The body of a single call (`/v1/<type>`) for an event. */
export function singleCall(event: SegmentEvent): { path: string; body: string } {
  const { type, ...rest } = event;
  return { path: `/v1/${type}`, body: JSON.stringify({ ...rest, sentAt: new Date().toISOString() }) };
}

/** The body of a `/v1/batch` call. */
export function batchCall(events: readonly SegmentEvent[]): { path: string; body: string } {
  return { path: '/v1/batch', body: JSON.stringify({ batch: events, sentAt: new Date().toISOString() }) };
}
