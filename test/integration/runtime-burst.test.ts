// Bursts through the real LambdaInvoker and real node processes: what one machine cannot start at
// once waits in the host's queue (a start slot, the memory budget), the wait is its own span of the
// record and never part of init, and Lambda's account concurrency limit still throttles beyond it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { fixtureFunction } from './runtime-helpers';

const invokers: LambdaInvoker[] = [];
function newInvoker(options: ConstructorParameters<typeof LambdaInvoker>[0] = {}): LambdaInvoker {
  const invoker = new LambdaInvoker(options);
  invokers.push(invoker);
  return invoker;
}
after(async () => {
  await Promise.all(invokers.map((i) => i.shutdown()));
});

test('beyond the memory budget an invocation waits for a warm environment instead of starting one', async () => {
  // Room for two 128 MB environments.
  const invoker = newInvoker({ memoryBudgetMB: 256 });
  const fn = fixtureFunction('basic/app.sleep', { memory: 128 });
  let peakEnvironments = 0;
  invoker.on('started', () => (peakEnvironments = Math.max(peakEnvironments, invoker.environmentCount())));
  invoker.on('log', () => (peakEnvironments = Math.max(peakEnvironments, invoker.environmentCount())));
  const records = await Promise.all(Array.from({ length: 6 }, () => invoker.invoke({ fn, event: { ms: 300 }, trigger: 'manual' })));
  assert.deepEqual(
    records.map((r) => r.status),
    Array<string>(6).fill('success'),
  );
  const pids = new Set(records.map((r) => (r.result as { pid: number }).pid));
  assert.equal(pids.size, 2, `6 invocations ran in ${pids.size} environments`);
  assert.ok(peakEnvironments <= 2, `${peakEnvironments} environments were alive at once`);
  assert.equal(records.filter((r) => r.cold).length, 2);
  const queued = records.filter((r) => r.timestamps.dequeuedAt !== undefined);
  assert.ok(queued.length >= 4, `${queued.length} invocations waited`);
  for (const r of queued) {
    assert.equal(r.queuedMs, r.timestamps.dequeuedAt! - r.timestamps.queuedAt);
    // The wait is before the invocation's own work: never inside its invoke (or init) phase.
    assert.ok(r.timestamps.invokeStartAt! >= r.timestamps.dequeuedAt! - 2, JSON.stringify(r.timestamps));
  }
});

test('cold starts beyond the start concurrency wait for a slot (or a warm environment), and the wait is outside Init Duration', async () => {
  const invoker = newInvoker({ startConcurrency: 1 });
  const fn = fixtureFunction('basic/app.sleep', { memory: 128 });
  const records = await Promise.all(Array.from({ length: 4 }, () => invoker.invoke({ fn, event: { ms: 2000 }, trigger: 'manual' })));
  assert.deepEqual(
    records.map((r) => r.status),
    Array<string>(4).fill('success'),
  );
  // One init at a time: each starts after the previous one ended.
  const cold = records.filter((r) => r.cold);
  const inits = cold.map((r) => [r.timestamps.initStartAt!, r.timestamps.initEndAt!] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < inits.length; i++) assert.ok(inits[i]![0] >= inits[i - 1]![1] - 2, `init ${i} overlaps the one before: ${JSON.stringify(inits)}`);
  // The first call took the only slot at once: the three others waited.
  const waited = records.filter((r) => r.timestamps.dequeuedAt !== undefined);
  assert.equal(waited.length, 3);
  for (const r of waited.filter((w) => w.cold)) {
    assert.ok(r.timestamps.initStartAt! >= r.timestamps.dequeuedAt! - 2, JSON.stringify(r.timestamps));
    // Init Duration is the init phase alone, not the time since the request arrived.
    assert.ok(r.initDurationMs! <= r.timestamps.initEndAt! - r.timestamps.initStartAt! + 2, `${r.initDurationMs} vs ${JSON.stringify(r.timestamps)}`);
  }
});

test('the account concurrency limit counts every function: beyond it, throttled', async () => {
  const invoker = newInvoker({ accountConcurrency: 3 });
  const a = fixtureFunction('basic/app.sleep', { name: 'FunctionA' });
  const b = fixtureFunction('basic/app.sleep', { name: 'FunctionB' });
  const running: Promise<InvocationRecord>[] = [];
  for (let i = 0; i < 3; i++) running.push(invoker.invoke({ fn: a, event: { ms: 1500 }, trigger: 'manual' }));
  const throttled = await Promise.all([
    invoker.invoke({ fn: b, event: { ms: 10 }, trigger: 'manual' }),
    invoker.invoke({ fn: a, event: { ms: 10 }, trigger: 'manual' }),
  ]);
  assert.deepEqual(
    throttled.map((r) => [r.status, r.error?.errorType]),
    [
      ['throttled', 'TooManyRequestsException'],
      ['throttled', 'TooManyRequestsException'],
    ],
  );
  const done = await Promise.all(running);
  assert.deepEqual(
    done.map((r) => r.status),
    ['success', 'success', 'success'],
  );
  // Below the limit again.
  assert.equal((await invoker.invoke({ fn: b, event: { ms: 10 }, trigger: 'manual' })).status, 'success');
});

test('an invocation cancelled while it waits in the queue ends interrupted, without an environment', async () => {
  const invoker = newInvoker({ memoryBudgetMB: 128 });
  const fn = fixtureFunction('basic/app.sleep', { memory: 128 });
  const busy = invoker.invoke({ fn, event: { ms: 1500 }, trigger: 'manual' });
  const abort = new AbortController();
  const waiting = invoker.invoke({ fn, event: { ms: 10 }, trigger: 'manual', signal: abort.signal });
  abort.abort();
  const cancelled = await waiting;
  assert.equal(cancelled.status, 'interrupted');
  assert.equal(cancelled.durationMs, undefined);
  assert.equal((await busy).status, 'success');
  assert.equal(invoker.environmentCount(), 1);
});
