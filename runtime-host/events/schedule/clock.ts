// The time schedules fire by. `serve` uses the machine's clock; tests inject a ManualClock and move
// it past a fire time instead of waiting minutes for it.

export interface ScheduleClock {
  now(): number;
  /** Calls `callback` once when the clock reaches `atMs`; returns a function that cancels it. */
  at(atMs: number, callback: () => void): () => void;
}

/** Node timers hold at most ~24.8 days; a later fire time re-arms on the way. */
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  at(atMs, callback) {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const wait = atMs - Date.now();
      if (wait <= 0) return callback();
      timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
      // A pending schedule never keeps a stopping host alive.
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/**
 * A clock that only moves when told to. Moving it is like a machine waking from sleep: the time
 * jumps, then every callback that came due runs once, in time order.
 */
export class ManualClock implements ScheduleClock {
  private timers: { atMs: number; callback: () => void }[] = [];

  constructor(private nowMs: number) {}

  now(): number {
    return this.nowMs;
  }

  at(atMs: number, callback: () => void): () => void {
    const timer = { atMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.timers.filter((t) => t.atMs <= this.nowMs).sort((a, b) => a.atMs - b.atMs);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.callback();
  }
}
