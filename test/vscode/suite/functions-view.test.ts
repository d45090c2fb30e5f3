// The activity-bar Functions view: the template's functions with memory/timeout and runtime, their
// event sources and recent invocations as children, Invoke/Debug as inline actions.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { EXTENSION_ID, workbenchApi } from './util';

suite('functions view', () => {
  test('lists every function with memory, timeout and runtime', async () => {
    const api = await workbenchApi();
    const roots = await api.functionsView.getChildren();
    const items = roots.filter((n) => n.type === 'function').map((n) => api.functionsView.getTreeItem(n));
    assert.deepEqual(
      items.map((i) => [i.label, i.description, i.contextValue]),
      [
        ['HelloJs', '128 MB · 3 s · nodejs22.x', 'lambdaFunction'],
        ['GreetTs', '128 MB · 2 s · nodejs22.x', 'lambdaFunction'],
        ['PyGreet', '128 MB · 3 s · python3.11', 'lambdaFunction'],
      ],
    );
  });

  test('recent invocations appear under their function and open the panel on that record', async () => {
    const api = await workbenchApi();
    const output = await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'View' }, quiet: true },
    );
    const hello = (await api.functionsView.getChildren()).find((n) => n.type === 'function' && n.fn.name === 'HelloJs')!;
    const groups = await api.functionsView.getChildren(hello);
    const recentGroup = groups.find((g) => g.type === 'group' && g.group === 'recent')!;
    const recent = await api.functionsView.getChildren(recentGroup);
    const first = api.functionsView.getTreeItem(recent[0]!);
    assert.equal(first.id, `invocation:${output!.requestId}`);
    assert.match(String(first.label), /^success/);
    assert.deepEqual(first.command?.arguments, [{ select: output!.requestId }]);
    assert.equal(first.command?.command, 'lambdaWorkbench.openPanel');
  });

  test('Invoke and Debug are inline actions on a function item; Fire Now on a schedule, Pause or Resume on the schedules', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when: string; group: string }[]> };
    };
    const inline = manifest.contributes.menus['view/item/context']!.filter((m) => m.group.startsWith('inline')).map((m) => [m.command, m.when]);
    assert.deepEqual(inline, [
      ['lambdaWorkbench.invokeFunction', 'view == lambdaWorkbench.functions && viewItem == lambdaFunction'],
      ['lambdaWorkbench.debugFunction', 'view == lambdaWorkbench.functions && viewItem == lambdaFunction'],
      ['lambdaWorkbench.fireSchedule', 'view == lambdaWorkbench.functions && viewItem == schedule'],
      ['lambdaWorkbench.toggleSchedules', 'view == lambdaWorkbench.functions && viewItem == schedules'],
    ]);
  });

  test('lists the schedules with their state; Fire Now takes the item, Pause or Resume flips them all without a restart', async () => {
    const api = await workbenchApi();
    const schedulesNode = (await api.functionsView.getChildren()).find((n) => n.type === 'schedules');
    assert.ok(schedulesNode, 'a Schedules node below the functions');
    const [nightly] = await api.functionsView.getChildren(schedulesNode);
    const item = api.functionsView.getTreeItem(nightly!);
    assert.deepEqual([item.label, item.description, item.contextValue], ['hello-nightly', 'disabled', 'schedule']);
    // The inline action hands the command the node itself.
    const recordId = await vscode.commands.executeCommand<string>('lambdaWorkbench.fireSchedule', nightly);
    assert.equal((await api.ctx.host.request('getInvocation', { id: recordId! })).kind, 'schedule-fire');

    const ws = api.ctx.host.state.kind === 'ready' ? api.ctx.host.state.ready.ws : undefined;
    try {
      assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.toggleSchedules'), false);
      for (let i = 0; i < 100 && !(await api.ctx.host.request('schedule.list', undefined)).paused; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await api.ctx.host.request('schedule.list', undefined)).paused, true);
      const paused = (await api.functionsView.getChildren()).find((n) => n.type === 'schedules')!;
      assert.equal(api.functionsView.getTreeItem(paused).description, 'paused');
    } finally {
      assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.toggleSchedules'), true);
    }
    for (let i = 0; i < 100 && (await api.ctx.host.request('schedule.list', undefined)).paused; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await api.ctx.host.request('schedule.list', undefined)).paused, false);
    // The same host throughout: the setting reached it without a restart.
    assert.equal(api.ctx.host.state.kind === 'ready' ? api.ctx.host.state.ready.ws : undefined, ws);
  });

  test('Send Message to Queue… queues a message and the view shows the queue with its depth', async () => {
    const api = await workbenchApi();
    const messageId = await vscode.commands.executeCommand<string>('lambdaWorkbench.sendMessage', { queue: 'inbox', body: '{"hello":"view"}' });
    assert.match(messageId ?? '', /^[0-9a-f-]{36}$/);
    const queuesNode = (await api.functionsView.getChildren()).find((n) => n.type === 'queues');
    assert.ok(queuesNode, 'a Queues node below the functions');
    const [inbox] = await api.functionsView.getChildren(queuesNode);
    const item = api.functionsView.getTreeItem(inbox!);
    assert.equal(item.label, 'inbox');
    assert.equal(item.description, '1 visible · 0 in flight');
  });

  test('Tables: a table with its item count, its items, one opened read-only as JSON, Put Item… and Delete Item', async () => {
    const api = await workbenchApi();
    const item = { id: { S: 'n-1' }, text: { S: 'hello' } };
    assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.putItem', { table: 'notes', item }), true);
    const tablesNode = (await api.functionsView.getChildren()).find((n) => n.type === 'tables');
    assert.ok(tablesNode, 'a Tables node below the functions');
    const [notes] = await api.functionsView.getChildren(tablesNode);
    const tableItem = api.functionsView.getTreeItem(notes!);
    assert.deepEqual([tableItem.label, tableItem.description, tableItem.contextValue], ['notes', '1 item', 'dynamoDbTable']);
    const [first] = await api.functionsView.getChildren(notes);
    const itemNode = api.functionsView.getTreeItem(first!);
    assert.equal(itemNode.label, 'id=n-1');
    assert.equal(itemNode.command?.command, 'vscode.open');
    const doc = await vscode.workspace.openTextDocument(itemNode.command!.arguments![0] as vscode.Uri);
    assert.deepEqual(JSON.parse(doc.getText()), item);
    assert.equal(doc.uri.scheme, 'lambda-workbench-item');
    assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.deleteItem', { ...first, confirm: false }), true);
    const after = (await api.functionsView.getChildren()).find((n) => n.type === 'tables');
    assert.equal(api.functionsView.getTreeItem((await api.functionsView.getChildren(after))[0]!).description, '0 items');
  });
});
