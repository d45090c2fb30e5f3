// The contract between an execution environment and the sandbox it runs in. A sandbox is chosen once
// per host (cgroup v2, cgroup v1 or the process-group fallback) and makes one EnvironmentSandbox per
// execution environment.
import type { SandboxKind } from '../../protocol/records';

export type { SandboxKind } from '../../protocol/records';

/** The `sandbox` setting: `auto` picks cgroups where the host may manage them, else the process fallback. */
export type SandboxSetting = 'auto' | 'cgroup' | 'process';

export const SANDBOX_SETTINGS: readonly SandboxSetting[] = ['auto', 'cgroup', 'process'];

export interface LaunchCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface EnvironmentSandbox {
  readonly kind: SandboxKind;
  /** True when the kernel enforces the memory size (the cgroup's limit); false → the host polls /proc. */
  readonly kernelMemory: boolean;
  /** The CPU share in cores once the quota applies; undefined when CPU is not limited. */
  readonly cpuCores: number | undefined;
  /** How freezing works here. */
  readonly freezeBy: 'cgroup' | 'sigstop';
  /** The command that puts the process in the sandbox before it runs anything of the function's. */
  wrap(launch: LaunchCommand): LaunchCommand;
  /** The runtime process started (its pid is its process group: environments are spawned detached). */
  attach(pid: number): void;
  /** Init is over: the CPU quota applies from the first invocation on (init runs unthrottled, as Lambda boosts it). */
  limitCpu(): void;
  freeze(): void;
  thaw(): void;
  readonly frozen: boolean;
  /** The sandbox's own peak memory (kB), when it keeps one. */
  peakMemoryKB(): number | undefined;
  /** Whether the kernel's OOM killer acted in this sandbox. */
  oomKilled(): boolean;
  /** SIGKILL to every process of the environment, synchronously (exit paths cannot wait). */
  killAll(): void;
  /** Kills what is left and removes the sandbox (its cgroups). */
  dispose(): Promise<void>;
}

export interface Sandbox {
  readonly kind: SandboxKind;
  /** Why this sandbox was chosen (e.g. why cgroups were not usable), for the host's log. */
  readonly reason: string;
  create(environmentId: string, memorySizeMB: number): EnvironmentSandbox;
}
