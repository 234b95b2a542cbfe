import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from a pool refilled 4 KB at a time: every invocation needs 8-24 random bytes for
 * its trace context, and one randomBytes() call per id costs a native call and a buffer each.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** `byteCount` cryptographically random bytes as lowercase hex (byteCount <= 4096). */
export function randomHex(byteCount: number): string {
  if (offset + byteCount > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + byteCount);
  offset += byteCount;
  return hex;
}
