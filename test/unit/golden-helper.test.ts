// The golden-file helper itself: it must fail when the golden is missing or differs (leaving the output
// in `.actual`), pass and clean up when it matches, and re-bless only under UPDATE_GOLDEN=1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { assertGolden } from '../helpers/golden';

const dir = mkdtempSync(join(tmpdir(), 'golden-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const saved = process.env.UPDATE_GOLDEN;
afterEach(() => {
  if (saved === undefined) delete process.env.UPDATE_GOLDEN;
  else process.env.UPDATE_GOLDEN = saved;
});

describe('assertGolden', () => {
  it('fails when the golden file is missing, and leaves the output in .actual', () => {
    delete process.env.UPDATE_GOLDEN;
    const file = join(dir, 'missing.json');
    assert.throws(() => assertGolden(file, { a: 1 }), /golden file .*missing\.json is missing/);
    assert.equal(existsSync(file), false);
    assert.equal(readFileSync(`${file}.actual`, 'utf8'), '{\n  "a": 1\n}\n');
  });

  it('fails on a difference and writes .actual; a later match removes it', () => {
    delete process.env.UPDATE_GOLDEN;
    const file = join(dir, 'differs.txt');
    writeFileSync(file, 'expected\n');
    assert.throws(() => assertGolden(file, 'actual\n'), assert.AssertionError);
    assert.equal(readFileSync(`${file}.actual`, 'utf8'), 'actual\n');
    assertGolden(file, 'expected\n');
    assert.equal(existsSync(`${file}.actual`), false);
  });

  it('UPDATE_GOLDEN=1 re-blesses', () => {
    process.env.UPDATE_GOLDEN = '1';
    const file = join(dir, 'blessed', 'new.json');
    assertGolden(file, [1, 2]);
    assert.equal(readFileSync(file, 'utf8'), '[\n  1,\n  2\n]\n');
    delete process.env.UPDATE_GOLDEN;
    assertGolden(file, [1, 2]);
  });
});
