// The one JSON-lines reader: a missing file is empty, not corrupt; corrupt lines are skipped, counted
// and reported once; any other read failure is an error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readJsonLines } from '../../runtime-host/util/json-lines';

const dir = mkdtempSync(join(tmpdir(), 'json-lines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readJsonLines', () => {
  it('a missing file is an empty list and no warning', async () => {
    const warnings: string[] = [];
    assert.deepEqual(await readJsonLines(join(dir, 'absent.jsonl'), (m) => warnings.push(m)), []);
    assert.deepEqual(warnings, []);
  });

  it('skips corrupt lines, keeps the rest, and reports them once with their count', async () => {
    const file = join(dir, 'torn.jsonl');
    writeFileSync(file, '{"a":1}\nnot json\n\n{"a":2}\n{"a":3\n{"a":');
    const warnings: string[] = [];
    assert.deepEqual(await readJsonLines(file, (m) => warnings.push(m)), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(warnings, [`${file}: skipped 3 lines that are not valid JSON (first at line 2)`]);
  });

  it('a file it cannot read is an error, not an empty list', async () => {
    await assert.rejects(
      readJsonLines(dir, () => undefined),
      (err: NodeJS.ErrnoException) => err.code === 'EISDIR',
    );
  });
});
