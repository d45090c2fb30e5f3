// A node:test reporter that prints, after the run, how long each test file took (its top-level tests
// added up), slowest first — the place to look when the suite gets slow — and one closing line
// `tests: N passed, N failed` that CI systems read.
import { relative } from 'node:path';

export default async function* fileDurations(source) {
  const perFile = new Map();
  const count = { passed: 0, failed: 0 };
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.details?.type !== 'suite') {
      count[event.type === 'test:pass' ? 'passed' : 'failed']++;
    }
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  if (perFile.size === 0) return;
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([f]) => f.length));
  yield `\nfile durations (top-level tests added up; files run ${process.env.LAMBDA_WORKBENCH_TEST_CONCURRENCY ?? '?'} at a time)\n`;
  for (const [file, ms] of rows) yield `  ${file.padEnd(width)}  ${(ms / 1000).toFixed(1).padStart(7)} s\n`;
  yield `tests: ${count.passed} passed, ${count.failed} failed\n`;
}
