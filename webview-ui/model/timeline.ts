// Lays out an invocation (and, for a parent record, its children with their retries) on one time
// axis, to scale. Output is in milliseconds from the axis origin; the view turns it into percentages.
import type { InvocationRecord } from '../../runtime-host/protocol/records';

/** `waiting`: in the host's burst queue for an environment or a start slot (never billed, never init). */
export type PhaseKind = 'waiting' | 'queued' | 'init' | 'invoke' | 'paused' | 'report' | 'running';

export interface PhaseSpan {
  kind: PhaseKind;
  startMs: number;
  endMs: number;
}

export interface TimelineRow {
  recordId: string;
  label: string;
  /** Nesting depth: 0 for the record itself, 1 for its children. */
  depth: number;
  attempt: number;
  status: InvocationRecord['status'];
  cold: boolean;
  phases: PhaseSpan[];
  /** The span Lambda bills, drawn as a bracket under the phases. Absent while running or when not billed. */
  billed?: { startMs: number; endMs: number; billedMs: number; rule: InvocationRecord['billingRule'] };
}

export interface TimelineTick {
  atMs: number;
  label: string;
}

export interface TimelineLayout {
  /** Epoch ms of the axis origin (the earliest queue time). */
  originAt: number;
  /** Axis length in ms (never 0). */
  totalMs: number;
  rows: TimelineRow[];
  ticks: TimelineTick[];
}

/**
 * @param nowAt epoch ms used as the end of phases still in progress.
 */
export function layoutTimeline(record: InvocationRecord, children: readonly InvocationRecord[], nowAt: number): TimelineLayout {
  const all = [record, ...children];
  const originAt = Math.min(...all.map((r) => r.timestamps.queuedAt));
  const rows: TimelineRow[] = [timelineRow(record, 0, originAt, nowAt)];
  const sortedChildren = [...children].sort(
    (a, b) => a.functionName.localeCompare(b.functionName) || (a.attempt ?? 0) - (b.attempt ?? 0) || a.timestamps.queuedAt - b.timestamps.queuedAt,
  );
  for (const child of sortedChildren) rows.push(timelineRow(child, 1, originAt, nowAt));
  let endMs = 0;
  for (const row of rows) {
    for (const p of row.phases) endMs = Math.max(endMs, p.endMs);
    if (row.billed) endMs = Math.max(endMs, row.billed.endMs);
  }
  const totalMs = Math.max(endMs, 1);
  return { originAt, totalMs, rows, ticks: axisTicks(totalMs) };
}

/** One record's row: its phases relative to `originAt`, to scale. */
export function timelineRow(r: InvocationRecord, depth: number, originAt: number, nowAt: number): TimelineRow {
  const t = r.timestamps;
  const rel = (at: number) => at - originAt;
  const phases: PhaseSpan[] = [];
  const firstWork = t.initStartAt ?? t.invokeStartAt;
  const end = t.finishedAt ?? nowAt;
  if (t.dequeuedAt !== undefined) {
    phases.push({ kind: 'waiting', startMs: rel(t.queuedAt), endMs: rel(t.dequeuedAt) });
    phases.push({ kind: 'queued', startMs: rel(t.dequeuedAt), endMs: rel(firstWork ?? end) });
  } else {
    phases.push({ kind: 'queued', startMs: rel(t.queuedAt), endMs: rel(firstWork ?? end) });
  }
  if (t.initStartAt !== undefined) {
    phases.push({ kind: 'init', startMs: rel(t.initStartAt), endMs: rel(t.initEndAt ?? t.invokeStartAt ?? end) });
  }
  if (t.invokeStartAt !== undefined) {
    const invokeEnd = t.invokeEndAt ?? end;
    phases.push({
      kind: t.invokeEndAt === undefined && t.finishedAt === undefined ? 'running' : 'invoke',
      startMs: rel(t.invokeStartAt),
      endMs: rel(invokeEnd),
    });
    for (const pause of r.pauses ?? []) {
      phases.push({ kind: 'paused', startMs: rel(pause.startAt), endMs: rel(pause.endAt ?? invokeEnd) });
    }
    if (t.invokeEndAt !== undefined && t.finishedAt !== undefined && t.finishedAt > t.invokeEndAt) {
      phases.push({ kind: 'report', startMs: rel(t.invokeEndAt), endMs: rel(t.finishedAt) });
    }
  } else if (r.kind !== 'invocation' && t.finishedAt !== undefined) {
    // A parent record (SNS publish, S3 event…) has no phases of its own: its span is the fan-out.
    phases.length = 0;
    phases.push({ kind: 'invoke', startMs: rel(t.queuedAt), endMs: rel(t.finishedAt) });
  }
  for (const p of phases) p.endMs = Math.max(p.endMs, p.startMs);

  let billed: TimelineRow['billed'];
  if (r.billedDurationMs !== undefined && t.invokeStartAt !== undefined) {
    // Under per-ms-with-init the bill starts with init; otherwise with the invoke phase.
    const billStart = r.billingRule === 'per-ms-with-init' && t.initStartAt !== undefined ? t.initStartAt : t.invokeStartAt;
    billed = { startMs: rel(billStart), endMs: rel(billStart) + r.billedDurationMs, billedMs: r.billedDurationMs, rule: r.billingRule };
  }
  const attempt = r.attempt ?? 0;
  const label = depth === 0 ? r.functionName : attempt > 0 ? `${r.functionName} (retry ${attempt})` : r.functionName;
  return { recordId: r.id, label, depth, attempt, status: r.status, cold: r.cold, phases, billed };
}

const LEGEND_ORDER: readonly PhaseKind[] = ['waiting', 'queued', 'init', 'invoke', 'running', 'paused', 'report'];

/** What the legend explains: the phases this timeline draws (no "paused in debugger" under a run never paused), and the billed bracket if any. */
export function legendOf(layout: TimelineLayout): { kinds: PhaseKind[]; billed: boolean } {
  const drawn = new Set(layout.rows.flatMap((r) => r.phases.map((p) => p.kind)));
  return { kinds: LEGEND_ORDER.filter((k) => drawn.has(k)), billed: layout.rows.some((r) => r.billed !== undefined) };
}

/** Round tick steps (1, 2, 5 × 10^k ms) giving at most `maxTicks` intervals. */
export function axisTicks(totalMs: number, maxTicks = 6): TimelineTick[] {
  const rough = totalMs / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: TimelineTick[] = [];
  for (let at = 0; at <= totalMs + step * 1e-9; at += step) {
    const rounded = Number(at.toPrecision(12));
    ticks.push({ atMs: rounded, label: tickLabel(rounded, step) });
  }
  return ticks;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 1000) return `${Number((ms / 1000).toPrecision(12))} s`;
  return `${Number(ms.toPrecision(12))} ms`;
}

/** Position of `ms` on the axis as a percentage (0–100), for CSS left/width. */
export function percentOf(ms: number, totalMs: number): number {
  return Math.max(0, Math.min(100, (ms / totalMs) * 100));
}
