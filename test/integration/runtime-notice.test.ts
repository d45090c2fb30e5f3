// The interpreter that runs a function is named when it is not the runtime's version: nodejs22.x on the
// local Node 20, python3.13 on the local Python 3.11 — one host notice per function, and on every record.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { fixtureFunction } from './runtime-helpers';

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
