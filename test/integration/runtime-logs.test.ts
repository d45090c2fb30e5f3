// Log lines of real invocations: the function's lines always come before END (stdout pipe vs the
// Runtime API response), the JSON log format, and the environment a function sees (lambda-behaviour §2).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { CORE_FIXTURES, fixtureFunction, REPORT } from './runtime-helpers';

const invoker = new LambdaInvoker();
after(() => invoker.shutdown());

test('every line the function wrote before returning comes before END, in order, warm and cold', async () => {
  const fn = fixtureFunction('basic/app.manyLines', { name: 'chatty' });
  for (let round = 0; round < 4; round++) {
    const lines = 3000;
    const record = await invoker.invoke({ fn, event: { lines, width: 120 }, trigger: 'manual' });
    assert.equal(record.status, 'success');
    const start = record.logs.indexOf(`START RequestId: ${record.requestId} Version: $LATEST`);
    const end = record.logs.indexOf(`END RequestId: ${record.requestId}`);
    assert.ok(start >= 0 && end > start);
    const body = record.logs.slice(start + 1, end);
    assert.equal(body.length, lines + 1, `round ${round}: ${body.length} lines between START and END`);
    for (let i = 0; i < lines; i++) assert.match(body[i]!, new RegExp(`\\tINFO\\tline ${i} x{120}$`));
    assert.equal(body[lines], 'no newline at the end', 'a direct write without a newline is kept, unprefixed');
    assert.ok(REPORT.test(record.logs[end + 1]!));
    assert.equal(record.logs.length, end + 2);
  }
});

test('AWS_LAMBDA_LOG_FORMAT=JSON: platform lines are JSON objects', async () => {
  const fn = fixtureFunction('basic/app.echo', { name: 'jsonlogs', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
  const record = await invoker.invoke({ fn, event: { a: 1 }, trigger: 'manual' });
  assert.equal(record.status, 'success');
  const parsed = record.logs.map((l) => JSON.parse(l) as { type?: string; time?: string; record?: Record<string, unknown> });
  const types = parsed.map((p) => p.type).filter(Boolean);
  assert.deepEqual(types, ['platform.initStart', 'platform.start', 'platform.runtimeDone', 'platform.report']);
  const report = parsed.find((p) => p.type === 'platform.report')!;
  assert.match(report.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(report.record, {
    requestId: record.requestId,
    status: 'success',
    metrics: {
      durationMs: record.durationMs,
      billedDurationMs: record.billedDurationMs,
      memorySizeMB: 128,
      maxMemoryUsedMB: record.maxMemoryUsedMB,
      initDurationMs: record.initDurationMs,
    },
  });
  assert.deepEqual(parsed.find((p) => p.type === 'platform.start')!.record, { requestId: record.requestId, version: '$LATEST' });
});

test('the environment: Lambda variables (reserved ones win), function variables, node flags for the memory size', async () => {
  const fn = fixtureFunction('basic/app.env', {
    name: 'envcheck',
    memory: 256,
    timeout: 7,
    env: { MY_SETTING: 'on', NODE_OPTIONS: '--no-deprecation' },
  });
  // The configuration refuses reserved variables (reserved-variables.ts); should one reach a launch anyway, Lambda's value wins.
  fn.environment['AWS_REGION'] = 'mars-north-1';
  const record = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
  assert.equal(record.status, 'success');
  const { env, execArgv } = record.result as { env: Record<string, string>; execArgv: string[] };
  assert.equal(env['_HANDLER'], 'basic/app.env');
  assert.equal(env['AWS_REGION'], 'us-east-1', 'reserved variables cannot be overridden');
  assert.equal(env['AWS_DEFAULT_REGION'], 'us-east-1');
  assert.equal(env['AWS_EXECUTION_ENV'], 'AWS_Lambda_nodejs22.x');
  assert.equal(env['AWS_LAMBDA_FUNCTION_NAME'], 'envcheck');
  assert.equal(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '256');
  assert.equal(env['AWS_LAMBDA_FUNCTION_VERSION'], '$LATEST');
  assert.equal(env['AWS_LAMBDA_INITIALIZATION_TYPE'], 'on-demand');
  assert.equal(env['AWS_LAMBDA_LOG_GROUP_NAME'], '/aws/lambda/envcheck');
  assert.match(env['AWS_LAMBDA_LOG_STREAM_NAME']!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.match(env['AWS_LAMBDA_RUNTIME_API']!, /^127\.0\.0\.1:\d+$/);
  assert.equal(env['LAMBDA_TASK_ROOT'], CORE_FIXTURES);
  assert.ok(env['LAMBDA_RUNTIME_DIR']);
  assert.equal(env['TZ'], ':UTC');
  assert.equal(env['LANG'], 'en_US.UTF-8');
  assert.equal(env['MY_SETTING'], 'on');
  assert.equal(env['NODE_OPTIONS'], '--no-deprecation');
  // Lambda's bootstrap flags for 256 MB: semi space 256/10/2 = 12, old space 256 - 25 = 231.
  assert.deepEqual(execArgv.slice(0, 5), ['--expose-gc', '--max-http-header-size', '81920', '--max-semi-space-size=12', '--max-old-space-size=231']);
});

test('host notices from the environment ([lambda-workbench] lines on stderr) go to the host log, not the Lambda log', async () => {
  const notices: [string, string][] = [];
  const own = new LambdaInvoker({ hostLog: (level, message) => notices.push([level, message]) });
  try {
    const fn = functionFromHandler({ handler: 'app.handler', root: join(__dirname, '../fixtures/handlers/ts-cjs'), name: 'ts-notice' });
    const cold = await own.invoke({ fn, event: { name: 'Ada' }, trigger: 'manual' });
    assert.equal(cold.status, 'success');
    assert.equal(cold.cold, true);
    // Nothing of ours between INIT_START and START: the cold log is what Lambda would show.
    assert.match(cold.logs[0]!, /^INIT_START Runtime Version: nodejs:22\.v\d+-local\t/);
    assert.equal(cold.logs[1], `START RequestId: ${cold.requestId} Version: $LATEST`);
    assert.deepEqual(
      cold.logs.filter((l) => l.includes('lambda-workbench]')),
      [],
    );
    assert.equal(notices.length, 1);
    assert.equal(notices[0]![0], 'info');
    assert.match(
      notices[0]![1],
      /^ts-notice: compiling TypeScript handler app\.ts with esbuild [\d.]+ \(a local convenience: Lambda itself runs only JavaScript; deploy compiled code\)$/,
    );
    const warm = await own.invoke({ fn, event: { name: 'Bo' }, trigger: 'manual' });
    assert.equal(warm.cold, false);
    assert.equal(notices.length, 1, 'announced once per environment');
  } finally {
    await own.shutdown();
  }
});
