// Pure parts of the local AWS endpoint: which Host names it answers, how a request finds its
// service, S3's ranges and aws-chunked bodies, bucket notification targets, and the variables that
// point an environment's SDK clients at the endpoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AwsServiceHandler } from '../../runtime-host/events/aws-service';
import { decodeAwsChunked, parseRange } from '../../runtime-host/events/s3/s3-api';
import { bucketNotificationTargets } from '../../runtime-host/events/s3/s3-notifications';
import { queryAttributes } from '../../runtime-host/events/sns/sns-api';
import { awsEnvironment } from '../../runtime-host/runtime/aws-environment';
import { lambdaEnvironment } from '../../runtime-host/runtime/launch-environment';
import type { FunctionConfig } from '../../runtime-host/runtime/types';
import { checkAwsHost, credentialScope, serviceOf } from '../../runtime-host/server/aws-endpoint';

describe('aws-endpoint: Host check', () => {
  it('answers loopback names with its own port, and <bucket>.localhost for S3', () => {
    assert.deepEqual(checkAwsHost('127.0.0.1:4566', 4566), { ok: true });
    assert.deepEqual(checkAwsHost('localhost:4566', 4566), { ok: true });
    assert.deepEqual(checkAwsHost('[::1]:4566', 4566), { ok: true });
    assert.deepEqual(checkAwsHost('photos.localhost:4566', 4566), { ok: true, virtualHostBucket: 'photos' });
    assert.deepEqual(checkAwsHost('my.dotted-bucket.localhost:4566', 4566), { ok: true, virtualHostBucket: 'my.dotted-bucket' });
  });
  it('refuses other names, other ports, a missing port and no Host', () => {
    for (const host of ['evil.example:4566', '127.0.0.1:4567', '127.0.0.1', 'localhost.evil.example:4566', 'photos.localhost.evil:4566', '', undefined]) {
      assert.equal(checkAwsHost(host, 4566).ok, false, String(host));
    }
  });
  it('answers the names the user allowed (--allow-host), as every other listener does', () => {
    assert.deepEqual(checkAwsHost('devbox:4566', 4566, ['devbox']), { ok: true });
    assert.equal(checkAwsHost('devbox:4566', 4566).ok, false);
    assert.equal(checkAwsHost('not-a_bucket!.localhost:4566', 4566).ok, false);
  });
});

describe('aws-endpoint: routing', () => {
  const handlers = [
    { service: 's3', handle: async () => assert.fail() },
    { service: 'kinesis', targetPrefixes: ['Kinesis_20131202.'], handle: async () => assert.fail() },
    { service: 'lambda', handle: async () => assert.fail() },
  ] as unknown as AwsServiceHandler[];
  const auth = (service: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  });

  it('reads the SigV4 scope from Authorization or a presigned X-Amz-Credential', () => {
    assert.deepEqual(credentialScope(auth('sns'), new URLSearchParams()), { region: 'eu-west-1', service: 'sns' });
    const presigned = new URLSearchParams({ 'X-Amz-Credential': 'AKID/20260101/us-west-2/s3/aws4_request' });
    assert.deepEqual(credentialScope({}, presigned), { region: 'us-west-2', service: 's3' });
    assert.equal(credentialScope({}, new URLSearchParams()), undefined);
  });
  it('routes by scope, then X-Amz-Target, then the Lambda path, else S3', () => {
    assert.equal(serviceOf(auth('sqs'), new URLSearchParams(), '/', handlers), 'sqs');
    assert.equal(serviceOf({ 'x-amz-target': 'Kinesis_20131202.PutRecord' }, new URLSearchParams(), '/', handlers), 'kinesis');
    assert.equal(serviceOf({}, new URLSearchParams(), '/2015-03-31/functions/Hello/invocations', handlers), 'lambda');
    assert.equal(serviceOf({}, new URLSearchParams(), '/photos/a.jpg', handlers), 's3');
  });
});

describe('aws-endpoint: S3 wire details', () => {
  it('reads byte ranges as S3 does', () => {
    assert.deepEqual(parseRange('bytes=0-4', 10), [0, 4]);
    assert.deepEqual(parseRange('bytes=5-', 10), [5, 9]);
    assert.deepEqual(parseRange('bytes=-3', 10), [7, 9]);
    assert.deepEqual(parseRange('bytes=8-100', 10), [8, 9]);
    assert.equal(parseRange('bytes=10-12', 10), 'invalid');
    assert.equal(parseRange('bytes=-0', 10), 'invalid');
    assert.equal(parseRange(undefined, 10), undefined);
    assert.equal(parseRange('items=1-2', 10), undefined);
  });
  it('decodes aws-chunked bodies (signed and unsigned, with trailers)', () => {
    const body = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n');
    assert.equal(decodeAwsChunked(body).toString(), 'hello world');
  });
  it('matches a bucket’s queue and topic configurations with their key filters', () => {
    const resources = {
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: 'reports',
          NotificationConfiguration: {
            QueueConfigurations: [
              { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['Q', 'Arn'] }, Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '.csv' }] } } },
            ],
            TopicConfigurations: [{ Id: 'gone', Event: 's3:ObjectRemoved:*', Topic: 'arn:aws:sns:us-east-1:123456789012:events' }],
          },
        },
      },
      Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ingest' } },
    };
    assert.deepEqual(bucketNotificationTargets(resources, { bucket: 'reports', key: 'a.csv', eventName: 'ObjectCreated:Put' }), [
      { kind: 'queue', arn: 'ingest', id: 'queue-1' },
    ]);
    assert.deepEqual(bucketNotificationTargets(resources, { bucket: 'reports', key: 'a.txt', eventName: 'ObjectCreated:Put' }), []);
    assert.deepEqual(bucketNotificationTargets(resources, { bucket: 'reports', key: 'a.txt', eventName: 'ObjectRemoved:Delete' }), [
      { kind: 'topic', arn: 'arn:aws:sns:us-east-1:123456789012:events', id: 'gone' },
    ]);
    assert.deepEqual(bucketNotificationTargets(resources, { bucket: 'other', key: 'a.csv', eventName: 'ObjectCreated:Put' }), []);
  });
});

describe('aws-endpoint: SNS query attributes', () => {
  it('reads MessageAttributes.entry.N as SNS message attributes', () => {
    const p = new URLSearchParams(
      'MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=x&MessageAttributes.entry.2.Name=n&MessageAttributes.entry.2.Value.DataType=Number&MessageAttributes.entry.2.Value.StringValue=3',
    );
    assert.deepEqual(queryAttributes(p, 'MessageAttributes'), { a: { Type: 'String', Value: 'x' }, n: { Type: 'Number', Value: '3' } });
    assert.equal(queryAttributes(new URLSearchParams(''), 'MessageAttributes'), undefined);
  });
});

describe('aws-endpoint: environment routing', () => {
  const fn: FunctionConfig = {
    name: 'F',
    handler: 'app.handler',
    codeUri: '/tmp/f',
    runtime: 'nodejs22.x',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    architecture: 'x86_64',
    environment: { AWS_ENDPOINT_URL_SQS: 'https://sqs.us-east-1.amazonaws.com' },
  } as FunctionConfig;
  const context = { runtimeApi: '127.0.0.1:1', region: 'eu-west-1', accountId: '123456789012', logStreamName: 's' };
  const developer = { PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'AKIAREALKEY', AWS_SECRET_ACCESS_KEY: 'real', AWS_SESSION_TOKEN: 'tok', AWS_PROFILE: 'work' };

  it('points every service at the endpoint with placeholder keys', () => {
    const env = awsEnvironment('us-east-1', { endpointUrl: 'http://127.0.0.1:4566' });
    for (const s of ['S3', 'SQS', 'SNS', 'KINESIS', 'LAMBDA', 'DYNAMODB', 'DYNAMODB_STREAMS', 'EVENTBRIDGE'])
      assert.equal(env[`AWS_ENDPOINT_URL_${s}`], 'http://127.0.0.1:4566');
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
    assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
    assert.equal(awsEnvironment('us-east-1', {}).AWS_ENDPOINT_URL, undefined);
  });
  it('an environment with an endpoint never carries the developer’s credentials; its own Environment still wins', () => {
    const env = lambdaEnvironment(fn, { ...context, hostEnv: developer, aws: { endpointUrl: 'http://127.0.0.1:4566' } });
    assert.equal(env.AWS_ENDPOINT_URL_S3, 'http://127.0.0.1:4566');
    assert.notEqual(env.AWS_ACCESS_KEY_ID, 'AKIAREALKEY');
    assert.notEqual(env.AWS_SESSION_TOKEN, 'tok');
    assert.equal(env.AWS_PROFILE, undefined);
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_ENDPOINT_URL_SQS, 'https://sqs.us-east-1.amazonaws.com');
    const without = lambdaEnvironment(fn, { ...context, hostEnv: developer });
    assert.equal(without.AWS_ENDPOINT_URL, undefined);
  });
});

describe('aws-endpoint: queue URLs the template resolved for AWS', () => {
  const fn = {
    name: 'Worker',
    handler: 'app.handler',
    codeUri: '/tmp/f',
    runtime: 'nodejs22.x',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    architecture: 'x86_64',
    environment: { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo', OTHER: 'https://example.com/123456789012/jobs' },
  } as FunctionConfig;
  const context = { runtimeApi: '127.0.0.1:1', region: 'eu-west-1', accountId: '123456789012', logStreamName: 's' };

  it('point at the local endpoint, so the SQS client (which sends to the URL host) reaches the local queue', () => {
    const env = lambdaEnvironment(fn, { ...context, aws: { endpointUrl: 'http://127.0.0.1:4566' } });
    assert.equal(env.QUEUE_URL, 'http://127.0.0.1:4566/123456789012/jobs.fifo');
    assert.equal(env.OTHER, 'https://example.com/123456789012/jobs');
  });

  it('stay as they are when SQS goes to real AWS, or there is no local endpoint', () => {
    assert.equal(
      lambdaEnvironment(fn, { ...context, aws: { endpointUrl: 'http://127.0.0.1:4566', services: { sqs: 'aws' } } }).QUEUE_URL,
      fn.environment.QUEUE_URL,
    );
    assert.equal(lambdaEnvironment(fn, context).QUEUE_URL, fn.environment.QUEUE_URL);
  });
});
