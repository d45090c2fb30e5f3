// dist/cli.js: runs the CLI's bundle (dist/cli-bundle.js) through a V8 code cache kept beside it.
//
// Compiling the 1.5 MB bundle, and then each function it calls on the way to `serve`'s ready line, is a
// third of the host's start-up. V8 can skip both with the code it produced in an earlier run
// (`vm.Script`'s `cachedData`); Node 20 has no built-in module compile cache, so the bundle is wrapped
// here as Node's CommonJS loader would wrap it. Nothing about the cache may change what runs: V8 checks its
// own version, flags and the source's length, and this file checks the bundle's size and mtime (as
// Python does for its .pyc files), so a rebuilt bundle is compiled afresh. A cache that cannot be read
// or written is simply not used.
//
// The cache lives beside the bundle, so only whoever can change the code itself can change it: a folder
// other users can write to (the system's temporary folder) would let them choose the code that runs.
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

type ModuleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

const bundle = join(__dirname, 'cli-bundle.js');
// One file per V8 version: the extension's host may run on VS Code's own Node, a terminal's on another.
const cacheFile = join(__dirname, `cli-bundle.v8-${process.versions.v8}.cache`);
/** Written after this long, or at exit if sooner: late enough to hold what start-up compiled. */
const WRITE_AFTER_MS = 2_000;

function readBundle(): { source: string; key: string } {
  const fd = openSync(bundle, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    // The build keeps the bundle ASCII (scripts/build.mjs), which V8 holds as a one-byte string.
    return { source: buffer.toString('utf8', 0, read), key: `${size}:${mtimeMs}\n` };
  } finally {
    closeSync(fd);
  }
}

/** The cached code for this bundle, or undefined when there is none or it belongs to another build. */
function readCache(key: string): Buffer | undefined {
  try {
    const data = readFileSync(cacheFile);
    const header = Buffer.byteLength(key);
    return data.length > header && data.toString('latin1', 0, header) === key ? data.subarray(header) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(script: Script, key: string): void {
  // A rename, so a host starting meanwhile reads the old cache or the new one, never half of one.
  const partial = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(partial, Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()]), { mode: 0o644 });
    renameSync(partial, cacheFile);
  } catch {
    try {
      unlinkSync(partial);
    } catch {
      // nothing was written
    }
  }
}

const { source, key } = readBundle();
const cachedData = readCache(key);
const script = new Script(wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
if (!cachedData || script.cachedDataRejected) {
  let written = false;
  const write = (): void => {
    if (written) return;
    written = true;
    writeCache(script, key);
  };
  setTimeout(write, WRITE_AFTER_MS).unref();
  process.once('exit', write);
}
const moduleObject = { exports: {} };
(script.runInThisContext() as ModuleFunction)(moduleObject.exports, createRequire(bundle), moduleObject, bundle, __dirname);
