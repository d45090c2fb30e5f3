import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFilter, EMPTY_FILTER, sanitizeFilter, SearchIndex } from '../../webview-ui/model/filters';
import { HistoryModel } from '../../webview-ui/model/history';
import { STATUSES, TRIGGERS } from '../../webview-ui/model/records';
import { scrollToReveal, visibleRange } from '../../webview-ui/model/virtual-list';
import { record } from './panel/records';

const ids = (rs: { id: string }[]) => rs.map((r) => r.id);

describe('panel history filters and search', () => {
  const records = [
    record({ id: 'a', functionName: 'Greet', event: { name: 'Ada' }, result: { message: 'Hello, Ada!' } }),
    record({
      id: 'b',
      functionName: 'Fail',
      status: 'error',
      trigger: 'sns',
      error: { errorType: 'OrderRejected', errorMessage: 'order 42 is not valid', trace: ['at handler (fail.js:9)'] },
    }),
    record({ id: 'c', functionName: 'Greet', trigger: 'http', logs: ['2026-01-01T00:00:00.000Z\tc\tWARN\tDisk Nearly FULL'] }),
  ];
  const index = new SearchIndex();

  it('filters by function, status and trigger', () => {
    assert.deepEqual(ids(applyFilter(records, { ...EMPTY_FILTER, functionName: 'Greet' }, index)), ['a', 'c']);
    assert.deepEqual(ids(applyFilter(records, { ...EMPTY_FILTER, status: 'error' }, index)), ['b']);
    assert.deepEqual(ids(applyFilter(records, { ...EMPTY_FILTER, trigger: 'http' }, index)), ['c']);
    assert.deepEqual(ids(applyFilter(records, { ...EMPTY_FILTER, functionName: 'Greet', trigger: 'sns' }, index)), []);
    assert.deepEqual(ids(applyFilter(records, EMPTY_FILTER, index)), ['a', 'b', 'c']);
  });

  it('searches event, result, error and logs, case-insensitively', () => {
    const search = (s: string) => ids(applyFilter(records, { ...EMPTY_FILTER, search: s }, index));
    assert.deepEqual(search('ada'), ['a']);
    assert.deepEqual(search('HELLO, ada!'), ['a']);
    assert.deepEqual(search('orderrejected'), ['b']);
    assert.deepEqual(search('fail.js:9'), ['b']);
    assert.deepEqual(search('disk nearly'), ['c']);
    assert.deepEqual(search('  '), ['a', 'b', 'c']);
    assert.deepEqual(search('no such text'), []);
  });

  it('searches a cut or left-out event in the text of its preview', () => {
    const marker = { truncated: true, bytes: 20_000, preview: '{"name":"Grace","pad":"ppp' };
    const left = [record({ id: 'o', event: marker, omitted: { event: 20_000 } }), record({ id: 't', event: marker, truncated: { event: 20_000 } })];
    assert.deepEqual(ids(applyFilter(left, { ...EMPTY_FILTER, search: '"name":"grace"' }, new SearchIndex())), ['o', 't']);
    assert.deepEqual(ids(applyFilter(left, { ...EMPTY_FILTER, search: 'truncated' }, new SearchIndex())), [], 'the marker itself is not data');
  });

  it('caches the searchable text per record object, so an updated record is searched afresh', () => {
    const idx = new SearchIndex();
    const r = record({ id: 'x', logs: [] });
    assert.equal(applyFilter([r], { ...EMPTY_FILTER, search: 'later' }, idx).length, 0);
    const updated = { ...r, logs: ['a later line'] };
    assert.equal(applyFilter([updated], { ...EMPTY_FILTER, search: 'later' }, idx).length, 1);
  });

  it('reads saved filters defensively', () => {
    assert.deepEqual(sanitizeFilter({ functionName: 'Greet', status: 'bogus', trigger: 'sns', search: 7 }, STATUSES, TRIGGERS), {
      functionName: 'Greet',
      status: '',
      trigger: 'sns',
      search: '',
    });
    assert.deepEqual(sanitizeFilter(null, STATUSES, TRIGGERS), EMPTY_FILTER);
  });
});

describe('panel history model', () => {
  it('keeps records newest first, replaces updates in place and sorts late arrivals in', () => {
    const h = new HistoryModel();
    h.upsert([record({ id: 'old', timestamps: { queuedAt: 100 } }), record({ id: 'mid', timestamps: { queuedAt: 200 } })]);
    h.upsert([record({ id: 'new', timestamps: { queuedAt: 300 }, status: 'running' })]);
    assert.deepEqual(ids([...h.all()]), ['new', 'mid', 'old']);
    h.upsert([record({ id: 'new', timestamps: { queuedAt: 300 }, status: 'success' })]);
    assert.deepEqual(ids([...h.all()]), ['new', 'mid', 'old']);
    assert.equal(h.get('new')?.status, 'success');
    h.upsert([record({ id: 'between', timestamps: { queuedAt: 150 } })]);
    assert.deepEqual(ids([...h.all()]), ['new', 'mid', 'between', 'old']);
    assert.equal(h.size, 4);
  });

  it('lists children oldest first and appends streamed log lines as new objects', () => {
    const h = new HistoryModel();
    h.upsert([
      record({ id: 'p', kind: 'sns-publish', timestamps: { queuedAt: 1 } }),
      record({ id: 'c1', parentId: 'p', timestamps: { queuedAt: 2 } }),
      record({ id: 'c2', parentId: 'p', attempt: 1, timestamps: { queuedAt: 3 } }),
    ]);
    assert.deepEqual(ids(h.childrenOf('p')), ['c1', 'c2']);
    const before = h.get('c1');
    const after = h.appendLog('c1', 'START RequestId: c1 Version: $LATEST');
    assert.notEqual(before, after);
    assert.deepEqual(h.get('c1')?.logs, ['START RequestId: c1 Version: $LATEST']);
    assert.equal(h.appendLog('unknown', 'x'), undefined);
  });

  it('never moves a finished record back to running when notifications arrive out of order', () => {
    const h = new HistoryModel();
    assert.equal(h.applyNotification(record({ id: 'x', status: 'success' })), true);
    assert.equal(h.applyNotification(record({ id: 'x', status: 'running' })), false);
    assert.equal(h.get('x')?.status, 'success');
    assert.equal(h.applyNotification(record({ id: 'x', status: 'success', logs: ['late'] })), true, 'a final update (e.g. an HTTP response attached) applies');
    assert.deepEqual(h.get('x')?.logs, ['late']);
  });

  it('keeps an event it holds whole when a brief copy of the record comes (a later notification, a page)', () => {
    const h = new HistoryModel();
    const preview = { truncated: true, bytes: 20_000, preview: '{"pad":"xx' };
    h.upsert([record({ id: 'b', status: 'running', event: preview, omitted: { event: 20_000 } })]);
    h.merge([record({ id: 'b', status: 'running', event: { pad: 'whole' } })]);
    assert.deepEqual(h.get('b')?.event, { pad: 'whole' });
    assert.equal(h.applyNotification(record({ id: 'b', status: 'success', event: preview, omitted: { event: 20_000 }, logs: ['END'] })), true);
    assert.deepEqual([h.get('b')?.status, h.get('b')?.event, h.get('b')?.omitted, h.get('b')?.logs], ['success', { pad: 'whole' }, undefined, ['END']]);
    // Without an earlier whole copy, the brief one is what there is.
    h.merge([record({ id: 'c', event: preview, omitted: { event: 20_000 } })]);
    assert.deepEqual(h.get('c')?.omitted, { event: 20_000 });
  });

  it('keeps 10,000 records ordered when they arrive newest last', () => {
    const h = new HistoryModel();
    for (let i = 0; i < 10_000; i++) h.upsert([record({ id: `r${i}`, timestamps: { queuedAt: i } })]);
    assert.equal(h.all()[0].id, 'r9999');
    assert.equal(h.all()[9999].id, 'r0');
  });
});

describe('panel virtual list', () => {
  it('renders only the rows on screen plus overscan', () => {
    assert.deepEqual(visibleRange(10_000, 28, 28 * 5000, 560, 6), { start: 4994, end: 5027, offsetPx: 4994 * 28, totalPx: 280_000 });
    assert.deepEqual(visibleRange(10, 28, 0, 560, 6), { start: 0, end: 10, offsetPx: 0, totalPx: 280 });
    assert.deepEqual(visibleRange(0, 28, 0, 560), { start: 0, end: 0, offsetPx: 0, totalPx: 0 });
  });

  it('clamps a scroll position past the end (list shrank after filtering)', () => {
    const r = visibleRange(100, 28, 1_000_000, 560, 0);
    assert.equal(r.end, 100);
    assert.equal(r.start, 80);
  });

  it('scrolls just enough to reveal a row', () => {
    assert.equal(scrollToReveal(0, 28, 280, 560), 0);
    assert.equal(scrollToReveal(50, 28, 0, 560), 51 * 28 - 560);
    assert.equal(scrollToReveal(15, 28, 280, 560), 280);
  });
});
