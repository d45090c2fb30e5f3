// How `lambda-workbench test` reports: a summary for people, JUnit XML for CI. Pure.
import type { EventCheck } from '../../protocol/event-tests';

export interface EventTestResult {
  function: string;
  name: string;
  /** Workspace-relative path of the event file. */
  eventPath: string;
  /** `error`: the test could not run or judge (no such function, an unusable expected file, an unreadable event). */
  status: 'passed' | 'failed' | 'error';
  message: string;
  durationMs: number;
  check?: EventCheck;
  /** The invocation's log lines (START … REPORT). */
  logs: string[];
}

export interface Totals {
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  functions: number;
}

export function totals(results: EventTestResult[]): Totals {
  return {
    tests: results.length,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    errors: results.filter((r) => r.status === 'error').length,
    functions: new Set(results.map((r) => r.function)).size,
  };
}

const MARK = { passed: '✓', failed: '✗', error: '!' } as const;

/** Per function, one line per event; failures with their differences; a summary line at the end. */
export function textReport(results: EventTestResult[], elapsedMs: number): string {
  const lines: string[] = [];
  let current: string | undefined;
  for (const r of results) {
    if (r.function !== current) {
      if (current !== undefined) lines.push('');
      lines.push(r.function);
      current = r.function;
    }
    const note = r.status === 'passed' && r.check && !r.check.hasExpected ? ' (no expected response)' : '';
    lines.push(`  ${MARK[r.status]} ${r.name}${note} ${Math.round(r.durationMs)} ms`);
    if (r.status !== 'passed') {
      const differences = r.check?.differences ?? [];
      lines.push(`      ${differences.length && r.check ? `differs from ${r.check.expectedPath}:` : r.message}`);
      for (const d of differences.slice(0, 10)) {
        lines.push(
          `        ${d.path || '(response)'}: ${d.kind === 'missing' ? `missing, expected ${json(d.expected)}` : d.kind === 'unexpected' ? `unexpected ${json(d.actual)}` : `expected ${json(d.expected)}, got ${json(d.actual)}`}`,
        );
      }
      if (differences.length > 10) lines.push(`        … and ${differences.length - 10} more`);
    }
  }
  const t = totals(results);
  lines.push('');
  lines.push(
    `${t.passed} passed, ${t.failed} failed${t.errors ? `, ${t.errors} error${t.errors === 1 ? '' : 's'}` : ''} (${t.tests} event${t.tests === 1 ? '' : 's'} of ${t.functions} function${t.functions === 1 ? '' : 's'}) in ${(elapsedMs / 1000).toFixed(2)} s`,
  );
  return `${lines.join('\n')}\n`;
}

function json(v: unknown): string {
  const text = v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

/** JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one testsuite per function. */
export function junitReport(results: EventTestResult[], elapsedMs: number): string {
  const t = totals(results);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lambda-workbench" tests="${t.tests}" failures="${t.failed}" errors="${t.errors}" time="${seconds(elapsedMs)}">`,
  ];
  const byFunction = new Map<string, EventTestResult[]>();
  for (const r of results) byFunction.set(r.function, [...(byFunction.get(r.function) ?? []), r]);
  for (const [fn, list] of byFunction) {
    const s = totals(list);
    const time = list.reduce((sum, r) => sum + r.durationMs, 0);
    out.push(`  <testsuite name="${xml(fn)}" tests="${s.tests}" failures="${s.failed}" errors="${s.errors}" skipped="0" time="${seconds(time)}">`);
    for (const r of list) {
      const open = `    <testcase classname="${xml(fn)}" name="${xml(r.name)}" file="${xml(r.eventPath)}" time="${seconds(r.durationMs)}"`;
      if (r.status === 'passed') {
        out.push(`${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      const tag = r.status === 'failed' ? 'failure' : 'error';
      const type = r.check?.hasExpected
        ? r.status === 'failed'
          ? 'ResponseMismatch'
          : 'ExpectedResponseError'
        : r.status === 'failed'
          ? 'FunctionError'
          : 'TestError';
      const body = r.check?.expectedText !== undefined ? `expected:\n${r.check.expectedText}actual:\n${r.check.actualText ?? ''}` : r.message;
      out.push(`      <${tag} message="${xml(r.message)}" type="${type}">${xml(body)}</${tag}>`);
      if (r.logs.length) out.push(`      <system-out>${xml(r.logs.join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Text for an XML attribute or element: the five entities, and no characters XML 1.0 forbids. */
export function xml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
