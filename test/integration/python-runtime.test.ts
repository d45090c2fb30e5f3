// Python functions through `lambda-workbench invoke` (the runtime is inferred from the
// .py module): handler resolution, Lambda's Python errors, context, logging, limits.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { findPythonInterpreter, pythonLaunchSpec } from '../../runtime-host/runtime/launch-python';
import { UserError } from '../../runtime-host/runtime/types';
import { functionLines, initLines, invokeCliAt, repoRoot } from './node-bootstrap-helpers';

const fixtures = join(repoRoot, 'test', 'fixtures', 'python');
const py = (dir: string, handler: string, args: string[] = [], event?: unknown) => invokeCliAt(join(fixtures, dir), handler, args, event);
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

describe('python runtime: handlers and context', { timeout: 180_000 }, () => {
  test('module.function: result, context fields, environment, print() unprefixed', async () => {
    const { exitCode, output } = await py('basic', 'app.handler', ['--name', 'py-fn', '--memory', '512'], { order: 1 });
    assert.equal(exitCode, 0, JSON.stringify(output));
    const result = output.result as Record<string, Record<string, unknown>>;
    assert.deepEqual(result.event, { order: 1 });
    assert.equal(result.invocations as unknown, 1);
    assert.deepEqual(result.context, {
      function_name: 'py-fn',
      function_version: '$LATEST',
      memory_limit_in_mb: '512',
      aws_request_id: output.requestId,
      invoked_function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:py-fn',
      log_group_name: '/aws/lambda/py-fn',
      log_stream_name: result.context.log_stream_name,
      remaining_positive: true,
      identity_id: null,
      client_custom: null,
    });
    assert.match(String(result.context.log_stream_name), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.deepEqual(result.env, { handler: 'app.handler', task_root: join(fixtures, 'basic'), trace_id_set: true, execution_env: 'AWS_Lambda_python3.12' });
    assert.deepEqual(functionLines(output), ['print line from the handler']);
  });

  test('sub-packages with relative imports (pkg/sub/mod.handler)', async () => {
    const { output } = await py('basic', 'pkg/sub/mod.handler');
    assert.equal(output.result, 'sub-package works');
  });

  test('Decimal results serialize as numbers', async () => {
    const { output } = await py('errors', 'app.decimals');
    assert.deepEqual(output.result, { price: 1.5 });
  });

  test('warm environment: module state survives; identity and client_context come from the invoke', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'basic'), name: 'py-warm' });
      assert.equal(fn.runtime, 'python3.12');
      const first = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      const second = await invoker.invoke({
        fn,
        event: {},
        trigger: 'manual',
        identity: { cognitoIdentityId: 'id-9', cognitoIdentityPoolId: 'pool-9' },
        clientContext: { custom: { a: 1 } },
      });
      assert.equal(first.cold, true);
      assert.equal(second.cold, false);
      const r2 = second.result as { invocations: number; context: Record<string, unknown> };
      assert.equal((first.result as { invocations: number }).invocations, 1);
      assert.equal(r2.invocations, 2);
      assert.equal(r2.context.identity_id, 'id-9');
      assert.deepEqual(r2.context.client_custom, { a: 1 });
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('python runtime: errors', { timeout: 180_000 }, () => {
  test("an exception: errorType is the class name, stackTrace is Lambda's list of frames, [ERROR] log line", async () => {
    const { exitCode, output } = await py('errors', 'app.fails', [], { id: 7 });
    assert.equal(exitCode, 1);
    const file = join(fixtures, 'errors', 'app.py');
    assert.equal(output.error?.errorType, 'OrderError');
    assert.equal(output.error?.errorMessage, 'order 7 is not valid');
    assert.equal(output.error?.trace.length, 2);
    assert.ok(output.error?.trace[0]!.startsWith(`  File "${file}", line 9, in fails\n    return validate(event)\n`));
    assert.equal(output.error?.trace[1], `  File "${file}", line 13, in validate\n    raise OrderError("order %s is not valid" % event.get("id"))\n`);
    const lines = functionLines(output);
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.startsWith('[ERROR] OrderError: order 7 is not valid\rTraceback (most recent call last):\r  File '));
    assert.equal(output.report.errorType, 'OrderError');
  });

  test('missing module → Runtime.ImportModuleError at init', async () => {
    const { output } = await py('errors', 'broken_import.handler');
    assert.deepEqual(output.error, {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Unable to import module 'broken_import': No module named 'a_module_that_does_not_exist'",
      trace: [],
    });
    assert.ok(
      initLines(output).includes(
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'broken_import': No module named 'a_module_that_does_not_exist'\rTraceback (most recent call last):",
      ),
    );
    assert.ok(
      output.logs.some((l) => /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Runtime\.ImportModuleError$/.test(l)),
    );
  });

  test('syntax error → Runtime.UserCodeSyntaxError', async () => {
    const { output } = await py('errors', 'syntax.handler');
    assert.equal(output.error?.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(output.error?.errorMessage ?? '', /^Syntax error in module 'syntax': .+ \(syntax\.py, line 2\)$/);
    assert.deepEqual(output.error?.trace, [`  File "${join(fixtures, 'errors', 'syntax.py')}" Line 2\n        return {oops: }\n`]);
  });

  test("missing function → Runtime.HandlerNotFound (reported by the invocation, as Lambda's Python runtime does)", async () => {
    const { output } = await py('errors', 'app.missing');
    assert.deepEqual(output.error, { errorType: 'Runtime.HandlerNotFound', errorMessage: "Handler 'missing' missing on module 'app'", trace: [] });
    assert.equal(
      output.logs.some((l) => l.startsWith('INIT_REPORT')),
      false,
    );
  });

  test('an exception at import propagates with its own type, after the init output', async () => {
    const { output } = await py('errors', 'init_raises.handler');
    assert.equal(output.error?.errorType, 'ValueError');
    assert.equal(output.error?.errorMessage, 'missing configuration');
    assert.match(output.error?.trace.at(-1) ?? '', /init_raises\.py", line 2, in <module>\n/);
    const init = initLines(output);
    assert.ok(
      init.indexOf('init starts') >= 0 && init.indexOf('init starts') < init.findIndex((l) => l.startsWith('[ERROR] ValueError: missing configuration\r')),
    );
  });

  test('a result json cannot serialize → Runtime.MarshalError', async () => {
    const { output } = await py('errors', 'app.unserializable');
    assert.equal(output.error?.errorType, 'Runtime.MarshalError');
    assert.match(output.error?.errorMessage ?? '', /^Unable to marshal response: .*not JSON serializable$/);
  });
});

describe('python runtime: logging', { timeout: 180_000 }, () => {
  test('logging is prefixed [LEVEL]\\t<ISO ts>\\t<requestId>\\t; root level WARNING as in Lambda; one record per line', async () => {
    const { output } = await py('logs', 'app.handler');
    const id = output.requestId;
    assert.ok(initLines(output).some((l) => new RegExp(`^\\[WARNING\\]\\t${ISO}\\t\\twarning during init$`).test(l)));
    const lines = functionLines(output);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.equal(lines[0], 'plain print');
    assert.match(lines[1]!, new RegExp(`^\\[WARNING\\]\\t${ISO}\\t${id}\\twarned formatted$`));
    assert.match(lines[2]!, new RegExp(`^\\[ERROR\\]\\t${ISO}\\t${id}\\ttwo\\rlines$`));
  });

  test('INFO shows once the function lowers the level', async () => {
    const { output } = await py('logs', 'app.verbose');
    assert.match(functionLines(output)[0] ?? '', new RegExp(`^\\[INFO\\]\\t${ISO}\\t${output.requestId}\\tinfo after setLevel$`));
  });

  test('AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL=INFO', async () => {
    const { output } = await py('logs', 'app.handler', ['--env', 'AWS_LAMBDA_LOG_FORMAT=JSON', '--env', 'AWS_LAMBDA_LOG_LEVEL=INFO']);
    const records = output.logs.filter((l) => l.startsWith('{"timestamp"')).map((l) => JSON.parse(l) as Record<string, string>);
    assert.deepEqual(
      records.map((r) => [r.level, r.message, r.logger, r.requestId]),
      [
        ['WARN', 'warning during init', 'root', ''],
        ['WARN', 'warned formatted', 'root', output.requestId],
        ['INFO', 'info is below the default level', 'root', output.requestId],
        ['ERROR', 'two\nlines', 'root', output.requestId],
      ],
    );
  });
});

describe('python runtime: limits', { timeout: 180_000 }, () => {
  test('timeout: a CPU-bound loop is killed at the deadline', async () => {
    const { exitCode, output } = await py('limits', 'app.spins', ['--timeout', '1']);
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${output.requestId} Error: Task timed out after 1.00 seconds`,
      trace: [],
    });
    assert.equal(output.report.status, 'timeout');
    assert.equal(output.report.durationMs, 1000);
  });

  test('out of memory: allocating past the memory size kills the environment', async () => {
    const { exitCode, output } = await py('limits', 'app.allocates', ['--memory', '128', '--timeout', '60'], { mb: 400 }); // 7% of a core: reaching the limit may take seconds
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Runtime.OutOfMemory');
    assert.equal(output.report.maxMemoryUsedMB, 128);
    assert.equal(output.report.errorType, 'Runtime.OutOfMemory');
  });

  test('Max Memory Used is measured: holding 90 MB more shows about 90 MB more', async () => {
    const small = await py('limits', 'app.holds', ['--memory', '512'], { mb: 10 });
    const large = await py('limits', 'app.holds', ['--memory', '512'], { mb: 100 });
    assert.equal(small.output.result, 10);
    assert.equal(large.output.result, 100);
    const delta = large.output.report.maxMemoryUsedMB - small.output.report.maxMemoryUsedMB;
    assert.ok(
      delta >= 85 && delta <= 96,
      `expected ~90 MB more, got ${delta} (${small.output.report.maxMemoryUsedMB} → ${large.output.report.maxMemoryUsedMB})`,
    );
  });
});

describe('python runtime: interpreter lookup and debug mode', { timeout: 60_000 }, () => {
  test('no interpreter: the message names everything that was looked for', () => {
    assert.throws(
      () => findPythonInterpreter('python3.12', { pythonPath: '/nonexistent/python', hostEnv: { PATH: '/nonexistent-bin' } }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          'no Python interpreter found for python3.12 (looked for python3.12 on PATH, the pythonPath setting (/nonexistent/python), python3 on PATH)',
    );
  });

  test('the pythonPath setting is used when python3.X is not on PATH', () => {
    assert.equal(findPythonInterpreter('python3.12', { pythonPath: '/usr/bin/python3', hostEnv: { PATH: '/nonexistent-bin' } }), '/usr/bin/python3');
  });

  test('debug mode: starts bootstrap.py under debugpy on the debug port, with an interpreter that has debugpy', () => {
    const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'basic') });
    const spec = pythonLaunchSpec(fn, {
      runtimeApi: '127.0.0.1:1',
      region: 'us-east-1',
      accountId: '123456789012',
      logStreamName: 'x',
      debugPort: 45678,
    });
    assert.deepEqual(spec.args.slice(0, 3), ['-m', 'debugpy', '--listen']);
    assert.equal(spec.args[3], '127.0.0.1:45678');
    assert.match(spec.args[4]!, /dist\/runtime\/python-bootstrap\/bootstrap\.py$/);
    assert.equal(spec.env._HANDLER, 'app.handler');
  });

  test('debug mode: the environment really runs under debugpy and serves invocations', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'app.debug_state', root: join(fixtures, 'basic'), name: 'py-debug' });
      const record = await invoker.invoke({ fn, event: {}, trigger: 'debug', debug: true });
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.deepEqual(record.result, { debugpy: true, remaining_positive: true });
    } finally {
      await invoker.shutdown();
    }
  });
});
