// Process-tree bookkeeping for clean shutdown: the VS Code server forks an extension host, a pty host
// and file watchers, and our extension starts the runtime host under that; none may outlive a test.
import { readFileSync, readdirSync } from 'node:fs';
import { waitUntil } from '../../helpers/wait';

/** The parent pid of every live process (Linux /proc). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(rest[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

/** `root` and all its live descendants, parents first. */
export function processTree(root: number): number[] {
  const parents = parentPids();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = parents.has(root) ? [root] : [];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    // Zombies still answer kill(0); they are gone for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Waits for `check`, and carries on (the caller looks again) when it never holds. */
async function settle(check: () => boolean, timeoutMs: number): Promise<void> {
  await waitUntil(check, timeoutMs, 'processes to end', 100).catch(() => undefined);
}

/**
 * Ends `root` and every process under it: SIGTERM to each, then SIGKILL to whatever is still alive
 * after `graceMs`. The tree is collected before signalling because children re-parent to init once
 * their parent dies. Resolves with the pids that were still alive at the end (empty when clean).
 */
export async function killTree(root: number, graceMs = 5_000): Promise<number[]> {
  const seen = new Set<number>();
  const collect = () => {
    for (const pid of processTree(root)) seen.add(pid);
  };
  collect();
  // The process group too: the server runs detached in a group of its own.
  signal(-root, 'SIGTERM');
  for (const pid of seen) signal(pid, 'SIGTERM');
  await settle(() => {
    collect();
    return [...seen].every((pid) => !isAlive(pid));
  }, graceMs);
  collect();
  signal(-root, 'SIGKILL');
  for (const pid of seen) if (isAlive(pid)) signal(pid, 'SIGKILL');
  await settle(() => [...seen].every((pid) => !isAlive(pid)), 5_000);
  return [...seen].filter(isAlive);
}
