// Stream checkpoints as the mappings write them: positions set while a write is in flight are
// gathered into the next one, a position set just as a write ends still gets written, and every
// position survives a reopen, and none is written before the history lines of its batch. A sealed event is written to the history once and reads back whole;
// the history holds a finished record's sealed event as its bytes, not its objects.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { briefRecord, InvocationStore } from '../../runtime-host/records/invocation-store';
import { Stream } from '../../runtime-host/events/streams/stream-store';
import { capValue } from '../../runtime-host/records/record-caps';
import { sealJson, stringifySealed } from '../../runtime-host/util/sealed-json';
import { storeRecord, withoutParsing } from './store-fixtures';

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

/** A client's answer holding `record`, made without parsing its event (copied in as bytes). */
function answerWithoutParsing(record: InvocationRecord | undefined): string {
  return withoutParsing(() => stringifySealed({ records: [record] })!, 'an answer to a client copies the bytes in without parsing them');
}

/** A stream batch's invocation still running, with `event`. */
function batchRecord(event: object): InvocationRecord {
  return storeRecord('a', { trigger: 'stream', status: 'running', event, logs: [] });
}

describe('a sealed event in the history', () => {
  it('is written as its sealed text and reads back whole after a restart', async () => {
    const dir = stateDir();
    const event = sealJson({ Records: [{ kinesis: { data: 'eA==', sequenceNumber: '49' } }] });
    const record = batchRecord(event);
    const store = new InvocationStore({ stateDir: dir });
    store.put(record);
    store.put({ ...record, status: 'success', result: 1 });
    await store.close();
    const again = new InvocationStore({ stateDir: dir });
    assert.deepEqual(again.get('a')?.event, event);
    assert.equal(again.get('a')?.status, 'success');
    await again.close();
  });

  it('is held as its bytes once the record is finished: its objects are collected, and a reader gets them back', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    const wanted = { Records: [{ kinesis: { data: 'eA==', sequenceNumber: '49', partitionKey: 'é' } }] };
    const held = ((): WeakRef<object> => {
      const event = sealJson(structuredClone(wanted));
      const record = batchRecord(event);
      store.put(record);
      store.put({ ...record, status: 'success', result: 1 });
      return new WeakRef(event);
    })();
    await store.written();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(held.deref(), undefined, 'the history no longer holds the objects of the event');
    const sent = answerWithoutParsing(store.get('a'));
    assert.deepEqual((JSON.parse(sent) as { records: InvocationRecord[] }).records[0]!.event, wanted);
    const read = store.get('a')!;
    assert.deepEqual(read.event, wanted);
    assert.equal(store.get('a')!.event, read.event, 'readers close together share one object');
    assert.deepEqual(JSON.parse(JSON.stringify(read)).event, wanted, 'a client is sent the event');
    // A client's answer copies the kept bytes in; strings that look like the placeholders stay as they are.
    const answer = { records: [read, { ...read, note: '\u0001sealed:0', event: '"\\u0001x:0"' }] };
    assert.equal(stringifySealed(answer), JSON.stringify(JSON.parse(JSON.stringify(answer))));
    // The host announces a record again (a span, a log): the later line leaves the event out, as for any record.
    store.put({ ...read, logs: ['later'] });
    assert.equal(typeof Object.getOwnPropertyDescriptor(store.get('a')!, 'event')?.get, 'function', 'a later line keeps the event as bytes too');
    await store.close();
    const lines = readFileSync(join(dir, 'invocations.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((l) => 'event' in (JSON.parse(l) as object)),
      [true, false, false],
    );
    const again = new InvocationStore({ stateDir: dir });
    assert.deepEqual(again.get('a')?.event, wanted);
    assert.deepEqual(again.get('a')?.logs, ['later']);
    await again.close();
  });

  it('is briefed for a brief client by its bytes, without being parsed', async () => {
    const store = new InvocationStore({ stateDir: stateDir() });
    const event = sealJson({ Records: Array.from({ length: 100 }, (_, i) => ({ kinesis: { data: 'eA=='.repeat(40), sequenceNumber: String(i) } })) });
    const record = batchRecord(event);
    store.put(record);
    store.put({ ...record, status: 'success', result: 1 });
    const kept = store.get('a')!;
    const text = JSON.stringify(event);
    const brief = withoutParsing(() => briefRecord(kept, 1024), 'a kept event is briefed from its bytes');
    assert.deepEqual(brief.omitted, { event: Buffer.byteLength(text) });
    assert.deepEqual(brief.event, { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, 1024) });
    assert.deepEqual(brief.status, 'success');
    assert.equal(
      withoutParsing(() => briefRecord(kept, 1024 * 1024), 'a kept event that fits is not parsed either'),
      kept,
    );
    // An unsealed record (a running one, as announced) gets the same brief form.
    assert.deepEqual(briefRecord({ ...record, event: JSON.parse(text) as object }, 1024).event, brief.event);
    await store.close();
  });

  it('over the inline limit is cut to the marker an unsealed event gets, its preview decoded from the first bytes only', () => {
    const event = () => ({ Records: Array.from({ length: 400 }, (_, i) => ({ kinesis: { data: 'ü€𝄞'.repeat(20), sequenceNumber: String(i) } })) });
    const sealed = capValue(sealJson(event()), 8 * 1024);
    assert.equal(typeof sealed.bytes, 'number');
    assert.deepEqual(sealed, capValue(event(), 8 * 1024));
  });
});
