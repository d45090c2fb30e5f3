// Words and groupings for records that every view agrees on.
import {
  INVOCATION_STATUSES,
  TRIGGERS,
  type InvocationRecord,
  type InvocationStatus,
  type RecordKind,
  type TruncatedValue,
} from '../../runtime-host/protocol/records';

export const STATUSES = INVOCATION_STATUSES;
export { TRIGGERS };

export const STATUS_LABEL: Record<InvocationStatus, string> = {
  queued: 'queued',
  running: 'running',
  success: 'success',
  error: 'error',
  timeout: 'timeout',
  outOfMemory: 'out of memory',
  throttled: 'throttled',
  interrupted: 'interrupted',
};

export const KIND_LABEL: Record<RecordKind, string> = {
  invocation: 'invocation',
  'sns-publish': 'SNS publish',
  's3-event': 'S3 event',
  'stream-batch': 'stream batch',
  'sqs-batch': 'SQS batch',
  'http-request': 'HTTP request',
  'async-invoke': 'async invoke',
  'service-call': 'AWS call',
  'provisioned-init': 'provisioned init',
  'schedule-fire': 'schedule',
  'durable-execution': 'durable execution',
  'eventbridge-event': 'EventBridge event',
};

/** Statuses that count as a failed invocation in error rates. */
export function isFailure(status: InvocationStatus): boolean {
  return status === 'error' || status === 'timeout' || status === 'outOfMemory' || status === 'interrupted';
}

export function isFinal(status: InvocationStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** Newest first: by queue time, then id so the order is stable for equal times. */
export function compareNewestFirst(a: InvocationRecord, b: InvocationRecord): number {
  return b.timestamps.queuedAt - a.timestamps.queuedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The history's marker for a value it did not keep whole (runtime-host/records/record-caps.ts), also a brief record's event. */
export function truncatedMarker(value: unknown): TruncatedValue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<TruncatedValue>;
  return v.truncated === true && typeof v.bytes === 'number' && typeof v.preview === 'string' ? (v as TruncatedValue) : undefined;
}
