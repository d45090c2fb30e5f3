// The invocations panel opened from the command and from the status bar is the same panel showing the
// same data: the records the webview receives from the host through the extension's relay.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { waitFor, workbenchApi } from './util';

async function closePanel(): Promise<void> {
  const api = await workbenchApi();
  if (!api.panel.isOpen) return;
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await waitFor('the panel to close', () => !api.panel.isOpen, 30_000);
}

/** Waits until the webview has asked for history and received the record `id`; returns what it received. */
async function receivedAfterOpening(id: string): Promise<string[]> {
  const api = await workbenchApi();
  return waitFor(
    `the panel to receive record ${id}`,
    () => {
      const ids = api.panel.deliveredRecordIds();
      return ids.includes(id) ? ids : undefined;
    },
    60_000,
  );
}

suite('panel', () => {
  let output: InvokeOutput;

  suiteSetup(async () => {
    output = (await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'Panel' }, quiet: true },
    ))!;
    assert.ok(output?.requestId);
    await closePanel();
  });

  suiteTeardown(closePanel);

  test('opened from the command and from the status bar, the panel shows the same records', async () => {
    const api = await workbenchApi();
    assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.openPanel'), true);
    const fromCommand = new Set(await receivedAfterOpening(output.requestId));
    await closePanel();

    const item = api.statusBar.item;
    assert.match(item.text, /HelloJs \d+ ms billed/);
    const command = item.command as vscode.Command;
    assert.equal(command.command, 'lambdaWorkbench.openPanel');
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    const fromStatusBar = new Set(await receivedAfterOpening(output.requestId));

    assert.deepEqual([...fromStatusBar].sort(), [...fromCommand].sort());
    assert.ok(fromCommand.has(output.requestId));
  });

  test('a new invocation reaches the open panel live', async () => {
    const api = await workbenchApi();
    if (!api.panel.isOpen) await vscode.commands.executeCommand('lambdaWorkbench.openPanel');
    const next = await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'Live' }, quiet: true },
    );
    await receivedAfterOpening(next!.requestId);
  });
});
