import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

// Entropy drawn 4 KiB at a time (as crypto.randomUUID does): one call into OpenSSL per 256 ids,
// not one per id — ids are made on every proxied request.
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolAt = POOL_BYTES;

function random16(): Buffer {
  if (poolAt + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.allocUnsafe(16);
  pool.copy(b, 0, poolAt, poolAt + 16);
  poolAt += 16;
  return b;
}

/**
 * UUIDv7 (RFC 9562): time-ordered, so ids sort by creation time and index well. Monotonic within
 * a process (a 12-bit counter in rand_a), so two ids made in one millisecond still sort in order:
 * the outbox relies on that for per-key ordering.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    seq = 0;
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  const b = random16();
  // 48-bit milliseconds: the high 16 bits and the low 32 bits, exact in doubles.
  const high = Math.floor(lastMs / 0x1_0000_0000);
  b.writeUInt16BE(high, 0);
  b.writeUInt32BE(lastMs - high * 0x1_0000_0000, 2);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Entity id with a readable type prefix, e.g. `org_0193...`. */
export function newId(prefix: string): string {
  return `${prefix}_${uuidv7().replaceAll('-', '')}`;
}
