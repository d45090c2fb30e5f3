// The extension activates for the sample project without starting anything heavy, and every palette
// command of the issue is registered under the "Lambda Workbench" category.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, workbenchApi } from './util';

/** The palette titles issue 5 lists, exactly. */
const PALETTE_TITLES = [
  'Invoke Function…',
  'Debug Function…',
  'Invoke with Event…',
  'Pick Sample Event…',
  'Save Event As…',
  'Open Invocations Panel',
  'Start HTTP API',
  'Stop HTTP API',
  'Put Object to Bucket…',
  'Publish to SNS Topic…',
  'Put Records to Stream…',
  'Send Message to Queue…',
  'Fire Schedule Now…',
  'Set Memory and Timeout…',
  'Restart Host',
];

suite('commands', () => {
  test('the extension is active in a workspace with template.yaml', async () => {
    await workbenchApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
  });

  test('every palette command of the issue is contributed with the category "Lambda Workbench"', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; title: string; category: string }[] };
    };
    const titles = manifest.contributes.commands.map((c) => c.title);
    for (const title of PALETTE_TITLES) assert.ok(titles.includes(title), `missing palette command "${title}"`);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Lambda Workbench', `${c.command} category`);
  });

  test('every contributed command is registered', async () => {
    await workbenchApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.equal(manifest.contributes.commands.length, 17);
  });
});
