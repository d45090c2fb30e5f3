// Conformance: the official runtime interface client (npm aws-lambda-ric 3.3.0, unchanged) serves as
// an environment's runtime against our Runtime API — success, function error, warm reuse.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { fixtureFunction, REPORT } from './runtime-helpers';

const RIC = join(__dirname, '../../node_modules/aws-lambda-ric/bin/index.mjs');
const invoker = new LambdaInvoker({ nodeEntry: (fn) => [RIC, fn.handler] });
after(() => invoker.shutdown());

test('aws-lambda-ric is installed with its native client', () => {
  assert.ok(existsSync(RIC), 'node_modules/aws-lambda-ric (optional dependency; npm test installs it)');
  assert.ok(existsSync(join(__dirname, '../../node_modules/aws-lambda-ric/dist/rapid-client.node')));
});

test('aws-lambda-ric runs a handler: success, warm reuse with module state', async () => {
  const fn = fixtureFunction('basic/app.handler', { name: 'ric-ok' });
  const first = await invoker.invoke({ fn, event: { via: 'ric' }, trigger: 'manual' });
  assert.equal(first.status, 'success', JSON.stringify(first.error));
  assert.equal(first.cold, true);
  assert.equal((first.result as { invocations: number }).invocations, 1);
  // The RIC formats console lines itself: same shape as ours.
  assert.ok(first.logs.some((l) => new RegExp(`\\t${first.requestId}\\tINFO\\tevent \\{"via":"ric"\\}$`).test(l)));
  assert.equal(first.logs.at(-2), `END RequestId: ${first.requestId}`);
  assert.ok(REPORT.test(first.logs.at(-1)!));
  const second = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(second.cold, false);
  assert.equal((second.result as { invocations: number }).invocations, 2);
  assert.equal((second.result as { pid: number }).pid, (first.result as { pid: number }).pid);
});

test('aws-lambda-ric reports a function error through /invocation/{id}/error', async () => {
  const record = await invoker.invoke({ fn: fixtureFunction('basic/app.fail', { name: 'ric-fail' }), event: {}, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.equal(record.error?.errorType, 'TypeError');
  assert.equal(record.error?.errorMessage, 'bad input');
  assert.equal(record.error?.trace[0], 'TypeError: bad input');
  assert.match(record.logs.at(-1)!, /\tStatus: error\tError Type: TypeError$/);
});

test('aws-lambda-ric reports an init error through /init/error', async () => {
  const record = await invoker.invoke({ fn: fixtureFunction('init-error/app.handler', { name: 'ric-init' }), event: {}, trigger: 'manual' });
  assert.equal(record.status, 'error');
  assert.equal(record.error?.errorType, 'Runtime.ImportModuleError');
  assert.ok(record.logs.some((l) => /^INIT_REPORT Init Duration: \S+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError$/.test(l)));
});

test('aws-lambda-ric does not wrap an ESM import of a missing package: our bootstrap reports it the same way', async () => {
  const handlers = join(__dirname, '../fixtures/handlers');
  const viaRic = await invoker.invoke({
    fn: fixtureFunction('esm.handler', { name: 'ric-esm-missing', root: join(handlers, 'import-missing') }),
    event: {},
    trigger: 'manual',
  });
  const ours = new LambdaInvoker({});
  try {
    const viaOurs = await ours.invoke({
      fn: fixtureFunction('esm.handler', { name: 'esm-missing', root: join(handlers, 'import-missing') }),
      event: {},
      trigger: 'manual',
    });
    assert.equal(viaRic.error?.errorType, 'Error');
    assert.equal(viaRic.error?.errorMessage, `Cannot find package 'an-esm-package-that-is-not-installed' imported from ${handlers}/import-missing/esm.mjs`);
    assert.deepEqual(
      { type: viaOurs.error?.errorType, message: viaOurs.error?.errorMessage },
      { type: viaRic.error?.errorType, message: viaRic.error?.errorMessage },
    );
  } finally {
    await ours.shutdown();
  }
});
