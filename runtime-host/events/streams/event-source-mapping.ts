// One Kinesis / DynamoDB event source mapping (a function's `Kinesis` or `DynamoDB` event): a
// poller per shard that reads batches in order and invokes the function synchronously, as Lambda
// does. A failing batch blocks its shard and is retried (MaximumRetryAttempts, -1 = until the
// records expire), optionally bisected (splitting does not use up a retry), trimmed by
// MaximumRecordAgeInSeconds, and finally discarded to the on-failure list. With
// ReportBatchItemFailures the shard resumes from the lowest failed sequence number.
// Each batch is a parent record (kind 'stream-batch'); each attempt an invocation pointing to it.
//
// Decision: retries wait `retryDelaysMs` (default 200 ms doubling to 5 s) — Lambda retries
// streams with its own back-off of about a second and more; locally shorter is friendlier.
// FilterCriteria: a record no filter matches is dropped before batching (counted as processed, never
// delivered), matched as Lambda sees it — a DynamoDB record as delivered, a Kinesis record with its
// `data` decoded as JSON when it is JSON.
// Not simulated: ParallelizationFactor (one batch per shard at a time), TumblingWindowInSeconds.
import { randomUUID } from 'node:crypto';
import type { HostContext } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import type { StreamFailureInfo } from '../../protocol/methods';
import type { InvocationRecord } from '../../protocol/records';
import { closeParent, parentRecord } from '../async-invocation';
import { sealedBytes, sealedFromBytes, sealJson } from '../../util/sealed-json';
import { matchesFilterPolicy } from '../sns/filter-policy';
import { kinesisEventBytes, readBatchItemFailures, streamEvent, type StoredStreamRecord, type StreamIdentity } from './stream-event';
import type { Shard, Stream } from './stream-store';

/** Lambda's synchronous payload limit: a batch is cut before its event would exceed it. */
export const MAX_BATCH_PAYLOAD_BYTES = 6_291_456;

export interface MappingConfig {
  batchSize: number;
  maximumBatchingWindowMs: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** AT_TIMESTAMP (Kinesis only): records that arrived at or after this time (epoch ms). */
  startingPositionTimestampMs?: number;
  /** -1: until the records expire. */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  /** -1: no limit. */
  maximumRecordAgeSeconds: number;
  onFailureDestination: string | null;
  enabled: boolean;
  /** FilterCriteria patterns; a record must match one of them (none: every record). */
  filters?: Record<string, unknown>[];
}

export interface MappingRuntimeOptions {
  retryDelaysMs?: number[];
  /** `last`: the batch's last invocation, whose trace the failure record joins. */
  onDiscard: (failure: StreamFailureInfo, last: InvocationRecord | undefined) => Promise<void>;
}

type StreamEventPayload = ReturnType<typeof streamEvent>;

const FAILED = new Set(['error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

export class EventSourceMapping {
  private readonly abort = new AbortController();
  /** Ends the pollers' waits on any stop, so a graceful stop never waits out a batching window. */
  private readonly idle = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly retryDelaysMs: number[];
  /** Per shard, the write of its latest checkpoint (see advance()). */
  private readonly checkpointing = new Map<string, Promise<void>>();
  /** Per shard, the next batch built while the function ran the current one (see prebuild()). */
  private readonly prebuilt = new Map<string, { from: number; count: number; batch: { records: StoredStreamRecord[]; event: StreamEventPayload } }>();

  constructor(
    readonly id: string,
    public fn: FunctionInfo,
    readonly eventName: string,
    readonly config: MappingConfig,
    private readonly stream: Stream,
    private readonly identity: StreamIdentity,
    private readonly context: HostContext,
    private readonly runtime: MappingRuntimeOptions,
  ) {
    this.retryDelaysMs = runtime.retryDelaysMs ?? [200, 400, 800, 1600, 3200, 5000];
  }

  /** Sets the starting position of shards this mapping has never read (persisted, so LATEST means "from when the mapping was created"). */
  async start(): Promise<void> {
    for (const shard of this.stream.shards) {
      if (this.stream.checkpoint(this.id, shard.shardId) === undefined) {
        const { startingPosition, startingPositionTimestampMs } = this.config;
        const from =
          startingPosition === 'LATEST'
            ? shard.latest()
            : startingPosition === 'AT_TIMESTAMP'
              ? shard.lastArrivedBefore(startingPositionTimestampMs ?? 0)
              : null;
        await this.stream.setCheckpoint(this.id, shard.shardId, from);
      }
    }
    if (!this.config.enabled) return;
    for (const shard of this.stream.shards) this.loops.push(this.poll(shard));
  }

  /** Stops polling; an in-flight invocation is cancelled and its batch is read again next start. */
  async stop(cancelInFlight = true): Promise<void> {
    if (cancelInFlight) this.abort.abort();
    else this.stopping = true;
    this.idle.abort();
    await Promise.allSettled(this.loops);
    await Promise.all(this.checkpointing.values());
  }

  private stopping = false;

  private get stopped(): boolean {
    return this.abort.signal.aborted || this.stopping;
  }

  private async poll(shard: Shard): Promise<void> {
    while (!this.stopped) {
      const from = shard.indexAfter(this.stream.checkpoint(this.id, shard.shardId) ?? null);
      if (from >= shard.records.length) {
        await shard.waitForRecords(this.idle.signal, 1000);
        continue;
      }
      if (this.config.maximumBatchingWindowMs > 0 && shard.records.length - from < this.config.batchSize) {
        // Gather until the window (counted from the oldest waiting record's arrival) ends or the batch is full.
        const deadline = shard.records[from]!.arrivalMs + this.config.maximumBatchingWindowMs;
        while (!this.stopped && Date.now() < deadline && shard.records.length - from < this.config.batchSize) {
          await shard.waitForRecords(this.idle.signal, deadline - Date.now());
        }
        if (this.stopped) break;
      }
      let window = shard.records.slice(from, from + this.config.batchSize);
      if (this.config.filters?.length) {
        const kept = window.filter((r) => this.matchesFilters(r, shard.shardId));
        if (kept.length === 0) {
          this.advance(shard, window[window.length - 1]!);
          continue;
        }
        window = kept;
      }
      const ready = this.prebuilt.get(shard.shardId);
      this.prebuilt.delete(shard.shardId);
      const batch =
        ready && ready.from === from && ready.count === window.length && ready.batch.records[0] === window[0] ? ready.batch : this.cut(window, shard.shardId);
      await this.processBatch(shard, batch.records, 0, undefined, batch.event);
    }
  }

  /**
   * While the function runs a batch, builds the one that follows it if it succeeds — the records
   * after it, as the poller will take them — so the next invocation does not wait for its event. The
   * poller uses it only for exactly that window; a retry, a partial failure or more records arriving
   * meanwhile (a window not yet full) build it again.
   */
  private prebuild(shard: Shard, after: StoredStreamRecord): void {
    if (this.config.filters?.length || this.stopped) return;
    setImmediate(() => {
      if (this.stopped) return;
      const from = shard.indexAfter(after.sequenceNumber);
      const count = Math.min(this.config.batchSize, shard.records.length - from);
      if (count <= 0) return;
      const batch = this.cut(shard.records.slice(from, from + count), shard.shardId);
      this.prebuilt.set(shard.shardId, { from, count, batch });
    });
  }

  private matchesFilters(r: StoredStreamRecord, shardId: string): boolean {
    const record = streamEvent([r], shardId, this.identity).Records[0]!;
    if (this.identity.kind === 'kinesis') {
      const kinesis = record['kinesis'] as Record<string, unknown>;
      try {
        const data: unknown = JSON.parse(Buffer.from(String(kinesis['data']), 'base64').toString('utf8'));
        if (typeof data === 'object' && data !== null && !Array.isArray(data)) record['kinesis'] = { ...kinesis, data };
      } catch {
        // not JSON: matched as the base64 string it is
      }
    }
    const body = JSON.stringify(record);
    return this.config.filters!.some((pattern) => matchesFilterPolicy(pattern, 'MessageBody', { body }));
  }

  /**
   * The batch's event, sealed (serialised once for the invoker and the history: util/sealed-json.ts). A
   * Kinesis batch's is written as its bytes and becomes objects only if something in the host reads it.
   */
  private event(records: StoredStreamRecord[], shardId: string): StreamEventPayload {
    if (this.identity.kind === 'kinesis') return sealedFromBytes<StreamEventPayload>(kinesisEventBytes(records, shardId, this.identity), ['Records']);
    return sealJson(streamEvent(records, shardId, this.identity));
  }

  /**
   * Keeps the batch's event under the 6 MB payload limit (always at least one record). The event is
   * serialised once anyway: only a batch over the limit is measured record by record.
   */
  private cut(records: StoredStreamRecord[], shardId: string): { records: StoredStreamRecord[]; event: StreamEventPayload } {
    const whole = this.event(records, shardId);
    if (sealedBytes(whole)!.length <= MAX_BATCH_PAYLOAD_BYTES) return { records, event: whole };
    let bytes = 20;
    for (let i = 0; i < records.length; i++) {
      bytes += Buffer.byteLength(JSON.stringify(whole.Records[i])) + 1;
      if (bytes > MAX_BATCH_PAYLOAD_BYTES && i > 0) return { records: records.slice(0, i), event: this.event(records.slice(0, i), shardId) };
    }
    return { records, event: whole };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /**
   * Runs one batch to its end: processed, discarded or (bisect) split. Returns false when the
   * mapping stopped mid-way (nothing past the last checkpoint is considered handled).
   */
  private async processBatch(
    shard: Shard,
    records: StoredStreamRecord[],
    retriesSoFar: number,
    parentBatchId: string | undefined,
    built?: StreamEventPayload,
  ): Promise<boolean> {
    let pending = records;
    let retries = retriesSoFar;
    let invokeCount = 0;
    // The batch record and each attempt over the same records share one sealed event.
    let event = built ?? this.event(pending, shard.shardId);
    let eventOf = pending;
    const batch = parentRecord({
      kind: 'stream-batch',
      trigger: 'stream',
      functionName: this.fn.name,
      event,
      fn: this.fn,
      ...(parentBatchId ? { parentId: parentBatchId } : {}),
      source: this.batchSource(shard, pending),
    });
    this.context.records.open(batch);
    let lastRecord: InvocationRecord | undefined;

    for (;;) {
      if (this.stopped) {
        closeParent(this.context.records, batch, 'interrupted');
        return false;
      }
      if (this.config.maximumRecordAgeSeconds >= 0) {
        const cutoff = Date.now() - this.config.maximumRecordAgeSeconds * 1000;
        const expired = pending.filter((r) => r.arrivalMs < cutoff);
        if (expired.length > 0) {
          // Records arrive in order, so the expired ones are a prefix of the batch.
          await this.discard(shard, expired, 'RecordAgeExceeded', invokeCount, lastRecord);
          pending = pending.slice(expired.length);
          if (pending.length === 0) {
            closeParent(this.context.records, batch, 'error', { outcome: 'discarded', condition: 'RecordAgeExceeded' });
            return true;
          }
        }
      }

      if (eventOf !== pending) {
        event = this.event(pending, shard.shardId);
        eventOf = pending;
      }
      const invoking = this.context.invoker
        .invoke({
          fn: this.fn,
          event,
          trigger: 'stream',
          parentId: batch.id,
          attempt: retries,
          invocationType: 'RequestResponse',
          signal: this.abort.signal,
          // The checkpoint is the acknowledgement, and its write waits for the history's (Stream.beforeCheckpointWrite).
          returnBeforeStored: true,
          source: { ...this.batchSource(shard, pending), mapping: this.eventName },
        })
        .catch((err: unknown) => {
          this.context.log.error(`stream ${this.stream.name}: invoking ${this.fn.name} failed: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        });
      this.prebuild(shard, pending[pending.length - 1]!);
      const record = await invoking;
      invokeCount++;
      if (record) lastRecord = record;
      if (this.abort.signal.aborted) {
        closeParent(this.context.records, batch, 'interrupted');
        return false;
      }

      let failedFrom = -1; // index in `pending` to retry from; -1 = all handled
      let wholeBatchFailed = false;
      if (!record || FAILED.has(record.status)) {
        failedFrom = 0;
        wholeBatchFailed = true;
      } else if (this.config.reportBatchItemFailures) {
        const verdict = readBatchItemFailures(record.result, pending);
        if (verdict.kind === 'failure') {
          failedFrom = 0;
          wholeBatchFailed = true;
          this.context.log.warn(`stream ${this.stream.name}: ${this.fn.name} returned an invalid batch response (${verdict.reason}); the whole batch failed`);
        } else if (verdict.kind === 'partial') {
          failedFrom = verdict.firstFailedIndex;
        }
      }

      if (failedFrom < 0) {
        this.advance(shard, pending[pending.length - 1]!);
        closeParent(this.context.records, batch, 'success', { outcome: 'processed', invokeCount });
        return true;
      }
      if (failedFrom > 0) {
        this.advance(shard, pending[failedFrom - 1]!);
        pending = pending.slice(failedFrom);
      }

      if (wholeBatchFailed && this.config.bisectBatchOnFunctionError && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        closeParent(this.context.records, batch, 'error', { outcome: 'bisected', invokeCount });
        if (!(await this.processBatch(shard, pending.slice(0, half), retries, batch.id))) return false;
        return this.processBatch(shard, pending.slice(half), retries, batch.id);
      }

      retries++;
      if (this.config.maximumRetryAttempts >= 0 && retries > this.config.maximumRetryAttempts) {
        await this.discard(shard, pending, 'RetryAttemptsExhausted', invokeCount, lastRecord);
        closeParent(this.context.records, batch, 'error', { outcome: 'discarded', condition: 'RetryAttemptsExhausted', invokeCount });
        return true;
      }
      await this.sleep(this.retryDelaysMs[Math.min(retries - 1, this.retryDelaysMs.length - 1)]!);
    }
  }

  private batchSource(shard: Shard, records: StoredStreamRecord[]): Record<string, unknown> {
    return {
      stream: this.stream.name,
      streamKind: this.identity.kind,
      shardId: shard.shardId,
      startSequenceNumber: records[0]!.sequenceNumber,
      endSequenceNumber: records[records.length - 1]!.sequenceNumber,
      batchSize: records.length,
    };
  }

  /**
   * Moves the shard's checkpoint past `last`. The poller reads positions from memory, so the next
   * batch is invoked while the write lands (writes are gathered: Stream.setCheckpoint); a host killed
   * with SIGKILL re-delivers the batches of the last few milliseconds whose checkpoint was not
   * written yet — delivery is at least once, as in Lambda. stop() waits for the writes.
   */
  private advance(shard: Shard, last: StoredStreamRecord): void {
    const write = this.stream.setCheckpoint(this.id, shard.shardId, last.sequenceNumber).catch((err: unknown) => {
      this.context.log.error(
        `stream ${this.stream.name}: writing the checkpoint of ${shard.shardId} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    this.checkpointing.set(shard.shardId, write);
  }

  private async discard(
    shard: Shard,
    records: StoredStreamRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    invokeCount: number,
    last: InvocationRecord | undefined,
  ): Promise<void> {
    const info = {
      shardId: shard.shardId,
      startSequenceNumber: records[0]!.sequenceNumber,
      endSequenceNumber: records[records.length - 1]!.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(records[0]!.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(records[records.length - 1]!.arrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: this.identity.arn,
    };
    const failed = last && last.status !== 'success';
    const failure: StreamFailureInfo = {
      function: this.fn.name,
      stream: this.stream.name,
      destination: this.config.onFailureDestination,
      record: {
        requestContext: {
          requestId: last?.requestId ?? randomUUID(),
          functionArn: `arn:aws:lambda:${this.context.region}:${this.context.accountId}:function:${this.fn.name}`,
          condition,
          approximateInvokeCount: invokeCount,
        },
        responseContext: {
          statusCode: last?.status === 'throttled' ? 429 : 200,
          executedVersion: '$LATEST',
          ...(failed && last?.status !== 'throttled' ? { functionError: 'Unhandled' } : {}),
        },
        version: '1.0',
        timestamp: new Date().toISOString(),
        ...(this.identity.kind === 'kinesis' ? { KinesisBatchInfo: info } : { DDBStreamBatchInfo: info }),
      },
    };
    await this.runtime.onDiscard(failure, last);
    this.advance(shard, records[records.length - 1]!);
  }
}
