// Named Kinesis / DynamoDB streams kept in `<stateDir>/streams/<kind>/<name>/`: `meta.json` (shard
// count, view type, creation label), one `shard-<id>.jsonl` per shard (append-only, one record a
// line; a torn last line is skipped) and `checkpoints.json` (per mapping and shard, the last
// sequence number handled; written atomically). Everything survives a host restart.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDbChangeInput } from '../../protocol/methods';
import { hashKeyOf, HASH_KEY_SPACE, nextDynamoDbSequenceNumber, nextKinesisSequenceNumber, shardIdOf, shardIndexFor } from './sharding';
import { LOCAL_STREAM_LABEL, type StoredStreamRecord, type StreamKind, type StreamViewType } from './stream-event';
import { readJsonLines } from '../../util/json-lines';

/** The least time between two writes of a stream's checkpoints (see Stream.setCheckpoint). */
const CHECKPOINT_GAP_MS = 20;

/** Kinesis keeps records 24 h by default; older ones are dropped when a stream is loaded. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;

export class Shard {
  readonly shardId: string;
  readonly records: StoredStreamRecord[] = [];
  private lastSequence: bigint | undefined;
  private writes: Promise<void> = Promise.resolve();
  private handle: FileHandle | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly index: number,
    readonly file: string,
  ) {
    this.shardId = shardIdOf(index);
  }

  load(records: StoredStreamRecord[]): void {
    this.records.push(...records);
    const last = records[records.length - 1];
    if (last) this.lastSequence = BigInt(last.sequenceNumber);
  }

  /** Index of the first record after `sequenceNumber` (null: from the oldest). */
  indexAfter(sequenceNumber: string | null): number {
    if (sequenceNumber === null) return 0;
    const target = BigInt(sequenceNumber);
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BigInt(this.records[mid]!.sequenceNumber) <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  latest(): string | null {
    return this.lastSequence === undefined ? null : this.lastSequence.toString();
  }

  /** The sequence number of the last record that arrived before `timeMs` (null: none did), for AT_TIMESTAMP. */
  lastArrivedBefore(timeMs: number): string | null {
    let i = this.records.length;
    while (i > 0 && this.records[i - 1]!.arrivalMs >= timeMs) i--;
    return i === 0 ? null : this.records[i - 1]!.sequenceNumber;
  }

  /** Appends in order, as one write, and wakes pollers once: a PutRecords call lands whole. */
  appendMany(records: Omit<StoredStreamRecord, 'sequenceNumber'>[], kind: StreamKind): Promise<StoredStreamRecord[]> {
    const now = Date.now();
    const stored = records.map((record) => {
      const seq = kind === 'kinesis' ? nextKinesisSequenceNumber(this.lastSequence, this.index, now) : nextDynamoDbSequenceNumber(this.lastSequence, now);
      this.lastSequence = seq;
      return { sequenceNumber: seq.toString(), ...record } as StoredStreamRecord;
    });
    const text = stored.map(lineOf).join('');
    const write = this.writes.then(async () => {
      // Kept open between appends: opening the file per PutRecords call costs more than the write.
      this.handle ??= await open(this.file, 'a');
      const data = Buffer.from(text, 'utf8');
      for (let offset = 0; offset < data.length;) offset += (await this.handle.write(data, offset)).bytesWritten;
    });
    this.writes = write.catch(() => undefined);
    return write.then(() => {
      this.records.push(...stored);
      for (const wake of [...this.waiters]) wake();
      return stored;
    });
  }

  /** Waits for the appends in flight and closes the file (the next append opens it again). */
  async close(): Promise<void> {
    await this.writes;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Resolves when a record is appended, the signal aborts, or `timeoutMs` passes. */
  waitForRecords(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (signal.aborted) return resolve();
      this.waiters.add(done);
      signal.addEventListener('abort', done);
      if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs));
    });
  }
}

/** A record's line in its shard file; a Kinesis record's fields need no escaping but its partition key's. */
function lineOf(r: StoredStreamRecord): string {
  if (r.dynamodb !== undefined) return `${JSON.stringify(r)}\n`;
  const data = r.data !== undefined ? `,"data":"${r.data}"` : '';
  return `{"sequenceNumber":"${r.sequenceNumber}","partitionKey":${JSON.stringify(r.partitionKey)}${data},"arrivalMs":${r.arrivalMs}}\n`;
}

export interface StreamMeta {
  kind: StreamKind;
  name: string;
  shardCount: number;
  viewType: StreamViewType;
  /** DynamoDB stream label (the creation time in its ARN). */
  label: string;
  createdAt: string;
}

type Checkpoints = Record<string, Record<string, string | null>>;

export class Stream {
  readonly shards: Shard[] = [];
  private checkpoints: Checkpoints = {};
  /** Who waits for the positions set since the last write began. */
  private checkpointWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private checkpointWriting = false;
  /**
   * Waited for between taking the positions and writing them: the invocation history's write, so a
   * checkpoint on disk never covers a batch whose final record is not on disk (the mappings do not
   * wait for the history between batches: EventSourceMapping.processBatch).
   */
  beforeCheckpointWrite: (() => Promise<void>) | undefined;

  constructor(
    readonly meta: StreamMeta,
    readonly dir: string,
  ) {
    for (let i = 0; i < meta.shardCount; i++) this.shards.push(new Shard(i, join(dir, `shard-${shardIdOf(i).slice('shardId-'.length)}.jsonl`)));
  }

  static async open(stateDir: string, wanted: Omit<StreamMeta, 'label' | 'createdAt'>, warn: (m: string) => void): Promise<Stream> {
    const dir = join(stateDir, 'streams', wanted.kind, wanted.name);
    await mkdir(dir, { recursive: true });
    let meta: StreamMeta | undefined;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as StreamMeta;
    } catch {
      meta = undefined;
    }
    if (meta && meta.shardCount !== wanted.shardCount) {
      warn(`stream ${wanted.name}: keeping its ${meta.shardCount} shard(s) on disk (the template asks for ${wanted.shardCount}); delete ${dir} to start over`);
    }
    if (!meta) {
      const now = new Date();
      meta = { ...wanted, label: wanted.kind === 'dynamodb' ? LOCAL_STREAM_LABEL : now.toISOString().replace('Z', ''), createdAt: now.toISOString() };
      await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    } else {
      meta = { ...meta, viewType: wanted.viewType, ...(wanted.kind === 'dynamodb' ? { label: LOCAL_STREAM_LABEL } : {}) };
    }
    const stream = new Stream(meta, dir);
    const cutoff = Date.now() - RETENTION_MS;
    for (const shard of stream.shards) shard.load((await readJsonLines<StoredStreamRecord>(shard.file, warn)).filter((r) => r.arrivalMs >= cutoff));
    try {
      stream.checkpoints = JSON.parse(await readFile(join(dir, 'checkpoints.json'), 'utf8')) as Checkpoints;
    } catch {
      stream.checkpoints = {};
    }
    return stream;
  }

  get name(): string {
    return this.meta.name;
  }

  shardFor(partitionKey: string, explicitHashKey?: string): Shard {
    // One shard holds every key: no hash to compute.
    if (explicitHashKey === undefined && this.shards.length === 1) return this.shards[0]!;
    const hashKey = explicitHashKey !== undefined ? BigInt(explicitHashKey) : hashKeyOf(partitionKey);
    if (hashKey < 0n || hashKey >= HASH_KEY_SPACE) throw new RangeError('ExplicitHashKey outside 0 … 2^128-1');
    return this.shards[shardIndexFor(hashKey, this.shards.length)]!;
  }

  async put(
    inputs: { partitionKey: string; data?: string; explicitHashKey?: string; dynamodb?: DynamoDbChangeInput }[],
  ): Promise<{ shardId: string; sequenceNumber: string }[]> {
    const now = Date.now();
    const placed = inputs.map((input) => ({
      shard: this.shardFor(input.partitionKey, input.explicitHashKey),
      record: {
        partitionKey: input.partitionKey,
        ...(input.data !== undefined ? { data: input.data } : {}),
        arrivalMs: now,
        ...(input.dynamodb ? { dynamodb: { ...input.dynamodb, eventID: randomUUID().replace(/-/g, '') } } : {}),
      },
    }));
    const byShard = new Map<Shard, number[]>();
    placed.forEach((p, i) => {
      const indexes = byShard.get(p.shard);
      if (indexes) indexes.push(i);
      else byShard.set(p.shard, [i]);
    });
    const out: { shardId: string; sequenceNumber: string }[] = new Array(inputs.length);
    await Promise.all(
      [...byShard].map(async ([shard, indexes]) => {
        const stored = await shard.appendMany(
          indexes.map((i) => placed[i]!.record),
          this.meta.kind,
        );
        indexes.forEach((i, k) => (out[i] = { shardId: shard.shardId, sequenceNumber: stored[k]!.sequenceNumber }));
      }),
    );
    return out;
  }

  checkpoint(mappingId: string, shardId: string): string | null | undefined {
    const m = this.checkpoints[mappingId];
    if (!m || !(shardId in m)) return undefined;
    return m[shardId]!;
  }

  /**
   * Records the position; resolves once a write of the file (atomic: temp + rename) that holds it
   * is done. Writes do not queue up: positions set while one is in flight, and for CHECKPOINT_GAP_MS
   * after it, go out together in the next one with every mapping's and shard's latest position — a
   * shard doing 500 batches a second writes its file ~40 times a second, not 500.
   */
  setCheckpoint(mappingId: string, shardId: string, sequenceNumber: string | null): Promise<void> {
    const m = (this.checkpoints[mappingId] ??= {});
    m[shardId] = sequenceNumber;
    const done = new Promise<void>((resolve, reject) => this.checkpointWaiters.push({ resolve, reject }));
    if (!this.checkpointWriting) void this.writeCheckpoints();
    return done;
  }

  private async writeCheckpoints(): Promise<void> {
    const file = join(this.dir, 'checkpoints.json');
    const tmp = `${file}.${process.pid}.tmp`;
    // Set and cleared in the same turns as the waiters are looked at: a position set just as the loop ends starts a new one.
    this.checkpointWriting = true;
    while (this.checkpointWaiters.length > 0) {
      const waiters = this.checkpointWaiters.splice(0);
      try {
        // Every position taken here belongs to a batch whose final record was put already: the wait covers it.
        const text = `${JSON.stringify(this.checkpoints, null, 2)}\n`;
        await this.beforeCheckpointWrite?.();
        await writeFile(tmp, text);
        await rename(tmp, file);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
      if (this.checkpointWaiters.length > 0) await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_GAP_MS));
    }
    this.checkpointWriting = false;
  }

  /** Closes the shards' files (the host stops). */
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }

  recordCount(): number {
    return this.shards.reduce((n, s) => n + s.records.length, 0);
  }
}
