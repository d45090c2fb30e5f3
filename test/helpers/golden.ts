// The one golden-file check. A golden file holds an exact output format (REPORT lines, event shapes,
// HTTP mappings) so a change to it shows in review. On a mismatch the output is written next to the
// golden as `<golden>.actual` (git-ignored) to diff; `UPDATE_GOLDEN=1` re-blesses every golden the run
// touches. A missing golden FAILS (with the output in `.actual`): a test never passes by writing its own.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const GOLDEN_DIR = join(__dirname, '..', 'fixtures', 'golden');

/** Text as stored: strings as they are, anything else as 2-space JSON with a final newline. */
export function goldenText(actual: unknown): string {
  return typeof actual === 'string' ? actual : `${JSON.stringify(actual, null, 2)}\n`;
}

/** Compares `actual` with the golden file `file` (absolute, or relative to test/fixtures/golden). */
export function assertGolden(file: string, actual: unknown): void {
  const path = file.startsWith('/') ? file : join(GOLDEN_DIR, file);
  const text = goldenText(actual);
  const actualPath = `${path}.actual`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    rmSync(actualPath, { force: true });
    return;
  }
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(actualPath, text);
    assert.fail(`golden file ${path} is missing; the output is in ${actualPath}: review it, then rerun with UPDATE_GOLDEN=1`);
  }
  const expected = readFileSync(path, 'utf8');
  if (text === expected) {
    rmSync(actualPath, { force: true });
    return;
  }
  writeFileSync(actualPath, text);
  assert.equal(text, expected, `${path} differs from the output (written to ${actualPath}); rerun with UPDATE_GOLDEN=1 if the change is intended`);
}
