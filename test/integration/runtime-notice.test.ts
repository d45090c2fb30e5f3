// The interpreter that runs a function is named when it is not the runtime's version: nodejs22.x on the
// local Node 20, python3.13 on the local Python 3.11 — one host notice per function, and on every record.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { fixtureFunction } from './runtime-helpers';

const PYTHON_BASIC = join(__dirname, '../fixtures/python/basic');

const warnings: string[] = [];
const invoker = new LambdaInvoker({ hostLog: (level, message) => (level === 'warn' ? warnings.push(message) : undefined) });
after(() => invoker.shutdown());

// A runtime the template named (a bare handler's runtime is the host's own guess: no notice for it).
const fromTemplate = { kind: 'template' as const, templatePath: '/tmp/template.yaml' };
const nodeMajor = process.versions.node.split('.')[0]!;
const otherMajor = nodeMajor === '22' ? '20' : '22';

test(`nodejs${otherMajor}.x on the local Node ${nodeMajor}: one notice, on every record of it`, async () => {
  const fn = { ...fixtureFunction('basic/app.handler', { name: 'other-node', runtime: `nodejs${otherMajor}.x` }), origin: fromTemplate };
  const first = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  invoker.retire(fn.name);
  const second = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(first.status, 'success');
  assert.equal(second.cold, true, 'a new environment');
  assert.match(first.runtimeNotice ?? '', new RegExp(`^nodejs${otherMajor}\\.x runs on the local node ${process.versions.node}, not node ${otherMajor}`));
  assert.equal(second.runtimeNotice, first.runtimeNotice);
  assert.equal(warnings.filter((w) => w.startsWith(`nodejs${otherMajor}.x`)).length, 1, warnings.join('\n'));
});

test(`nodejs${nodeMajor}.x on Node ${nodeMajor}: nothing to say`, async () => {
  const record = await invoker.invoke({
    fn: { ...fixtureFunction('basic/app.handler', { name: 'same-node', runtime: `nodejs${nodeMajor}.x` }), origin: fromTemplate },
    event: {},
    trigger: 'manual',
  });
  assert.equal(record.status, 'success');
  assert.equal(record.runtimeNotice, undefined);
});

test('a Python interpreter that cannot import boto3 is named once, with how to get it; one that can is not', async () => {
  // `python3 -S` skips site-packages, where boto3 lives: an interpreter without it.
  const dir = mkdtempSync(join(tmpdir(), 'lw-nob3-'));
  const bare = join(dir, 'python-without-boto3');
  writeFileSync(bare, '#!/bin/sh\nexec python3 -S "$@"\n', { mode: 0o755 });
  const without = new LambdaInvoker({ pythonPath: bare, hostLog: (level, message) => (level === 'warn' ? warnings.push(message) : undefined) });
  try {
    // python3.99 is on no PATH, so the pythonPath setting is what runs it (and the version differs: both notices).
    const fn = { ...functionFromHandler({ handler: 'app.handler', root: PYTHON_BASIC, runtime: 'python3.99', name: 'no-boto3' }), origin: fromTemplate };
    const record = await without.invoke({ fn, event: {}, trigger: 'manual' });
    assert.equal(record.status, 'success', JSON.stringify(record.error));
    assert.match(record.runtimeNotice ?? '', /python3\.99 on Lambda can import boto3 \(the runtime ships it\), but .*python-without-boto3 cannot: install it/);
    assert.equal(warnings.filter((w) => w.includes('python-without-boto3 cannot')).length, 1);
  } finally {
    await without.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
  const withBoto3 = await invoker.invoke({
    fn: { ...functionFromHandler({ handler: 'app.handler', root: PYTHON_BASIC, runtime: 'python3.99', name: 'has-boto3' }), origin: fromTemplate },
    event: {},
    trigger: 'manual',
  });
  assert.equal(withBoto3.status, 'success');
  assert.doesNotMatch(withBoto3.runtimeNotice ?? '', /boto3/);
});
