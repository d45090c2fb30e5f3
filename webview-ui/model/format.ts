// Number and text formats shared by the views; pure so tests pin them down.

/** Milliseconds as REPORT prints them: two decimals. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return `${ms.toFixed(2)} ms`;
}

/** Short duration for list cells and axis ticks: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatShortMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${trimZeros(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimZeros((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * US dollars with enough significant digits to tell small costs apart: `$0.0000002083`, `$2.28`.
 * Costs of one invocation are tiny, so fixed decimals would round them all to zero.
 */
export function formatUsd(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  const digits = Math.min(14, Math.max(2, 3 - Math.floor(Math.log10(Math.abs(usd)))));
  return `$${trimZeros(usd.toFixed(digits))}`;
}

export function formatPercent(fraction: number | undefined, decimals = 0): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** `HH:MM:SS.mmm` in local time, for the history list. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A size as people read it: bytes, KB or MB (binary). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
