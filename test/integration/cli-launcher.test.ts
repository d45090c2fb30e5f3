// dist/cli.js runs the CLI's bundle through a V8 code cache kept beside it (runtime-host/launcher.ts).
// A copy of the built launcher runs a small bundle of the test's own in a temporary folder: the cache
// must be written, used again, and never run the code of a bundle that has changed since.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const LAUNCHER = join(__dirname, '..', '..', 'dist', 'cli.js');

/** A bundle whose answer comes from a function, so the cache holds that function's compiled code. */
const bundleSaying = (word: string): string => `function answer() { return ${JSON.stringify(word)}; }\nprocess.stdout.write(answer() + '\\n');\n`;

function setUp(): { dir: string; run: () => string; cacheFile: () => string | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'lw-launcher-'));
  copyFileSync(LAUNCHER, join(dir, 'cli.js'));
  const run = (): string => {
    const r = spawnSync(process.execPath, [join(dir, 'cli.js')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const cacheFile = (): string | undefined => {
    const name = readdirSync(dir).find((f) => f.endsWith('.cache'));
    return name && join(dir, name);
  };
  return { dir, run, cacheFile };
}

test('the launcher writes a code cache beside the bundle and runs from it the next time', () => {
  const { dir, run, cacheFile } = setUp();
  try {
    writeFileSync(join(dir, 'cli-bundle.js'), bundleSaying('one'));
    assert.equal(run(), 'one\n');
    const cache = cacheFile();
    assert.ok(cache, `a cache beside the bundle: ${readdirSync(dir).join(', ')}`);
    assert.match(cache, /cli-bundle\.v8-.+\.cache$/);
    const written = statSync(cache).mtimeMs;
    assert.equal(run(), 'one\n');
    assert.equal(statSync(cache).mtimeMs, written, 'a cache V8 accepted is not written again');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.cache.')),
      [],
      'no partial cache file is left behind',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rebuilt bundle of the same length runs its own code, not the cached code of the old one', () => {
  const { dir, run } = setUp();
  try {
    writeFileSync(join(dir, 'cli-bundle.js'), bundleSaying('one'));
    assert.equal(run(), 'one\n');
    // V8 checks a cache against the source's length only: this one has the same length.
    writeFileSync(join(dir, 'cli-bundle.js'), bundleSaying('two'));
    assert.equal(run(), 'two\n');
    assert.equal(run(), 'two\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged cache is not used, and is replaced', () => {
  const { dir, run, cacheFile } = setUp();
  try {
    writeFileSync(join(dir, 'cli-bundle.js'), bundleSaying('one'));
    assert.equal(run(), 'one\n');
    const cache = cacheFile()!;
    const { size, mtimeMs } = statSync(join(dir, 'cli-bundle.js'));
    writeFileSync(cache, Buffer.concat([Buffer.from(`${size}:${mtimeMs}\n`, 'latin1'), Buffer.alloc(4096, 0x5a)]));
    const damagedAt = statSync(cache).mtimeMs;
    assert.equal(run(), 'one\n');
    assert.notEqual(statSync(cache).mtimeMs, damagedAt, 'the rejected cache is written again');
    assert.equal(run(), 'one\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
