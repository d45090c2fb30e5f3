// Lambda's asynchronous invocation (InvocationType Event, S3, SNS, EventBridge, schedules): the event is
// queued, run, and retried on function errors with back-off; its outcome then goes to the function's
// destinations and dead-letter queue (async-destinations.ts reads them from the template and sends).
// One place for this policy: the Invoke API's `Event` type and every source that invokes asynchronously use it.
//
// Decisions (Lambda's numbers are in the comments; ours are smaller so a local run is quick):
// - Retries on a function error (incl. timeout, crash, out-of-memory): MaximumRetryAttempts 0–2,
//   default 2. Lambda waits ~1 min then ~2 min; we wait `retryDelaysMs` = [1000, 2000] by default.
// - Throttles (status `throttled`) do not use up a retry: Lambda retries them (and its own 5xx) with
//   exponential back-off for up to MaximumEventAgeInSeconds (default 6 h). We do the same with a
//   back-off starting at `throttleInitialDelayMs` (1 s) doubling up to `throttleMaxDelayMs` (30 s),
//   bounded by `maximumEventAgeSeconds` (default 21600 as in Lambda). Set `retryThrottles: false` to
//   give up on the first throttle instead.
// - Every attempt is its own invocation record: `attempt` counts the deliveries before it (0, 1, 2 …;
//   a throttled delivery counts too) and `parentId` is the cause (an SNS publish, an S3 event, or an
//   'async-invoke' record opened here for the Invoke API). Lambda reuses one request id for all
//   attempts; our records keep unique ids (record id = request id) and carry the async request id
//   in `source.asyncRequestId`.
// - Payload limit: 1 MB (1,048,576 bytes; Lambda's limit since 2025, 256 KB before) — `maxPayloadBytes`.
import { randomUUID } from 'node:crypto';
import type { FunctionCatalog, HostLogger, RecordBook } from '../host-context';
import { ASYNC_PAYLOAD_LIMIT_BYTES } from '../protocol/limits';
import { errorPayload, type InvocationRecord, type InvocationStatus, type Trigger } from '../protocol/records';
import { UserError, type FunctionConfig, type InvokeRequest, type Invoker } from '../runtime/types';
import { recordNow } from '../util/record-clock';
import {
  functionAsyncConfig,
  sendDeadLetter,
  sendRecord,
  type AsyncDestination,
  type DestinationServices,
  type FunctionAsyncConfig,
} from './async-destinations';

export interface AsyncInvocationPolicy {
  /** Lambda's MaximumRetryAttempts: 0–2. */
  maximumRetryAttempts: number;
  /** Wait before retry n (index n-1); the last value repeats. */
  retryDelaysMs: number[];
  /** Lambda's MaximumEventAgeInSeconds (60–21600): older events are dropped (condition EventAgeExceeded). */
  maximumEventAgeSeconds: number;
  retryThrottles: boolean;
  throttleInitialDelayMs: number;
  throttleMaxDelayMs: number;
  maxPayloadBytes: number;
}

export const DEFAULT_ASYNC_POLICY: Readonly<AsyncInvocationPolicy> = Object.freeze({
  maximumRetryAttempts: 2,
  retryDelaysMs: [1000, 2000],
  maximumEventAgeSeconds: 21600,
  retryThrottles: true,
  throttleInitialDelayMs: 1000,
  throttleMaxDelayMs: 30_000,
  maxPayloadBytes: ASYNC_PAYLOAD_LIMIT_BYTES,
});

/** The record Lambda sends to an on-failure (or on-success) destination, field for field. */
export interface AsyncDestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: {
    statusCode: number;
    executedVersion: string;
    functionError?: 'Unhandled';
  };
  responsePayload?: unknown;
}

/** Where an event's outcome went after its last attempt: a destination (the invocation record) or the dead-letter queue (the event). */
export interface SentTo {
  as: 'on-success' | 'on-failure' | 'dead-letter';
  arn: string;
  /** Why the delivery failed, when it did. */
  error?: string;
}

export interface AsyncInvocationOutcome {
  /** `interrupted` when the queue was stopped (host shutting down) before the event finished. */
  status: 'success' | 'failed' | 'interrupted';
  /** The async request id (what Lambda's Invoke API returns with 202). */
  requestId: string;
  attempts: InvocationRecord[];
  /** Present for `failed` (and `success` when an onSuccess callback or destination was given). */
  destination?: AsyncDestinationRecord;
  /** The destinations and dead-letter queue the template gave, and whether each took it. */
  sentTo?: SentTo[];
}

/** What a parent record keeps of one function's asynchronous delivery: its outcome, attempts, and where the outcome went. */
export function deliverySummary(
  functionName: string,
  outcome: AsyncInvocationOutcome,
): { function: string; status: AsyncInvocationOutcome['status']; attempts: number; sentTo?: SentTo[] } {
  return { function: functionName, status: outcome.status, attempts: outcome.attempts.length, ...(outcome.sentTo ? { sentTo: outcome.sentTo } : {}) };
}

export interface AsyncInvocationRequest {
  fn: FunctionConfig;
  event: unknown;
  trigger: Trigger;
  /** The record that caused this (SNS publish, S3 event). Absent → an 'async-invoke' parent record is opened. */
  parentId?: string;
  /** For an 'async-invoke' record: the invocation that asked for it (a function calling Invoke with InvocationType Event), so it joins that trace. */
  causedBy?: string;
  source?: Record<string, unknown>;
  policy?: Partial<AsyncInvocationPolicy>;
  /** Lambda's OnFailure destination. Errors it throws are logged, never retried. */
  onFailure?: (destination: AsyncDestinationRecord, lastAttempt: InvocationRecord) => void | Promise<void>;
  onSuccess?: (destination: AsyncDestinationRecord, lastAttempt: InvocationRecord) => void | Promise<void>;
  clientContext?: unknown;
}

export interface AsyncInvocationHandle {
  requestId: string;
  /** The parent every attempt points to (given, or the 'async-invoke' record opened for it). */
  parentId: string;
  done: Promise<AsyncInvocationOutcome>;
  /** Resolves once the queued event's record is in the history: answer the caller (202) after it. */
  accepted: Promise<void>;
}

export interface AsyncInvocationContext extends DestinationServices {
  invoker: Invoker;
  records: RecordBook;
  region: string;
  accountId: string;
  log?: HostLogger;
  /** The template's functions: each one's EventInvokeConfig, destinations and dead-letter queue apply (async-destinations.ts). */
  functions?: Pick<FunctionCatalog, 'get' | 'resources'>;
}

const FAILED: ReadonlySet<InvocationStatus> = new Set(['error', 'timeout', 'outOfMemory']);

export function payloadBytes(event: unknown): number {
  return Buffer.byteLength(JSON.stringify(event ?? null) ?? 'null', 'utf8');
}

/** Lambda's 413 for an async payload over the limit, as a UserError the edges map (code = AWS error type). */
export function checkAsyncPayload(event: unknown, maxPayloadBytes = ASYNC_PAYLOAD_LIMIT_BYTES): void {
  const size = payloadBytes(event);
  if (size > maxPayloadBytes) {
    throw new UserError(
      `Request must be smaller than ${maxPayloadBytes} bytes for the InvokeFunction operation`,
      `the event is ${size} bytes; asynchronous invocations accept at most ${maxPayloadBytes} bytes`,
      'RequestTooLarge',
    );
  }
}

/** Fills the fields every parent record needs (an S3 event, an SNS publish, a stream batch, an async invoke). */
export function parentRecord(fields: {
  kind: InvocationRecord['kind'];
  trigger: Trigger;
  functionName: string;
  event: unknown;
  fn?: FunctionConfig;
  parentId?: string;
  source?: Record<string, unknown>;
  status?: InvocationStatus;
  requestId?: string;
}): InvocationRecord {
  return {
    id: randomUUID(),
    kind: fields.kind,
    requestId: fields.requestId ?? '',
    functionName: fields.functionName,
    trigger: fields.trigger,
    ...(fields.parentId ? { parentId: fields.parentId } : {}),
    status: fields.status ?? 'running',
    cold: false,
    runtime: fields.fn?.runtime ?? '',
    architecture: fields.fn?.architecture ?? 'x86_64',
    memorySizeMB: fields.fn?.memorySizeMB ?? 0,
    timeoutSeconds: fields.fn?.timeoutSeconds ?? 0,
    timestamps: { queuedAt: recordNow() },
    billingRule: 'per-ms-with-init',
    event: fields.event,
    logs: [],
    ...(fields.source ? { source: fields.source } : {}),
  };
}

/** Closes a parent record with a final status (copying nothing else: children carry the details). */
export function closeParent(records: RecordBook, record: InvocationRecord, status: InvocationStatus, source?: Record<string, unknown>): void {
  record.status = status;
  record.timestamps.finishedAt = recordNow();
  if (source) record.source = { ...(record.source ?? {}), ...source };
  records.close(record);
}

function resolvePolicy(base: Partial<AsyncInvocationPolicy> | undefined, override: Partial<AsyncInvocationPolicy> | undefined): AsyncInvocationPolicy {
  const p: AsyncInvocationPolicy = { ...DEFAULT_ASYNC_POLICY, ...(base ?? {}), ...(override ?? {}) };
  if (!Number.isInteger(p.maximumRetryAttempts) || p.maximumRetryAttempts < 0 || p.maximumRetryAttempts > 2) {
    throw new UserError(`MaximumRetryAttempts must be 0, 1 or 2, got ${p.maximumRetryAttempts}`, 'Lambda allows 0–2 retries for asynchronous invocations');
  }
  if (p.retryDelaysMs.length === 0) p.retryDelaysMs = [0];
  return p;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The error body a synchronous caller would get (what the runtime posted, byte for byte, or the platform's
 * own for a timeout or a crash): Lambda puts it into the destination's responsePayload, parsed.
 */
function errorBody(record: InvocationRecord): unknown {
  if (!record.error) return undefined;
  const text = errorPayload(record.error);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The asynchronous event queue of one host. `invoke` returns at once (as the Invoke API's 202 does);
 * attempts run in the background. `stop()` cancels waiting retries and in-flight attempts.
 */
export class AsyncInvocationQueue {
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly inFlight = new Set<Promise<AsyncInvocationOutcome>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly context: AsyncInvocationContext,
    private readonly defaults: Partial<AsyncInvocationPolicy> = {},
  ) {}

  /** Validates (payload limit, policy) synchronously — a UserError means nothing was queued. */
  invoke(request: AsyncInvocationRequest): AsyncInvocationHandle {
    const config = this.configOf(request.fn.name);
    const policy = resolvePolicy(this.defaults, { ...config.policy, ...request.policy });
    checkAsyncPayload(request.event, policy.maxPayloadBytes);
    if (this.abort.signal.aborted) throw new Error('the asynchronous invocation queue is stopped');
    const requestId = randomUUID();
    let parent: InvocationRecord | undefined;
    if (!request.parentId) {
      parent = parentRecord({
        kind: 'async-invoke',
        trigger: request.trigger,
        functionName: request.fn.name,
        event: request.event,
        fn: request.fn,
        requestId,
        ...(request.causedBy ? { parentId: request.causedBy } : {}),
        status: 'queued',
        source: { ...(request.source ?? {}), invocationType: 'Event', asyncRequestId: requestId },
      });
      this.context.records.open(parent);
    }
    const parentId = request.parentId ?? parent!.id;
    const done = this.run(request, policy, config, requestId, parentId, parent);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return { requestId, parentId, done, accepted: this.context.records.written?.() ?? Promise.resolve() };
  }

  /** The function's settings from the template (none for a function given by its handler alone). */
  private configOf(functionName: string): FunctionAsyncConfig {
    const functions = this.context.functions;
    if (!functions) return { policy: {}, notes: [] };
    return functionAsyncConfig(functions.resources(), functionName, functions.get(functionName)?.functionName ?? functionName);
  }

  /** Events still queued or running. */
  pending(): number {
    return this.inFlight.size;
  }

  /** Cancels waiting retries and running attempts; every pending `done` resolves `interrupted`. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of [...this.timers]) {
      clearTimeout(t.timer);
      t.wake();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        wake: () => {
          this.timers.delete(entry);
          resolve();
        },
      };
      this.timers.add(entry);
    });
  }

  private async run(
    request: AsyncInvocationRequest,
    policy: AsyncInvocationPolicy,
    config: FunctionAsyncConfig,
    requestId: string,
    parentId: string,
    parent: InvocationRecord | undefined,
  ): Promise<AsyncInvocationOutcome> {
    const queuedAt = Date.now();
    const attempts: InvocationRecord[] = [];
    let retriesUsed = 0;
    let throttleDelayMs = policy.throttleInitialDelayMs;
    let condition: AsyncDestinationRecord['requestContext']['condition'] | undefined;
    let interrupted = false;
    if (parent) {
      parent.status = 'running';
    }

    for (;;) {
      if (this.abort.signal.aborted) {
        interrupted = true;
        break;
      }
      const invokeRequest: InvokeRequest = {
        fn: request.fn,
        event: request.event,
        trigger: request.trigger,
        parentId,
        attempt: attempts.length,
        invocationType: 'Event',
        source: { ...(request.source ?? {}), asyncRequestId: requestId },
        signal: this.abort.signal,
        ...(request.clientContext !== undefined ? { clientContext: request.clientContext } : {}),
      };
      let record: InvocationRecord;
      try {
        record = await this.context.invoker.invoke(invokeRequest);
      } catch (err) {
        // A host-side failure or an invalid request (unknown function): not the function's fault and
        // nothing a retry fixes — give up, visibly.
        this.context.log?.error(`async invoke of ${request.fn.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        condition = 'RetriesExhausted';
        break;
      }
      attempts.push(record);
      if (record.status === 'success') {
        condition = 'Success';
        break;
      }
      if (record.status === 'interrupted' || this.abort.signal.aborted) {
        interrupted = true;
        break;
      }
      const ageMs = Date.now() - queuedAt;
      let delayMs: number;
      if (record.status === 'throttled') {
        // Reserved concurrency 0 turns a function off: Lambda sends its events on to the failure destination, without retries.
        if (!policy.retryThrottles || request.fn.reservedConcurrency === 0) {
          condition = 'RetriesExhausted';
          break;
        }
        delayMs = throttleDelayMs;
        throttleDelayMs = Math.min(throttleDelayMs * 2, policy.throttleMaxDelayMs);
      } else if (FAILED.has(record.status)) {
        if (retriesUsed >= policy.maximumRetryAttempts) {
          condition = 'RetriesExhausted';
          break;
        }
        delayMs = policy.retryDelaysMs[Math.min(retriesUsed, policy.retryDelaysMs.length - 1)]!;
        retriesUsed++;
      } else {
        condition = 'RetriesExhausted';
        break;
      }
      if (ageMs + delayMs > policy.maximumEventAgeSeconds * 1000) {
        condition = 'EventAgeExceeded';
        break;
      }
      await this.sleep(delayMs);
    }

    const last = attempts[attempts.length - 1];
    let destination: AsyncDestinationRecord | undefined;
    const sentTo: SentTo[] = [];
    if (!interrupted && condition && last) {
      destination = this.destinationRecord(request, requestId, condition, last, attempts.length);
      const succeeded = condition === 'Success';
      const callback = succeeded ? request.onSuccess : request.onFailure;
      if (callback) {
        try {
          await callback(destination, last);
        } catch (err) {
          this.context.log?.error(`on-${succeeded ? 'success' : 'failure'} destination for ${request.fn.name} failed: ${errorText(err)}`);
        }
      }
      const target = succeeded ? config.onSuccess : config.onFailure;
      const record = destination;
      if (target) {
        sentTo.push(
          await this.send(request.fn.name, succeeded ? 'on-success' : 'on-failure', target, () =>
            sendRecord(this.context, target, record, last, (fn, event, causedBy) => {
              this.invoke({ fn, event, trigger: 'api', causedBy, source: { destinationOf: request.fn.name, condition } });
            }),
          ),
        );
      }
      const deadLetter = config.deadLetter;
      if (!succeeded && deadLetter) {
        sentTo.push(
          await this.send(request.fn.name, 'dead-letter', deadLetter, () => sendDeadLetter(this.context, deadLetter, request.event, requestId, last)),
        );
      }
    }
    const status: AsyncInvocationOutcome['status'] = interrupted ? 'interrupted' : condition === 'Success' ? 'success' : 'failed';
    if (parent) {
      closeParent(this.context.records, parent, interrupted ? 'interrupted' : (last?.status ?? 'error'), {
        attempts: attempts.length,
        ...(condition && condition !== 'Success' ? { condition } : {}),
        ...(sentTo.length > 0 ? { sentTo } : {}),
      });
    }
    return {
      status,
      requestId,
      attempts,
      ...(destination && (status === 'failed' || request.onSuccess || config.onSuccess) ? { destination } : {}),
      ...(sentTo.length > 0 ? { sentTo } : {}),
    };
  }

  /** One delivery to a destination or dead-letter queue; a failure is logged (Lambda counts it as DestinationDeliveryFailures) and kept. */
  private async send(functionName: string, as: SentTo['as'], target: AsyncDestination, deliver: () => Promise<void>): Promise<SentTo> {
    try {
      await deliver();
      return { as, arn: target.arn };
    } catch (err) {
      this.context.log?.warn(`${functionName}: the ${as} ${target.kind} ${target.arn} did not take the event: ${errorText(err)}`);
      return { as, arn: target.arn, error: errorText(err) };
    }
  }

  private destinationRecord(
    request: AsyncInvocationRequest,
    requestId: string,
    condition: AsyncDestinationRecord['requestContext']['condition'],
    last: InvocationRecord,
    invokeCount: number,
  ): AsyncDestinationRecord {
    const error = errorBody(last);
    const failed = condition !== 'Success';
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `arn:aws:lambda:${this.context.region}:${this.context.accountId}:function:${request.fn.name}:$LATEST`,
        condition,
        approximateInvokeCount: invokeCount,
      },
      requestPayload: request.event,
      responseContext: {
        statusCode: last.status === 'throttled' ? 429 : 200,
        executedVersion: '$LATEST',
        ...(failed && last.status !== 'throttled' ? { functionError: 'Unhandled' as const } : {}),
      },
      ...(failed ? (error !== undefined ? { responsePayload: error } : {}) : { responsePayload: last.result ?? null }),
    };
  }
}
