// CloudFormation's own ways to connect sources to a function, as CDK and hand-written templates declare them,
// through a real serve and the real AWS SDK clients: AWS::Lambda::EventSourceMapping (a queue and a stream)
// a bucket's NotificationConfiguration.LambdaConfigurations and a topic's Subscription list reach a plain
// AWS::Lambda::Function as its SAM events would, the function lists them, and what cannot run locally is
// named at its line.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { servedFixture } from './serve-helpers';

const fixture = servedFixture('cfn-mappings-project');

let sqs: SQSClient;
let kinesis: KinesisClient;
let s3: S3Client;
let sns: SNSClient;
const clients = () => {
  if (sqs) return;
  const config = {
    endpoint: fixture.serve.ready.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  sqs = new SQSClient(config);
  kinesis = new KinesisClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  sns = new SNSClient(config);
};
after(() => {
  sqs?.destroy();
  kinesis?.destroy();
  s3?.destroy();
  sns?.destroy();
});

describe("CloudFormation's mappings, bucket notifications and subscriptions", () => {
  it('the function lists them as its events', async () => {
    const functions = await fixture.client.request<FunctionInfo[]>('listFunctions');
    const worker = functions.find((f) => f.name === 'Worker');
    assert.ok(worker, 'the function is served');
    assert.deepEqual(
      worker.events.map((e) => [e.type, 'name' in e ? e.name : undefined]),
      [
        ['SQS', 'JobsMapping'],
        ['Kinesis', 'ChangesMapping'],
        ['S3', 'CsvUploads'],
        ['SNS', 'AlertsSubscription1'],
      ],
    );
  });

  it('a message sent to the queue invokes the function with an SQS event', async () => {
    clients();
    const finished = fixture.client.waitFor('invocation.finished', (r) => r.functionName === 'Worker' && r.trigger === 'sqs', 30_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: `${fixture.serve.ready.awsEndpoint}/123456789012/jobs`, MessageBody: 'job 1' }));
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.ok(
      record.logs.some((l) => l.endsWith('\tINFO\t["aws:sqs"]')),
      record.logs.join('\n'),
    );
  });

  it('a record put on the stream invokes the function with a Kinesis event', async () => {
    clients();
    const finished = fixture.client.waitFor('invocation.finished', (r) => r.functionName === 'Worker' && r.trigger === 'stream', 30_000);
    await kinesis.send(new PutRecordCommand({ StreamName: 'changes', PartitionKey: 'k', Data: new TextEncoder().encode('change 1') }));
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.ok(
      record.logs.some((l) => l.endsWith('\tINFO\t["aws:kinesis"]')),
      record.logs.join('\n'),
    );
  });

  it('an object created in the bucket with the filtered suffix invokes the function with an S3 event', async () => {
    clients();
    const finished = fixture.client.waitFor('invocation.finished', (r) => r.functionName === 'Worker' && r.trigger === 's3', 30_000);
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'reports/march.csv', Body: 'a,b\n1,2\n' }));
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.ok(
      record.logs.some((l) => l.endsWith('\tINFO\t["aws:s3"]')),
      record.logs.join('\n'),
    );
  });

  it('a message published to the topic invokes the function with an SNS event', async () => {
    clients();
    const finished = fixture.client.waitFor('invocation.finished', (r) => r.functionName === 'Worker' && r.trigger === 'sns', 30_000);
    await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Message: 'disk full' }));
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.ok(
      record.logs.some((l) => l.endsWith('\tINFO\t["aws:sns"]')),
      record.logs.join('\n'),
    );
  });

  it('what cannot run locally is named once at load, at its line', () => {
    const log = fixture.serve.stderr();
    for (const what of [
      /template\.yaml:\d+.*KafkaMapping \(AWS::Lambda::EventSourceMapping\): arn:aws:kafka:us-east-1:123456789012:cluster\/orders\/0abc is not read locally \(SQS queues, Kinesis streams and DynamoDB streams are\)/,
      /template\.yaml:\d+.*AlertsSubscription2: Protocol email is not delivered locally \(SQS queues and Lambda functions are\)/,
      /template\.yaml:\d+.*Uploads: LambdaConfigurations\[1\]: its function 'arn:aws:lambda:us-east-1:123456789012:function:deployed-elsewhere' is not a function of this template/,
      /template\.yaml:\d+.*ElsewhereMapping \(AWS::Lambda::EventSourceMapping\): its function 'arn:aws:lambda:us-east-1:123456789012:function:deployed-elsewhere' is not a function of this template/,
    ]) {
      assert.equal(log.split('\n').filter((l) => what.test(l)).length, 1, `${what}\n${log}`);
    }
    assert.doesNotMatch(log, /EventSourceMapping\) is not emulated/);
  });
});
