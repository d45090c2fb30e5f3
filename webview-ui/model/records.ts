// Words and groupings for records that every view agrees on.
import type { InvocationRecord, InvocationStatus, RecordKind, Trigger } from '../../runtime-host/protocol/records';

export const STATUSES: InvocationStatus[] = ['queued', 'running', 'success', 'error', 'timeout', 'outOfMemory', 'throttled', 'interrupted'];
export const TRIGGERS: Trigger[] = ['manual', 'debug', 'api', 'http', 's3', 'stream', 'sns', 'sqs', 'schedule'];

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
  'schedule-fire': 'schedule',
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
