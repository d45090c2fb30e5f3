// One trace for a whole chain. Every record carries a trace root: a record caused by another (an S3
// event, an SNS fan-out, a queue delivery, the invocations they cause) inherits its parent's, so a
// chain A → S3 → B → SQS → C shares one root, and each invocation's `_X_AMZN_TRACE_ID` carries it.
// The AWS SDKs forward that variable as `X-Amzn-Trace-Id` on every call, so the local AWS endpoint
// asks the trace book which invocation made a call (`callerOf`) and hands it the answered call as a
// span (`record`); the span joins that invocation's record, and calls from outside any function
// become records of their own (kind `service-call`).
import { randomUUID } from 'node:crypto';
import type { CallerInvocation, ServiceCallRecorder } from '../events/aws-service';
import type { RecordBook } from '../host-context';
import type { Notifications } from '../protocol/methods';
import type { InvocationRecord, ServiceCallSpan } from '../protocol/records';
import { newTraceRoot, parseTraceHeader, segmentOf } from '../runtime/trace-id';
import type { Invoker } from '../runtime/types';
import type { InvocationStore } from './invocation-store';

/** Spans kept on one record; a function calling S3 in a tight loop must not grow its record without bound. */
export const MAX_SPANS_PER_RECORD = 1000;
const PAGE = 500;

/**
 * Gives a record its trace when it has none: its parent's (looked up by `parentId`), or a new one.
 * The record book calls this for every record it opens, so inheritance happens in one place
 * whichever source opened the record.
 */
export function inheritTrace(record: InvocationRecord, parentOf: (id: string) => InvocationRecord | undefined): void {
  if (record.traceId) return;
  const inherited = record.parentId !== undefined ? parentOf(record.parentId)?.traceId : undefined;
  // A trace id's time is the wall clock's, as the function sees it in _X_AMZN_TRACE_ID (not the records' clock).
  record.traceId = inherited ?? newTraceRoot();
}

export interface TraceBookOptions {
  records: RecordBook;
  store: Pick<InvocationStore, 'page'>;
  /** Where `invocation.serviceCall` goes (the WebSocket broadcast). */
  notify: <N extends keyof Notifications>(method: N, params: Notifications[N]) => void;
}

export class TraceBook implements ServiceCallRecorder {
  /** Invocations in flight, by record id: the only records a call can come from. */
  private readonly running = new Map<string, InvocationRecord>();
  private detach: (() => void) | undefined;

  constructor(private readonly options: TraceBookOptions) {}

  /** Follows the invoker's invocations as they start and finish (once). */
  attach(invoker: Invoker): void {
    this.detach?.();
    const started = (r: InvocationRecord) => this.started(r);
    const finished = (r: InvocationRecord) => this.finished(r);
    invoker.on('started', started).on('finished', finished);
    this.detach = () => {
      invoker.off('started', started).off('finished', finished);
    };
  }

  /** An invocation began: calls carrying its trace header are its calls until it finishes. */
  started(record: InvocationRecord): void {
    if (record.kind === 'invocation' && record.status === 'running') this.running.set(record.id, record);
  }

  finished(record: InvocationRecord): void {
    this.running.delete(record.id);
  }

  dispose(): void {
    this.detach?.();
    this.detach = undefined;
    this.running.clear();
  }

  /**
   * The invocation whose `X-Amzn-Trace-Id` this is: the one whose `Parent=` segment it names, else the
   * most recently started invocation of that trace still running. Undefined for a header that names
   * no running invocation (a call from a script, the AWS CLI, or after the invocation ended).
   */
  callerOf(traceHeader: string | undefined): CallerInvocation | undefined {
    const header = parseTraceHeader(traceHeader);
    if (!header) return undefined;
    let latest: InvocationRecord | undefined;
    for (const record of this.running.values()) {
      // A record whose invocation ended without `finished` (a host-side failure) is not a caller any more.
      if (record.traceId !== header.root || record.status !== 'running') continue;
      if (header.parent !== undefined && segmentOf(record.requestId) === header.parent) return { recordId: record.id, traceId: header.root };
      if (!latest || startedAt(record) >= startedAt(latest)) latest = record;
    }
    return latest ? { recordId: latest.id, traceId: header.root } : undefined;
  }

  record(span: ServiceCallSpan): void {
    const caller = span.recordId !== undefined ? (this.running.get(span.recordId) ?? this.options.records.get(span.recordId)) : undefined;
    if (!caller) {
      const { recordId: _unknown, ...rest } = span;
      this.options.records.open(serviceCallRecord(rest));
      return;
    }
    const joined: ServiceCallSpan = { ...span, ...(caller.traceId ? { traceId: caller.traceId } : {}) };
    const calls = (caller.serviceCalls ??= []);
    if (calls.length < MAX_SPANS_PER_RECORD) calls.push(joined);
    else caller.serviceCallsDropped = (caller.serviceCallsDropped ?? 0) + 1;
    this.options.notify('invocation.serviceCall', joined);
    // A call answered after its invocation ended (a request the function did not wait for): store the record again with it.
    if (!this.running.has(caller.id)) this.options.records.close(caller);
  }

  /** Every record of a trace, oldest first (their spans are in `serviceCalls`); waits for the history's older part when it loads. */
  async trace(traceId: string): Promise<InvocationRecord[]> {
    const out: InvocationRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.options.store.page({ traceId, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
      out.push(...page.records);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out.sort((a, b) => a.timestamps.queuedAt - b.timestamps.queuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

function startedAt(record: InvocationRecord): number {
  return record.timestamps.invokeStartAt ?? record.timestamps.queuedAt;
}

/** A call made from outside any function (a script, the AWS CLI, a test), kept as a record of its own so it shows in the panel. */
export function serviceCallRecord(span: ServiceCallSpan): InvocationRecord {
  const failed = span.status >= 400;
  const traceId = span.traceId ?? newTraceRoot();
  const own: ServiceCallSpan = { ...span, id: span.id || randomUUID(), traceId };
  return {
    id: own.id,
    kind: 'service-call',
    requestId: '',
    functionName: span.resource ?? span.service,
    trigger: 'api',
    status: failed ? 'error' : 'success',
    cold: false,
    runtime: '',
    architecture: 'x86_64',
    memorySizeMB: 0,
    timeoutSeconds: 0,
    timestamps: { queuedAt: span.startAt, finishedAt: span.startAt + span.durationMs },
    durationMs: span.durationMs,
    billingRule: 'per-ms-with-init',
    event: { service: span.service, operation: span.operation, ...(span.resource !== undefined ? { resource: span.resource } : {}) },
    logs: [],
    traceId,
    serviceCalls: [own],
    ...(failed
      ? { error: { errorType: span.errorCode ?? `HTTP ${span.status}`, errorMessage: `${span.service} ${span.operation} answered ${span.status}`, trace: [] } }
      : {}),
    source: { service: span.service, operation: span.operation, ...(span.resource !== undefined ? { resource: span.resource } : {}), status: span.status },
  };
}
