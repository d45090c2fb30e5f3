// Random text for the ids made on every invocation and HTTP request (X-Ray trace ids, API Gateway
// request ids): one randomFillSync per 4 KiB instead of one OpenSSL call per id.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

function take(bytes: number): Buffer {
  if (bytes > pool.length) return randomFillSync(Buffer.alloc(bytes));
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return out;
}

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex');
}

/** `bytes` random bytes as base64. */
export function randomBase64(bytes: number): string {
  return take(bytes).toString('base64');
}
