// INIT_START names what really runs the function locally, per runtime family (the exact format is
// in the golden file test/fixtures/golden/init-start.json; this checks the local versions are real).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { findPythonInterpreter } from '../../runtime-host/runtime/launch-python';

const fixtures = join(__dirname, '..', 'fixtures');
const invoker = new LambdaInvoker({ region: 'eu-west-1' });
after(() => invoker.shutdown());

test('python3.12: python:3.12.v<local major.minor>-local, the full local version in the ARN', { timeout: 120_000 }, async () => {
  const fn = { ...functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'python', 'basic'), name: 'py-init-start' }), runtime: 'python3.12' };
  const python = findPythonInterpreter('python3.12', {});
  const version = spawnSync(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).stdout.trim();
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.cold, true);
  assert.equal(
    record.logs[0],
    `INIT_START Runtime Version: python:3.12.v${version.split('.').slice(0, 2).join('.')}-local\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:lambda-workbench-local-python-${version}`,
  );
});

test('provided.al2023: provided:al2023.v<host OS>-local, no Node version anywhere', { timeout: 120_000 }, async () => {
  const fn = {
    ...functionFromHandler({ handler: 'function.handler', root: join(fixtures, 'provided', 'echo'), name: 'custom-init-start' }),
    runtime: 'provided.al2023',
  };
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(osRelease)![1]!;
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.cold, true);
  assert.equal(
    record.logs[0],
    `INIT_START Runtime Version: provided:al2023.v${field('ID')}${field('VERSION_ID')}-local\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:lambda-workbench-local-${field('ID')}-${field('VERSION_ID')}`,
  );
});

test('nodejs22.x: nodejs:22.v<local node major>-local, the full node version in the ARN', { timeout: 120_000 }, async () => {
  const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'handlers', 'cjs'), name: 'node-init-start' });
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(
    record.logs[0],
    `INIT_START Runtime Version: nodejs:22.v${process.versions.node.split('.')[0]}-local\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:lambda-workbench-local-node-${process.versions.node}`,
  );
});
