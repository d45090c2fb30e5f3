// Which esbuild compiles TypeScript handlers (lambda-behaviour §1 Decision): the native one installed
// next to the host (npm install, a checkout), else the WebAssembly build the .vsix carries — one package
// for every platform, its esbuild.wasm brotli-compressed to keep the .vsix small (scripts/package.mjs) and
// unpacked once per version into the user's cache. Both are the same esbuild version and compile alike.
// The WebAssembly compiler needs about 100 MB more than a function of 128 MB has, so with it the host
// compiles a function's TypeScript before its environment starts (into the cache the bootstrap reads),
// outside the environment's memory.
import { brotliDecompressSync } from 'node:zlib';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { cachedOutputPath, packageTypeIsModule, transformOptions } from './node-bootstrap/ts-compile';

export const PACKED_WASM = 'esbuild.wasm.br';

let resolved: { dir: string; wasm: boolean } | undefined;

/** The folder of the esbuild package the Node bootstrap `require`s to compile TypeScript. */
export function esbuildPackageDir(env: NodeJS.ProcessEnv = process.env): string {
  return esbuildPackage(env).dir;
}

function esbuildPackage(env: NodeJS.ProcessEnv): { dir: string; wasm: boolean } {
  resolved ??= findEsbuild(env);
  return resolved;
}

function findEsbuild(env: NodeJS.ProcessEnv): { dir: string; wasm: boolean } {
  try {
    return { dir: dirname(require.resolve('esbuild/package.json')), wasm: false };
  } catch {
    // not installed beside the host: the .vsix's WebAssembly build
  }
  const wasm = dirname(require.resolve('esbuild-wasm/package.json'));
  const cacheRoot = join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'lambda-workbench');
  return { dir: existsSync(join(wasm, 'esbuild.wasm')) ? wasm : unpackWasm(wasm, cacheRoot), wasm: true };
}

interface AsyncEsbuild {
  version: string;
  transform(input: string, options: ReturnType<typeof transformOptions>): Promise<{ code: string }>;
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.aws-sam', 'cdk.out', 'dist', 'build', 'coverage']);
const MAX_PRECOMPILED_FILES = 1000;

/** The TypeScript files under a task root (dependencies, build output and dot folders left out). */
function typeScriptFiles(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (out.length >= MAX_PRECOMPILED_FILES) break;
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name)) typeScriptFiles(join(dir, e.name), out);
    } else if (/\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(join(dir, e.name));
  }
  return out;
}

/**
 * With the WebAssembly compiler: compiles the task root's TypeScript into the bootstrap's cache (the
 * format the bootstrap will ask for, the function's Node major as target) before the environment starts.
 * A file already compiled is only hashed. With the native esbuild the bootstrap compiles as it loads.
 */
export async function precompileTypeScript(codeUri: string, nodeVersion: string, cacheDir: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const pkg = esbuildPackage(env);
  if (!pkg.wasm) return 0;
  const files = typeScriptFiles(codeUri);
  if (files.length === 0) return 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require(pkg.dir) as AsyncEsbuild;
  const target = `node${nodeVersion.split('.')[0]}`;
  let compiled = 0;
  for (const file of files) {
    const ext = extname(file);
    const format = ext === '.mts' || (ext === '.ts' && packageTypeIsModule(dirname(file))) ? 'esm' : 'cjs';
    const source = readFileSync(file, 'utf8');
    const out = cachedOutputPath(cacheDir, esbuild.version, target, format, file, source);
    if (existsSync(out)) continue;
    let code: string;
    try {
      code = (await esbuild.transform(source, transformOptions(file, format, target))).code;
    } catch {
      continue; // a syntax error: the bootstrap compiles it as it loads and reports it as Lambda would
    }
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, out);
    compiled++;
  }
  return compiled;
}

/**
 * Copies the esbuild-wasm package into `<cacheRoot>/esbuild-wasm-<version>/` with its wasm decompressed
 * (about 50 ms, once per version and machine). Hosts racing to do it each build a folder of their own
 * and rename it into place; the first wins.
 */
export function unpackWasm(packageDir: string, cacheRoot: string): string {
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const target = join(cacheRoot, `esbuild-wasm-${version}`);
  if (existsSync(join(target, 'esbuild.wasm'))) return target;
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(cacheRoot, { recursive: true });
  cpSync(packageDir, partial, { recursive: true, filter: (src) => !src.endsWith(PACKED_WASM) });
  writeFileSync(join(partial, 'esbuild.wasm'), brotliDecompressSync(readFileSync(join(packageDir, PACKED_WASM))));
  try {
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(target, 'esbuild.wasm'))) throw err;
  }
  return target;
}
