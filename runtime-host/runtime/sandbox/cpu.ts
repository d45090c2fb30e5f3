// Lambda's CPU share grows with the memory size: 1,769 MB is one full vCPU, 10,240 MB gets six. Here
// one vCPU is one core of this machine, and no environment gets more cores than the machine has.

/** The memory size that Lambda gives one full vCPU. */
export const MB_PER_VCPU = 1769;
/** Lambda's most vCPUs (at 10,240 MB). */
export const MAX_VCPUS = 6;
/** The CFS period the quota is a share of (the kernel's default). */
export const CFS_PERIOD_US = 100_000;
/** The kernel's smallest quota. */
const MIN_QUOTA_US = 1000;

export function cpuCoresFor(memorySizeMB: number, machineCores: number): number {
  return Math.min(memorySizeMB / MB_PER_VCPU, MAX_VCPUS, machineCores);
}

/** The CFS quota (µs per CFS_PERIOD_US) for a memory size. */
export function cfsQuotaUs(memorySizeMB: number, machineCores: number): number {
  return Math.max(MIN_QUOTA_US, Math.round(CFS_PERIOD_US * cpuCoresFor(memorySizeMB, machineCores)));
}

/** Lambda's limit on processes and threads in one execution environment. */
export const PIDS_MAX = 1024;
