// S3, Kinesis and DynamoDB stream sample events (lambda-behaviour §6; SAM CLI's samples are the model).
import { base64Id, dynamoSequenceNumber, hex, isoTime, kinesisSequenceNumber, md5Hex, s3Sequencer, uuid } from './ids';
import { advancedParam, param, type EventTemplate } from './types';

/**
 * Keys in S3 notifications are URL-encoded the way S3 does it (form encoding): a space becomes `+`,
 * `/` and `A-Za-z0-9 . _ - *` stay, everything else is %XX of its UTF-8 bytes.
 */
export function s3EventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9._\-*/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const region = advancedParam('region', 'us-east-1', 'AWS Region of the source');
const accountId = advancedParam('accountId', '123456789012', 'AWS account id in ARNs');

function s3Record(eventName: string, p: Record<string, string>, object: Record<string, unknown>) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: p.region,
    eventTime: isoTime(),
    eventName,
    userIdentity: { principalId: `AWS:${hex(21, true)}` },
    requestParameters: { sourceIPAddress: p.sourceIp },
    responseElements: { 'x-amz-request-id': hex(16, true), 'x-amz-id-2': base64Id(57) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: p.configurationId,
      bucket: { name: p.bucket, ownerIdentity: { principalId: hex(14, true) }, arn: `arn:aws:s3:::${p.bucket}` },
      object,
    },
  };
}

function nonNegativeInt(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new RangeError(`${name} must be a whole number of bytes, got '${value}'`);
  return Number(value);
}

const s3Common = [
  param('bucket', 'example-bucket', 'bucket name'),
  param('key', 'test/key.txt', 'object key (URL-encoded in the event as S3 does)'),
  region,
  advancedParam('sourceIp', '127.0.0.1', 'requestParameters.sourceIPAddress'),
  advancedParam('configurationId', 'testConfigRule', 'the notification configuration id'),
];

export const storageTemplates: EventTemplate[] = [
  {
    name: 's3-put',
    source: 'S3',
    description: 'S3 ObjectCreated:Put notification',
    params: [...s3Common, param('size', '1024', 'object size in bytes'), advancedParam('eTag', '', 'object ETag (hex MD5; random when empty)')],
    generate: (p) => ({
      Records: [
        s3Record('ObjectCreated:Put', p, {
          key: s3EventKey(p.key!),
          size: nonNegativeInt(p.size!, 'size'),
          eTag: p.eTag || md5Hex(uuid()),
          sequencer: s3Sequencer(),
        }),
      ],
    }),
  },
  {
    name: 's3-delete',
    source: 'S3',
    description: 'S3 ObjectRemoved:Delete notification (no size or eTag, as S3 sends it)',
    params: s3Common,
    generate: (p) => ({ Records: [s3Record('ObjectRemoved:Delete', p, { key: s3EventKey(p.key!), sequencer: s3Sequencer() })] }),
  },
  {
    name: 'kinesis',
    source: 'Kinesis',
    description: 'Kinesis Data Streams record batch (one record)',
    params: [
      param('stream', 'example-stream', 'stream name'),
      param('partitionKey', 'partitionKey-1', 'the record partition key'),
      param('data', 'Hello, this is a test.', 'record data as text (base64-encoded in the event)'),
      advancedParam('shardId', 'shardId-000000000000', 'shard the record came from'),
      region,
      accountId,
    ],
    generate: (p) => {
      const sequenceNumber = kinesisSequenceNumber();
      return {
        Records: [
          {
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: p.partitionKey,
              sequenceNumber,
              data: Buffer.from(p.data!, 'utf8').toString('base64'),
              approximateArrivalTimestamp: Math.round(Date.now()) / 1000,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `${p.shardId}:${sequenceNumber}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: `arn:aws:iam::${p.accountId}:role/lambda-role`,
            awsRegion: p.region,
            eventSourceARN: `arn:aws:kinesis:${p.region}:${p.accountId}:stream/${p.stream}`,
          },
        ],
      };
    },
  },
  ...(['INSERT', 'MODIFY', 'REMOVE'] as const).map((eventName): EventTemplate => ({
    name: `dynamodb-${eventName.toLowerCase()}`,
    source: 'DynamoDB',
    description: `DynamoDB stream ${eventName} record (NEW_AND_OLD_IMAGES)`,
    params: [
      param('table', 'ExampleTable', 'table name'),
      param('id', '101', 'the item key `Id` (a number attribute)'),
      param('message', eventName === 'INSERT' ? 'New item!' : 'This item has changed', 'the `Message` attribute of the new image'),
      param('oldMessage', eventName === 'MODIFY' ? 'New item!' : 'This item has changed', 'the `Message` attribute of the old image'),
      region,
      accountId,
    ],
    generate: (p) => {
      const keys = { Id: { N: p.id! } };
      const newImage = { Message: { S: p.message! }, Id: { N: p.id! } };
      const oldImage = { Message: { S: p.oldMessage! }, Id: { N: p.id! } };
      const dynamodb: Record<string, unknown> = { ApproximateCreationDateTime: Math.floor(Date.now() / 1000), Keys: keys };
      if (eventName !== 'REMOVE') dynamodb.NewImage = newImage;
      if (eventName !== 'INSERT') dynamodb.OldImage = oldImage;
      dynamodb.SequenceNumber = dynamoSequenceNumber();
      dynamodb.SizeBytes = Buffer.byteLength(JSON.stringify(dynamodb.NewImage ?? {}) + JSON.stringify(dynamodb.OldImage ?? {}) + JSON.stringify(keys));
      dynamodb.StreamViewType = 'NEW_AND_OLD_IMAGES';
      return {
        Records: [
          {
            eventID: hex(32),
            eventName,
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: p.region,
            dynamodb,
            eventSourceARN: `arn:aws:dynamodb:${p.region}:${p.accountId}:table/${p.table}/stream/${isoTime().slice(0, -1)}`,
          },
        ],
      };
    },
  })),
];
