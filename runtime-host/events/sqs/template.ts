// What the template says about SQS: the `AWS::SQS::Queue` resources (as SQS attributes, validated
// like CreateQueue's), the queues functions' `SQS` events name, and each event's mapping settings.
// Reads the template's resolved resources (`FunctionCatalog.resources()`): `!GetAtt Q.Arn` is
// already `arn:aws:sqs:<region>:<account>:<name>` there, `!Ref Q` a queue URL.
import type { TemplateResource } from '../../host-context';
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';
import { parseFilterCriteria } from '../filter-criteria';
import { queueNameOf } from './queue-store';

export interface TemplateQueue {
  /** Logical id in the template. */
  logicalId: string;
  name: string;
  attributes: Record<string, string>;
}

export interface SqsMappingConfig {
  batchSize: number;
  maximumBatchingWindowMs: number;
  reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency (2–1000); undefined = Lambda's default scaling (capped locally). */
  maximumConcurrency?: number;
  /** Parsed FilterCriteria patterns; a message must match one of them (none = every message). */
  filters: Record<string, unknown>[];
  enabled: boolean;
}

export interface TemplateSqsEvent {
  functionName: string;
  eventName: string;
  queue: string;
  /** The mapping's settings, or why Lambda would refuse to create it. */
  config: SqsMappingConfig | string;
}

const ATTRIBUTE_PROPERTIES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CloudFormation's default name is generated; locally a queue without QueueName is named by its logical id. */
export function templateQueues(resources: Record<string, TemplateResource>): TemplateQueue[] {
  const out: TemplateQueue[] = [];
  for (const [logicalId, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::SQS::Queue') continue;
    const p = isRecord(res.Properties) ? res.Properties : {};
    const fifo = p['FifoQueue'] === true || p['FifoQueue'] === 'true';
    let name = typeof p['QueueName'] === 'string' ? p['QueueName'] : logicalId;
    if (fifo && !name.endsWith('.fifo')) name = `${name}.fifo`;
    const attributes: Record<string, string> = {};
    for (const key of ATTRIBUTE_PROPERTIES) {
      const v = p[key];
      if (v !== undefined && v !== null && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) attributes[key] = String(v);
    }
    const redrive = p['RedrivePolicy'];
    if (isRecord(redrive)) attributes['RedrivePolicy'] = JSON.stringify(redrive);
    else if (typeof redrive === 'string') attributes['RedrivePolicy'] = redrive;
    out.push({ logicalId, name, attributes });
  }
  return out;
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** The functions' `SQS` events with their mapping settings. `queue` is a name (the ARN's or URL's last part). */
export function templateSqsEvents(resources: Record<string, TemplateResource>): TemplateSqsEvent[] {
  const out: TemplateSqsEvent[] = [];
  for (const [functionName, res] of Object.entries(resources)) {
    // A CloudFormation function has SQS events too: its AWS::Lambda::EventSourceMapping (functions/sam-template.ts).
    if (res.Type !== 'AWS::Serverless::Function' && res.Type !== 'AWS::Lambda::Function') continue;
    const events = res.Properties?.['Events'];
    if (!isRecord(events)) continue;
    for (const [eventName, ev] of Object.entries(events)) {
      if (!isRecord(ev) || ev['Type'] !== 'SQS') continue;
      const p = isRecord(ev['Properties']) ? ev['Properties'] : {};
      const queueRef = p['Queue'];
      if (typeof queueRef !== 'string' || queueRef === '') continue;
      out.push({ functionName, eventName, queue: queueNameOf(queueRef), config: mappingConfig(p, queueNameOf(queueRef).endsWith('.fifo')) });
    }
  }
  return out;
}

/** As Lambda validates CreateEventSourceMapping for an SQS queue. */
export function mappingConfig(p: Record<string, unknown>, fifo: boolean): SqsMappingConfig | string {
  const batchSize = num(p['BatchSize'], 10);
  const windowSeconds = num(p['MaximumBatchingWindowInSeconds'], 0);
  const maxBatch = fifo ? 10 : 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch)
    return `BatchSize must be an integer from 1 to ${maxBatch} for ${fifo ? 'a FIFO' : 'an SQS'} queue`;
  if (!(windowSeconds >= 0 && windowSeconds <= 300)) return 'MaximumBatchingWindowInSeconds must be from 0 to 300';
  if (fifo && windowSeconds > 0) return 'MaximumBatchingWindowInSeconds is not supported for FIFO queues';
  if (batchSize > 10 && windowSeconds < 1) return 'a BatchSize over 10 needs MaximumBatchingWindowInSeconds of at least 1';
  const types = Array.isArray(p['FunctionResponseTypes']) ? (p['FunctionResponseTypes'] as unknown[]) : [];
  let maximumConcurrency: number | undefined;
  const scaling = p['ScalingConfig'];
  if (isRecord(scaling) && scaling['MaximumConcurrency'] !== undefined) {
    maximumConcurrency = num(scaling['MaximumConcurrency'], NaN);
    if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 2 || maximumConcurrency > 1000)
      return 'ScalingConfig.MaximumConcurrency must be an integer from 2 to 1000';
  }
  const filters = parseFilterCriteria(p['FilterCriteria']);
  if (typeof filters === 'string') return filters;
  return {
    batchSize,
    maximumBatchingWindowMs: windowSeconds * 1000,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    ...(maximumConcurrency !== undefined ? { maximumConcurrency } : {}),
    filters,
    enabled: p['Enabled'] !== false && p['Enabled'] !== 'false',
  };
}

/** SAM `SQS` events as the function list shows them: the queue an event source mapping polls and its batch size. */
export const sqsEvent: TemplateEventParser = ({ name, props: p }, h): EventSourceInfo => ({
  type: 'SQS',
  name,
  queue: h.nameFromArn(p.Queue),
  batchSize: h.batchSize(p, 10),
});
