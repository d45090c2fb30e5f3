// The memory tuner (the local answer to AWS Lambda Power Tuning): runs one function with one event at
// each memory size and reports duration, billed duration and cost, cheapest and fastest marked. Used by
// `lambda-workbench tune` and the protocol's `tune`, so both report the same figures.
//
// Each size starts in a fresh execution environment: its first invocation is cold and is reported
// apart (`cold`), because a cold start measures init, not the handler; the `runs` warm invocations
// that follow in that environment give p50/p90 and the cost.
import { cpus } from 'node:os';
import prices from '../protocol/prices.json';
import { invocationCostUsd, PRICES, type PriceTable } from '../protocol/billing';
import type { Architecture, BillingRule, InvocationRecord } from '../protocol/records';
import {
  DEFAULT_TUNE_RUNS,
  DEFAULT_TUNE_SIZES_MB,
  MAX_TUNE_SIZES,
  TUNE_RUNS_RANGE,
  type TuneProgress,
  type TuneResult,
  type TuneSizeResult,
} from '../protocol/tune';
import { MEMORY_RANGE_MB } from '../protocol/limits';
import { UserError, type FunctionConfig, type Invoker } from '../runtime/types';

export const TUNE_NOTE =
  'Durations are measured on this machine: CPU speed, and how much of it each memory size gets, differ from Lambda’s hardware. Compare sizes with each other, not with AWS figures.';

export interface TuneOptions {
  fn: FunctionConfig;
  event: unknown;
  memorySizesMB?: readonly number[];
  runs?: number;
  /** Runs the invocations. The tuner retires the function's environments between sizes, so give it an invoker of its own. */
  invoker: Pick<Invoker, 'invoke' | 'retire'>;
  billingRule: BillingRule;
  onProgress?: (progress: Omit<TuneProgress, 'progressToken'>) => void;
  signal?: AbortSignal;
  prices?: PriceTable;
}

/** Checks sizes and runs: a UserError names the allowed range. Returns them deduplicated and sorted. */
export function validateTuneInput(memorySizesMB: readonly number[] | undefined, runs: number | undefined): { sizes: number[]; runs: number } {
  const sizes = [...new Set(memorySizesMB ?? DEFAULT_TUNE_SIZES_MB)].sort((a, b) => a - b);
  if (sizes.length === 0) throw new UserError('no memory sizes to try', `give sizes in MB, e.g. ${DEFAULT_TUNE_SIZES_MB.join(',')}`);
  if (sizes.length > MAX_TUNE_SIZES) throw new UserError(`too many memory sizes (${sizes.length})`, `give at most ${MAX_TUNE_SIZES}`);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < MEMORY_RANGE_MB[0] || size > MEMORY_RANGE_MB[1]) {
      throw new UserError(`memory size ${size} is out of range`, `Lambda accepts whole MB from ${MEMORY_RANGE_MB[0]} to ${MEMORY_RANGE_MB[1]}`);
    }
  }
  const n = runs ?? DEFAULT_TUNE_RUNS;
  if (!Number.isInteger(n) || n < TUNE_RUNS_RANGE[0] || n > TUNE_RUNS_RANGE[1]) {
    throw new UserError(`runs must be a whole number from ${TUNE_RUNS_RANGE[0]} to ${TUNE_RUNS_RANGE[1]}, got ${n}`);
  }
  return { sizes, runs: n };
}

export async function tune(options: TuneOptions): Promise<TuneResult> {
  const { sizes, runs } = validateTuneInput(options.memorySizesMB, options.runs);
  const startedAt = Date.now();
  const results: TuneSizeResult[] = [];
  const total = sizes.length * (runs + 1);
  let done = 0;
  for (const [sizeIndex, memorySizeMB] of sizes.entries()) {
    const fn: FunctionConfig = { ...options.fn, memorySizeMB };
    // A fresh environment per size: nothing warm from an earlier size (or an earlier tune) is reused.
    options.invoker.retire(fn.name);
    const records: InvocationRecord[] = [];
    for (let run = 0; run <= runs; run++) {
      if (options.signal?.aborted) throw new UserError('tuning was cancelled');
      const record = await options.invoker.invoke({ fn, event: options.event, trigger: 'manual', ...(options.signal ? { signal: options.signal } : {}) });
      if (options.signal?.aborted) throw new UserError('tuning was cancelled');
      records.push(record);
      done++;
      options.onProgress?.({
        functionName: fn.name,
        memorySizeMB,
        sizeIndex,
        sizeCount: sizes.length,
        run,
        runs,
        done,
        total,
        ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
        status: record.status,
      });
      // A size whose function fails keeps failing: stop paying for it and move on.
      if (record.status !== 'success') break;
    }
    results.push(summariseSize(memorySizeMB, records, options.prices ?? PRICES));
  }
  options.invoker.retire(options.fn.name);
  const { cheapest, fastest } = markBest(results);
  return {
    functionName: options.fn.name,
    runtime: options.fn.runtime,
    architecture: options.fn.architecture,
    billingRule: options.billingRule,
    pricesRegion: prices.region,
    runsPerSize: runs,
    sizes: results,
    ...(cheapest !== undefined ? { cheapestMemorySizeMB: cheapest } : {}),
    ...(fastest !== undefined ? { fastestMemorySizeMB: fastest } : {}),
    machine: machine(),
    note: TUNE_NOTE,
    startedAt,
    finishedAt: Date.now(),
  };
}

/** Nearest-rank percentile (p in 0…100) of values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** One size's figures from its records: the first is the cold run, the rest are measured. */
export function summariseSize(memorySizeMB: number, records: readonly InvocationRecord[], prices: PriceTable = PRICES): TuneSizeResult {
  const [first, ...rest] = records;
  const measured = rest.filter((r) => r.status === 'success');
  const failed = records.filter((r) => r.status !== 'success');
  const durations = measured.map((r) => r.durationMs ?? 0);
  const billedMean = measured.length ? measured.reduce((n, r) => n + (r.billedDurationMs ?? 0), 0) / measured.length : 0;
  const cost = (arch: Architecture) => (measured.length ? invocationCostUsd(memorySizeMB, billedMean, arch, prices) : 0);
  const result: TuneSizeResult = {
    memorySizeMB,
    runs: measured.length,
    durationP50Ms: round2(percentile(durations, 50) || 0),
    durationP90Ms: round2(percentile(durations, 90) || 0),
    durationMinMs: round2(durations.length ? Math.min(...durations) : 0),
    durationMaxMs: round2(durations.length ? Math.max(...durations) : 0),
    billedDurationMs: round2(billedMean),
    maxMemoryUsedMB: Math.max(0, ...records.map((r) => r.maxMemoryUsedMB ?? 0)),
    costPerInvocationUsd: { x86_64: cost('x86_64'), arm64: cost('arm64') },
    costPerMillionUsd: { x86_64: cost('x86_64') * 1_000_000, arm64: cost('arm64') * 1_000_000 },
  };
  if (first && first.status === 'success') {
    result.cold = {
      durationMs: round2(first.durationMs ?? 0),
      ...(first.initDurationMs !== undefined ? { initDurationMs: round2(first.initDurationMs) } : {}),
      billedDurationMs: first.billedDurationMs ?? 0,
    };
  }
  const firstFailure = failed[0];
  if (firstFailure) {
    result.error = {
      errorType: firstFailure.error?.errorType ?? firstFailure.status,
      errorMessage: firstFailure.error?.errorMessage ?? firstFailure.status,
      failedRuns: failed.length,
    };
  }
  return result;
}

/** Cheapest by cost per invocation (ties: the faster), fastest by p50 (ties: the cheaper); failed sizes never win. */
export function markBest(sizes: readonly TuneSizeResult[]): { cheapest?: number; fastest?: number } {
  const eligible = sizes.filter((s) => !s.error && s.runs > 0);
  if (eligible.length === 0) return {};
  const byCost = [...eligible].sort((a, b) => a.costPerInvocationUsd.x86_64 - b.costPerInvocationUsd.x86_64 || a.durationP50Ms - b.durationP50Ms);
  const bySpeed = [...eligible].sort((a, b) => a.durationP50Ms - b.durationP50Ms || a.costPerInvocationUsd.x86_64 - b.costPerInvocationUsd.x86_64);
  return { cheapest: byCost[0]!.memorySizeMB, fastest: bySpeed[0]!.memorySizeMB };
}

function machine(): TuneResult['machine'] {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model.trim() ?? 'unknown' };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
