// Lifecycle of execution environments through the real LambdaInvoker and real node processes:
// cold then warm (module state survives), events, concurrency and throttling, idle reaping,
// retire, cancel.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { billedDurationMs, invocationCostUsd } from '../../runtime-host/protocol/billing';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { LambdaInvoker, toInvokeOutput } from '../../runtime-host/runtime/invoker';
import { alive, fixtureFunction, REPORT, UUID, waitFor } from './runtime-helpers';

const invokers: LambdaInvoker[] = [];
function newInvoker(options: ConstructorParameters<typeof LambdaInvoker>[0] = {}): LambdaInvoker {
  const invoker = new LambdaInvoker(options);
  invokers.push(invoker);
  return invoker;
}
after(async () => {
  await Promise.all(invokers.map((i) => i.shutdown()));
});

test("a record's times are read from one clock: the machine's clock set an hour ahead during an invocation moves none of them apart", async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.handler');
  const wallClock = Date.now;
  // What NTP's slewing does slowly (0.7 s an hour on some VMs), at once: only the wall clock moves.
  Date.now = () => wallClock() + 3_600_000;
  let record: InvocationRecord;
  try {
    record = await invoker.invoke({ fn, event: { n: 1 }, trigger: 'manual' });
  } finally {
    Date.now = wallClock;
  }
  const t = record.timestamps;
  const order = [t.queuedAt, t.initStartAt!, t.initEndAt!, t.invokeStartAt!, t.invokeEndAt!, t.finishedAt!];
  for (let i = 1; i < order.length; i++) assert.ok(order[i]! >= order[i - 1]!, JSON.stringify(t));
  assert.ok(t.finishedAt! - t.queuedAt < 60_000, JSON.stringify(t));
});

test("the deadline a runtime is given is on the wall clock it counts against, however far the host's monotonic clock has run apart from it", async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.remainingNow');
  const monotonic = performance.now.bind(performance);
  // The records' clock an hour ahead of the wall clock: what a day of 200 ppm drift does, and more.
  performance.now = () => monotonic() + 3_600_000;
  let record: InvocationRecord;
  try {
    record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  } finally {
    performance.now = monotonic;
  }
  assert.equal(record.status, 'success', JSON.stringify(record.error));
  const remainingMs = record.result as number;
  assert.ok(remainingMs > 0 && remainingMs <= 3000, `getRemainingTimeInMillis() ${remainingMs} with a 3 s timeout`);
});

test('cold start then warm reuse: same process, module state survives, Init Duration only on the cold one', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.handler');
  const first = await invoker.invoke({ fn, event: { n: 1 }, trigger: 'manual' });
  assert.equal(first.status, 'success');
  assert.equal(first.cold, true);
  assert.match(first.requestId, UUID);
  assert.equal(first.id, first.requestId);
  assert.equal(first.functionName, 'app-handler');
  const r1 = first.result as { invocations: number; loadedAt: number; pid: number };
  assert.equal(r1.invocations, 1);
  assert.ok(first.initDurationMs! > 0);
  assert.ok(first.timestamps.initStartAt! <= first.timestamps.initEndAt!);
  assert.ok(first.timestamps.initEndAt! <= first.timestamps.invokeStartAt!);
  assert.ok(first.timestamps.invokeStartAt! <= first.timestamps.invokeEndAt!);

  // The log: INIT_START, the init line, START, the handler's line, END, REPORT — in that order.
  assert.match(first.logs[0]!, /^INIT_START Runtime Version: nodejs:22\.v\S+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:\S+$/);
  assert.match(first.logs[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tINFO\tmodule loaded$/);
  assert.equal(first.logs[2], `START RequestId: ${first.requestId} Version: $LATEST`);
  assert.match(first.logs[3]!, new RegExp(`^\\S+\\t${first.requestId}\\tINFO\\tevent \\{"n":1\\}$`));
  assert.equal(first.logs[4], `END RequestId: ${first.requestId}`);
  const m1 = REPORT.exec(first.logs[5]!);
  assert.ok(m1, first.logs[5]);
  assert.equal(first.logs.length, 6);
  assert.equal(m1[1], first.requestId);
  assert.equal(Number(m1[2]), first.durationMs);
  assert.equal(Number(m1[3]), first.billedDurationMs);
  assert.equal(Number(m1[4]), 128);
  assert.equal(Number(m1[5]), first.maxMemoryUsedMB);
  assert.equal(Number(m1[7]), first.initDurationMs);
  assert.equal(m1[8], undefined);
  // Today's billing rule: init is billed too.
  assert.equal(first.billingRule, 'per-ms-with-init');
  assert.equal(first.billedDurationMs, billedDurationMs('per-ms-with-init', first.durationMs!, first.initDurationMs));
  assert.equal(first.costUsd, invocationCostUsd(128, first.billedDurationMs!, 'x86_64'));

  const second = await invoker.invoke({ fn, event: { n: 2 }, trigger: 'manual' });
  assert.equal(second.status, 'success');
  assert.equal(second.cold, false);
  const r2 = second.result as typeof r1;
  assert.equal(r2.invocations, 2, 'module state survives between warm invokes');
  assert.equal(r2.pid, r1.pid);
  assert.equal(r2.loadedAt, r1.loadedAt);
  assert.equal(second.initDurationMs, undefined);
  assert.equal(second.logs[0], `START RequestId: ${second.requestId} Version: $LATEST`);
  const m2 = REPORT.exec(second.logs.at(-1)!);
  assert.ok(m2);
  assert.equal(m2[6], undefined, 'no Init Duration on a warm invoke');
  assert.equal(second.billedDurationMs, Math.ceil(second.durationMs!));
  assert.equal(invoker.environmentCount('app-handler'), 1);

  const output = toInvokeOutput(second);
  assert.deepEqual(Object.keys(output), ['requestId', 'functionName', 'cold', 'result', 'logs', 'report']);
  assert.deepEqual(output.report, {
    durationMs: second.durationMs,
    billedDurationMs: second.billedDurationMs,
    memorySizeMB: 128,
    maxMemoryUsedMB: second.maxMemoryUsedMB,
    status: 'success',
  });
});

test('events: started, every log line as it happens, finished — the same lines as the record', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.echo');
  const seen: string[] = [];
  const lines: string[] = [];
  let startedStatus: string | undefined;
  let finished: InvocationRecord | undefined;
  invoker.on('started', (r) => {
    seen.push(`started:${r.id}`);
    startedStatus = r.status;
  });
  invoker.on('log', (id, line) => {
    seen.push(`log:${id}`);
    lines.push(line);
  });
  invoker.on('finished', (r) => {
    seen.push(`finished:${r.id}`);
    finished = r;
  });
  const record = await invoker.invoke({ fn, event: { hello: 'world' }, trigger: 'api', parentId: 'parent-1', attempt: 1 });
  assert.deepEqual(record.result, { hello: 'world' });
  assert.equal(record.trigger, 'api');
  assert.equal(record.parentId, 'parent-1');
  assert.equal(record.attempt, 1);
  assert.equal(startedStatus, 'running');
  assert.equal(finished, record);
  assert.deepEqual(lines, record.logs);
  assert.equal(seen[0], `started:${record.id}`);
  assert.equal(seen.at(-1), `finished:${record.id}`);
  assert.equal(seen.length, record.logs.length + 2);
});

test('concurrent invocations get their own environments; beyond reserved concurrency → throttled', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.sleep', { name: 'sleeper', reservedConcurrency: 2 });
  const runs = [1, 2, 3].map(() => invoker.invoke({ fn, event: { ms: 800 }, trigger: 'manual' }));
  const [a, b, c] = await Promise.all(runs);
  assert.equal(a!.status, 'success');
  assert.equal(b!.status, 'success');
  assert.notEqual((a!.result as { pid: number }).pid, (b!.result as { pid: number }).pid, 'two environments');
  assert.equal(c!.status, 'throttled');
  assert.deepEqual(c!.error, { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', trace: [] });
  assert.deepEqual(c!.logs, []);
  assert.equal(invoker.environmentCount('sleeper'), 2);
  // Both are warm now and reused.
  const again = await Promise.all([1, 2].map(() => invoker.invoke({ fn, event: { ms: 10 }, trigger: 'manual' })));
  assert.deepEqual(
    again.map((r) => r.cold),
    [false, false],
  );
  assert.equal(toInvokeOutput(c!).report.status, 'error');
  assert.equal(toInvokeOutput(c!).report.errorType, 'TooManyRequestsException');
});

test('without reserved concurrency, N concurrent invocations run in N environments', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.sleep', { name: 'fanout' });
  const records = await Promise.all([1, 2, 3].map(() => invoker.invoke({ fn, event: { ms: 600 }, trigger: 'manual' })));
  assert.deepEqual(
    records.map((r) => r.status),
    ['success', 'success', 'success'],
  );
  assert.equal(new Set(records.map((r) => (r.result as { pid: number }).pid)).size, 3);
  assert.equal(invoker.environmentCount('fanout'), 3);
});

test('reserved concurrency 0 throttles every invocation', async () => {
  const invoker = newInvoker();
  const record = await invoker.invoke({ fn: fixtureFunction('basic/app.echo', { reservedConcurrency: 0 }), event: {}, trigger: 'manual' });
  assert.equal(record.status, 'throttled');
  assert.equal(invoker.environmentCount(), 0);
});

test('idle environments are reaped after idleReapMs; the next invoke is cold', async () => {
  const invoker = newInvoker({ idleReapMs: 300 });
  const fn = fixtureFunction('basic/app.handler', { name: 'reaped' });
  const first = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  const pid = (first.result as { pid: number }).pid;
  assert.equal(alive(pid), true);
  await waitFor(() => invoker.environmentCount('reaped') === 0 && !alive(pid), 'the idle environment to be reaped');
  const second = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(second.cold, true);
  assert.equal((second.result as { invocations: number }).invocations, 1);
});

test('retire: idle environments go at once, busy ones after their invocation; next invoke is cold', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.sleep', { name: 'retiree' });
  const warm = await invoker.invoke({ fn, event: { ms: 1 }, trigger: 'manual' });
  assert.equal(warm.status, 'success', JSON.stringify(warm.error));
  const idlePid = (warm.result as { pid: number }).pid;
  invoker.retire('retiree');
  await waitFor(() => !alive(idlePid), 'the retired idle environment to die');

  const busy = invoker.invoke({ fn, event: { ms: 700 }, trigger: 'manual' });
  await waitFor(() => invoker.environmentCount('retiree') === 1, 'an environment to start');
  invoker.retire('retiree');
  const done = await busy;
  assert.equal(done.status, 'success', 'the in-flight invocation finishes');
  const busyPid = (done.result as { pid: number }).pid;
  await waitFor(() => !alive(busyPid), 'the retired environment to die after its invocation');
  const next = await invoker.invoke({ fn, event: { ms: 1 }, trigger: 'manual' });
  assert.equal(next.cold, true);
});

test('an environment whose function configuration changed is not reused', async () => {
  const invoker = newInvoker();
  const a = await invoker.invoke({ fn: fixtureFunction('basic/app.handler', { name: 'reconf' }), event: {}, trigger: 'manual' });
  const b = await invoker.invoke({ fn: fixtureFunction('basic/app.handler', { name: 'reconf', memory: 256 }), event: {}, trigger: 'manual' });
  assert.equal(a.status, 'success', JSON.stringify(a.error));
  assert.equal(a.cold, true);
  assert.equal(b.cold, true);
  assert.equal(b.memorySizeMB, 256);
  await waitFor(() => !alive((a.result as { pid: number }).pid), 'the old environment to go');
});

test('cancel(id) ends an in-flight invocation as interrupted and kills its environment', async () => {
  const invoker = newInvoker();
  const fn = fixtureFunction('basic/app.sleep', { name: 'cancelled', timeout: 30 });
  let id: string | undefined;
  invoker.on('log', (recordId, line) => {
    if (line.startsWith('START ')) id = recordId;
  });
  const running = invoker.invoke({ fn, event: { ms: 20_000 }, trigger: 'manual' });
  await waitFor(() => id !== undefined, 'the invocation to start');
  const pids = invoker.environmentPids();
  assert.equal(pids.length, 1);
  assert.equal(invoker.cancel(id!), true);
  const record = await running;
  assert.equal(record.status, 'interrupted');
  assert.equal(invoker.cancel(id!), false, 'nothing left to cancel');
  for (const pid of pids) await waitFor(() => !alive(pid), `environment ${pid} to die`);
});

test('an AbortSignal cancels like cancel(id)', async () => {
  const invoker = newInvoker();
  const controller = new AbortController();
  const fn = fixtureFunction('basic/app.sleep', { name: 'aborted', timeout: 30 });
  invoker.on('log', (_id, line) => {
    if (line.startsWith('START ')) controller.abort();
  });
  const record = await invoker.invoke({ fn, event: { ms: 20_000 }, trigger: 'manual', signal: controller.signal });
  assert.equal(record.status, 'interrupted');
});

test('shutdown kills every environment', async () => {
  const invoker = newInvoker();
  await Promise.all([1, 2].map((i) => invoker.invoke({ fn: fixtureFunction('basic/app.echo', { name: `down${i}` }), event: {}, trigger: 'manual' })));
  const pids = invoker.environmentPids();
  assert.equal(pids.length, 2);
  await invoker.shutdown();
  for (const pid of pids) await waitFor(() => !alive(pid), `environment ${pid} to die`);
  await assert.rejects(invoker.invoke({ fn: fixtureFunction('basic/app.echo'), event: {}, trigger: 'manual' }));
});
