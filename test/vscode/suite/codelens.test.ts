// CodeLenses for the sample project: above the template's function resources and above the JS, TS and
// Python handlers the template names, computed from the text without asking the host; titles resolve
// lazily and follow the remembered event; a setting turns them off.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lineOf, projectFile, waitFor, workbenchApi } from './util';

interface LensSummary {
  line: number;
  title: string;
  command: string;
  target: unknown;
}

async function lenses(relative: string): Promise<LensSummary[]> {
  const uri = vscode.Uri.file(projectFile(relative));
  await vscode.workspace.openTextDocument(uri);
  // Resolve every lens (the second argument asks the provider to resolve that many).
  const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return (
    found
      .filter((l) => l.command?.command.startsWith('lambdaWorkbench.'))
      .map((l) => ({ line: l.range.start.line, title: l.command!.title, command: l.command!.command, target: l.command!.arguments?.[0] }))
      // Stable sort: on each line the provider's order, Invoke · Debug · Event.
      .sort((a, b) => a.line - b.line)
  );
}

suite('codelens', () => {
  suiteSetup(async () => {
    const api = await workbenchApi();
    await api.ctx.functions();
    await api.ctx.setEventChoice({ kind: 'function', name: 'GreetTs' }, { kind: 'empty' });
    await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'empty' });
  });

  test('template.yaml: Invoke, Debug and Event above each function resource', async () => {
    const found = await waitFor('lenses in template.yaml', async () => {
      const l = await lenses('template.yaml');
      return l.length === 9 ? l : undefined;
    });
    const hello = lineOf('template.yaml', '  HelloJs:');
    const greet = lineOf('template.yaml', '  GreetTs:');
    const py = lineOf('template.yaml', '  PyGreet:');
    assert.deepEqual(
      found.map((l) => [l.line, l.title, l.command]),
      [
        [hello, '▶ Invoke', 'lambdaWorkbench.invokeFunction'],
        [hello, 'Debug', 'lambdaWorkbench.debugFunction'],
        [hello, 'Event: {} ▾', 'lambdaWorkbench.pickEvent'],
        [greet, '▶ Invoke', 'lambdaWorkbench.invokeFunction'],
        [greet, 'Debug', 'lambdaWorkbench.debugFunction'],
        [greet, 'Event: {} ▾', 'lambdaWorkbench.pickEvent'],
        [py, '▶ Invoke', 'lambdaWorkbench.invokeFunction'],
        [py, 'Debug', 'lambdaWorkbench.debugFunction'],
        [py, 'Event: choose ▾', 'lambdaWorkbench.pickEvent'],
      ],
    );
    assert.deepEqual(found[0].target, { kind: 'function', name: 'HelloJs' });
  });

  test('TypeScript handler: lenses on the exported handler line', async () => {
    const found = await lenses('src/greet.ts');
    const line = lineOf('src/greet.ts', 'export const handler');
    assert.deepEqual(
      found.map((l) => [l.line, l.title]),
      [
        [line, '▶ Invoke'],
        [line, 'Debug'],
        [line, 'Event: {} ▾'],
      ],
    );
    assert.deepEqual(found[0].target, { kind: 'function', name: 'GreetTs' });
  });

  test('JavaScript handler (exports.handler): lenses on its line', async () => {
    const found = await lenses('src/hello.js');
    const line = lineOf('src/hello.js', 'exports.handler');
    assert.deepEqual(
      found.map((l) => l.line),
      [line, line, line],
    );
    assert.deepEqual(found[0].target, { kind: 'function', name: 'HelloJs' });
  });

  test('Python handler (def handler(event, context)): lenses on its line', async () => {
    const found = await lenses('py/app.py');
    const line = lineOf('py/app.py', 'def handler');
    assert.deepEqual(
      found.map((l) => [l.line, l.title]),
      [
        [line, '▶ Invoke'],
        [line, 'Debug'],
        [line, 'Event: choose ▾'],
      ],
    );
    assert.deepEqual(found[0].target, { kind: 'function', name: 'PyGreet' });
  });

  test('lenses come from the file and the template at once, not from an answer of the host', async () => {
    const api = await workbenchApi();
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(projectFile('src/hello.js')));
    // A promise here would mean the lenses wait for something (the host); e2e-instant shows it with no host at all.
    const result: unknown = api.codeLens.provideCodeLenses(document);
    assert.ok(Array.isArray(result), 'provideCodeLenses answered with a promise, not the lenses');
    assert.equal(result.length, 3);
  });

  test('the Event lens shows the remembered choice', async () => {
    const api = await workbenchApi();
    await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'saved', name: 'alice' });
    const found = await lenses('src/hello.js');
    assert.deepEqual(
      found.map((l) => l.title),
      ['▶ Invoke', 'Debug', 'Event: alice ▾'],
    );
    await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'empty' });
  });

  test('lambdaWorkbench.codeLens.enabled = false removes them', async () => {
    const config = vscode.workspace.getConfiguration('lambdaWorkbench');
    await config.update('codeLens.enabled', false, vscode.ConfigurationTarget.Workspace);
    try {
      assert.deepEqual(await lenses('src/greet.ts'), []);
    } finally {
      await config.update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal((await lenses('src/greet.ts')).length, 3);
  });

  test('lenses arrive with their commands: VS Code draws them without a second, debounced resolve round', async () => {
    const uri = vscode.Uri.file(projectFile('src/hello.js'));
    await vscode.workspace.openTextDocument(uri);
    // 0: nothing resolved, the lenses exactly as provided.
    const provided = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 0)) ?? [];
    assert.deepEqual(
      provided.map((l) => l.command?.command),
      ['lambdaWorkbench.invokeFunction', 'lambdaWorkbench.debugFunction', 'lambdaWorkbench.pickEvent'],
    );
  });
});
