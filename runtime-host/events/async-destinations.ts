// Where Lambda sends what became of an asynchronous invocation (lambda-behaviour §6): the function's
// destinations — `EventInvokeConfig.DestinationConfig` (SAM) or an `AWS::Lambda::EventInvokeConfig`
// resource, OnSuccess and OnFailure, each an SQS queue, an SNS topic, a Lambda function, an
// EventBridge bus or (failures only) an S3 bucket — get the invocation record; its dead-letter queue — `DeadLetterQueue` (SAM) or
// `DeadLetterConfig` — gets the event itself with the attributes RequestID, ErrorCode and ErrorMessage.
// With both, a failed event goes to both. This module reads them from the template and delivers to
// the local services; the queue (async-invocation.ts) says when.
//
// Decision: what cannot be delivered locally is named in a warning when the template is read, never
// dropped silently: a destination SAM would create on deploy (a `Type` without a `Destination`), a FIFO
// queue or topic and an S3 bucket for successes (Lambda refuses those), an ARN of another service.
import { parseFunctionName } from '../functions/function-reference';
import type { FunctionCatalog, TemplateResource } from '../host-context';
import type { FunctionInfo } from '../protocol/functions';
import type { InvocationRecord } from '../protocol/records';
import { isRecord } from '../util/values';
import type { AsyncDestinationRecord, AsyncInvocationPolicy } from './async-invocation';
import { randomUUID } from 'node:crypto';
import type { CallerInvocation, EventBusDelivery, ObjectDelivery, QueueDelivery, ServiceMessage, TopicDelivery } from './aws-service';

export type DestinationKind = 'sqs' | 'sns' | 'lambda' | 'eventbridge' | 's3';

export interface AsyncDestination {
  kind: DestinationKind;
  arn: string;
}

/** A function's asynchronous-invocation settings as the template gives them. */
export interface FunctionAsyncConfig {
  policy: Partial<AsyncInvocationPolicy>;
  onSuccess?: AsyncDestination;
  onFailure?: AsyncDestination;
  /** An SQS queue or SNS topic. */
  deadLetter?: AsyncDestination;
  /** What the template asks for that is not delivered locally, each at its place in the template. */
  notes: DestinationNote[];
}

export interface DestinationNote {
  /** Where in the template: `['Resources', id, 'Properties', …]`. */
  path: string[];
  message: string;
}

/** The services a destination can be, as the host has them when the delivery happens. */
export interface DestinationServices {
  functions?: Pick<FunctionCatalog, 'get'>;
  queues?: QueueDelivery;
  topics?: TopicDelivery;
  eventBuses?: EventBusDelivery;
  objects?: ObjectDelivery;
}

const SERVICE_KINDS: Record<string, DestinationKind> = { sqs: 'sqs', sns: 'sns', lambda: 'lambda', events: 'eventbridge', s3: 's3' };
const SAM_TYPES: Record<string, string> = { SQS: 'queue', SNS: 'topic', Lambda: 'function', EventBridge: 'event bus', S3Bucket: 'bucket' };

/** The function's asynchronous settings: its own properties, then any `AWS::Lambda::EventInvokeConfig` that names it. */
export function functionAsyncConfig(resources: Record<string, TemplateResource>, logicalId: string, physicalName: string): FunctionAsyncConfig {
  const config: FunctionAsyncConfig = { policy: {}, notes: [] };
  const props = resources[logicalId]?.Properties;
  if (!props) return config;
  const own = ['Resources', logicalId, 'Properties'];
  if (isRecord(props.EventInvokeConfig)) readInvokeConfig(config, props.EventInvokeConfig, [...own, 'EventInvokeConfig'], `${logicalId}: EventInvokeConfig`);
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const named = resource.Properties.FunctionName;
    if (named === logicalId || (typeof named === 'string' && parseFunctionName(named).name === physicalName)) {
      readInvokeConfig(config, resource.Properties, ['Resources', id, 'Properties'], `${id} (the EventInvokeConfig of ${logicalId})`);
    }
  }
  const key = isRecord(props.DeadLetterQueue) ? 'DeadLetterQueue' : isRecord(props.DeadLetterConfig) ? 'DeadLetterConfig' : undefined;
  if (key) {
    const dlq = props[key] as Record<string, unknown>;
    const at = { path: [...own, key], where: `${logicalId}: ${key}` };
    const target = destinationOf(dlq.TargetArn, typeof dlq.Type === 'string' ? dlq.Type : undefined, at, config.notes);
    if (target && target.kind !== 'sqs' && target.kind !== 'sns') {
      config.notes.push({ path: at.path, message: `${at.where}: a dead-letter queue is an SQS queue or an SNS topic, not ${target.arn}` });
    } else if (target) config.deadLetter = target;
  }
  return config;
}

function readInvokeConfig(config: FunctionAsyncConfig, c: Record<string, unknown>, path: string[], where: string): void {
  const retries = Number(c.MaximumRetryAttempts);
  if (c.MaximumRetryAttempts !== undefined && Number.isInteger(retries) && retries >= 0 && retries <= 2) config.policy.maximumRetryAttempts = retries;
  const age = Number(c.MaximumEventAgeInSeconds);
  if (c.MaximumEventAgeInSeconds !== undefined && Number.isFinite(age) && age >= 60 && age <= 21600) config.policy.maximumEventAgeSeconds = age;
  const destinations = isRecord(c.DestinationConfig) ? c.DestinationConfig : {};
  for (const [key, field] of [
    ['OnSuccess', 'onSuccess'],
    ['OnFailure', 'onFailure'],
  ] as const) {
    const d = destinations[key];
    if (!isRecord(d)) continue;
    const at = { path: [...path, 'DestinationConfig', key], where: `${where}.DestinationConfig.${key}` };
    const target = destinationOf(d.Destination, typeof d.Type === 'string' ? d.Type : undefined, at, config.notes);
    if (target?.kind === 's3' && field === 'onSuccess')
      config.notes.push({ path: at.path, message: `${at.where}: an S3 bucket takes failures only (Lambda's rule); nothing is sent there` });
    else if (target) config[field] = target;
  }
}

/** A destination the local services can take, or undefined with a note saying why not. */
function destinationOf(
  value: unknown,
  samType: string | undefined,
  at: { path: string[]; where: string },
  notes: DestinationNote[],
): AsyncDestination | undefined {
  const note = (message: string) => {
    notes.push({ path: at.path, message: `${at.where}: ${message}` });
    return undefined;
  };
  if (value === undefined || value === null || value === '') {
    return samType && SAM_TYPES[samType]
      ? note(`SAM creates this ${SAM_TYPES[samType]} on deploy; locally, declare it in the template and give its ARN here`)
      : undefined;
  }
  if (typeof value !== 'string' || !value.startsWith('arn:')) {
    return note(`${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)} is not an ARN the template resolves locally; nothing is sent there`);
  }
  const destination = destinationOfArn(value);
  if (!destination) return note(`${value} is not delivered locally`);
  if ((destination.kind === 'sqs' || destination.kind === 'sns') && value.endsWith('.fifo')) {
    return note(`Lambda does not send to a FIFO ${destination.kind === 'sqs' ? 'queue' : 'topic'} (${value}); nothing is sent there`);
  }
  return destination;
}

/** A destination's ARN as a kind the local services take; undefined for any other (an S3 bucket, Kafka…). */
export function destinationOfArn(arn: string): AsyncDestination | undefined {
  const kind = SERVICE_KINDS[/^arn:[^:]+:([^:]+):/.exec(arn)?.[1] ?? ''];
  return kind ? { kind, arn } : undefined;
}

/** Sends a message to a queue (its body the message body) or a topic (its body the message). */
export async function sendToQueueOrTopic(services: DestinationServices, destination: AsyncDestination, message: ServiceMessage): Promise<void> {
  if (destination.kind === 'sqs') await need(services.queues, 'SQS').sendToQueue(destination.arn, message);
  else if (destination.kind === 'sns') await need(services.topics, 'SNS').publishToTopic(destination.arn, message);
  else throw new Error(`a ${destination.kind} destination takes no message`);
}

/** Sends the invocation record to an OnSuccess / OnFailure destination, in the chain of the attempt it reports. */
export async function sendRecord(
  services: DestinationServices,
  destination: AsyncDestination,
  record: AsyncDestinationRecord,
  lastAttempt: InvocationRecord,
  invokeFunction: (fn: FunctionInfo, event: AsyncDestinationRecord, causedBy: string) => void,
): Promise<void> {
  const caller = callerOf(lastAttempt);
  const body = JSON.stringify(record);
  switch (destination.kind) {
    case 'sqs':
    case 'sns':
      await sendToQueueOrTopic(services, destination, { body, ...(caller ? { caller } : {}) });
      return;
    case 'eventbridge': {
      const outcome = record.requestContext.condition === 'Success' ? 'Success' : 'Failure';
      const [result] = await need(services.eventBuses, 'EventBridge').putEvents(
        [
          {
            Source: 'lambda',
            DetailType: `Lambda Function Invocation Result - ${outcome}`,
            Detail: body,
            EventBusName: destination.arn,
            Resources: [destination.arn, record.requestContext.functionArn],
          },
        ],
        caller,
      );
      if (result && 'ErrorCode' in result) throw new Error(`${result.ErrorCode}: ${result.ErrorMessage}`);
      return;
    }
    case 's3': {
      // Lambda's naming: aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>.
      const bucket = destination.arn.replace(/^arn:[^:]+:s3:::/, '').split('/')[0]!;
      const functionName = parseFunctionName(record.requestContext.functionArn).name;
      const at = record.timestamp.slice(0, 19);
      const key = `aws/lambda/async/${functionName}/${at.slice(0, 10).replace(/-/g, '/')}/${at.replace(/:/g, '.')}-${randomUUID()}`;
      await need(services.objects, 'S3').putObject(bucket, key, body, caller);
      return;
    }
    case 'lambda': {
      const name = parseFunctionName(destination.arn).name;
      const fn = services.functions?.get(name);
      if (!fn) throw new Error(`no function ${name} in the template`);
      invokeFunction(fn, record, lastAttempt.id);
      return;
    }
  }
}

/** Sends a failed event to the dead-letter queue or topic: the event as it came, with Lambda's three attributes. */
export async function sendDeadLetter(
  services: DestinationServices,
  deadLetter: AsyncDestination,
  event: unknown,
  requestId: string,
  lastAttempt: InvocationRecord,
): Promise<void> {
  const caller = callerOf(lastAttempt);
  await sendToQueueOrTopic(services, deadLetter, {
    body: JSON.stringify(event ?? null),
    attributes: {
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'Number', StringValue: lastAttempt.status === 'throttled' ? '429' : '200' },
      ErrorMessage: { DataType: 'String', StringValue: truncateUtf8(lastAttempt.error?.errorMessage ?? lastAttempt.status, 1024) },
    },
    ...(caller ? { caller } : {}),
  });
}

/** The chain a message about `record` belongs to: what it causes joins that invocation's trace. */
export function callerOf(record: InvocationRecord | undefined): CallerInvocation | undefined {
  return record?.traceId ? { recordId: record.id, traceId: record.traceId } : undefined;
}

function need<T>(service: T | undefined, name: string): T {
  if (!service) throw new Error(`no ${name} service is running in this host`);
  return service;
}

/** At most `bytes` of UTF-8, never cutting a character in two. */
function truncateUtf8(text: string, bytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}
