// Start/Stop HTTP API from the palette commands: the local API Gateway stops and starts again on the
// host, and answers HTTP while running.
import * as assert from 'node:assert/strict';
import { get } from 'node:http';
import * as vscode from 'vscode';
import { workbenchApi } from './util';

function statusOf(url: string): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('refused'));
  });
}

suite('event source commands', () => {
  test('Stop HTTP API then Start HTTP API', async () => {
    const api = await workbenchApi();
    await api.ctx.functions();
    assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.stopHttpApi'), true);
    const status = await api.ctx.host.request('httpApi.status', undefined);
    assert.equal(status.running, false);
    const url = await vscode.commands.executeCommand<string>('lambdaWorkbench.startHttpApi');
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await api.ctx.host.request('httpApi.status', undefined)).running, true);
    // No route matches `/`: API Gateway's answer, from a live server.
    assert.notEqual(await statusOf(`${url}/no-such-route`), 'refused');
  });

  test('Fire Schedule Now… fires a disabled rule once: a schedule-fire record with the invocation as its child', async () => {
    const api = await workbenchApi();
    const { schedules } = await api.ctx.host.request('schedule.list', undefined);
    assert.deepEqual(
      schedules.map((s) => [s.name, s.function, s.enabled]),
      [['hello-nightly', 'HelloJs', false]],
    );
    const recordId = await vscode.commands.executeCommand<string>('lambdaWorkbench.fireSchedule', { name: 'hello-nightly' });
    const parent = await api.ctx.host.request('getInvocation', { id: recordId! });
    assert.equal(parent.kind, 'schedule-fire');
    for (let i = 0; i < 600; i++) {
      const { records } = await api.ctx.host.request('listInvocations', { parentId: recordId! });
      const child = records.find((r) => r.parentId === recordId);
      if (child && child.status !== 'running' && child.status !== 'queued') {
        assert.equal(child.status, 'success');
        assert.equal((child.event as { source?: string }).source, 'aws.events');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail('the fired invocation did not finish');
  });
});
