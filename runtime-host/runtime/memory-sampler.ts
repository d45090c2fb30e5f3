// Memory sampling over /proc for an environment's process tree: Max Memory Used (a peak, never going
// down between invocations) and the early kill when the tree passes its memory size between samples.
import { TreeMemory } from './process-tree';

export class MemorySampler {
  private peak = 0;
  private tree: TreeMemory | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly memorySizeMB: number,
    private readonly everyMs: number,
    /** Called on the sample that first finds the tree over its memory size. */
    private readonly onOverLimit: () => void,
  ) {}

  /** Starts watching the tree rooted at `pid` (`excludeRoot`: its descendants only). */
  attach(pid: number, excludeRoot = false): void {
    this.tree = new TreeMemory(pid, undefined, excludeRoot);
  }

  get peakKB(): number {
    return this.peak;
  }

  /** A peak measured by other means (e.g. the sandbox's own counter) also counts. */
  notePeakKB(kb: number): void {
    if (kb > this.peak) this.peak = kb;
  }

  get overLimit(): boolean {
    return this.peak > this.memorySizeMB * 1024;
  }

  start(): void {
    if (this.timer || !this.tree) return;
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sums VmHWM (each process's peak) over the tree; VmHWM is a peak, so one reading at an invocation's end covers all of it. */
  sample(): void {
    if (!this.tree) return;
    const hwmKB = this.tree.hwmKB();
    if (hwmKB > this.peak) this.peak = hwmKB;
    if (this.overLimit && this.timer) this.onOverLimit();
  }

  /** The process is gone: no more readings. */
  close(): void {
    this.stop();
    this.tree?.close();
    this.tree = undefined;
  }

  /** Pids below the root found by the last walk. */
  descendantPids(): number[] {
    return this.tree?.descendantPids() ?? [];
  }
}
