// The local AWS endpoint's SNS, Kinesis and Lambda, driven by the real @aws-sdk/client-sns, -kinesis
// (HTTP/2 without TLS on the same port) and -lambda from the test process against a real `serve`.
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  AddPermissionCommand,
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import { repoRoot, servedFixture, waitUntil } from './serve-helpers';

const fixture = servedFixture('aws-project', {
  prepare: (dir) => symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')),
});

const clientConfig = () => ({
  endpoint: fixture.serve.ready.awsEndpoint!,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
  maxAttempts: 1,
});
let snsClient: SNSClient | undefined;
let kinesisClient: KinesisClient | undefined;
let lambdaClient: LambdaClient | undefined;
const sns = () => (snsClient ??= new SNSClient(clientConfig()));
const kinesis = () => (kinesisClient ??= new KinesisClient(clientConfig()));
const lambda = () => (lambdaClient ??= new LambdaClient(clientConfig()));
after(() => {
  snsClient?.destroy();
  kinesisClient?.destroy();
  lambdaClient?.destroy();
});

type SdkError = Error & { $metadata: { httpStatusCode?: number } };
async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  assert.fail('expected the call to fail');
}

async function invocationsOf(fn: string): Promise<ListInvocationsResult['records']> {
  return (await fixture.client.request<ListInvocationsResult>('listInvocations', { function: fn, limit: 200 })).records;
}

describe('AWS endpoint: SNS (query protocol)', () => {
  it('publishes to a template topic and its Lambda subscriber receives the message, subject and attributes', async () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:notices';
    const out = await sns().send(
      new PublishCommand({
        TopicArn: arn,
        Message: 'from the SNS client',
        Subject: 'Hello',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    assert.match(out.MessageId ?? '', /^[0-9a-f-]{36}$/);
    let sns0: Record<string, unknown> | undefined;
    await waitUntil(
      async () => {
        const r = (await invocationsOf('OnNotice')).find((x) => x.status === 'success' && JSON.stringify(x.event).includes(out.MessageId!));
        sns0 = (r?.event as { Records: { Sns: Record<string, unknown> }[] } | undefined)?.Records[0]?.Sns;
        return sns0 !== undefined;
      },
      60_000,
      'OnNotice invoked',
    );
    assert.equal(sns0!.Message, 'from the SNS client');
    assert.equal(sns0!.Subject, 'Hello');
    assert.deepEqual(sns0!.MessageAttributes, { kind: { Type: 'String', Value: 'test' } });
  });

  it('publishes a batch, reporting each entry', async () => {
    const out = await sns().send(
      new PublishBatchCommand({
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:notices',
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'first' },
          { Id: 'two', Message: 'second' },
        ],
      }),
    );
    assert.deepEqual(
      out.Successful?.map((s) => s.Id),
      ['one', 'two'],
    );
    assert.equal(out.Failed?.length ?? 0, 0);
  });

  it('creates and lists topics, subscribes a queue and lists subscriptions next to the Lambda ones', async () => {
    const created = await sns().send(new CreateTopicCommand({ Name: 'made-by-sdk' }));
    assert.equal(created.TopicArn, 'arn:aws:sns:us-east-1:123456789012:made-by-sdk');
    const topics = (await sns().send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn);
    assert.ok(topics?.includes(created.TopicArn!) && topics.includes('arn:aws:sns:us-east-1:123456789012:notices'), String(topics));
    const sub = await sns().send(
      new SubscribeCommand({
        TopicArn: created.TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:123456789012:inbox',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    assert.match(sub.SubscriptionArn ?? '', /^arn:aws:sns:us-east-1:123456789012:made-by-sdk:/);
    const byTopic = await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn: created.TopicArn }));
    assert.deepEqual(
      byTopic.Subscriptions?.map((s) => [s.Protocol, s.Endpoint]),
      [['sqs', 'arn:aws:sqs:us-east-1:123456789012:inbox']],
    );
    const all = await sns().send(new ListSubscriptionsCommand({}));
    assert.ok(
      all.Subscriptions?.some((s) => s.Protocol === 'lambda' && s.Endpoint?.endsWith(':function:OnNotice')),
      JSON.stringify(all.Subscriptions),
    );
    const attrs = await sns().send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }));
    assert.equal(attrs.Attributes?.SubscriptionsConfirmed, '1');
  });

  it('refuses a topic that does not exist with NotFound, and an unsupported action naming it', async () => {
    const missing = await sdkError(sns().send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nowhere', Message: 'x' })));
    assert.equal(missing.name, 'NotFoundException');
    assert.equal(missing.$metadata.httpStatusCode, 404);
    const unsupported = await sdkError(
      sns().send(
        new AddPermissionCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:notices', Label: 'l', AWSAccountId: ['1'], ActionName: ['Publish'] }),
      ),
    );
    assert.equal(unsupported.$metadata.httpStatusCode, 400);
    assert.match(unsupported.message, /AddPermission/);
  });
});

describe('AWS endpoint: Kinesis (JSON 1.1 over h2c)', () => {
  it('lists and describes the template stream', async () => {
    const streams = await kinesis().send(new ListStreamsCommand({}));
    assert.ok(streams.StreamNames?.includes('clicks'), String(streams.StreamNames));
    const d = await kinesis().send(new DescribeStreamCommand({ StreamName: 'clicks' }));
    assert.equal(d.StreamDescription?.StreamARN, 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks');
    assert.equal(d.StreamDescription?.StreamStatus, 'ACTIVE');
    assert.deepEqual(
      d.StreamDescription?.Shards?.map((s) => s.ShardId),
      ['shardId-000000000000'],
    );
    const summary = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: 'clicks' }));
    assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 1);
    const shards = await kinesis().send(new ListShardsCommand({ StreamName: 'clicks' }));
    assert.equal(shards.Shards?.[0]?.HashKeyRange?.EndingHashKey, ((1n << 128n) - 1n).toString());
  });

  it('puts records that the mapped function receives and GetRecords reads back in order', async () => {
    const one = await kinesis().send(new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'p1', Data: Buffer.from('click-1') }));
    assert.equal(one.ShardId, 'shardId-000000000000');
    const many = await kinesis().send(
      new PutRecordsCommand({
        StreamName: 'clicks',
        Records: [
          { PartitionKey: 'p2', Data: Buffer.from('click-2') },
          { PartitionKey: 'p3', Data: Buffer.from('click-3') },
        ],
      }),
    );
    assert.equal(many.FailedRecordCount, 0);
    assert.equal(many.Records?.length, 2);
    const iterator = await kinesis().send(
      new GetShardIteratorCommand({
        StreamName: 'clicks',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: one.SequenceNumber,
      }),
    );
    const got = await kinesis().send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
    assert.deepEqual(
      got.Records?.map((r) => Buffer.from(r.Data!).toString()),
      ['click-1', 'click-2', 'click-3'],
    );
    assert.equal(got.Records?.[0]?.PartitionKey, 'p1');
    const next = await kinesis().send(new GetRecordsCommand({ ShardIterator: got.NextShardIterator }));
    assert.equal(next.Records?.length, 0);
    await waitUntil(
      async () => {
        const data = (await invocationsOf('OnClick'))
          .flatMap((r) => (r.event as { Records?: { kinesis: { data: string } }[] } | undefined)?.Records ?? [])
          .map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
        return ['click-1', 'click-2', 'click-3'].every((c) => data.includes(c));
      },
      60_000,
      'OnClick received the three records',
    );
  });

  it('refuses an unknown stream and an unsupported operation in Kinesis’s error shape', async () => {
    const missing = await sdkError(kinesis().send(new DescribeStreamCommand({ StreamName: 'nope' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    const unsupported = await sdkError(
      kinesis().send(new MergeShardsCommand({ StreamName: 'clicks', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' })),
    );
    assert.equal(unsupported.name, 'UnknownOperationException');
    assert.match(unsupported.message, /MergeShards/);
  });
});

describe('AWS endpoint: Lambda', () => {
  it('invokes a function through the same endpoint (the Invoke API’s handler)', async () => {
    const out = await lambda().send(new InvokeCommand({ FunctionName: 'Echo', Payload: new TextEncoder().encode(JSON.stringify({ n: 1 })) }));
    assert.equal(out.StatusCode, 200);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.Payload)), { echoed: { n: 1 } });
    const missing = await sdkError(lambda().send(new InvokeCommand({ FunctionName: 'Nope' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('answers an operation other than Invoke with an error naming it', async () => {
    const err = await sdkError(lambda().send(new ListFunctionsCommand({})));
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.match(err.message, /GET \/2015-03-31\/functions/);
  });
});
