// New Function…: the handler, the template resources (the template's own text, comments included, kept
// as it was), a sample event made the function's event, the handler open with its lens, and the function
// invocable at once.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { NewFunctionResult } from '../../../extension/commands/new-function';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { projectFile, waitFor, workbenchApi } from './util';

suite('New Function…', () => {
  let original = '';
  suiteSetup(() => {
    original = readFileSync(projectFile('template.yaml'), 'utf8');
  });
  suiteTeardown(async () => {
    writeFileSync(projectFile('template.yaml'), original);
    for (const p of ['src/orders-api', 'src/thumbnails', 'events/OrdersApi', 'events/Thumbnails']) rmSync(projectFile(p), { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const api = await workbenchApi();
    await api.ctx.refreshFunctions();
  });

  test('TypeScript behind an HTTP API: handler, template resource, sample event, lens, and it runs', async () => {
    const api = await workbenchApi();
    const result = await vscode.commands.executeCommand<NewFunctionResult>('lambdaWorkbench.newFunction', {
      runtime: 'typescript',
      name: 'OrdersApi',
      trigger: 'http',
    });
    assert.ok(result, 'the command returned nothing');
    assert.equal(result.handlerPath, projectFile('src/orders-api/app.ts'));
    assert.equal(result.templateCreated, false);
    assert.equal(result.eventPath, 'events/OrdersApi/get-orders-api.json');

    // The template: the old text untouched, comments included, the new function after it.
    const template = readFileSync(projectFile('template.yaml'), 'utf8');
    assert.ok(template.startsWith(original.trimEnd()), 'the template text before the new resource is unchanged');
    assert.ok(template.includes('# Disabled, so it fires only from "Fire Schedule Now…".'), 'comments kept');
    assert.equal(
      template.slice(original.trimEnd().length),
      [
        '',
        '',
        '  OrdersApi:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      CodeUri: src/orders-api/',
        '      Handler: app.handler',
        '      Events:',
        '        Api:',
        '          Type: HttpApi',
        '          Properties:',
        '            Path: /orders-api',
        '            Method: get',
        '    Metadata:',
        '      BuildMethod: esbuild',
        '      BuildProperties:',
        '        Target: es2022',
        '        EntryPoints:',
        '          - app.ts',
        '',
      ].join('\n'),
    );

    // The handler: typed inline (the project has no @types/aws-lambda), open at its export, with its lens.
    const handler = readFileSync(result.handlerPath, 'utf8');
    assert.match(handler, /^export const handler = async \(event: \{ rawPath: string; queryStringParameters\?: .*\}\) => \{$/m);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, result.handlerPath);
    const lenses = await waitFor('the lens on the new handler', async () => {
      const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(result.handlerPath), 10)) ?? [];
      const titles = found.map((l) => l.command?.title);
      return titles.includes('▶ Invoke') ? found : undefined;
    });
    assert.deepEqual(lenses.find((l) => l.command?.title === '▶ Invoke')?.command?.arguments?.[0], { kind: 'function', name: 'OrdersApi' });
    assert.equal(lenses[0]!.range.start.line, vscode.window.activeTextEditor!.selection.active.line);

    // The sample event is the HTTP API request of its route, and the one ▶ Invoke sends.
    const event = JSON.parse(readFileSync(projectFile(result.eventPath!), 'utf8')) as { routeKey: string; rawPath: string };
    assert.equal(event.routeKey, 'GET /orders-api');
    assert.equal(event.rawPath, '/orders-api');
    assert.deepEqual(api.ctx.eventChoice({ kind: 'function', name: 'OrdersApi' }), { kind: 'saved', name: 'get-orders-api' });
    await waitFor('the host to know OrdersApi', async () => (await api.ctx.refreshFunctions()).some((f) => f.name === 'OrdersApi'), 30_000);
    const output = await vscode.commands.executeCommand<InvokeOutput>(
      'lambdaWorkbench.invokeFunction',
      { kind: 'function', name: 'OrdersApi' },
      { quiet: true },
    );
    assert.equal(output?.report.status, 'success', JSON.stringify(output?.error));
    const response = output.result as { statusCode: number; body: string };
    assert.equal(response.statusCode, 200);
    assert.deepEqual(JSON.parse(response.body), { message: 'Hello, world!', path: '/orders-api' });
  });

  test('Python with an S3 trigger adds the bucket too; a taken name is refused before anything is written', async () => {
    const result = await vscode.commands.executeCommand<NewFunctionResult>('lambdaWorkbench.newFunction', {
      runtime: 'python',
      name: 'Thumbnails',
      trigger: 's3',
    });
    assert.equal(result?.handlerPath, projectFile('src/thumbnails/app.py'));
    const template = readFileSync(projectFile('template.yaml'), 'utf8');
    assert.match(template, /\n {2}ThumbnailsBucket:\n {4}Type: AWS::S3::Bucket\n\n {2}Thumbnails:\n {4}Type: AWS::Serverless::Function\n/);
    assert.match(template, /\n {6}Runtime: python3\.12\n/);
    assert.match(template, /\n {12}Bucket: !Ref ThumbnailsBucket\n {12}Events: s3:ObjectCreated:\*\n/);
    assert.match(readFileSync(result.handlerPath, 'utf8'), /^def handler\(event, context\):$/m);
    const event = JSON.parse(readFileSync(projectFile(result.eventPath!), 'utf8')) as { Records: { s3: { bucket: { name: string } } }[] };
    assert.equal(event.Records[0]!.s3.bucket.name, 'ThumbnailsBucket');

    const before = readFileSync(projectFile('template.yaml'), 'utf8');
    const again = await vscode.commands.executeCommand('lambdaWorkbench.newFunction', { runtime: 'javascript', name: 'HelloJs', trigger: 'none' });
    assert.equal(again, undefined);
    assert.equal(readFileSync(projectFile('template.yaml'), 'utf8'), before);
    assert.equal(existsSync(projectFile('src/hello-js')), false);
  });
});
