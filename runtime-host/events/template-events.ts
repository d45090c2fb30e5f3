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
