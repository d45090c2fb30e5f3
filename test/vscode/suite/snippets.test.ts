// Handler snippets: JavaScript and Python from contributes.snippets; TypeScript typed with the handler
// types of @types/aws-lambda once the project has it, with the event's shape written out before.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { projectFile, workbenchApi } from './util';

async function openScratch(relative: string, text: string): Promise<vscode.TextEditor> {
  mkdirSync(projectFile('snippets-scratch'), { recursive: true });
  writeFileSync(projectFile(relative), text);
  return vscode.window.showTextDocument(vscode.Uri.file(projectFile(relative)), { preview: false });
}

async function completions(editor: vscode.TextEditor): Promise<vscode.CompletionItem[]> {
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, end);
  return list?.items ?? [];
}

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function insertText(item: vscode.CompletionItem | undefined): string {
  const t = item?.insertText;
  return t instanceof vscode.SnippetString ? t.value : (t ?? '');
}

suite('handler snippets', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(projectFile('snippets-scratch'), { recursive: true, force: true });
    rmSync(projectFile('package.json'), { force: true });
  });

  test('TypeScript: lambda-http and friends, typed with @types/aws-lambda only when the project has it', async () => {
    await workbenchApi();
    const editor = await openScratch('snippets-scratch/api.ts', 'lambda');
    const plain = (await completions(editor)).filter((i) => labelOf(i).startsWith('lambda-'));
    assert.deepEqual(plain.map(labelOf).sort(), ['lambda-handler', 'lambda-http', 'lambda-s3', 'lambda-schedule', 'lambda-sqs']);
    const http = insertText(plain.find((i) => labelOf(i) === 'lambda-http'));
    assert.doesNotMatch(http, /aws-lambda/);
    assert.match(http, /^export const \$\{1:handler\} = async \(event: \{ rawPath: string;/);

    writeFileSync(projectFile('package.json'), JSON.stringify({ name: 'scratch', devDependencies: { '@types/aws-lambda': '^8.10.0' } }));
    const typed = (await completions(editor)).filter((i) => labelOf(i).startsWith('lambda-'));
    const typedHttp = insertText(typed.find((i) => labelOf(i) === 'lambda-http'));
    assert.match(
      typedHttp,
      /^import type \{ APIGatewayProxyHandlerV2 \} from 'aws-lambda';\n\nexport const \$\{1:handler\}: APIGatewayProxyHandlerV2 = async \(event\) => \{/,
    );
    assert.match(insertText(typed.find((i) => labelOf(i) === 'lambda-sqs')), /SQSHandler/);

    // Accepting it writes the handler into the file.
    await editor.edit((b) => b.delete(editor.document.lineAt(0).range));
    await editor.insertSnippet(new vscode.SnippetString(typedHttp));
    assert.match(editor.document.getText(), /export const handler: APIGatewayProxyHandlerV2 = async \(event\) => \{\n {2}return \{\n {4}statusCode: 200,/);
  });

  test('Python and JavaScript: the contributed snippets insert by name', async () => {
    const py = await openScratch('snippets-scratch/handler.py', '');
    await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'python', name: 'Lambda handler (SQS)' });
    assert.match(py.document.getText(), /^def handler\(event, context\):\n {4}failures = \[\]\n/);
    assert.match(py.document.getText(), /return \{"batchItemFailures": failures\}/);

    const js = await openScratch('snippets-scratch/handler.mjs', '');
    await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'javascript', name: 'Lambda handler (HTTP API)' });
    assert.match(
      js.document.getText(),
      /^\/\*\* @type \{import\('aws-lambda'\)\.APIGatewayProxyHandlerV2\} \*\/\nexport const handler = async \(event\) => \{/,
    );
  });
});
