// Debug mode: the environment runs with the inspector on a loopback port, and while a debugger has
// it paused the timeout clock stops (Duration and Billed Duration count active time only).
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, test } from 'node:test';
import type { DebugEnvironmentEnded } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { fixtureFunction, waitFor } from './runtime-helpers';

const invokers: LambdaInvoker[] = [];
after(async () => {
  await Promise.all(invokers.map((i) => i.shutdown()));
});

function inspectorTargets(port: number): Promise<{ type: string; webSocketDebuggerUrl: string }[]> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/json/list' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

/** Invokes `remaining` (waits 1.5 s) with a 1 s timeout, pausing the environment for `pauseMs` right after it starts waiting. */
async function pausedInvocation(invoker: LambdaInvoker, pauseMs: number) {
  const fn = fixtureFunction('basic/app.remaining', { name: 'debugged', timeout: 1 });
  const target = await invoker.prepareDebug(fn);
  let paused = false;
  const onLog = (_id: string, line: string) => {
    if (!paused && line.endsWith('\tINFO\twaiting')) {
      paused = true;
      invoker.debuggerPaused(target.environmentId);
      setTimeout(() => invoker.debuggerResumed(target.environmentId), pauseMs);
    }
  };
  invoker.on('log', onLog);
  try {
    return { target, record: await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true }) };
  } finally {
    invoker.off('log', onLog);
  }
}

test('prepareDebug starts an environment with the inspector on a loopback port; the debug invoke runs in it', async () => {
  const invoker = new LambdaInvoker();
  invokers.push(invoker);
  const fn = fixtureFunction('basic/app.handler', { name: 'inspectable' });
  const target = await invoker.prepareDebug(fn);
  assert.equal(target.host, '127.0.0.1');
  assert.equal(target.kind, 'node-inspector');
  assert.ok(target.port > 0);
  const targets = await inspectorTargets(target.port);
  assert.equal(targets.length, 1);
  assert.match(targets[0]!.webSocketDebuggerUrl, new RegExp(`^ws://127\\.0\\.0\\.1:${target.port}/`));
  const record = await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true });
  assert.equal(record.status, 'success');
  assert.equal(record.cold, true, 'the first invocation of the prepared environment is its cold one');
  assert.ok(record.logs[0]!.startsWith('INIT_START'));
  assert.equal(
    record.logs.some((l) => l.includes('Debugger listening')),
    false,
    "the inspector's notices are not function output",
  );
  assert.equal(record.pausedMs, 0);
  assert.deepEqual(record.pauses, []);
  assert.equal(record.sandbox?.freeze, 'debugger', 'never frozen while a debugger may be attached: it must stay responsive');
  assert.equal(record.sandbox?.cpuCores, undefined, 'nor held to a CPU quota');
  const again = await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true });
  assert.equal(again.cold, false);
  assert.equal((again.result as { pid: number }).pid, (record.result as { pid: number }).pid);
  // A plain invoke does not use the debug environment.
  const plain = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.notEqual((plain.result as { pid: number }).pid, (record.result as { pid: number }).pid);
});

test('while paused in a debugger the timeout clock stops; Duration excludes the pause; the pause file keeps remaining time consistent', async () => {
  const invoker = new LambdaInvoker();
  invokers.push(invoker);
  const { record } = await pausedInvocation(invoker, 1200);
  // The handler waits 1.5 s with a 1 s timeout: only the stopped clock lets it finish.
  assert.equal(record.status, 'success', JSON.stringify(record.error));
  assert.equal(record.pauses!.length, 1);
  // The arithmetic of the paused spans is unit-tested with an injected clock (test/unit/pause-clock.test.ts);
  // here: the real environment reports one closed span, counted out of Duration.
  const span = record.pauses![0]!;
  assert.ok(span.endAt! > span.startAt);
  assert.equal(record.pausedMs, Math.round((span.endAt! - span.startAt) * 100) / 100);
  const wallMs = record.timestamps.invokeEndAt! - record.timestamps.invokeStartAt!;
  assert.ok(record.durationMs! < wallMs - record.pausedMs! + 1, `duration ${record.durationMs} excludes the pause (wall ${wallMs}, paused ${record.pausedMs})`);
  assert.ok(record.durationMs! < 1000);
  assert.equal(record.billedDurationMs, Math.ceil(record.durationMs! + record.initDurationMs!));
  const { remainingMs, waitedMs } = record.result as { remainingMs: number; waitedMs: number };
  assert.ok(waitedMs >= 1500);
  assert.ok(remainingMs > 0, `getRemainingTimeInMillis() counts the pause out: ${remainingMs}`);
});

test('wallClockTimeoutWhileDebugging: the clock keeps running while paused', async () => {
  const invoker = new LambdaInvoker({ wallClockTimeoutWhileDebugging: true });
  invokers.push(invoker);
  const { record } = await pausedInvocation(invoker, 1200);
  assert.equal(record.status, 'timeout');
  await waitFor(() => invoker.environmentCount('debugged') === 0, 'the timed-out debug environment to go');
});

test('a debug run is announced as what it is: the prepared environment\'s first invocation is cold from its start, not "warm" until it finishes', async () => {
  const invoker = new LambdaInvoker();
  invokers.push(invoker);
  const fn = fixtureFunction('basic/app.handler', { name: 'announced' });
  await invoker.prepareDebug(fn);
  const announced: boolean[] = [];
  const onStarted = (r: InvocationRecord) => announced.push(r.cold);
  invoker.on('started', onStarted).on('updated', onStarted);
  try {
    const first = await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true });
    assert.equal(first.cold, true);
    assert.deepEqual(announced, [true], 'announced once, as the cold start it is');
    const second = await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true });
    assert.equal(second.cold, false);
    assert.deepEqual(announced, [true, false]);
  } finally {
    invoker.off('started', onStarted).off('updated', onStarted);
  }
});

test('a debug environment that goes says so: "replaced" when its function changed, not when it ended otherwise (a timeout)', async () => {
  const invoker = new LambdaInvoker();
  invokers.push(invoker);
  const ended: DebugEnvironmentEnded[] = [];
  invoker.on('debugEnvironmentEnded', (e) => ended.push(e));
  const fn = fixtureFunction('basic/app.handler', { name: 'changing' });
  const first = await invoker.prepareDebug(fn);
  invoker.retire('changing');
  await waitFor(() => ended.length === 1, 'the retired environment to end');
  assert.deepEqual(ended[0], { environmentId: first.environmentId, functionName: 'changing', replaced: true });

  // basic/app.remaining waits 1.5 s: past a 1 s timeout the environment is killed, as Lambda does.
  const slow = fixtureFunction('basic/app.remaining', { name: 'slow-debugged', timeout: 1 });
  const second = await invoker.prepareDebug(slow);
  const record = await invoker.invoke({ fn: slow, event: {}, trigger: 'debug', debug: true });
  assert.equal(record.status, 'timeout');
  await waitFor(() => ended.length === 2, 'the timed-out environment to end');
  assert.deepEqual(ended[1], { environmentId: second.environmentId, functionName: 'slow-debugged', replaced: false });
  // Environments of plain invokes are not debug environments: nothing to say about them.
  await invoker.invoke({ fn: slow, event: {}, trigger: 'manual' });
  await waitFor(() => invoker.environmentCount('slow-debugged') === 0, 'the plain environment to time out too');
  assert.equal(ended.length, 2);
});
