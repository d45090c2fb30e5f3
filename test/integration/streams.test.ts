import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamFailureInfo } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig, servedFixture, waitUntil } from './serve-helpers';

type KinesisEv = {
  Records: { kinesis: { data: string; sequenceNumber: string; partitionKey: string }; eventID: string; eventSource: string; eventName: string }[];
};
const values = (r: InvocationRecord) => (r.event as KinesisEv).Records.map((x) => Buffer.from(x.kinesis.data, 'base64').toString('utf8'));

describe('Kinesis streams through a real serve', () => {
  const fx = servedFixture('events-project');
  const invocations = (fn: string) =>
    fx.client.notifications
      .filter((n) => n.method === 'invocation.finished')
      .map((n) => n.params as InvocationRecord)
      .filter((r) => r.kind === 'invocation' && r.functionName === fn);

  it('lists the template streams with their shard counts', async () => {
    const list = await fx.client.request<{ name: string; kind: string; shards: number }[]>('stream.list');
    assert.deepEqual(list.map((s) => [s.name, s.kind, s.shards]).sort(), [
      ['orders', 'kinesis', 2],
      ['payments', 'kinesis', 1],
    ]);
  });

  it('keeps order within each shard and delivers every record once', async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ partitionKey: `customer-${i % 3}`, data: `${i % 3}:${i}` }));
    const put = await fx.client.request<{ shardId: string; sequenceNumber: string }[]>('stream.putRecords', { stream: 'orders', records });
    assert.equal(put.length, 30);
    for (const p of put) assert.match(p.sequenceNumber, /^49\d{54}$/);
    await waitUntil(() => invocations('OrdersFunction').flatMap(values).length >= 30, 60_000, '30 records delivered');
    const delivered = invocations('OrdersFunction').flatMap(values);
    assert.deepEqual([...delivered].sort(), records.map((r) => r.data).sort());
    for (const key of ['0', '1', '2']) {
      const seen = delivered.filter((v) => v.startsWith(`${key}:`)).map((v) => Number(v.split(':')[1]));
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
        `order of partition key ${key}`,
      );
    }
    for (const inv of invocations('OrdersFunction')) {
      assert.ok(values(inv).length <= 10);
      assert.equal((inv.event as KinesisEv).Records[0]!.eventSource, 'aws:kinesis');
      assert.ok(inv.parentId, 'each invocation points to its stream-batch');
    }
  });

  it("answers listInvocations and getInvocation with the batches' events as delivered (the history keeps them as bytes, sent as they are)", async () => {
    const delivered = invocations('OrdersFunction');
    assert.ok(delivered.length > 0);
    const page = await fx.client.request<{ records: InvocationRecord[] }>('listInvocations', { function: 'OrdersFunction', limit: 500 });
    for (const inv of delivered) {
      assert.deepEqual(page.records.find((r) => r.id === inv.id)?.event, inv.event);
      assert.deepEqual((await fx.client.request<InvocationRecord>('getInvocation', { id: inv.id })).event, inv.event);
    }
  });

  it('bisects a failing batch, retries the poison record, discards it to the on-failure list and moves on', async () => {
    await fx.client.request('stream.putRecords', { stream: 'payments', records: ['a', 'b', 'poison', 'd'].map((d) => ({ partitionKey: 'p', data: d })) });
    await waitUntil(
      async () => (await fx.client.request<StreamFailureInfo[]>('stream.listFailures', { stream: 'payments' })).length === 1,
      60_000,
      'discarded batch',
    );
    await waitUntil(() => invocations('PaymentsFunction').some((r) => values(r).join() === 'd' && r.status === 'success'), 60_000, 'd processed');
    const calls = invocations('PaymentsFunction').map((r) => [values(r).join(), r.status, r.attempt]);
    assert.deepEqual(calls, [
      ['a,b,poison,d', 'error', 0],
      ['a,b', 'success', 0],
      ['poison,d', 'error', 0],
      ['poison', 'error', 0],
      ['poison', 'error', 1],
      ['d', 'success', 0],
    ]);
    const [failure] = await fx.client.request<StreamFailureInfo[]>('stream.listFailures', { stream: 'payments' });
    assert.equal(failure!.destination, 'arn:aws:sqs:us-east-1:123456789012:payments-dlq');
    assert.equal(failure!.record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(failure!.record.requestContext.approximateInvokeCount, 2);
    assert.equal(failure!.record.KinesisBatchInfo!.batchSize, 1);
    assert.equal(failure!.record.KinesisBatchInfo!.streamArn, 'arn:aws:kinesis:us-east-1:123456789012:stream/payments');
    // And Lambda sends that record to the destination queue.
    const sqs = new SQSClient(localAwsConfig(fx.serve.ready.awsEndpoint!));
    try {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${fx.serve.ready.awsEndpoint}/123456789012/payments-dlq`, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }),
      );
      assert.deepEqual(
        (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as unknown),
        [failure!.record],
      );
    } finally {
      sqs.destroy();
    }
  });

  it('checkpoints survive a restart: only new records are delivered afterwards', async () => {
    assert.equal(await fx.restart(), 0);
    await fx.client.request('stream.putRecords', { stream: 'payments', records: [{ partitionKey: 'p', data: 'after-restart' }] });
    await waitUntil(() => invocations('PaymentsFunction').length >= 1, 60_000, 'delivery after restart');
    assert.deepEqual(
      invocations('PaymentsFunction').map((r) => values(r).join()),
      ['after-restart'],
    );
    const list = await fx.client.request<{ name: string; records: number }[]>('stream.list');
    assert.equal(list.find((s) => s.name === 'payments')!.records, 5);
  });
});
