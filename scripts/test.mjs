#!/usr/bin/env node
// `npm test`: system packages (idempotent), optional native dev tools, build, then every test file
// under test/ in one node:test run. `node scripts/test.mjs unit|integration|e2e|vscode [more…]` narrows it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const groups = ['unit', 'integration', 'e2e', 'vscode'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const fileFilters = wanted.filter((a) => !groups.includes(a));
const chosenGroups = wanted.filter((a) => groups.includes(a));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`test: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

run('bash', ['scripts/setup-system.sh']);

// aws-lambda-ric is an optional dependency: its native build needs autotools, which setup-system
// installs; on a machine where `npm install` ran before that, install it now.
if (!existsSync(join(root, 'node_modules/aws-lambda-ric/dist/rapid-client.node'))) {
  console.error('test: building aws-lambda-ric (optional dependency, native build, ~2 min)…');
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'aws-lambda-ric@3.3.0']);
}

// The guard rails: a type error, a lint finding or an unformatted file fails `npm test` (and so CI).
// Skipped when the run is narrowed to some files, so one test can be rerun quickly while working.
if (wanted.length === 0 || process.argv.includes('--checks')) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  run(bin('tsc'), ['-p', '.', '--noEmit']);
  run(bin('eslint'), ['.', '--max-warnings', '0']);
  run(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
}

run(process.execPath, ['scripts/build.mjs', '--quiet']);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    // test/vscode/suite*/*.test.ts are mocha suites that run inside VS Code's extension host (test/vscode/vscode.test.ts and debuggers.test.ts run them).
    if (/^suite(-|$)/.test(name) && relative(root, dir) === join('test', 'vscode')) continue;
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

let files = (chosenGroups.length ? chosenGroups : groups).flatMap((g) => testFiles(join(root, 'test', g)));
if (fileFilters.length) files = files.filter((f) => fileFilters.some((x) => relative(root, f).includes(x)));
if (files.length === 0) {
  console.error('test: no test files matched');
  process.exit(1);
}

// The real-VS-Code tests need the VS Code server (npm package code-server, ~2 min once, then cached in
// .cache/vscode-server): install it up front so its time is not taken out of a test's timeout.
if (files.some((f) => relative(root, f).startsWith(join('test', 'vscode')))) {
  run(process.execPath, [join(root, 'scripts', 'setup-vscode.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Files run in parallel processes; TEST_CONCURRENCY overrides how many at once (1 = one after another).
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
run(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'test-durations.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files.map((f) => relative(root, f)),
  ],
  {
    env: {
      ...process.env,
      LAMBDA_WORKBENCH_TEST: '1',
      LAMBDA_WORKBENCH_TEST_CONCURRENCY: concurrency,
      // Tests never install the runtime SDK into the user's cache; the tests of it choose their own folder.
      LAMBDA_WORKBENCH_RUNTIME_SDK: process.env.LAMBDA_WORKBENCH_RUNTIME_SDK ?? 'off',
    },
  },
);
