// The debugger pause clock with a hand-driven clock: exact arithmetic for paused spans, the stopped
// timeout and the wall-clock option, with no real time involved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PauseClock, type Clock } from '../../runtime-host/runtime/pause-clock';

/** A clock that only moves when told to, firing due timers as it passes them. */
class ManualClock implements Clock {
  private t = 1_000_000;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  now(): number {
    return this.t;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + delayMs, callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].callback();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}

function setup(wallClock = false) {
  const clock = new ManualClock();
  let deadlines = 0;
  const pause = new PauseClock({ wallClock, onDeadline: () => deadlines++ }, clock);
  return { clock, pause, deadlines: () => deadlines };
}

test('without pauses the deadline fires exactly at the timeout', () => {
  const { clock, pause, deadlines } = setup();
  pause.reset();
  pause.arm(1000);
  clock.advance(999);
  assert.equal(deadlines(), 0);
  clock.advance(1);
  assert.equal(deadlines(), 1);
  assert.equal(pause.pausedMs, 0);
  assert.deepEqual(pause.spans, []);
});

test('a pause stops the timeout clock; the deadline comes after the active time only', () => {
  const { clock, pause, deadlines } = setup();
  pause.reset();
  pause.arm(1000);
  clock.advance(300);
  assert.equal(pause.paused(), true);
  assert.equal(pause.paused(), false, 'a second pause while paused changes nothing');
  clock.advance(5000);
  assert.equal(deadlines(), 0, 'no deadline while paused');
  assert.equal(pause.pausedSince, 1_000_300);
  assert.equal(pause.resumed(), true);
  assert.equal(pause.pausedMs, 5000);
  assert.deepEqual(pause.spans, [{ startAt: 1_000_300, endAt: 1_005_300 }]);
  clock.advance(699);
  assert.equal(deadlines(), 0);
  clock.advance(1);
  assert.equal(deadlines(), 1, '300 ms before and 700 ms after the pause make the 1 s timeout');
});

test('several pauses add up, each its own span', () => {
  const { clock, pause } = setup();
  pause.reset();
  pause.arm(10_000);
  for (const [run, stop] of [
    [100, 250],
    [50, 1200],
    [10, 1],
  ] as const) {
    clock.advance(run);
    pause.paused();
    clock.advance(stop);
    pause.resumed();
  }
  assert.equal(pause.pausedMs, 1451);
  assert.equal(pause.spans.length, 3);
  assert.deepEqual(
    pause.spans.map((s) => s.endAt! - s.startAt),
    [250, 1200, 1],
  );
});

test('finish closes an open pause and stops the clock', () => {
  const { clock, pause, deadlines } = setup();
  pause.reset();
  pause.arm(1000);
  clock.advance(100);
  pause.paused();
  clock.advance(400);
  assert.equal(pause.finish(), true);
  assert.equal(pause.pausedMs, 400);
  assert.equal(pause.spans[0]!.endAt, 1_000_500);
  assert.equal(clock.pending, 0, 'no timer left behind');
  clock.advance(10_000);
  assert.equal(deadlines(), 0);
  assert.equal(pause.finish(), false, 'nothing to close the second time');
});

test('wall-clock mode: the deadline keeps running through a pause', () => {
  const { clock, pause, deadlines } = setup(true);
  pause.reset();
  pause.arm(1000);
  clock.advance(200);
  pause.paused();
  clock.advance(800);
  assert.equal(deadlines(), 1);
  pause.resumed();
  assert.equal(pause.pausedMs, 800, 'the pause is still recorded');
});

test('reset starts a new invocation with no pauses', () => {
  const { clock, pause } = setup();
  pause.reset();
  pause.arm(1000);
  pause.paused();
  clock.advance(10);
  pause.finish();
  pause.reset();
  assert.equal(pause.pausedMs, 0);
  assert.deepEqual(pause.spans, []);
  assert.equal(pause.pausedSince, undefined);
});
