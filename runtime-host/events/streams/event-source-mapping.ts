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
import { matchesFilterPolicy } from '../sns/filter-policy';
import { readBatchItemFailures, streamEvent, type StoredStreamRecord, type StreamIdentity } from './stream-event';
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
  onDiscard: (failure: StreamFailureInfo) => Promise<void>;
}

const FAILED = new Set(['error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

export class EventSourceMapping {
  private readonly abort = new AbortController();
  /** Ends the pollers' waits on any stop, so a graceful stop never waits out a batching window. */
  private readonly idle = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly retryDelaysMs: number[];

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
          await this.advance(shard, window[window.length - 1]!);
          continue;
        }
        window = kept;
      }
      const batch = this.cut(window, shard.shardId);
      await this.processBatch(shard, batch, 0, undefined);
    }
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

  /** Keeps the batch's event under the 6 MB payload limit (always at least one record). */
  private cut(records: StoredStreamRecord[], shardId: string): StoredStreamRecord[] {
    let bytes = 20;
    for (let i = 0; i < records.length; i++) {
      bytes += Buffer.byteLength(JSON.stringify(streamEvent([records[i]!], shardId, this.identity).Records[0])) + 1;
      if (bytes > MAX_BATCH_PAYLOAD_BYTES && i > 0) return records.slice(0, i);
    }
    return records;
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
  private async processBatch(shard: Shard, records: StoredStreamRecord[], retriesSoFar: number, parentBatchId: string | undefined): Promise<boolean> {
    let pending = records;
    let retries = retriesSoFar;
    let invokeCount = 0;
    const batch = parentRecord({
      kind: 'stream-batch',
      trigger: 'stream',
      functionName: this.fn.name,
      event: streamEvent(pending, shard.shardId, this.identity),
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

      const record = await this.context.invoker
        .invoke({
          fn: this.fn,
          event: streamEvent(pending, shard.shardId, this.identity),
          trigger: 'stream',
          parentId: batch.id,
          attempt: retries,
          invocationType: 'RequestResponse',
          signal: this.abort.signal,
          source: { ...this.batchSource(shard, pending), mapping: this.eventName },
        })
        .catch((err: unknown) => {
          this.context.log.error(`stream ${this.stream.name}: invoking ${this.fn.name} failed: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        });
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
        await this.advance(shard, pending[pending.length - 1]!);
        closeParent(this.context.records, batch, 'success', { outcome: 'processed', invokeCount });
        return true;
      }
      if (failedFrom > 0) {
        await this.advance(shard, pending[failedFrom - 1]!);
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

  private async advance(shard: Shard, last: StoredStreamRecord): Promise<void> {
    await this.stream.setCheckpoint(this.id, shard.shardId, last.sequenceNumber);
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
    await this.runtime.onDiscard(failure);
    await this.advance(shard, records[records.length - 1]!);
  }
}
