// The process sandbox (the fallback where cgroups cannot be used), forced with the setting: memory
// polled from /proc, the process group stopped with SIGSTOP between invocations, and the tree killed
// with the environment — and, through the host's watchdog, after a host SIGKILL too.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { alive, fixtureFunction, waitFor } from './runtime-helpers';
import { startHostScript, taggedPids, uniqueTag } from './sandbox-helpers';

const invoker = new LambdaInvoker({ sandbox: 'process' });
after(() => invoker.shutdown());

test('forced by the setting: the process sandbox, memory polled, no CPU limit', async () => {
  assert.equal(invoker.sandbox.kind, 'process');
  const fn = fixtureFunction('sandbox/app.allocate', { name: 'hungry-process', memory: 128, timeout: 30 });
  const record = await invoker.invoke({ fn, event: { mb: 320 }, trigger: 'manual' });
  assert.equal(record.status, 'outOfMemory', JSON.stringify(record.error));
  assert.equal(record.error?.errorType, 'Runtime.OutOfMemory');
  assert.equal(record.sandbox?.kind, 'process');
  assert.equal(record.sandbox?.memory, 'polling');
  assert.equal(record.sandbox?.oomBy, 'polling');
  assert.equal(record.sandbox?.cpuCores, undefined);
});

test('a timer armed in one invocation does not fire while the process group is stopped, and fires after the next invocation starts', async () => {
  const fn = fixtureFunction('sandbox/app.timer', { name: 'timer-process' });
  const marker = join(tmpdir(), `lambda-workbench-timer-${uniqueTag()}`);
  const armed = await invoker.invoke({ fn, event: { arm: true, marker, delayMs: 200 }, trigger: 'manual' });
  assert.equal(armed.status, 'success', JSON.stringify(armed.error));
  assert.equal(armed.sandbox?.freeze, 'sigstop');
  assert.deepEqual(armed.sandbox?.backgroundWork, ['Timeout']);
  const pid = invoker.environmentPids()[0]!;
  await waitFor(() => processState(pid) === 'T', 'the idle environment to be stopped');
  // Waiting is the test: the timer is due after 200 ms, and nothing may run it while stopped.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(existsSync(marker), false, 'the timer fired while no invocation ran');
  // The function's Date.now() against the wall clock here (a record's times are on the host's monotonic clock).
  const askedAt = Date.now();
  const next = await invoker.invoke({ fn, event: { marker }, trigger: 'manual' });
  assert.equal(next.status, 'success', JSON.stringify(next.error));
  assert.ok(Number(readFileSync(marker, 'utf8')) >= askedAt);
});

test('a setsid grandchild (its own session, still in the tree) is gone after the timeout', async () => {
  const tag = uniqueTag();
  let seen = 0;
  const onLog = (_id: string, line: string) => {
    if (line.includes(`orphan started: sleep 600.${tag}`)) seen = taggedPids(tag).length;
  };
  invoker.on('log', onLog);
  const record = await invoker.invoke({
    // 5 s: on a loaded machine spawning the orphan and saying so can take a good part of a shorter timeout.
    fn: fixtureFunction('sandbox/app.orphan', { name: 'orphan-process', timeout: 5 }),
    event: { tag, fork: false, then: 'hang' },
    trigger: 'manual',
  });
  invoker.off('log', onLog);
  assert.equal(seen, 1, 'the orphan was running');
  assert.equal(record.status, 'timeout');
  await waitFor(() => taggedPids(tag).length === 0, 'the orphan to be gone');
});

test(
  'host killed with SIGKILL: the watchdog ends its environments (one stopped, one mid-invocation) and their setsid children',
  { timeout: 120_000 },
  async () => {
    const tag = uniqueTag();
    const host = startHostScript({ sandbox: 'process', tag, fork: false });
    const ready = await new Promise<{ pids: number[]; sandbox: string }>((resolve, reject) => {
      let out = '';
      host.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      host.once('exit', (code) => reject(new Error(`the host exited (${code}) before it was ready`)));
    });
    assert.equal(ready.sandbox, 'process');
    assert.equal(ready.pids.length, 2);
    assert.equal(taggedPids(tag).length, 2);
    host.kill('SIGKILL');
    await waitFor(() => ready.pids.every((p) => !alive(p)), 'the environments of the killed host to be gone');
    await waitFor(() => taggedPids(tag).length === 0, 'the setsid children of the killed host to be gone');
  },
);

/** The one-letter state in /proc/<pid>/stat (`T` = stopped). */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? '';
  } catch {
    return '';
  }
}
