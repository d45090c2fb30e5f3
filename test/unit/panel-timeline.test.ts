import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axisTicks, layoutTimeline, legendOf, percentOf } from '../../webview-ui/model/timeline';
import { record } from './panel/records';

describe('panel timeline layout', () => {
  it('lays out a cold invocation to scale: queued → init → invoke → report, billed from init start', () => {
    const cold = record({
      id: 'a',
      cold: true,
      timestamps: { queuedAt: 1000, initStartAt: 1002, initEndAt: 1152, invokeStartAt: 1152, invokeEndAt: 1164.5, finishedAt: 1165 },
      durationMs: 12.5,
      initDurationMs: 150,
      billedDurationMs: 163,
    });
    const layout = layoutTimeline(cold, [], 99_999);
    assert.equal(layout.originAt, 1000);
    assert.equal(layout.totalMs, 165);
    assert.equal(layout.rows.length, 1);
    assert.deepEqual(layout.rows[0].phases, [
      { kind: 'queued', startMs: 0, endMs: 2 },
      { kind: 'init', startMs: 2, endMs: 152 },
      { kind: 'invoke', startMs: 152, endMs: 164.5 },
      { kind: 'report', startMs: 164.5, endMs: 165 },
    ]);
    assert.deepEqual(layout.rows[0].billed, { startMs: 2, endMs: 165, billedMs: 163, rule: 'per-ms-with-init' });
    assert.deepEqual(
      layout.ticks.map((t) => t.label),
      ['0 ms', '50 ms', '100 ms', '150 ms'],
    );
  });

  it('bills a warm invocation from the invoke start and has no init phase', () => {
    const warm = record({
      id: 'w',
      billingRule: 'per-ms',
      timestamps: { queuedAt: 0, invokeStartAt: 1, invokeEndAt: 9.2, finishedAt: 10 },
      billedDurationMs: 9,
    });
    const row = layoutTimeline(warm, [], 0).rows[0];
    assert.deepEqual(
      row.phases.map((p) => p.kind),
      ['queued', 'invoke', 'report'],
    );
    assert.deepEqual(row.billed, { startMs: 1, endMs: 10, billedMs: 9, rule: 'per-ms' });
  });

  it('draws the wait in the host queue as its own segment before init, outside the billed span', () => {
    const queued = record({
      id: 'q',
      cold: true,
      timestamps: { queuedAt: 0, dequeuedAt: 3000, initStartAt: 3001, initEndAt: 3101, invokeStartAt: 3101, invokeEndAt: 3401, finishedAt: 3402 },
      queuedMs: 3000,
      initDurationMs: 100,
      durationMs: 300,
      billedDurationMs: 400,
    });
    const row = layoutTimeline(queued, [], 0).rows[0];
    assert.deepEqual(row.phases.slice(0, 3), [
      { kind: 'waiting', startMs: 0, endMs: 3000 },
      { kind: 'queued', startMs: 3000, endMs: 3001 },
      { kind: 'init', startMs: 3001, endMs: 3101 },
    ]);
    assert.deepEqual(row.billed, { startMs: 3001, endMs: 3401, billedMs: 400, rule: 'per-ms-with-init' });
  });

  it('bills a cold start from the invoke phase under the per-ms rule (init not billed)', () => {
    const cold = record({
      id: 'c',
      cold: true,
      billingRule: 'per-ms',
      timestamps: { queuedAt: 0, initStartAt: 0, initEndAt: 100, invokeStartAt: 100, invokeEndAt: 120, finishedAt: 121 },
      billedDurationMs: 20,
    });
    assert.deepEqual(layoutTimeline(cold, [], 0).rows[0].billed, { startMs: 100, endMs: 120, billedMs: 20, rule: 'per-ms' });
  });

  it('shades debugger pauses inside the invoke phase; an open pause runs to the invoke end', () => {
    const paused = record({
      id: 'p',
      timestamps: { queuedAt: 0, invokeStartAt: 0, invokeEndAt: 5000, finishedAt: 5000 },
      pauses: [{ startAt: 1000, endAt: 3000 }, { startAt: 4000 }],
      pausedMs: 3000,
    });
    const phases = layoutTimeline(paused, [], 0).rows[0].phases.filter((p) => p.kind === 'paused');
    assert.deepEqual(phases, [
      { kind: 'paused', startMs: 1000, endMs: 3000 },
      { kind: 'paused', startMs: 4000, endMs: 5000 },
    ]);
  });

  it('the legend names only what is drawn: "paused in debugger" under a run that was paused, never under others', () => {
    const plain = record({
      id: 'a',
      cold: true,
      timestamps: { queuedAt: 0, initStartAt: 1, initEndAt: 100, invokeStartAt: 100, invokeEndAt: 120, finishedAt: 121 },
      billedDurationMs: 120,
    });
    assert.deepEqual(legendOf(layoutTimeline(plain, [], 0)), { kinds: ['queued', 'init', 'invoke', 'report'], billed: true });
    const paused = record({
      id: 'p',
      trigger: 'debug',
      timestamps: { queuedAt: 0, invokeStartAt: 0, invokeEndAt: 5000, finishedAt: 5000 },
      pauses: [{ startAt: 1000, endAt: 3000 }],
      pausedMs: 2000,
      billedDurationMs: 3000,
    });
    assert.deepEqual(legendOf(layoutTimeline(paused, [], 0)).kinds, ['queued', 'invoke', 'paused']);
    const running = record({ id: 'r', status: 'running', timestamps: { queuedAt: 0, invokeStartAt: 5 }, durationMs: undefined, billedDurationMs: undefined });
    assert.deepEqual(legendOf(layoutTimeline(running, [], 250)), { kinds: ['queued', 'running'], billed: false });
  });

  it('draws a running invocation up to now, without a billed span', () => {
    const running = record({ id: 'r', status: 'running', timestamps: { queuedAt: 0, invokeStartAt: 5 }, durationMs: undefined, billedDurationMs: undefined });
    const row = layoutTimeline(running, [], 250).rows[0];
    assert.deepEqual(row.phases, [
      { kind: 'queued', startMs: 0, endMs: 5 },
      { kind: 'running', startMs: 5, endMs: 250 },
    ]);
    assert.equal(row.billed, undefined);
  });

  it('puts a parent record and its children with retries on one axis, grouped by function then attempt', () => {
    const parent = record({
      id: 'pub',
      kind: 'sns-publish',
      requestId: '',
      functionName: 'orders',
      trigger: 'sns',
      timestamps: { queuedAt: 10_000, finishedAt: 12_000 },
      durationMs: undefined,
      billedDurationMs: undefined,
    });
    const child = (id: string, fn: string, attempt: number, queuedAt: number) =>
      record({
        id,
        functionName: fn,
        trigger: 'sns',
        parentId: 'pub',
        attempt,
        timestamps: { queuedAt, invokeStartAt: queuedAt + 1, invokeEndAt: queuedAt + 11, finishedAt: queuedAt + 12 },
      });
    const layout = layoutTimeline(parent, [child('b0', 'Shipping', 0, 10_005), child('a1', 'Billing', 1, 11_005), child('a0', 'Billing', 0, 10_004)], 0);
    assert.equal(layout.originAt, 10_000);
    assert.deepEqual(
      layout.rows.map((r) => [r.recordId, r.label, r.depth]),
      [
        ['pub', 'orders', 0],
        ['a0', 'Billing', 1],
        ['a1', 'Billing (retry 1)', 1],
        ['b0', 'Shipping', 1],
      ],
    );
    assert.deepEqual(layout.rows[0].phases, [{ kind: 'invoke', startMs: 0, endMs: 2000 }]);
    assert.deepEqual(
      layout.rows[2].phases.find((p) => p.kind === 'invoke'),
      { kind: 'invoke', startMs: 1006, endMs: 1016 },
    );
    assert.equal(layout.totalMs, 2000);
  });

  it('picks round tick steps and switches to seconds for long spans', () => {
    assert.deepEqual(
      axisTicks(12_000).map((t) => t.label),
      ['0 s', '2 s', '4 s', '6 s', '8 s', '10 s', '12 s'],
    );
    assert.deepEqual(
      axisTicks(2_500).map((t) => t.atMs),
      [0, 500, 1000, 1500, 2000, 2500],
    );
    assert.deepEqual(
      axisTicks(1).map((t) => t.label),
      ['0 ms', '0.2 ms', '0.4 ms', '0.6 ms', '0.8 ms', '1 ms'],
    );
  });

  it('maps milliseconds to clamped percentages', () => {
    assert.equal(percentOf(50, 200), 25);
    assert.equal(percentOf(300, 200), 100);
    assert.equal(percentOf(-5, 200), 0);
  });
});
