// StartingPosition and MaximumRetryAttempts of Kinesis event source mappings through a real
// `node dist/cli.js serve`. The starting-position mappings are added to the template while serve
// runs, so records already on the stream were put before those mappings existed, exactly as when a
// user adds a Kinesis event to a function whose stream already has data.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { StreamFailureInfo } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { servedFixture, waitUntil } from './serve-helpers';

const POSITION_MAPPINGS = `
  HorizonFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream
      Events:
        Horizon:
          Type: Kinesis
          Properties:
            Stream: !GetAtt PositionsStream.Arn
            BatchSize: 10
            StartingPosition: TRIM_HORIZON
  LatestFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream
      Events:
        Latest:
          Type: Kinesis
          Properties:
            Stream: !GetAtt PositionsStream.Arn
            BatchSize: 10
            StartingPosition: LATEST
  AtTimestampFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream
      Events:
        AtTimestamp:
          Type: Kinesis
          Properties:
            Stream: !GetAtt PositionsStream.Arn
            BatchSize: 10
            StartingPosition: AT_TIMESTAMP
            StartingPositionTimestamp: {{timestamp}}
  EarliestFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream
      Events:
        Earliest:
          Type: Kinesis
          Properties:
            Stream: !GetAtt PositionsStream.Arn
            StartingPosition: EARLIEST
`;

type KinesisEv = { Records: { kinesis: { data: string; sequenceNumber: string } }[] };
type Put = { shardId: string; sequenceNumber: string }[];
type StreamInfo = { name: string; records: number; functions: string[] };
const values = (r: InvocationRecord) => (r.event as KinesisEv).Records.map((x) => Buffer.from(x.kinesis.data, 'base64').toString('utf8'));

describe('stream starting positions and retry limits through a real serve', () => {
  const fx = servedFixture('streams-positions-project');
  const finished = () => fx.client.notifications.filter((n) => n.method === 'invocation.finished').map((n) => n.params as InvocationRecord);
  const invocations = (fn: string) => finished().filter((r) => r.kind === 'invocation' && r.functionName === fn);
  const put = (stream: string, data: string[]) =>
    fx.client.request<Put>('stream.putRecords', { stream, records: data.map((d) => ({ partitionKey: 'p', data: d })) });
  const failures = (stream: string) => fx.client.request<StreamFailureInfo[]>('stream.listFailures', { stream });
  const streamInfo = async (name: string) => (await fx.client.request<StreamInfo[]>('stream.list')).find((s) => s.name === name)!;

  it('StartingPosition: TRIM_HORIZON delivers records put before the mapping started, LATEST only those put after, AT_TIMESTAMP those since its time', async () => {
    assert.deepEqual((await streamInfo('positions')).functions, ['HolderFunction']);
    await put('positions', ['before-1']);
    // AT_TIMESTAMP's time lies strictly between the two earlier records' arrivals (Unix seconds, as in CloudFormation).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const timestamp = Date.now() / 1000;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await put('positions', ['before-2']);

    // Saved the way editors save (temp file renamed over the template), which the host watches for.
    const template = join(fx.dir, 'template.yaml');
    writeFileSync(`${template}.tmp`, readFileSync(template, 'utf8') + POSITION_MAPPINGS.replace('{{timestamp}}', String(timestamp)));
    renameSync(`${template}.tmp`, template);
    // A mapping shows in stream.list in the same turn it takes its starting checkpoint, so a put after this is "after start".
    await waitUntil(async () => (await streamInfo('positions')).functions.length === 4, 60_000, 'the three new mappings');
    assert.deepEqual([...(await streamInfo('positions')).functions].sort(), ['AtTimestampFunction', 'HolderFunction', 'HorizonFunction', 'LatestFunction']);
    // A position Lambda does not know is refused with a message, not read as LATEST.
    assert.match(
      fx.serve.stderr(),
      /streams: EarliestFunction\/Earliest: StartingPosition 'EARLIEST' is not one of TRIM_HORIZON, LATEST, AT_TIMESTAMP for a Kinesis stream; the mapping is not started/,
    );

    await put('positions', ['after-1']);
    await waitUntil(() => invocations('LatestFunction').length >= 1, 60_000, 'LATEST delivery');
    await waitUntil(() => invocations('HorizonFunction').flatMap(values).length >= 3, 60_000, 'TRIM_HORIZON deliveries');
    await waitUntil(() => invocations('AtTimestampFunction').flatMap(values).length >= 2, 60_000, 'AT_TIMESTAMP deliveries');

    // Batches may split either way for TRIM_HORIZON (the poller can run before after-1 lands); order and content may not.
    assert.deepEqual(invocations('HorizonFunction').flatMap(values), ['before-1', 'before-2', 'after-1']);
    assert.deepEqual(
      invocations('LatestFunction').map((r) => [values(r).join(), r.status]),
      [['after-1', 'success']],
    );
    assert.deepEqual(invocations('AtTimestampFunction').flatMap(values), ['before-2', 'after-1']);
    assert.deepEqual(invocations('EarliestFunction'), []);
    for (const r of invocations('HorizonFunction')) assert.equal(r.status, 'success');
    // The disabled mapping that kept the stream open never polled.
    assert.deepEqual(invocations('HolderFunction'), []);
    assert.equal((await streamInfo('positions')).records, 3);
  });

  it('MaximumRetryAttempts 2: a batch that always fails is tried 3 times, discarded to the on-failure list, then the shard moves on', async () => {
    const seqs = await put('retries', ['poison-1', 'poison-2']);
    // Put the next record only once the shard is blocked, so it cannot join the failing batch.
    await waitUntil(() => invocations('RetryFunction').length >= 1, 60_000, 'first attempt');
    await put('retries', ['next-1']);
    await waitUntil(() => invocations('RetryFunction').some((r) => values(r).join() === 'next-1'), 60_000, 'next-1 delivered');

    assert.deepEqual(
      invocations('RetryFunction').map((r) => [values(r).join(), r.status, r.attempt]),
      [
        ['poison-1,poison-2', 'error', 0],
        ['poison-1,poison-2', 'error', 1],
        ['poison-1,poison-2', 'error', 2],
        ['next-1', 'success', 0],
      ],
    );
    const list = await failures('retries');
    assert.equal(list.length, 1);
    const [f] = list;
    assert.equal(f!.function, 'RetryFunction');
    assert.equal(f!.destination, 'arn:aws:sqs:us-east-1:123456789012:retries-dlq');
    assert.equal(f!.record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(f!.record.requestContext.approximateInvokeCount, 3);
    assert.equal(f!.record.requestContext.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:RetryFunction');
    assert.deepEqual(f!.record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.deepEqual(
      [
        f!.record.KinesisBatchInfo!.shardId,
        f!.record.KinesisBatchInfo!.startSequenceNumber,
        f!.record.KinesisBatchInfo!.endSequenceNumber,
        f!.record.KinesisBatchInfo!.batchSize,
      ],
      ['shardId-000000000000', seqs[0]!.sequenceNumber, seqs[1]!.sequenceNumber, 2],
    );
    assert.equal(f!.record.KinesisBatchInfo!.streamArn, 'arn:aws:kinesis:us-east-1:123456789012:stream/retries');

    // The failing batch's parent record says why it ended, and every attempt points to it.
    const attempts = invocations('RetryFunction').slice(0, 3);
    const parent = finished().find((r) => r.id === attempts[0]!.parentId)!;
    assert.equal(parent.kind, 'stream-batch');
    assert.equal(parent.status, 'error');
    assert.deepEqual([parent.source!['outcome'], parent.source!['condition'], parent.source!['invokeCount']], ['discarded', 'RetryAttemptsExhausted', 3]);
    for (const a of attempts) assert.equal(a.parentId, parent.id);
  });

  it('MaximumRetryAttempts 0: a failing batch is tried once and discarded', async () => {
    await put('no-retry', ['poison-once']);
    await waitUntil(async () => (await failures('no-retry')).length === 1, 60_000, 'discarded batch');
    await put('no-retry', ['next-once']);
    await waitUntil(() => invocations('NoRetryFunction').some((r) => values(r).join() === 'next-once'), 60_000, 'next-once delivered');
    assert.deepEqual(
      invocations('NoRetryFunction').map((r) => [values(r).join(), r.status, r.attempt]),
      [
        ['poison-once', 'error', 0],
        ['next-once', 'success', 0],
      ],
    );
    const [f] = await failures('no-retry');
    assert.equal(f!.destination, null);
    assert.equal(f!.record.requestContext.approximateInvokeCount, 1);
    assert.equal(f!.record.KinesisBatchInfo!.batchSize, 1);
  });
});
