#!/usr/bin/env node
// Installs a real VS Code server (the one inside the `code-server` npm package) into a git-ignored cache,
// once: `node scripts/setup-vscode.mjs [--force]`. Prints the VS Code folder (…/lib/vscode) on stdout,
// progress on stderr. Why this way and not @vscode/test-electron: these machines reach only the npm
// registry and Debian's packages (see shared/spec/real-vscode-testing.md).
//
// code-server's own postinstall refuses to run as root and downloads ripgrep from the internet, so it is
// installed with --ignore-scripts and the few steps it would do are done here by hand.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = process.env.LAMBDA_WORKBENCH_VSCODE_CACHE ?? join(root, '.cache', 'vscode-server');
const vscodeSubdir = join('node_modules', 'code-server', 'lib', 'vscode');
export const vscodeDir = join(cacheDir, vscodeSubdir);
// Native modules are built for one Node ABI: a different Node needs a fresh install.
const markerName = `.installed-${CODE_SERVER_VERSION}-node${process.versions.modules}`;

// Native modules of the server; node-gyp builds them against the system Node's headers.
const NATIVE_MODULES = ['kerberos', 'node-pty', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'];

function log(msg) {
  process.stderr.write(`setup-vscode: ${msg}\n`);
}

class SetupError extends Error {}

function run(cmd, args, cwd, what) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    // npm lifecycle noise and node-gyp's compiler output would drown the progress lines; keep them for errors.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new SetupError(`${what} failed (${cmd} ${args.join(' ')} in ${cwd}, exit ${r.status ?? r.signal})\n${tail}`);
  }
  log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return r.stdout;
}

/** The node-gyp that ships with npm: works offline with --nodedir pointing at the system headers. */
function nodeGyp() {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new SetupError(`node-gyp not found (looked in ${candidates.join(', ')}); install npm with its bundled node-gyp`);
  return found;
}

/** Headers for node-gyp: the Debian layout keeps them in /usr/include/node, which `--nodedir=/usr` finds. */
function nodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr', '/usr/local']) {
    if (existsSync(join(dir, 'include', 'node', 'node_version.h'))) return dir;
  }
  throw new SetupError('Node headers not found (no include/node/node_version.h next to node, in /usr or /usr/local); on Debian: apt-get install libnode-dev');
}

function checkSystem() {
  const missing = [];
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' });
  if (rg.status !== 0) missing.push('ripgrep');
  if (missing.length) throw new SetupError(`missing Debian packages: ${missing.join(' ')} — run: bash scripts/setup-system.sh`);
  return rg.stdout.trim();
}

function symlinkForce(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing there yet
  }
  symlinkSync(target, path);
}

function isInstalled(dir) {
  return existsSync(join(dir, markerName)) && existsSync(join(dir, vscodeSubdir, 'out', 'server-main.js'));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One installer at a time (test files and developers may call this at once): a lock folder holding the
 * owner's pid; a lock whose owner died is taken over.
 */
function withLock(fn) {
  const lock = `${cacheDir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the owner is between mkdir and writing its pid, or just released the lock
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        log(`taking over the lock of ended process ${owner}`);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new SetupError(`${lock} is held by process ${owner} for over 20 minutes; remove it if that process is gone`);
      if (!told) log(`waiting for another install (process ${owner})…`);
      told = true;
      sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function setupVscode({ force = false } = {}) {
  if (!force && isInstalled(cacheDir)) return vscodeDir;
  return withLock(() => {
    // Someone else may have finished while we waited for the lock.
    if (!force && isInstalled(cacheDir)) return vscodeDir;
    // Built in a folder of its own and renamed into place when complete, so a reader never sees half an install.
    const partial = `${cacheDir}.partial-${process.pid}`;
    // Holding the lock, any other partial folder is the leftover of an install that was killed.
    const prefix = `${basename(cacheDir)}.partial-`;
    for (const name of readdirSync(dirname(cacheDir))) if (name.startsWith(prefix)) rmSync(join(dirname(cacheDir), name), { recursive: true, force: true });
    install(partial);
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(partial, cacheDir);
    return vscodeDir;
  });
}

function install(dir) {
  const started = Date.now();
  const rgPath = checkSystem();
  const gyp = nodeGyp();
  const nodedir = nodeDir();
  const vsDir = join(dir, vscodeSubdir);
  log(`installing VS Code server from code-server@${CODE_SERVER_VERSION} into ${cacheDir} (about two minutes, once)`);
  mkdirSync(dir, { recursive: true });
  // A package.json of its own so npm treats the cache as a project and never walks up into the repo.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vscode-server-cache', private: true }, null, 2));
  run(
    'npm',
    ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`, '--prefix', dir],
    dir,
    `npm install code-server@${CODE_SERVER_VERSION}`,
  );
  if (!existsSync(join(vsDir, 'package.json'))) throw new SetupError(`code-server@${CODE_SERVER_VERSION} has no lib/vscode — the package layout changed`);

  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vsDir, 'npm install (lib/vscode)');

  for (const mod of NATIVE_MODULES) {
    const modDir = join(vsDir, 'node_modules', mod);
    if (!existsSync(modDir)) throw new SetupError(`native module ${mod} is missing from lib/vscode/node_modules`);
    // `npm rebuild` would also build them, but node-pty's post-install then exits non-zero although pty.node was built.
    run(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=max'], modDir, `node-gyp rebuild ${mod}`);
  }

  // Search needs ripgrep; the package would download it, we use Debian's.
  const rgBin = join(vsDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  symlinkForce(rgPath, join(rgBin, 'rg'));
  // The server loads some modules through node_modules.asar; the unpacked folder serves as well.
  symlinkForce('node_modules', join(vsDir, 'node_modules.asar'));

  run('npm', ['install', '--omit=dev', '--no-package-lock'], join(vsDir, 'extensions'), 'npm install (lib/vscode/extensions)');

  const product = JSON.parse(readFileSync(join(vsDir, 'product.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(vsDir, 'package.json'), 'utf8'));
  writeFileSync(
    join(dir, markerName),
    JSON.stringify({ codeServer: CODE_SERVER_VERSION, vscode: pkg.version, commit: product.commit, node: process.version }, null, 2),
  );
  log(
    `VS Code ${pkg.version} server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${readdirSync(join(vsDir, 'extensions')).length} built-in extension folders)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const dir = setupVscode({ force: process.argv.includes('--force') });
    process.stdout.write(`${dir}\n`);
  } catch (err) {
    log(err instanceof SetupError ? err.message : `unexpected failure: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  }
}
