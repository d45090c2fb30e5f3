// A cgroup per execution environment, under `<the host's own cgroup>/lambda-workbench/<host pid>/<environment>`:
// memory limit = memory size (swap off), CPU quota in proportion to memory, a pids limit, the freezer
// between invocations, and every process of it killed with it. cgroup v1 (a hierarchy per controller)
// and v2 (one unified hierarchy, where the host's cgroup must let it enable controllers below it).
import { mkdirSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { killAndRemoveSync, killCgroupTrees, pidAlive, readText, removeCgroupTrees, SANDBOX_FOLDER, writeText, type CgroupLayout } from './cgroup-fs';
import { RereadFile } from '../../util/reread-file';
import { cfsQuotaUs, CFS_PERIOD_US, cpuCoresFor, PIDS_MAX } from './cpu';
import type { EnvironmentSandbox, LaunchCommand, Sandbox, SandboxKind } from './types';
import { startWatchdog } from './watchdog-client';

/** The machine's cores, read once (os.cpus() parses /proc/cpuinfo, and every environment asks twice). */
let cores: number | undefined;
function coreCount(): number {
  return (cores ??= cpus().length);
}

const V1_CONTROLLERS = ['memory', 'cpu', 'freezer', 'pids'] as const;
const V2_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

/**
 * Writes its own pid into each cgroup.procs given before `--`, then execs the runtime: the process is
 * in its cgroups before any code of the function runs (writing the pid after spawn would race the
 * runtime's first allocations and forks).
 */
const PLACE_AND_EXEC = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 126; shift; done; shift; exec "$@"';

interface Flavour {
  kind: SandboxKind;
  /** The host's folder (lambda-workbench/<pid>) per controller; v2 has one. */
  hostDirs: string[];
  /** Controller name → host folder (v1); for v2 every controller maps to the one folder. */
  dirFor: (controller: 'memory' | 'cpu' | 'freezer' | 'pids') => string;
}

export class CgroupSandbox implements Sandbox {
  readonly kind: SandboxKind;

  private constructor(
    private readonly flavour: Flavour,
    readonly reason: string,
  ) {
    this.kind = flavour.kind;
  }

  /** A cgroup sandbox if this process may manage one, else the reason why not. */
  static probe(layout: CgroupLayout): CgroupSandbox | string {
    const v2 = layout.v2 !== undefined ? probeV2(layout.v2) : 'no cgroup v2 hierarchy is mounted';
    if (typeof v2 !== 'string') return v2;
    const v1 = probeV1(layout);
    if (typeof v1 !== 'string') return v1;
    return `cgroup v2: ${v2}; cgroup v1: ${v1}`;
  }

  static make(flavour: Flavour, reason: string): CgroupSandbox {
    // A host that stops leaves its folders empty: it removes them itself rather than leaving them to the
    // next host's probe (killing and removing another host's folders is what makes a start slow).
    // A folder that still holds an environment's processes cannot be removed (EBUSY); that is the reaper's, or the watchdog's.
    process.once('exit', () => removeCgroupTrees(flavour.hostDirs));
    return new CgroupSandbox(flavour, reason);
  }

  create(environmentId: string, memorySizeMB: number): EnvironmentSandbox {
    // With the first environment, not at start: a host that never runs a function (or not yet) spawns
    // no watchdog, and its start is one process spawn shorter. Folders of a host that died before
    // that hold no process, and the next host's probe removes them (reapDeadHosts).
    startWatchdog(this.flavour.hostDirs);
    return new CgroupEnvironment(this.flavour, environmentId, memorySizeMB);
  }
}

function probeV1(layout: CgroupLayout): CgroupSandbox | string {
  const missing = V1_CONTROLLERS.filter((c) => !layout.v1.has(c));
  if (missing.length) return `the ${missing.join(', ')} controller${missing.length > 1 ? 's are' : ' is'} not mounted`;
  const hostDirs = new Map<string, string>();
  let reaped = 0;
  for (const c of V1_CONTROLLERS) {
    const parent = join(layout.v1.get(c)!, SANDBOX_FOLDER);
    const made = makeDir(parent);
    if (made !== true) return `cannot create ${parent} (${made})`;
    // Each environment has a folder under every controller: count them under one.
    const n = reapDeadHosts(parent);
    if (c === 'freezer') reaped = n;
    const dir = join(parent, String(process.pid));
    const own = makeDir(dir);
    if (own !== true) return `cannot create ${dir} (${own})`;
    hostDirs.set(c, dir);
  }
  const reason = reaped ? `reaped ${reaped} environment cgroup(s) left by hosts that died` : 'cgroup v1 controllers are writable';
  return CgroupSandbox.make({ kind: 'cgroup-v1', hostDirs: [...hostDirs.values()], dirFor: (c) => hostDirs.get(c)! }, reason);
}

function probeV2(own: string): CgroupSandbox | string {
  const available = (readText(join(own, 'cgroup.controllers')) ?? '').split(/\s+/);
  const missing = V2_CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length) return `the ${missing.join(', ')} controller${missing.length > 1 ? 's are' : ' is'} not delegated to ${own}`;
  const enable = V2_CONTROLLERS.map((c) => `+${c}`).join(' ');
  if (!enabled(own) && !writeText(join(own, 'cgroup.subtree_control'), enable)) {
    return `cannot enable ${V2_CONTROLLERS.join(', ')} below ${own} (a cgroup that holds processes cannot; run the host in a delegated subtree, e.g. systemd-run --user --scope -p Delegate=yes)`;
  }
  const parent = join(own, SANDBOX_FOLDER);
  const made = makeDir(parent);
  if (made !== true) return `cannot create ${parent} (${made})`;
  if (!enabled(parent) && !writeText(join(parent, 'cgroup.subtree_control'), enable)) return `cannot enable controllers in ${parent}`;
  const reaped = reapDeadHosts(parent);
  const dir = join(parent, String(process.pid));
  const mine = makeDir(dir);
  if (mine !== true) return `cannot create ${dir} (${mine})`;
  if (!enabled(dir) && !writeText(join(dir, 'cgroup.subtree_control'), enable)) return `cannot enable controllers in ${dir}`;
  const reason = reaped ? `reaped ${reaped} environment cgroup(s) left by hosts that died` : 'cgroup v2 controllers are delegated';
  return CgroupSandbox.make({ kind: 'cgroup-v2', hostDirs: [dir], dirFor: () => dir }, reason);
}

function enabled(dir: string): boolean {
  const on = (readText(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
  return V2_CONTROLLERS.every((c) => on.includes(c));
}

function makeDir(dir: string): true | string {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/** Hosts killed with SIGKILL leave their folders behind: kill what is in them and remove them. */
function reapDeadHosts(parent: string): number {
  let reaped = 0;
  let names: string[] = [];
  try {
    names = readdirSync(parent);
  } catch {
    return 0;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || pidAlive(pid)) continue;
    const dir = join(parent, name);
    reaped += Math.max(0, readdirSafe(dir).length);
    killAndRemoveSync([dir]);
  }
  return reaped;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

class CgroupEnvironment implements EnvironmentSandbox {
  readonly kind: SandboxKind;
  readonly kernelMemory = true;
  readonly freezeBy = 'cgroup' as const;
  readonly cpuCores: number;
  frozen = false;
  private readonly dirs: Record<'memory' | 'cpu' | 'freezer' | 'pids', string>;
  private readonly roots: string[];
  private readonly v1: boolean;
  private disposed = false;
  private disposing: Promise<void> | undefined;
  private readonly peak: RereadFile;

  constructor(
    flavour: Flavour,
    id: string,
    private readonly memorySizeMB: number,
  ) {
    this.kind = flavour.kind;
    this.v1 = flavour.kind === 'cgroup-v1';
    this.dirs = {
      memory: join(flavour.dirFor('memory'), id),
      cpu: join(flavour.dirFor('cpu'), id),
      freezer: join(flavour.dirFor('freezer'), id),
      pids: join(flavour.dirFor('pids'), id),
    };
    this.roots = [...new Set(Object.values(this.dirs))];
    this.peak = new RereadFile(join(this.dirs.memory, this.v1 ? 'memory.max_usage_in_bytes' : 'memory.peak'));
    for (const dir of this.roots) mkdirSync(dir, { recursive: true });
    this.cpuCores = cpuCoresFor(memorySizeMB, coreCount());
    const bytes = String(memorySizeMB * 1024 * 1024);
    const limits: [string, string, boolean][] = this.v1
      ? [
          [join(this.dirs.memory, 'memory.limit_in_bytes'), bytes, true],
          // memory + swap = memory: no swapping past the size (absent when the kernel has no swap accounting).
          [join(this.dirs.memory, 'memory.memsw.limit_in_bytes'), bytes, false],
          [join(this.dirs.memory, 'memory.swappiness'), '0', false],
          [join(this.dirs.pids, 'pids.max'), String(PIDS_MAX), true],
        ]
      : [
          [join(this.dirs.memory, 'memory.max'), bytes, true],
          [join(this.dirs.memory, 'memory.swap.max'), '0', false],
          [join(this.dirs.pids, 'pids.max'), String(PIDS_MAX), true],
        ];
    for (const [file, value, required] of limits) {
      if (!writeText(file, value) && required) {
        removeCgroupTrees(this.roots);
        throw new Error(`cannot set ${file} to ${value}`);
      }
    }
  }

  wrap(launch: LaunchCommand): LaunchCommand {
    const procs = this.roots.map((d) => join(d, 'cgroup.procs'));
    return { command: '/bin/sh', args: ['-c', PLACE_AND_EXEC, 'lambda-workbench-sandbox', ...procs, '--', launch.command, ...launch.args], env: launch.env };
  }

  attach(): void {
    // The wrapper placed the process itself.
  }

  limitCpu(): void {
    const quota = cfsQuotaUs(this.memorySizeMB, coreCount());
    if (this.v1) {
      writeText(join(this.dirs.cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
      writeText(join(this.dirs.cpu, 'cpu.cfs_quota_us'), String(quota));
    } else {
      writeText(join(this.dirs.cpu, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`);
    }
  }

  freeze(): void {
    if (this.frozen || this.disposed) return;
    this.frozen = this.v1 ? writeText(join(this.dirs.freezer, 'freezer.state'), 'FROZEN') : writeText(join(this.dirs.freezer, 'cgroup.freeze'), '1');
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    if (this.v1) writeText(join(this.dirs.freezer, 'freezer.state'), 'THAWED');
    else writeText(join(this.dirs.freezer, 'cgroup.freeze'), '0');
  }

  peakMemoryKB(): number | undefined {
    const text = this.disposed ? undefined : this.peak.read();
    const bytes = text === undefined ? NaN : Number(text.trim());
    return Number.isFinite(bytes) ? Math.round(bytes / 1024) : undefined;
  }

  oomKilled(): boolean {
    const text = readText(join(this.dirs.memory, this.v1 ? 'memory.oom_control' : 'memory.events')) ?? '';
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m !== null && Number(m[1]) > 0;
  }

  killAll(): void {
    killCgroupTrees(this.roots);
    this.frozen = false;
  }

  dispose(): Promise<void> {
    this.disposing ??= this.removeAll();
    return this.disposing;
  }

  private async removeAll(): Promise<void> {
    this.disposed = true;
    this.peak.close();
    const until = Date.now() + 5000;
    for (;;) {
      killCgroupTrees(this.roots);
      if (removeCgroupTrees(this.roots) || Date.now() > until) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
