// Where the extension puts CodeLenses: exported handlers in JS/TS text, top-level Python functions and
// function resources in a template, all found from the text alone (no host).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExportedFunctions, findResourceLines, modulePathIn, splitHandler } from '../../extension/handler-discovery';
import { findTemplate, functionsInTemplate } from '../../extension/template-read';

test('exported functions in the forms people write, with Lambda-like ones marked', () => {
  const text = [
    'export const handler = async (event, context) => ({ ok: true });', // 0
    'export async function processOrder(event: SQSEvent): Promise<void> {}', // 1
    'export function add(a: number, b: number) { return a + b; }', // 2
    'exports.legacy = async function (evt, ctx) {};', // 3
    'module.exports.other = (_event) => 1;', // 4
    'export const typed: Handler<APIGatewayProxyEvent> = async (event) => ({ statusCode: 200 });', // 5
    'export const single = async event => event;', // 6
    'const notExported = (event) => event;', // 7
    'export const config = { memory: 128 };', // 8
    'export default async function main(event, context) {}', // 9
  ].join('\n');
  assert.deepEqual(findExportedFunctions(text), [
    { name: 'handler', line: 0, lambdaLike: true },
    { name: 'processOrder', line: 1, lambdaLike: true },
    { name: 'add', line: 2, lambdaLike: false },
    { name: 'legacy', line: 3, lambdaLike: true },
    { name: 'other', line: 4, lambdaLike: true },
    { name: 'typed', line: 5, lambdaLike: true },
    { name: 'single', line: 6, lambdaLike: true },
    { name: 'default', line: 9, lambdaLike: true },
  ]);
});

test('function resources are found at the first key level under Resources only', () => {
  const text = [
    'Globals:', // 0
    '  Function:', // 1
    '    Timeout: 3', // 2
    'Resources:', // 3
    '  # the API', // 4
    '  HelloFn:', // 5
    '    Type: AWS::Serverless::Function', // 6
    '    Properties:', // 7
    '      Events:', // 8
    '        OtherFn:', // 9  (nested: not a resource)
    '          Type: Api', // 10
    '', // 11
    '  OtherFn:', // 12
    '    Type: AWS::Serverless::Function', // 13
    'Outputs:', // 14
    '  HelloFn:', // 15 (an output, not the resource)
  ].join('\n');
  assert.deepEqual(
    [...findResourceLines(text, ['HelloFn', 'OtherFn', 'Missing'])],
    [
      ['HelloFn', 5],
      ['OtherFn', 12],
    ],
  );
});

test('module paths under a task root, as handler strings use them', () => {
  assert.equal(modulePathIn('/p/src', '/p/src/app.ts'), 'app');
  assert.equal(modulePathIn('/p/src', '/p/src/lib/orders.mjs'), 'lib/orders');
  assert.equal(modulePathIn('/p/src', '/p/other/app.ts'), undefined);
  assert.equal(modulePathIn('/p/src', '/p/src/node_modules/x/index.js'), undefined);
  assert.equal(modulePathIn('/p/src', '/p/src/readme.md'), undefined);
  assert.deepEqual(splitHandler('src/app.handler'), { modulePath: 'src/app', exportName: 'handler' });
  assert.deepEqual(splitHandler('a.b.c'), { modulePath: 'a.b', exportName: 'c' });
  assert.equal(splitHandler('nohandler'), undefined);
});

test('top-level Python functions, with Lambda-like ones marked; methods and nested defs are not handlers', () => {
  const text = [
    'import json', // 0
    'def handler(event, context):', // 1
    '    def inner(event, context):', // 2
    '        pass', // 3
    'def process(event: dict, context) -> dict:', // 4
    'def helper(a, b):', // 5
    'class Service:', // 6
    '    def handle(self, event, context):', // 7
    'async def not_lambda(event):', // 8
  ].join('\n');
  assert.deepEqual(findExportedFunctions(text, 'python'), [
    { name: 'handler', line: 1, lambdaLike: true },
    { name: 'process', line: 4, lambdaLike: true },
    { name: 'helper', line: 5, lambdaLike: false },
  ]);
  assert.equal(modulePathIn('/p/py', '/p/py/app.py'), 'app');
  assert.equal(modulePathIn('/p/py', '/p/py/.venv/lib/site.py'), undefined);
});

test('the static template read: function resources with Globals, CodeUri against the template folder, intrinsic tags tolerated', () => {
  const text = [
    'Transform: AWS::Serverless-2016-10-31',
    'Globals:',
    '  Function:',
    '    Runtime: nodejs22.x',
    'Resources:',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
    '  HelloFn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: src/',
    '      Handler: app.handler',
    '      Environment:',
    '        Variables:',
    '          BUCKET: !Ref Bucket',
    '  PyFn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      CodeUri: py',
    '      Handler: pkg.app.handler',
    '      Runtime: python3.12',
    '  ImageFn:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      PackageType: Image',
  ].join('\n');
  assert.deepEqual(functionsInTemplate(text, '/p/template.yaml'), [
    { name: 'HelloFn', handler: 'app.handler', codeUri: '/p/src', runtime: 'nodejs22.x', runtimeFamily: 'nodejs', templatePath: '/p/template.yaml' },
    { name: 'PyFn', handler: 'pkg.app.handler', codeUri: '/p/py', runtime: 'python3.12', runtimeFamily: 'python', templatePath: '/p/template.yaml' },
  ]);
  assert.deepEqual(functionsInTemplate('Resources: [unclosed', '/p/template.yaml'), []);
});

test('the template the host would read: the setting, else template.yaml, else template.yml', () => {
  const root = mkdtempSync(join(tmpdir(), 'lwb-template-read-'));
  try {
    assert.equal(findTemplate(root, ''), undefined);
    writeFileSync(join(root, 'template.yml'), 'Resources: {}\n');
    assert.equal(findTemplate(root, ''), join(root, 'template.yml'));
    writeFileSync(join(root, 'template.yaml'), 'Resources: {}\n');
    assert.equal(findTemplate(root, ''), join(root, 'template.yaml'));
    mkdirSync(join(root, 'infra'));
    writeFileSync(join(root, 'infra', 'sam.yaml'), 'Resources: {}\n');
    assert.equal(findTemplate(root, 'infra/sam.yaml'), join(root, 'infra', 'sam.yaml'));
    assert.equal(findTemplate(root, 'infra/missing.yaml'), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
