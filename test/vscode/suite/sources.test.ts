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
});
