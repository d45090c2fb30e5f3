// The queue journal on disk: every acknowledged change survives a reopen, a journal grown past the
// live state is compacted to a snapshot, and a line cut short by a crash is skipped.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { queueConfigFromAttributes } from '../../runtime-host/events/sqs/queue-config';
import { QueueStore } from '../../runtime-host/events/sqs/queue-store';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sqs-store-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const open = (dir: string, compactAfterLines?: number) =>
  QueueStore.open(dir, { region: 'us-east-1', accountId: '123456789012', ...(compactAfterLines ? { compactAfterLines } : {}) });

describe('SQS queue journal', () => {
  it('reopens with the same queues, messages, receive counts and FIFO deduplication', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const q = store.put(queueConfigFromAttributes('orders.fifo', { FifoQueue: 'true', VisibilityTimeout: '600' }, Date.now()));
    q.send({ body: 'one', groupId: 'g', deduplicationId: 'd1', senderId: 'x' });
    q.send({ body: 'two', groupId: 'h', deduplicationId: 'd2', senderId: 'x' });
    const [received] = q.receive(1);
    await store.flush();
    await store.close();

    const again = await open(dir);
    const q2 = again.find('orders.fifo');
    assert.equal(q2.config.visibilityTimeoutSeconds, 600);
    assert.deepEqual(
      [...q2.messages.values()].map((m) => [m.body, m.receiveCount]),
      [
        ['one', 1],
        ['two', 0],
      ],
    );
    assert.equal(q2.delete(received!.receiptHandle!), true, 'the receipt handle from before the restart still deletes');
    assert.equal(q2.send({ body: 'two', groupId: 'h', deduplicationId: 'd2', senderId: 'x' }).duplicate, true);
    await again.close();
  });

  it('compacts a journal that grew well past the live state, keeping the state', async () => {
    const dir = tempDir();
    const store = await open(dir, 50);
    const q = store.put(queueConfigFromAttributes('churn', {}, Date.now()));
    for (let i = 0; i < 200; i++) {
      q.send({ body: `m${i}`, senderId: 'x' });
      const [m] = q.receive(1);
      if (i % 50 !== 0) q.delete(m!.receiptHandle!);
      await store.flush();
    }
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n');
    assert.ok(lines.length < 200, `journal has ${lines.length} lines after 600 changes`);
    await store.close();
    const again = await open(dir);
    assert.deepEqual(
      [...again.find('churn').messages.values()].map((m) => m.body),
      ['m0', 'm50', 'm100', 'm150'],
    );
    await again.close();
  });

  it('skips a line cut short by a crash and keeps the rest', async () => {
    const dir = tempDir();
    const store = await open(dir);
    store.put(queueConfigFromAttributes('q', {}, Date.now())).send({ body: 'kept', senderId: 'x' });
    await store.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"op":"send","queue":"q","message":{"messageId":"cut');
    const warnings: string[] = [];
    const again = await QueueStore.open(dir, { region: 'us-east-1', accountId: '123456789012', warn: (m) => warnings.push(m) });
    assert.deepEqual(
      [...again.find('q').messages.values()].map((m) => m.body),
      ['kept'],
    );
    assert.match(warnings.join('\n'), /skipped 1 unreadable line/);
    await again.close();
  });
});
