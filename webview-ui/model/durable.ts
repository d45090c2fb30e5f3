// Lays out one durable execution across its invocations. The axis is in segments: each invocation a
// column whose width grows with the time it ran (on a log scale, never too thin to see), and between two
// invocations a narrow gap standing for however long the execution slept — a second or a skipped day
// take the same room, and the gap says how long it was. Output is in percent of the axis.
import type { DurableAttemptView, DurableExecutionView, DurableInvocationView, DurableOperationView } from '../../runtime-host/protocol/durable';

export interface AxisSegment {
  kind: 'invocation' | 'gap';
  /** Invocation number (1-based) for `invocation`; the invocation before it for `gap`. */
  seq: number;
  startAt: number;
  endAt: number;
  leftPct: number;
  widthPct: number;
}

export type SpanKind = 'succeeded' | 'failed' | 'retry' | 'running' | 'wait' | 'delay' | 'callback' | 'context' | 'skipped';

export interface OperationSpan {
  kind: SpanKind;
  leftPct: number;
  widthPct: number;
  title: string;
  /** The step attempt it draws, if any. */
  attempt?: number;
}

export interface ExecutionRow {
  op: DurableOperationView;
  depth: number;
  label: string;
  spans: OperationSpan[];
  /** Where a replay of it is marked: the start of each invocation that replayed it. */
  replays: { seq: number; leftPct: number }[];
}

export interface ExecutionLayout {
  segments: AxisSegment[];
  rows: ExecutionRow[];
}

const GAP_SHARE = 0.22;
const MIN_COLUMN_SHARE = 0.04;

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${Number(s.toPrecision(3))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Number((s / 3600).toPrecision(3))} h`;
  return `${Number((s / 86_400).toPrecision(3))} d`;
}

/** The label the SDK's subtype stands for (map items, parallel branches, waitForCallback…). */
export function kindLabel(op: Pick<DurableOperationView, 'type' | 'subType'>): string {
  switch (op.subType) {
    case 'Map':
      return 'map';
    case 'MapIteration':
      return 'map item';
    case 'Parallel':
      return 'parallel';
    case 'ParallelBranch':
      return 'branch';
    case 'WaitForCallback':
      return 'wait for callback';
    case 'WaitForCondition':
      return 'wait for condition';
    case 'RunInChildContext':
      return 'child context';
    default:
      return op.type === 'CHAINED_INVOKE' ? 'invoke' : op.type.toLowerCase();
  }
}

/** The axis: invocation columns and the gaps between them (and after the last, while the execution sleeps). */
export function axisSegments(invocations: readonly DurableInvocationView[], endAt: number, sleeping = false): AxisSegment[] {
  const runs = invocations.map((i) => ({ seq: i.seq, startAt: i.startedAt, endAt: Math.max(i.endedAt ?? endAt, i.startedAt + 1) }));
  if (runs.length === 0) return [];
  const gaps: { seq: number; startAt: number; endAt: number }[] = [];
  for (let i = 0; i < runs.length; i++) {
    const next = runs[i + 1];
    const gapEnd = next ? next.startAt : endAt;
    if (next ? gapEnd > runs[i]!.endAt : sleeping && endAt > runs[i]!.endAt)
      gaps.push({ seq: runs[i]!.seq, startAt: runs[i]!.endAt, endAt: Math.max(gapEnd, runs[i]!.endAt) });
  }
  // Widths grow with the log of the time run: a cold start that loads the SDK does not squeeze the rest out.
  const weights = runs.map((r) => Math.log1p(r.endAt - r.startAt));
  const total = weights.reduce((n, w) => n + w, 0);
  const gapShare = gaps.length ? GAP_SHARE : 0;
  const raw = weights.map((w) => Math.max(w / total, MIN_COLUMN_SHARE));
  const rawTotal = raw.reduce((a, b) => a + b, 0);
  const columnPct = raw.map((w) => (w / rawTotal) * (1 - gapShare) * 100);
  const gapPct = gaps.length ? (gapShare * 100) / gaps.length : 0;
  const segments: AxisSegment[] = [];
  let left = 0;
  runs.forEach((r, i) => {
    segments.push({ kind: 'invocation', seq: r.seq, startAt: r.startAt, endAt: r.endAt, leftPct: left, widthPct: columnPct[i]! });
    left += columnPct[i]!;
    const gap = gaps.find((g) => g.seq === r.seq);
    if (gap) {
      segments.push({ kind: 'gap', seq: gap.seq, startAt: gap.startAt, endAt: gap.endAt, leftPct: left, widthPct: gapPct });
      left += gapPct;
    }
  });
  return segments;
}

/** Where a moment falls on the axis (percent); before the first invocation: 0, after the last segment: 100. */
export function positionOf(at: number, segments: readonly AxisSegment[]): number {
  if (segments.length === 0) return 0;
  if (at <= segments[0]!.startAt) return segments[0]!.leftPct;
  for (const s of segments) {
    if (at <= s.endAt) {
      const span = s.endAt - s.startAt;
      return s.leftPct + (span > 0 ? ((at - s.startAt) / span) * s.widthPct : 0);
    }
  }
  const last = segments[segments.length - 1]!;
  return last.leftPct + last.widthPct;
}

function span(kind: SpanKind, from: number, to: number, segments: readonly AxisSegment[], title: string, attempt?: number): OperationSpan {
  const left = positionOf(from, segments);
  const right = positionOf(Math.max(from, to), segments);
  return { kind, leftPct: left, widthPct: Math.max(right - left, 0.4), title, ...(attempt !== undefined ? { attempt } : {}) };
}

function attemptSpans(op: DurableOperationView, segments: readonly AxisSegment[], nowAt: number): OperationSpan[] {
  const out: OperationSpan[] = [];
  let previous: DurableAttemptView | undefined;
  for (const a of op.attempts) {
    const start = a.startedAt ?? a.endedAt ?? op.startedAt;
    if (previous?.outcome === 'retry' && previous.endedAt !== undefined) {
      out.push(span('delay', previous.endedAt, start, segments, `retry delay ${previous.nextAttemptDelaySeconds ?? '?'} s`));
    }
    const kind: SpanKind = a.outcome === 'succeeded' ? 'succeeded' : a.outcome === 'failed' ? 'failed' : a.outcome === 'retry' ? 'retry' : 'running';
    const detail = a.error ? `: ${a.error.ErrorMessage ?? a.error.ErrorType ?? 'error'}` : '';
    out.push(span(kind, start, a.endedAt ?? nowAt, segments, `attempt ${a.attempt} ${a.outcome}${detail}`, a.attempt));
    previous = a;
  }
  const last = op.attempts[op.attempts.length - 1];
  if (last?.outcome === 'retry' && last.endedAt !== undefined && (op.status === 'PENDING' || op.status === 'READY')) {
    out.push(
      span(
        'delay',
        last.endedAt,
        op.nextAttemptAt && op.status === 'PENDING' ? Math.min(op.nextAttemptAt, nowAt) : nowAt,
        segments,
        `waiting to retry (attempt ${last.attempt + 1})`,
      ),
    );
  }
  if (out.length === 0)
    out.push(
      span(op.status === 'FAILED' ? 'failed' : op.status === 'SUCCEEDED' ? 'succeeded' : 'running', op.startedAt, op.endedAt ?? nowAt, segments, op.status),
    );
  return out;
}

/** Every operation as a row (parents before their children, in the order they started), with its spans. */
export function layoutExecution(view: DurableExecutionView, nowAt: number): ExecutionLayout {
  const endAt = view.endedAt ?? nowAt;
  const segments = axisSegments(view.invocations, endAt, view.status === 'RUNNING' && !view.invocations.some((i) => i.outcome === 'running'));
  const byParent = new Map<string | undefined, DurableOperationView[]>();
  for (const op of view.operations) {
    const key = op.parentId && view.operations.some((o) => o.id === op.parentId) ? op.parentId : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), op]);
  }
  const rows: ExecutionRow[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const op of [...(byParent.get(parent) ?? [])].sort((a, b) => a.startedAt - b.startedAt)) {
      const end = op.endedAt ?? endAt;
      let spans: OperationSpan[];
      if (op.type === 'STEP') spans = attemptSpans(op, segments, endAt);
      else if (op.type === 'WAIT') {
        spans = [
          span(
            op.skippedMs ? 'skipped' : 'wait',
            op.startedAt,
            end,
            segments,
            op.skippedMs
              ? `wait ${durationText((op.waitSeconds ?? 0) * 1000)} — skipped ${durationText(op.skippedMs)}`
              : `wait ${durationText((op.waitSeconds ?? 0) * 1000)}`,
          ),
        ];
      } else if (op.type === 'CALLBACK') spans = [span('callback', op.startedAt, end, segments, `callback ${op.status.toLowerCase()}`)];
      else {
        const kind: SpanKind = op.status === 'FAILED' ? 'failed' : op.type === 'CONTEXT' ? 'context' : op.status === 'SUCCEEDED' ? 'succeeded' : 'running';
        spans = [span(kind, op.startedAt, end, segments, `${kindLabel(op)} ${op.status.toLowerCase()}`)];
      }
      const replays = op.replayedIn
        .map((seq) => segments.find((s) => s.kind === 'invocation' && s.seq === seq))
        .filter((s): s is AxisSegment => s !== undefined)
        .map((s) => ({ seq: s.seq, leftPct: s.leftPct }));
      rows.push({ op, depth, label: op.name ?? kindLabel(op), spans, replays });
      walk(op.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return { segments, rows };
}
