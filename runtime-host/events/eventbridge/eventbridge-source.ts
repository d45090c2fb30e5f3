// EventSource 'eventbridge': the template's buses and rules (events/eventbridge/template.ts), PutEvents
// and the read-only EventBridge API on the local AWS endpoint (events-api.ts), and the routing: an
// event put on a bus is matched against every enabled rule of that bus (event-pattern.ts) and sent to
// each matching rule's targets — Lambda functions as asynchronous invocations with Lambda's retries,
// SQS queues and SNS topics through the host's service deliveries — with EventBridge's own retries and
// dead-letter queue per target (delivery.ts). Each event is an `eventbridge-event` record naming the
// rules it matched; a Lambda target's invocations are its children, and every call to a target is a
// span on it, so the trace shows where the event went and what failed.
import { randomUUID } from 'node:crypto';
import type { EventSource, HostContext } from '../../host-context';
import type { InvocationRecord, ServiceCallSpan } from '../../protocol/records';
import { parseTraceHeader } from '../../runtime/trace-id';
import { jsonNestingExceeds } from '../../server/json-depth';
import { AsyncInvocationQueue, closeParent, parentRecord, type AsyncInvocationPolicy, type SentTo } from '../async-invocation';
import type { AwsServiceHandler, CallerInvocation, EventBusDelivery } from '../aws-service';
import { rulePayload, rulePayloadText } from '../schedule/target-input';
import { isoSeconds } from '../templates/ids';
import { classifyFailure, deliverToTarget, DeliveryFailure, systemTiming, type DeliveryOutcome, type DeliveryTiming } from './delivery';
import { flattenEvent, matchesEventPattern } from './event-pattern';
import { EventBridgeApi } from './events-api';
import {
  busArn,
  busNameOf,
  DEFAULT_BUS,
  eventBridgeFromTemplate,
  ruleArn,
  type EventBridgeTemplate,
  type RuleDefinition,
  type RuleTargetDefinition,
} from './template';
import { recordNow } from '../../util/record-clock';

export interface EventBridgeSourceOptions {
  /** The clock and back-off of target retries (tests: no waiting). */
  timing?: Partial<DeliveryTiming>;
  /** Lambda targets' asynchronous invocations (Lambda's own retries of function errors). */
  asyncPolicy?: Partial<AsyncInvocationPolicy>;
}

/** One PutEvents entry after the request-level checks, as the API parsed it. */
export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  Time?: unknown;
  EventBusName?: unknown;
  TraceHeader?: unknown;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** What the record keeps about each target an event went to. */
interface DeliverySummary {
  rule: string;
  target: string;
  arn: string;
  status: DeliveryOutcome['status'];
  attempts: number;
  errorCode?: string;
  errorMessage?: string;
  exhaustedRetryCondition?: string;
  deadLetterQueue?: string;
  deadLetterError?: string;
  /** Lambda targets: how the asynchronous invocation ended (EventBridge's delivery is done once Lambda queued it). */
  invocation?: string;
  /** Lambda targets: where the invocation's outcome went (the function's destinations and dead-letter queue). */
  sentTo?: SentTo[];
}

const MAX_SPANS = 1000;

export class EventBridgeSource implements EventSource {
  readonly name = 'eventbridge';
  private context!: HostContext;
  private queue!: AsyncInvocationQueue;
  private state: EventBridgeTemplate = { buses: [], rules: [] };
  private readonly timing: DeliveryTiming;
  private readonly stopping = new AbortController();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly warned = new Set<string>();
  private unsubscribe?: () => void;
  /** What the host context gets (`eventBuses`): Lambda's destinations put their events through it. */
  private readonly delivery: EventBusDelivery = { putEvents: (entries, caller) => this.putEvents(entries, caller) };

  constructor(private readonly options: EventBridgeSourceOptions = {}) {
    this.timing = { ...systemTiming, ...(options.timing ?? {}) };
  }

  get region(): string {
    return this.context.region;
  }

  get accountId(): string {
    return this.context.accountId;
  }

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.queue = new AsyncInvocationQueue(context, this.options.asyncPolicy);
    context.eventBuses = this.delivery;
    this.refresh();
    this.unsubscribe = context.functions.onDidChange(() => this.refresh());
  }

  async stop(): Promise<void> {
    if (this.context?.eventBuses === this.delivery) delete this.context.eventBuses;
    this.unsubscribe?.();
    this.stopping.abort();
    await this.queue?.stop();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Resolves once every event so far has been delivered (retries and dead letters included). */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  awsService(): AwsServiceHandler {
    return new EventBridgeApi(this);
  }

  buses(): EventBridgeTemplate['buses'] {
    return this.state.buses;
  }

  rules(): RuleDefinition[] {
    return this.state.rules;
  }

  busArn(name: string): string {
    return busArn(name, this.context.region, this.context.accountId);
  }

  ruleArn(rule: RuleDefinition): string {
    return ruleArn(rule.bus, rule.name, this.context.region, this.context.accountId);
  }

  private refresh(): void {
    this.state = eventBridgeFromTemplate(this.context.functions, this.context.region, this.context.accountId);
    const buses = new Set(this.state.buses.map((b) => b.name));
    for (const rule of this.state.rules) {
      const where = `${rule.name} (${rule.declaredAt})`;
      if (rule.problem) this.warnOnce(`eventbridge: rule ${where} never matches: ${rule.problem}`);
      if (!buses.has(rule.bus)) this.warnOnce(`eventbridge: rule ${where} is on bus "${rule.bus}", which the template does not declare; it never matches`);
      for (const note of rule.notes ?? []) this.warnOnce(`eventbridge: rule ${where}: ${note}`);
      if (rule.unsupportedTargets.length > 0)
        this.warnOnce(
          `eventbridge: rule ${where}: target ${rule.unsupportedTargets.join(', ')} is not delivered locally (Lambda functions of the template, SQS queues and SNS topics are)`,
        );
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.context.log.warn(message);
  }

  /**
   * Puts entries (already past the request-level checks) on their buses and starts routing them, in
   * the caller's trace (else `traceId`). Resolves once the events' records are in the history;
   * deliveries carry on in the background.
   */
  async putEvents(entries: PutEventsEntry[], caller: CallerInvocation | undefined, traceId?: string): Promise<PutEventsResultEntry[]> {
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem) {
        results.push(problem);
        continue;
      }
      results.push({ EventId: this.put(entry, caller, traceId) });
    }
    await this.context.records.written?.();
    return results;
  }

  /** One valid entry: the event, its record, its deliveries. Returns the event id. */
  private put(entry: PutEventsEntry, caller: CallerInvocation | undefined, traceId: string | undefined): string {
    const { region, accountId } = this.context;
    const ingestedAt = this.timing.now();
    const bus = busNameOf(typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : DEFAULT_BUS);
    const event: Record<string, unknown> = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: accountId,
      time: isoSeconds(eventTime(entry.Time) ?? ingestedAt),
      region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.filter((r) => typeof r === 'string') : [],
      detail: JSON.parse(entry.Detail as string) as unknown,
    };
    const busExists = this.state.buses.some((b) => b.name === bus);
    const flat = flattenEvent(event);
    const matched = busExists ? this.state.rules.filter((r) => r.bus === bus && r.enabled && r.pattern && matchesEventPattern(r.pattern, flat)) : [];
    const record = parentRecord({
      kind: 'eventbridge-event',
      trigger: 'eventbridge',
      functionName: bus,
      event,
      ...(caller ? { parentId: caller.recordId } : {}),
      source: {
        bus,
        busArn: busArn(bus, region, accountId),
        eventId: event.id,
        source: event.source,
        detailType: event['detail-type'],
        ...(busExists ? {} : { note: `no event bus named "${bus}": EventBridge accepts the event and drops it` }),
      },
      ...(matched.length === 0 ? { status: 'success' as const } : {}),
    });
    record.rules = matched.map((r) => r.name);
    const traceRoot = caller?.traceId ?? (typeof entry.TraceHeader === 'string' ? parseTraceHeader(entry.TraceHeader)?.root : undefined) ?? traceId;
    if (traceRoot) record.traceId = traceRoot;
    if (matched.length === 0) record.timestamps.finishedAt = recordNow();
    this.context.records.open(record);
    if (matched.length === 0) return event.id as string;

    const chain: CallerInvocation = { recordId: record.id, traceId: record.traceId ?? traceRoot ?? '' };
    const summaries = matched.flatMap((rule) => rule.targets.map((target) => this.deliver(record, event, ingestedAt, rule, target, chain)));
    const delivery = Promise.all(summaries).then(
      (list) => {
        const failed = list.some((d) => d.status !== 'delivered');
        closeParent(this.context.records, record, list.some((d) => d.status === 'interrupted') ? 'interrupted' : failed ? 'error' : 'success', {
          deliveries: list,
        });
      },
      (err: unknown) => {
        this.context.log.error(`eventbridge: ${(err as Error).message}`);
        closeParent(this.context.records, record, 'error');
      },
    );
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return event.id as string;
  }

  /** One rule target: the payload it gets, the call with retries and dead letter, and a span per call. */
  private async deliver(
    record: InvocationRecord,
    event: Record<string, unknown>,
    ingestedAt: number,
    rule: RuleDefinition,
    target: RuleTargetDefinition,
    chain: CallerInvocation,
  ): Promise<DeliverySummary> {
    const ruleContext = { ruleName: rule.name, ruleArn: this.ruleArn(rule) };
    let invocation: { done: Promise<{ status: string; sentTo?: SentTo[] }> } | undefined;
    const send = async (): Promise<void> => {
      const startAt = recordNow();
      const call = spanOf(target);
      try {
        invocation = await this.callTarget(record, event, rule, target, ruleContext, chain);
        this.span(record, { ...call, status: call.service === 'lambda' ? 202 : 200, startAt });
      } catch (err) {
        const failure = classifyFailure(err);
        this.span(record, { ...call, status: failure.retriable ? 500 : 400, errorCode: failure.code, startAt });
        throw err;
      }
    };
    const queues = this.context.queues;
    const outcome = await deliverToTarget({
      send,
      retryPolicy: target.retryPolicy,
      ingestedAt,
      ruleArn: ruleContext.ruleArn,
      targetArn: target.arn,
      event,
      ...(target.deadLetterArn !== undefined ? { deadLetterArn: target.deadLetterArn } : {}),
      ...(queues
        ? {
            sendToQueue: async (queue: string, message: Parameters<typeof queues.sendToQueue>[1]) => {
              const startAt = recordNow();
              try {
                await queues.sendToQueue(queue, message);
                this.span(record, { service: 'sqs', operation: 'SendMessage', resource: queueName(queue), status: 200, startAt });
              } catch (err) {
                this.span(record, {
                  service: 'sqs',
                  operation: 'SendMessage',
                  resource: queueName(queue),
                  status: 400,
                  errorCode: (err as Error).name,
                  startAt,
                });
                throw err;
              }
            },
          }
        : {}),
      caller: chain,
      timing: this.timing,
      signal: this.stopping.signal,
    });
    if (outcome.status === 'dead-lettered' || outcome.status === 'dropped') {
      this.context.log.warn(
        `eventbridge: ${rule.name} → ${target.id}: ${outcome.errorCode}: ${outcome.errorMessage}${
          outcome.status === 'dead-lettered'
            ? ` (sent to ${target.deadLetterArn})`
            : outcome.deadLetterError
              ? ` (dead-letter queue: ${outcome.deadLetterError})`
              : ' (dropped)'
        }`,
      );
    }
    return {
      rule: rule.name,
      target: target.id,
      arn: target.arn,
      status: outcome.status,
      attempts: outcome.attempts,
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage ?? '' } : {}),
      ...(outcome.exhaustedRetryCondition ? { exhaustedRetryCondition: outcome.exhaustedRetryCondition } : {}),
      ...(outcome.status === 'dead-lettered' && target.deadLetterArn ? { deadLetterQueue: target.deadLetterArn } : {}),
      ...(outcome.deadLetterError ? { deadLetterError: outcome.deadLetterError } : {}),
      ...(invocation ? await invocation.done.then(({ status, sentTo }) => ({ invocation: status, ...(sentTo ? { sentTo } : {}) })) : {}),
    };
  }

  /**
   * One call to a target. A Lambda target is queued as an asynchronous invocation (delivered once Lambda
   * has it; `done` says how the invocation ended). Throws what the target answered.
   */
  private async callTarget(
    record: InvocationRecord,
    event: Record<string, unknown>,
    rule: RuleDefinition,
    target: RuleTargetDefinition,
    ruleContext: { ruleName: string; ruleArn: string },
    chain: CallerInvocation,
  ): Promise<{ done: Promise<{ status: string; sentTo?: SentTo[] }> } | undefined> {
    switch (target.kind) {
      case 'lambda': {
        const fn = target.fn;
        if (!fn) throw new DeliveryFailure('NO_RESOURCE', `Function not found: ${target.arn}`, false);
        const payload = rulePayload(event, target, ruleContext);
        const handle = this.queue.invoke({
          fn,
          event: payload,
          trigger: 'eventbridge',
          parentId: record.id,
          source: { bus: rule.bus, rule: rule.name, ruleArn: ruleContext.ruleArn, target: target.id, eventId: event.id },
        });
        return {
          done: handle.done.then(
            (o) => ({ status: o.status, ...(o.sentTo ? { sentTo: o.sentTo } : {}) }),
            () => ({ status: 'failed' }),
          ),
        };
      }
      case 'sqs': {
        const queues = this.context.queues;
        if (!queues) throw new DeliveryFailure('NO_RESOURCE', `no local SQS service is running for ${target.arn}`, false);
        const fifo = queueName(target.arn).endsWith('.fifo');
        await queues.sendToQueue(target.arn, {
          body: rulePayloadText(event, target, ruleContext),
          ...(target.messageGroupId !== undefined ? { messageGroupId: target.messageGroupId } : {}),
          // A FIFO queue target is deduplicated by the event id.
          ...(fifo ? { deduplicationId: String(event.id) } : {}),
          caller: chain,
        });
        return undefined;
      }
      case 'sns': {
        const topics = this.context.topics;
        if (!topics) throw new DeliveryFailure('NO_RESOURCE', `no local SNS service is running for ${target.arn}`, false);
        await topics.publishToTopic(target.arn, { body: rulePayloadText(event, target, ruleContext), caller: chain });
        return undefined;
      }
      default:
        throw new DeliveryFailure('NO_RESOURCE', `${target.arn} is not a target the local EventBridge delivers to`, false);
    }
  }

  /** A call EventBridge made to a target, as a span on the event's record. */
  private span(record: InvocationRecord, call: Omit<ServiceCallSpan, 'id' | 'durationMs'>): void {
    const calls = (record.serviceCalls ??= []);
    if (calls.length >= MAX_SPANS) {
      record.serviceCallsDropped = (record.serviceCallsDropped ?? 0) + 1;
      return;
    }
    calls.push({
      ...call,
      id: randomUUID(),
      recordId: record.id,
      ...(record.traceId ? { traceId: record.traceId } : {}),
      durationMs: Math.max(0, recordNow() - call.startAt),
    });
  }
}

function queueName(arnOrName: string): string {
  return arnOrName.split(/[:/]/).pop() ?? arnOrName;
}

function spanOf(target: RuleTargetDefinition): { service: string; operation: string; resource: string } {
  switch (target.kind) {
    case 'lambda':
      return { service: 'lambda', operation: 'Invoke', resource: target.fn?.name ?? queueName(target.arn) };
    case 'sqs':
      return { service: 'sqs', operation: 'SendMessage', resource: queueName(target.arn) };
    case 'sns':
      return { service: 'sns', operation: 'Publish', resource: queueName(target.arn) };
    default:
      return { service: 'events', operation: 'Deliver', resource: target.arn };
  }
}

/** `Time` as the SDKs send it (epoch seconds in JSON) or as text; undefined for none or nonsense. */
function eventTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string' && v !== '') {
    const asNumber = Number(v);
    if (Number.isFinite(asNumber)) return asNumber * 1000;
    const parsed = Date.parse(v);
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

/** EventBridge's checks of one entry, in its order, with its codes and messages. */
export function entryProblem(entry: PutEventsEntry): PutEventsResultEntry | undefined {
  const missing = (field: string) => ({
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  });
  if (typeof entry.Source !== 'string' || entry.Source === '') return missing('Source');
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return missing('DetailType');
  if (typeof entry.Detail !== 'string' || entry.Detail === '') return missing('Detail');
  // Nesting deep enough to overflow the walks over the event (matching, storing) is refused as malformed.
  if (jsonNestingExceeds(entry.Detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  // Sources starting with "aws." are AWS services' own.
  if (entry.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  return undefined;
}
