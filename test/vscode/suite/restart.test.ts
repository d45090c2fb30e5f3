// The host dies: the extension restarts it with back-off, the invocation that was in flight is
// reported interrupted (not silently lost), and invoking works again afterwards. Runs last.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { nextFinished, nextStarted, waitFor, workbenchApi } from './util';

suite('host restart', () => {
  test('a host that dies is restarted and the in-flight invocation ends interrupted', async () => {
    const api = await workbenchApi();
    await api.ctx.functions();
    const pid = api.ctx.host.pid;
    assert.ok(pid, 'the host is running');
    const started = nextStarted(api, (r) => r.functionName === 'GreetTs');
    // Two seconds of work: still running when the host goes away.
    const inFlight = Promise.resolve(
      vscode.commands.executeCommand<InvokeOutput>(
        'lambdaWorkbench.invokeFunction',
        { kind: 'function', name: 'GreetTs' },
        { event: { name: 'Crash', workMs: 1_500 }, quiet: true },
      ),
    );
    const record = await started;
    const finished = nextFinished(api, (r) => r.id === record.id);
    process.kill(pid, 'SIGTERM');
    const interrupted = await finished;
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(await inFlight, undefined, 'the command reports the failure instead of a result');

    await waitFor('the host to be restarted', () => api.ctx.host.state.kind === 'ready' && api.ctx.host.pid !== pid, 90_000);
    const output = await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'Again' }, quiet: true },
    );
    assert.deepEqual(output?.result, { message: 'Hello, Again!', functionName: 'HelloJs' });
  });
});
