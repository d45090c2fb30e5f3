// Lambda's SQS event source mapping (a function's `SQS` event): pollers long-poll the queue, gather
// a batch (BatchSize, MaximumBatchingWindowInSeconds), drop and delete what the filter criteria
// reject, and invoke the function synchronously. A successful batch is deleted; a failed one is
// left alone, so its messages come back after the queue's visibility timeout and, past the redrive
// policy's maxReceiveCount, move to the dead-letter queue (the queue does both). With
// ReportBatchItemFailures only the listed messages stay. FIFO queues hand out one batch per message
// group at a time, so groups stay in order across pollers.
// Each batch is a parent record (kind 'sqs-batch') with the invocation as its child.
//
// Decision: Lambda starts five pollers and scales with the backlog; locally one receiver gathers
// batches and runs up to ScalingConfig.MaximumConcurrency of them at once (five when unset), never
// more than the function's reserved concurrency (so a mapping does not throttle itself).
import type { HostContext } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import type { InvocationRecord } from '../../protocol/records';
import { closeParent, parentRecord } from '../async-invocation';
import type { Queue, SqsMessage } from './queue';
import { matchesFilters, readBatchItemFailures, sqsEventRecord, type SqsEventRecord } from './sqs-event';
import type { SqsMappingConfig } from './template';

/** Lambda's synchronous payload limit: messages past it go back to the queue for the next batch. */
export const MAX_BATCH_PAYLOAD_BYTES = 6_291_456;
export const DEFAULT_POLLERS = 5;
/** How long one receive waits (SQS's longest long poll). */
const LONG_POLL_MS = 20_000;

const FAILED = new Set(['error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

export class SqsMapping {
  private readonly abort = new AbortController();
  /** Ends long polls and batching windows on any stop. */
  private readonly idle = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    readonly id: string,
    public fn: FunctionInfo,
    readonly eventName: string,
    readonly config: SqsMappingConfig,
    readonly queue: Queue,
    private readonly context: HostContext,
  ) {}

  /** How many batches may be invoked at once. */
  get concurrency(): number {
    const wanted = this.config.maximumConcurrency ?? DEFAULT_POLLERS;
    const reserved = this.fn.reservedConcurrency;
    return Math.max(1, reserved !== undefined && reserved > 0 ? Math.min(wanted, reserved) : wanted);
  }

  start(): void {
    if (!this.config.enabled) return;
    this.loop = this.poll();
  }

  /** Stops polling; with `cancelInFlight` a running invocation is cancelled (its messages come back after the visibility timeout). */
  async stop(cancelInFlight = true): Promise<void> {
    this.stopping = true;
    if (cancelInFlight) this.abort.abort();
    this.idle.abort();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  /**
   * One receiver gathers batches and hands each to an invocation, up to `concurrency` at once; it
   * receives only when a slot is free, so no message waits in flight for a slot.
   */
  private async poll(): Promise<void> {
    while (!this.stopping) {
      if (this.running.size >= this.concurrency) {
        await Promise.race(this.running);
        continue;
      }
      try {
        const batch = await this.gather();
        if (batch.length === 0) continue;
        const run: Promise<void> = this.process(batch)
          .catch((err: unknown) =>
            this.context.log.error(`sqs ${this.queue.name}: mapping ${this.fn.name}/${this.eventName}: ${err instanceof Error ? err.message : String(err)}`),
          )
          .finally(() => this.running.delete(run));
        this.running.add(run);
      } catch (err) {
        this.context.log.error(`sqs ${this.queue.name}: mapping ${this.fn.name}/${this.eventName}: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** One batch: waits for a first message, then (with a batching window) for more until the window ends or the batch is full. */
  private async gather(): Promise<SqsMessage[]> {
    const { batchSize, maximumBatchingWindowMs } = this.config;
    const batch = await this.queue.receiveWait(Math.min(10, batchSize), undefined, LONG_POLL_MS, this.idle.signal);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + maximumBatchingWindowMs;
    // Without a window Lambda still takes what is already there, up to the batch size.
    while (!this.stopping && batch.length < batchSize) {
      const wait = deadline - Date.now();
      const more =
        wait > 0
          ? await this.queue.receiveWait(Math.min(10, batchSize - batch.length), undefined, wait, this.idle.signal)
          : this.queue.receive(Math.min(10, batchSize - batch.length));
      if (more.length === 0 && wait <= 0) break;
      batch.push(...more);
    }
    return batch;
  }

  private async process(messages: SqsMessage[]): Promise<void> {
    const arn = this.queue.arn;
    const all = messages.map((m) => ({ message: m, record: sqsEventRecord(m, arn, this.context.region) }));
    const kept: { message: SqsMessage; record: SqsEventRecord }[] = [];
    for (const item of all) {
      // Lambda deletes the messages its filter criteria reject.
      if (matchesFilters(this.config.filters, item.record)) kept.push(item);
      else this.queue.delete(item.record.receiptHandle);
    }
    if (kept.length === 0) return;
    const batch = this.cut(kept);
    const records = batch.map((b) => b.record);
    const event = { Records: records };
    const caller = batch.find((b) => b.message.caller)?.message.caller;
    const source = {
      queue: this.queue.name,
      queueArn: arn,
      batchSize: records.length,
      messageIds: records.map((r) => r.messageId),
    };
    const parent = parentRecord({
      kind: 'sqs-batch',
      trigger: 'sqs',
      functionName: this.fn.name,
      event,
      fn: this.fn,
      ...(caller ? { parentId: caller.recordId } : {}),
      source,
    });
    if (caller) parent.traceId = caller.traceId;
    this.context.records.open(parent);

    let record: InvocationRecord | undefined;
    try {
      record = await this.context.invoker.invoke({
        fn: this.fn,
        event,
        trigger: 'sqs',
        parentId: parent.id,
        // Retries show as attempts: a message received for the n-th time is attempt n-1.
        attempt: Math.max(...batch.map((b) => b.message.receiveCount)) - 1,
        invocationType: 'RequestResponse',
        signal: this.abort.signal,
        source: { ...source, mapping: this.eventName },
      });
    } catch (err) {
      this.context.log.error(`sqs ${this.queue.name}: invoking ${this.fn.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }

    let failedIds: Set<string>;
    let outcome: string;
    if (!record || FAILED.has(record.status)) {
      failedIds = new Set(records.map((r) => r.messageId));
      outcome = 'failed';
    } else if (this.config.reportBatchItemFailures) {
      const verdict = readBatchItemFailures(
        record.result,
        records.map((r) => r.messageId),
      );
      if (verdict.kind === 'failure') {
        this.context.log.warn(`sqs ${this.queue.name}: ${this.fn.name} returned an invalid batch response (${verdict.reason}); the whole batch failed`);
        failedIds = new Set(records.map((r) => r.messageId));
        outcome = 'failed';
      } else if (verdict.kind === 'partial') {
        failedIds = verdict.failedIds;
        outcome = 'partial';
      } else {
        failedIds = new Set();
        outcome = 'processed';
      }
    } else {
      failedIds = new Set();
      outcome = 'processed';
    }
    for (const r of records) if (!failedIds.has(r.messageId)) this.queue.delete(r.receiptHandle);
    const status =
      record?.status === 'interrupted' || this.abort.signal.aborted
        ? 'interrupted'
        : failedIds.size > 0
          ? record?.status === 'success'
            ? 'error'
            : (record?.status ?? 'error')
          : 'success';
    closeParent(this.context.records, parent, status, {
      outcome,
      deleted: records.length - failedIds.size,
      failed: failedIds.size,
      ...(failedIds.size > 0 ? { failedMessageIds: [...failedIds] } : {}),
    });
  }

  /** Keeps the event under the 6 MB payload limit (always at least one message); the rest is made visible again. */
  private cut<T extends { record: SqsEventRecord }>(items: T[]): T[] {
    let bytes = 14;
    for (let i = 0; i < items.length; i++) {
      bytes += Buffer.byteLength(JSON.stringify(items[i]!.record)) + 1;
      if (bytes > MAX_BATCH_PAYLOAD_BYTES && i > 0) {
        for (const rest of items.slice(i)) {
          try {
            this.queue.changeVisibility(rest.record.receiptHandle, 0);
          } catch {
            // Already visible again (a visibility timeout shorter than the gathering): nothing to give back.
          }
        }
        return items.slice(0, i);
      }
    }
    return items;
  }
}
