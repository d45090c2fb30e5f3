// Stream checkpoints as the mappings write them: positions set while a write is in flight are
// gathered into the next one, a position set just as a write ends still gets written, and every
// position survives a reopen, and none is written before the history lines of its batch. A sealed event is written to the history once and reads back whole.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { InvocationStore } from '../../runtime-host/records/invocation-store';
import { Stream } from '../../runtime-host/events/streams/stream-store';
import { sealJson } from '../../runtime-host/util/sealed-json';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lw-checkpoints-'));
  dirs.push(d);
  return d;
}

const wanted = { kind: 'kinesis' as const, name: 'orders', shardCount: 4, viewType: 'NEW_AND_OLD_IMAGES' as const };

describe('stream checkpoints', () => {
  it('gathers positions set while a write is in flight, and each caller learns when its position is written', async () => {
    const dir = stateDir();
    const stream = await Stream.open(dir, wanted, () => undefined);
    const writes = stream.shards.map((s, i) => stream.setCheckpoint('m', s.shardId, `${i + 1}`));
    await Promise.all(writes);
    const reopened = await Stream.open(dir, wanted, () => undefined);
    assert.deepEqual(
      stream.shards.map((s) => reopened.checkpoint('m', s.shardId)),
      ['1', '2', '3', '4'],
    );
  });

  it('a position set by the continuation of the last write (as a mapping starting shard after shard does) is written too', async () => {
    const dir = stateDir();
    const stream = await Stream.open(dir, wanted, () => undefined);
    for (const [i, shard] of stream.shards.entries()) await stream.setCheckpoint('m', shard.shardId, i === 0 ? null : `${i}`);
    const file = JSON.parse(readFileSync(join(dir, 'streams', 'kinesis', 'orders', 'checkpoints.json'), 'utf8')) as Record<
      string,
      Record<string, string | null>
    >;
    assert.deepEqual(Object.values(file['m']!), [null, '1', '2', '3']);
  });

  it('is written only once the history has written what came before it (a checkpoint on disk never covers a batch missing from the history)', async () => {
    const dir = stateDir();
    const stream = await Stream.open(dir, wanted, () => undefined);
    let historyWritten!: () => void;
    stream.beforeCheckpointWrite = () => new Promise<void>((resolve) => (historyWritten = resolve));
    let landed = false;
    const write = stream.setCheckpoint('m', stream.shards[0]!.shardId, '7').then(() => (landed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const file = join(dir, 'streams', 'kinesis', 'orders', 'checkpoints.json');
    assert.equal(landed, false);
    assert.throws(() => readFileSync(file), /ENOENT/);
    historyWritten();
    await write;
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>)['m']![stream.shards[0]!.shardId], '7');
  });
});

describe('a sealed event in the history', () => {
  it('is written as its sealed text and reads back whole after a restart', async () => {
    const dir = stateDir();
    const event = sealJson({ Records: [{ kinesis: { data: 'eA==', sequenceNumber: '49' } }] });
    const record: InvocationRecord = {
      id: 'a',
      kind: 'invocation',
      requestId: 'a',
      functionName: 'Fn',
      trigger: 'stream',
      status: 'running',
      cold: false,
      runtime: 'nodejs22.x',
      architecture: 'x86_64',
      memorySizeMB: 128,
      timeoutSeconds: 3,
      timestamps: { queuedAt: 1 },
      billingRule: 'per-ms-with-init',
      event,
      logs: [],
    };
    const store = new InvocationStore({ stateDir: dir });
    store.put(record);
    store.put({ ...record, status: 'success', result: 1 });
    await store.close();
    const again = new InvocationStore({ stateDir: dir });
    assert.deepEqual(again.get('a')?.event, event);
    assert.equal(again.get('a')?.status, 'success');
    await again.close();
  });
});
