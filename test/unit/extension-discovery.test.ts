// Where the extension puts CodeLenses: exported handlers in JS/TS text and function resources in a
// template, found from the text alone (which function a file serves comes from the host).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findExportedFunctions, findResourceLines, modulePathIn, splitHandler } from '../../extension/handler-discovery';

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
