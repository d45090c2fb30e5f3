// Parent-death detection inside an environment: when the host is gone (killed with SIGKILL, so it
// could not clean up), the runtime kills what it started — its cgroup's processes, its descendants,
// its process group — and itself. A frozen environment cannot notice; the host's watchdog covers it.
// node: built-ins only (it is preloaded into every Node environment).
import { readFileSync, readdirSync } from 'node:fs';

const POLL_MS = 250;

export function watchParent(): void {
  const parent = process.ppid;
  // Unref'd: it never keeps a runtime alive, and it does not count as the function's pending work.
  setInterval(() => {
    if (process.ppid !== parent) endWithParent();
  }, POLL_MS).unref();
}

function endWithParent(): never {
  const pids = new Set<number>([...cgroupPeers(), ...descendants(process.pid)]);
  pids.delete(process.pid);
  for (const pid of pids) signal(pid);
  signal(-process.pid);
  process.kill(process.pid, 'SIGKILL');
  process.exit(137);
}

/** The other processes in this environment's cgroup (setsid grandchildren included). */
function cgroupPeers(): number[] {
  const out: number[] = [];
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    return out;
  }
  for (const line of lines) {
    const m = /^(\d+):([^:]*):(.*\/lambda-workbench\/\d+\/[^/]+)$/.exec(line);
    if (!m) continue;
    const controller = m[2] === '' ? '' : m[2]!.split(',')[0]!;
    const file = controller === '' ? `/sys/fs/cgroup${m[3]}/cgroup.procs` : `/sys/fs/cgroup/${controller}${m[3]}/cgroup.procs`;
    try {
      for (const s of readFileSync(file, 'utf8').split('\n')) if (Number(s) > 0) out.push(Number(s));
    } catch {
      // not readable where we looked; the others may be
    }
  }
  return out;
}

function descendants(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const s of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
          const child = Number(s);
          if (child > 0 && !out.includes(child)) {
            out.push(child);
            queue.push(child);
          }
        }
      } catch {
        // gone
      }
    }
  }
  return out;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
