// The event Lambda's SQS mapping sends (lambda-behaviour §6), its partial batch response (lambda-behaviour §6, "Partial batch
// responses") and filter criteria. Pure: no I/O.
import { matchesFilterPolicy } from '../sns/filter-policy';
import type { SqsMessage } from './queue';

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export function sqsEventRecord(m: SqsMessage, queueArn: string, region: string): SqsEventRecord {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(m.receiveCount),
    ...(m.awsTraceHeader ? { AWSTraceHeader: m.awsTraceHeader } : {}),
    SentTimestamp: String(m.sentTimestamp),
    ...(m.sequenceNumber !== undefined ? { SequenceNumber: m.sequenceNumber } : {}),
    ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
    SenderId: m.senderId,
    ...(m.deduplicationId !== undefined ? { MessageDeduplicationId: m.deduplicationId } : {}),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    ...(m.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn } : {}),
  };
  const messageAttributes: SqsEventRecord['messageAttributes'] = {};
  for (const [name, a] of Object.entries(m.messageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle ?? '',
    body: m.body,
    attributes,
    messageAttributes,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export type BatchVerdict = { kind: 'success' } | { kind: 'partial'; failedIds: Set<string> } | { kind: 'failure'; reason: string };

/**
 * Reads `{"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}`. Null, an empty list or no
 * field means the whole batch succeeded; anything malformed, an empty identifier or one that is not
 * in the batch fails the whole batch (Lambda's rules).
 */
export function readBatchItemFailures(result: unknown, messageIds: readonly string[]): BatchVerdict {
  if (result === null || result === undefined) return { kind: 'success' };
  if (typeof result !== 'object' || Array.isArray(result)) return { kind: 'success' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const ids = new Set(messageIds);
  const failedIds = new Set<string>();
  for (const f of failures) {
    const id = typeof f === 'object' && f !== null ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: 'an itemIdentifier is missing or empty' };
    if (!ids.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is not a message of the batch` };
    failedIds.add(id);
  }
  return { kind: 'partial', failedIds };
}

/**
 * Lambda's filter criteria for SQS: each pattern is matched against the record as the function
 * would get it, with `body` parsed when it is a JSON object (so `{"body":{"kind":["order"]}}`
 * works) and left a string otherwise. The SNS filter-policy engine evaluates the pattern syntax
 * (values, prefix, suffix, anything-but, numeric, exists, $or, nested keys).
 */
export function matchesFilters(filters: readonly Record<string, unknown>[], record: SqsEventRecord): boolean {
  if (filters.length === 0) return true;
  let body: unknown = record.body;
  try {
    const parsed: unknown = JSON.parse(record.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed;
  } catch {
    // a plain-text body is matched as a string
  }
  const view = JSON.stringify({ ...record, body });
  return filters.some((pattern) => matchesFilterPolicy(pattern, 'MessageBody', { body: view }));
}
