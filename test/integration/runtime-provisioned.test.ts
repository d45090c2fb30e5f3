// Provisioned concurrency in the runtime core, with real environments: initialised ahead of any
// invocation (its own provisioned-init record), invocations without Init Duration, spill-over to
// on-demand when every provisioned environment is busy, replacement after a crash, release.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { alive, REPORT, waitFor } from './runtime-helpers';

const SRC = join(__dirname, '../fixtures/tune-project/src');
const warm = functionFromHandler({ handler: 'warm.handler', root: SRC, name: 'WarmFunction', timeout: 10 });

let invoker: LambdaInvoker | undefined;
afterEach(async () => {
  await invoker?.shutdown();
  invoker = undefined;
});

function started(): { invoker: LambdaInvoker; records: InvocationRecord[] } {
  invoker = new LambdaInvoker({ idleReapMs: 60_000 });
  const records: InvocationRecord[] = [];
  invoker.on('finished', (r) => {
    records.push(r);
  });
  return { invoker, records };
}

test('provisioned environments initialise ahead of time, each with a provisioned-init record; invocations report no Init Duration', async () => {
  const { invoker, records } = started();
  const inits = await invoker.provision(warm, 2);
  assert.equal(inits.length, 2);
  for (const init of inits) {
    assert.equal(init.kind, 'provisioned-init');
    assert.equal(init.trigger, 'provisioned');
    assert.equal(init.status, 'success');
    assert.equal(init.initializationType, 'provisioned-concurrency');
    assert.ok(init.initDurationMs! > 0);
    assert.ok(init.timestamps.initStartAt! <= init.timestamps.initEndAt!);
    assert.match(init.logs[0]!, /^INIT_START Runtime Version: /);
    assert.ok(
      init.logs.some((l) => /\tINFO\tinitialising provisioned-concurrency$/.test(l)),
      init.logs.join('\n'),
    );
  }
  assert.equal(invoker.provisionedCount('WarmFunction'), 2);
  assert.deepEqual(
    records.map((r) => r.kind),
    ['provisioned-init', 'provisioned-init'],
  );

  const record = await invoker.invoke({ fn: warm, event: {}, trigger: 'manual' });
  assert.equal(record.status, 'success');
  assert.equal(record.cold, false);
  assert.equal(record.initDurationMs, undefined);
  assert.equal(record.initializationType, 'provisioned-concurrency');
  assert.ok(inits.some((i) => i.environmentId === record.environmentId));
  assert.equal((record.result as { initType: string }).initType, 'provisioned-concurrency');
  const report = REPORT.exec(record.logs.at(-1)!);
  assert.ok(report, record.logs.at(-1));
  assert.ok(!record.logs.at(-1)!.includes('Init Duration'));
  assert.ok(!record.logs.some((l) => l.startsWith('INIT_START')), 'the init lines belong to the init record');
  // Billed as the invoke phase only: init is not part of a provisioned invocation's bill.
  assert.equal(record.billedDurationMs, Math.max(1, Math.ceil(record.durationMs!)));
});

test('when every provisioned environment is busy, the next invocation spills over to a cold on-demand one', async () => {
  const { invoker } = started();
  await invoker.provision(warm, 1);
  const busy = invoker.invoke({ fn: warm, event: { waitMs: 1500 }, trigger: 'manual' });
  const spill = await invoker.invoke({ fn: warm, event: {}, trigger: 'manual' });
  const first = await busy;
  assert.equal(first.initializationType, 'provisioned-concurrency');
  assert.equal(first.cold, false);
  assert.equal(spill.initializationType, undefined);
  assert.equal(spill.cold, true);
  assert.ok(spill.initDurationMs! > 0);
  assert.equal((spill.result as { initType: string }).initType, 'on-demand');
  // Provisioned environments are chosen first when both kinds are idle.
  const next = await invoker.invoke({ fn: warm, event: {}, trigger: 'manual' });
  assert.equal(next.initializationType, 'provisioned-concurrency');
});

test('a provisioned environment that crashes is replaced by a newly initialised one; provision(fn, 0) releases them', async () => {
  const { invoker, records } = started();
  const [init] = await invoker.provision(warm, 1);
  const crashed = await invoker.invoke({ fn: warm, event: { crash: true }, trigger: 'manual' });
  assert.equal(crashed.status, 'error');
  assert.equal(crashed.error?.errorType, 'Runtime.ExitError');
  await waitFor(() => records.filter((r) => r.kind === 'provisioned-init').length === 2 && invoker.provisionedCount('WarmFunction') === 1, 'a replacement');
  const replacement = records.filter((r) => r.kind === 'provisioned-init')[1]!;
  assert.notEqual(replacement.environmentId, init!.environmentId);
  const after = await invoker.invoke({ fn: warm, event: {}, trigger: 'manual' });
  assert.equal(after.environmentId, replacement.environmentId);
  assert.equal(after.cold, false);
  const pid = (after.result as { pid: number }).pid;

  await invoker.provision(warm, 0);
  assert.equal(invoker.provisionedCount('WarmFunction'), 0);
  await waitFor(() => !alive(pid), 'the released environment to exit');
  assert.equal(records.filter((r) => r.kind === 'provisioned-init').length, 2, 'a release is not replaced');
});

test('a failing init is recorded on the provisioned-init record and not retried', async () => {
  const { invoker, records } = started();
  const broken = functionFromHandler({ handler: 'missing.handler', root: SRC, name: 'Broken' });
  const [init] = await invoker.provision(broken, 1);
  assert.equal(init!.status, 'error');
  assert.equal(init!.error?.errorType, 'Runtime.ImportModuleError');
  assert.equal(invoker.provisionedCount('Broken'), 0);
  assert.equal(invoker.environmentCount('Broken'), 0, 'no replacement was started');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(records.length, 1);
});
