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
import { localAwsConfig, servedFixture } from './serve-helpers';

const fixture = servedFixture('cfn-mappings-project');

let sqs: SQSClient;
let kinesis: KinesisClient;
let s3: S3Client;
let sns: SNSClient;
const clients = () => {
  if (sqs) return;
  const config = localAwsConfig(fixture.serve.ready.awsEndpoint!);
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

  /** Sends through a source and waits for the function's invocation from it, whose event names that source. */
  async function invokedThrough(trigger: string, eventSource: string, send: () => Promise<unknown>): Promise<void> {
    clients();
    const finished = fixture.client.waitFor('invocation.finished', (r) => r.functionName === 'Worker' && r.trigger === trigger, 30_000);
    await send();
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.ok(
      record.logs.some((l) => l.endsWith(`\tINFO\t["${eventSource}"]`)),
      record.logs.join('\n'),
    );
  }

  it('a message sent to the queue invokes the function with an SQS event', () =>
    invokedThrough('sqs', 'aws:sqs', () =>
      sqs.send(new SendMessageCommand({ QueueUrl: `${fixture.serve.ready.awsEndpoint}/123456789012/jobs`, MessageBody: 'job 1' })),
    ));

  it('a record put on the stream invokes the function with a Kinesis event', () =>
    invokedThrough('stream', 'aws:kinesis', () =>
      kinesis.send(new PutRecordCommand({ StreamName: 'changes', PartitionKey: 'k', Data: new TextEncoder().encode('change 1') })),
    ));

  it('an object created in the bucket with the filtered suffix invokes the function with an S3 event', () =>
    invokedThrough('s3', 'aws:s3', () => s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'reports/march.csv', Body: 'a,b\n1,2\n' }))));

  it('a message published to the topic invokes the function with an SNS event', () =>
    invokedThrough('sns', 'aws:sns', () => sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Message: 'disk full' }))));

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
