// `lambda-workbench execution list|history|callback|skip-waits|stop` as a user runs them: real
// `node dist/cli.js execution …` processes talking to a real `serve` (found through its host.json),
// on durable executions of the real SDK (test/fixtures/durable-project).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DurableExecutionSummary } from '../../runtime-host/protocol/durable';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { cli, copyFixture, removeDir, repoRoot, RpcClient, startServe, waitUntil, type ServeProcess } from './serve-helpers';

describe('lambda-workbench execution', { timeout: 300_000 }, () => {
  let dir = '';
  let serve: ServeProcess | undefined;
  let rpc: RpcClient | undefined;

  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, [cli, 'execution', ...args, '--root', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const status = async (name: string) => (await rpc!.request<DurableExecutionSummary[]>('durable.list')).find((e) => e.name === name)?.status;

  before(async () => {
    dir = copyFixture('durable-project');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    serve = await startServe(['--root', dir, '--runtime-sdk', 'off'], { timeoutMs: 60_000 });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  });

  after(async () => {
    rpc?.close();
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('lists an execution waiting for a callback, completes the callback, and prints the history', async () => {
    const first = await rpc!.request<InvokeOutput>('invoke', { function: 'Approval', event: { amount: 3 }, durableExecutionName: 'cli-1' });
    assert.deepEqual(first.result, { Status: 'PENDING' });
    const listed = await run('list', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const entry = (JSON.parse(listed.stdout) as DurableExecutionSummary[]).find((e) => e.name === 'cli-1')!;
    assert.equal(entry.status, 'RUNNING');
    const callbackId = entry.pendingCallbacks[0]!.callbackId;
    const text = await run('list', '--function', 'Approval');
    assert.match(text.stdout, new RegExp(`^cli-1\\tApproval\\tRUNNING\\t.*callbacks: ${callbackId.replace(/[+/=]/g, '.')}`, 'm'));

    const usage = await run('callback', callbackId);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs one of --result JSON, --error MESSAGE or --heartbeat/);
    const done = await run('callback', callbackId, '--result', '{"approved":true}');
    assert.equal(done.code, 0, done.stderr);
    await waitUntil(async () => (await status('cli-1')) === 'SUCCEEDED', 60_000, 'cli-1 to succeed');

    const history = await run('history', 'cli-1');
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^cli-1 {2}Approval:\$LATEST {2}SUCCEEDED$/m);
    // waitForCallback: a child context named after it holds the callback and the step that submits its id.
    assert.match(history.stdout, /ContextStarted approval\n.*CallbackStarted {2}callback id \S+\n/);
    assert.match(history.stdout, /CallbackSucceeded {2}→ \{"approved":true\}/);
    assert.match(history.stdout, /ExecutionSucceeded/);
    assert.match(history.stdout, /invocation 2 {2}SUCCEEDED .* woken by callback/);
  });

  it('skips the waits of one execution, and stops another', async () => {
    await rpc!.request<InvokeOutput>('invoke', { function: 'Sleeper', event: { seconds: 3600 }, durableExecutionName: 'nap-cli' });
    assert.equal(await status('nap-cli'), 'RUNNING');
    const skipped = await run('skip-waits', 'nap-cli');
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /^nap-cli\tskipped 1 wait$/m);
    await waitUntil(async () => (await status('nap-cli')) === 'SUCCEEDED', 60_000, 'nap-cli to succeed');
    const history = await run('history', 'nap-cli', '--json');
    const view = JSON.parse(history.stdout) as { skippedMs: number; operations: { name?: string; skippedMs?: number }[] };
    assert.ok(view.skippedMs > 3_500_000);
    assert.ok(view.operations.find((o) => o.name === 'nap')!.skippedMs! > 3_500_000);

    await rpc!.request<InvokeOutput>('invoke', { function: 'Approval', event: { amount: 4 }, durableExecutionName: 'cli-2' });
    const stopped = await run('stop', 'cli-2', '--error', 'cancelled by hand');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, 'cli-2\tSTOPPED\n');
    const again = await run('stop', 'cli-2');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /not running \(STOPPED\)/);
    const missing = await run('history', 'no-such-execution');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /durable execution 'no-such-execution' not found/);
  });
});
