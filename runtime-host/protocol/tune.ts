// The memory tuner's contract: what `lambda-workbench tune --json` prints, what the protocol's `tune`
// returns and what the panel charts. Types and constants only (the panel imports this module).
import type { Architecture, BillingRule } from './records';

/** The sizes tried when none are given: Lambda's minimum, common steps, one full vCPU (1,769 MB) and 3,008 MB. */
export const DEFAULT_TUNE_SIZES_MB: readonly number[] = [128, 256, 512, 1024, 1769, 3008];
/** Measured (warm) invocations per size when none are given. */
export const DEFAULT_TUNE_RUNS = 5;
export const TUNE_RUNS_RANGE = [1, 100] as const;
/** More sizes than this is a typo, not a tuning session. */
export const MAX_TUNE_SIZES = 20;

export interface TuneParams {
  /** A function known to the host (template logical id)… */
  function?: string;
  /** …or a bare handler string relative to `root`. */
  handler?: string;
  root?: string;
  event?: unknown;
  /** Memory sizes to try (MB, 128–10,240), default DEFAULT_TUNE_SIZES_MB. */
  memorySizesMB?: number[];
  /** Measured invocations per size, default DEFAULT_TUNE_RUNS. */
  runs?: number;
  /** Echoed in every `tune.progress` notification so a client can tell its tune from another's. */
  progressToken?: string;
}

/** The first invocation of a size, in a fresh environment: reported apart, never mixed into p50/p90. */
export interface TuneColdRun {
  durationMs: number;
  initDurationMs?: number;
  billedDurationMs: number;
}

export interface TuneSizeResult {
  memorySizeMB: number;
  /** Warm invocations that succeeded and were measured. */
  runs: number;
  durationP50Ms: number;
  durationP90Ms: number;
  durationMinMs: number;
  durationMaxMs: number;
  /** Mean billed duration of the measured runs (what a month of these invocations bills on average). */
  billedDurationMs: number;
  maxMemoryUsedMB: number;
  cold?: TuneColdRun;
  /** Cost of one invocation at the mean billed duration (compute + request), by architecture, USD. */
  costPerInvocationUsd: Record<Architecture, number>;
  costPerMillionUsd: Record<Architecture, number>;
  /** Present when an invocation at this size failed: the size is then never marked cheapest or fastest. */
  error?: { errorType: string; errorMessage: string; failedRuns: number };
}

export interface TuneResult {
  functionName: string;
  runtime: string;
  /** The function's own architecture; costs are given for both. */
  architecture: Architecture;
  billingRule: BillingRule;
  /** The region prices.json gives prices for. */
  pricesRegion: string;
  /** Measured invocations per size (plus one cold run each). */
  runsPerSize: number;
  sizes: TuneSizeResult[];
  /** Memory size with the lowest cost per invocation (the same size for x86 and arm: both prices scale GB-seconds), undefined when every size failed. */
  cheapestMemorySizeMB?: number;
  /** Memory size with the lowest p50 duration. */
  fastestMemorySizeMB?: number;
  /** Where the CPU figures come from: durations are this machine's, not Lambda's hardware. */
  machine: { cpus: number; cpuModel: string };
  note: string;
  startedAt: number;
  finishedAt: number;
}

/** `tune.progress`: one per invocation the tuner finishes. */
export interface TuneProgress {
  progressToken?: string;
  functionName: string;
  memorySizeMB: number;
  /** 0-based index of the size in `memorySizesMB`, and how many sizes there are. */
  sizeIndex: number;
  sizeCount: number;
  /** 0 is the cold run, 1…runs the measured ones. */
  run: number;
  runs: number;
  /** Invocations done so far over all sizes, and how many there will be. */
  done: number;
  total: number;
  durationMs?: number;
  status: string;
}

/** `tune.finished`: sent to every client when a tune ends, so a panel shows it whoever started it. */
export type TuneFinished = { progressToken?: string } & ({ result: TuneResult } | { error: string });
