// What the template uses that is not emulated is in the Problems panel at its line, and on the function
// in the Functions view — never first met as a failure at request time.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lineOf, projectFile, waitFor, workbenchApi } from './util';

suite('template problems', () => {
  test('an unemulated property is a warning in the Problems panel at its template line', async () => {
    const api = await workbenchApi();
    await api.ctx.functions();
    const template = vscode.Uri.file(projectFile('template.yaml'));
    const diagnostic = await waitFor('the EphemeralStorage warning', () =>
      vscode.languages.getDiagnostics(template).find((d) => d.message.includes('EphemeralStorage')),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.source, 'Lambda Workbench');
    assert.equal(diagnostic.range.start.line, lineOf('template.yaml', 'EphemeralStorage:'));
  });

  test('the function it belongs to says so in the Functions view', async () => {
    const api = await workbenchApi();
    await api.ctx.functions();
    const py = (await api.functionsView.getChildren()).find((n) => n.type === 'function' && n.fn.name === 'PyGreet')!;
    const item = api.functionsView.getTreeItem(py);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Not emulated locally[\s\S]*EphemeralStorage/);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.color, 'the icon has the warning colour');
  });
});
