// The cgroup sandbox with real processes and the real kernel: the memory size is the cgroup's limit
// (the OOM kill becomes Runtime.OutOfMemory), the CPU quota follows the memory size, the environment is
// frozen between invocations, and every process of it dies with it — after a timeout, a crash, a stop
// and a host SIGKILL. Skipped, with the reason, only where cgroups are not writable.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { cfsQuotaUs } from '../../runtime-host/runtime/sandbox/cpu';
import { alive, fixtureFunction, waitFor } from './runtime-helpers';
import { cgroupDir, cgroupSkipReason, startHostScript, taggedPids, uniqueTag } from './sandbox-helpers';

const skip = cgroupSkipReason();
if (skip) console.log(`# skipping the cgroup sandbox tests: ${skip}`);

const invokers: LambdaInvoker[] = [];
after(async () => {
  await Promise.all(invokers.map((i) => i.shutdown()));
});

function cgroupInvoker(): LambdaInvoker {
  const invoker = new LambdaInvoker({ sandbox: 'cgroup' });
  invokers.push(invoker);
  return invoker;
}

test('a handler allocating past its memory size is killed by the kernel: Runtime.OutOfMemory, and the record says the kernel did it', { skip }, async () => {
  const invoker = cgroupInvoker();
  const fn = fixtureFunction('sandbox/app.allocate', { name: 'hungry', memory: 128, timeout: 30 });
  const record = await invoker.invoke({ fn, event: { mb: 320 }, trigger: 'manual' });
  assert.equal(record.status, 'outOfMemory', JSON.stringify(record.error));
  assert.equal(record.error?.errorType, 'Runtime.OutOfMemory');
  assert.equal(record.sandbox?.kind, 'cgroup-v1');
  assert.equal(record.sandbox?.memory, 'kernel');
  assert.equal(record.sandbox?.oomBy, 'kernel');
  assert.equal(record.maxMemoryUsedMB, 128);
  assert.ok(record.logs.includes('Runtime.OutOfMemory'), record.logs.join('\n'));
  // Under the limit the same handler succeeds.
  const fits = await invoker.invoke({ fn, event: { mb: 32 }, trigger: 'manual' });
  assert.equal(fits.status, 'success', JSON.stringify(fits.error));
  assert.equal(fits.sandbox?.oomBy, undefined);
  assert.ok(fits.maxMemoryUsedMB! >= 32, `Max Memory Used ${fits.maxMemoryUsedMB} MB covers the 32 MB allocated`);
});

test("each environment's cgroup has the memory size as its limit, a CPU quota in proportion to it, and a pids limit", { skip }, async () => {
  const invoker = cgroupInvoker();
  const cores = cpus().length;
  const made: string[] = [];
  for (const memory of [128, 512, 1769, 3008]) {
    const fn = fixtureFunction('sandbox/app.cgroups', { name: `cpu-${memory}`, memory });
    const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
    assert.equal(record.status, 'success', JSON.stringify(record.error));
    const procCgroup = record.result as string;
    const cpu = cgroupDir(procCgroup, 'cpu');
    made.push(...['cpu', 'memory', 'freezer', 'pids'].map((c) => cgroupDir(procCgroup, c)));
    assert.match(cpu, new RegExp(`/lambda-workbench/${process.pid}/[0-9a-f-]{36}$`));
    assert.equal(Number(readFileSync(join(cpu, 'cpu.cfs_period_us'), 'utf8')), 100_000);
    const quota = Number(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8'));
    assert.equal(quota, cfsQuotaUs(memory, cores));
    assert.equal(quota, Math.round(100_000 * Math.min(memory / 1769, cores)), `${memory} MB → ${quota} µs per 100 ms`);
    assert.equal(record.sandbox?.cpuCores, Math.round(Math.min(memory / 1769, cores) * 1000) / 1000);
    const mem = cgroupDir(procCgroup, 'memory');
    assert.equal(Number(readFileSync(join(mem, 'memory.limit_in_bytes'), 'utf8')), memory * 1024 * 1024);
    assert.equal(readFileSync(join(cgroupDir(procCgroup, 'pids'), 'pids.max'), 'utf8').trim(), '1024');
    // Idle between invocations: frozen.
    await waitFor(() => readFileSync(join(cgroupDir(procCgroup, 'freezer'), 'freezer.state'), 'utf8').trim() === 'FROZEN', 'the idle environment to be frozen');
  }
  await invoker.shutdown();
  assert.deepEqual(
    made.filter((dir) => existsSync(dir)),
    [],
    'shutdown removed the cgroups',
  );
});

test('a timer armed in one invocation does not fire while the environment is frozen, and fires once the next invocation thaws it', { skip }, async () => {
  const invoker = cgroupInvoker();
  const fn = fixtureFunction('sandbox/app.timer', { name: 'timer' });
  const marker = join(tmpdir(), `lambda-workbench-timer-${uniqueTag()}`);
  const armed = await invoker.invoke({ fn, event: { arm: true, marker, delayMs: 200 }, trigger: 'manual' });
  assert.equal(armed.status, 'success', JSON.stringify(armed.error));
  assert.deepEqual(armed.sandbox?.backgroundWork, ['Timeout'], 'the record marks the pending timer');
  assert.equal(armed.sandbox?.freeze, 'cgroup');
  // Waiting is the test: the timer is due after 200 ms, and nothing may run it while frozen.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(existsSync(marker), false, 'the timer fired while no invocation ran');
  // The marker holds the function's Date.now(): compared with the wall clock here, not with the record's
  // clock (monotonic, which drifts from the wall clock by milliseconds over a long test run).
  const askedAt = Date.now();
  const next = await invoker.invoke({ fn, event: { marker }, trigger: 'manual' });
  assert.equal(next.status, 'success', JSON.stringify(next.error));
  assert.equal((next.result as { firedDuringThisInvocation: boolean }).firedDuringThisInvocation, true);
  assert.ok(Number(readFileSync(marker, 'utf8')) >= askedAt, 'it fired only after the next invocation was asked for');
  assert.ok(
    next.logs.some((l) => l.endsWith('\tINFO\tthe timer fired')),
    'its log line belongs to the invocation that thawed it',
  );
  assert.equal(next.sandbox?.backgroundWork, undefined, 'the second invocation left nothing pending');
});

test('a setsid grandchild re-parented away from the runtime is gone after a timeout, a crash and a stop', { skip }, async () => {
  const invoker = cgroupInvoker();
  const timeoutTag = uniqueTag();
  const timedOut = await invokeSeeingOrphan(invoker, 'orphan-timeout', 5, { tag: timeoutTag, then: 'hang' });
  assert.equal(timedOut.status, 'timeout');
  await waitFor(() => taggedPids(timeoutTag).length === 0, 'the orphan of the timed-out environment to be gone');

  const crashTag = uniqueTag();
  const crashed = await invokeSeeingOrphan(invoker, 'orphan-crash', 30, { tag: crashTag, then: 'crash' });
  assert.equal(crashed.error?.errorType, 'Runtime.ExitError');
  await waitFor(() => taggedPids(crashTag).length === 0, 'the orphan of the crashed environment to be gone');

  const stopTag = uniqueTag();
  const idle = await invokeSeeingOrphan(invoker, 'orphan-stop', 30, { tag: stopTag });
  assert.equal(idle.status, 'success', JSON.stringify(idle.error));
  assert.equal(taggedPids(stopTag).length, 1, 'the orphan lives (frozen) as long as its environment');
  await invoker.shutdown();
  await waitFor(() => taggedPids(stopTag).length === 0, 'the orphan of the stopped environment to be gone');
});

test('a setsid grandchild of a frozen environment is gone when the idle environment is reaped', { skip }, async () => {
  const invoker = new LambdaInvoker({ sandbox: 'cgroup', idleReapMs: 1000 });
  invokers.push(invoker);
  const tag = uniqueTag();
  const record = await invokeSeeingOrphan(invoker, 'orphan-reap', 30, { tag });
  assert.equal(record.status, 'success', JSON.stringify(record.error));
  await waitFor(() => invoker.environmentCount('orphan-reap') === 0, 'the idle environment to be reaped');
  await waitFor(() => taggedPids(tag).length === 0, 'the orphan of the reaped environment to be gone');
});

/** Invokes the orphan handler and checks, once it says so, that the orphan really runs. */
async function invokeSeeingOrphan(
  invoker: LambdaInvoker,
  name: string,
  timeout: number,
  event: { tag: string; then?: string; fork?: boolean },
): Promise<InvocationRecord> {
  let seen: number | undefined;
  const onLog = (_id: string, line: string) => {
    if (line.includes(`orphan started: sleep 600.${event.tag}`)) seen = taggedPids(event.tag).length;
  };
  invoker.on('log', onLog);
  try {
    const record = await invoker.invoke({ fn: fixtureFunction('sandbox/app.orphan', { name, timeout }), event, trigger: 'manual' });
    assert.equal(seen, 1, `the orphan of ${name} was running`);
    return record;
  } finally {
    invoker.off('log', onLog);
  }
}

test('host killed with SIGKILL: its environments (one frozen, one mid-invocation) and their setsid orphans are gone', { skip, timeout: 120_000 }, async () => {
  const tag = uniqueTag();
  const host = startHostScript({ sandbox: 'cgroup', tag, fork: true });
  const ready = await new Promise<{ pids: number[]; sandbox: string }>((resolve, reject) => {
    let out = '';
    host.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    host.once('exit', (code) => reject(new Error(`the host exited (${code}) before it was ready`)));
  });
  assert.equal(ready.sandbox, 'cgroup-v1');
  assert.equal(ready.pids.length, 2);
  assert.equal(taggedPids(tag).length, 2, 'each environment started an orphan');
  host.kill('SIGKILL');
  await waitFor(() => ready.pids.every((p) => !alive(p)), 'the environments of the killed host to be gone');
  await waitFor(() => taggedPids(tag).length === 0, 'the orphans of the killed host to be gone');
  await waitFor(() => !existsSync(join('/sys/fs/cgroup/freezer/lambda-workbench', String(host.pid))), "the killed host's cgroups to be removed");
});
