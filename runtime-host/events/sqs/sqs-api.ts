// The SQS API on the local AWS endpoint: the JSON protocol the current SDKs send
// (`X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`, errors as `__type` plus the
// `x-amzn-query-error` header their query-compatible mode reads) and the older query protocol
// (form-encoded `Action=…`, XML answers) for older boto3 and CLI versions. Operations act on the
// QueueStore; anything else is answered with SQS's UnsupportedOperation naming the operation.
import { randomUUID } from 'node:crypto';
import type { AwsRequest, AwsResponse, AwsServiceHandler, CallerInvocation, ServiceCallDescription } from '../aws-service';
import { md5OfMessageAttributes, type MessageAttributeValue } from './message-md5';
import { attributesOfConfig, MAX_MESSAGE_BYTES, queueConfigFromAttributes, validateQueueName } from './queue-config';
import type { Queue, SqsMessage } from './queue';
import { queueNameOf, type QueueStore } from './queue-store';
import { invalidParameter, SqsError } from './sqs-errors';
import { fromQuery, toQueryXml } from './sqs-query';

export const MAX_BATCH_ENTRIES = 10;
export const MAX_WAIT_SECONDS = 20;

type Json = Record<string, unknown>;

export interface SqsApiContext {
  store: QueueStore;
  region: string;
  accountId: string;
  /** The endpoint's base URL, for queue URLs (`<endpoint>/<account>/<name>`). */
  endpoint(): string;
  /** Aborted when the host stops: long polls end at once. */
  stopping: AbortSignal;
}

/** A queue's URL on the local endpoint: the SDK sends every queue operation to the host it names. */
export function localQueueUrl(endpoint: string, accountId: string, name: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${accountId}/${encodeURIComponent(name)}`;
}

export interface SendRequest {
  body: unknown;
  delaySeconds?: unknown;
  messageAttributes?: unknown;
  groupId?: unknown;
  deduplicationId?: unknown;
  awsTraceHeader?: string;
  caller?: CallerInvocation;
}

// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF.
// eslint-disable-next-line no-control-regex
const INVALID_BODY_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function validateAttributes(raw: unknown): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalidParameter('MessageAttributes must be a map of name to {DataType, StringValue | BinaryValue}.');
  const entries = Object.entries(raw as Json);
  if (entries.length === 0) return undefined;
  if (entries.length > 10) throw invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      name.startsWith('AWS.') ||
      name.startsWith('Amazon.') ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw invalidParameter(`Message attribute name '${name}' is invalid.`);
    }
    const v = (value ?? {}) as Json;
    const type = v['DataType'];
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/.test(type)) {
      throw invalidParameter(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const isBinary = type.startsWith('Binary');
    const str = v['StringValue'];
    const bin = v['BinaryValue'];
    if (isBinary) {
      if (typeof bin !== 'string') throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: type, BinaryValue: bin };
    } else {
      if (typeof str !== 'string' || str === '')
        throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      if (type.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(str)) {
        throw invalidParameter(`Can't cast the value of message attribute '${name}' to a number.`);
      }
      out[name] = { DataType: type, StringValue: str };
    }
  }
  return out;
}

function optionalInt(value: unknown, what: string, lo: number, hi: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi)
    throw invalidParameter(`Value ${String(value)} for parameter ${what} is invalid. Reason: must be between ${lo} and ${hi}.`);
  return n;
}

/** Validates and sends one message as SQS would; shared by the API, `sqs.send` and deliveries from other services. */
export function sendToQueue(queue: Queue, req: SendRequest, senderId: string): SqsMessage & { duplicate?: boolean } {
  if (typeof req.body !== 'string' || req.body.length === 0) {
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.', 'a message body is 1 byte to 1 MiB of text');
  }
  if (INVALID_BODY_CHARS.test(req.body))
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  const attributes = validateAttributes(req.messageAttributes);
  const bytes = Buffer.byteLength(req.body, 'utf8') + attributeBytes(attributes);
  const limit = Math.min(queue.config.maximumMessageSize, MAX_MESSAGE_BYTES);
  if (bytes > limit) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
  const delaySeconds = optionalInt(req.delaySeconds, 'DelaySeconds', 0, 900);
  const groupId = req.groupId;
  const dedupId = req.deduplicationId;
  if (groupId !== undefined && (typeof groupId !== 'string' || !/^[\x21-\x7E]{1,128}$/.test(groupId)))
    throw invalidParameter('MessageGroupId must be 1 to 128 printable ASCII characters.');
  if (dedupId !== undefined && (typeof dedupId !== 'string' || !/^[\x21-\x7E]{1,128}$/.test(dedupId))) {
    throw invalidParameter('MessageDeduplicationId must be 1 to 128 printable ASCII characters.');
  }
  if (queue.config.fifo) {
    if (groupId === undefined)
      throw new SqsError(
        'MissingParameter',
        'The request must contain the parameter MessageGroupId.',
        `${queue.name} is a FIFO queue: give a message group id`,
      );
    if (delaySeconds !== undefined && delaySeconds !== 0) {
      throw invalidParameter(
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    if (dedupId === undefined && !queue.config.contentBasedDeduplication) {
      throw invalidParameter(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        'pass a deduplication id',
      );
    }
  } else if (dedupId !== undefined) {
    throw invalidParameter(
      'Value for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.',
    );
  }
  const { message, duplicate } = queue.send({
    body: req.body,
    ...(attributes ? { messageAttributes: attributes } : {}),
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    ...(typeof groupId === 'string' ? { groupId } : {}),
    ...(typeof dedupId === 'string' ? { deduplicationId: dedupId } : {}),
    ...(req.awsTraceHeader ? { awsTraceHeader: req.awsTraceHeader } : {}),
    ...(req.caller ? { caller: req.caller } : {}),
    senderId,
  });
  return duplicate ? { ...message, duplicate } : message;
}

function attributeBytes(attributes: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes ?? {})) {
    n +=
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.StringValue !== undefined ? Buffer.byteLength(a.StringValue) : Buffer.from(a.BinaryValue ?? '', 'base64').length);
  }
  return n;
}

function selectedMessageAttributes(m: SqsMessage, wanted: string[]): Record<string, MessageAttributeValue> | undefined {
  if (!m.messageAttributes || wanted.length === 0) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    const hit = wanted.some((w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))));
    if (hit) out[name] = a;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function systemAttributes(m: SqsMessage, wanted: string[]): Record<string, string> | undefined {
  if (wanted.length === 0) return undefined;
  const all: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentTimestamp),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
    ...(m.deduplicationId !== undefined ? { MessageDeduplicationId: m.deduplicationId } : {}),
    ...(m.sequenceNumber !== undefined ? { SequenceNumber: m.sequenceNumber } : {}),
    ...(m.awsTraceHeader ? { AWSTraceHeader: m.awsTraceHeader } : {}),
    ...(m.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn } : {}),
  };
  if (wanted.includes('All')) return all;
  const out: Record<string, string> = {};
  for (const name of wanted) if (all[name] !== undefined) out[name] = all[name];
  return Object.keys(out).length > 0 ? out : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

interface BatchEntry {
  Id: string;
  [key: string]: unknown;
}

function batchEntries(input: Json): BatchEntry[] {
  const entries = input['Entries'];
  if (!Array.isArray(entries) || entries.length === 0)
    throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > MAX_BATCH_ENTRIES)
    throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries as Json[]) {
    const id = e?.['Id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as BatchEntry[];
}

/** One entry's failure in a batch answer. */
function failedEntry(id: string, err: unknown): Json {
  if (err instanceof SqsError) return { Id: id, SenderFault: true, Code: err.sqsCode, Message: err.message };
  throw err;
}

export class SqsApi implements AwsServiceHandler {
  readonly service = 'sqs';
  readonly targetPrefixes = ['AmazonSQS.'] as const;

  constructor(private readonly ctx: SqsApiContext) {}

  queueUrl(name: string): string {
    return localQueueUrl(this.ctx.endpoint(), this.ctx.accountId, name);
  }

  async handle(request: AwsRequest): Promise<AwsResponse & { call: ServiceCallDescription }> {
    const target = request.headers['x-amz-target'];
    const json = typeof target === 'string' && target.startsWith('AmazonSQS.');
    let operation = 'Unknown';
    let input: Json = {};
    let resource: string | undefined;
    try {
      if (json) {
        operation = target.slice('AmazonSQS.'.length);
        const text = request.body.toString('utf8');
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter('The request body must be a JSON object.');
        input = parsed as Json;
      } else {
        const form = new URLSearchParams(request.body.toString('utf8'));
        for (const [k, v] of request.query) if (!form.has(k)) form.set(k, v);
        operation = form.get('Action') ?? 'Unknown';
        input = fromQuery(operation, form);
      }
      const queueRef = input['QueueUrl'] ?? input['QueueName'];
      if (typeof queueRef === 'string') resource = queueNameOf(queueRef);
      // A path `/<account>/<name>` names the queue when the body does not (the query protocol allows it).
      if (input['QueueUrl'] === undefined && input['QueueName'] === undefined && /^\/\d+\/[^/]+$/.test(request.path)) {
        input['QueueUrl'] = `http://localhost${request.path}`;
        resource = queueNameOf(input['QueueUrl'] as string);
      }
      const output = await this.dispatch(operation, input, request);
      return { ...(json ? jsonAnswer(output) : xmlAnswer(operation, output)), call: { operation, ...(resource ? { resource } : {}) } };
    } catch (err) {
      if (!(err instanceof SqsError) && !(err instanceof SyntaxError)) throw err;
      const e = err instanceof SqsError ? err : invalidParameter(`The request body is not valid JSON: ${err.message}`);
      return { ...(json ? jsonError(e) : xmlError(e)), call: { operation, ...(resource ? { resource } : {}), errorCode: e.sqsCode } };
    }
  }

  private senderId(caller: CallerInvocation | undefined): string {
    return caller ? `AROA${this.ctx.accountId}:${caller.recordId}` : this.ctx.accountId;
  }

  private async dispatch(op: string, input: Json, request: AwsRequest): Promise<Json> {
    const store = this.ctx.store;
    switch (op) {
      case 'SendMessage': {
        const queue = store.find(input['QueueUrl']);
        const m = sendToQueue(queue, this.sendRequest(input, request), this.senderId(request.caller));
        await store.flush();
        return sendResult(m);
      }
      case 'SendMessageBatch': {
        const queue = store.find(input['QueueUrl']);
        const entries = batchEntries(input);
        let total = 0;
        for (const e of entries) total += typeof e['MessageBody'] === 'string' ? Buffer.byteLength(e['MessageBody']) : 0;
        if (total > MAX_MESSAGE_BYTES)
          throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
        const Successful: Json[] = [];
        const Failed: Json[] = [];
        for (const e of entries) {
          try {
            Successful.push({ Id: e.Id, ...sendResult(sendToQueue(queue, this.sendRequest(e, request), this.senderId(request.caller))) });
          } catch (err) {
            Failed.push(failedEntry(e.Id, err));
          }
        }
        await store.flush();
        return { Successful, Failed };
      }
      case 'ReceiveMessage': {
        const queue = store.find(input['QueueUrl']);
        const max = optionalInt(input['MaxNumberOfMessages'], 'MaxNumberOfMessages', 1, 10) ?? 1;
        const visibility = optionalInt(input['VisibilityTimeout'], 'VisibilityTimeout', 0, 43_200);
        const wait = optionalInt(input['WaitTimeSeconds'], 'WaitTimeSeconds', 0, MAX_WAIT_SECONDS) ?? queue.config.receiveMessageWaitTimeSeconds;
        const messages = await queue.receiveWait(max, visibility, wait * 1000, this.ctx.stopping);
        const attrNames = [...stringList(input['AttributeNames']), ...stringList(input['MessageSystemAttributeNames'])];
        const wantedMessageAttrs = stringList(input['MessageAttributeNames']);
        return messages.length === 0
          ? {}
          : {
              Messages: messages.map((m) => {
                const attrs = systemAttributes(m, attrNames);
                const messageAttributes = selectedMessageAttributes(m, wantedMessageAttrs);
                return {
                  MessageId: m.messageId,
                  ReceiptHandle: m.receiptHandle,
                  MD5OfBody: m.md5OfBody,
                  Body: m.body,
                  ...(attrs ? { Attributes: attrs } : {}),
                  ...(messageAttributes ? { MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes), MessageAttributes: messageAttributes } : {}),
                };
              }),
            };
      }
      case 'DeleteMessage': {
        const queue = store.find(input['QueueUrl']);
        queue.delete(requiredString(input, 'ReceiptHandle'));
        return {};
      }
      case 'DeleteMessageBatch': {
        const queue = store.find(input['QueueUrl']);
        const Successful: Json[] = [];
        const Failed: Json[] = [];
        for (const e of batchEntries(input)) {
          try {
            queue.delete(requiredString(e, 'ReceiptHandle'));
            Successful.push({ Id: e.Id });
          } catch (err) {
            Failed.push(failedEntry(e.Id, err));
          }
        }
        return { Successful, Failed };
      }
      case 'ChangeMessageVisibility': {
        const queue = store.find(input['QueueUrl']);
        queue.changeVisibility(requiredString(input, 'ReceiptHandle'), requiredInt(input, 'VisibilityTimeout', 0, 43_200));
        return {};
      }
      case 'ChangeMessageVisibilityBatch': {
        const queue = store.find(input['QueueUrl']);
        const Successful: Json[] = [];
        const Failed: Json[] = [];
        for (const e of batchEntries(input)) {
          try {
            queue.changeVisibility(requiredString(e, 'ReceiptHandle'), requiredInt(e, 'VisibilityTimeout', 0, 43_200));
            Successful.push({ Id: e.Id });
          } catch (err) {
            Failed.push(failedEntry(e.Id, err));
          }
        }
        return { Successful, Failed };
      }
      case 'GetQueueUrl': {
        const queue = store.find(requiredString(input, 'QueueName'));
        return { QueueUrl: this.queueUrl(queue.name) };
      }
      case 'GetQueueAttributes': {
        const queue = store.find(input['QueueUrl']);
        const wanted = stringList(input['AttributeNames']);
        const counts = queue.counts();
        const all: Record<string, string> = {
          ...attributesOfConfig(queue.config, queue.arn),
          ApproximateNumberOfMessages: String(counts.visible),
          ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
          ApproximateNumberOfMessagesDelayed: String(counts.delayed),
        };
        if (wanted.length === 0) return {};
        if (wanted.includes('All')) return { Attributes: all };
        const Attributes: Record<string, string> = {};
        for (const name of wanted) {
          if (
            !(name in all) &&
            ![
              'Policy',
              'KmsMasterKeyId',
              'KmsDataKeyReusePeriodSeconds',
              'RedriveAllowPolicy',
              'RedrivePolicy',
              'ContentBasedDeduplication',
              'FifoQueue',
              'DeduplicationScope',
              'FifoThroughputLimit',
            ].includes(name)
          ) {
            throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
          }
          if (all[name] !== undefined) Attributes[name] = all[name];
        }
        return { Attributes };
      }
      case 'SetQueueAttributes': {
        const queue = store.find(input['QueueUrl']);
        const attrs = stringMap(input['Attributes']);
        store.put(queueConfigFromAttributes(queue.name, attrs, store.now(), queue.config));
        await store.flush();
        return {};
      }
      case 'PurgeQueue': {
        store.find(input['QueueUrl']).purge();
        await store.flush();
        return {};
      }
      case 'ListQueues': {
        const prefix = typeof input['QueueNamePrefix'] === 'string' ? input['QueueNamePrefix'] : '';
        const max = optionalInt(input['MaxResults'], 'MaxResults', 1, 1000);
        const names = [...store.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
        const start = typeof input['NextToken'] === 'string' ? Number(Buffer.from(input['NextToken'], 'base64url').toString()) || 0 : 0;
        const page = max !== undefined ? names.slice(start, start + max) : names.slice(0, 1000);
        const more = max !== undefined && start + max < names.length;
        return {
          ...(page.length > 0 ? { QueueUrls: page.map((n) => this.queueUrl(n)) } : {}),
          ...(more ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
        };
      }
      case 'CreateQueue': {
        const name = validateQueueName(input['QueueName']);
        const attrs = stringMap(input['Attributes']);
        const existing = store.queues.get(name);
        const config = queueConfigFromAttributes(name, attrs, store.now());
        if (existing) {
          for (const [k, v] of Object.entries(attributesOfConfig(config, existing.arn))) {
            if (k in attrs && attributesOfConfig(existing.config, existing.arn)[k] !== v) {
              throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
            }
          }
        } else {
          store.put(config);
          await store.flush();
        }
        return { QueueUrl: this.queueUrl(name) };
      }
      case 'DeleteQueue': {
        const queue = store.find(input['QueueUrl']);
        store.deleteQueue(queue.name);
        await store.flush();
        return {};
      }
      case 'ListDeadLetterSourceQueues': {
        const queue = store.find(input['QueueUrl']);
        const sources = [...store.queues.values()].filter(
          (q) => q.config.redrivePolicy && queueNameOf(q.config.redrivePolicy.deadLetterTargetArn) === queue.name,
        );
        return { queueUrls: sources.map((q) => this.queueUrl(q.name)) };
      }
      default:
        throw new SqsError(
          'UnsupportedOperation',
          `The operation ${op} is not supported by the local SQS.`,
          'supported: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch), GetQueueUrl, GetQueueAttributes, SetQueueAttributes, PurgeQueue, ListQueues, CreateQueue, DeleteQueue, ListDeadLetterSourceQueues',
        );
    }
  }

  private sendRequest(input: Json, request: AwsRequest): SendRequest {
    const system = input['MessageSystemAttributes'] as Record<string, { StringValue?: unknown }> | undefined;
    const traceFromSystem = system?.['AWSTraceHeader']?.StringValue;
    const traceHeader = typeof traceFromSystem === 'string' ? traceFromSystem : request.headers['x-amzn-trace-id'];
    return {
      body: input['MessageBody'],
      delaySeconds: input['DelaySeconds'],
      messageAttributes: input['MessageAttributes'],
      groupId: input['MessageGroupId'],
      deduplicationId: input['MessageDeduplicationId'],
      ...(typeof traceHeader === 'string' && traceHeader !== '' ? { awsTraceHeader: traceHeader } : {}),
      ...(request.caller ? { caller: request.caller } : {}),
    };
  }
}

function sendResult(m: SqsMessage): Json {
  return {
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    MessageId: m.messageId,
    ...(m.sequenceNumber !== undefined ? { SequenceNumber: m.sequenceNumber } : {}),
  };
}

function requiredString(input: Json, name: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v === '') throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  return v;
}

function requiredInt(input: Json, name: string, lo: number, hi: number): number {
  if (input[name] === undefined) throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  return optionalInt(input[name], name, lo, hi)!;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter('Attributes must be a map of attribute name to string value.');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Json)) out[k] = String(x);
  return out;
}

function jsonAnswer(output: Json): AwsResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(output) };
}

function jsonError(e: SqsError): AwsResponse {
  return {
    status: e.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-query-error': `${e.queryCode};Sender`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${e.sqsCode}`, message: e.message }),
  };
}

function xmlAnswer(operation: string, output: Json): AwsResponse {
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }, body: toQueryXml(operation, output) };
}

function xmlError(e: SqsError): AwsResponse {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body: `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>${escape(e.queryCode)}</Code><Message>${escape(e.message)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}
