// The `lambda-workbench invoke` CLI contract, exactly: flags, stdout/stderr split,
// the --json object, exit codes 0/1/2 and one-line usage errors. Spawns the built dist/cli.js.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, CORE_FIXTURES, REPORT, UUID, waitFor } from './runtime-helpers';

const CLI = join(__dirname, '../../dist/cli.js');
const EXAMPLE = join(__dirname, '../../examples/hello-s3');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? CORE_FIXTURES, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

test('success: the result on stdout, the log lines on stderr, exit 0', async () => {
  const run = await cli(['invoke', 'app.handler', '--root', EXAMPLE, '--event', join(EXAMPLE, 'events/s3-put.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    processed: 1,
    totalBytes: 1024,
    objects: [{ bucket: 'example-bucket', key: 'photos/summer 2024/beach.jpg', size: 1024, eventName: 'ObjectCreated:Put' }],
    remainingMs: true,
  });
  assert.equal(run.stdout.split('\n').length, 2, 'one line and its newline');
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  assert.match(lines[0]!, /^INIT_START /);
  const start = lines.findIndex((l) => l.startsWith('START RequestId: '));
  const id = /^START RequestId: (\S+) Version: \$LATEST$/.exec(lines[start]!)![1]!;
  assert.match(id, UUID);
  assert.match(lines[start + 1]!, new RegExp(`\\t${id}\\tINFO\\treceived 1 S3 record\\(s\\) in app-handler$`));
  assert.equal(lines.at(-2), `END RequestId: ${id}`);
  const report = REPORT.exec(lines.at(-1)!);
  assert.ok(report);
  assert.ok(report[7], 'a cold start shows Init Duration');
});

test('--json: exactly one JSON object with the contract fields', async () => {
  const run = await cli(['invoke', 'basic/app.echo', '--event', '-', '--json', '--memory', '256', '--timeout', '5', '--name', 'echoer'], {
    stdin: '{"hello":"world"}',
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const out = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(out), ['requestId', 'functionName', 'cold', 'result', 'logs', 'report']);
  assert.match(out.requestId, UUID);
  assert.equal(out.functionName, 'echoer');
  assert.equal(out.cold, true);
  assert.deepEqual(out.result, { hello: 'world' });
  assert.equal(out.logs.at(-2), `END RequestId: ${out.requestId}`);
  assert.ok(out.logs.includes(`START RequestId: ${out.requestId} Version: $LATEST`));
  const report = REPORT.exec(out.logs.at(-1));
  assert.ok(report);
  assert.deepEqual(Object.keys(out.report), ['durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'status']);
  assert.equal(out.report.durationMs, Number(report[2]));
  assert.equal(out.report.billedDurationMs, Number(report[3]));
  assert.equal(out.report.memorySizeMB, 256);
  assert.equal(out.report.maxMemoryUsedMB, Number(report[5]));
  assert.equal(out.report.initDurationMs, Number(report[7]));
  assert.equal(out.report.status, 'success');
});

test('a function error: the error JSON on stdout, exit 1; --json carries error and report.errorType', async () => {
  const text = await cli(['invoke', 'basic/app.fail']);
  assert.equal(text.code, 1);
  const error = JSON.parse(text.stdout);
  assert.deepEqual(Object.keys(error), ['errorType', 'errorMessage', 'trace']);
  assert.equal(error.errorType, 'TypeError');
  assert.equal(error.errorMessage, 'bad input');
  assert.match(text.stderr, /\tStatus: error\tError Type: TypeError\n$/);

  const json = await cli(['invoke', 'basic/app.fail', '--json']);
  assert.equal(json.code, 1);
  const out = JSON.parse(json.stdout);
  assert.equal('result' in out, false);
  assert.equal(out.error.errorType, 'TypeError');
  assert.ok(Array.isArray(out.error.trace) && out.error.trace[0] === 'TypeError: bad input');
  assert.equal(out.report.status, 'error');
  assert.equal(out.report.errorType, 'TypeError');
});

test('a timeout: exit 1, report.status timeout, and no process is left behind', async () => {
  const run = await cli(['invoke', 'basic/app.spawnAndHang', '--timeout', '1', '--json']);
  assert.equal(run.code, 1);
  const out = JSON.parse(run.stdout);
  assert.equal(out.report.status, 'timeout');
  assert.equal(out.report.errorType, 'Sandbox.Timedout');
  assert.equal(out.error.errorMessage, `RequestId: ${out.requestId} Error: Task timed out after 1.00 seconds`);
  const childPid = Number(/child (\d+)$/.exec(out.logs.find((l: string) => /\tchild \d+$/.test(l)))![1]);
  await waitFor(() => !alive(childPid), 'the spawned child to be gone');
});

test('--env KEY=VALUE reaches the function; the environment is gone when the CLI exits', async () => {
  const run = await cli(['invoke', 'basic/app.env', '--env', 'MY_A=1', '--env', 'MY_B=x=y', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.result.env.MY_A, '1');
  assert.equal(out.result.env.MY_B, 'x=y');
  assert.equal(out.functionName, 'app-env');
  const pid = await cli(['invoke', 'basic/app.handler', '--json']);
  const envPid = JSON.parse(pid.stdout).result.pid as number;
  await waitFor(() => !alive(envPid), 'the environment to be gone');
});

test('usage errors: exit 2, one line on stderr saying what is wrong and what is allowed, nothing on stdout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-cli-'));
  writeFileSync(join(dir, 'bad.json'), '{"not": json');
  const cases: [string[], RegExp][] = [
    [['invoke', 'basic/app.echo', '--bogus'], /Unknown option '--bogus'.*usage: lambda-workbench invoke <handler>/],
    [['invoke', 'basic/app.echo', '--memory', '64'], /--memory must be a whole number from 128 to 10240, got '64'/],
    [['invoke', 'basic/app.echo', '--memory', '10241'], /--memory must be a whole number from 128 to 10240/],
    [['invoke', 'basic/app.echo', '--memory', 'lots'], /--memory must be a whole number from 128 to 10240/],
    [['invoke', 'basic/app.echo', '--timeout', '0'], /--timeout must be a whole number from 1 to 900, got '0'/],
    [['invoke', 'basic/app.echo', '--timeout', '901'], /--timeout must be a whole number from 1 to 900/],
    [['invoke', 'basic/app.echo', '--event', join(dir, 'missing.json')], /--event: event file '.*missing\.json' does not exist/],
    [['invoke', 'basic/app.echo', '--event', join(dir, 'bad.json')], /--event: event file '.*bad\.json' is not valid JSON/],
    [['invoke', 'basic/app.echo', '--env', 'NOEQUALS'], /--env takes KEY=VALUE, got 'NOEQUALS'/],
    [['invoke', 'basic/app.echo', '--env', 'AWS_REGION=eu-west-1'], /sets the reserved environment variable AWS_REGION: Lambda sets it itself/],
    [['invoke', 'basic/app.echo', '--root', join(dir, 'nope')], /--root: '.*nope' is not a directory/],
    [['invoke'], /missing <handler>/],
  ];
  for (const [args, message] of cases) {
    const run = await cli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '', args.join(' '));
    assert.match(run.stderr, /^lambda-workbench: [^\n]+\n$/, `one line for ${args.join(' ')}: ${JSON.stringify(run.stderr)}`);
    assert.match(run.stderr, message);
  }
});
