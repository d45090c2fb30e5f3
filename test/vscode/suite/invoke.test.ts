// An invoke through the palette command reaches the host, runs the handler as Lambda would, and
// produces a record the host keeps; the status bar shows the outcome and billed duration.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { nextFinished, waitFor, workbenchApi } from './util';

suite('invoke', () => {
  test('Invoke Function… with an explicit event returns the handler result and a record', async () => {
    const api = await workbenchApi();
    const finished = nextFinished(api, (r) => r.functionName === 'HelloJs' && r.kind === 'invocation');
    const output = await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'Ada' }, quiet: true },
    );
    assert.ok(output, 'the command returned no output');
    assert.deepEqual(output.result, { message: 'Hello, Ada!', functionName: 'HelloJs' });
    assert.equal(output.functionName, 'HelloJs');
    assert.equal(output.report.status, 'success');
    assert.equal(output.report.memorySizeMB, 128);
    assert.ok(Number.isInteger(output.report.billedDurationMs) && output.report.billedDurationMs >= 1, `billed ${output.report.billedDurationMs}`);
    assert.ok(
      output.logs.some((l) => /\tINFO\tgreeting Ada$/.test(l)),
      `logs: ${output.logs.join(' | ')}`,
    );
    assert.ok(output.logs.some((l) => l.startsWith(`REPORT RequestId: ${output.requestId}`)));

    const record = await finished;
    assert.equal(record.id, output.requestId);
    assert.equal(record.status, 'success');
    assert.equal(record.trigger, 'manual');
    assert.deepEqual(record.event, { name: 'Ada' });
    assert.equal(record.billedDurationMs, output.report.billedDurationMs);

    // The host keeps it: it is the newest record of the function.
    const page = await api.ctx.host.request('listInvocations', { function: 'HelloJs', limit: 5 });
    assert.equal(page.records[0]?.id, output.requestId);

    // Status bar: last outcome with the billed duration.
    await waitFor('status bar to show the invocation', () => api.statusBar.item.text.includes(`HelloJs ${output.report.billedDurationMs} ms billed`));
  });

  test('without an explicit event the remembered saved event is sent', async () => {
    const api = await workbenchApi();
    await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'saved', name: 'alice' });
    try {
      const output = await vscode.commands.executeCommand<InvokeOutput>(
        'lambdaWorkbench.invokeFunction',
        { kind: 'function', name: 'HelloJs' },
        { quiet: true },
      );
      assert.deepEqual(output?.result, { message: 'Hello, Alice!', functionName: 'HelloJs' });
    } finally {
      await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'empty' });
    }
  });

  test('the TypeScript handler runs (compiled by the host) and Set Memory and Timeout… applies', async () => {
    const api = await workbenchApi();
    const target = { kind: 'function', name: 'GreetTs' };
    assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.setMemoryAndTimeout', target, { memorySizeMB: 256 }), true);
    try {
      const output = await vscode.commands.executeCommand<InvokeOutput>('lambdaWorkbench.invokeFunction', target, { event: { name: 'TS' }, quiet: true });
      assert.deepEqual(output?.result, { greeting: 'Hello, TS!' });
      assert.equal(output?.report.memorySizeMB, 256);
    } finally {
      await api.ctx.setOverrides({ kind: 'function', name: 'GreetTs' }, {});
    }
  });
});
