// The events a function's own triggers produce, read from the template: each API route it answers (asking
// only for the path parameters), a put to (or delete from) its bucket with a key its filters let through,
// a message on its queue or topic that passes the subscription's filter, a record on its stream or table,
// its schedule firing. Each is built by the same code as the live source builds it (the local API
// Gateway's request → event, the S3 notification record, the SQS and SNS records, the stream records, the
// schedule's payload), so what the picker offers is what the trigger would send. Pure apart from fresh
// ids and timestamps: reads the catalog, no I/O.
import { randomUUID } from 'node:crypto';
import type { FunctionCatalog } from '../host-context';
import type { EventSourceInfo, FunctionInfo } from '../protocol/functions';
import type { DynamoDbAttributeValue, EventTemplateParam, TriggerEventInfo } from '../protocol/methods';
import { UserError } from '../runtime/types';
import { isRecord } from '../util/values';
import { buildEvent } from './http-api/event-builder';
import { matchPath, routesFromTemplate, type HttpRoute } from './http-api/routes';
import { buildS3Event, encodeS3EventKey, subscriptionMatches, type S3EventName, type S3Subscription } from './s3/s3-event';
import { scheduleArn, scheduledEvent } from './schedule/schedule-source';
import { rulePayload, schedulerPayload } from './schedule/target-input';
import { schedulesFromTemplate, type ScheduleDefinition } from './schedule/template';
import { matchesFilterPolicy, type SnsMessageAttribute } from './sns/filter-policy';
import { buildSnsEvent, newNotification, subscriptionArn, topicArn } from './sns/sns-event';
import { matchesFilters, sqsEventRecord } from './sqs/sqs-event';
import { templateSqsEvents } from './sqs/template';
import { dynamoDbStreamArn, kinesisStreamArn, streamEvent, type StreamIdentity } from './streams/stream-event';
import { streamLayout } from './streams/streams-source';
import { sampleHttpRequest } from './templates/http';
import { base64Id, digits, dynamoSequenceNumber, hex, isoTime, kinesisSequenceNumber, md5Hex, s3Sequencer } from './templates/ids';
import { param } from './templates/types';

export interface TriggerContext {
  functions: FunctionCatalog;
  region: string;
  accountId: string;
}

interface TriggerEvent extends TriggerEventInfo {
  generate(params: Record<string, string>): unknown;
}

/** What the picker lists for a function (empty for a function without triggers, or one the host does not know). */
export function listTriggerEvents(functionName: string, ctx: TriggerContext): TriggerEventInfo[] {
  return triggerEventsOf(functionName, ctx).map(({ generate: _generate, ...info }) => info);
}

/** A fresh event for one trigger; unknown trigger or parameter → UserError naming what there is. */
export function generateTriggerEvent(functionName: string, triggerId: string, params: Record<string, string>, ctx: TriggerContext): unknown {
  const triggers = triggerEventsOf(functionName, ctx);
  const trigger = triggers.find((t) => t.id === triggerId);
  if (!trigger) {
    throw new UserError(
      `${functionName} has no trigger event '${triggerId}'`,
      triggers.length ? `its trigger events: ${triggers.map((t) => t.id).join(', ')}` : `the template gives ${functionName} no events`,
      'ResourceNotFound',
    );
  }
  const values: Record<string, string> = Object.fromEntries(trigger.params.map((p) => [p.name, p.default]));
  for (const [k, v] of Object.entries(params)) {
    if (!(k in values))
      throw new UserError(`${trigger.label} has no parameter '${k}'`, `its parameters: ${trigger.params.map((p) => p.name).join(', ') || 'none'}`);
    values[k] = v;
  }
  return trigger.generate(values);
}

function triggerEventsOf(functionName: string, ctx: TriggerContext): TriggerEvent[] {
  const fn = ctx.functions.get(functionName);
  if (!fn) return [];
  const out: TriggerEvent[] = [];
  out.push(...httpTriggers(fn, ctx));
  for (const ev of fn.events) {
    if (ev.type === 'S3') out.push(...s3Triggers(fn, ev, ctx));
    else if (ev.type === 'SQS') out.push(sqsTrigger(fn, ev, ctx));
    else if (ev.type === 'SNS') out.push(snsTrigger(fn, ev, ctx));
    else if (ev.type === 'Kinesis' || ev.type === 'DynamoDB') out.push(streamTrigger(fn, ev, ctx));
  }
  out.push(...scheduleTriggers(fn, ctx));
  // Ids are unique per function: a second event with the same description gets a number.
  const seen = new Map<string, number>();
  for (const t of out) {
    const n = (seen.get(t.id) ?? 0) + 1;
    seen.set(t.id, n);
    if (n > 1) {
      t.id = `${t.id} #${n}`;
      t.suggestedName = `${t.suggestedName}-${n}`;
    }
  }
  return out;
}

/** `GET /hello/{name}` → `get-hello-name`. */
function fileNameOf(...parts: string[]): string {
  const name = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return name || 'event';
}

// ---- API routes ----------------------------------------------------------------------------------

const API_SOURCE: Record<HttpRoute['api'], string> = { rest: 'Api', http: 'HttpApi', url: 'FunctionUrl' };
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'ANY']);
const IMPLICIT_APIS = new Set(['ServerlessRestApi', 'ServerlessHttpApi']);

/** `{id}` → `id`, `{proxy+}` → `proxy` (greedy), in path order. */
function pathParamsOf(path: string): { name: string; greedy: boolean }[] {
  return [...path.matchAll(/\{([^}+]+)(\+?)\}/g)].map((m) => ({ name: m[1]!, greedy: m[2] === '+' }));
}

function pathParamDefault(name: string, greedy: boolean): string {
  if (greedy) return 'path/to/resource';
  return /id$/i.test(name) ? '1' : name;
}

function httpTriggers(fn: FunctionInfo, ctx: TriggerContext): TriggerEvent[] {
  const routes = routesFromTemplate(ctx.functions.list(), ctx.functions.resources()).filter((r) => r.functionName === fn.name);
  return routes.map((route): TriggerEvent => {
    const source = API_SOURCE[route.api];
    const catchAll = route.path === '$default';
    const pathParams = catchAll ? [] : pathParamsOf(route.path);
    const params: EventTemplateParam[] = [];
    if (route.method === 'ANY') params.push(param('method', 'GET', 'HTTP method'));
    if (catchAll) params.push(param('path', '/', 'request path'));
    for (const p of pathParams) params.push(param(p.name, pathParamDefault(p.name, p.greedy), `path parameter {${p.name}${p.greedy ? '+' : ''}}`));
    if (BODY_METHODS.has(route.method)) params.push(param('body', route.method === 'ANY' ? '' : '{}', 'request body (text)'));
    const label = route.api === 'url' ? 'Function URL request (FunctionUrl)' : `${route.routeKey} (${source})`;
    const description = [
      route.api === 'url' ? 'any method and path' : IMPLICIT_APIS.has(route.apiLogicalId) ? '' : route.apiLogicalId,
      route.stage !== '$default' ? `stage ${route.stage}` : '',
      `payload ${route.payloadFormatVersion}`,
      params.length ? `asks for ${params.map((p) => p.name).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    return {
      // The implicit APIs need no name; a route of a named API carries it (two APIs may share a route).
      id: `${source} ${route.api === 'url' ? fn.name : route.routeKey}${IMPLICIT_APIS.has(route.apiLogicalId) || route.api === 'url' ? '' : ` ${route.apiLogicalId}`}`,
      label,
      source,
      description,
      params,
      suggestedName: fileNameOf(route.api === 'url' ? 'function-url' : route.routeKey === '$default' ? 'default-route' : route.routeKey),
      generate: (p) => httpEvent(route, p, pathParams, ctx),
    };
  });
}

function httpEvent(route: HttpRoute, p: Record<string, string>, pathParams: { name: string; greedy: boolean }[], ctx: TriggerContext): unknown {
  const method = (p.method ?? route.method).toUpperCase();
  if (!/^[A-Z]+$/.test(method) || method === 'ANY') throw new UserError(`'${p.method}' is not an HTTP method`, 'e.g. GET, POST, PUT, DELETE');
  let path: string;
  if (route.path === '$default') {
    path = p.path && p.path.startsWith('/') ? p.path : `/${p.path ?? ''}`;
  } else {
    path = route.path;
    for (const { name, greedy } of pathParams) {
      const value = p[name] ?? '';
      if (value === '') throw new UserError(`path parameter '${name}' is empty`, `API Gateway matches ${route.path} only with a value for {${name}}`);
      const encoded = greedy ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
      path = path.replace(`{${name}${greedy ? '+' : ''}}`, encoded);
    }
  }
  const host = route.api === 'url' ? `${route.apiId}.lambda-url.${ctx.region}.on.aws` : `${route.apiId}.execute-api.${ctx.region}.amazonaws.com`;
  const req = sampleHttpRequest({ method, path, query: '', body: p.body ?? '', contentType: 'application/json', cookies: '', sourceIp: '203.0.113.10' }, host);
  const pm = route.path === '$default' ? undefined : matchPath(route.path, req.rawPath);
  return buildEvent(
    req,
    { route, path: req.rawPath, pathParameters: pm?.params },
    { accountId: route.api === 'url' ? 'anonymous' : ctx.accountId, region: ctx.region },
  );
}

// ---- S3 ------------------------------------------------------------------------------------------

type S3Event = Extract<EventSourceInfo, { type: 'S3' }>;

/** The object changes a subscription wants that can be sent: a put for ObjectCreated, a delete for ObjectRemoved. */
function s3Changes(ev: S3Event): S3EventName[] {
  const out: S3EventName[] = [];
  const actions = ev.events.map((e) => /^s3:([A-Za-z]+):(.+)$/.exec(e.trim())).filter((m): m is RegExpExecArray => m !== null);
  const created = actions.filter((m) => m[1] === 'ObjectCreated').map((m) => m[2]!);
  if (created.some((a) => a === '*' || a === 'Put')) out.push('ObjectCreated:Put');
  else if (created.includes('Copy')) out.push('ObjectCreated:Copy');
  else if (created.includes('CompleteMultipartUpload')) out.push('ObjectCreated:CompleteMultipartUpload');
  if (actions.some((m) => m[1] === 'ObjectRemoved' && (m[2] === '*' || m[2] === 'Delete'))) out.push('ObjectRemoved:Delete');
  return out;
}

function decodeKeyPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/** A key its filter lets through: `<prefix>example<suffix>` (`.txt` when no suffix), the filter values decoded as S3 compares them encoded. */
function keyPassing(ev: S3Event): string {
  return `${decodeKeyPart(ev.prefix ?? '')}example${ev.suffix ? decodeKeyPart(ev.suffix) : '.txt'}`;
}

function filterText(ev: S3Event): string {
  const parts = [ev.prefix ? `prefix ${ev.prefix}` : '', ev.suffix ? `suffix ${ev.suffix}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no key filter';
}

function s3Triggers(fn: FunctionInfo, ev: S3Event, ctx: TriggerContext): TriggerEvent[] {
  return s3Changes(ev).map((eventName): TriggerEvent => {
    const put = eventName.startsWith('ObjectCreated');
    const params = [param('key', keyPassing(ev), `object key (${filterText(ev)})`)];
    if (put) params.push(param('size', '1024', 'object size in bytes'));
    const verb =
      eventName === 'ObjectRemoved:Delete'
        ? 'Delete object from'
        : eventName === 'ObjectCreated:Put'
          ? 'Put object to'
          : `${eventName.split(':')[1]} object to`;
    return {
      id: `S3 ${ev.name} ${eventName}`,
      label: `${verb} ${ev.bucket} (S3)`,
      source: 'S3',
      description: [ev.name, eventName, ev.prefix ? `prefix ${ev.prefix}` : '', ev.suffix ? `suffix ${ev.suffix}` : ''].filter(Boolean).join(' · '),
      params,
      suggestedName: fileNameOf(ev.bucket, put ? 'put' : 'delete'),
      generate: (p) => {
        const key = p.key ?? '';
        if (key === '') throw new UserError('the object key is empty', 'S3 objects have a key of 1–1024 bytes');
        const change = { eventName, bucket: ev.bucket, key };
        if (!subscriptionMatches(ev as S3Subscription, change)) {
          throw new UserError(
            `key '${key}' does not pass ${fn.name}'s ${ev.name} filter (${filterText(ev)}): S3 would not notify the function`,
            `choose a key whose encoded form (${encodeS3EventKey(key)}) ${[ev.prefix ? `starts with ${ev.prefix}` : '', ev.suffix ? `ends with ${ev.suffix}` : ''].filter(Boolean).join(' and ')}`,
          );
        }
        const size = p.size ?? '0';
        if (put && !/^\d+$/.test(size)) throw new UserError(`size must be a whole number of bytes, got '${size}'`);
        return buildS3Event(
          {
            ...change,
            ...(put ? { size: Number(size), eTag: md5Hex(randomUUID()) } : {}),
            sequencer: s3Sequencer(),
            eventTime: new Date(),
          },
          { region: ctx.region, configurationId: ev.name },
        );
      },
    };
  });
}

// ---- filter patterns → a value that passes ----------------------------------------------------

const ABSENT = Symbol('absent');

/** A value one key's list of conditions accepts (the first that can be made), or ABSENT for `exists: false`. */
function exampleValue(conditions: unknown[]): unknown {
  for (const c of conditions) {
    if (c === null || typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean') return c;
    if (!isRecord(c)) continue;
    if (typeof c.prefix === 'string') return `${c.prefix}example`;
    if (isRecord(c.prefix) && typeof c.prefix['equals-ignore-case'] === 'string') return `${c.prefix['equals-ignore-case']}example`;
    if (typeof c.suffix === 'string') return `example${c.suffix}`;
    if (typeof c['equals-ignore-case'] === 'string') return c['equals-ignore-case'];
    if (c.exists === false) return ABSENT;
    if (c.exists === true) return 'example';
    if (Array.isArray(c.numeric)) return numberInRange(c.numeric);
    if ('anything-but' in c) {
      const but = c['anything-but'];
      const excluded = Array.isArray(but) ? but : [but];
      if (excluded.some((x) => typeof x === 'number')) return Math.max(0, ...excluded.filter((x): x is number => typeof x === 'number')) + 1;
      return excluded.includes('example') ? 'example-1' : 'example';
    }
  }
  return 'example';
}

/** A number `[">", 0, "<=", 10]` accepts. */
function numberInRange(spec: unknown[]): number {
  let low = -Infinity;
  let high = Infinity;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const n = Number(spec[i + 1]);
    if (op === '=') return n;
    if (op === '>') low = Math.max(low, n + 1e-9);
    if (op === '>=') low = Math.max(low, n);
    if (op === '<') high = Math.min(high, n - 1e-9);
    if (op === '<=') high = Math.min(high, n);
  }
  if (low === -Infinity && high === Infinity) return 0;
  if (low === -Infinity) return Math.floor(high);
  if (high === Infinity) return Math.ceil(low);
  const mid = (low + high) / 2;
  return Number.isInteger(Math.round(mid)) && Math.round(mid) >= low && Math.round(mid) <= high ? Math.round(mid) : mid;
}

/** An object a filter pattern (SNS filter policy / Lambda filter criteria syntax) accepts, as far as it can be made. */
export function exampleMatching(pattern: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === '$or') {
      if (Array.isArray(spec) && isRecord(spec[0])) Object.assign(out, exampleMatching(spec[0]));
      continue;
    }
    if (Array.isArray(spec)) {
      const v = exampleValue(spec);
      if (v !== ABSENT) out[key] = v;
    } else if (isRecord(spec)) {
      out[key] = exampleMatching(spec);
    }
  }
  return out;
}

// ---- SQS, SNS ------------------------------------------------------------------------------------

function sqsTrigger(fn: FunctionInfo, ev: Extract<EventSourceInfo, { type: 'SQS' }>, ctx: TriggerContext): TriggerEvent {
  const fifo = ev.queue.endsWith('.fifo');
  const mapping = templateSqsEvents(ctx.functions.resources()).find((m) => m.functionName === fn.name && m.eventName === ev.name);
  const filters = mapping && typeof mapping.config !== 'string' ? mapping.config.filters : [];
  // A body the mapping's first filter lets through, when the filter is on the body.
  const bodyPattern = filters[0]?.body;
  const body = isRecord(bodyPattern)
    ? JSON.stringify(exampleMatching(bodyPattern))
    : Array.isArray(bodyPattern)
      ? String(exampleValue(bodyPattern) === ABSENT ? 'Hello from SQS!' : exampleValue(bodyPattern))
      : 'Hello from SQS!';
  const arn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${ev.queue}`;
  return {
    id: `SQS ${ev.name}`,
    label: `Message on ${ev.queue} (SQS)`,
    source: 'SQS',
    description: [ev.name, fifo ? 'FIFO' : '', `batch size ${ev.batchSize}`, filters.length ? 'body passes the filter criteria' : '']
      .filter(Boolean)
      .join(' · '),
    params: [param('body', body, 'message body')],
    suggestedName: fileNameOf(ev.queue, 'message'),
    generate: (p) => {
      const now = Date.now();
      const record = sqsEventRecord(
        {
          messageId: randomUUID(),
          body: p.body ?? '',
          md5OfBody: md5Hex(p.body ?? ''),
          sentTimestamp: now,
          senderId: `AIDA${hex(17, true)}`,
          visibleAt: now,
          receiveCount: 1,
          firstReceiveTimestamp: now + 1,
          receiptHandle: `AQEB${base64Id(150)}`,
          ...(fifo ? { groupId: 'group-1', deduplicationId: randomUUID(), sequenceNumber: `1${digits(19)}` } : {}),
        },
        arn,
        ctx.region,
      );
      if (filters.length && !matchesFilters(filters, record)) {
        throw new UserError(
          `this message does not pass ${fn.name}'s ${ev.name} filter criteria: Lambda would drop it`,
          'change the body so one filter pattern matches',
        );
      }
      return { Records: [record] };
    },
  };
}

function snsTrigger(fn: FunctionInfo, ev: Extract<EventSourceInfo, { type: 'SNS' }>, ctx: TriggerContext): TriggerEvent {
  const policy = isRecord(ev.filterPolicy) ? ev.filterPolicy : undefined;
  const scope = ev.filterPolicyScope ?? 'MessageAttributes';
  const example = policy ? exampleMatching(policy) : {};
  const attributes: Record<string, SnsMessageAttribute> = {};
  if (policy && scope === 'MessageAttributes') {
    for (const [k, v] of Object.entries(example)) {
      if (typeof v === 'number') attributes[k] = { Type: 'Number', Value: String(v) };
      else if (typeof v === 'string') attributes[k] = { Type: 'String', Value: v };
    }
  }
  const message = policy && scope === 'MessageBody' ? JSON.stringify(example) : 'Hello from SNS!';
  const arn = topicArn(ctx.region, ctx.accountId, ev.topic);
  return {
    id: `SNS ${ev.name}`,
    label: `Notification on ${ev.topic} (SNS)`,
    source: 'SNS',
    description: [ev.name, policy ? `passes the filter policy (${scope})` : ''].filter(Boolean).join(' · '),
    params: [param('message', message, 'message text'), param('subject', '', 'message subject (none when empty)')],
    suggestedName: fileNameOf(ev.topic, 'notification'),
    generate: (p) => {
      const body = p.message ?? '';
      if (policy && !matchesFilterPolicy(policy, scope, { body, attributes })) {
        throw new UserError(
          `this message does not pass ${fn.name}'s ${ev.name} filter policy: SNS would not deliver it`,
          `the policy: ${JSON.stringify(policy)}`,
        );
      }
      const n = newNotification({
        topicArn: arn,
        message: body,
        ...(p.subject ? { subject: p.subject } : {}),
        ...(Object.keys(attributes).length ? { messageAttributes: attributes } : {}),
      });
      return buildSnsEvent(n, subscriptionArn(arn, fn.name, ev.name), ctx.region);
    },
  };
}

// ---- Kinesis and DynamoDB streams ----------------------------------------------------------------

type AttributeType = 'S' | 'N' | 'B';

/** The table's key attributes and their types (`AWS::DynamoDB::Table` KeySchema, or a SimpleTable's PrimaryKey); `Id: N` when unknown. */
function tableKeys(ctx: TriggerContext, table: string): [string, AttributeType][] {
  for (const [id, r] of Object.entries(ctx.functions.resources())) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::DynamoDB::Table' && (p.TableName === table || (p.TableName === undefined && id === table)) && Array.isArray(p.KeySchema)) {
      const defs = Array.isArray(p.AttributeDefinitions) ? p.AttributeDefinitions.filter(isRecord) : [];
      const keys = p.KeySchema.filter(isRecord)
        .map((k) => String(k.AttributeName))
        .map((name): [string, AttributeType] => {
          const t = defs.find((d) => d.AttributeName === name)?.AttributeType;
          return [name, t === 'N' || t === 'B' ? t : 'S'];
        });
      if (keys.length) return keys;
    }
    if (r.Type === 'AWS::Serverless::SimpleTable' && (p.TableName === table || (p.TableName === undefined && id === table))) {
      const pk = isRecord(p.PrimaryKey) ? p.PrimaryKey : {};
      return [[typeof pk.Name === 'string' ? pk.Name : 'id', pk.Type === 'Number' ? 'N' : pk.Type === 'Binary' ? 'B' : 'S']];
    }
  }
  return [['Id', 'N']];
}

function attributeValue(type: AttributeType, text: string): DynamoDbAttributeValue {
  if (type === 'N') {
    if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new UserError(`'${text}' is not a number`, 'a number key attribute takes digits, e.g. 101');
    return { N: text.trim() };
  }
  return type === 'B' ? { B: Buffer.from(text, 'utf8').toString('base64') } : { S: text };
}

function streamTrigger(fn: FunctionInfo, ev: Extract<EventSourceInfo, { type: 'Kinesis' | 'DynamoDB' }>, ctx: TriggerContext): TriggerEvent {
  const kind = ev.type === 'Kinesis' ? 'kinesis' : 'dynamodb';
  const layout = streamLayout(ctx.functions.resources(), kind, ev.stream);
  if (kind === 'kinesis') {
    const identity: StreamIdentity = {
      kind,
      name: ev.stream,
      arn: kinesisStreamArn(ctx.region, ctx.accountId, ev.stream),
      region: ctx.region,
      accountId: ctx.accountId,
      viewType: layout.viewType,
    };
    return {
      id: `Kinesis ${ev.name}`,
      label: `Record on ${ev.stream} (Kinesis)`,
      source: 'Kinesis',
      description: [ev.name, `batch size ${ev.batchSize}`, `from ${ev.startingPosition}`].join(' · '),
      params: [
        param('data', '{"message":"Hello from Kinesis"}', 'record data as text (base64-encoded in the event)'),
        param('partitionKey', 'partitionKey-1', 'partition key'),
      ],
      suggestedName: fileNameOf(ev.stream, 'record'),
      generate: (p) =>
        streamEvent(
          [
            {
              sequenceNumber: kinesisSequenceNumber(),
              partitionKey: p.partitionKey || 'partitionKey-1',
              data: Buffer.from(p.data ?? '', 'utf8').toString('base64'),
              arrivalMs: Date.now(),
            },
          ],
          'shardId-000000000000',
          identity,
        ),
    };
  }
  const keys = tableKeys(ctx, ev.stream);
  const params: EventTemplateParam[] = [param('eventName', 'INSERT', 'INSERT, MODIFY or REMOVE')];
  for (const [name, type] of keys) params.push(param(name, type === 'N' ? '101' : 'example', `key attribute ${name} (${type})`));
  params.push(param('message', 'Hello from DynamoDB', 'a `message` attribute (S) of the new image'));
  return {
    id: `DynamoDB ${ev.name}`,
    label: `Change on ${ev.stream} (DynamoDB)`,
    source: 'DynamoDB',
    description: [ev.name, layout.viewType, `batch size ${ev.batchSize}`].join(' · '),
    params,
    suggestedName: fileNameOf(ev.stream, 'change'),
    generate: (p) => {
      const eventName = (p.eventName ?? 'INSERT').toUpperCase();
      if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')
        throw new UserError(`'${p.eventName}' is not a stream event name`, 'INSERT, MODIFY or REMOVE');
      const Keys: Record<string, DynamoDbAttributeValue> = {};
      for (const [name, type] of keys) Keys[name] = attributeValue(type, p[name] ?? '');
      const identity: StreamIdentity = {
        kind,
        name: ev.stream,
        arn: dynamoDbStreamArn(ctx.region, ctx.accountId, ev.stream, isoTime().slice(0, -1)),
        region: ctx.region,
        accountId: ctx.accountId,
        viewType: layout.viewType,
      };
      const message = { message: { S: p.message ?? '' } };
      return streamEvent(
        [
          {
            sequenceNumber: dynamoSequenceNumber(),
            partitionKey: '',
            arrivalMs: Date.now(),
            dynamodb: {
              eventID: hex(32),
              eventName,
              Keys,
              ...(eventName !== 'REMOVE' ? { NewImage: { ...Keys, ...message } } : {}),
              ...(eventName !== 'INSERT' ? { OldImage: { ...Keys, message: { S: 'before' } } } : {}),
            },
          },
        ],
        'shardId-000000000000',
        identity,
      );
    },
  };
}

// ---- schedules -----------------------------------------------------------------------------------

function scheduleTriggers(fn: FunctionInfo, ctx: TriggerContext): TriggerEvent[] {
  let schedules: ScheduleDefinition[];
  try {
    schedules = schedulesFromTemplate(ctx.functions).filter((d) => d.fn.name === fn.name);
  } catch {
    return [];
  }
  return schedules.map((d): TriggerEvent => ({
    id: `Schedule ${d.name}`,
    label: `${d.name} fires (Schedule)`,
    source: 'Schedule',
    description: [d.expression, d.timeZone ?? '', d.service === 'scheduler' ? 'EventBridge Scheduler' : 'EventBridge rule', d.enabled ? '' : 'disabled']
      .filter(Boolean)
      .join(' · '),
    params: [],
    suggestedName: fileNameOf(d.name),
    generate: () => {
      const arn = scheduleArn(d, ctx.region, ctx.accountId);
      const scheduled = scheduledEvent(d, arn, Date.now(), ctx.region, ctx.accountId);
      if (d.service === 'scheduler') {
        return d.input !== undefined
          ? schedulerPayload(d.input, { scheduleArn: arn, scheduledTime: String(scheduled.time), executionId: String(scheduled.id), attemptNumber: 1 })
          : scheduled;
      }
      return rulePayload(scheduled, d, { ruleName: d.ruleName ?? d.name, ruleArn: arn });
    },
  }));
}
