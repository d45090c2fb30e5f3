// How Kinesis places a record: MD5 of the partition key (UTF-8) read as an unsigned 128-bit
// big-endian integer is the hash key; a stream created with N shards splits 0 … 2^128-1 into N
// equal ranges (shard i starts at floor(i·2^128/N)), exactly as CreateStream lays them out.
// Pure: no I/O.
import { createHash } from 'node:crypto';

export const HASH_KEY_SPACE = 1n << 128n;

export interface ShardRange {
  shardId: string;
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/** `shardId-000000000000` — 12 digits, as Kinesis names them. */
export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

export function shardRanges(shardCount: number): ShardRange[] {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  const n = BigInt(shardCount);
  const ranges: ShardRange[] = [];
  for (let i = 0; i < shardCount; i++) {
    const start = (BigInt(i) * HASH_KEY_SPACE) / n;
    const end = (BigInt(i + 1) * HASH_KEY_SPACE) / n - 1n;
    ranges.push({ shardId: shardIdOf(i), startingHashKey: start, endingHashKey: end });
  }
  return ranges;
}

/** Hash keys of recent partition keys: producers reuse a few keys (a customer, a device), and MD5 per record is most of a put's cost. */
const HASH_KEYS = new Map<string, bigint>();
const HASH_KEYS_KEPT = 4096;

export function hashKeyOf(partitionKey: string): bigint {
  let key = HASH_KEYS.get(partitionKey);
  if (key === undefined) {
    const digest = createHash('md5').update(partitionKey, 'utf8').digest();
    key = (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
    if (HASH_KEYS.size >= HASH_KEYS_KEPT) HASH_KEYS.clear();
    HASH_KEYS.set(partitionKey, key);
  }
  return key;
}

/** Ranges per shard count, computed once: every record put looks its shard up. */
const RANGES = new Map<number, ShardRange[]>();

/** Index of the shard whose range holds the key (an ExplicitHashKey, or the partition key's hash). */
export function shardIndexFor(hashKey: bigint, shardCount: number): number {
  if (hashKey < 0n || hashKey >= HASH_KEY_SPACE) throw new RangeError('hash key outside 0 … 2^128-1');
  let ranges = RANGES.get(shardCount);
  if (!ranges) RANGES.set(shardCount, (ranges = shardRanges(shardCount)));
  const i = ranges.findIndex((r) => hashKey >= r.startingHashKey && hashKey <= r.endingHashKey);
  return i;
}

const [E6, E20, E26, E30] = [10n ** 6n, 10n ** 20n, 10n ** 26n, 10n ** 30n];
const KINESIS_PREFIX = 49n * 10n ** 54n;

/**
 * Kinesis sequence numbers: 56-digit decimals that only grow within a shard. Ours are
 * `49` + time-derived digits, then bumped past the previous one so they stay increasing even when
 * the clock stands still or goes back (a restart reads the last one from disk).
 */
export function nextKinesisSequenceNumber(previous: bigint | undefined, shardIndex: number, nowMs = Date.now()): bigint {
  const base = KINESIS_PREFIX + BigInt(Math.floor(nowMs)) * E30 + BigInt(shardIndex) * E26;
  return previous !== undefined && previous >= base ? previous + 1n : base;
}

/** DynamoDB Streams sequence numbers: 21-digit decimals, increasing within a shard. */
export function nextDynamoDbSequenceNumber(previous: bigint | undefined, nowMs = Date.now()): bigint {
  const base = E20 + BigInt(Math.floor(nowMs)) * E6;
  return previous !== undefined && previous >= base ? previous + 1n : base;
}
