// The tune result as the CLI prints it: one row per size, the cheapest and fastest marked, the cold
// runs and the note about this machine's CPU under it.
import type { TuneResult } from '../protocol/tune';

export function formatTuneTable(result: TuneResult): string {
  const header = ['memory', 'p50 ms', 'p90 ms', 'billed ms', 'x86 $/invoke', 'x86 $/1M', 'arm $/invoke', 'arm $/1M', 'max mem', ''];
  const rows = result.sizes.map((s) => {
    const marks = [s.memorySizeMB === result.cheapestMemorySizeMB ? 'cheapest' : '', s.memorySizeMB === result.fastestMemorySizeMB ? 'fastest' : '']
      .filter(Boolean)
      .join(', ');
    if (s.error && s.runs === 0) {
      return [`${s.memorySizeMB} MB`, '-', '-', '-', '-', '-', '-', '-', s.maxMemoryUsedMB ? `${s.maxMemoryUsedMB} MB` : '-', `failed: ${s.error.errorType}`];
    }
    return [
      `${s.memorySizeMB} MB`,
      s.durationP50Ms.toFixed(2),
      s.durationP90Ms.toFixed(2),
      s.billedDurationMs.toFixed(1),
      usd(s.costPerInvocationUsd.x86_64),
      s.costPerMillionUsd.x86_64.toFixed(2),
      usd(s.costPerInvocationUsd.arm64),
      s.costPerMillionUsd.arm64.toFixed(2),
      `${s.maxMemoryUsedMB} MB`,
      [marks, s.error ? `${s.error.failedRuns} failed: ${s.error.errorType}` : ''].filter(Boolean).join('; '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `${result.functionName} (${result.runtime}): ${result.runsPerSize} warm run(s) per size after one cold run, billing rule ${result.billingRule}, ${result.pricesRegion} prices`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ];
  const cold = result.sizes.filter((s) => s.cold);
  if (cold.length) {
    out.push(
      `cold runs (not in p50/p90): ${cold.map((s) => `${s.memorySizeMB} MB ${s.cold!.durationMs.toFixed(1)} ms + init ${(s.cold!.initDurationMs ?? 0).toFixed(1)} ms`).join('; ')}`,
    );
  }
  out.push(`note: ${result.note} (${result.machine.cpus} × ${result.machine.cpuModel})`);
  return `${out.join('\n')}\n`;
}

/** Per-invocation prices are tiny: enough significant digits to compare sizes. */
function usd(n: number): string {
  if (n <= 0) return '$0';
  const decimals = Math.min(20, Math.max(2, 2 - Math.floor(Math.log10(n))));
  return `$${n.toFixed(decimals)}`;
}
