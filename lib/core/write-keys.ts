import { createHash, randomBytes } from 'node:crypto';

/**
 * Write keys identify a source (an app, a backend) to the ingest API. They are bearer secrets, so
 * only their SHA-256 is ever stored or compared: a leaked table does not leak usable keys.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WRITE_KEY_PREFIX = 'wk_';
const WRITE_KEY_CHARS = 32;

/**
 * The SHA-256 (lowercase hex) of a write key: the only form in which keys are stored and looked up.
 *
 * @example
 * hashWriteKey('wk_example'); // '5b1c…' (64 hex characters)
 */
export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * A new random write key: `wk_` and 32 base62 characters (about 190 bits of entropy).
 * `random` is injectable for tests; it must return `size` cryptographically random bytes.
 *
 * @example
 * const key = generateWriteKey(); // 'wk_4fQ9…'
 * await writeKeys.put(hashWriteKey(key), { name: 'web' });
 */
export function generateWriteKey(random: (size: number) => Buffer = randomBytes): string {
  let out = '';
  // Rejection sampling: bytes >= 248 would bias the first 8 characters of the alphabet.
  while (out.length < WRITE_KEY_CHARS) {
    for (const byte of random(WRITE_KEY_CHARS)) {
      if (byte < 248 && out.length < WRITE_KEY_CHARS) out += BASE62[byte % 62];
    }
  }
  return WRITE_KEY_PREFIX + out;
}
