import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Switchyard API keys: `sk_<name>_<secret>`, the secret 32 random bytes in base64url (256 bits).
 * The name travels in the key so a lookup is one point read and a leaked key says whose it is;
 * the store keeps only SHA-256 of the whole key. A slow password hash (bcrypt, scrypt) protects
 * guessable passwords; a 256-bit random secret cannot be guessed from its hash, and a fast hash
 * keeps every authenticated request cheap. Pure, apart from the random bytes.
 */

/** Key names: lower-case letters, digits and `-` (no `_`, which separates name and secret). */
export const KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const KEY_NAME_RULE =
  'name must be 1-63 characters of lower-case letters, digits or "-", starting with a letter or digit';

const KEY_PREFIX = 'sk_';
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isKeyName(value: unknown): value is string {
  return typeof value === 'string' && KEY_NAME_PATTERN.test(value);
}

/** A new key for `name`; shown to the caller once, never stored. */
export function generateApiKey(name: string): string {
  return `${KEY_PREFIX}${name}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** Whether a presented credential is shaped like an API key (as opposed to a token or the bootstrap key). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(KEY_PREFIX);
}

/** The name an API key claims, or undefined when it is not a well-formed key. */
export function apiKeyName(key: string): string | undefined {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const rest = key.slice(KEY_PREFIX.length);
  const separator = rest.indexOf('_');
  if (separator < 1) return undefined;
  const name = rest.slice(0, separator);
  const secret = rest.slice(separator + 1);
  return KEY_NAME_PATTERN.test(name) && SECRET_PATTERN.test(secret) ? name : undefined;
}

/** SHA-256 of the whole key, hex: what the store keeps. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether `key` hashes to `storedHash`, in time independent of where they differ. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const presented = createHash('sha256').update(key, 'utf8').digest();
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/**
 * Whether two secrets are equal, in time independent of their contents and lengths (both are
 * hashed first, so the comparison always runs over 32 bytes).
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
