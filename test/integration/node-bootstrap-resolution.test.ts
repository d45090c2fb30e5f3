// Handler resolution (lambda-behaviour §1) and TypeScript handlers (§1 Decision), through `lambda-workbench invoke`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { handlersDir, invokeCli } from './node-bootstrap-helpers';

describe('node bootstrap: handler resolution', { timeout: 120_000 }, () => {
  test('CommonJS module: result, context fields and environment', async () => {
    const { exitCode, output } = await invokeCli('cjs', 'app.handler', ['--name', 'resolver-fn', '--memory', '256'], { hello: 'world' });
    assert.equal(exitCode, 0);
    const result = output.result as Record<string, Record<string, unknown>>;
    assert.deepEqual(result.event, { hello: 'world' });
    assert.equal(result.invocations as unknown, 1);
    assert.deepEqual(result.context, {
      functionName: 'resolver-fn',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:resolver-fn',
      awsRequestId: output.requestId,
      logGroupName: '/aws/lambda/resolver-fn',
      logStreamName: result.context.logStreamName,
      remainingPositive: true,
      remainingAtMostTimeout: true,
      callbackWaitsForEmptyEventLoop: true,
    });
    assert.match(String(result.context.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.deepEqual(result.env, { handler: 'app.handler', traceIdSet: 'string', taskRoot: join(handlersDir, 'cjs') });
  });

  test('dotted export path resolves nested properties', async () => {
    const { exitCode, output } = await invokeCli('cjs', 'app.nested.deeper.fn');
    assert.equal(exitCode, 0);
    assert.equal(output.result, 'from nested.deeper.fn');
  });

  test('ESM .mjs with top-level await completes during init', async () => {
    const { output } = await invokeCli('esm-tla', 'app.handler');
    assert.deepEqual(output.result, { ready: 'ready during init', kind: 'mjs' });
  });

  test('.js in a "type": "module" package is imported as ESM, from a subdirectory', async () => {
    const { output } = await invokeCli('type-module', 'src/app.handler');
    assert.deepEqual(output.result, { kind: 'esm .js', isEsm: true });
  });

  test('.cjs is required', async () => {
    const { output } = await invokeCli('cjs-extension', 'app.handler');
    assert.deepEqual(output.result, { kind: 'cjs' });
  });

  test('nested directories in the handler string', async () => {
    const { output } = await invokeCli('nested', 'src/api/app.handler');
    assert.deepEqual(output.result, { where: 'src/api/app.js' });
  });

  test('a file with no extension wins over app.js', async () => {
    const { output } = await invokeCli('extensionless', 'app.handler');
    assert.deepEqual(output.result, { kind: 'extensionless' });
  });
});

describe('node bootstrap: TypeScript handlers', { timeout: 120_000 }, () => {
  test('.ts (CommonJS) importing another .ts file, announced as a local convenience on the host log, not in the Lambda log', async () => {
    const { exitCode, output, stderr } = await invokeCli('ts-cjs', 'app.handler', [], { name: 'Ada' });
    assert.equal(exitCode, 0);
    assert.deepEqual(output.result, { message: 'hello Ada from ts' });
    assert.deepEqual(
      output.logs.filter((l) => l.includes('[lambda-workbench]')),
      [],
    );
    assert.match(output.logs[0]!, /^INIT_START /);
    const notice = stderr.split('\n').filter((l) => l.includes('[lambda-workbench]'));
    assert.equal(notice.length, 1, stderr);
    assert.match(
      notice[0]!,
      /^\[lambda-workbench\] INFO app-handler: compiling TypeScript handler app\.ts with esbuild [\d.]+ \(a local convenience: Lambda itself runs only JavaScript; deploy compiled code\)$/,
    );
  });

  test('errors thrown in TypeScript point at the .ts line (inline source maps)', async () => {
    const { exitCode, output } = await invokeCli('ts-cjs', 'app.fails');
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Error');
    assert.equal(output.error?.errorMessage, 'thrown in TypeScript');
    assert.equal(output.error?.trace[0], 'Error: thrown in TypeScript');
    assert.match(output.error?.trace[1] ?? '', new RegExp(`\\(${join(handlersDir, 'ts-cjs', 'app.ts').replace(/[.]/g, '\\.')}:6:9\\)$`));
  });

  test('.ts in a "type": "module" package: ESM with top-level await, ./x.js and extensionless imports of .ts files', async () => {
    const { output } = await invokeCli('ts-esm', 'app.handler');
    assert.equal(output.result, 'tla:ESM:ts…:undefined');
  });

  test('.mts importing another .mts', async () => {
    const { output } = await invokeCli('ts-mts', 'app.handler', [], { n: 21 });
    assert.equal(output.result, 42);
  });

  test('.cts requiring another .cts', async () => {
    const { output } = await invokeCli('ts-cts', 'app.handler');
    assert.equal(output.result, 'cts via require, module type object');
  });

  test('compiled output is cached by content hash', async () => {
    const cache = join(tmpdir(), 'lambda-workbench', 'ts-cache', 'typescript');
    rmSync(cache, { recursive: true, force: true });
    await invokeCli('ts-mts', 'app.handler', [], { n: 1 });
    // app.mts and twice.mts: one file each, named by the hash of their content.
    const files = readdirSync(cache);
    assert.equal(files.length, 2);
    for (const f of files) assert.match(f, /^[0-9a-f]{64}\.js$/);
    await invokeCli('ts-mts', 'app.handler', [], { n: 1 });
    assert.deepEqual(readdirSync(cache).sort(), files.sort());
    // Each carries an inline source map whose source is the absolute .ts path (where VS Code binds breakpoints).
    const sources = files.map((f) => {
      const code = readFileSync(join(cache, f), 'utf8');
      const map = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code);
      assert.ok(map, `${f} has an inline source map`);
      return (JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8')) as { sources: string[] }).sources;
    });
    assert.deepEqual(sources.flat().sort(), [join(handlersDir, 'ts-mts', 'app.mts'), join(handlersDir, 'ts-mts', 'twice.mts')]);
  });
});
