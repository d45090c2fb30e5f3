import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationRecord, ServiceCallSpan } from '../../runtime-host/protocol/records';
import { HistoryModel } from '../../webview-ui/model/history';
import { layoutGraph, layoutTrace, resourceOfSpan, traceGraph, type TraceRow } from '../../webview-ui/model/trace';
import { record } from './panel/records';

const T = '1-67a1b2c3-0123456789abcdef01234567';
const OTHER = '1-67a1b2c3-fedcba9876543210fedcba98';

function span(
  recordId: string | undefined,
  fields: Partial<ServiceCallSpan> & Pick<ServiceCallSpan, 'id' | 'service' | 'operation' | 'startAt'>,
): ServiceCallSpan {
  return { ...(recordId !== undefined ? { recordId } : {}), traceId: T, status: 200, durationMs: 4, ...fields };
}

/** A → PutObject photos/in.jpg → S3 event → B → SendMessage jobs (and a failed GetObject) → C fails. */
function chain(): InvocationRecord[] {
  const a = record({
    id: 'a',
    functionName: 'Uploader',
    traceId: T,
    timestamps: { queuedAt: 1000, invokeStartAt: 1002, invokeEndAt: 1030, finishedAt: 1031 },
    serviceCalls: [span('a', { id: 's1', service: 's3', operation: 'PutObject', resource: 'photos/in.jpg', startAt: 1010, durationMs: 6 })],
  });
  const s3 = record({
    id: 'e',
    kind: 's3-event',
    trigger: 's3',
    functionName: 'photos',
    parentId: 'a',
    traceId: T,
    source: { bucket: 'photos', key: 'in.jpg' },
    timestamps: { queuedAt: 1016, finishedAt: 1090 },
  });
  const b = record({
    id: 'b',
    functionName: 'Resizer',
    trigger: 's3',
    parentId: 'e',
    traceId: T,
    cold: true,
    timestamps: { queuedAt: 1017, initStartAt: 1018, initEndAt: 1040, invokeStartAt: 1040, invokeEndAt: 1070, finishedAt: 1071 },
    serviceCalls: [
      span('b', { id: 's2', service: 's3', operation: 'GetObject', resource: 'photos/missing.jpg', startAt: 1045, status: 404, errorCode: 'NoSuchKey' }),
      span('b', { id: 's3', service: 'sqs', operation: 'SendMessage', resource: 'http://127.0.0.1:4566/123456789012/jobs', startAt: 1050 }),
    ],
  });
  const c = record({
    id: 'c',
    functionName: 'Worker',
    trigger: 'sqs',
    parentId: 'b',
    traceId: T,
    status: 'error',
    source: { queueArn: 'arn:aws:sqs:us-east-1:123456789012:jobs' },
    timestamps: { queuedAt: 1055, invokeStartAt: 1060, invokeEndAt: 1100, finishedAt: 1101 },
  });
  const unrelated = record({ id: 'x', traceId: OTHER, timestamps: { queuedAt: 0, invokeStartAt: 1, invokeEndAt: 5000, finishedAt: 5001 } });
  return [c, unrelated, b, s3, a];
}

const summary = (row: TraceRow) =>
  row.type === 'record'
    ? `${'  '.repeat(row.depth)}${row.label}${row.kindLabel ? ` [${row.kindLabel}]` : ''} ${row.status}`
    : `${'  '.repeat(row.depth)}${row.service} ${row.operation} ${row.status}${row.failed ? ' FAILED' : ''}`;

describe('panel trace waterfall', () => {
  it('puts the whole chain on one axis, nested by parent, each call under the invocation that made it, in time order', () => {
    const layout = layoutTrace(T, chain(), 99_999);
    assert.deepEqual(layout.rows.map(summary), [
      'Uploader success',
      '  s3 PutObject 200',
      '  photos [S3 event] success',
      '    Resizer success',
      '      s3 GetObject 404 FAILED',
      '      sqs SendMessage 200',
      '      Worker error',
    ]);
    assert.equal(layout.originAt, 1000);
    assert.equal(layout.totalMs, 101, 'the axis ends with the last thing in the trace (Worker finishes at 1101)');
    assert.deepEqual([layout.recordCount, layout.spanCount, layout.failed], [4, 3, true]);
    const put = layout.rows[1]!;
    assert.ok(put.type === 'span');
    assert.deepEqual([put.startMs, put.endMs, put.recordId, put.resource], [10, 16, 'a', 'photos/in.jpg']);
    const resizer = layout.rows[3]!;
    assert.ok(resizer.type === 'record');
    assert.deepEqual(
      resizer.phases.map((p) => [p.kind, p.startMs, p.endMs]),
      [
        ['queued', 17, 18],
        ['init', 18, 40],
        ['invoke', 40, 70],
        ['report', 70, 71],
      ],
    );
  });

  it('treats a record whose parent is outside the trace (or dropped by retention) as a root, and a running one as ending now', () => {
    const orphan = record({ id: 'o', parentId: 'gone', traceId: T, status: 'running', timestamps: { queuedAt: 2000, invokeStartAt: 2001 } });
    const layout = layoutTrace(T, [orphan], 2050);
    assert.deepEqual(layout.rows.map(summary), ['GreetFunction running']);
    assert.equal(layout.totalMs, 50);
    assert.equal(layout.failed, false);
  });

  it('shows a call from outside any function as one record row, without repeating its span', () => {
    const call = record({
      id: 'sc',
      kind: 'service-call',
      trigger: 'api',
      functionName: 'orders',
      traceId: T,
      serviceCalls: [span(undefined, { id: 'sc', service: 'sqs', operation: 'SendMessage', resource: 'orders', startAt: 1000 })],
    });
    assert.deepEqual(layoutTrace(T, [call], 0).rows.map(summary), ['orders [AWS call] success']);
  });
});

describe('panel trace graph', () => {
  it('draws functions and resources as nodes, calls and deliveries as edges, failures marked', () => {
    const graph = traceGraph(chain().filter((r) => r.traceId === T));
    assert.deepEqual(
      graph.nodes.map((n) => [n.id, n.failed]),
      [
        ['function:Uploader', false],
        ['bucket:photos', true],
        ['function:Resizer', false],
        ['queue:jobs', false],
        ['function:Worker', true],
      ],
    );
    assert.deepEqual(
      graph.edges.map((e) => [e.from, e.to, e.labels.join('+'), e.count, e.failed]),
      [
        ['function:Uploader', 'bucket:photos', 'PutObject', 1, false],
        ['function:Resizer', 'bucket:photos', 'GetObject', 1, true],
        ['function:Resizer', 'queue:jobs', 'SendMessage', 1, false],
        ['bucket:photos', 'function:Resizer', 'delivers', 1, false],
        ['queue:jobs', 'function:Worker', 'delivers', 1, true],
      ],
    );
  });

  it('links an SNS fan-out through its topic, merges repeated calls into one edge with a count, and names resources from ARNs and URLs', () => {
    const publish = record({ id: 'p', kind: 'sns-publish', trigger: 'sns', functionName: 'orders', traceId: T, source: { topic: 'orders' } });
    const one = record({
      id: '1',
      functionName: 'One',
      trigger: 'sns',
      parentId: 'p',
      traceId: T,
      serviceCalls: [
        span('1', { id: 'k1', service: 'kinesis', operation: 'PutRecord', resource: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks', startAt: 1 }),
        span('1', { id: 'k2', service: 'kinesis', operation: 'PutRecords', resource: 'clicks', startAt: 2 }),
        span('1', { id: 'k3', service: 'kinesis', operation: 'PutRecord', resource: 'clicks', startAt: 3 }),
      ],
    });
    const two = record({ id: '2', functionName: 'Two', trigger: 'sns', parentId: 'p', traceId: T });
    const graph = traceGraph([publish, one, two]);
    assert.deepEqual(
      graph.edges.map((e) => [e.from, e.to, e.labels.join('+'), e.count]),
      [
        ['function:One', 'stream:clicks', 'PutRecord+PutRecords', 3],
        ['topic:orders', 'function:One', 'delivers', 1],
        ['topic:orders', 'function:Two', 'delivers', 1],
      ],
    );
    assert.deepEqual(
      resourceOfSpan(span('1', { id: 'q', service: 'sns', operation: 'Publish', resource: 'arn:aws:sns:us-east-1:123456789012:alerts', startAt: 0 })),
      {
        kind: 'topic',
        name: 'alerts',
      },
    );
    assert.deepEqual(
      resourceOfSpan(
        span('1', { id: 'q', service: 'lambda', operation: 'Invoke', resource: 'arn:aws:lambda:us-east-1:123456789012:function:Next', startAt: 0 }),
      ),
      {
        kind: 'function',
        name: 'Next',
      },
    );
  });

  it('draws an EventBridge event as its bus: the PutEvents call into it, its deliveries out, the matched rules in its row', () => {
    const putter = record({
      id: 'f',
      functionName: 'Publisher',
      traceId: T,
      timestamps: { queuedAt: 0, invokeStartAt: 1, invokeEndAt: 20, finishedAt: 21 },
      serviceCalls: [span('f', { id: 'p', service: 'events', operation: 'PutEvents', resource: 'orders', startAt: 5 })],
    });
    const event = record({
      id: 'ev',
      kind: 'eventbridge-event',
      trigger: 'eventbridge',
      functionName: 'orders',
      parentId: 'f',
      traceId: T,
      rules: ['all-orders', 'big-orders'],
      source: { bus: 'orders' },
      timestamps: { queuedAt: 6, finishedAt: 40 },
      serviceCalls: [
        span('ev', { id: 'd1', service: 'sqs', operation: 'SendMessage', resource: 'order-queue', startAt: 7 }),
        span('ev', { id: 'd2', service: 'lambda', operation: 'Invoke', resource: 'BigOrders', startAt: 7, status: 202 }),
      ],
    });
    const invocation = record({
      id: 'i',
      functionName: 'BigOrders',
      trigger: 'eventbridge',
      parentId: 'ev',
      traceId: T,
      source: { bus: 'orders', rule: 'big-orders' },
    });
    assert.deepEqual(
      traceGraph([putter, event, invocation]).edges.map((e) => [e.from, e.to, e.labels.join('+')]),
      [
        ['function:Publisher', 'bus:orders', 'PutEvents'],
        ['bus:orders', 'queue:order-queue', 'SendMessage'],
        ['bus:orders', 'function:BigOrders', 'Invoke+delivers'],
      ],
    );
    const row = layoutTrace(T, [putter, event, invocation], 100).rows.find((r) => r.type === 'record' && r.recordId === 'ev');
    assert.equal(row?.type === 'record' ? `${row.label} [${row.kindLabel}]` : '', 'orders → all-orders, big-orders [EventBridge event]');
  });

  it('draws a parent record of a kind it does not know (a new source) as the resource its source names', () => {
    const send = record({ id: 'b', functionName: 'Sender', traceId: T });
    const batch = record({
      id: 'q',
      kind: 'queue-batch' as unknown as InvocationRecord['kind'],
      trigger: 'sqs',
      functionName: 'Receiver',
      parentId: 'b',
      traceId: T,
      source: { queueUrl: 'http://127.0.0.1:4566/123456789012/jobs' },
    });
    const receive = record({ id: 'r', functionName: 'Receiver', trigger: 'sqs', parentId: 'q', traceId: T });
    const graph = traceGraph([send, batch, receive]);
    assert.deepEqual(
      graph.edges.map((e) => [e.from, e.to, e.labels.join('+')]),
      [
        ['function:Sender', 'queue:jobs', 'queue-batch'],
        ['queue:jobs', 'function:Receiver', 'delivers'],
      ],
    );
  });

  it('lays the chain out in columns from cause to effect, drawing the edge that closes a cycle back under the row', () => {
    const layout = layoutGraph(traceGraph(chain().filter((r) => r.traceId === T)));
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, n.column]),
      [
        ['function:Uploader', 0],
        ['bucket:photos', 1],
        ['function:Resizer', 2],
        ['queue:jobs', 3],
        ['function:Worker', 4],
      ],
    );
    const back = layout.edges.find((e) => e.from === 'function:Resizer' && e.to === 'bucket:photos')!;
    const node = (id: string) => layout.nodes.find((n) => n.id === id)!;
    assert.ok(
      back.points.some((p) => p.y > node('bucket:photos').y + node('bucket:photos').height),
      'the Resizer → photos edge runs below the nodes',
    );
    const forward = layout.edges.find((e) => e.from === 'function:Uploader')!;
    assert.deepEqual(forward.points[0], { x: node('function:Uploader').x + node('function:Uploader').width, y: node('function:Uploader').y + 17 });
    assert.equal(forward.points[3]!.x, node('bucket:photos').x);
    assert.ok(layout.width >= node('function:Worker').x + node('function:Worker').width);
  });

  it('keeps a function invoking itself in one column', () => {
    const first = record({ id: 'f1', functionName: 'Loop', traceId: T });
    const second = record({ id: 'f2', functionName: 'Loop', parentId: 'f1', traceId: T });
    const layout = layoutGraph(traceGraph([first, second]));
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, n.column]),
      [['function:Loop', 0]],
    );
    assert.deepEqual(layout.edges, []);
  });
});

describe('panel history: live service calls', () => {
  it('adds an announced call to the record that made it once, and finds every record of a trace', () => {
    const history = new HistoryModel();
    history.upsert(chain());
    const s = span('c', { id: 'late', service: 'sqs', operation: 'DeleteMessage', resource: 'jobs', startAt: 1080 });
    const updated = history.appendSpan(s);
    assert.deepEqual(
      updated?.serviceCalls?.map((x) => x.id),
      ['late'],
    );
    assert.equal(history.appendSpan(s), undefined, 'the same span again changes nothing');
    assert.equal(history.appendSpan({ ...s, id: 'n', recordId: 'nope' }), undefined);
    assert.deepEqual(
      history
        .inTrace(T)
        .map((r) => r.id)
        .sort(),
      ['a', 'b', 'c', 'e'],
    );
  });
});
