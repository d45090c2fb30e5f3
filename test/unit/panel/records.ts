// Builds InvocationRecords for the panel's view-model tests: every field explicit, overrides on top.
import type { InvocationRecord } from '../../../runtime-host/protocol/records';

export function record(overrides: Partial<InvocationRecord> & { id: string }): InvocationRecord {
  return {
    kind: 'invocation',
    requestId: overrides.id,
    functionName: 'GreetFunction',
    trigger: 'manual',
    status: 'success',
    cold: false,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    timestamps: { queuedAt: 1_000, invokeStartAt: 1_001, invokeEndAt: 1_011, finishedAt: 1_012 },
    durationMs: 10,
    billedDurationMs: 10,
    billingRule: 'per-ms-with-init',
    maxMemoryUsedMB: 40,
    event: {},
    logs: [],
    ...overrides,
  };
}
