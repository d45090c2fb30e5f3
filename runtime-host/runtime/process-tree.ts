// An execution environment is a process tree (the runtime plus anything it spawns). Lambda's memory
// limit and its kill on timeout apply to the whole tree, so both are done over /proc here.
import { readdirSync } from 'node:fs';
import { RereadFile } from '../util/reread-file';

/**
 * The memory of one environment's process tree, read cheaply enough for every invocation's end:
 * VmHWM is each process's own peak, so one reading after an invocation covers all of it for a
 * process that lived through it, and the sampler's readings in between only serve the early
 * out-of-memory kill. The /proc files stay open (each reading is one pread at offset 0: procfs
 * regenerates the text) and are read synchronously — procfs text comes from kernel memory, never
 * from a disk, and a pread costs ~15 µs against ~65 µs through the thread pool. The tree is walked
 * (readdir of every thread, ~0.4 ms) only when the root's main-thread children list changed, and
 * otherwise every `walkEveryMs` (children spawned from other threads show up there), more often
 * while the tree has descendants.
 */
export class TreeMemory {
  private readonly rootStatus: RereadFile;
  private readonly rootChildren: RereadFile;
  private readonly known = new Map<number, RereadFile>();
  private lastChildren = '';
  private lastWalkAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly pid: number,
    private readonly walkEveryMs = { alone: 1000, withDescendants: 100 },
    /** The root is not the function's (a debugger that started the runtime): only its descendants count. */
    private readonly excludeRoot = false,
  ) {
    this.rootStatus = new RereadFile(`/proc/${pid}/status`);
    this.rootChildren = new RereadFile(`/proc/${pid}/task/${pid}/children`);
  }

  /** Sum of VmHWM over the tree, kB (processes gone since the last walk count as 0). */
  hwmKB(): number {
    const children = this.rootChildren.read() ?? '';
    const now = performance.now();
    const every = this.known.size > 0 ? this.walkEveryMs.withDescendants : this.walkEveryMs.alone;
    if (children !== this.lastChildren || now - this.lastWalkAt >= every) {
      this.lastChildren = children;
      this.lastWalkAt = now;
      this.walk();
    }
    let sum = this.excludeRoot ? 0 : field(this.rootStatus.read() ?? '', 'VmHWM:');
    for (const file of this.known.values()) sum += field(file.read() ?? '', 'VmHWM:');
    return sum;
  }

  /** Pids found by the last walk (not including the root). */
  descendantPids(): number[] {
    return [...this.known.keys()];
  }

  close(): void {
    this.rootStatus.close();
    this.rootChildren.close();
    for (const file of this.known.values()) file.close();
    this.known.clear();
  }

  private walk(): void {
    const found = new Set(descendantsSync(this.pid));
    for (const [pid, file] of this.known) {
      if (!found.has(pid)) {
        file.close();
        this.known.delete(pid);
      }
    }
    for (const pid of found) if (!this.known.has(pid)) this.known.set(pid, new RereadFile(`/proc/${pid}/status`));
  }
}

/** Every descendant pid of `pid` (not itself), from /proc/<pid>/task/<tid>/children; synchronous (see TreeMemory for why). */
export function descendantsSync(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tids) {
      const list = new RereadFile(`/proc/${p}/task/${t}/children`);
      const text = list.read() ?? '';
      list.close();
      for (const s of text.split(' ')) {
        const child = Number(s);
        if (child > 0 && !seen.has(child)) {
          seen.add(child);
          out.push(child);
          queue.push(child);
        }
      }
    }
  }
  return out;
}

function field(status: string, name: string): number {
  const i = status.indexOf(name);
  if (i < 0) return 0;
  return parseInt(status.slice(i + name.length), 10) || 0;
}

/**
 * SIGKILL for the whole tree: the process group (environments are spawned detached, so their pid is
 * the group id) and every descendant found under /proc (children that moved to another group).
 */
export async function killTree(pid: number): Promise<void> {
  // Freeze the group so nothing forks or exits (and gets reparented) while we look, and do the whole
  // stop → scan → kill in one synchronous turn: if the host itself is killed mid-way, an async gap
  // here would leave the tree stopped forever as orphans.
  signal(-pid, 'SIGSTOP');
  let found: number[] = [];
  try {
    found = descendantsSync(pid);
  } catch {
    // the tree is gone already
  }
  for (const p of found) signal(p, 'SIGSTOP');
  signal(-pid);
  signal(pid);
  for (const p of found) signal(p);
}

/** Kills the process group synchronously (for exit paths that cannot wait). */
export function killGroupSync(pid: number): void {
  signal(-pid);
  signal(pid);
}

function signal(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
