// Geometry of the tune chart, pure so tests pin it down: one column per memory size, duration p50
// as a bar with the p90 as a whisker (left axis), cost per million invocations as two lines, x86 and
// arm (right axis), and the cheapest and fastest sizes marked above their column.
import type { TuneResult } from '../../runtime-host/protocol/tune';
import { formatShortMs } from './format';

export interface ChartSize {
  width: number;
  height: number;
}

export interface TuneColumn {
  memorySizeMB: number;
  /** Centre of the column, and the bar's left edge and width. */
  x: number;
  barX: number;
  barWidth: number;
  /** y of the p50 bar top and of the p90 whisker (undefined when the size failed). */
  p50Y?: number;
  p90Y?: number;
  failed?: string;
  marks: ('cheapest' | 'fastest')[];
  /** Tooltip text. */
  title: string;
}

export interface TuneChartLayout {
  size: ChartSize;
  plot: { left: number; right: number; top: number; bottom: number };
  columns: TuneColumn[];
  durationTicks: { y: number; label: string }[];
  costTicks: { y: number; label: string }[];
  /** Cost per million invocations, one point per size that ran (x86_64 and arm64). */
  costLines: Record<'x86_64' | 'arm64', { x: number; y: number; usd: number }[]>;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 640, height: 300 };
const MARGIN = { left: 60, right: 70, top: 34, bottom: 40 };

/** Intervals that give round tick values for a niceCeil maximum: 2 → 4 × 0.5, the others → 5 steps. */
function tickCount(max: number): number {
  const m = max / 10 ** Math.floor(Math.log10(max));
  return Math.abs(m - 2) < 1e-9 ? 4 : 5;
}

/** The smallest 1/2/2.5/5 × 10^n at or above `value` (an axis maximum that reads well). */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const pow = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * pow * (1 + 1e-9)) return m * pow;
  return 10 * pow;
}

export function layoutTuneChart(result: TuneResult, size: ChartSize = DEFAULT_CHART_SIZE): TuneChartLayout {
  const plot = { left: MARGIN.left, right: size.width - MARGIN.right, top: MARGIN.top, bottom: size.height - MARGIN.bottom };
  const ran = result.sizes.filter((s) => s.runs > 0);
  const maxDuration = niceCeil(Math.max(0, ...ran.map((s) => s.durationP90Ms)));
  const maxCost = niceCeil(Math.max(0, ...ran.map((s) => s.costPerMillionUsd.x86_64), ...ran.map((s) => s.costPerMillionUsd.arm64)));
  const yOf = (value: number, max: number) => plot.bottom - (value / max) * (plot.bottom - plot.top);
  const band = (plot.right - plot.left) / Math.max(1, result.sizes.length);
  const columns: TuneColumn[] = result.sizes.map((s, i) => {
    const x = plot.left + band * (i + 0.5);
    const barWidth = Math.min(48, band * 0.5);
    const marks: TuneColumn['marks'] = [];
    if (s.memorySizeMB === result.cheapestMemorySizeMB) marks.push('cheapest');
    if (s.memorySizeMB === result.fastestMemorySizeMB) marks.push('fastest');
    const column: TuneColumn = { memorySizeMB: s.memorySizeMB, x, barX: x - barWidth / 2, barWidth, marks, title: '' };
    if (s.runs > 0) {
      column.p50Y = yOf(s.durationP50Ms, maxDuration);
      column.p90Y = yOf(s.durationP90Ms, maxDuration);
      column.title = `${s.memorySizeMB} MB: p50 ${formatShortMs(s.durationP50Ms)}, p90 ${formatShortMs(s.durationP90Ms)}, $${s.costPerMillionUsd.x86_64.toFixed(2)} per million (x86), $${s.costPerMillionUsd.arm64.toFixed(2)} (arm)`;
    } else {
      column.failed = s.error?.errorType ?? 'failed';
      column.title = `${s.memorySizeMB} MB failed: ${column.failed}`;
    }
    return column;
  });
  const ticks = (max: number, label: (v: number) => string) =>
    Array.from({ length: tickCount(max) + 1 }, (_, i) => {
      const value = (max / tickCount(max)) * i;
      return { y: yOf(value, max), label: label(value) };
    });
  const line = (arch: 'x86_64' | 'arm64') =>
    result.sizes.flatMap((s, i) => (s.runs > 0 ? [{ x: columns[i]!.x, y: yOf(s.costPerMillionUsd[arch], maxCost), usd: s.costPerMillionUsd[arch] }] : []));
  return {
    size,
    plot,
    columns,
    durationTicks: ticks(maxDuration, (v) => formatShortMs(v)),
    costTicks: ticks(maxCost, (v) => `$${v < 10 ? v.toFixed(2) : v.toFixed(0)}`),
    costLines: { x86_64: line('x86_64'), arm64: line('arm64') },
  };
}
