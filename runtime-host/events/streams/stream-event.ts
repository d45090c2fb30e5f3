// Kinesis and DynamoDB stream events as Lambda delivers them, partial batch responses
// (ReportBatchItemFailures) as Lambda reads them, and DynamoDB change checks. Pure: no I/O.
import type { DynamoDbAttributeValue, DynamoDbChangeInput } from '../../protocol/methods';
import { UserError } from '../../runtime/types';
import { utf8Bytes } from '../../util/sealed-json';

export type StreamKind = 'kinesis' | 'dynamodb';
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** A record as kept in a shard (and on disk, one JSON line each). */
export interface StoredStreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** Kinesis payload, base64. */
  data?: string;
  /** Arrival time, epoch ms. */
  arrivalMs: number;
  dynamodb?: DynamoDbChangeInput & { eventID: string };
}

export interface StreamIdentity {
  kind: StreamKind;
  name: string;
  arn: string;
  region: string;
  accountId: string;
  viewType: StreamViewType;
}

/** Role ARN shown as `invokeIdentityArn` (the function's execution role is not known locally). */
export function invokeIdentityArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/lambda-workbench-local`;
}

export function kinesisStreamArn(region: string, accountId: string, name: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${name}`;
}

/**
 * The label of every local table stream. DynamoDB labels a stream with its creation time; one fixed label
 * keeps `!GetAtt Table.StreamArn` (resolved from the template before any table exists), DescribeTable's
 * LatestStreamArn and the records' eventSourceARN the same string.
 */
export const LOCAL_STREAM_LABEL = '1970-01-01T00:00:00.000';

export function dynamoDbStreamArn(region: string, accountId: string, table: string, label: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${table}/stream/${label}`;
}

export function kinesisRecord(r: StoredStreamRecord, shardId: string, s: StreamIdentity): Record<string, unknown> {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      data: r.data ?? '',
      approximateArrivalTimestamp: r.arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: invokeIdentityArn(s.accountId),
    awsRegion: s.region,
    eventSourceARN: s.arn,
  };
}

/** DynamoDB's approximate item size: attribute names plus values (numbers ~ digits/2 + 1). */
export function dynamoDbSizeBytes(...items: (Record<string, DynamoDbAttributeValue> | undefined)[]): number {
  const valueSize = (v: DynamoDbAttributeValue): number => {
    if ('S' in v) return Buffer.byteLength(v.S, 'utf8');
    if ('N' in v) return Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
    if ('B' in v) return Buffer.from(v.B, 'base64').length;
    if ('BOOL' in v || 'NULL' in v) return 1;
    if ('SS' in v) return v.SS.reduce((n, x) => n + Buffer.byteLength(x, 'utf8'), 0);
    if ('NS' in v) return v.NS.reduce((n, x) => n + Math.ceil(x.length / 2) + 1, 0);
    if ('BS' in v) return v.BS.reduce((n, x) => n + Buffer.from(x, 'base64').length, 0);
    if ('L' in v) return 3 + v.L.reduce((n, x) => n + 1 + valueSize(x), 0);
    return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + Buffer.byteLength(k, 'utf8') + 1 + valueSize(x), 0);
  };
  let total = 0;
  for (const item of items) {
    if (!item) continue;
    for (const [k, v] of Object.entries(item)) total += Buffer.byteLength(k, 'utf8') + valueSize(v);
  }
  return total;
}

export function dynamoDbRecord(r: StoredStreamRecord, s: StreamIdentity): Record<string, unknown> {
  const c = r.dynamodb!;
  const withNew = s.viewType === 'NEW_IMAGE' || s.viewType === 'NEW_AND_OLD_IMAGES';
  const withOld = s.viewType === 'OLD_IMAGE' || s.viewType === 'NEW_AND_OLD_IMAGES';
  const newImage = withNew && c.eventName !== 'REMOVE' ? c.NewImage : undefined;
  const oldImage = withOld && c.eventName !== 'INSERT' ? c.OldImage : undefined;
  return {
    eventID: c.eventID,
    eventName: c.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: s.region,
    dynamodb: {
      Keys: c.Keys,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      ApproximateCreationDateTime: Math.floor(r.arrivalMs / 1000),
      SequenceNumber: r.sequenceNumber,
      SizeBytes: dynamoDbSizeBytes(c.Keys, newImage, oldImage),
      StreamViewType: s.viewType,
    },
    eventSourceARN: s.arn,
    ...(c.userIdentity ? { userIdentity: c.userIdentity } : {}),
  };
}

export function streamEvent(records: StoredStreamRecord[], shardId: string, s: StreamIdentity): { Records: Record<string, unknown>[] } {
  return { Records: records.map((r) => (s.kind === 'kinesis' ? kinesisRecord(r, shardId, s) : dynamoDbRecord(r, s))) };
}

// Any UTF-16 unit above 0x7f: the text is then not its own Latin-1 bytes.
const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * `JSON.stringify(streamEvent(records, shardId, s))` of a Kinesis stream as UTF-8 bytes, written from
 * templates: JSON.stringify of the event's objects and the UTF-8 count of its ~560 KB text were 3 ms of
 * a 1,000-record batch's 6.5 ms of host work (Node 20); this is about 1 ms. A record's sequence number
 * (digits) and data (base64) need no escaping, as in the shard files (stream-store's lineOf); its
 * partition key is stringified. The text is ASCII, copied as Latin-1, unless a partition key is not,
 * and then it is encoded as UTF-8.
 */
export function kinesisEventBytes(records: StoredStreamRecord[], shardId: string, s: StreamIdentity): Buffer {
  // Each record is written as kinesisRecord orders its fields; what follows its event id is the same for all.
  const tail =
    `,"eventName":"aws:kinesis:record","invokeIdentityArn":${JSON.stringify(invokeIdentityArn(s.accountId))},` +
    `"awsRegion":${JSON.stringify(s.region)},"eventSourceARN":${JSON.stringify(s.arn)}}`;
  const eventIdPrefix = JSON.stringify(`${shardId}:`).slice(0, -1);
  const parts: string[] = new Array<string>(records.length);
  let ascii = !NOT_ASCII.test(tail) && !NOT_ASCII.test(eventIdPrefix);
  let length = '{"Records":[]}'.length + Math.max(0, records.length - 1);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const partitionKey = JSON.stringify(r.partitionKey);
    if (ascii && NOT_ASCII.test(partitionKey)) ascii = false;
    const arrival = r.arrivalMs / 1000;
    const part =
      `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${partitionKey},"sequenceNumber":"${r.sequenceNumber}","data":"${r.data ?? ''}",` +
      `"approximateArrivalTimestamp":${Number.isFinite(arrival) ? arrival : 'null'}},"eventSource":"aws:kinesis","eventVersion":"1.0",` +
      `"eventID":${eventIdPrefix}${r.sequenceNumber}"${tail}`;
    parts[i] = part;
    length += part.length;
  }
  if (!ascii) return utf8Bytes(`{"Records":[${parts.join(',')}]}`);
  const bytes = Buffer.allocUnsafeSlow(length);
  let at = bytes.write('{"Records":[', 0, 'latin1');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) bytes[at++] = 0x2c;
    at += bytes.write(parts[i]!, at, 'latin1');
  }
  bytes.write(']}', at, 'latin1');
  return bytes;
}

/** The id a partial batch response names a record by: kinesis.sequenceNumber / dynamodb.SequenceNumber. */
export function itemIdentifier(r: StoredStreamRecord): string {
  return r.sequenceNumber;
}

export type BatchVerdict = { kind: 'success' } | { kind: 'failure'; reason: string } | { kind: 'partial'; firstFailedIndex: number };

/**
 * Reads a function's response under ReportBatchItemFailures (lambda-behaviour §6): null, `{}`, or an empty /
 * null `batchItemFailures` → success; identifiers of records in the batch → resume from the lowest
 * of them; anything else (not an object, a non-list, an empty or unknown identifier) → the whole
 * batch failed.
 */
export function readBatchItemFailures(result: unknown, batch: StoredStreamRecord[]): BatchVerdict {
  if (result === null || result === undefined) return { kind: 'success' };
  if (typeof result !== 'object' || Array.isArray(result)) return { kind: 'failure', reason: 'the response is not a batchItemFailures object' };
  const failures = (result as Record<string, unknown>)['batchItemFailures'];
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const f of failures) {
    const id = typeof f === 'object' && f !== null ? (f as Record<string, unknown>)['itemIdentifier'] : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: 'an itemIdentifier is empty or missing' };
    const index = batch.findIndex((r) => itemIdentifier(r) === id);
    if (index < 0) return { kind: 'failure', reason: `itemIdentifier ${id} is not in the batch` };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', firstFailedIndex: lowest };
}

function isAttributeValue(v: unknown): v is DynamoDbAttributeValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const [t] = keys as [string];
  const x = (v as Record<string, unknown>)[t];
  switch (t) {
    case 'S':
    case 'N':
    case 'B':
      return typeof x === 'string';
    case 'BOOL':
      return typeof x === 'boolean';
    case 'NULL':
      return x === true;
    case 'SS':
    case 'NS':
    case 'BS':
      return Array.isArray(x) && x.every((e) => typeof e === 'string');
    case 'L':
      return Array.isArray(x) && x.every(isAttributeValue);
    case 'M':
      return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every(isAttributeValue);
    default:
      return false;
  }
}

function isItem(v: unknown): v is Record<string, DynamoDbAttributeValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isAttributeValue);
}

/** Checks a DynamoDB change (typed attribute values; images as the event name implies). */
export function validateDynamoDbChange(c: unknown): DynamoDbChangeInput {
  const hint =
    'a DynamoDB change is {"eventName": "INSERT"|"MODIFY"|"REMOVE", "Keys": {...}, "NewImage"?: {...}, "OldImage"?: {...}} with typed values such as {"N": "101"}';
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new UserError('Invalid DynamoDB change: not an object', hint, 'InvalidParameter');
  const o = c as Record<string, unknown>;
  if (o['eventName'] !== 'INSERT' && o['eventName'] !== 'MODIFY' && o['eventName'] !== 'REMOVE') {
    throw new UserError(`Invalid DynamoDB change: eventName must be INSERT, MODIFY or REMOVE, got ${JSON.stringify(o['eventName'])}`, hint, 'InvalidParameter');
  }
  if (!isItem(o['Keys']) || Object.keys(o['Keys']).length === 0)
    throw new UserError('Invalid DynamoDB change: Keys must be a non-empty map of typed attribute values', hint, 'InvalidParameter');
  for (const image of ['NewImage', 'OldImage'] as const) {
    if (o[image] !== undefined && !isItem(o[image]))
      throw new UserError(`Invalid DynamoDB change: ${image} must be a map of typed attribute values`, hint, 'InvalidParameter');
  }
  if (o['eventName'] !== 'REMOVE' && o['NewImage'] === undefined)
    throw new UserError(`Invalid DynamoDB change: ${o['eventName'] as string} needs a NewImage`, hint, 'InvalidParameter');
  return {
    eventName: o['eventName'],
    Keys: o['Keys'],
    ...(o['NewImage'] !== undefined ? { NewImage: o['NewImage'] as Record<string, DynamoDbAttributeValue> } : {}),
    ...(o['OldImage'] !== undefined ? { OldImage: o['OldImage'] as Record<string, DynamoDbAttributeValue> } : {}),
  };
}
