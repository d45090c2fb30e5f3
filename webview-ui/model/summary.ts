// Per-function numbers: how often it ran, how often it failed, how long it takes, how often it starts
// cold, and whether its memory size fits what it uses.
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { MEMORY_RANGE_MB } from '../../runtime-host/protocol/limits';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { isFailure, isFinal } from './records';

export interface MemoryHint {
  kind: 'too-large' | 'too-small';
  message: string;
  /** A memory size to try, in MB (Lambda's range 128–10240). */
  suggestedMB: number;
}

export interface FunctionSummary {
  functionName: string;
  /** Finished invocations (parent records and in-flight ones are not counted). */
  invocations: number;
  errors: number;
  errorRate: number;
  p50DurationMs?: number;
  p95DurationMs?: number;
  coldStarts: number;
  coldStartShare: number;
  averageInitMs?: number;
  maxMemoryUsedMB?: number;
  memorySizeMB: number;
  hint?: MemoryHint;
  /** What of the function's configuration is not emulated locally (from the template, said once at load). */
  notEmulated?: string[];
}

/** Nearest-rank percentile (what CloudWatch's pNN reports for small samples): the smallest value with at least p% at or below it. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/**
 * The high-water mark fits when it sits between a quarter and ~90% of the size. Above that an
 * allocation spike ends in Runtime.OutOfMemory; far below, you pay for memory you never touch (but
 * CPU scales with memory, so the hint says "try", it does not decide).
 */
export function memoryHint(maxMemoryUsedMB: number | undefined, memorySizeMB: number): MemoryHint | undefined {
  if (maxMemoryUsedMB === undefined || memorySizeMB <= 0) return undefined;
  if (maxMemoryUsedMB >= memorySizeMB * 0.9) {
    const suggestedMB = clampMemory(roundUpTo64(maxMemoryUsedMB * 1.5));
    if (suggestedMB <= memorySizeMB) return undefined;
    return {
      kind: 'too-small',
      suggestedMB,
      message: `Uses ${maxMemoryUsedMB} of ${memorySizeMB} MB — close to Runtime.OutOfMemory; try ${suggestedMB} MB.`,
    };
  }
  if (memorySizeMB > 128 && maxMemoryUsedMB < memorySizeMB * 0.25) {
    const suggestedMB = clampMemory(roundUpTo64(maxMemoryUsedMB * 2));
    if (suggestedMB >= memorySizeMB) return undefined;
    return {
      kind: 'too-large',
      suggestedMB,
      message: `Uses at most ${maxMemoryUsedMB} of ${memorySizeMB} MB; ${suggestedMB} MB would cost less (CPU scales with memory, so compare durations).`,
    };
  }
  return undefined;
}

function roundUpTo64(mb: number): number {
  return Math.ceil(mb / 64) * 64;
}

function clampMemory(mb: number): number {
  return Math.min(MEMORY_RANGE_MB[1], Math.max(MEMORY_RANGE_MB[0], mb));
}

export function summarizeFunctions(records: readonly InvocationRecord[], functions: readonly FunctionInfo[] = []): FunctionSummary[] {
  const groups = new Map<string, InvocationRecord[]>();
  for (const f of functions) groups.set(f.name, []);
  for (const r of records) {
    if (r.kind !== 'invocation' || !isFinal(r.status)) continue;
    let list = groups.get(r.functionName);
    if (!list) groups.set(r.functionName, (list = []));
    list.push(r);
  }
  const configured = new Map(functions.map((f) => [f.name, f.memorySizeMB]));
  const unemulated = new Map(functions.filter((f) => f.notEmulated?.length).map((f) => [f.name, f.notEmulated!]));
  const out: FunctionSummary[] = [];
  for (const [functionName, list] of groups) {
    const durations = list.filter((r) => r.durationMs !== undefined && r.status !== 'throttled').map((r) => r.durationMs as number);
    const inits = list.filter((r) => r.initDurationMs !== undefined).map((r) => r.initDurationMs as number);
    const memories = list.filter((r) => r.maxMemoryUsedMB !== undefined).map((r) => r.maxMemoryUsedMB as number);
    const errors = list.filter((r) => isFailure(r.status)).length;
    const coldStarts = list.filter((r) => r.cold).length;
    // The current configuration wins; otherwise the size of the newest record.
    const newest = list.reduce<InvocationRecord | undefined>((a, r) => (!a || r.timestamps.queuedAt > a.timestamps.queuedAt ? r : a), undefined);
    const memorySizeMB = configured.get(functionName) ?? newest?.memorySizeMB ?? 128;
    const maxMemoryUsedMB = memories.length ? Math.max(...memories) : undefined;
    out.push({
      functionName,
      invocations: list.length,
      errors,
      errorRate: list.length ? errors / list.length : 0,
      p50DurationMs: percentile(durations, 50),
      p95DurationMs: percentile(durations, 95),
      coldStarts,
      coldStartShare: list.length ? coldStarts / list.length : 0,
      averageInitMs: inits.length ? inits.reduce((a, b) => a + b, 0) / inits.length : undefined,
      maxMemoryUsedMB,
      memorySizeMB,
      hint: memoryHint(maxMemoryUsedMB, memorySizeMB),
      ...(unemulated.has(functionName) ? { notEmulated: unemulated.get(functionName)! } : {}),
    });
  }
  return out.sort((a, b) => b.invocations - a.invocations || a.functionName.localeCompare(b.functionName));
}
