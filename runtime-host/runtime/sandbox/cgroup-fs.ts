// Reading and driving cgroup folders: where this process's cgroups are, and the freeze → kill → thaw →
// rmdir sequence that ends every process in a cgroup tree. node: built-ins only, synchronous: the
// watchdog (a separate process) uses it too, and exit paths cannot wait.
import { readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The folder under each controller (below the host's own cgroup) that holds one folder per host pid. */
export const SANDBOX_FOLDER = 'lambda-workbench';

export interface CgroupLayout {
  /** cgroup v1: controller → this process's folder for it. */
  v1: Map<string, string>;
  /** cgroup v2: this process's folder in the unified hierarchy, when one is mounted. */
  v2: string | undefined;
}

/** Where this process's cgroups are, from /proc/self/mountinfo and /proc/self/cgroup. */
export function cgroupLayout(): CgroupLayout {
  try {
    return parseCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return { v1: new Map(), v2: undefined };
  }
}

/** The layout from the text of /proc/self/mountinfo and /proc/self/cgroup. */
export function parseCgroupLayout(mountinfo: string, membership: string): CgroupLayout {
  const layout: CgroupLayout = { v1: new Map(), v2: undefined };
  const own = new Map<string, string>();
  let ownV2: string | undefined;
  for (const line of membership.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') ownV2 = m[3]!;
    else for (const c of m[2]!.split(',')) if (c) own.set(c, m[3]!);
  }
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fstype, , superOptions] = right.split(' ');
    const mountRoot = unescapeMount(fields[3] ?? '/');
    const mountPoint = unescapeMount(fields[4] ?? '');
    if (fstype === 'cgroup2' && ownV2 !== undefined && layout.v2 === undefined) {
      layout.v2 = join(mountPoint, relative(mountRoot, ownV2));
    } else if (fstype === 'cgroup') {
      for (const c of (superOptions ?? '').split(',')) {
        const path = own.get(c);
        if (path !== undefined && !layout.v1.has(c)) layout.v1.set(c, join(mountPoint, relative(mountRoot, path)));
      }
    }
  }
  return layout;
}

function unescapeMount(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function writeText(file: string, text: string): boolean {
  try {
    writeFileSync(file, text);
    return true;
  } catch {
    return false;
  }
}

export function cgroupPids(dir: string): number[] {
  const text = readText(join(dir, 'cgroup.procs')) ?? '';
  return text
    .split('\n')
    .map(Number)
    .filter((n) => n > 0);
}

/** The folder and every cgroup below it, children first. */
export function cgroupTree(dir: string): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return out;
  }
  for (const name of entries) out.push(...cgroupTree(join(dir, name)));
  out.push(dir);
  return out;
}

/**
 * SIGKILL for every process in the cgroup trees: frozen first so nothing forks while we read the
 * lists, then killed, then thawed (a frozen task dies only once it runs again).
 */
export function killCgroupTrees(roots: string[]): number {
  const dirs = roots.flatMap((r) => cgroupTree(r));
  for (const d of dirs) {
    writeText(join(d, 'freezer.state'), 'FROZEN');
    writeText(join(d, 'cgroup.freeze'), '1');
  }
  let killed = 0;
  for (const d of dirs) {
    if (writeText(join(d, 'cgroup.kill'), '1')) continue;
    for (const pid of cgroupPids(d)) {
      if (pid === process.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
  }
  for (const d of dirs) {
    writeText(join(d, 'freezer.state'), 'THAWED');
    writeText(join(d, 'cgroup.freeze'), '0');
  }
  return killed;
}

/** Removes the cgroup trees (children first); false while some still hold processes. */
export function removeCgroupTrees(roots: string[]): boolean {
  let all = true;
  for (const root of roots) {
    for (const d of cgroupTree(root)) {
      try {
        rmdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') all = false;
      }
    }
  }
  return all;
}

/** Kills and removes, retrying the removal while killed processes finish exiting (bounded). */
export function killAndRemoveSync(roots: string[], waitMs = 3000): boolean {
  const until = Date.now() + waitMs;
  for (;;) {
    killCgroupTrees(roots);
    if (removeCgroupTrees(roots)) return true;
    if (Date.now() > until) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
