// Event source mapping options through a real `node dist/cli.js serve`: DynamoDB stream records
// (lambda-behaviour §6 shape), ReportBatchItemFailures partial batch responses, MaximumBatchingWindowInSeconds
// and MaximumRecordAgeInSeconds. The streams these tests need are appended to the fixture's
// template in the test's own copy, so streams.test.ts keeps its exact stream list.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { StreamFailureInfo } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { servedFixture, waitUntil } from './serve-helpers';

const EXTRA_RESOURCES = `
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders-table
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
  TableFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: mapping.table
      Events:
        Table:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt OrdersTable.StreamArn
            BatchSize: 10
            StartingPosition: TRIM_HORIZON
  PartialStream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: partial
      ShardCount: 1
  PartialFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: mapping.partial
      Events:
        Partial:
          Type: Kinesis
          Properties:
            Stream: !GetAtt PartialStream.Arn
            BatchSize: 10
            StartingPosition: TRIM_HORIZON
            MaximumRetryAttempts: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
  WindowStream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: window
      ShardCount: 1
  WindowFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream
      Events:
        Window:
          Type: Kinesis
          Properties:
            Stream: !GetAtt WindowStream.Arn
            BatchSize: 3
            MaximumBatchingWindowInSeconds: 15
            StartingPosition: TRIM_HORIZON
  AgingStream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: aging
      ShardCount: 1
  AgingFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: mapping.aging
      Events:
        Aging:
          Type: Kinesis
          Properties:
            Stream: !GetAtt AgingStream.Arn
            BatchSize: 10
            StartingPosition: TRIM_HORIZON
            MaximumRetryAttempts: -1
            MaximumRecordAgeInSeconds: 2
            DestinationConfig:
              OnFailure:
                Destination: arn:aws:sqs:us-east-1:123456789012:aging-dlq
`;

type KinesisEv = { Records: { kinesis: { data: string; sequenceNumber: string } }[] };
type DynamoEv = { Records: Record<string, unknown>[] };
type Put = { shardId: string; sequenceNumber: string }[];
const values = (r: InvocationRecord) => (r.event as KinesisEv).Records.map((x) => Buffer.from(x.kinesis.data, 'base64').toString('utf8'));

describe('stream event source mappings through a real serve', () => {
  const fx = servedFixture('events-project', { prepare: (dir) => appendFileSync(join(dir, 'template.yaml'), EXTRA_RESOURCES) });
  const invocations = (fn: string) =>
    fx.client.notifications
      .filter((n) => n.method === 'invocation.finished')
      .map((n) => n.params as InvocationRecord)
      .filter((r) => r.kind === 'invocation' && r.functionName === fn);
  const put = (stream: string, data: string[]) =>
    fx.client.request<Put>('stream.putRecords', { stream, records: data.map((d) => ({ partitionKey: 'p', data: d })) });
  const failures = (stream: string) => fx.client.request<StreamFailureInfo[]>('stream.listFailures', { stream });

  it('delivers DynamoDB INSERT/MODIFY/REMOVE changes in the exact stream record shape', async () => {
    const list = await fx.client.request<{ name: string; kind: string; shards: number; arn: string; functions: string[] }[]>('stream.list');
    const table = list.find((s) => s.name === 'orders-table')!;
    assert.deepEqual([table.kind, table.shards, table.functions], ['dynamodb', 1, ['TableFunction']]);
    assert.match(table.arn, /^arn:aws:dynamodb:us-east-1:123456789012:table\/orders-table\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);

    // The changes of AWS's documented DynamoDB stream sample event (its SizeBytes are 26, 59, 38).
    const keys = { Id: { N: '101' } };
    const changes = [
      { eventName: 'INSERT', Keys: keys, NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } } },
      {
        eventName: 'MODIFY',
        Keys: keys,
        OldImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        NewImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
      },
      // A REMOVE given as `data` JSON, the other accepted form; its NewImage must not be delivered.
      { eventName: 'REMOVE', Keys: keys, OldImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } } },
    ];
    const beforeS = Math.floor(Date.now() / 1000);
    const seqs = [
      ...(await fx.client.request<Put>('stream.putRecords', { stream: 'orders-table', records: changes.slice(0, 2).map((c) => ({ dynamodb: c })) })),
      ...(await fx.client.request<Put>('stream.putRecords', {
        stream: 'orders-table',
        records: [{ partitionKey: 'ignored', data: JSON.stringify(changes[2]) }],
      })),
    ];
    const afterS = Math.ceil(Date.now() / 1000);
    for (const s of seqs) {
      assert.equal(s.shardId, 'shardId-000000000000');
      assert.match(s.sequenceNumber, /^\d{21}$/);
    }
    assert.ok(BigInt(seqs[0]!.sequenceNumber) < BigInt(seqs[1]!.sequenceNumber) && BigInt(seqs[1]!.sequenceNumber) < BigInt(seqs[2]!.sequenceNumber));

    await waitUntil(() => invocations('TableFunction').flatMap((r) => (r.event as DynamoEv).Records).length >= 3, 60_000, '3 DynamoDB records delivered');
    const calls = invocations('TableFunction');
    for (const c of calls) assert.equal(c.status, 'success');
    const records = calls.flatMap((r) => (r.event as DynamoEv).Records);
    assert.equal(records.length, 3);
    const sizes = [26, 59, 38];
    records.forEach((rec, i) => {
      const d = rec['dynamodb'] as Record<string, unknown>;
      assert.match(rec['eventID'] as string, /^[0-9a-f]{32}$/);
      const created = d['ApproximateCreationDateTime'] as number;
      assert.ok(Number.isInteger(created) && created >= beforeS && created <= afterS, `ApproximateCreationDateTime ${created}`);
      const c = changes[i]!;
      assert.deepEqual(rec, {
        eventID: rec['eventID'],
        eventName: c.eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: keys,
          ...(c.eventName !== 'REMOVE' ? { NewImage: c.NewImage } : {}),
          ...(c.eventName !== 'INSERT' ? { OldImage: c.OldImage } : {}),
          ApproximateCreationDateTime: created,
          SequenceNumber: seqs[i]!.sequenceNumber,
          SizeBytes: sizes[i],
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: table.arn,
      });
    });
    assert.equal(new Set(records.map((r) => r['eventID'])).size, 3, 'eventIDs are unique');
  });

  it('rejects an invalid DynamoDB change without putting anything', async () => {
    await assert.rejects(
      fx.client.request('stream.putRecords', { stream: 'orders-table', records: [{ dynamodb: { eventName: 'INSERT', Keys: { Id: { N: '1' } } } }] }),
      (err: Error) => /INSERT needs a NewImage/.test(err.message),
    );
    const list = await fx.client.request<{ name: string; records: number }[]>('stream.list');
    assert.equal(list.find((s) => s.name === 'orders-table')!.records, 3);
  });

  it('ReportBatchItemFailures: resumes from the lowest failed sequence number, earlier records are not redelivered', async () => {
    const seqs = await put('partial', ['ok-1', 'bad-2', 'ok-3', 'bad-4', 'ok-5']);
    await waitUntil(async () => (await failures('partial')).length === 1, 60_000, 'the failing rest discarded');
    // MaximumRetryAttempts 1: the batch, then one retry from bad-2 (ok-1 was checkpointed), then discarded.
    assert.deepEqual(
      invocations('PartialFunction').map((r) => [values(r).join(), r.status, r.attempt]),
      [
        ['ok-1,bad-2,ok-3,bad-4,ok-5', 'success', 0],
        ['bad-2,ok-3,bad-4,ok-5', 'success', 1],
      ],
    );
    const [f] = await failures('partial');
    assert.equal(f!.record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(f!.record.requestContext.approximateInvokeCount, 2);
    assert.equal(f!.record.KinesisBatchInfo!.startSequenceNumber, seqs[1]!.sequenceNumber);
    assert.equal(f!.record.KinesisBatchInfo!.endSequenceNumber, seqs[4]!.sequenceNumber);
    assert.equal(f!.record.KinesisBatchInfo!.batchSize, 4);
  });

  it('ReportBatchItemFailures: an empty itemIdentifier fails the whole batch', async () => {
    const already = invocations('PartialFunction').length;
    const seqs = await put('partial', ['fine-1', 'invalid', 'fine-3']);
    await waitUntil(async () => (await failures('partial')).length === 2, 60_000, 'the invalid batch discarded');
    assert.deepEqual(
      invocations('PartialFunction')
        .slice(already)
        .map((r) => [values(r).join(), r.attempt]),
      [
        ['fine-1,invalid,fine-3', 0],
        ['fine-1,invalid,fine-3', 1],
      ],
    );
    const f = (await failures('partial'))[1]!;
    assert.equal(f.record.KinesisBatchInfo!.startSequenceNumber, seqs[0]!.sequenceNumber);
    assert.equal(f.record.KinesisBatchInfo!.batchSize, 3);
  });

  it('ReportBatchItemFailures: a null response and an empty list are whole-batch successes', async () => {
    for (const data of ['null-response', 'empty-list']) {
      const already = invocations('PartialFunction').length;
      await put('partial', [data, `${data}-2`]);
      await waitUntil(() => invocations('PartialFunction').length > already, 60_000, `${data} delivered`);
      // The next record arrives alone: the batch was checkpointed, not retried.
      await put('partial', [`after-${data}`]);
      await waitUntil(() => invocations('PartialFunction').length > already + 1, 60_000, `after-${data} delivered`);
      assert.deepEqual(
        invocations('PartialFunction')
          .slice(already)
          .map((r) => [values(r).join(), r.status, r.attempt]),
        [
          [`${data},${data}-2`, 'success', 0],
          [`after-${data}`, 'success', 0],
        ],
      );
    }
    assert.equal((await failures('partial')).length, 2);
  });

  it('MaximumBatchingWindowInSeconds: records put one by one within the window arrive in one batch', async () => {
    for (const d of ['w-1', 'w-2', 'w-3']) await put('window', [d]);
    await waitUntil(() => invocations('WindowFunction').length >= 1, 60_000, 'the window batch');
    // The window then ends on its own for a batch that never fills.
    await put('window', ['w-4']);
    await waitUntil(() => invocations('WindowFunction').length >= 2, 60_000, 'the lone record after its window');
    assert.deepEqual(
      invocations('WindowFunction').map((r) => values(r).join()),
      ['w-1,w-2,w-3', 'w-4'],
    );
  });

  it('MaximumRecordAgeInSeconds: a record that keeps failing is discarded once too old, never delivered successfully', async () => {
    const seqs = await put('aging', ['age-1', 'age-2']);
    await waitUntil(async () => (await failures('aging')).length === 1, 60_000, 'expired records discarded');
    const [f] = await failures('aging');
    assert.equal(f!.destination, 'arn:aws:sqs:us-east-1:123456789012:aging-dlq');
    assert.equal(f!.record.requestContext.condition, 'RecordAgeExceeded');
    assert.deepEqual(
      [f!.record.KinesisBatchInfo!.startSequenceNumber, f!.record.KinesisBatchInfo!.endSequenceNumber, f!.record.KinesisBatchInfo!.batchSize],
      [seqs[0]!.sequenceNumber, seqs[1]!.sequenceNumber, 2],
    );
    for (const r of invocations('AgingFunction')) assert.deepEqual([values(r).join(), r.status], ['age-1,age-2', 'error']);
    // The shard is unblocked: a fresh record is delivered and succeeds.
    await put('aging', ['fresh']);
    await waitUntil(() => invocations('AgingFunction').some((r) => values(r).join() === 'fresh'), 60_000, 'fresh delivered');
    const fresh = invocations('AgingFunction').filter((r) => values(r).includes('fresh'));
    assert.deepEqual(
      fresh.map((r) => [values(r).join(), r.status]),
      [['fresh', 'success']],
    );
  });
});
