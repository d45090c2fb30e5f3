// SQS queue semantics with a clock the test moves: visibility timeout, delay, receipt handles,
// redrive to a dead-letter queue, FIFO groups and deduplication, retention.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue, type JournalEntry, type QueueConfig } from '../../runtime-host/events/sqs/queue';
import { queueConfigFromAttributes } from '../../runtime-host/events/sqs/queue-config';
import { md5OfBody, md5OfMessageAttributes } from '../../runtime-host/events/sqs/message-md5';
import { SqsError } from '../../runtime-host/events/sqs/sqs-errors';

function world() {
  let now = 1_000_000;
  const journal: JournalEntry[] = [];
  const queues = new Map<string, Queue>();
  const make = (name: string, attrs: Record<string, string> = {}): Queue => {
    const config: QueueConfig = queueConfigFromAttributes(name, attrs, now);
    const q = new Queue(config, {
      now: () => now,
      persist: (e) => journal.push(e),
      deadLetterQueue: (arn) => queues.get(arn.slice(arn.lastIndexOf(':') + 1)),
      arnOf: (n) => `arn:aws:sqs:us-east-1:123456789012:${n}`,
    });
    queues.set(name, q);
    return q;
  };
  return {
    make,
    journal,
    advance(ms: number) {
      now += ms;
    },
  };
}

const send = (q: Queue, body: string, extra: Partial<Parameters<Queue['send']>[0]> = {}) => q.send({ body, senderId: '123456789012', ...extra }).message;

describe('SQS queue: visibility and delay', () => {
  it('hides a received message for the visibility timeout, then delivers it again with a new receipt handle and a higher receive count', () => {
    const w = world();
    const q = w.make('orders', { VisibilityTimeout: '30' });
    const sent = send(q, 'a');
    const [first] = q.receive(10);
    assert.equal(first?.messageId, sent.messageId);
    assert.equal(first?.receiveCount, 1);
    const handle1 = first!.receiptHandle!;
    assert.deepEqual(q.receive(10), []);
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 1, delayed: 0 });
    w.advance(29_999);
    assert.deepEqual(q.receive(10), []);
    w.advance(1);
    const [again] = q.receive(10);
    assert.equal(again?.messageId, sent.messageId);
    assert.equal(again?.receiveCount, 2);
    assert.notEqual(again!.receiptHandle, handle1);
    assert.equal(again?.firstReceiveTimestamp, first?.firstReceiveTimestamp);
  });

  it('deletes only with the latest receipt handle; a stale one deletes nothing', () => {
    const w = world();
    const q = w.make('orders', { VisibilityTimeout: '1' });
    send(q, 'a');
    const stale = q.receive(1)[0]!.receiptHandle!;
    w.advance(1000);
    const fresh = q.receive(1)[0]!.receiptHandle!;
    assert.equal(q.delete(stale), false);
    assert.equal(q.messages.size, 1);
    assert.equal(q.delete(fresh), true);
    assert.equal(q.messages.size, 0);
    assert.throws(
      () => q.delete('garbage'),
      (e: unknown) => e instanceof SqsError && e.sqsCode === 'ReceiptHandleIsInvalid',
    );
  });

  it('changes the visibility of an in-flight message and refuses one that is not in flight', () => {
    const w = world();
    const q = w.make('orders', { VisibilityTimeout: '30' });
    send(q, 'a');
    const handle = q.receive(1)[0]!.receiptHandle!;
    q.changeVisibility(handle, 0);
    assert.equal(q.counts().visible, 1);
    assert.throws(
      () => q.changeVisibility(handle, 10),
      (e: unknown) => e instanceof SqsError && e.sqsCode === 'MessageNotInflight',
    );
  });

  it('delays messages by the queue delay or the per-message delay', () => {
    const w = world();
    const q = w.make('slow', { DelaySeconds: '5' });
    send(q, 'queue-delay');
    send(q, 'own-delay', { delaySeconds: 1 });
    assert.deepEqual(q.counts(), { visible: 0, inFlight: 0, delayed: 2 });
    w.advance(1000);
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['own-delay'],
    );
    w.advance(4000);
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['queue-delay'],
    );
  });

  it('drops messages older than the retention period', () => {
    const w = world();
    const q = w.make('short', { MessageRetentionPeriod: '60' });
    send(q, 'old');
    w.advance(30_000);
    send(q, 'young');
    w.advance(30_000);
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['young'],
    );
  });
});

describe('SQS queue: redrive', () => {
  it('moves a message to the dead-letter queue when a receive would exceed maxReceiveCount', () => {
    const w = world();
    const dlq = w.make('orders-dlq');
    const q = w.make('orders', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq', maxReceiveCount: 2 }),
    });
    const sent = send(q, 'poison');
    assert.equal(q.receive(1).length, 1);
    w.advance(1000);
    assert.equal(q.receive(1).length, 1);
    w.advance(1000);
    assert.deepEqual(q.receive(1), []);
    assert.equal(q.messages.size, 0);
    const [dead] = dlq.receive(1);
    assert.equal(dead?.messageId, sent.messageId);
    assert.equal(dead?.body, 'poison');
    assert.equal(dead?.deadLetterQueueSourceArn, 'arn:aws:sqs:us-east-1:123456789012:orders');
  });
});

describe('SQS queue: FIFO', () => {
  it('delivers each message group in order and nothing more from a group while one of its messages is in flight', () => {
    const w = world();
    const q = w.make('jobs.fifo', { FifoQueue: 'true', VisibilityTimeout: '10' });
    for (const [group, body] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
    ] as const) {
      send(q, body, { groupId: group, deduplicationId: body });
    }
    const first = q.receive(1);
    assert.deepEqual(
      first.map((m) => m.body),
      ['a1'],
    );
    // Group a is locked by a1; the next receive gets group b only.
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['b1', 'b2'],
    );
    assert.deepEqual(q.receive(10), []);
    q.delete(first[0]!.receiptHandle!);
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['a2'],
    );
  });

  it('redelivers a failed message before the later ones of its group', () => {
    const w = world();
    const q = w.make('jobs.fifo', { FifoQueue: 'true', VisibilityTimeout: '5' });
    send(q, 'a1', { groupId: 'a', deduplicationId: '1' });
    send(q, 'a2', { groupId: 'a', deduplicationId: '2' });
    const batch = q.receive(10);
    assert.deepEqual(
      batch.map((m) => m.body),
      ['a1', 'a2'],
    );
    q.delete(batch[1]!.receiptHandle!); // a2 done, a1 failed
    w.advance(5000);
    assert.deepEqual(
      q.receive(10).map((m) => m.body),
      ['a1'],
    );
  });

  it('drops a duplicate within five minutes (explicit id or content-based) and accepts it after', () => {
    const w = world();
    const q = w.make('dedup.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const one = q.send({ body: 'same', groupId: 'g', senderId: 'x' });
    const two = q.send({ body: 'same', groupId: 'g', senderId: 'x' });
    assert.equal(two.duplicate, true);
    assert.equal(two.message.messageId, one.message.messageId);
    assert.equal(q.messages.size, 1);
    const explicit = q.send({ body: 'same', groupId: 'g', deduplicationId: 'other', senderId: 'x' });
    assert.equal(explicit.duplicate, false);
    w.advance(5 * 60 * 1000);
    assert.equal(q.send({ body: 'same', groupId: 'g', senderId: 'x' }).duplicate, false);
    assert.equal(q.messages.size, 3);
    assert.ok(BigInt(explicit.message.sequenceNumber!) > BigInt(one.message.sequenceNumber!));
  });
});

describe('SQS queue: journal replay', () => {
  it('rebuilds messages, receive counts and deduplication from the journal', () => {
    const w = world();
    const q = w.make('r.fifo', { FifoQueue: 'true' });
    send(q, 'a', { groupId: 'g', deduplicationId: 'd1' });
    send(q, 'b', { groupId: 'g', deduplicationId: 'd2' });
    const [a] = q.receive(1);
    q.delete(a!.receiptHandle!);
    const w2 = world();
    const copy = w2.make('r.fifo', { FifoQueue: 'true' });
    for (const e of w.journal) if (e.op !== 'queue') copy.apply(e);
    assert.deepEqual(
      [...copy.messages.values()].map((m) => m.body),
      ['b'],
    );
    assert.equal(copy.send({ body: 'a', groupId: 'g', deduplicationId: 'd1', senderId: 'x' }).duplicate, true);
  });
});

describe('SQS digests and settings', () => {
  it('computes MD5OfMessageBody and MD5OfMessageAttributes as SQS does', () => {
    // Values SQS returns for these inputs.
    assert.equal(md5OfBody('derp'), '58fd9edd83341c29f1aebba81c31e257');
    assert.equal(md5OfMessageAttributes({ timestamp: { StringValue: '1493147359900', DataType: 'Number' } }), '235c5c510d26fb653d073faed50ae77c');
    assert.equal(md5OfMessageAttributes({}), undefined);
  });

  it("validates queue attributes with SQS's ranges and FIFO naming", () => {
    const bad = (name: string, attrs: Record<string, string>) => assert.throws(() => queueConfigFromAttributes(name, attrs, 0), SqsError);
    bad('q', { VisibilityTimeout: '43201' });
    bad('q', { DelaySeconds: '-1' });
    bad('q', { Unknown: '1' });
    bad('q.fifo', {});
    bad('q', { FifoQueue: 'true' });
    bad('q', { ContentBasedDeduplication: 'true' });
    bad('q', { RedrivePolicy: '{"maxReceiveCount":3}' });
    bad('bad name', {});
    const c = queueConfigFromAttributes('q.fifo', { FifoQueue: 'true', VisibilityTimeout: '5' }, 0);
    assert.equal(c.fifo, true);
    assert.equal(c.visibilityTimeoutSeconds, 5);
    assert.equal(c.messageRetentionPeriodSeconds, 345_600);
  });
});
