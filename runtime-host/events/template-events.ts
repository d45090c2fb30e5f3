// How a SAM function's `Events` entries become EventSourceInfo: one parser per event type, each in
// its event source's folder (events/<service>/template.ts), collected in one table that
// functions/sam-template.ts consults. A type without a parser is listed as `Other`.
import type { EventSourceInfo } from '../protocol/functions';
import { eventBridgeRuleEvent } from './eventbridge/template';
import { apiEvent, httpApiEvent } from './http-api/template';
import { s3Event } from './s3/template';
import { scheduleEvent } from './schedule/template';
import { snsEvent } from './sns/template';
import { sqsEvent } from './sqs/template';
import { streamEvent } from './streams/template';

/** One entry of a function's `Events`, intrinsics resolved as far as they can be locally. */
export interface TemplateEvent {
  /** The entry's key under `Events`. */
  name: string;
  type: string;
  /** `Properties` with parameters and intrinsics resolved. */
  props: Record<string, unknown>;
  /** `Properties` as written, for references (`!Ref MyApi`) that name a resource rather than a value. */
  rawProps: Record<string, unknown>;
}

/** Readers for template values, shared with the rest of the template parsing. */
export interface TemplateValueHelpers {
  /** A string, number or boolean as text; undefined for anything else. */
  text(v: unknown): string | undefined;
  /** The resolved text, or a visible `<unresolved …>` marker for an intrinsic. */
  textOrMarker(v: unknown): string;
  /** The logical id behind `{Ref: X}` or `{Fn::GetAtt: [X, …]}`. */
  refTarget(v: unknown): string | undefined;
  /** The resource name at the end of an ARN or URL (a DynamoDB stream ARN gives its table). */
  nameFromArn(v: unknown): string;
  /** `BatchSize` when it is a positive whole number, else `fallback`. */
  batchSize(props: Record<string, unknown>, fallback: number): number;
}

export type TemplateEventParser = (event: TemplateEvent, helpers: TemplateValueHelpers) => EventSourceInfo;

/** Every event type the host understands, by its SAM `Type`. */
export const TEMPLATE_EVENT_PARSERS: Readonly<Record<string, TemplateEventParser>> = {
  Api: apiEvent,
  HttpApi: httpApiEvent,
  S3: s3Event,
  Kinesis: streamEvent,
  DynamoDB: streamEvent,
  SQS: sqsEvent,
  SNS: snsEvent,
  Schedule: scheduleEvent,
  ScheduleV2: scheduleEvent,
  CloudWatchEvent: eventBridgeRuleEvent,
  EventBridgeRule: eventBridgeRuleEvent,
};

export function parseTemplateEvent(event: TemplateEvent, helpers: TemplateValueHelpers): EventSourceInfo {
  const parser = Object.hasOwn(TEMPLATE_EVENT_PARSERS, event.type) ? TEMPLATE_EVENT_PARSERS[event.type] : undefined;
  return parser ? parser(event, helpers) : { type: 'Other', name: event.name, sourceType: event.type || '(no Type)' };
}

/** What an `AWS::Lambda::EventSourceMapping` resource becomes: an event of its function, or why it cannot. */
export type MappingAsEvent =
  | { mappingId: string; functionId: string; event: { Type: 'SQS' | 'Kinesis' | 'DynamoDB'; Properties: Record<string, unknown> } }
  | { mappingId: string; problem: string; at: 'FunctionName' | 'EventSourceArn' };

/**
 * CloudFormation's `AWS::Lambda::EventSourceMapping` — what SAM turns an SQS, Kinesis or DynamoDB event
 * into, and what CDK and hand-written CloudFormation templates declare — as the SAM event of its function,
 * so that one form is read: the properties are the same but for `EventSourceArn`, which is the event's
 * `Queue` or `Stream`. `functionIds` maps each template function's name (its `FunctionName`, else its
 * logical id) to its logical id.
 */
export function mappingsAsEvents(
  resources: Record<string, { Type: string; Properties: Record<string, unknown> }>,
  functionIds: ReadonlyMap<string, string>,
): MappingAsEvent[] {
  const out: MappingAsEvent[] = [];
  for (const [mappingId, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const { FunctionName: named, EventSourceArn: arn, ...rest } = res.Properties;
    // A name, an ARN or a partial ARN (`123456789012:function:name`), with or without a version or alias.
    const name = typeof named === 'string' ? (/(?:^|:)function:([^:]+)/.exec(named)?.[1] ?? named.split(':')[0]!) : undefined;
    const functionId = name !== undefined ? functionIds.get(name) : undefined;
    if (functionId === undefined) {
      out.push({ mappingId, at: 'FunctionName', problem: `its function ${typeof named === 'string' ? `'${named}' ` : ''}is not a function of this template` });
      continue;
    }
    const service = typeof arn === 'string' ? /^arn:[^:]+:([^:]+):/.exec(arn)?.[1] : undefined;
    const type =
      service === 'sqs' ? 'SQS' : service === 'kinesis' ? 'Kinesis' : service === 'dynamodb' && /\/stream\//.test(String(arn)) ? 'DynamoDB' : undefined;
    if (type === undefined) {
      const what = typeof arn === 'string' ? arn : 'a source the template does not resolve locally';
      out.push({ mappingId, at: 'EventSourceArn', problem: `${what} is not read locally (SQS queues, Kinesis streams and DynamoDB streams are)` });
      continue;
    }
    out.push({ mappingId, functionId, event: { Type: type, Properties: { [type === 'SQS' ? 'Queue' : 'Stream']: arn, ...rest } } });
  }
  return out;
}

/**
 * A bucket's `NotificationConfiguration.LambdaConfigurations` (plain CloudFormation's way to have S3 invoke a
 * function) as S3 events of those functions, named by the configuration's `Id`: the S3 source reads one form.
 * A configuration whose function is not in the template is returned as a problem.
 */
export function bucketNotificationsAsEvents(
  resources: Record<string, { Type: string; Properties: Record<string, unknown> }>,
  functionIds: ReadonlyMap<string, string>,
): ({ functionId: string; name: string; event: { Type: 'S3'; Properties: Record<string, unknown> } } | { bucketId: string; index: number; problem: string })[] {
  const out: ReturnType<typeof bucketNotificationsAsEvents> = [];
  for (const [bucketId, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::S3::Bucket') continue;
    const config = res.Properties.NotificationConfiguration;
    const entries = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).LambdaConfigurations : undefined;
    if (!Array.isArray(entries)) continue;
    const bucket = typeof res.Properties.BucketName === 'string' ? res.Properties.BucketName : bucketId;
    entries.forEach((entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null) return;
      const { Event: events, Function: target, Filter: filter, Id: id } = entry as Record<string, unknown>;
      const name = typeof target === 'string' ? (/(?:^|:)function:([^:]+)/.exec(target)?.[1] ?? target) : undefined;
      const functionId = name !== undefined ? functionIds.get(name) : undefined;
      if (functionId === undefined) {
        out.push({ bucketId, index, problem: `its function ${typeof target === 'string' ? `'${target}' ` : ''}is not a function of this template` });
        return;
      }
      out.push({
        functionId,
        name: typeof id === 'string' && id !== '' ? id : `${bucketId}Notification${index + 1}`,
        event: { Type: 'S3', Properties: { Bucket: bucket, Events: events, ...(filter !== undefined ? { Filter: filter } : {}) } },
      });
    });
  }
  return out;
}
