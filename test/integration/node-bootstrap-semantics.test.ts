// Invocation semantics (lambda-behaviour §2), the context object and console formats (§4) of the Node bootstrap.
// Single invokes go through `lambda-workbench invoke`; warm-environment behaviour through the host's
// LambdaInvoker (the same core the CLI uses), since one CLI run is one invocation.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { consoleLine, functionLines, handlersDir, initLines, invokeCli } from './node-bootstrap-helpers';
import { waitUntil } from '../helpers/wait';

const NO_WARNING = ['--env', 'AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING=1'];

describe('node bootstrap: callbacks and completion', { timeout: 120_000 }, () => {
  test('callback result waits for the empty event loop (callbackWaitsForEmptyEventLoop default true)', async () => {
    const { exitCode, output } = await invokeCli('callbacks', 'app.waits', NO_WARNING);
    assert.equal(exitCode, 0);
    assert.deepEqual(output.result, { sent: 'after the event loop drained' });
    assert.ok(functionLines(output).some((l) => consoleLine(output.requestId, 'INFO', 'timer fired before the result was sent').test(l)));
  });

  test('callbackWaitsForEmptyEventLoop = false sends at once', async () => {
    const { output } = await invokeCli('callbacks', 'app.noWait', NO_WARNING);
    assert.deepEqual(output.result, { sent: 'immediately', waits: false });
  });

  test('callback(err) fails at once with the error body', async () => {
    const { output } = await invokeCli('callbacks', 'app.error', NO_WARNING);
    assert.equal(output.error?.errorType, 'RangeError');
    assert.equal(output.error?.errorMessage, 'bad range');
  });

  test('callback("string") → errorType "string"', async () => {
    const { output } = await invokeCli('callbacks', 'app.stringError', NO_WARNING);
    assert.deepEqual(output.error, { errorType: 'string', errorMessage: 'just a string', trace: [] });
  });

  test('context.succeed / context.done complete immediately', async () => {
    assert.deepEqual((await invokeCli('callbacks', 'app.succeed')).output.result, { via: 'succeed' });
    assert.deepEqual((await invokeCli('callbacks', 'app.done')).output.result, { via: 'done' });
  });

  test('context.fail(err) and context.fail() ("handled")', async () => {
    assert.equal((await invokeCli('callbacks', 'app.fail')).output.error?.errorMessage, 'via fail');
    assert.deepEqual((await invokeCli('callbacks', 'app.failEmpty')).output.error, { errorType: 'string', errorMessage: 'handled', trace: [] });
  });

  test('first completion wins', async () => {
    const { output } = await invokeCli('callbacks', 'app.firstWins', NO_WARNING);
    assert.equal(output.result, 'first');
  });

  test('neither callback nor promise: null once the loop drains; a returned non-promise is ignored', async () => {
    assert.equal((await invokeCli('callbacks', 'app.nothing', NO_WARNING)).output.result, null);
    assert.equal((await invokeCli('callbacks', 'app.returnsValue', NO_WARNING)).output.result, null);
  });

  test("a callback-style handler gets Lambda's deprecation WARN at init (unless disabled)", async () => {
    const warned = await invokeCli('callbacks', 'app.waits');
    const warning = initLines(warned.output).filter((l) =>
      /\tundefined\tWARN\tAWS Lambda plans to remove support for callback-based function handlers starting with Node\.js 24\./.test(l),
    );
    assert.equal(warning.length, 1);
    assert.ok(warning[0]!.endsWith('To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.'));
    const quiet = await invokeCli('callbacks', 'app.waits', NO_WARNING);
    assert.equal(quiet.output.logs.filter((l) => l.includes('callback-based function handlers')).length, 0);
    const asyncHandler = await invokeCli('cjs', 'app.handler');
    assert.equal(asyncHandler.output.logs.filter((l) => l.includes('callback-based function handlers')).length, 0);
  });
});

describe('node bootstrap: response streaming (awslambda.streamifyResponse, buffered locally)', { timeout: 120_000 }, () => {
  test('a text stream becomes the response body', async () => {
    const { exitCode, output } = await invokeCli('streaming', 'app.text');
    assert.equal(exitCode, 0);
    assert.equal(output.result, 'hello stream');
  });

  test('HttpResponseStream.from: the prelude and body become the HTTP-integration response', async () => {
    const { output } = await invokeCli('streaming', 'app.http', ['--name', 'stream-fn']);
    assert.deepEqual(output.result, {
      statusCode: 201,
      headers: { 'content-type': 'text/csv' },
      cookies: ['a=1'],
      body: 'id,fn\n1,stream-fn\n',
      isBase64Encoded: false,
    });
  });

  test('a stream the handler never ends fails the invocation', async () => {
    const { output } = await invokeCli('streaming', 'app.unfinished');
    assert.deepEqual(output.error, { errorType: 'string', errorMessage: 'Response stream is not finished.', trace: [] });
  });
});

describe('node bootstrap: console formats', { timeout: 120_000 }, () => {
  test('text format: one line per call, levels, util.format, \\n → \\r, undefined request id during init, raw writes unprefixed', async () => {
    const { output } = await invokeCli('console', 'app.handler');
    const id = output.requestId;
    assert.ok(initLines(output).some((l) => consoleLine('undefined', 'INFO', 'during init').test(l)));
    const lines = functionLines(output);
    const expected: Array<RegExp | string> = [
      consoleLine(id, 'INFO', 'log formatted { a: 1 }'),
      consoleLine(id, 'INFO', 'info'),
      consoleLine(id, 'DEBUG', 'debug'),
      consoleLine(id, 'WARN', 'warn'),
      new RegExp(`^\\S+Z\\t${id}\\tERROR\\terror Error: shown with stack\\r    at exports\\.handler \\(.*console/app\\.js:7:\\d+\\)\\r`),
      consoleLine(id, 'TRACE', 'trace'),
      consoleLine(id, 'INFO', 'line one\rline two'),
      'raw stdout line',
    ];
    assert.equal(lines.length, expected.length, lines.join('\n'));
    expected.forEach((e, i) => (typeof e === 'string' ? assert.equal(lines[i], e) : assert.match(lines[i]!, e)));
  });

  test('JSON format with AWS_LAMBDA_LOG_LEVEL=WARN filters lower levels', async () => {
    const { output } = await invokeCli('console', 'app.handler', ['--env', 'AWS_LAMBDA_LOG_FORMAT=JSON', '--env', 'AWS_LAMBDA_LOG_LEVEL=WARN']);
    const id = output.requestId;
    const records = output.logs
      .filter((l) => l.startsWith('{"timestamp"'))
      .map((l) => JSON.parse(l) as { timestamp: string; level: string; requestId: string; message: unknown; errorType?: string; errorMessage?: string });
    assert.deepEqual(
      records.map((r) => [r.level, r.requestId, r.message]),
      [
        ['WARN', id, 'warn'],
        ['ERROR', id, records[1]?.message],
      ],
    );
    for (const r of records) assert.match(r.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.match(String(records[1]?.message), /^error Error: shown with stack\n {4}at /);
    assert.equal(records[1]?.errorType, 'Error');
    assert.equal(records[1]?.errorMessage, 'shown with stack');
    assert.ok(output.logs.includes('raw stdout line'));
  });
});

describe('node bootstrap: warm environment', { timeout: 120_000 }, () => {
  let invoker: LambdaInvoker;
  before(() => {
    invoker = new LambdaInvoker();
  });
  after(async () => {
    await invoker.shutdown();
  });

  test('module state survives, request ids change, identity and clientContext are parsed', async () => {
    const fn = functionFromHandler({ handler: 'app.handler', root: join(handlersDir, 'cjs'), name: 'warm-fn' });
    const first = await invoker.invoke({ fn, event: { n: 1 }, trigger: 'manual' });
    const second = await invoker.invoke({
      fn,
      event: { n: 2 },
      trigger: 'manual',
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      clientContext: { client: { installation_id: 'inst' }, custom: { k: 'v' }, env: {} },
    });
    assert.equal(first.status, 'success');
    assert.equal(second.status, 'success');
    assert.equal(first.cold, true);
    assert.equal(second.cold, false);
    const r1 = first.result as { invocations: number; context: Record<string, unknown> };
    const r2 = second.result as { invocations: number; context: Record<string, unknown> };
    assert.equal(r1.invocations, 1);
    assert.equal(r2.invocations, 2);
    assert.equal(r1.context.awsRequestId, first.requestId);
    assert.equal(r2.context.awsRequestId, second.requestId);
    assert.notEqual(first.requestId, second.requestId);
    assert.equal(r1.context.identity, undefined);
    assert.equal(r1.context.clientContext, undefined);
    assert.deepEqual(r2.context.identity, { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' });
    assert.deepEqual(r2.context.clientContext, { client: { installation_id: 'inst' }, custom: { k: 'v' }, env: {} });
  });

  test('a callback-style handler that waits for the loop serves several invocations in one environment', async () => {
    const fn = functionFromHandler({
      handler: 'app.waits',
      root: join(handlersDir, 'callbacks'),
      name: 'warm-callbacks',
      env: { AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING: '1' },
    });
    for (let i = 0; i < 3; i++) {
      const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      assert.equal(record.status, 'success');
      assert.equal(record.cold, i === 0);
      assert.deepEqual(record.result, { sent: 'after the event loop drained' });
    }
  });

  test('a handled error keeps the environment; a crash ends it and the next invocation is cold in a new one', async () => {
    const fn = functionFromHandler({ handler: 'app.byEvent', root: join(handlersDir, 'crashes'), name: 'warm-crashes' });
    const run = async (what: string) => {
      const record = await invoker.invoke({ fn, event: { do: what }, trigger: 'manual' });
      return { record, result: record.result as { pid: number; invocations: number } | undefined };
    };
    const first = await run('ok');
    assert.equal(first.record.cold, true);
    const handled = await run('throw');
    assert.equal(handled.record.status, 'error');
    assert.equal(handled.record.error?.errorMessage, 'handled by the runtime');
    const afterHandled = await run('ok');
    assert.equal(afterHandled.record.cold, false);
    assert.deepEqual(afterHandled.result, { pid: first.result!.pid, invocations: 3 });

    const pids = new Set([first.result!.pid]);
    for (const [crash, errorType] of [
      ['uncaught', 'Error'],
      ['unhandled', 'Runtime.UnhandledPromiseRejection'],
      ['neverSettles', 'Runtime.NodeJsExit'],
    ] as const) {
      const crashed = await run(crash);
      assert.equal(crashed.record.status, 'error', crash);
      assert.equal(crashed.record.error?.errorType, errorType, crash);
      const next = await run('ok');
      assert.equal(next.record.status, 'success', `after ${crash}: ${JSON.stringify(next.record.error)}`);
      assert.equal(next.record.cold, true, `after ${crash} the next invocation is cold`);
      assert.equal(next.result!.invocations, 1, `after ${crash} module state starts over`);
      assert.ok(!pids.has(next.result!.pid), `after ${crash} a new process serves`);
      pids.add(next.result!.pid);
    }
  });

  test('one environment serves a long run of invocations back to back', async () => {
    const fn = functionFromHandler({ handler: 'app.byEvent', root: join(handlersDir, 'crashes'), name: 'warm-run' });
    const results: { pid: number; invocations: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const record = await invoker.invoke({ fn, event: { do: 'ok' }, trigger: 'manual' });
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.equal(record.cold, i === 0);
      results.push(record.result as { pid: number; invocations: number });
    }
    assert.deepEqual(
      results.map((r) => r.invocations),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.equal(new Set(results.map((r) => r.pid)).size, 1);
  });

  test('debug mode: getRemainingTimeInMillis() stands still while the host has the environment paused (pause file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-pause-'));
    try {
      const fn = functionFromHandler({ handler: 'app.pauseProbe', root: join(handlersDir, 'debug'), name: 'pause-fn', timeout: 20 });
      const { environmentId } = await invoker.prepareDebug(fn);
      const startedFile = join(dir, 'started');
      const invocation = invoker.invoke({ fn, event: { startedFile }, trigger: 'debug', debug: true });
      await waitUntil(() => existsSync(startedFile), 60_000, 'the handler to start');
      invoker.debuggerPaused(environmentId);
      const record = await invocation;
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.deepEqual(record.result, { frozen: true });
      assert.ok((record.pausedMs ?? 0) > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
