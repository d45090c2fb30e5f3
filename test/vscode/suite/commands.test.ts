// The extension activates for the sample project without starting anything heavy, every palette
// command is registered under the "Lambda Workbench" category with a name that says what it does, and
// the state folder stays out of the Explorer and search.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, workbenchApi } from './util';

/** The palette titles, exactly: "(Last Event)" says what an invoke sends, "Choose Event…" that it runs nothing. */
const PALETTE_TITLES = [
  'Invoke Function (Last Event)',
  'Debug Function (Last Event)',
  'Invoke with Event…',
  'Choose Event for Function…',
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
  'Tune Memory…',
  'Set Node.js Path…',
  'Set Python Path…',
  'Show Result of Last Invocation',
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
    for (const unclear of ['Invoke Function…', 'Debug Function…', 'Pick Sample Event…']) assert.ok(!titles.includes(unclear), `"${unclear}" is still a title`);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Lambda Workbench', `${c.command} category`);
  });

  test('every contributed command is registered', async () => {
    await workbenchApi();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.equal(manifest.contributes.commands.length, 25);
  });

  test('the extension activates on JavaScript, TypeScript and Python files and on templates anywhere in the folder', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { activationEvents: string[] };
    for (const event of [
      'onLanguage:javascript',
      'onLanguage:typescript',
      'onLanguage:python',
      'workspaceContains:**/template.yaml',
      'workspaceContains:**/template.yml',
    ]) {
      assert.ok(manifest.activationEvents.includes(event), `no activation event ${event}`);
    }
  });

  test('.lambda-workbench/ is hidden from the Explorer and from search by default', () => {
    for (const section of ['files.exclude', 'search.exclude']) {
      const value = vscode.workspace.getConfiguration().get<Record<string, boolean>>(section) ?? {};
      assert.equal(value['**/.lambda-workbench'], true, `${section} has no **/.lambda-workbench`);
    }
  });

  test('Set Python Path… writes lambdaWorkbench.pythonPath', async () => {
    await workbenchApi();
    const config = () => vscode.workspace.getConfiguration('lambdaWorkbench');
    const before = config().inspect<string>('pythonPath')?.globalValue;
    try {
      const written = await vscode.commands.executeCommand<string>('lambdaWorkbench.setPythonPath', '/usr/bin/python3');
      assert.equal(written, '/usr/bin/python3');
      assert.equal(config().get<string>('pythonPath'), '/usr/bin/python3');
    } finally {
      await config().update('pythonPath', before, vscode.ConfigurationTarget.Global);
    }
  });
});
