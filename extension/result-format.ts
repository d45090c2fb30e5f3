// How an invocation's outcome reads where the user looks: the one line at the end of the handler's line
// (`✓ 200 · 37 ms · 278 ms billed · 41/256 MB`, `✗ TypeError: …`), the log lines worth showing, and the
// frame of the stack trace that threw in the user's own code. Pure: no vscode import.
import { isAbsolute, relative, sep } from 'node:path';
import type { InvocationRecord } from '../runtime-host/protocol';

const MAX_MESSAGE_CHARS = 90;

function shortMs(ms: number): string {
  return ms < 10 ? `${Number(ms.toFixed(1))} ms` : `${Math.round(ms)} ms`;
}

/** The HTTP status of an API-shaped result (`{statusCode: 200, …}`). */
export function statusCodeOf(result: unknown): number | undefined {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const code = (result as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** `✓ 200 · 37 ms · 278 ms billed · 41/256 MB` or `✗ TypeError: Cannot read … · 5 ms`. */
export function resultLine(r: InvocationRecord): string {
  const numbers = [
    r.durationMs !== undefined ? shortMs(r.durationMs) : '',
    r.billedDurationMs !== undefined ? `${r.billedDurationMs} ms billed` : '',
    r.maxMemoryUsedMB !== undefined ? `${r.maxMemoryUsedMB}/${r.memorySizeMB} MB` : '',
  ].filter(Boolean);
  if (r.status === 'success') {
    const code = statusCodeOf(r.result);
    return ['✓' + (code !== undefined ? ` ${code}` : ''), ...numbers].join(' · ').replace('✓ · ', '✓ ');
  }
  const what = r.error ? `${r.error.errorType}: ${r.error.errorMessage}` : r.status;
  const message = what.length > MAX_MESSAGE_CHARS ? `${what.slice(0, MAX_MESSAGE_CHARS - 1)}…` : what;
  return [`✗ ${message.replace(/\s+/g, ' ')}`, ...numbers].join(' · ');
}

const PLATFORM_LINE = /^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY) /;
// `2024-01-01T00:00:00.000Z\t<request id>\tINFO\tmessage` → `INFO message`
const NODE_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\t(\w+)\t([\s\S]*)$/;

/** The function's own last log lines (platform START/END/REPORT lines left out), at most `count`. */
export function lastLogLines(logs: readonly string[], count = 8): string[] {
  return logs
    .filter((l) => !PLATFORM_LINE.test(l))
    .map((l) => {
      const m = NODE_LINE.exec(l);
      return m ? `${m[1]} ${m[2]}` : l;
    })
    .slice(-count);
}

export interface ThrowingFrame {
  file: string;
  /** 1-based, as stack traces count. */
  line: number;
  /** 1-based; undefined for Python frames. */
  column?: number;
}

// Node: `    at fn (/abs/file.js:4:12)`, `    at /abs/file.js:4:12`, `at file:///abs/file.mjs:4:12`
const NODE_FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/;
// Python: `  File "/abs/app.py", line 3, in handler`
const PYTHON_FRAME = /File "([^"]+)", line (\d+)/g;

/**
 * The frame that threw, in the project's own code: the innermost frame under `root`, outside
 * node_modules and virtual environments (so never the runtime's bootstrap).
 */
export function throwingFrame(trace: readonly string[], root: string): ThrowingFrame | undefined {
  const frames: ThrowingFrame[] = [];
  for (const entry of trace) {
    for (const line of entry.split('\n')) {
      const node = NODE_FRAME.exec(line.trim());
      if (node && /^\s*at\s/.test(line)) {
        const file = node[1]!.startsWith('file://') ? decodeURIComponent(node[1]!.slice('file://'.length)) : node[1]!;
        frames.push({ file, line: Number(node[2]), column: Number(node[3]) });
        continue;
      }
      for (const m of line.matchAll(PYTHON_FRAME)) frames.push({ file: m[1]!, line: Number(m[2]) });
    }
  }
  // Python lists the outermost frame first, Node the innermost: the throwing frame is the last in
  // Python's order and the first in Node's.
  const python = frames.length > 0 && frames.every((f) => f.column === undefined);
  const ordered = python ? [...frames].reverse() : frames;
  return ordered.find((f) => isProjectFile(f.file, root));
}

function isProjectFile(file: string, root: string): boolean {
  if (!isAbsolute(file)) return false;
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
  const parts = rel.split(sep);
  return !parts.some((p) => p === 'node_modules' || p === '.venv' || p === 'site-packages' || p === '.lambda-workbench');
}
