// Lambda's SQS mapping through a real `node dist/cli.js serve` of test/fixtures/sqs-project:
// messages sent with `sqs.send` invoke the function in batches (parent 'sqs-batch' record, the
// invocation its child, the event in Lambda's shape); partial batch responses delete only the
// successful messages; a failing message comes back after the visibility timeout and lands in
// the dead-letter queue after maxReceiveCount; FIFO groups are processed in order; filter criteria
// drop (and delete) what they reject; queues keep their messages across a restart; the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { SqsQueueInfo, SqsSendResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { cli, RpcClientError, servedFixture, waitUntil } from './serve-helpers';

interface SqsEvent {
  Records: {
    messageId: string;
    body: string;
    eventSource: string;
    eventSourceARN: string;
    awsRegion: string;
    md5OfBody: string;
    attributes: Record<string, string>;
    messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
  }[];
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('SQS event source mapping (serve)', () => {
  const served = servedFixture('sqs-project');

  const finished = () => served.client.notifications.filter((n) => n.method === 'invocation.finished').map((n) => n.params as InvocationRecord);
  const invocationsOf = (fn: string) => finished().filter((r) => r.kind === 'invocation' && r.functionName === fn);
  const queues = () => served.client.request<SqsQueueInfo[]>('sqs.list');
  const queue = async (name: string) => (await queues()).find((q) => q.name === name)!;
  const send = (queueName: string, body: string, extra: Record<string, unknown> = {}) =>
    served.client.request<SqsSendResult>('sqs.send', { queue: queueName, body, ...extra });

  it('lists the template queues with their URL, ARN, redrive policy and the functions that poll them', async () => {
    const list = await queues();
    assert.deepEqual(
      list.map((q) => q.name),
      ['events', 'jobs.fifo', 'orders', 'orders-dlq', 'parked'],
    );
    const orders = list.find((q) => q.name === 'orders')!;
    assert.equal(orders.arn, 'arn:aws:sqs:us-east-1:123456789012:orders');
    assert.match(orders.url, /\/123456789012\/orders$/);
    assert.deepEqual(orders.functions, ['OrdersFunction']);
    assert.equal(orders.deadLetterQueue, 'orders-dlq');
    assert.equal(orders.maxReceiveCount, 2);
    assert.equal(list.find((q) => q.name === 'jobs.fifo')!.fifo, true);
  });

  it('invokes the function with the SQS event as a child of an sqs-batch record, and deletes the processed message', async () => {
    const sent = await send('orders', 'hello', { messageAttributes: { source: { DataType: 'String', StringValue: 'cli' } } });
    await waitUntil(
      () => invocationsOf('OrdersFunction').some((r) => (r.event as SqsEvent).Records.some((m) => m.messageId === sent.messageId)),
      60_000,
      'the invocation',
    );
    const inv = invocationsOf('OrdersFunction').find((r) => (r.event as SqsEvent).Records.some((m) => m.messageId === sent.messageId))!;
    assert.equal(inv.status, 'success');
    assert.equal(inv.trigger, 'sqs');
    const record = (inv.event as SqsEvent).Records.find((m) => m.messageId === sent.messageId)!;
    assert.equal(record.body, 'hello');
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, 'arn:aws:sqs:us-east-1:123456789012:orders');
    assert.equal(record.md5OfBody, sent.md5OfBody);
    assert.equal(record.attributes['ApproximateReceiveCount'], '1');
    assert.deepEqual(record.messageAttributes['source'], { stringValue: 'cli', stringListValues: [], binaryListValues: [], dataType: 'String' });
    await waitUntil(() => finished().some((r) => r.id === inv.parentId), 30_000, 'the batch record');
    const batch = finished().find((r) => r.id === inv.parentId)!;
    assert.equal(batch.kind, 'sqs-batch');
    assert.equal(batch.status, 'success');
    await waitUntil(
      async () => {
        const q = await queue('orders');
        return q.visible + q.inFlight === 0;
      },
      30_000,
      'the message to be deleted',
    );
  });

  it('deletes only the successful messages of a partial batch; the failed one comes back and then goes to the dead-letter queue', async () => {
    const ok = await send('orders', 'ok-partial');
    const bad = await send('orders', 'fail-partial');
    const withMessage = (id: string) => invocationsOf('OrdersFunction').filter((r) => (r.event as SqsEvent).Records.some((m) => m.messageId === id));
    await waitUntil(async () => (await queue('orders-dlq')).visible === 1, 90_000, 'the failed message in the dead-letter queue');
    // maxReceiveCount 2: delivered twice, then redriven.
    assert.equal(withMessage(bad.messageId).length, 2);
    // Received with the failed one in one batch (the batching window holds the first until the second arrives), but deleted after the first attempt.
    assert.equal(withMessage(ok.messageId).length, 1);
    assert.ok(withMessage(ok.messageId)[0]!.event && (withMessage(ok.messageId)[0]!.event as SqsEvent).Records.length === 2);
    const second = withMessage(bad.messageId)[1]!;
    assert.equal((second.event as SqsEvent).Records.find((m) => m.messageId === bad.messageId)!.attributes['ApproximateReceiveCount'], '2');
    const batch = finished().find((r) => r.id === withMessage(ok.messageId)[0]!.parentId)!;
    assert.equal(batch.source?.['outcome'], 'partial');
    assert.deepEqual(batch.source?.['failedMessageIds'], [bad.messageId]);
    await served.client.request('sqs.purge', { queue: 'orders-dlq' });
  });

  it('fails the whole batch when the function throws, retrying it until the dead-letter queue takes it', async () => {
    const thrown = await send('orders', 'throw');
    await waitUntil(async () => (await queue('orders-dlq')).visible === 1, 90_000, 'the failed batch in the dead-letter queue');
    const attempts = invocationsOf('OrdersFunction').filter((r) => (r.event as SqsEvent).Records.some((m) => m.messageId === thrown.messageId));
    assert.equal(attempts.length, 2);
    assert.ok(attempts.every((r) => r.status === 'error'));
    await served.client.request('sqs.purge', { queue: 'orders-dlq' });
  });

  it('processes each FIFO message group in order, even with several pollers', async () => {
    for (let i = 1; i <= 4; i++) {
      await send('jobs.fifo', `a${i}`, { groupId: 'a' });
      await send('jobs.fifo', `b${i}`, { groupId: 'b' });
    }
    await waitUntil(() => invocationsOf('JobsFunction').length >= 8, 90_000, 'eight FIFO invocations');
    const runs = invocationsOf('JobsFunction').sort((x, y) => (x.timestamps.invokeStartAt ?? 0) - (y.timestamps.invokeStartAt ?? 0));
    const order = runs.map((r) => (r.event as SqsEvent).Records[0]!.body);
    // One batch per group at a time: a group's next invocation starts only after the previous one ended.
    for (const group of ['a', 'b']) {
      const inGroup = runs.filter((r) => (r.event as SqsEvent).Records[0]!.body.startsWith(group));
      for (let i = 1; i < inGroup.length; i++)
        assert.ok(inGroup[i]!.timestamps.invokeStartAt! >= inGroup[i - 1]!.timestamps.invokeEndAt!, `group ${group} overlapped`);
    }
    assert.deepEqual(
      order.filter((b) => b.startsWith('a')),
      ['a1', 'a2', 'a3', 'a4'],
    );
    assert.deepEqual(
      order.filter((b) => b.startsWith('b')),
      ['b1', 'b2', 'b3', 'b4'],
    );
    const dup = await send('jobs.fifo', 'a1', { groupId: 'a' });
    assert.equal(dup.duplicate, true);
  });

  it('invokes only for messages that match the filter criteria and deletes the others', async () => {
    await send('events', JSON.stringify({ kind: 'click', id: 1 }));
    await send('events', JSON.stringify({ kind: 'order', id: 2 }));
    await waitUntil(() => invocationsOf('FilteredFunction').length >= 1, 60_000, 'the filtered invocation');
    await waitUntil(
      async () => {
        const q = await queue('events');
        return q.visible + q.inFlight === 0;
      },
      30_000,
      'both messages to be gone',
    );
    const bodies = invocationsOf('FilteredFunction').flatMap((r) => (r.event as SqsEvent).Records.map((m) => JSON.parse(m.body) as { id: number }));
    assert.deepEqual(
      bodies.map((b) => b.id),
      [2],
    );
  });

  it('rejects a send to an unknown queue or without a FIFO group id as a user error', async () => {
    await assert.rejects(
      send('nope', 'x'),
      (err: unknown) =>
        err instanceof RpcClientError && err.error.data?.code === 'ResourceNotFound' && /known queues: events, jobs.fifo/.test(err.error.data.hint ?? ''),
    );
    await assert.rejects(
      send('jobs.fifo', 'x'),
      (err: unknown) => err instanceof RpcClientError && err.error.data?.code === 'InvalidParameter' && /MessageGroupId/.test(err.message),
    );
  });

  it('sends and lists from the CLI', async () => {
    const sent = await runCli(['sqs', 'send', 'parked', '--body', 'from the cli', '--attribute', 'k=v', '--root', served.dir, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const result = JSON.parse(sent.stdout) as SqsSendResult;
    assert.match(result.messageId, /^[0-9a-f-]{36}$/);
    const listed = await runCli(['sqs', 'list', '--root', served.dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^parked\t1 visible\t0 in flight\t0 delayed\t\t/m);
    const bad = await runCli(['sqs', 'send', 'missing-queue', '--body', 'x', '--root', served.dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^lambda-workbench: The specified queue does not exist\.\nhint: .*known queues/);
  });

  it('keeps unconsumed messages across a restart', async () => {
    await send('parked', 'survives');
    await served.restart();
    const parked = await queue('parked');
    assert.equal(parked.visible, 2);
  });
});
