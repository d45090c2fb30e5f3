// The fallback where the host may not manage cgroups (macOS, no delegation, or chosen by the setting):
// memory is polled from /proc by the host, the process group is stopped with SIGSTOP between
// invocations, and the tree (the group and every descendant found under /proc) is killed with it.
import { killTree } from '../process-tree';
import type { EnvironmentSandbox, LaunchCommand, Sandbox } from './types';
import { startWatchdog, watchProcessGroup } from './watchdog-client';

export class ProcessSandbox implements Sandbox {
  readonly kind = 'process' as const;

  constructor(readonly reason: string) {}

  create(): EnvironmentSandbox {
    // With the first environment, not at start (as the cgroup sandbox does).
    startWatchdog([]);
    return new ProcessEnvironment();
  }
}

class ProcessEnvironment implements EnvironmentSandbox {
  readonly kind = 'process' as const;
  readonly kernelMemory = false;
  readonly cpuCores = undefined;
  readonly freezeBy = 'sigstop' as const;
  frozen = false;
  private pid: number | undefined;
  private unwatch: (() => void) | undefined;

  wrap(launch: LaunchCommand): LaunchCommand {
    return launch;
  }

  attach(pid: number): void {
    this.pid = pid;
    this.unwatch = watchProcessGroup(pid);
  }

  limitCpu(): void {
    // No CPU control without cgroups.
  }

  freeze(): void {
    if (this.frozen || this.pid === undefined) return;
    this.frozen = signal(-this.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (!this.frozen || this.pid === undefined) return;
    this.frozen = false;
    signal(-this.pid, 'SIGCONT');
  }

  peakMemoryKB(): undefined {
    return undefined;
  }

  oomKilled(): boolean {
    return false;
  }

  killAll(): void {
    if (this.pid === undefined) return;
    // SIGKILL ends stopped processes too; nothing needs thawing first.
    void killTree(this.pid);
    this.frozen = false;
  }

  dispose(): Promise<void> {
    this.killAll();
    this.unwatch?.();
    this.unwatch = undefined;
    return Promise.resolve();
  }
}

function signal(target: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(target, sig);
    return true;
  } catch {
    return false;
  }
}
