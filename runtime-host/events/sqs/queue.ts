// One SQS queue's messages and their life: delay, visibility timeout, receive counts, receipt
// handles that change per receive, retention, redrive to a dead-letter queue after
// maxReceiveCount, and for FIFO queues message groups delivered in order (a group with a message
// in flight delivers nothing else) and a five-minute deduplication window.
// No I/O: every change is handed to `persist` (the journal, queue-store.ts) and time comes from
// `now`, so tests can move the clock.
import { createHash, randomUUID } from 'node:crypto';
import type { CallerInvocation } from '../aws-service';
import { md5OfBody, md5OfMessageAttributes, type MessageAttributeValue } from './message-md5';
import { SqsError } from './sqs-errors';

export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueConfig {
  name: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  messageRetentionPeriodSeconds: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
  redrivePolicy?: RedrivePolicy;
  /** Epoch seconds. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
}

export interface SqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
  senderId: string;
  /** Epoch ms from which it can be received (after its delay, then after each visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** The handle of the latest receive; only it can delete the message or change its visibility. */
  receiptHandle?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  awsTraceHeader?: string;
  deadLetterQueueSourceArn?: string;
  /** The invocation chain that sent it (a function's SendMessage, an SNS fan-out), for the trace. */
  caller?: CallerInvocation;
}

export interface SendInput {
  body: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
  awsTraceHeader?: string;
  senderId: string;
  caller?: CallerInvocation;
}

export type JournalEntry =
  | { op: 'queue'; config: QueueConfig }
  | { op: 'deleteQueue'; queue: string }
  | { op: 'send'; queue: string; message: SqsMessage }
  | { op: 'receive'; queue: string; id: string; receiveCount: number; firstReceiveTimestamp: number; visibleAt: number; receiptHandle: string }
  | { op: 'visibility'; queue: string; id: string; visibleAt: number }
  | { op: 'delete'; queue: string; id: string }
  | { op: 'purge'; queue: string }
  | { op: 'dedup'; queue: string; deduplicationId: string; messageId: string; sequenceNumber?: string; expiresAt: number };

export interface QueueHooks {
  now: () => number;
  persist: (entry: JournalEntry) => void;
  /** The queue a redrive policy's ARN names (undefined when it does not exist: messages then stay). */
  deadLetterQueue: (arn: string) => Queue | undefined;
  arnOf: (name: string) => string;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

interface DedupEntry {
  messageId: string;
  sequenceNumber?: string;
  expiresAt: number;
}

/** Handles are opaque to clients; ours carry the message id so a stale one can be told from a garbled one. */
function receiptHandleFor(messageId: string): string {
  return Buffer.from(`${messageId} ${randomUUID()}`, 'utf8').toString('base64url');
}

export function messageIdOfReceiptHandle(handle: unknown): string {
  if (typeof handle === 'string' && handle.length > 0) {
    const decoded = Buffer.from(handle, 'base64url').toString('utf8');
    const [id, nonce] = decoded.split(' ');
    if (id && nonce && /^[0-9a-f-]{36}$/.test(id)) return id;
  }
  throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${String(handle)}" is not a valid receipt handle.`);
}

export class Queue {
  /** In send order; a message made visible again keeps its place (oldest first, as SQS mostly does). */
  readonly messages = new Map<string, SqsMessage>();
  private readonly dedup = new Map<string, DedupEntry>();
  private sequence = 0n;
  private waiters = new Set<() => void>();
  private lastExpiryCheck = -Infinity;

  constructor(
    public config: QueueConfig,
    private readonly hooks: QueueHooks,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get arn(): string {
    return this.hooks.arnOf(this.config.name);
  }

  send(input: SendInput): { message: SqsMessage; duplicate: boolean } {
    const now = this.hooks.now();
    let deduplicationId = input.deduplicationId;
    if (this.config.fifo) {
      if (deduplicationId === undefined && this.config.contentBasedDeduplication) deduplicationId = sha256Hex(input.body);
      this.pruneDedup(now);
      const seen = deduplicationId !== undefined ? this.dedup.get(deduplicationId) : undefined;
      if (seen) {
        // SQS answers a duplicate as if it were sent again: the first message's id and sequence number.
        const existing = this.messages.get(seen.messageId);
        const md5Attrs = md5OfMessageAttributes(input.messageAttributes);
        const echo: SqsMessage = {
          messageId: seen.messageId,
          body: input.body,
          md5OfBody: md5OfBody(input.body),
          ...(md5Attrs ? { md5OfMessageAttributes: md5Attrs } : {}),
          sentTimestamp: now,
          senderId: input.senderId,
          visibleAt: now,
          receiveCount: 0,
          ...(seen.sequenceNumber !== undefined ? { sequenceNumber: seen.sequenceNumber } : {}),
        };
        return { message: existing ?? echo, duplicate: true };
      }
    }
    const message = this.build(input, now, deduplicationId);
    this.messages.set(message.messageId, message);
    if (this.config.fifo && deduplicationId !== undefined) {
      this.dedup.set(deduplicationId, { messageId: message.messageId, sequenceNumber: message.sequenceNumber!, expiresAt: now + DEDUPLICATION_WINDOW_MS });
    }
    this.hooks.persist({ op: 'send', queue: this.name, message });
    this.wake();
    return { message, duplicate: false };
  }

  private build(input: SendInput, now: number, deduplicationId: string | undefined): SqsMessage {
    const delaySeconds = input.delaySeconds ?? this.config.delaySeconds;
    const md5Attrs = md5OfMessageAttributes(input.messageAttributes);
    return {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5OfBody(input.body),
      ...(md5Attrs ? { messageAttributes: input.messageAttributes!, md5OfMessageAttributes: md5Attrs } : {}),
      sentTimestamp: now,
      senderId: input.senderId,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
      ...(this.config.fifo && deduplicationId !== undefined ? { deduplicationId } : {}),
      ...(this.config.fifo ? { sequenceNumber: this.nextSequenceNumber() } : {}),
      ...(input.awsTraceHeader ? { awsTraceHeader: input.awsTraceHeader } : {}),
      ...(input.caller ? { caller: input.caller } : {}),
    };
  }

  private nextSequenceNumber(): string {
    this.sequence += 1n;
    return (18_000_000_000_000_000_000n + this.sequence).toString();
  }

  /** Accepts a message redriven from a source queue: same id and body, counted afresh. */
  acceptDeadLetter(message: SqsMessage, sourceArn: string): void {
    const now = this.hooks.now();
    const moved: SqsMessage = { ...message, visibleAt: now, receiveCount: 0, deadLetterQueueSourceArn: sourceArn };
    delete moved.receiptHandle;
    delete moved.firstReceiveTimestamp;
    if (this.config.fifo) moved.sequenceNumber = this.nextSequenceNumber();
    this.messages.set(moved.messageId, moved);
    this.hooks.persist({ op: 'send', queue: this.name, message: moved });
    this.wake();
  }

  /**
   * Receives up to `max` visible messages, hiding each for the visibility timeout. A message whose
   * receive count already reached the redrive policy's maxReceiveCount moves to the dead-letter queue instead.
   */
  receive(max: number, visibilityTimeoutSeconds = this.config.visibilityTimeoutSeconds): SqsMessage[] {
    const now = this.hooks.now();
    this.expire(now);
    const out: SqsMessage[] = [];
    /** FIFO groups whose oldest remaining message cannot be received now: nothing later in them may be. */
    const blockedGroups = new Set<string>();
    for (const m of this.messages.values()) {
      if (out.length >= max) break;
      const group = this.config.fifo ? (m.groupId ?? '') : undefined;
      if (group !== undefined && blockedGroups.has(group)) continue;
      if (m.visibleAt > now) {
        if (group !== undefined) blockedGroups.add(group);
        continue;
      }
      if (this.redriveIfExhausted(m)) continue;
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
      m.visibleAt = now + visibilityTimeoutSeconds * 1000;
      m.receiptHandle = receiptHandleFor(m.messageId);
      this.hooks.persist({
        op: 'receive',
        queue: this.name,
        id: m.messageId,
        receiveCount: m.receiveCount,
        firstReceiveTimestamp: m.firstReceiveTimestamp,
        visibleAt: m.visibleAt,
        receiptHandle: m.receiptHandle,
      });
      out.push(m);
    }
    return out;
  }

  private redriveIfExhausted(m: SqsMessage): boolean {
    const policy = this.config.redrivePolicy;
    if (!policy || m.receiveCount < policy.maxReceiveCount) return false;
    const dlq = this.hooks.deadLetterQueue(policy.deadLetterTargetArn);
    if (!dlq || dlq === this) return false;
    this.remove(m.messageId);
    dlq.acceptDeadLetter(m, this.arn);
    return true;
  }

  /** Long polling: receives as soon as a message can be received, or [] when `waitMs` passed (or `signal` aborted). */
  async receiveWait(max: number, visibilityTimeoutSeconds: number | undefined, waitMs: number, signal?: AbortSignal): Promise<SqsMessage[]> {
    const deadline = this.hooks.now() + waitMs;
    for (;;) {
      const got = this.receive(max, visibilityTimeoutSeconds);
      const now = this.hooks.now();
      if (got.length > 0 || now >= deadline || signal?.aborted) return got;
      const next = this.nextVisibleAt();
      await this.waitForChange(Math.min(deadline, next ?? Infinity) - now, signal);
    }
  }

  /** Epoch ms when the next hidden message becomes receivable. */
  private nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  private waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 2_147_000_000)));
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Wakes long polls (a send, a message made visible, the queue deleted). */
  wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** True when the handle is the message's current one and the message was deleted; a stale handle deletes nothing, as in SQS. */
  delete(receiptHandle: string): boolean {
    const id = messageIdOfReceiptHandle(receiptHandle);
    const m = this.messages.get(id);
    if (!m || m.receiptHandle !== receiptHandle) return false;
    this.remove(id);
    return true;
  }

  private remove(id: string): void {
    this.messages.delete(id);
    this.hooks.persist({ op: 'delete', queue: this.name, id });
  }

  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const id = messageIdOfReceiptHandle(receiptHandle);
    const m = this.messages.get(id);
    const now = this.hooks.now();
    if (!m || m.receiptHandle !== receiptHandle || m.visibleAt <= now) {
      throw new SqsError(
        'MessageNotInflight',
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    m.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.hooks.persist({ op: 'visibility', queue: this.name, id, visibleAt: m.visibleAt });
    if (visibilityTimeoutSeconds === 0) this.wake();
  }

  purge(): number {
    const n = this.messages.size;
    this.messages.clear();
    this.hooks.persist({ op: 'purge', queue: this.name });
    return n;
  }

  counts(): QueueCounts {
    const now = this.hooks.now();
    this.expire(now);
    const c: QueueCounts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) c.visible++;
      else if (m.receiveCount > 0) c.inFlight++;
      else c.delayed++;
    }
    return c;
  }

  /** Drops messages older than the retention period (SQS deletes them whatever their state). */
  private expire(now: number): void {
    // Retention is counted in seconds at least: one scan a second keeps receives cheap on deep queues.
    if (now - this.lastExpiryCheck < 1000) return;
    this.lastExpiryCheck = now;
    const cutoff = now - this.config.messageRetentionPeriodSeconds * 1000;
    for (const m of this.messages.values()) {
      if (m.sentTimestamp <= cutoff) this.remove(m.messageId);
    }
  }

  private pruneDedup(now: number): void {
    for (const [id, e] of this.dedup) if (e.expiresAt <= now) this.dedup.delete(id);
  }

  /** Replays one journal entry (queue-store.ts, at start). */
  apply(entry: JournalEntry): void {
    switch (entry.op) {
      case 'send': {
        this.messages.set(entry.message.messageId, entry.message);
        const seq = entry.message.sequenceNumber;
        if (seq !== undefined) {
          const n = BigInt(seq) - 18_000_000_000_000_000_000n;
          if (n > this.sequence) this.sequence = n;
        }
        if (entry.message.deduplicationId !== undefined && entry.message.deadLetterQueueSourceArn === undefined) {
          this.dedup.set(entry.message.deduplicationId, {
            messageId: entry.message.messageId,
            ...(seq !== undefined ? { sequenceNumber: seq } : {}),
            expiresAt: entry.message.sentTimestamp + DEDUPLICATION_WINDOW_MS,
          });
        }
        return;
      }
      case 'receive': {
        const m = this.messages.get(entry.id);
        if (m)
          Object.assign(m, {
            receiveCount: entry.receiveCount,
            firstReceiveTimestamp: entry.firstReceiveTimestamp,
            visibleAt: entry.visibleAt,
            receiptHandle: entry.receiptHandle,
          });
        return;
      }
      case 'visibility': {
        const m = this.messages.get(entry.id);
        if (m) m.visibleAt = entry.visibleAt;
        return;
      }
      case 'delete':
        this.messages.delete(entry.id);
        return;
      case 'purge':
        this.messages.clear();
        return;
      case 'dedup':
        this.dedup.set(entry.deduplicationId, {
          messageId: entry.messageId,
          ...(entry.sequenceNumber !== undefined ? { sequenceNumber: entry.sequenceNumber } : {}),
          expiresAt: entry.expiresAt,
        });
        return;
      default:
        return;
    }
  }

  /** The entries that rebuild this queue as it is now (compaction). */
  snapshot(): JournalEntry[] {
    const now = this.hooks.now();
    this.pruneDedup(now);
    const out: JournalEntry[] = [{ op: 'queue', config: this.config }];
    for (const [deduplicationId, e] of this.dedup) {
      out.push({
        op: 'dedup',
        queue: this.name,
        deduplicationId,
        messageId: e.messageId,
        ...(e.sequenceNumber !== undefined ? { sequenceNumber: e.sequenceNumber } : {}),
        expiresAt: e.expiresAt,
      });
    }
    for (const message of this.messages.values()) out.push({ op: 'send', queue: this.name, message });
    return out;
  }
}

/** Content-based deduplication: SQS uses the SHA-256 of the body. */
function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
