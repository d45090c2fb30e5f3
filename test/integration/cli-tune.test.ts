// `lambda-workbench tune`: real environments at each size, progress on stderr, the table or one
// TuneResult on stdout, exit codes 0/1/2. Spawns the built dist/cli.js on test/fixtures/tune-project.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TuneResult } from '../../runtime-host/protocol/tune';

const CLI = join(__dirname, '../../dist/cli.js');
const PROJECT = join(__dirname, '../fixtures/tune-project');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--json: one TuneResult with every size, one cold run each apart from the measured runs', async () => {
  const run = await cli(['tune', 'CpuFunction', '--event', 'cpu-event.json', '--memory', '256,128', '--runs', '3', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trimEnd().split('\n').length, 1, 'one line');
  const result = JSON.parse(run.stdout) as TuneResult;
  assert.equal(result.functionName, 'CpuFunction');
  assert.equal(result.runsPerSize, 3);
  assert.deepEqual(
    result.sizes.map((s) => s.memorySizeMB),
    [128, 256],
  );
  for (const s of result.sizes) {
    assert.equal(s.runs, 3);
    assert.equal(s.error, undefined);
    assert.ok(s.cold && s.cold.initDurationMs! > 0, 'the cold run has an Init Duration');
    assert.ok(s.durationP50Ms > 0 && s.durationP50Ms <= s.durationP90Ms);
    assert.ok(s.billedDurationMs >= s.durationMinMs);
    assert.ok(s.costPerInvocationUsd.arm64 < s.costPerInvocationUsd.x86_64);
  }
  assert.ok(result.cheapestMemorySizeMB === 128 || result.cheapestMemorySizeMB === 256);
  assert.ok(result.fastestMemorySizeMB === 128 || result.fastestMemorySizeMB === 256);
  assert.match(result.note, /this machine/);
  // Progress: one line per invocation, 2 sizes × (1 cold + 3).
  const progress = run.stderr.split('\n').filter((l) => /^tune: \[\d+\/8\]/.test(l));
  assert.equal(progress.length, 8, run.stderr);
  assert.match(progress[0]!, /^tune: \[1\/8\] 128 MB cold run: [\d.]+ ms$/);
  assert.match(progress[7]!, /^tune: \[8\/8\] 256 MB run 3\/3: [\d.]+ ms$/);
});

test('a size the function cannot run at is reported failed and never marked; the table marks the others', async () => {
  const run = await cli(['tune', 'HungryFunction', '--memory', '128,512', '--runs', '1']);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(
    lines.find((l) => l.startsWith('128 MB'))!,
    /failed: Runtime\.OutOfMemory$/,
  );
  assert.match(
    lines.find((l) => l.startsWith('512 MB'))!,
    /cheapest, fastest$/,
  );
  assert.match(run.stdout, /^note: Durations are measured on this machine/m);
});

test('a handler string works without a template function; every size failing exits 1', async () => {
  // A generous timeout: at 128 MB (7% of a core) reaching the limit may take seconds on a machine slow at page faults.
  const run = await cli(['tune', 'hungry.handler', '--root', 'src', '--memory', '128', '--runs', '1', '--timeout', '60', '--json']);
  assert.equal(run.code, 1, run.stderr);
  const result = JSON.parse(run.stdout) as TuneResult;
  assert.equal(result.functionName, 'hungry-handler');
  assert.equal(result.sizes[0]!.error?.errorType, 'Runtime.OutOfMemory');
  assert.equal(result.cheapestMemorySizeMB, undefined);
});

test('usage errors exit 2 with one line: sizes out of range, bad lists, unknown functions', async () => {
  for (const [args, message] of [
    [['tune', 'CpuFunction', '--memory', '64,128'], /--memory: memory size 64 is out of range \(Lambda accepts whole MB from 128 to 10240\)/],
    [['tune', 'CpuFunction', '--memory', '128;256'], /--memory takes sizes in MB separated by commas/],
    [['tune', 'CpuFunction', '--runs', '0'], /--runs must be a whole number from 1 to 100/],
    [['tune', 'NoSuchFunction'], /'NoSuchFunction' is neither a function of the template nor a handler string \(functions: CpuFunction, /],
    [['tune'], /missing <handler\|function>/],
  ] as const) {
    const run = await cli([...args]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
});
