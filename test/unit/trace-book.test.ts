// The trace book's bookkeeping with the real record book and durable store (a temp state folder):
// trace header parsing, inheritance, which in-flight invocation a call belongs to, spans joining
// records (live, late, capped), calls from outside any function, and finding a trace again after a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Notifications } from '../../runtime-host/protocol/methods';
import type { InvocationRecord, ServiceCallSpan } from '../../runtime-host/protocol/records';
import { InvocationStore } from '../../runtime-host/records/invocation-store';
import { InvocationHub } from '../../runtime-host/records/record-book';
import { MAX_SPANS_PER_RECORD, TraceBook } from '../../runtime-host/records/trace-book';
import { newTraceRoot, parseTraceHeader, segmentOf, traceHeaderFor, traceRootOf } from '../../runtime-host/runtime/trace-id';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ROOT = '1-67a1b2c3-0123456789abcdef01234567';

function record(id: string, fields: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    id,
    kind: 'invocation',
    requestId: id,
    functionName: 'Fn',
    trigger: 'manual',
    status: 'running',
    cold: false,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    timestamps: { queuedAt: 1000 },
    billingRule: 'per-ms-with-init',
    event: {},
    logs: [],
    ...fields,
  };
}

function span(fields: Partial<ServiceCallSpan> & { id: string }): ServiceCallSpan {
  return { service: 's3', operation: 'PutObject', resource: 'b/k', status: 200, startAt: 2000, durationMs: 3, ...fields };
}

function harness(dir = mkdtempSync(join(tmpdir(), 'lw-trace-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = new InvocationStore({ stateDir: dir });
  const hub = new InvocationHub(store);
  const notified: { method: keyof Notifications; params: unknown }[] = [];
  hub.subscribe((method, params) => notified.push({ method, params }));
  const traces = new TraceBook({ records: hub, store, notify: (method, params) => notified.push({ method, params }) });
  /** What the invoker does: `started` (the hub gives the trace), then the trace book follows it. */
  const start = (r: InvocationRecord) => {
    hub.open(r);
    traces.started(r);
    return r;
  };
  const finish = (r: InvocationRecord) => {
    r.status = 'success';
    traces.finished(r);
    hub.close(r);
  };
  return { dir, store, hub, traces, notified, start, finish };
}

const uuid = (hex16: string) => `${hex16.slice(0, 8)}-${hex16.slice(8, 12)}-${hex16.slice(12, 16)}-8000-000000000000`;

describe('trace ids', () => {
  it('parses X-Amzn-Trace-Id in any field order and case, with Self=, and refuses a header without a well-formed Root', () => {
    assert.deepEqual(parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`), { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '1' });
    assert.deepEqual(parseTraceHeader(`Self=1-67a1b2c3-aaaa;sampled=0; root=${ROOT.toUpperCase()} ;PARENT=53995C3F42CD8AD8`), {
      root: ROOT,
      parent: '53995c3f42cd8ad8',
      self: '1-67a1b2c3-aaaa',
      sampled: '0',
    });
    assert.deepEqual(parseTraceHeader(`Root=${ROOT};Parent=nothex`), { root: ROOT });
    assert.equal(parseTraceHeader('Root=1-67a1b2c3-short;Parent=53995c3f42cd8ad8'), undefined);
    assert.equal(parseTraceHeader('Parent=53995c3f42cd8ad8'), undefined);
    assert.equal(parseTraceHeader(undefined), undefined);
    assert.equal(parseTraceHeader(`Root=${ROOT};${'x'.repeat(2000)}`), undefined);
  });

  it('makes the header an invocation runs with: its Parent names the request id, and a bare root or a header both give the root back', () => {
    const requestId = uuid('0a1b2c3d4e5f6071');
    assert.equal(traceHeaderFor(ROOT, requestId), `Root=${ROOT};Parent=0a1b2c3d4e5f6071;Sampled=0`);
    assert.equal(segmentOf(requestId), '0a1b2c3d4e5f6071');
    assert.match(newTraceRoot(Date.UTC(2026, 0, 1)), /^1-6955b900-[0-9a-f]{24}$/);
    assert.equal(traceRootOf(ROOT), ROOT);
    assert.equal(traceRootOf(` Root=${ROOT};Parent=0a1b2c3d4e5f6071 `), ROOT);
    assert.equal(traceRootOf('1-nope'), undefined);
  });
});

describe('trace book', () => {
  it('gives a record its parent’s trace when the record book opens it, and a new one to a record without a parent', () => {
    const { hub } = harness();
    const parent = record('p', { kind: 's3-event', status: 'running' });
    hub.open(parent);
    assert.match(parent.traceId ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const child = record('c', { parentId: 'p' });
    hub.open(child);
    assert.equal(child.traceId, parent.traceId);
    const grandchild = record('g', { kind: 'sns-publish', parentId: 'c' });
    hub.open(grandchild);
    assert.equal(grandchild.traceId, parent.traceId);
    const own = record('o', { traceId: ROOT, parentId: 'p' });
    hub.open(own);
    assert.equal(own.traceId, ROOT, 'a trace the caller already had is kept');
    const orphan = record('x', { parentId: 'gone' });
    hub.open(orphan);
    assert.notEqual(orphan.traceId, parent.traceId);
  });

  it('finds the invocation a call came from by its Parent segment, even with several of one trace running', () => {
    const { traces, start } = harness();
    const a = start(record(uuid('aaaaaaaaaaaaaaaa'), { traceId: ROOT, timestamps: { queuedAt: 1000 } }));
    const b = start(record(uuid('bbbbbbbbbbbbbbbb'), { traceId: ROOT, timestamps: { queuedAt: 2000 } }));
    assert.deepEqual(traces.callerOf(traceHeaderFor(ROOT, a.requestId)), { recordId: a.id, traceId: ROOT });
    assert.deepEqual(traces.callerOf(traceHeaderFor(ROOT, b.requestId)), { recordId: b.id, traceId: ROOT });
    // A header without a Parent we know (a tool that rewrote it): the most recently started one.
    assert.deepEqual(traces.callerOf(`Root=${ROOT}`), { recordId: b.id, traceId: ROOT });
    assert.deepEqual(traces.callerOf(`Root=${ROOT};Parent=0000000000000000`), { recordId: b.id, traceId: ROOT });
    assert.equal(traces.callerOf(`Root=1-67a1b2c3-ffffffffffffffffffffffff;Parent=aaaaaaaaaaaaaaaa`), undefined);
    assert.equal(traces.callerOf(undefined), undefined);
  });

  it('forgets an invocation when it finishes (or is no longer running): later calls with its header have no caller', () => {
    const { traces, start, finish } = harness();
    const a = start(record(uuid('aaaaaaaaaaaaaaaa'), { traceId: ROOT }));
    finish(a);
    assert.equal(traces.callerOf(traceHeaderFor(ROOT, a.requestId)), undefined);
    // One that ended without the invoker saying so (a host-side failure) is not a caller either.
    const b = start(record(uuid('bbbbbbbbbbbbbbbb'), { traceId: ROOT }));
    b.status = 'interrupted';
    assert.equal(traces.callerOf(traceHeaderFor(ROOT, b.requestId)), undefined);
  });

  it('adds a span to the running invocation and announces it; the record is stored with its spans when it finishes', async () => {
    const { dir, store, traces, notified, start, finish } = harness();
    const a = start(record('a', { traceId: ROOT }));
    traces.record(span({ id: 's1', recordId: 'a', traceId: ROOT }));
    traces.record(span({ id: 's2', recordId: 'a', traceId: ROOT, operation: 'GetObject', status: 404, errorCode: 'NoSuchKey' }));
    assert.deepEqual(
      a.serviceCalls?.map((s) => s.id),
      ['s1', 's2'],
    );
    assert.deepEqual(
      notified.filter((n) => n.method === 'invocation.serviceCall').map((n) => (n.params as ServiceCallSpan).id),
      ['s1', 's2'],
    );
    finish(a);
    await store.close();
    const reopened = new InvocationStore({ stateDir: dir });
    assert.deepEqual(
      reopened.get('a')?.serviceCalls?.map((s) => [s.id, s.operation, s.status]),
      [
        ['s1', 'PutObject', 200],
        ['s2', 'GetObject', 404],
      ],
    );
    const again = new TraceBook({ records: new InvocationHub(reopened), store: reopened, notify: () => {} });
    assert.deepEqual(
      (await again.trace(ROOT)).map((r) => r.id),
      ['a'],
    );
    await reopened.close();
  });

  it('stores a span that arrives after its invocation finished with the record again', () => {
    const { store, traces, notified, start, finish } = harness();
    const a = start(record('a', { traceId: ROOT }));
    finish(a);
    const before = notified.filter((n) => n.method === 'invocation.finished').length;
    traces.record(span({ id: 'late', recordId: 'a', traceId: ROOT }));
    assert.deepEqual(
      store.get('a')?.serviceCalls?.map((s) => s.id),
      ['late'],
    );
    assert.equal(notified.filter((n) => n.method === 'invocation.finished').length, before + 1);
  });

  it('keeps at most MAX_SPANS_PER_RECORD spans on a record and counts the rest', () => {
    const { traces, start } = harness();
    const a = start(record('a', { traceId: ROOT }));
    for (let i = 0; i < MAX_SPANS_PER_RECORD + 5; i++) traces.record(span({ id: `s${i}`, recordId: 'a', traceId: ROOT }));
    assert.equal(a.serviceCalls?.length, MAX_SPANS_PER_RECORD);
    assert.equal(a.serviceCallsDropped, 5);
  });

  it('keeps a call from outside any function (or from a record it does not know) as a service-call record of its own', () => {
    const { store, traces } = harness();
    traces.record(span({ id: 'out', service: 'sqs', operation: 'SendMessage', resource: 'orders', status: 400, errorCode: 'QueueDoesNotExist' }));
    traces.record(span({ id: 'stray', recordId: 'unknown-record' }));
    const out = store.get('out')!;
    assert.equal(out.kind, 'service-call');
    assert.equal(out.functionName, 'orders');
    assert.equal(out.status, 'error');
    assert.equal(out.error?.errorType, 'QueueDoesNotExist');
    assert.deepEqual(out.timestamps, { queuedAt: 2000, finishedAt: 2003 });
    assert.match(out.traceId ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(
      out.serviceCalls?.map((s) => [s.id, s.traceId]),
      [['out', out.traceId]],
    );
    const stray = store.get('stray')!;
    assert.equal(stray.kind, 'service-call');
    assert.equal(stray.serviceCalls?.[0]?.recordId, undefined);
  });
});
