// A queue's settings from SQS attributes (strings, as CreateQueue/SetQueueAttributes take them and
// as the template's AWS::SQS::Queue properties become), validated with SQS's own ranges, and back.
import type { QueueConfig } from './queue';
import { SqsError } from './sqs-errors';

/** SQS's largest message since August 2025 (256 KiB before). */
export const MAX_MESSAGE_BYTES = 1_048_576;

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
};

/** Accepted and kept out of the way: they change nothing a local queue does. */
const ACCEPTED = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
]);

export function validateQueueName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name) || name.length > 80) {
    throw new SqsError(
      'InvalidParameterValue',
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name ${JSON.stringify(name)})`,
      'a FIFO queue name ends in .fifo',
    );
  }
  return name;
}

function integer(attr: string, value: string): number {
  const [lo, hi] = RANGES[attr]!;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < lo || n > hi) {
    throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${attr}.`, `${attr} must be an integer from ${lo} to ${hi}`);
  }
  return n;
}

function redrive(value: string): QueueConfig['redrivePolicy'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.');
  }
  const p = parsed as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  const count = Number(p?.maxReceiveCount);
  if (typeof p?.deadLetterTargetArn !== 'string' || !/^arn:aws[\w-]*:sqs:[^:]*:[^:]*:[^:]+$/.test(p.deadLetterTargetArn)) {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy. Reason: Dead-letter target ARN is not a valid SQS queue ARN.');
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy. Reason: maxReceiveCount must be an integer from 1 to 1000.');
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: count };
}

function bool(attr: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${attr}.`, 'use true or false');
  return value === 'true';
}

/** `base` is the queue being changed (SetQueueAttributes) or undefined for a new queue. */
export function queueConfigFromAttributes(name: string, attributes: Record<string, string>, nowMs: number, base?: QueueConfig): QueueConfig {
  validateQueueName(name);
  const seconds = Math.floor(nowMs / 1000);
  const c: QueueConfig = base
    ? { ...base, lastModifiedTimestamp: seconds }
    : {
        name,
        fifo: name.endsWith('.fifo'),
        contentBasedDeduplication: false,
        visibilityTimeoutSeconds: 30,
        delaySeconds: 0,
        messageRetentionPeriodSeconds: 345_600,
        receiveMessageWaitTimeSeconds: 0,
        maximumMessageSize: MAX_MESSAGE_BYTES,
        createdTimestamp: seconds,
        lastModifiedTimestamp: seconds,
      };
  for (const [attr, raw] of Object.entries(attributes)) {
    const value = String(raw);
    switch (attr) {
      case 'DelaySeconds':
        c.delaySeconds = integer(attr, value);
        break;
      case 'MaximumMessageSize':
        c.maximumMessageSize = integer(attr, value);
        break;
      case 'MessageRetentionPeriod':
        c.messageRetentionPeriodSeconds = integer(attr, value);
        break;
      case 'ReceiveMessageWaitTimeSeconds':
        c.receiveMessageWaitTimeSeconds = integer(attr, value);
        break;
      case 'VisibilityTimeout':
        c.visibilityTimeoutSeconds = integer(attr, value);
        break;
      case 'RedrivePolicy':
        if (value === '') delete c.redrivePolicy;
        else c.redrivePolicy = redrive(value)!;
        break;
      case 'FifoQueue': {
        const fifo = bool(attr, value);
        if (base && fifo !== base.fifo) throw new SqsError('InvalidAttributeName', 'FifoQueue cannot be changed on an existing queue.');
        if (fifo !== name.endsWith('.fifo')) {
          throw new SqsError(
            'InvalidParameterValue',
            'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.',
          );
        }
        c.fifo = fifo;
        break;
      }
      case 'ContentBasedDeduplication':
        c.contentBasedDeduplication = bool(attr, value);
        break;
      default:
        if (!ACCEPTED.has(attr)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${attr}.`);
    }
  }
  if (!base && name.endsWith('.fifo') && attributes['FifoQueue'] !== 'true') {
    throw new SqsError('InvalidParameterValue', 'A queue name ending in .fifo needs the attribute FifoQueue=true.');
  }
  if (c.contentBasedDeduplication && !c.fifo) {
    throw new SqsError('InvalidAttributeName', 'ContentBasedDeduplication is only valid for FIFO queues.');
  }
  return c;
}

/** GetQueueAttributes' static part (counts are added by the caller). */
export function attributesOfConfig(c: QueueConfig, arn: string): Record<string, string> {
  return {
    QueueArn: arn,
    CreatedTimestamp: String(c.createdTimestamp),
    LastModifiedTimestamp: String(c.lastModifiedTimestamp),
    VisibilityTimeout: String(c.visibilityTimeoutSeconds),
    MaximumMessageSize: String(c.maximumMessageSize),
    MessageRetentionPeriod: String(c.messageRetentionPeriodSeconds),
    DelaySeconds: String(c.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(c.receiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: 'false',
    ...(c.redrivePolicy ? { RedrivePolicy: JSON.stringify(c.redrivePolicy) } : {}),
    ...(c.fifo
      ? { FifoQueue: 'true', ContentBasedDeduplication: String(c.contentBasedDeduplication), DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' }
      : {}),
  };
}
