// Results where the user looks, inside the real extension host: after an invoke, the outcome at the end
// of the handler's line with a hover holding the result and the last log lines; for an error, a
// diagnostic on the line that threw (TypeScript through its source map, Python from its traceback),
// cleared by the next success; Show Result opens the result as read-only JSON; the open panel selects
// the new record; the picker's trigger events come from the template.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { lineOf, projectFile, waitFor, workbenchApi } from './util';

async function invoke(name: string, event: unknown): Promise<InvokeOutput> {
  const output = await vscode.commands.executeCommand<InvokeOutput>('lambdaWorkbench.invokeFunction', { kind: 'function', name }, { event, quiet: true });
  assert.ok(output, `no output from invoking ${name}`);
  return output;
}

async function show(relative: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(vscode.Uri.file(projectFile(relative)), { preview: false });
}

function diagnosticsOf(relative: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(projectFile(relative))).filter((d) => d.source === 'Lambda Workbench');
}

suite('results where you look', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the outcome at the end of the handler line, with the result and the last log lines in its hover', async () => {
    const api = await workbenchApi();
    await show('src/hello.js');
    const output = await invoke('HelloJs', { name: 'Ada' });
    const file = projectFile('src/hello.js');
    const shown = await waitFor('the result at the end of the handler line', () => api.results.shownIn(file).find((s) => s.recordId === output.requestId));
    assert.equal(shown.line, lineOf('src/hello.js', 'exports.handler'));
    assert.match(shown.text, /^✓ [\d.]+ ms · \d+ ms billed · \d+\/128 MB$/);
    assert.match(shown.hover, /Hello, Ada!/);
    assert.match(shown.hover, /INFO greeting Ada/);
    assert.match(shown.hover, /command:lambdaWorkbench\.showResult/);
  });

  test('an error: ✗ on the handler line, a diagnostic on the TypeScript line that threw, cleared by the next success', async () => {
    const api = await workbenchApi();
    await show('src/greet.ts');
    const failed = await invoke('GreetTs', null);
    assert.equal(failed.error?.errorType, 'TypeError');
    const shown = await waitFor('the error at the end of the handler line', () =>
      api.results.shownIn(projectFile('src/greet.ts')).find((s) => s.recordId === failed.requestId),
    );
    assert.match(shown.text, /^✗ TypeError: Cannot read properties of null/);
    const diagnostic = await waitFor('a diagnostic on the throwing line', () => diagnosticsOf('src/greet.ts')[0]);
    assert.equal(diagnostic.range.start.line, lineOf('src/greet.ts', "const name: string = event.name ?? 'world';"));
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /^TypeError: Cannot read properties of null \(reading 'name'\) \(GreetTs\)$/);

    await invoke('GreetTs', { name: 'again' });
    await waitFor('the diagnostic to clear', () => diagnosticsOf('src/greet.ts').length === 0);
    await waitFor('the success at the end of the line', () => api.results.shownIn(projectFile('src/greet.ts')).find((s) => s.text.startsWith('✓')));
  });

  test('a Python error lands on the line of its traceback', async () => {
    const failed = await invoke('PyGreet', ['not', 'a', 'dict']);
    assert.equal(failed.error?.errorType, 'AttributeError');
    const diagnostic = await waitFor('a diagnostic in app.py', () => diagnosticsOf('py/app.py')[0]);
    assert.equal(diagnostic.range.start.line, lineOf('py/app.py', 'name = event.get("name", "world")'));
    await invoke('PyGreet', { name: 'ok' });
    await waitFor('the Python diagnostic to clear', () => diagnosticsOf('py/app.py').length === 0);
  });

  test('Show Result opens the result as read-only JSON', async () => {
    const output = await invoke('HelloJs', { name: 'Result' });
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('lambdaWorkbench.showResult', output.requestId);
    assert.ok(editor, 'no editor');
    assert.equal(editor.document.uri.scheme, 'lambda-workbench-result');
    assert.equal(editor.document.languageId, 'json');
    assert.deepEqual(JSON.parse(editor.document.getText()), { message: 'Hello, Result!', functionName: 'HelloJs' });
    // A content provider's document: no file system can write it.
    assert.notEqual(vscode.workspace.fs.isWritableFileSystem('lambda-workbench-result'), true);
  });

  test('the open panel selects each new invocation', async () => {
    const api = await workbenchApi();
    await vscode.commands.executeCommand('lambdaWorkbench.openPanel');
    const first = await invoke('HelloJs', { name: 'One' });
    await waitFor('the panel to select the first record', () => api.panel.selectedRecordId === first.requestId);
    const second = await invoke('HelloJs', { name: 'Two' });
    await waitFor('the panel to select the second record', () => api.panel.selectedRecordId === second.requestId);
  });

  test("the picker's first events come from the function's own triggers (here HelloJs's schedule)", async () => {
    const api = await workbenchApi();
    const events = await api.ctx.host.request('events.forFunction', { function: 'HelloJs' });
    assert.deepEqual(
      events.triggers.map((t) => t.label),
      ['hello-nightly fires (Schedule)'],
    );
    assert.deepEqual(
      events.saved.map((s) => s.name),
      ['alice'],
    );
    await api.ctx.setEventChoice(
      { kind: 'function', name: 'HelloJs' },
      { kind: 'trigger', trigger: events.triggers[0]!.id, label: 'hello-nightly fires', params: {} },
    );
    try {
      const event = (await api.ctx.resolveEvent({ kind: 'function', name: 'HelloJs' })) as { source?: string; resources?: string[] };
      assert.equal(event.source, 'aws.events');
      assert.deepEqual(event.resources, ['arn:aws:events:us-east-1:123456789012:rule/hello-nightly']);
    } finally {
      await api.ctx.setEventChoice({ kind: 'function', name: 'HelloJs' }, { kind: 'empty' });
    }
  });
});
