// The sample-event library: exact shapes against golden files (fresh ids/timestamps replaced by
// placeholders after their format is checked), parameters, freshness and the errors users cause.
// Regenerate the goldens with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { generateEvent, listTemplates, s3EventKey } from '../../runtime-host/events/templates';
import { UserError } from '../../runtime-host/runtime/types';
import { assertGolden } from '../helpers/golden';

const GOLDEN = join(__dirname, '..', 'fixtures', 'golden', 'events');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const APIGW_TIME = /^\d\d\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d\d:\d\d:\d\d \+0000$/;
const EPOCH_MS = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v - Date.now()) < 60_000;

/** Fields that are fresh on every call: key → format check. Anything else must match the golden file exactly. */
const FRESH: Record<string, (v: unknown, path: string) => boolean> = {
  eventTime: (v) => typeof v === 'string' && ISO_MS.test(v),
  Timestamp: (v) => typeof v === 'string' && ISO_MS.test(v),
  principalId: (v) => typeof v === 'string' && /^(AWS:)?[0-9A-F]{14,21}$/.test(v),
  'x-amz-request-id': (v) => typeof v === 'string' && /^[0-9A-F]{16}$/.test(v),
  'x-amz-id-2': (v) => typeof v === 'string' && /^[A-Za-z0-9+/]{76}$/.test(v),
  sequencer: (v) => typeof v === 'string' && /^[0-9A-F]{18}$/.test(v),
  eTag: (v) => typeof v === 'string' && /^[0-9a-f]{32}$/.test(v),
  sequenceNumber: (v) => typeof v === 'string' && /^4959\d{52}$/.test(v),
  approximateArrivalTimestamp: (v) => typeof v === 'number' && Math.abs(v * 1000 - Date.now()) < 60_000,
  eventID: (v) => typeof v === 'string' && (/^shardId-000000000000:4959\d{52}$/.test(v) || /^[0-9a-f]{32}$/.test(v)),
  ApproximateCreationDateTime: (v) => typeof v === 'number' && Math.abs(v * 1000 - Date.now()) < 60_000,
  SequenceNumber: (v) => typeof v === 'string' && /^[1-9]\d{20}$/.test(v),
  eventSourceARN: (v) =>
    typeof v === 'string' &&
    (/^arn:aws:dynamodb:us-east-1:123456789012:table\/ExampleTable\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/.test(v) || !v.includes('dynamodb')),
  messageId: (v) => typeof v === 'string' && UUID.test(v),
  MessageId: (v) => typeof v === 'string' && UUID.test(v),
  receiptHandle: (v) => typeof v === 'string' && /^AQEB[A-Za-z0-9+/]{200}$/.test(v),
  SenderId: (v) => typeof v === 'string' && /^AIDA[0-9A-F]{17}$/.test(v),
  SentTimestamp: (v) => typeof v === 'string' && EPOCH_MS(Number(v)),
  ApproximateFirstReceiveTimestamp: (v) => typeof v === 'string' && EPOCH_MS(Number(v)),
  EventSubscriptionArn: (v) => typeof v === 'string' && new RegExp(`^arn:aws:sns:us-east-1:123456789012:example-topic:${UUID.source.slice(1, -1)}$`).test(v),
  Signature: (v) => typeof v === 'string' && /^[A-Za-z0-9+/]{342}==$/.test(v),
  SigningCertUrl: (v) => typeof v === 'string' && /^https:\/\/sns\.us-east-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/.test(v),
  UnsubscribeUrl: (v) =>
    typeof v === 'string' &&
    new RegExp(
      `^https://sns\\.us-east-1\\.amazonaws\\.com/\\?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:example-topic:${UUID.source.slice(1, -1)}$`,
    ).test(v),
  id: (v, path) => typeof v === 'string' && (path.includes('logEvents') ? /^\d{56}$/.test(v) : UUID.test(v)),
  time: (v) => typeof v === 'string' && (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(v) || APIGW_TIME.test(v)),
  timestamp: (v) => EPOCH_MS(v),
  requestId: (v) => typeof v === 'string' && (UUID.test(v) || /^[A-Za-z0-9]{14}=$/.test(v)),
  extendedRequestId: (v) => typeof v === 'string' && /^[A-Za-z0-9]{14}=$/.test(v),
  requestTime: (v) => typeof v === 'string' && APIGW_TIME.test(v),
  requestTimeEpoch: (v) => EPOCH_MS(v),
  timeEpoch: (v) => EPOCH_MS(v),
  resourceId: (v) => typeof v === 'string' && /^[0-9a-f]{6}$/.test(v),
  'X-Amzn-Trace-Id': (v) => typeof v === 'string' && /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(v),
  // Only `awslogs.data` (its decoded content is checked separately); Kinesis `data` is a parameter.
  data: (v) => typeof v === 'string' && /^H4sI[A-Za-z0-9+/]+=*$/.test(v),
  'x-amzn-trace-id': (v) => typeof v === 'string' && /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(v),
};

/** Checks every fresh field's format, replaces it by `<fresh>`, and collects the fresh values by path. */
function normalise(value: unknown, path: string, fresh: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v, i) => normalise(v, `${path}[${i}]`, fresh));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = `${path}.${k}`;
    const check = FRESH[k];
    const notFresh = (k === 'eventSourceARN' && typeof v === 'string' && !v.includes('dynamodb')) || (k === 'data' && p !== '.awslogs.data');
    if (check && !notFresh) {
      const values = Array.isArray(v) ? v : [v];
      for (const x of values) assert.ok(check(x, p), `${p} has an unexpected format: ${JSON.stringify(x)}`);
      fresh.set(p, v);
      out[k] = Array.isArray(v) ? v.map(() => '<fresh>') : '<fresh>';
    } else {
      out[k] = normalise(v, p, fresh);
    }
  }
  return out;
}

function golden(name: string, actual: unknown): void {
  assertGolden(join(GOLDEN, `${name}.json`), actual);
}

const ids = ['messageId', 'MessageId', 'eventID', 'sequenceNumber', 'SequenceNumber', 'x-amz-request-id', 'requestId', 'receiptHandle', 'Signature'];

test('the library has every template the picker promises, each with params and defaults', () => {
  const names = listTemplates().map((t) => t.name);
  assert.deepEqual(names, [
    's3-put',
    's3-delete',
    'kinesis',
    'dynamodb-insert',
    'dynamodb-modify',
    'dynamodb-remove',
    'sqs',
    'sns',
    'eventbridge-schedule',
    'eventbridge',
    'cloudwatch-logs',
    'apigateway-rest',
    'http-api',
    'function-url',
  ]);
  for (const t of listTemplates()) {
    assert.ok(t.source && t.description, `${t.name} has a source and description`);
    assert.ok(t.params.length >= 2, `${t.name} has params`);
    for (const p of t.params) assert.equal(typeof p.default, 'string');
  }
  golden('_list', listTemplates());
});

for (const t of listTemplates()) {
  test(`${t.name}: golden shape with fresh ids and timestamps`, () => {
    const fresh1 = new Map<string, unknown>();
    const fresh2 = new Map<string, unknown>();
    const a = normalise(generateEvent(t.name), '', fresh1);
    const b = normalise(generateEvent(t.name), '', fresh2);
    assert.deepEqual(a, b, 'two events from the same template have the same shape');
    golden(t.name, a);
    // Ids are fresh on every call.
    for (const [path, v] of fresh1) {
      if (ids.some((k) => path.endsWith(`.${k}`))) assert.notEqual(fresh2.get(path), v, `${path} is fresh on every call`);
    }
  });
}

test('cloudwatch-logs: awslogs.data is gzip+base64 of the real DATA_MESSAGE JSON', () => {
  const event = generateEvent('cloudwatch-logs', { logGroup: '/aws/lambda/orders', message: 'hello world' }) as { awslogs: { data: string } };
  const decoded = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
  assert.ok(/^\d{56}$/.test(decoded.logEvents[0].id));
  assert.ok(EPOCH_MS(decoded.logEvents[0].timestamp));
  decoded.logEvents[0].id = '<fresh>';
  decoded.logEvents[0].timestamp = '<fresh>';
  assert.deepEqual(decoded, {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders',
    logStream: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    subscriptionFilters: ['example-filter'],
    logEvents: [{ id: '<fresh>', timestamp: '<fresh>', message: 'hello world' }],
  });
});

test('S3 keys are URL-encoded as S3 does (space → +, slash kept, UTF-8 percent-encoded)', () => {
  assert.equal(s3EventKey('photos/my cat (1).jpg'), 'photos/my+cat+%281%29.jpg');
  assert.equal(s3EventKey('ä/ö+ü=1&x~'), '%C3%A4/%C3%B6%2B%C3%BC%3D1%26x%7E');
  assert.equal(s3EventKey('a-b_c.d*e'), 'a-b_c.d*e');
  const event = generateEvent('s3-put', { bucket: 'photos', key: 'in box/a b.png', size: '2048', eTag: 'd41d8cd98f00b204e9800998ecf8427e' }) as any;
  const r = event.Records[0];
  assert.equal(r.eventName, 'ObjectCreated:Put');
  assert.deepEqual(r.s3.bucket.name, 'photos');
  assert.equal(r.s3.bucket.arn, 'arn:aws:s3:::photos');
  assert.equal(r.s3.object.key, 'in+box/a+b.png');
  assert.equal(r.s3.object.size, 2048);
  assert.equal(r.s3.object.eTag, 'd41d8cd98f00b204e9800998ecf8427e');
  const del = (generateEvent('s3-delete', { key: 'a b' }) as any).Records[0];
  assert.equal(del.eventName, 'ObjectRemoved:Delete');
  assert.deepEqual(Object.keys(del.s3.object), ['key', 'sequencer']);
});

test('params reach the event: kinesis data is base64, sqs md5 is real, dynamodb images follow eventName', () => {
  const k = (generateEvent('kinesis', { partitionKey: 'user-7', data: 'héllo', stream: 'orders', region: 'eu-west-1' }) as any).Records[0];
  assert.equal(k.kinesis.partitionKey, 'user-7');
  assert.equal(Buffer.from(k.kinesis.data, 'base64').toString('utf8'), 'héllo');
  assert.equal(k.eventSourceARN, 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders');
  assert.equal(k.eventID, `shardId-000000000000:${k.kinesis.sequenceNumber}`);
  const k2 = (generateEvent('kinesis') as any).Records[0];
  assert.ok(BigInt(k2.kinesis.sequenceNumber) > BigInt(k.kinesis.sequenceNumber), 'sequence numbers increase');

  const s = (generateEvent('sqs', { body: '{"order":1}' }) as any).Records[0];
  assert.equal(s.body, '{"order":1}');
  assert.equal(s.md5OfBody, createHash('md5').update('{"order":1}').digest('hex'));

  const ins = (generateEvent('dynamodb-insert', { id: '7', message: 'hi' }) as any).Records[0].dynamodb;
  assert.deepEqual(ins.Keys, { Id: { N: '7' } });
  assert.deepEqual(ins.NewImage, { Message: { S: 'hi' }, Id: { N: '7' } });
  assert.equal(ins.OldImage, undefined);
  const rem = (generateEvent('dynamodb-remove') as any).Records[0].dynamodb;
  assert.equal(rem.NewImage, undefined);
  assert.deepEqual(rem.OldImage, { Message: { S: 'This item has changed' }, Id: { N: '101' } });

  const sns = (generateEvent('sns', { message: 'ping', subject: 'S', topic: 't1' }) as any).Records[0].Sns;
  assert.equal(sns.Message, 'ping');
  assert.equal(sns.Subject, 'S');
  assert.equal(sns.TopicArn, 'arn:aws:sns:us-east-1:123456789012:t1');
});

test('HTTP templates: query strings multi-value (1.0) and comma-joined (2.0), cookies, path parameters', () => {
  const rest = generateEvent('apigateway-rest', {
    method: 'post',
    path: '/orders/42',
    resource: '/orders/{id}',
    query: 'a=1&a=2&b=x+y',
    body: '{"n":1}',
  }) as any;
  assert.equal(rest.httpMethod, 'POST');
  assert.equal(rest.resource, '/orders/{id}');
  assert.deepEqual(rest.pathParameters, { id: '42' });
  assert.deepEqual(rest.queryStringParameters, { a: '2', b: 'x y' });
  assert.deepEqual(rest.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'] });
  assert.equal(rest.requestContext.path, '/Prod/orders/42');
  assert.equal(rest.body, '{"n":1}');
  assert.equal(rest.isBase64Encoded, false);

  const v2 = generateEvent('http-api', { path: '/items/9', routeKey: 'GET /items/{id}', query: 'a=1&a=2', cookies: 's=1; t=2' }) as any;
  assert.equal(v2.routeKey, 'GET /items/{id}');
  assert.deepEqual(v2.pathParameters, { id: '9' });
  assert.deepEqual(v2.queryStringParameters, { a: '1,2' });
  assert.equal(v2.rawQueryString, 'a=1&a=2');
  assert.deepEqual(v2.cookies, ['s=1', 't=2']);
  assert.equal(v2.headers.cookie, undefined);

  const url = generateEvent('function-url', { method: 'PUT', body: 'a=1', contentType: 'application/x-www-form-urlencoded' }) as any;
  assert.equal(url.routeKey, '$default');
  assert.equal(url.requestContext.stage, '$default');
  assert.equal(url.isBase64Encoded, true);
  assert.equal(Buffer.from(url.body, 'base64').toString(), 'a=1');
});

test('unknown template or parameter is a UserError naming what is allowed', () => {
  assert.throws(
    () => generateEvent('s3-post'),
    (err: unknown) =>
      err instanceof UserError &&
      err.message === "unknown event template 's3-post'" &&
      err.hint ===
        'templates: s3-put, s3-delete, kinesis, dynamodb-insert, dynamodb-modify, dynamodb-remove, sqs, sns, eventbridge-schedule, eventbridge, cloudwatch-logs, apigateway-rest, http-api, function-url',
  );
  assert.throws(
    () => generateEvent('sqs', { bucket: 'x' }),
    (err: unknown) =>
      err instanceof UserError &&
      err.message === "template 'sqs' has no parameter 'bucket'" &&
      err.hint === 'parameters of sqs: queue, body, region, accountId',
  );
  assert.throws(
    () => generateEvent('s3-put', { size: '-1' }),
    (err: unknown) => err instanceof UserError && /size must be a whole number/.test(err.message),
  );
});
