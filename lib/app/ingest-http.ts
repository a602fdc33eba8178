import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * The HTTP-level decoding the ingest API needs before it can look at events: finding the write key in
 * the headers and turning the raw body (base64 from API Gateway, gzip from some SDKs) into text,
 * bounded so that a small compressed body cannot expand into an unbounded one.
 */

export type HttpHeaders = Readonly<Record<string, string | undefined>>;

/**
 * A header's value, whatever the case of its name (API Gateway HTTP APIs lower-case them, other
 * callers may not).
 *
 * @example
 * header({ 'Content-Encoding': 'gzip' }, 'content-encoding'); // 'gzip'
 */
export function header(headers: HttpHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  return found === undefined ? undefined : headers[found];
}

/**
 * The write key from an `Authorization` header: HTTP Basic with the key as user name (Segment's
 * way, `base64(key + ':')`) or `Bearer <key>`. Undefined when there is none.
 *
 * @example
 * writeKeyFromAuthorization('Basic ' + Buffer.from('wk_abc:').toString('base64')); // 'wk_abc'
 * writeKeyFromAuthorization('Bearer wk_abc'); // 'wk_abc'
 */
export function writeKeyFromAuthorization(authorization: string | undefined): string | undefined {
  const match = /^\s*(basic|bearer)\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const [, scheme, credentials] = match;
  if (scheme.toLowerCase() === 'bearer') return credentials;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  // A few clients put the key in the password slot instead: accept it when the user name is empty.
  const key = user !== '' ? user : decoded.slice(colon + 1);
  return key === '' ? undefined : key;
}

/**
 * The body API Gateway hands over, as bytes.
 *
 * @example
 * bodyBytes(event.body, event.isBase64Encoded);
 */
export function bodyBytes(body: string | undefined | null, isBase64Encoded: boolean | undefined): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  return Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
}

export type DecodedBody =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'too_large' }
  | { readonly ok: false; readonly reason: 'bad_encoding'; readonly message: string };

/**
 * The body as text, decompressed per `Content-Encoding` (gzip, deflate or none), refusing anything
 * longer than `maxBytes` once decompressed. zlib stops at `maxOutputLength`, so a gzip bomb costs
 * at most `maxBytes` of memory.
 *
 * @example
 * decodeBody(gzipSync('{"batch":[]}'), 'gzip', 500 * 1024); // { ok: true, text: '{"batch":[]}' }
 */
export function decodeBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): DecodedBody {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  const inflate = { gzip: gunzipSync, 'x-gzip': gunzipSync, deflate: inflateSync }[encoding];
  if (inflate === undefined && encoding !== 'identity' && encoding !== '') {
    return { ok: false, reason: 'bad_encoding', message: `Content-Encoding ${encoding} is not supported: use gzip or none` };
  }
  let bytes = body;
  if (inflate !== undefined) {
    try {
      bytes = inflate(body, { maxOutputLength: maxBytes + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) return { ok: false, reason: 'too_large' };
      return { ok: false, reason: 'bad_encoding', message: `the body is not valid ${encoding} data` };
    }
  }
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large' };
  return { ok: true, text: bytes.toString('utf8') };
}
