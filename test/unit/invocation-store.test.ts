// The durable invocation history: paging, filters, restart, torn last line, retention + compaction.
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { InvalidCursorError, InvocationStore } from '../../runtime-host/records/invocation-store';
import { storeRecord, tempStateDir } from './store-fixtures';

const stateDir = (): string => tempStateDir('lw-store-');

const record = storeRecord;

function lines(dir: string): string[] {
  return readFileSync(join(dir, 'invocations.jsonl'), 'utf8').split('\n').filter(Boolean);
}

describe('invocation store', () => {
  it('pages newest first with a cursor, filtered by function and parent', async () => {
    const store = new InvocationStore({ stateDir: stateDir() });
    for (let i = 0; i < 7; i++) store.put(record(`r${i}`, { functionName: i % 2 ? 'Odd' : 'Even', ...(i >= 5 ? { parentId: 'p1' } : {}) }));
    const first = await store.page({ limit: 3 });
    assert.deepEqual(
      first.records.map((r) => r.id),
      ['r6', 'r5', 'r4'],
    );
    assert.equal(typeof first.nextCursor, 'string');
    const second = await store.page({ limit: 3, cursor: first.nextCursor! });
    assert.deepEqual(
      second.records.map((r) => r.id),
      ['r3', 'r2', 'r1'],
    );
    const third = await store.page({ limit: 3, cursor: second.nextCursor! });
    assert.deepEqual(
      third.records.map((r) => r.id),
      ['r0'],
    );
    assert.equal(third.nextCursor, undefined);
    assert.deepEqual(
      (await store.page({ function: 'Odd' })).records.map((r) => r.id),
      ['r5', 'r3', 'r1'],
    );
    assert.deepEqual(
      (await store.page({ parentId: 'p1' })).records.map((r) => r.id),
      ['r6', 'r5'],
    );
    assert.deepEqual(
      (await store.page({ function: 'Odd', limit: 2 })).records.map((r) => r.id),
      ['r5', 'r3'],
    );
    await assert.rejects(store.page({ cursor: 'not a cursor!' }), InvalidCursorError);
    await store.close();
  });

  it('gives the cursors of the following pages when asked: each answers the same page as the sequential cursor', async () => {
    const store = new InvocationStore({ stateDir: stateDir() });
    for (let i = 0; i < 12; i++) store.put(record(`r${i}`, { functionName: i % 3 ? 'Fn' : 'Other' }));
    const ids = async (cursor: string, fn?: string) => (await store.page({ limit: 3, cursor, ...(fn ? { function: fn } : {}) })).records.map((r) => r.id);
    const first = await store.page({ limit: 3, lookahead: 10 });
    assert.deepEqual(
      first.records.map((r) => r.id),
      ['r11', 'r10', 'r9'],
    );
    // Pages 2–4 hold records; after the fourth there is nothing, so no fifth cursor.
    assert.equal(first.followingCursors?.length, 3);
    assert.equal(first.followingCursors[0], first.nextCursor);
    const pages = await Promise.all(first.followingCursors.map((c) => ids(c)));
    assert.deepEqual(pages, [
      ['r8', 'r7', 'r6'],
      ['r5', 'r4', 'r3'],
      ['r2', 'r1', 'r0'],
    ]);
    // Fewer than there are when fewer are asked for; none without asking, on the last page, or when one page holds all.
    assert.equal((await store.page({ limit: 3, lookahead: 2 })).followingCursors?.length, 2);
    assert.equal((await store.page({ limit: 3 })).followingCursors, undefined);
    assert.equal((await store.page({ limit: 3, lookahead: 10, cursor: first.followingCursors[2]! })).followingCursors, undefined);
    assert.equal((await store.page({ limit: 20, lookahead: 10 })).followingCursors, undefined);
    // Filtered: the pages of the matching records only (Fn: r11 r10 r8 r7 r5 r4 r2 r1).
    const fn = await store.page({ limit: 3, function: 'Fn', lookahead: 10 });
    assert.deepEqual(await Promise.all((fn.followingCursors ?? []).map((c) => ids(c, 'Fn'))), [
      ['r7', 'r5', 'r4'],
      ['r2', 'r1'],
    ]);
    await store.close();
  });

  it('an update keeps the record in its place; the last line for an id wins after a restart', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    store.put(record('a', { status: 'running' }));
    store.put(record('b'));
    store.put(record('a', { status: 'error', durationMs: 12.5 }));
    assert.deepEqual(
      (await store.page()).records.map((r) => [r.id, r.status]),
      [
        ['b', 'success'],
        ['a', 'error'],
      ],
    );
    await store.close();
    assert.equal(lines(dir).length, 3);
    const reopened = new InvocationStore({ stateDir: dir });
    assert.deepEqual(
      (await reopened.page()).records.map((r) => [r.id, r.status]),
      [
        ['b', 'success'],
        ['a', 'error'],
      ],
    );
    assert.equal(reopened.get('a')!.durationMs, 12.5);
    // Superseded lines are compacted away on load.
    assert.equal(lines(dir).length, 2);
    await reopened.close();
  });

  it('records still running when the host went away come back interrupted', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    store.put(record('gone', { status: 'running' }));
    await store.close();
    const reopened = new InvocationStore({ stateDir: dir });
    assert.equal(reopened.get('gone')!.status, 'interrupted');
    await reopened.close();
  });

  it('skips a torn last line, warns, and appends cleanly after it', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    store.put(record('whole'));
    await store.close();
    appendFileSync(join(dir, 'invocations.jsonl'), JSON.stringify(record('torn')).slice(0, 40));
    const warnings: string[] = [];
    const reopened = new InvocationStore({ stateDir: dir, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      (await reopened.page()).records.map((r) => r.id),
      ['whole'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /skipped 1 damaged line: a torn last line \(40 bytes\)$/);
    reopened.put(record('after'));
    await reopened.close();
    assert.deepEqual(
      lines(dir).map((l) => (JSON.parse(l) as InvocationRecord).id),
      ['whole', 'after'],
    );
    const third = new InvocationStore({ stateDir: dir });
    assert.deepEqual(
      (await third.page()).records.map((r) => r.id),
      ['after', 'whole'],
    );
    await third.close();
  });

  it('skips a corrupted line in the middle, with one warning saying how many', async () => {
    const dir = stateDir();
    appendFileSync(join(dir, 'invocations.jsonl'), `${JSON.stringify(record('one'))}\n{broken\n${JSON.stringify(record('two'))}\n`);
    const warnings: string[] = [];
    const store = new InvocationStore({ stateDir: dir, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      (await store.page()).records.map((r) => r.id),
      ['two', 'one'],
    );
    assert.deepEqual(
      warnings.map((w) => w.replace(/^.*invocations\.jsonl/, '')),
      [': skipped 1 damaged line: 1 not valid JSON'],
    );
    await store.close();
  });

  it('retention keeps the newest N, oldest dropped first, and compacts the file', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir, maxRecords: 5 });
    for (let i = 0; i < 150; i++) store.put(record(`r${i}`));
    assert.equal(store.size(), 5);
    assert.deepEqual(
      (await store.page()).records.map((r) => r.id),
      ['r149', 'r148', 'r147', 'r146', 'r145'],
    );
    assert.equal(store.get('r0'), undefined);
    await store.close();
    // Compaction ran while writing: the file never holds all 150 lines.
    assert.ok(lines(dir).length < 150, `file has ${lines(dir).length} lines`);
    const reopened = new InvocationStore({ stateDir: dir, maxRecords: 5 });
    assert.deepEqual(
      (await reopened.page()).records.map((r) => r.id),
      ['r149', 'r148', 'r147', 'r146', 'r145'],
    );
    assert.deepEqual(
      lines(dir).map((l) => (JSON.parse(l) as InvocationRecord).id),
      ['r145', 'r146', 'r147', 'r148', 'r149'],
    );
    await reopened.close();
  });

  it('retention drops by first appearance whatever happened since: an updated record keeps its place, a dropped one put again is new', async () => {
    const store = new InvocationStore({ stateDir: stateDir(), maxRecords: 3 });
    const ids = async () => (await store.page()).records.map((r) => r.id);
    for (let i = 0; i < 5; i++) store.put(record(`r${i}`));
    assert.deepEqual(await ids(), ['r4', 'r3', 'r2']);
    store.put(record('r2', { status: 'error' }));
    store.put(record('r0'));
    assert.deepEqual(await ids(), ['r0', 'r4', 'r3']);
    store.put(record('r5'));
    store.put(record('r6'));
    assert.deepEqual(await ids(), ['r6', 'r5', 'r0']);
    for (let i = 7; i < 40; i++) store.put(record(`r${i}`));
    store.put(record('r5'));
    assert.deepEqual(await ids(), ['r5', 'r39', 'r38']);
    await store.close();
  });

  it('records put while a compaction runs in the background are all kept, in the rewritten file', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir, maxRecords: 50 });
    // 120 records, twice each (running, then final): past the compaction threshold of 2 × 50 lines.
    for (let i = 0; i < 120; i++) store.put(record(`r${i}`, { status: 'running' }));
    for (let i = 0; i < 120; i++) store.put(record(`r${i}`));
    // flush() starts the writer at once: a compaction, which has taken its snapshot and is waiting on
    // the file system when flush() returns, so these puts arrive while it runs.
    const flushed = store.flush();
    for (let i = 120; i < 140; i++) store.put(record(`r${i}`, { status: 'running' }));
    for (let i = 120; i < 140; i++) store.put(record(`r${i}`, { status: 'error' }));
    await flushed;
    await store.close();
    assert.ok(lines(dir).length < 280, `compacted: ${lines(dir).length} lines`);
    const reopened = new InvocationStore({ stateDir: dir, maxRecords: 50 });
    assert.equal(reopened.size(), 50);
    assert.deepEqual(
      (await reopened.page({ limit: 50 })).records.map((r) => [r.id, r.status]),
      Array.from({ length: 50 }, (_, k) => 139 - k).map((i) => [`r${i}`, i >= 120 ? 'error' : 'success']),
    );
    await reopened.close();
    assert.deepEqual(readdirSync(dir).sort(), ['invocations.jsonl'], 'no temp file is left behind');
  });

  it('a smaller limit on restart drops the oldest', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    for (let i = 0; i < 10; i++) store.put(record(`r${i}`));
    await store.close();
    const smaller = new InvocationStore({ stateDir: dir, maxRecords: 3 });
    assert.deepEqual(
      (await smaller.page()).records.map((r) => r.id),
      ['r9', 'r8', 'r7'],
    );
    assert.equal(lines(dir).length, 3);
    await smaller.close();
  });

  it('appends in batches through one handle: every put is in the file after flush, in order, and after close', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    store.put(record('first', { status: 'running' }));
    // Puts while the first write is in flight join the next batch.
    for (let i = 0; i < 40; i++) store.put(record(`b${i}`));
    store.put(record('first', { status: 'success' }));
    await store.flush();
    const ids = lines(dir).map((l) => (JSON.parse(l) as InvocationRecord).id);
    assert.deepEqual(ids, ['first', ...Array.from({ length: 40 }, (_, i) => `b${i}`), 'first']);
    store.put(record('last'));
    await store.close();
    assert.equal(lines(dir).length, 43);
    const reopened = new InvocationStore({ stateDir: dir });
    assert.equal(reopened.get('first')!.status, 'success');
    assert.equal(reopened.get('last')!.status, 'success');
    await reopened.close();
  });

  it('stores an event, result and logs once each, capped, with visible markers', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir, inlineLimitBytes: 64 * 1024 });
    const event = { body: 'e'.repeat(1_000_000) };
    const running = record('big', { status: 'running', event, logs: [] });
    const announced = store.put(running);
    assert.deepEqual(announced.truncated, { event: 1_000_011 });
    const logs = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'l'.repeat(100)}`);
    const final = store.put({ ...running, status: 'success', result: { r: 'r'.repeat(500_000) }, logs });
    await store.flush();
    assert.deepEqual(final.truncated, { event: 1_000_011, result: 500_008, logs: logs.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) });
    assert.deepEqual(Object.keys(final.event as object).sort(), ['bytes', 'preview', 'truncated']);
    assert.equal((final.event as { truncated: boolean }).truncated, true);
    assert.equal((final.event as { bytes: number }).bytes, 1_000_011);
    assert.equal((final.result as { bytes: number }).bytes, 500_008);
    assert.equal(final.logs[0], logs[0]);
    assert.equal(final.logs.at(-1), logs.at(-1));
    assert.ok(final.logs.some((l) => /^… \[truncated, \d+ bytes of logs: \d+ lines left out\] …$/.test(l)));
    // The event is in the file once: the final line leaves it to the first.
    const text = readFileSync(join(dir, 'invocations.jsonl'), 'utf8');
    assert.equal(text.split('"preview"').length - 1, 2, 'one preview for the event, one for the result');
    assert.ok(Buffer.byteLength(text) < 3 * 64 * 1024 + 10_000, `${Buffer.byteLength(text)} bytes for one record`);
    await store.close();
    const reopened = new InvocationStore({ stateDir: dir, inlineLimitBytes: 64 * 1024 });
    assert.deepEqual(reopened.get('big')!.event, final.event);
    assert.deepEqual(reopened.get('big')!.truncated, final.truncated);
    assert.equal(reopened.get('big')!.status, 'success');
    await reopened.close();
  });

  it('keeps the newest records within the byte budget, oldest dropped first, also after a restart', async () => {
    const dir = stateDir();
    const maxBytes = 1024 * 1024;
    const store = new InvocationStore({ stateDir: dir, maxBytes });
    for (let i = 0; i < 40; i++) store.put(record(`r${i}`, { event: { pad: 'p'.repeat(100_000) } }));
    assert.ok(store.bytes() <= maxBytes, `${store.bytes()} bytes kept`);
    assert.ok(store.size() >= 8 && store.size() < 40, `${store.size()} records kept`);
    assert.equal((await store.page({ limit: 1 })).records[0]!.id, 'r39');
    assert.equal(store.get('r0'), undefined);
    const kept = store.size();
    await store.close();
    const reopened = new InvocationStore({ stateDir: dir, maxBytes });
    assert.equal(reopened.size(), kept);
    assert.ok(statSync(join(dir, 'invocations.jsonl')).size <= maxBytes, 'the file is within the budget after a restart');
    await reopened.close();
  });

  it('loads a history of any size line by line: a 600 MB damaged line and broken lines are skipped with one warning', async () => {
    const dir = stateDir();
    const file = join(dir, 'invocations.jsonl');
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, JSON.stringify(record('before')) + '\n{broken\n');
      // Bigger than any string V8 can hold: reading the file as one string cannot work.
      const junk = Buffer.alloc(16 * 1024 * 1024, 0x78);
      for (let i = 0; i < 38; i++) writeSync(fd, junk);
      writeSync(fd, '\n' + JSON.stringify(record('after')) + '\nnot json either\n');
    } finally {
      closeSync(fd);
    }
    const warnings: string[] = [];
    const store = new InvocationStore({ stateDir: dir, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      (await store.page()).records.map((r) => r.id),
      ['after', 'before'],
    );
    assert.deepEqual(
      warnings.map((w) => w.replace(/^.*invocations\.jsonl/, '')),
      [': skipped 3 damaged lines: 2 not valid JSON, 1 longer than 64 MB'],
    );
    await store.close();
    // The damage was compacted away.
    assert.ok(statSync(file).size < 10_000);
  });

  it('written() resolves once the lines put so far are in the file', async () => {
    const dir = stateDir();
    const store = new InvocationStore({ stateDir: dir });
    store.put(record('one'));
    store.put(record('two'));
    await store.written();
    assert.deepEqual(
      lines(dir).map((l) => (JSON.parse(l) as InvocationRecord).id),
      ['one', 'two'],
    );
    store.put(record('three'));
    const written = store.written();
    assert.equal(lines(dir).length, 2, 'written once the write returns, not before');
    await written;
    assert.equal(lines(dir).length, 3);
    await store.close();
  });
});
