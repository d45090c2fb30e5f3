#!/usr/bin/env node
// `npm run package [-- --target linux-x64 …] [--out DIR] [--no-build]`: the .vsix, staged in a scratch
// folder with only what the installed extension runs, then packed by vsce.
//
// TypeScript handlers are compiled by esbuild at run time. Its native binary is over 10 MB (4.4 MB
// deflated) for each platform — and esbuild's install step copies it a second time over its `bin/` shim,
// which is what made the .vsix 9.3 MB. The .vsix carries esbuild-wasm instead, of the same version: one
// package for every platform, its esbuild.wasm brotli-compressed (2.3 MB) and unpacked on first use
// (runtime-host/runtime/typescript-compiler.ts). A checkout or an npm install of the CLI keeps using the
// native esbuild. esbuild-wasm is fetched once with `npm pack` (the ordinary npm client) into .cache/.
//
// Runtime packages the bundles load from node_modules are listed in RUNTIME_PACKAGES (with their
// production dependencies); with --target, prebuilt native modules (`prebuilds/<platform>`, in such a
// package or copied into dist/ like LevelDB's for DynamoDB) are kept for that target only.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'linux-armhf', 'alpine-x64', 'alpine-arm64', 'darwin-x64', 'darwin-arm64'];
/** Packages the bundles `require` at run time (external to dist/*.js), copied with their production dependencies. */
const RUNTIME_PACKAGES = [];
/** Files of esbuild-wasm its Node API needs (the browser build and the types stay out). */
const ESBUILD_WASM_FILES = ['package.json', 'LICENSE.md', 'lib/main.js', 'bin/esbuild', 'wasm_exec.js', 'wasm_exec_node.js'];

function usage(message) {
  console.error(`package: ${message}\nusage: node scripts/package.mjs [--target ${TARGETS.join('|')}|--all]... [--out DIR] [--no-build]`);
  process.exit(2);
}

function parse(argv) {
  const opts = { targets: [], out: root, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') {
      const t = argv[++i];
      if (!TARGETS.includes(t)) usage(`unknown target '${t}'`);
      opts.targets.push(t);
    } else if (a === '--all') opts.targets.push(...TARGETS);
    else if (a === '--out') opts.out = resolve(argv[++i] ?? usage('--out needs a folder'));
    else if (a === '--no-build') opts.build = false;
    else usage(`unknown argument '${a}'`);
  }
  return opts;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** esbuild-wasm of the installed esbuild's version, its wasm brotli-compressed, cached in .cache/ (shared by worktrees). */
function esbuildWasm() {
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  const dir = join(root, '.cache', `esbuild-wasm-${version}`);
  if (existsSync(join(dir, 'esbuild.wasm.br'))) return dir;
  console.error(`package: fetching esbuild-wasm@${version} and compressing its wasm (once; about a minute)`);
  const scratch = mkdtempSync(join(tmpdir(), 'lwb-esbuild-wasm-'));
  try {
    const tarball = run('npm', ['pack', `esbuild-wasm@${version}`, '--pack-destination', scratch, '--silent'], { cwd: scratch })
      .trim()
      .split('\n')
      .pop();
    run('tar', ['xzf', join(scratch, tarball), '-C', scratch]);
    const pkg = join(scratch, 'package');
    const partial = join(scratch, 'out');
    for (const f of ESBUILD_WASM_FILES) {
      mkdirSync(dirname(join(partial, f)), { recursive: true });
      cpSync(join(pkg, f), join(partial, f));
    }
    const wasm = readFileSync(join(pkg, 'esbuild.wasm'));
    const packed = brotliCompressSync(wasm, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
    });
    writeFileSync(join(partial, 'esbuild.wasm.br'), packed);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(partial, dir);
    } catch (err) {
      if (!existsSync(join(dir, 'esbuild.wasm.br'))) throw err;
    }
    return dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A package and its production dependencies, resolved as Node would from the repository's node_modules. */
function dependencyClosure(names) {
  const out = new Map();
  const visit = (name, from) => {
    let dir = from;
    let found;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        found = candidate;
        break;
      }
      if (dir === root || dir === dirname(dir)) break;
      dir = dirname(dir);
    }
    if (!found) throw new Error(`runtime package ${name} is not installed (npm install)`);
    if (out.has(found)) return;
    out.set(found, name);
    const pkg = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, found);
  };
  for (const n of names) visit(n, root);
  return [...out.keys()];
}

/** For a path's segments: false when it is a native prebuild (`…/prebuilds/<os>-<arch>[+<arch>]/…`) of another platform than the target. */
function forTarget(segments, target) {
  const i = segments.indexOf('prebuilds');
  if (!target || i < 0 || i + 1 >= segments.length) return true;
  const [os, arch] = target
    .replace(/^alpine/, 'linux')
    .replace(/armhf$/, 'arm')
    .split('-');
  const dir = segments[i + 1];
  return (
    dir.startsWith(`${os}-`) &&
    dir
      .slice(os.length + 1)
      .split('+')
      .includes(arch)
  );
}

function copyPackage(from, to, target) {
  cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = relative(from, src).split(/[\\/]/);
      return rel[0] !== 'node_modules' && forTarget(rel, target);
    },
  });
}

function stage(target, wasmDir) {
  const dir = mkdtempSync(join(tmpdir(), `lwb-vsix-stage-${target ?? 'universal'}-`));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The installed extension runs the bundles: no install scripts; its dependencies are what node_modules/
  // holds (everything else is bundled into dist/), so vsce's `npm list --production` finds exactly those.
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.optionalDependencies;
  delete pkg.allowScripts;
  const installedVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  pkg.dependencies = {
    'esbuild-wasm': JSON.parse(readFileSync(join(wasmDir, 'package.json'), 'utf8')).version,
    ...Object.fromEntries(RUNTIME_PACKAGES.map((n) => [n, installedVersion(n)])),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(dir, f));
  for (const f of existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.png')) : []) {
    mkdirSync(join(dir, 'docs'), { recursive: true });
    cpSync(join(root, 'docs', f), join(dir, 'docs', f));
  }
  // dist/ without the test bundles, without source maps (nothing loads them at run time; they are a third of the
  // size) and without this machine's V8 code cache (runtime-host/launcher.ts makes one where the extension runs);
  // with --target, native prebuilds copied into dist/ (LevelDB's, for DynamoDB) for that platform only.
  cpSync(join(root, 'dist'), join(dir, 'dist'), {
    recursive: true,
    filter: (src) => {
      const rel = relative(join(root, 'dist'), src).split(/[\\/]/);
      return rel[0] !== 'test' && !src.endsWith('.map') && !src.endsWith('.cache') && forTarget(rel, target);
    },
  });
  for (const f of [...ESBUILD_WASM_FILES, 'esbuild.wasm.br']) {
    mkdirSync(dirname(join(dir, 'node_modules', 'esbuild-wasm', f)), { recursive: true });
    cpSync(join(wasmDir, f), join(dir, 'node_modules', 'esbuild-wasm', f));
  }
  for (const from of dependencyClosure(RUNTIME_PACKAGES)) copyPackage(from, join(dir, relative(root, from)), target);
  return dir;
}

function main() {
  const opts = parse(process.argv.slice(2));
  if (opts.build) run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const wasmDir = esbuildWasm();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(opts.out, { recursive: true });
  for (const target of opts.targets.length ? opts.targets : [undefined]) {
    const dir = stage(target, wasmDir);
    try {
      const file = join(opts.out, `${pkg.name}-${pkg.version}${target ? `@${target}` : ''}.vsix`);
      run(
        join(root, 'node_modules', '.bin', 'vsce'),
        ['package', '--no-yarn', '--allow-missing-repository', '--no-rewrite-relative-links', ...(target ? ['--target', target] : []), '-o', file],
        { cwd: dir },
      );
      console.log(`${file} ${(statSync(file).size / 1024 / 1024).toFixed(2)} MB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

try {
  main();
} catch (err) {
  console.error(`package: ${err.message}`);
  process.exit(1);
}
