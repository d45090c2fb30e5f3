// Shared by the sandbox-*.test.ts files: finding processes by a tag, whether cgroups can be used here,
// and a host process to kill with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxFor } from '../../runtime-host/runtime/sandbox';
import { alive } from './runtime-helpers';

let tagCounter = 0;
/** A number unique to this test run, used as the fractional part of `sleep <seconds>.<tag>`. */
export function uniqueTag(): string {
  return `${process.pid}${String(++tagCounter).padStart(3, '0')}`;
}

/** Live processes with `<n>.<tag>` on their command line (the orphan `sleep`). */
export function taggedPids(tag: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!(pid > 0)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    // Before its exec the orphan is still `setsid -f sleep …`: it counts too.
    if (cmdline.split('\0').some((arg) => arg.endsWith(`.${tag}`)) && alive(pid)) out.push(pid);
  }
  return out;
}

/** Why cgroup tests cannot run here, or undefined when they can. */
export function cgroupSkipReason(): string | undefined {
  try {
    sandboxFor('cgroup');
    return undefined;
  } catch (err) {
    return `cgroups are not writable here: ${(err as Error).message}`;
  }
}

/** The cgroup folder of a controller from /proc/<pid>/cgroup text (cgroup v1: /sys/fs/cgroup/<controller>/…). */
export function cgroupDir(procCgroup: string, controller: string): string {
  const line = procCgroup.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (!line) throw new Error(`no ${controller} cgroup in ${procCgroup}`);
  return join('/sys/fs/cgroup', controller, line.split(':')[2]!);
}

/** A host process (runtime-host code under tsx) that runs the given invocations and reports their processes on stdout. */
export function startHostScript(args: object): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sandbox-host-script.ts'), JSON.stringify(args)], {
    cwd: join(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
