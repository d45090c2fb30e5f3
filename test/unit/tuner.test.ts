// The tuner's arithmetic: percentiles, the cold run kept apart, cost from prices.json, cheapest and
// fastest marks, and the input checks. Records are built by hand: the integration tests run real ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invocationCostUsd } from '../../runtime-host/protocol/billing';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import type { TuneResult, TuneSizeResult } from '../../runtime-host/protocol/tune';
import { formatTuneTable } from '../../runtime-host/tuning/table';
import { markBest, percentile, summariseSize, validateTuneInput } from '../../runtime-host/tuning/tuner';

function record(durationMs: number, extra: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    id: 'r',
    kind: 'invocation',
    requestId: 'r',
    functionName: 'Fn',
    trigger: 'manual',
    status: 'success',
    cold: false,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 128,
    timeoutSeconds: 3,
    timestamps: { queuedAt: 0 },
    durationMs,
    billedDurationMs: Math.ceil(durationMs),
    billingRule: 'per-ms-with-init',
    maxMemoryUsedMB: 40,
    event: {},
    logs: [],
    ...extra,
  };
}

test('percentile: nearest rank, order of input does not matter', () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([5, 1, 4, 2, 3], 90), 5);
  assert.equal(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90), 90);
  assert.equal(percentile([7], 90), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('a size: the cold run is reported apart and left out of p50/p90 and the cost', () => {
  const cold = record(500, { cold: true, initDurationMs: 120, billedDurationMs: 620 });
  const s = summariseSize(512, [cold, record(10.2), record(30.5), record(20.1)]);
  assert.equal(s.runs, 3);
  assert.equal(s.durationP50Ms, 20.1);
  assert.equal(s.durationP90Ms, 30.5);
  assert.equal(s.durationMinMs, 10.2);
  assert.equal(s.durationMaxMs, 30.5);
  assert.deepEqual(s.cold, { durationMs: 500, initDurationMs: 120, billedDurationMs: 620 });
  // Billed 11, 31, 21 → mean 21 ms at 512 MB.
  assert.equal(s.billedDurationMs, 21);
  assert.equal(s.costPerInvocationUsd.x86_64, invocationCostUsd(512, 21, 'x86_64'));
  assert.equal(s.costPerInvocationUsd.arm64, invocationCostUsd(512, 21, 'arm64'));
  assert.ok(s.costPerInvocationUsd.arm64 < s.costPerInvocationUsd.x86_64);
  assert.equal(s.costPerMillionUsd.x86_64, s.costPerInvocationUsd.x86_64 * 1_000_000);
  assert.equal(s.error, undefined);
});

test('a size whose invocations fail carries the error and no figures', () => {
  const oom = record(80, { status: 'outOfMemory', error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'exceeded', trace: [] }, maxMemoryUsedMB: 128 });
  const s = summariseSize(128, [oom]);
  assert.equal(s.runs, 0);
  assert.equal(s.cold, undefined);
  assert.deepEqual(s.error, { errorType: 'Runtime.OutOfMemory', errorMessage: 'exceeded', failedRuns: 1 });
  assert.equal(s.maxMemoryUsedMB, 128);
  assert.equal(s.costPerInvocationUsd.x86_64, 0);
});

function size(memorySizeMB: number, p50: number, cost: number, error = false): TuneSizeResult {
  return {
    memorySizeMB,
    runs: error ? 0 : 5,
    durationP50Ms: p50,
    durationP90Ms: p50,
    durationMinMs: p50,
    durationMaxMs: p50,
    billedDurationMs: p50,
    maxMemoryUsedMB: 50,
    costPerInvocationUsd: { x86_64: cost, arm64: cost * 0.8 },
    costPerMillionUsd: { x86_64: cost * 1e6, arm64: cost * 0.8e6 },
    ...(error ? { error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'x', failedRuns: 1 } } : {}),
  };
}

test('cheapest by cost, fastest by p50; a failed size never wins; ties go to the other measure', () => {
  assert.deepEqual(markBest([size(128, 900, 3), size(512, 200, 2), size(1769, 60, 4)]), { cheapest: 512, fastest: 1769 });
  assert.deepEqual(markBest([size(128, 10, 1, true), size(512, 200, 2)]), { cheapest: 512, fastest: 512 });
  assert.deepEqual(markBest([size(128, 100, 2), size(256, 50, 2)]), { cheapest: 256, fastest: 256 });
  assert.deepEqual(markBest([size(1024, 50, 3), size(2048, 50, 5)]), { cheapest: 1024, fastest: 1024 });
  assert.deepEqual(markBest([size(128, 10, 1, true)]), {});
});

test('input checks: sizes deduplicated and sorted, out-of-range sizes and runs refused with the range', () => {
  assert.deepEqual(validateTuneInput([512, 128, 512], 3), { sizes: [128, 512], runs: 3 });
  assert.deepEqual(validateTuneInput(undefined, undefined), { sizes: [128, 256, 512, 1024, 1769, 3008], runs: 5 });
  assert.throws(() => validateTuneInput([64], 1), /memory size 64 is out of range/);
  assert.throws(() => validateTuneInput([128], 0), /runs must be a whole number from 1 to 100/);
  assert.throws(() => validateTuneInput([], 1), /no memory sizes/);
});

test('the CLI table marks the cheapest and the fastest row and ends with the note about this machine', () => {
  const result: TuneResult = {
    functionName: 'CpuFunction',
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    billingRule: 'per-ms-with-init',
    pricesRegion: 'us-east-1',
    runsPerSize: 5,
    sizes: [size(128, 10, 1, true), size(512, 200, 2), size(1769, 60, 4)],
    cheapestMemorySizeMB: 512,
    fastestMemorySizeMB: 1769,
    machine: { cpus: 2, cpuModel: 'Test CPU' },
    note: 'CPU figures are this machine’s.',
    startedAt: 0,
    finishedAt: 1,
  };
  const lines = formatTuneTable(result).split('\n');
  assert.match(
    lines.find((l) => l.startsWith('128 MB'))!,
    /failed: Runtime\.OutOfMemory$/,
  );
  assert.match(
    lines.find((l) => l.startsWith('512 MB'))!,
    /^512 MB\s+200\.00\s+200\.00\s+200\.0\s+\$2\.00\s+2000000\.00\s+\$1\.60\s+1600000\.00\s+50 MB\s+cheapest$/,
  );
  assert.match(
    lines.find((l) => l.startsWith('1769 MB'))!,
    /fastest$/,
  );
  assert.match(lines.at(-2)!, /^note: CPU figures are this machine’s\. \(2 × Test CPU\)$/);
});
