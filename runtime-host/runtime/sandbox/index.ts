// The sandbox is chosen once per host and setting: cgroups where this process may manage them
// (`auto` or `cgroup`), else the process-group fallback.
import { cgroupLayout } from './cgroup-fs';
import { CgroupSandbox } from './cgroup-sandbox';
import { ProcessSandbox } from './process-sandbox';
import { UserError } from '../types';
import type { Sandbox, SandboxSetting } from './types';

export type { EnvironmentSandbox, Sandbox, SandboxKind, SandboxSetting } from './types';
export { SANDBOX_SETTINGS } from './types';

const chosen = new Map<SandboxSetting, Sandbox>();

export function sandboxFor(setting: SandboxSetting = 'auto'): Sandbox {
  let sandbox = chosen.get(setting);
  if (sandbox) return sandbox;
  if (setting === 'process') {
    sandbox = new ProcessSandbox('chosen by the sandbox setting');
  } else if (process.platform !== 'linux' && setting === 'cgroup') {
    throw new UserError(`the cgroup sandbox is Linux only (this is ${process.platform})`, 'use --sandbox auto or process');
  } else if (process.platform !== 'linux') {
    sandbox = new ProcessSandbox(`cgroups are Linux only (this is ${process.platform})`);
  } else {
    const probed = CgroupSandbox.probe(cgroupLayout());
    if (typeof probed === 'string' && setting === 'cgroup') {
      throw new UserError(
        `the cgroup sandbox is not available: ${probed}`,
        "use --sandbox auto (or the setting lambdaWorkbench.sandbox: 'auto') to fall back to the process sandbox",
      );
    }
    sandbox = typeof probed === 'string' ? new ProcessSandbox(probed) : probed;
  }
  chosen.set(setting, sandbox);
  return sandbox;
}
