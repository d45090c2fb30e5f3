// How a SAM function's `Events` entries become EventSourceInfo: one parser per event type, each in
// its event source's folder (events/<service>/template.ts), collected in one table that
// functions/sam-template.ts consults. A type without a parser is listed as `Other`.
import { parseFunctionName } from '../functions/function-reference';
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

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/**
 * What CloudFormation's own wiring of a source to a function becomes: the SAM event that function would have,
 * or why it cannot run locally (a warning at `path`).
 */
export type CloudFormationEvent =
  | { functionId: string; name: string; event: { Type: 'SQS' | 'Kinesis' | 'DynamoDB' | 'SNS' | 'S3'; Properties: Record<string, unknown> } }
  | { path: string[]; problem: string };

/**
 * The sources CloudFormation connects to functions outside a function's `Events` — as CDK and hand-written
 * templates do — as SAM events of those functions, so that each event source reads one form:
 * `AWS::Lambda::EventSourceMapping` (SQS, Kinesis, DynamoDB: SAM's own translation of those events, read
 * back), SNS subscriptions with Protocol `lambda`, and buckets' `NotificationConfiguration.LambdaConfigurations` (and
 * CDK's `Custom::S3BucketNotifications`, which sets them at deploy).
 * `functionIds` maps each template function's name (its `FunctionName`, else its logical id) to its logical id.
 */
export function cloudFormationEvents(resources: Resources, functionIds: ReadonlyMap<string, string>): CloudFormationEvent[] {
  const out: CloudFormationEvent[] = [];
  /** The template function a name, an ARN or a partial ARN (`123456789012:function:name`, maybe with a version or alias) names. */
  const functionOf = (named: unknown, path: string[], what: string): string | undefined => {
    const name = typeof named === 'string' ? parseFunctionName(named).name : undefined;
    const id = name !== undefined ? functionIds.get(name) : undefined;
    if (id === undefined)
      out.push({ path, problem: `${what}: its function ${typeof named === 'string' ? `'${named}' ` : ''}is not a function of this template` });
    return id;
  };
  for (const [id, res] of Object.entries(resources)) {
    const props = res.Properties;
    const at = (...rest: string[]) => ['Resources', id, 'Properties', ...rest];
    if (res.Type === 'AWS::Lambda::EventSourceMapping') {
      const what = `${id} (AWS::Lambda::EventSourceMapping)`;
      const { FunctionName: named, EventSourceArn: arn, ...rest } = props;
      const functionId = functionOf(named, at('FunctionName'), what);
      if (functionId === undefined) continue;
      const service = typeof arn === 'string' ? /^arn:[^:]+:([^:]+):/.exec(arn)?.[1] : undefined;
      const type =
        service === 'sqs' ? 'SQS' : service === 'kinesis' ? 'Kinesis' : service === 'dynamodb' && /\/stream\//.test(String(arn)) ? 'DynamoDB' : undefined;
      if (type === undefined) {
        const source = typeof arn === 'string' ? arn : 'a source the template does not resolve locally';
        out.push({ path: at('EventSourceArn'), problem: `${what}: ${source} is not read locally (SQS queues, Kinesis streams and DynamoDB streams are)` });
        continue;
      }
      out.push({ functionId, name: id, event: { Type: type, Properties: { [type === 'SQS' ? 'Queue' : 'Stream']: arn, ...rest } } });
    }
    if (res.Type === 'AWS::SNS::Subscription') snsSubscription(id, at('Protocol'), props.TopicArn, props);
    if (res.Type === 'AWS::SNS::Topic' && Array.isArray(props.Subscription)) {
      const topic = typeof props.TopicName === 'string' ? props.TopicName : id;
      props.Subscription.forEach((entry: unknown, i) => {
        if (typeof entry === 'object' && entry !== null)
          snsSubscription(`${id}Subscription${i + 1}`, at('Subscription', String(i)), topic, entry as Record<string, unknown>);
      });
    }
    const notifications =
      typeof props.NotificationConfiguration === 'object' && props.NotificationConfiguration !== null
        ? (props.NotificationConfiguration as Record<string, unknown>)
        : {};
    // CDK's bucket notifications: a custom resource whose configuration is S3's own API shape (PutBucketNotificationConfiguration).
    if (res.Type === 'Custom::S3BucketNotifications' && Array.isArray(notifications.LambdaFunctionConfigurations)) {
      notifications.LambdaFunctionConfigurations.forEach((entry: unknown, i) => {
        if (typeof entry !== 'object' || entry === null) return;
        const { Events: events, LambdaFunctionArn: target, Filter: filter, Id: name } = entry as Record<string, unknown>;
        const functionId = functionOf(
          target,
          at('NotificationConfiguration', 'LambdaFunctionConfigurations', String(i)),
          `${id}: LambdaFunctionConfigurations[${i}]`,
        );
        if (functionId === undefined) return;
        const rules = (filter as { Key?: { FilterRules?: unknown } } | undefined)?.Key?.FilterRules;
        const properties = { Bucket: props.BucketName, Events: events, ...(Array.isArray(rules) ? { Filter: { S3Key: { Rules: rules } } } : {}) };
        out.push({ functionId, name: typeof name === 'string' && name !== '' ? name : `${id}${i + 1}`, event: { Type: 'S3', Properties: properties } });
      });
    }
    if (res.Type === 'AWS::S3::Bucket' && Array.isArray(notifications.LambdaConfigurations)) {
      const bucket = typeof props.BucketName === 'string' ? props.BucketName : id;
      notifications.LambdaConfigurations.forEach((entry: unknown, i) => {
        if (typeof entry !== 'object' || entry === null) return;
        const { Event: events, Function: target, Filter: filter, Id: name } = entry as Record<string, unknown>;
        const functionId = functionOf(target, at('NotificationConfiguration', 'LambdaConfigurations', String(i)), `${id}: LambdaConfigurations[${i}]`);
        if (functionId === undefined) return;
        const properties = { Bucket: bucket, Events: events, ...(filter !== undefined ? { Filter: filter } : {}) };
        out.push({
          functionId,
          name: typeof name === 'string' && name !== '' ? name : `${id}Notification${i + 1}`,
          event: { Type: 'S3', Properties: properties },
        });
      });
    }
  }
  return out;

  /** A subscription to `topic`: a function's (Protocol lambda), a queue's (the SNS source's own), or one not delivered locally. */
  function snsSubscription(name: string, path: string[], topic: unknown, s: Record<string, unknown>): void {
    const protocol = String(s.Protocol).toLowerCase();
    if (protocol === 'sqs') return;
    if (protocol !== 'lambda') {
      out.push({ path, problem: `${name}: Protocol ${String(s.Protocol)} is not delivered locally (SQS queues and Lambda functions are)` });
      return;
    }
    const functionId = functionOf(s.Endpoint, path, name);
    if (functionId === undefined) return;
    const { FilterPolicy: policy, FilterPolicyScope: scope } = s;
    const properties = {
      Topic: topic,
      ...(policy !== undefined ? { FilterPolicy: policy } : {}),
      ...(scope !== undefined ? { FilterPolicyScope: scope } : {}),
    };
    out.push({ functionId, name, event: { Type: 'SNS', Properties: properties } });
  }
}
