import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the CSPRNG at once: one call serves 256 WeChat prefixes. */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * Writes `length` (≤ 4096) fresh random bytes into `target` at `at`. The bytes come from a pool
 * filled by `randomFillSync` and are handed out once each, as Node's own `randomUUID` and
 * `randomInt` cache entropy: a synchronous `randomBytes(16)` per reply cost more than the AES
 * encryption it feeds.
 */
export function fillRandom(target: Buffer, at: number, length: number): void {
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  pool.copy(target, at, offset, offset + length);
  // Handed-out bytes are overwritten, so no copy of them stays in the pool.
  pool.fill(0, offset, offset + length);
  offset += length;
}
