// The .vsix's esbuild-wasm: its brotli-compressed wasm is unpacked once per version into the cache, next
// to a copy of the package (without the compressed file); a second host reuses it; racing hosts agree.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import { PACKED_WASM, unpackWasm } from '../../runtime-host/runtime/typescript-compiler';

const scratch = mkdtempSync(join(tmpdir(), 'lw-ts-compiler-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function packedPackage(version: string, wasm: Buffer): string {
  const dir = join(scratch, `pkg-${version}`);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'esbuild-wasm', version }));
  writeFileSync(join(dir, 'lib', 'main.js'), 'module.exports = {};');
  writeFileSync(join(dir, PACKED_WASM), brotliCompressSync(wasm));
  return dir;
}

test('unpacks into <cache>/esbuild-wasm-<version>/ once, with the wasm decompressed and the package beside it', () => {
  const wasm = Buffer.from('\0asm fake module '.repeat(1000));
  const pkg = packedPackage('1.2.3', wasm);
  const cache = join(scratch, 'cache');
  const dir = unpackWasm(pkg, cache);
  assert.equal(dir, join(cache, 'esbuild-wasm-1.2.3'));
  assert.deepEqual(readdirSync(dir).sort(), ['esbuild.wasm', 'lib', 'package.json']);
  assert.ok(readFileSync(join(dir, 'esbuild.wasm')).equals(wasm));
  assert.equal(readFileSync(join(dir, 'lib', 'main.js'), 'utf8'), 'module.exports = {};');
  // Already there: reused as it is (a marker written into it survives).
  writeFileSync(join(dir, 'marker'), '');
  assert.equal(unpackWasm(pkg, cache), dir);
  assert.ok(existsSync(join(dir, 'marker')));
  // A new version gets its own folder; no partial folders are left behind.
  assert.equal(unpackWasm(packedPackage('1.2.4', wasm), cache), join(cache, 'esbuild-wasm-1.2.4'));
  assert.deepEqual(readdirSync(cache).sort(), ['esbuild-wasm-1.2.3', 'esbuild-wasm-1.2.4']);
});
