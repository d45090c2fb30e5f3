// The template's schedules fire while the host runs. The clock is injected (a ManualClock) so a
// `rate(1 minute)` or a 09:00 cron fires when the test moves time, not after minutes of waiting;
// the functions, the invoker and the protocol are real.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ManualClock, ScheduleSource } from '../../runtime-host/events/schedule';
import { RpcErrorCode, type ScheduleInfo } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost } from '../../runtime-host/server/host';
import { cli, copyFixture, removeDir, RpcClient, RpcClientError, startServe, waitUntil, type ServeProcess } from './serve-helpers';

type ScheduleList = { paused: boolean; schedules: ScheduleInfo[] };

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A Wednesday, 06:00:00 UTC.
const START = Date.UTC(2026, 11, 2, 6, 0, 0);

describe('schedules fire through the invoker (injected clock)', () => {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const clock = new ManualClock(START);
  const source = new ScheduleSource({ clock, asyncPolicy: { maximumRetryAttempts: 0 } });
  const finished: InvocationRecord[] = [];
  let dir = '';
  let host: Awaited<ReturnType<typeof startHost>>;
  let rpc: RpcClient;

  before(async () => {
    dir = copyFixture('schedules-project');
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, runtimeSdk: 'off', eventSources: [source] });
    host.context.invoker.on('finished', (r: InvocationRecord) => {
      finished.push(r);
    });
    rpc = await RpcClient.connect(host.ws, host.token);
  });
  after(async () => {
    rpc?.close();
    await host?.close();
    if (dir) removeDir(dir);
  });

  const childrenOf = (parentId: string) => finished.filter((r) => r.parentId === parentId && r.kind === 'invocation');

  it('schedule.list names every schedule with its function, expression and next fire time', async () => {
    const { paused, schedules } = await rpc.request<ScheduleList>('schedule.list');
    assert.equal(paused, false);
    const byName = Object.fromEntries(schedules.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['TickerEveryMinute', 'TickerMorning', 'nightly', 'switched-off', 'weekday-report']);
    assert.deepEqual(byName.TickerEveryMinute, {
      name: 'TickerEveryMinute',
      function: 'Ticker',
      expression: 'rate(1 minute)',
      service: 'rule',
      enabled: true,
      nextFireTime: '2026-12-02T06:01:00.000Z',
    });
    // 09:00 in Paris in December is 08:00 UTC.
    assert.equal(byName.TickerMorning?.nextFireTime, '2026-12-02T08:00:00.000Z');
    assert.equal(byName.TickerMorning?.timeZone, 'Europe/Paris');
    assert.equal(byName.TickerMorning?.service, 'scheduler');
    assert.equal(byName['weekday-report']?.function, 'Reporter');
    assert.equal(byName['weekday-report']?.nextFireTime, '2026-12-02T07:30:00.000Z');
    for (const off of ['nightly', 'switched-off']) {
      assert.equal(byName[off]?.enabled, false, off);
      assert.equal(byName[off]?.nextFireTime, undefined, off);
    }
  });

  it('fire now: a schedule-fire record whose child got the exact scheduled event', async () => {
    const { recordId } = await rpc.request<{ recordId: string }>('schedule.fire', { name: 'TickerEveryMinute' });
    await waitUntil(() => childrenOf(recordId).length === 1, 60_000, 'the fired invocation');
    const parent = await rpc.request<InvocationRecord>('getInvocation', { id: recordId });
    assert.equal(parent.kind, 'schedule-fire');
    assert.equal(parent.trigger, 'schedule');
    assert.deepEqual(parent.rules, ['TickerEveryMinute']);
    const child = childrenOf(recordId)[0]!;
    assert.equal(child.status, 'success');
    assert.equal(child.functionName, 'Ticker');
    assert.equal(child.trigger, 'schedule');
    const event = child.event as Record<string, unknown>;
    assert.match(String(event.id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...event, id: '<id>' },
      {
        version: '0',
        id: '<id>',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: host.context.accountId,
        time: '2026-12-02T06:00:00Z',
        region: host.context.region,
        resources: [`arn:aws:events:${host.context.region}:${host.context.accountId}:rule/TickerEveryMinute`],
        detail: {},
      },
    );
    assert.deepEqual(parent.event, event);
    await waitUntil(async () => (await rpc.request<InvocationRecord>('getInvocation', { id: recordId })).status === 'success', 30_000, 'the parent closes');
  });

  it('a disabled schedule can still be fired by hand; an unknown name says which exist; no name is -32602', async () => {
    const { recordId } = await rpc.request<{ recordId: string }>('schedule.fire', { name: 'nightly' });
    await waitUntil(() => childrenOf(recordId).length === 1, 60_000, 'the fired invocation');
    assert.equal(childrenOf(recordId)[0]!.functionName, 'Reporter');
    await assert.rejects(rpc.request('schedule.fire', { name: 'nope' }), (err: unknown) => {
      assert.ok(err instanceof RpcClientError);
      assert.equal(err.error.code, RpcErrorCode.ResourceNotFound);
      assert.match(JSON.stringify(err.error), /TickerEveryMinute/);
      return true;
    });
    await assert.rejects(rpc.request('schedule.fire', {}), (err: unknown) => err instanceof RpcClientError && err.error.code === RpcErrorCode.InvalidParams);
  });

  it('moving the clock past the next fire time runs the function; disabled schedules never fire', async () => {
    const before = new Set(finished.map((r) => r.id));
    // A whole day passes (as over a sleeping laptop): each enabled schedule fires once, then carries on from now.
    clock.advance(24 * 3_600_000 + 30_000);
    const fresh = () => finished.filter((r) => !before.has(r.id));
    await waitUntil(() => fresh().length === 3, 90_000, 'three scheduled invocations');
    const eventOf = (fn: string, test: (e: unknown) => boolean) => fresh().find((r) => r.functionName === fn && test(r.event))?.event;
    assert.equal((eventOf('Ticker', (e) => (e as { source?: string }).source === 'aws.events') as { time: string }).time, '2026-12-02T06:01:00Z');
    // The constant Input replaces the event, exactly.
    assert.deepEqual(
      eventOf('Ticker', (e) => (e as { source?: string }).source === undefined),
      { from: 'scheduler' },
    );
    // The rule target's InputTransformer fills its template from the event.
    assert.deepEqual(
      eventOf('Reporter', () => true),
      { report: 'weekday', at: '2026-12-02T07:30:00Z', rule: 'weekday-report' },
    );
    const parents = await Promise.all(fresh().map((r) => rpc.request<InvocationRecord>('getInvocation', { id: r.parentId! })));
    assert.deepEqual(parents.map((p) => p.source?.schedule).sort(), ['TickerEveryMinute', 'TickerMorning', 'weekday-report']);
    const { schedules } = await rpc.request<ScheduleList>('schedule.list');
    // A rate carries on from when the host woke (06:00:30), not from the missed firings.
    assert.equal(schedules.find((s) => s.name === 'TickerEveryMinute')?.nextFireTime, '2026-12-03T06:01:30.000Z');
    await source.idle();
    assert.equal(fresh().length, 3);
  });

  it('schedule.pause holds every schedule while the host runs; resuming counts a rate from then', async () => {
    assert.deepEqual(await rpc.request('schedule.pause', { paused: true }), { paused: true });
    const paused = await rpc.request<ScheduleList>('schedule.list');
    assert.equal(paused.paused, true);
    for (const s of paused.schedules) assert.equal(s.nextFireTime, undefined, s.name);
    const before = finished.length;
    clock.advance(2 * 3_600_000);
    await source.idle();
    assert.equal(finished.length, before, 'nothing fired while paused');
    assert.deepEqual(await rpc.request('schedule.pause', { paused: false }), { paused: false });
    const resumed = await rpc.request<ScheduleList>('schedule.list');
    assert.equal(resumed.paused, false);
    assert.equal(resumed.schedules.find((s) => s.name === 'TickerEveryMinute')?.nextFireTime, new Date(clock.now() + 60_000).toISOString());
    await assert.rejects(rpc.request('schedule.pause', {}), (err: unknown) => err instanceof RpcClientError && err.error.code === RpcErrorCode.InvalidParams);
  });
});

describe('serve --schedules off', () => {
  let dir = '';
  let serve: ServeProcess | undefined;
  let rpc: RpcClient | undefined;
  before(async () => {
    dir = copyFixture('schedules-project');
    serve = await startServe(['--root', dir, '--schedules', 'off'], { timeoutMs: 60_000 });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  });
  after(async () => {
    rpc?.close();
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('pauses every schedule (no next fire time) and fire now still works', async () => {
    const list = await rpc!.request<ScheduleList>('schedule.list');
    assert.equal(list.paused, true);
    assert.equal(list.schedules.length, 5);
    for (const s of list.schedules) assert.equal(s.nextFireTime, undefined, s.name);
    const { recordId } = await rpc!.request<{ recordId: string }>('schedule.fire', { name: 'TickerMorning' });
    await waitUntil(async () => (await rpc!.request<InvocationRecord>('getInvocation', { id: recordId })).status === 'success', 60_000, 'the fired schedule');
  });

  it('the CLI lists the schedules and fires one', async () => {
    const listed = await runCli(['schedule', 'list', '--root', dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^\(paused: serve runs with --schedules off\)$/m);
    assert.match(listed.stdout, /^TickerMorning\tTicker\tcron\(0 9 \* \* \? \*\) Europe\/Paris\t-$/m);
    assert.match(listed.stdout, /^nightly\tReporter\tcron\(0 3 \* \* \? \*\)\tdisabled$/m);
    const fired = await runCli(['schedule', 'fire', 'weekday-report', '--root', dir, '--json']);
    assert.equal(fired.code, 0, fired.stderr);
    const { recordId } = JSON.parse(fired.stdout) as { recordId: string };
    await waitUntil(async () => (await rpc!.request<InvocationRecord>('getInvocation', { id: recordId })).status === 'success', 60_000, 'the fired schedule');
    const unknown = await runCli(['schedule', 'fire', 'nope', '--root', dir]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^lambda-workbench: no schedule named "nope"\nhint: known schedules: /);
  });

  it('a bad value is a usage error (exit code 2)', async () => {
    const bad = startServe(['--root', dir, '--schedules', 'sometimes']);
    await assert.rejects(bad, /--schedules takes on or off/);
  });
});
