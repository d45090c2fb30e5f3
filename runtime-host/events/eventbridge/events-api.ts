// The EventBridge API (JSON 1.1, `X-Amz-Target: AWSEvents.<Operation>`, signing name `events`) over the
// EventBridge source: PutEvents, and the read-only operations code and tools call — ListEventBuses,
// DescribeEventBus, ListRules, DescribeRule, ListTargetsByRule, ListRuleNamesByTarget, TestEventPattern.
// Buses and rules come from the template, so an operation that would change them (PutRule, PutTargets,
// CreateEventBus…) or one the host does not have is answered `UnknownOperationException`, naming it.
import { newTraceRoot } from '../../runtime/trace-id';
import { UserError } from '../../runtime/types';
import type { AwsRequest, AwsResponse, AwsServiceHandler, ServiceCallDescription } from '../aws-service';
import { compileEventPattern, InvalidEventPatternError, matchesEventPattern } from './event-pattern';
import type { EventBridgeSource, PutEventsEntry } from './eventbridge-source';
import { busNameOf, DEFAULT_BUS, type RuleDefinition } from './template';

type Answer = AwsResponse & { call: ServiceCallDescription };
type Json = Record<string, unknown>;

const TARGET_PREFIX = 'AWSEvents.';
/** PutEvents takes 1–10 entries… */
export const MAX_ENTRIES = 10;
/** …of at most 256 KB together, counted as EventBridge counts them (see entrySize). */
export const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;
const MAX_PAGE = 100;

const OPERATIONS = [
  'PutEvents',
  'ListEventBuses',
  'DescribeEventBus',
  'ListRules',
  'DescribeRule',
  'ListTargetsByRule',
  'ListRuleNamesByTarget',
  'TestEventPattern',
] as const;

class EventsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An entry's size as EventBridge counts it: 14 bytes for a Time, then the UTF-8 bytes of Source,
 * DetailType, Detail and each Resources entry.
 */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}

/** How the service's Java model prints an entry inside a validation message. */
function describeEntry(e: PutEventsEntry): string {
  const v = (x: unknown) => (x === undefined || x === null ? 'null' : Array.isArray(x) ? `[${x.join(', ')}]` : String(x));
  return `PutEventsRequestEntry(time=${v(e.Time)}, source=${v(e.Source)}, resources=${v(e.Resources)}, detailType=${v(e.DetailType)}, detail=${v(e.Detail)}, eventBusName=${v(e.EventBusName)}, traceHeader=${v(e.TraceHeader)}, kmsKeyIdentifier=null, internalMetadata=null)`;
}

function str(body: Json, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

export class EventBridgeApi implements AwsServiceHandler {
  readonly service = 'events';
  readonly targetPrefixes = [TARGET_PREFIX];

  constructor(private readonly source: EventBridgeSource) {}

  async handle(request: AwsRequest): Promise<Answer> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || 'Unknown';
    let resource: string | undefined;
    try {
      let body: Json = {};
      if (request.body.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(request.body.toString('utf8'));
        } catch (err) {
          throw new EventsError('SerializationException', `The request body is not JSON: ${(err as Error).message}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new EventsError('SerializationException', 'The request body must be a JSON object');
        body = parsed as Json;
      }
      resource = this.resourceOf(operation, body);
      // Events put from outside any function share a new trace with the PutEvents call's own record.
      const traceId = operation === 'PutEvents' && !request.caller ? newTraceRoot() : undefined;
      const result = await this.run(operation, body, request, traceId);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify(result),
        call: { operation, ...(resource ? { resource } : {}), ...(traceId !== undefined ? { traceId } : {}) },
      };
    } catch (err) {
      const e =
        err instanceof EventsError
          ? err
          : err instanceof InvalidEventPatternError
            ? new EventsError('InvalidEventPatternException', err.message)
            : err instanceof UserError
              ? new EventsError(err.code === 'ResourceNotFound' ? 'ResourceNotFoundException' : 'ValidationException', err.message)
              : undefined;
      if (!e) throw err;
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.code },
        body: JSON.stringify({ __type: e.code, message: e.message }),
        call: { operation, ...(resource ? { resource } : {}), errorCode: e.code },
      };
    }
  }

  /** What the trace names as the call's resource: the bus, or the rule. */
  private resourceOf(operation: string, body: Json): string | undefined {
    if (operation === 'PutEvents') {
      const entries = Array.isArray(body.Entries) ? (body.Entries as PutEventsEntry[]) : [];
      const buses = [...new Set(entries.map((e) => busNameOf(typeof e?.EventBusName === 'string' && e.EventBusName !== '' ? e.EventBusName : DEFAULT_BUS)))];
      return buses.length ? buses.join(',') : undefined;
    }
    return str(body, 'Rule') ?? str(body, 'Name') ?? str(body, 'EventBusName');
  }

  private async run(operation: string, body: Json, request: AwsRequest, traceId: string | undefined): Promise<Json> {
    switch (operation) {
      case 'PutEvents':
        return this.putEvents(body, request, traceId);
      case 'ListEventBuses': {
        const prefix = str(body, 'NamePrefix') ?? '';
        const buses = this.source
          .buses()
          .filter((b) => b.name.startsWith(prefix))
          .map((b) => ({ Name: b.name, Arn: this.source.busArn(b.name), ...(b.description !== undefined ? { Description: b.description } : {}) }));
        const page = paginate(buses, body);
        return { EventBuses: page.items, ...(page.next ? { NextToken: page.next } : {}) };
      }
      case 'DescribeEventBus': {
        const name = this.bus(str(body, 'Name'));
        const bus = this.source.buses().find((b) => b.name === name)!;
        return { Name: bus.name, Arn: this.source.busArn(bus.name), ...(bus.description !== undefined ? { Description: bus.description } : {}) };
      }
      case 'ListRules': {
        const bus = this.bus(str(body, 'EventBusName'));
        const prefix = str(body, 'NamePrefix') ?? '';
        const rules = this.source
          .rules()
          .filter((r) => r.bus === bus && r.name.startsWith(prefix))
          .map((r) => this.describeRule(r));
        const page = paginate(rules, body);
        return { Rules: page.items, ...(page.next ? { NextToken: page.next } : {}) };
      }
      case 'DescribeRule':
        return this.describeRule(this.rule(body, 'Name'));
      case 'ListTargetsByRule': {
        const page = paginate(
          this.rule(body, 'Rule').targets.map((t) => t.described),
          body,
        );
        return { Targets: page.items, ...(page.next ? { NextToken: page.next } : {}) };
      }
      case 'ListRuleNamesByTarget': {
        const arn = str(body, 'TargetArn');
        if (!arn)
          throw new EventsError(
            'ValidationException',
            "1 validation error detected: Value null at 'targetArn' failed to satisfy constraint: Member must not be null",
          );
        const bus = this.bus(str(body, 'EventBusName'));
        const names = this.source
          .rules()
          .filter((r) => r.bus === bus && r.targets.some((t) => t.arn === arn))
          .map((r) => r.name);
        const page = paginate(names, body);
        return { RuleNames: page.items, ...(page.next ? { NextToken: page.next } : {}) };
      }
      case 'TestEventPattern':
        return this.testEventPattern(body);
      default:
        throw new EventsError(
          'UnknownOperationException',
          `The local EventBridge does not support ${operation}: buses and rules come from the template (AWS::Events::EventBus, AWS::Events::Rule, a function's EventBridgeRule or CloudWatchEvent events). It answers ${OPERATIONS.join(', ')}.`,
        );
    }
  }

  private async putEvents(body: Json, request: AwsRequest, traceId: string | undefined): Promise<Json> {
    const entries = body.Entries;
    if (entries === undefined || entries === null)
      throw new EventsError(
        'ValidationException',
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    if (!Array.isArray(entries) || entries.some((e) => typeof e !== 'object' || e === null || Array.isArray(e)))
      throw new EventsError('SerializationException', 'Entries must be a list of PutEventsRequestEntry objects');
    const list = entries as PutEventsEntry[];
    if (list.length < 1 || list.length > MAX_ENTRIES) {
      throw new EventsError(
        'ValidationException',
        `1 validation error detected: Value '[${list.map(describeEntry).join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length ${
          list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`
        }`,
      );
    }
    if (list.reduce((sum, e) => sum + entrySize(e), 0) > MAX_REQUEST_ENTRY_BYTES)
      throw new EventsError('ValidationException', 'Total size of the entries in the request is over the limit.');
    const results = await this.source.putEvents(list, request.caller, traceId);
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private describeRule(r: RuleDefinition): Json {
    return {
      Name: r.name,
      Arn: this.source.ruleArn(r),
      ...(r.eventPattern !== undefined ? { EventPattern: typeof r.eventPattern === 'string' ? r.eventPattern : JSON.stringify(r.eventPattern) } : {}),
      ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
      State: r.enabled ? 'ENABLED' : 'DISABLED',
      ...(r.description !== undefined ? { Description: r.description } : {}),
      EventBusName: r.bus,
    };
  }

  /** A bus named (by name or ARN) in the request; `default` when none is. */
  private bus(nameOrArn: string | undefined): string {
    const name = busNameOf(nameOrArn ?? DEFAULT_BUS);
    if (!this.source.buses().some((b) => b.name === name)) throw new EventsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return name;
  }

  private rule(body: Json, key: 'Name' | 'Rule'): RuleDefinition {
    const name = str(body, key);
    if (!name)
      throw new EventsError(
        'ValidationException',
        `1 validation error detected: Value null at '${key === 'Name' ? 'name' : 'rule'}' failed to satisfy constraint: Member must not be null`,
      );
    const bus = this.bus(str(body, 'EventBusName'));
    const rule = this.source.rules().find((r) => r.bus === bus && r.name === name);
    if (!rule) throw new EventsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    return rule;
  }

  private testEventPattern(body: Json): Json {
    const pattern = compileEventPattern(str(body, 'EventPattern') ?? '');
    let event: unknown;
    try {
      event = JSON.parse(str(body, 'Event') ?? '');
    } catch {
      throw new EventsError('InvalidEventPatternException', 'Event is not valid JSON.');
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new EventsError('ValidationException', 'Parameter Event is not valid.');
    // EventBridge requires the envelope fields of a real event.
    const missing = ['id', 'account', 'source', 'time', 'region', 'detail-type'].filter((k) => !(k in event));
    if (missing.length)
      throw new EventsError('ValidationException', `Parameter Event is not valid. Reason: Provided Event is missing required field(s): ${missing.join(', ')}.`);
    return { Result: matchesEventPattern(pattern, event) };
  }
}

/** Limit (1–100) and an opaque NextToken, as the List operations take them. */
function paginate<T>(items: T[], body: Json): { items: T[]; next?: string } {
  const limit = typeof body.Limit === 'number' && Number.isInteger(body.Limit) && body.Limit >= 1 ? Math.min(body.Limit, MAX_PAGE) : MAX_PAGE;
  let start = 0;
  if (typeof body.NextToken === 'string' && body.NextToken !== '') {
    start = Number(Buffer.from(body.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new EventsError('ValidationException', 'The NextToken provided is invalid.');
  }
  const end = start + limit;
  return { items: items.slice(start, end), ...(end < items.length ? { next: Buffer.from(String(end), 'utf8').toString('base64url') } : {}) };
}
