// An execution environment is a process tree (the runtime plus anything it spawns). Lambda's memory
// limit and its kill on timeout apply to the whole tree, so both are done over /proc here.
import { readFile, readdir } from 'node:fs/promises';

/** Every descendant pid of `pid` (not including it), from /proc/<pid>/task/<tid>/children. */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    let tids: string[];
    try {
      tids = await readdir(`/proc/${p}/task`);
    } catch {
      continue;
    }
    const lists = await Promise.all(tids.map((t) => readFile(`/proc/${p}/task/${t}/children`, 'utf8').catch(() => '')));
    for (const list of lists) {
      for (const s of list.split(' ')) {
        const child = Number(s);
        if (child > 0 && !out.includes(child)) {
          out.push(child);
          queue.push(child);
        }
      }
    }
  }
  return out;
}

export interface MemoryUsage {
  /** Sum of current resident memory (VmRSS), kB. */
  rssKB: number;
  /** Sum of each process's peak resident memory (VmHWM), kB. */
  hwmKB: number;
}

/** Resident memory of the given processes, summed. Processes that are gone count as 0. */
export async function memoryOf(pids: number[]): Promise<MemoryUsage> {
  const statuses = await Promise.all(pids.map((p) => readFile(`/proc/${p}/status`, 'utf8').catch(() => '')));
  let rssKB = 0;
  let hwmKB = 0;
  for (const s of statuses) {
    rssKB += field(s, 'VmRSS:');
    hwmKB += field(s, 'VmHWM:');
  }
  return { rssKB, hwmKB };
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
  // Freeze the group first so nothing forks or exits (and gets reparented) while we look.
  signal(-pid, 'SIGSTOP');
  const found = await descendants(pid).catch(() => [] as number[]);
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
