// What the panel says about an invocation's sandbox: which limits were enforced and how, and the
// warning when the function left work running after it answered (frozen until the next invocation).
import type { SandboxReport } from '../../runtime-host/protocol/records';

export interface SandboxSummary {
  /** e.g. `cgroup v1`. */
  label: string;
  /** One short line per limit: memory, CPU, freezing. */
  limits: string[];
  /** Shown prominently when set: background work the freeze stopped. */
  warning?: string;
}

const KIND_LABEL: Record<SandboxReport['kind'], string> = { 'cgroup-v1': 'cgroup v1', 'cgroup-v2': 'cgroup v2', process: 'process' };

export function describeSandbox(report: SandboxReport): SandboxSummary {
  const limits = [
    report.memory === 'kernel' ? 'memory: kernel limit (OOM kill)' : 'memory: polled from /proc by the host',
    report.cpuCores !== undefined ? `CPU: ${formatCores(report.cpuCores)} (1,769 MB = one core of this machine)` : 'CPU: not limited',
    report.freeze === 'cgroup'
      ? 'frozen between invocations (cgroup freezer)'
      : report.freeze === 'sigstop'
        ? 'frozen between invocations (SIGSTOP)'
        : report.freeze === 'debugger'
          ? 'not frozen: a debugger is attached'
          : 'not frozen: the environment ended',
  ];
  if (report.oomBy) limits.push(report.oomBy === 'kernel' ? 'out of memory: killed by the kernel' : 'out of memory: killed by the host');
  const work = report.backgroundWork ?? [];
  const summary: SandboxSummary = { label: KIND_LABEL[report.kind], limits };
  if (work.length) {
    summary.warning =
      `Background work was frozen: the function answered with ${countKinds(work)} still pending. ` +
      'It did not run until the next invocation — on AWS it may be delayed or never run. Await it before returning.';
  }
  return summary;
}

function formatCores(cores: number): string {
  return cores >= 1 ? `${Math.round(cores * 100) / 100} cores` : `${Math.round(cores * 1000) / 10}% of a core`;
}

/** `2 timers and 1 socket` from ['Timeout', 'Timeout', 'TCPSocketWrap']. */
function countKinds(kinds: string[]): string {
  const names: Record<string, [string, string]> = {
    Timeout: ['timer', 'timers'],
    Immediate: ['immediate', 'immediates'],
    TCPSocketWrap: ['socket', 'sockets'],
    TCPWRAP: ['socket', 'sockets'],
    TLSWrap: ['TLS connection', 'TLS connections'],
    GetAddrInfoReqWrap: ['DNS lookup', 'DNS lookups'],
    FSReqCallback: ['file operation', 'file operations'],
    FSReqPromise: ['file operation', 'file operations'],
    ChildProcess: ['child process', 'child processes'],
    Thread: ['thread', 'threads'],
    Timer: ['timer thread', 'timer threads'],
    ProcessWrap: ['child process', 'child processes'],
  };
  const counts = new Map<string, { n: number; forms: [string, string] }>();
  for (const kind of kinds) {
    const forms = names[kind] ?? [kind, kind];
    const entry = counts.get(forms[0]) ?? { n: 0, forms };
    entry.n++;
    counts.set(forms[0], entry);
  }
  const parts = [...counts.values()].map(({ n, forms }) => `${n} ${n === 1 ? forms[0] : forms[1]}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]!;
}
