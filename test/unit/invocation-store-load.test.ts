// Loading a history longer than the startup budget: the newest records at once, the older part in
// the background, merged to exactly what one sequential load gives (order, last line wins, events,
// interrupted records, damage, torn tail, compaction), with puts and cursors from before the merge.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { InvocationStore, type HistoryPage } from '../../runtime-host/records/invocation-store';
import { storeRecord, tempStateDir } from './store-fixtures';

/** More records than the store reads before it is ready (500). */
const MANY = 1500;

const stateDir = (): string => tempStateDir('lw-store-load-');

const record = storeRecord;

/** A line as the store writes it; `withEvent: false` leaves the event to an earlier line of the id. */
function line(r: InvocationRecord, withEvent = true): string {
  if (withEvent) return JSON.stringify(r) + '\n';
  const { event: _event, ...rest } = r;
  return JSON.stringify(rest) + '\n';
}

function historyFile(dir: string): string {
  return join(dir, 'invocations.jsonl');
}

/** r0 … r{n-1}, one line each, oldest first; `extra` lines go in after record `at`. */
function writeHistory(dir: string, n: number, extra: Record<number, string> = {}): void {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(line(record(`r${i}`, { functionName: i % 2 ? 'Odd' : 'Even' })));
    if (extra[i] !== undefined) out.push(extra[i]!);
  }
  writeFileSync(historyFile(dir), out.join(''));
}

async function allIds(store: InvocationStore, query: { function?: string; limit?: number } = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page: HistoryPage = await store.page({ ...query, ...(cursor !== undefined ? { cursor } : {}) });
    ids.push(...page.records.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

/** Whether `promise` settles before the store's background load has merged. */
async function beforeMerge<T>(store: InvocationStore, promise: Promise<T>): Promise<{ value: T; early: boolean }> {
  let merged = false;
  void store.loaded().then(() => (merged = true));
  const value = await promise;
  return { value, early: !merged };
}

const newestFirst = (n: number) => Array.from({ length: n }, (_, k) => `r${n - 1 - k}`);

describe('invocation store: loading a long history', () => {
  it('answers the newest pages at once, and the older pages correctly once the rest is loaded', async () => {
    const dir = stateDir();
    writeHistory(dir, MANY);
    const store = new InvocationStore({ stateDir: dir });
    assert.ok(store.size() < MANY, `only the newest records are loaded before ready (${store.size()})`);
    const first = await beforeMerge(store, store.page({ limit: 50 }));
    assert.equal(first.early, true, 'the first page waited for the older part');
    assert.deepEqual(
      first.value.records.map((r) => r.id),
      newestFirst(MANY).slice(0, 50),
    );
    // The panel's first page is the largest a client may ask for.
    const panel = await beforeMerge(store, store.page({ limit: 500 }));
    assert.equal(panel.early, true, "the panel's first page waited for the older part");
    assert.deepEqual(
      panel.value.records.map((r) => r.id),
      newestFirst(MANY).slice(0, 500),
    );
    assert.equal(typeof panel.value.nextCursor, 'string');
    const odd = await beforeMerge(store, store.page({ function: 'Odd', limit: 20 }));
    assert.equal(odd.early, true);
    assert.deepEqual(
      odd.value.records.map((r) => r.id),
      newestFirst(MANY)
        .filter((id) => Number(id.slice(1)) % 2 === 1)
        .slice(0, 20),
    );
    // A page that reaches past the newest records waits for the merge, and its cursor stays valid.
    const deep = await store.page({ limit: 500, cursor: first.value.nextCursor! });
    assert.deepEqual(
      deep.records.map((r) => r.id),
      newestFirst(MANY).slice(50, 550),
    );
    await store.loaded();
    assert.equal(store.size(), MANY);
    assert.deepEqual(await allIds(store, { limit: 500 }), newestFirst(MANY));
    assert.deepEqual(
      await allIds(store, { function: 'Even', limit: 97 }),
      newestFirst(MANY).filter((id) => Number(id.slice(1)) % 2 === 0),
    );
    assert.equal((await store.lookup('r0'))?.id, 'r0');
    await store.close();
  });

  it('the last line for an id wins across the boundary, in the place of its first line, with the event of its first line', async () => {
    const dir = stateDir();
    const straddling = record('straddling', { status: 'running', event: { first: true } });
    const updated = record('updated', { status: 'running', event: { kept: 1 } });
    writeHistory(dir, MANY, { 99: line(straddling), 100: line(updated) });
    // Last lines in the newest part: one without its event (as a finishing invocation writes it), one with it.
    appendFileSync(
      historyFile(dir),
      line({ ...straddling, status: 'error', durationMs: 7 }, false) + line({ ...updated, status: 'success', event: { kept: 2 } }),
    );
    const store = new InvocationStore({ stateDir: dir });
    const first = await beforeMerge(store, store.page({ limit: 10 }));
    assert.equal(first.early, true);
    assert.ok(!first.value.records.some((r) => r.id === 'straddling'), 'its place is not known before the merge');
    // A client waits for it; the host's own synchronous lookup loads the rest at once.
    const looked = await store.lookup('straddling');
    assert.deepEqual([looked?.status, looked?.durationMs, looked?.event], ['error', 7, { first: true }]);
    await store.loaded();
    const ids = await allIds(store, { limit: 500 });
    const expected = newestFirst(MANY);
    expected.splice(expected.indexOf('r100'), 0, 'updated');
    expected.splice(expected.indexOf('r99'), 0, 'straddling');
    assert.deepEqual(ids, expected);
    assert.deepEqual(store.get('updated')?.event, { kept: 2 });
    assert.equal(store.get('updated')?.status, 'success');
    await store.close();
  });

  it('a synchronous get of a record not loaded yet loads the rest at once, exactly', async () => {
    const dir = stateDir();
    const straddling = record('straddling', { status: 'running', event: { first: true } });
    writeHistory(dir, MANY, { 3: line(straddling) });
    appendFileSync(historyFile(dir), line({ ...straddling, status: 'success' }, false));
    const store = new InvocationStore({ stateDir: dir });
    assert.ok(store.size() < MANY);
    assert.deepEqual(store.get('straddling')?.event, { first: true });
    assert.equal(store.get('straddling')?.status, 'success');
    assert.equal(store.size(), MANY + 1);
    assert.equal(store.get('r0')?.id, 'r0');
    await store.loaded();
    assert.equal((await allIds(store, { limit: 500 })).length, MANY + 1);
    await store.close();
  });

  it('cuts a torn tail at once, warns once about it and about damage in the older part, and compacts after the merge', async () => {
    const dir = stateDir();
    writeHistory(dir, MANY, { 10: '{broken\n', 20: line(record('r20', { status: 'error' })) });
    const whole = statSync(historyFile(dir)).size;
    appendFileSync(historyFile(dir), line(record('torn')).slice(0, 40));
    const warnings: string[] = [];
    const store = new InvocationStore({ stateDir: dir, onWarning: (m) => warnings.push(m) });
    assert.equal(statSync(historyFile(dir)).size, whole, 'the torn line is cut before the first append');
    store.put(record('after'));
    await store.loaded();
    assert.deepEqual(
      warnings.map((w) => w.replace(/^.*invocations\.jsonl/, '')),
      [': skipped 2 damaged lines: 1 not valid JSON, a torn last line (40 bytes)'],
    );
    assert.equal(store.get('r20')?.status, 'error');
    await store.close();
    // Compacted: one line per record, the put one last; nothing torn or broken left.
    const ids = readFileSync(historyFile(dir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as InvocationRecord).id);
    assert.deepEqual(ids, [...newestFirst(MANY).reverse(), 'after']);
  });

  it('records put before the merge keep their place and state; running records from the file come back interrupted', async () => {
    const dir = stateDir();
    writeHistory(dir, MANY, { 5: line(record('old-running', { status: 'running' })) });
    appendFileSync(historyFile(dir), line(record('new-running', { status: 'running' })));
    const store = new InvocationStore({ stateDir: dir });
    // New records, and an update of one of the newest: answered before the merge, in their places.
    store.put(record('live', { status: 'running' }));
    store.put(record(`r${MANY - 2}`, { status: 'error' }));
    const first = await beforeMerge(store, store.page({ limit: 4 }));
    assert.equal(first.early, true);
    assert.deepEqual(
      first.value.records.map((r) => [r.id, r.status]),
      [
        ['live', 'running'],
        ['new-running', 'interrupted'],
        [`r${MANY - 1}`, 'success'],
        [`r${MANY - 2}`, 'error'],
      ],
    );
    // An older record is updated as the host does it: got (which loads the rest at once), then put.
    store.put({ ...store.get('r1')!, status: 'error' });
    await store.loaded();
    assert.equal(store.get('old-running')?.status, 'interrupted');
    assert.equal(store.get('live')?.status, 'running');
    assert.equal(store.get('r1')?.status, 'error', 'the put wins over the older line');
    const ids = await allIds(store, { limit: 500 });
    assert.deepEqual(ids.slice(0, 4), ['live', 'new-running', `r${MANY - 1}`, `r${MANY - 2}`]);
    assert.equal(ids.indexOf('r1'), ids.length - 2, 'an older record updated by a put keeps its place');
    await store.close();
    const reopened = new InvocationStore({ stateDir: dir });
    await reopened.loaded();
    assert.equal(reopened.get('live')?.status, 'interrupted');
    assert.equal(reopened.get('r1')?.status, 'error');
    assert.equal(reopened.size(), MANY + 3);
    await reopened.close();
  });

  it('applies retention across the whole history: the newest within the limits, the file compacted to them', async () => {
    const dir = stateDir();
    writeHistory(dir, MANY);
    const store = new InvocationStore({ stateDir: dir, maxRecords: 700 });
    const first = await beforeMerge(store, store.page({ limit: 10 }));
    assert.equal(first.early, true);
    assert.deepEqual(
      first.value.records.map((r) => r.id),
      newestFirst(MANY).slice(0, 10),
    );
    await store.loaded();
    assert.equal(store.size(), 700);
    assert.deepEqual(await allIds(store, { limit: 500 }), newestFirst(MANY).slice(0, 700));
    await store.close();
    assert.equal(readFileSync(historyFile(dir), 'utf8').split('\n').filter(Boolean).length, 700);
  });
});
