// The debugger pause clock: while a debugger holds the environment stopped, the invocation's timeout
// clock stops (unless wall-clock timeouts are on) and the paused spans are kept so Duration and
// billing count active time only. Time and timers are injected so the arithmetic is testable exactly.
import type { PausedSpan } from '../protocol/records';
import { recordNow } from '../util/record-clock';

export interface Clock {
  /** Milliseconds since the epoch, monotonic within a run. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: recordNow,
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

export interface PauseClockOptions {
  /** The clock keeps running while paused (the setting `debug.wallClockTimeout`). */
  wallClock: boolean;
  /** The invocation's timeout has passed (in active time, or wall time with `wallClock`). */
  onDeadline: () => void;
}

export class PauseClock {
  private pausedTotalMs = 0;
  private since: number | undefined;
  private spanList: PausedSpan[] = [];
  private deadline: { timer: unknown; remainingMs: number; armedAt: number } | undefined;

  constructor(
    private readonly options: PauseClockOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  get pausedMs(): number {
    return this.pausedTotalMs;
  }

  /** When the current pause began (epoch ms), or undefined while running. */
  get pausedSince(): number | undefined {
    return this.since;
  }

  get spans(): PausedSpan[] {
    return this.spanList;
  }

  /** A new invocation: no pauses yet. */
  reset(): void {
    this.pausedTotalMs = 0;
    this.since = undefined;
    this.spanList = [];
  }

  /** Starts the invocation's timeout clock. */
  arm(timeoutMs: number): void {
    this.deadline = { timer: undefined, remainingMs: timeoutMs, armedAt: this.clock.now() };
    this.armTimer();
  }

  /** The invocation ended: the clock stops and an open pause is closed (returns true when there was one). */
  finish(): boolean {
    this.disarmTimer();
    this.deadline = undefined;
    return this.resumed();
  }

  /** The debugger stopped the environment. Returns false when it already was. */
  paused(): boolean {
    if (this.since !== undefined) return false;
    const now = this.clock.now();
    this.since = now;
    this.spanList.push({ startAt: now });
    if (!this.options.wallClock) this.disarmTimer();
    return true;
  }

  /** The debugger let it run again. Returns false when it was not paused. */
  resumed(): boolean {
    if (this.since === undefined) return false;
    const now = this.clock.now();
    this.pausedTotalMs += now - this.since;
    this.since = undefined;
    const span = this.spanList[this.spanList.length - 1];
    if (span) span.endAt = now;
    if (this.deadline && !this.options.wallClock) this.armTimer();
    return true;
  }

  private armTimer(): void {
    const d = this.deadline;
    if (!d) return;
    d.armedAt = this.clock.now();
    if (d.timer !== undefined) this.clock.clearTimer(d.timer);
    d.timer = this.clock.setTimer(() => this.options.onDeadline(), Math.max(0, d.remainingMs));
  }

  private disarmTimer(): void {
    const d = this.deadline;
    if (!d || d.timer === undefined) return;
    this.clock.clearTimer(d.timer);
    d.timer = undefined;
    d.remainingMs -= this.clock.now() - d.armedAt;
  }
}
