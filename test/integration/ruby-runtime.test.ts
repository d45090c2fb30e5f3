// Ruby functions (ruby3.x) through `lambda-workbench invoke` (the runtime is inferred from the .rb
// file): handler resolution, context, Lambda's Ruby errors and logger, limits, cold/warm.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { findRuby } from '../../runtime-host/runtime/launch-ruby';
import { UserError } from '../../runtime-host/runtime/types';
import { DapClient } from './dap-client';
import { functionLines, initLines, invokeCliAt, repoRoot } from './node-bootstrap-helpers';
import { removeDir, helloExampleTests, startServe, type ServeProcess } from './serve-helpers';

const fixtures = join(repoRoot, 'test', 'fixtures', 'ruby');
const rb = (dir: string, handler: string, args: string[] = [], event?: unknown) => invokeCliAt(join(fixtures, dir), handler, args, event);
const TS = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}';

describe('ruby runtime: handlers and context', { timeout: 180_000 }, () => {
  test('file.method: result, context fields, environment, puts unprefixed, Logger with the request id', async () => {
    const { exitCode, output } = await rb('basic', 'app.handler', ['--name', 'rb-fn', '--memory', '512'], { order: 1 });
    assert.equal(exitCode, 0, JSON.stringify(output));
    const result = output.result as Record<string, Record<string, unknown>>;
    assert.deepEqual(result.event, { order: 1 });
    assert.equal(result.greeting as unknown, 'hello from ruby');
    assert.deepEqual(result.context, {
      function_name: 'rb-fn',
      function_version: '$LATEST',
      memory_limit_in_mb: '512',
      aws_request_id: output.requestId,
      invoked_function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:rb-fn',
      log_group_name: '/aws/lambda/rb-fn',
      log_stream_name: result.context.log_stream_name,
      remaining_positive: true,
      identity: null,
      client_context: null,
    });
    assert.match(String(result.context.log_stream_name), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.deepEqual(result.env, { handler: 'app.handler', task_root: join(fixtures, 'basic'), execution_env: 'AWS_Lambda_ruby3.3', trace_id_set: true });
    const lines = functionLines(output);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines[0], 'puts line from the handler');
    assert.match(lines[1]!, new RegExp(`^I, \\[${TS} #\\d+\\]  INFO ${output.requestId} -- : logged by Logger$`));
    assert.ok(initLines(output).includes('init output'));
  });

  test("INIT_START says the local Ruby runs the function when its version differs from the runtime's", async () => {
    const { output } = await rb('basic', 'app.handler');
    const local = findRuby({}, 'ruby3.3').version;
    const [major, minor] = local.split('.');
    assert.equal(
      output.logs[0],
      `INIT_START Runtime Version: ruby:3.3.v${major}.${minor}-local\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:lambda-workbench-local-ruby-${local}`,
    );
  });

  test('file.Module::Class.method calls the class method', async () => {
    const { exitCode, output } = await rb('basic', 'app.Shop::Orders.total', [], { items: [1, 2, 4] });
    assert.equal(exitCode, 0, JSON.stringify(output));
    assert.deepEqual(output.result, { total: 7, request: output.requestId });
  });

  test('warm environment: globals survive; identity and client_context come from the invoke', async () => {
    const invoker = new LambdaInvoker();
    try {
      const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'basic'), name: 'rb-warm' });
      assert.equal(fn.runtime, 'ruby3.3');
      assert.equal(fn.runtimeFamily, 'ruby');
      const first = await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      const second = await invoker.invoke({
        fn,
        event: {},
        trigger: 'manual',
        identity: { cognitoIdentityId: 'id-9', cognitoIdentityPoolId: 'pool-9' },
        clientContext: { custom: { a: 1 } },
      });
      assert.equal(first.status, 'success', JSON.stringify(first.error));
      assert.equal(first.cold, true);
      assert.equal(second.cold, false);
      const r2 = second.result as { invocations: number; context: Record<string, unknown> };
      assert.equal((first.result as { invocations: number }).invocations, 1);
      assert.equal(r2.invocations, 2);
      assert.deepEqual(r2.context.identity, { cognitoIdentityId: 'id-9', cognitoIdentityPoolId: 'pool-9' });
      assert.deepEqual((r2.context.client_context as { custom: unknown }).custom, { a: 1 });
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('ruby runtime: layers', { timeout: 180_000 }, () => {
  test("a layer's ruby/lib is on the load path and its ruby/gems/<version> on GEM_PATH, after vendor/bundle", async () => {
    const layer = join(fixtures, 'layer');
    const { exitCode, output } = await rb('layered', 'app.handler', ['--layer', layer]);
    assert.equal(exitCode, 0, JSON.stringify(output));
    const result = output.result as { from_layer: string; gem_path: string };
    assert.equal(result.from_layer, 'ruby/lib of a layer');
    const abi = findRuby({}, 'ruby3.3').abi;
    assert.equal(result.gem_path, `${join(fixtures, 'layered', 'vendor', 'bundle', 'ruby', abi)}:${join(layer, 'ruby', 'gems', abi)}`);
  });
});

describe('ruby runtime: errors', { timeout: 180_000 }, () => {
  test('an exception: errorType Function<Class>, stackTrace is the backtrace, the error logged as JSON', async () => {
    const { exitCode, output } = await rb('errors', 'app.fails', [], { id: 7 });
    assert.equal(exitCode, 1);
    const file = join(fixtures, 'errors', 'app.rb');
    assert.deepEqual(output.error, {
      errorType: 'Function<OrderError>',
      errorMessage: 'order 7 is not valid',
      trace: [`${file}:8:in \`validate'`, `${file}:4:in \`fails'`],
    });
    const lines = functionLines(output);
    assert.equal(lines.length, 1);
    const [message, ...json] = lines[0]!.split('\r');
    assert.equal(message, 'Error raised from handler method');
    assert.deepEqual(JSON.parse(json.join('\n')), {
      errorMessage: 'order 7 is not valid',
      errorType: 'Function<OrderError>',
      stackTrace: [`${file}:8:in \`validate'`, `${file}:4:in \`fails'`],
    });
    assert.equal(output.report.errorType, 'Function<OrderError>');
  });

  test('a missing gem → Init<LoadError> with INIT_REPORT', async () => {
    const { output } = await rb('errors', 'broken_require.handler');
    assert.deepEqual(output.error, {
      errorType: 'Init<LoadError>',
      errorMessage: 'cannot load such file -- a_gem_that_does_not_exist',
      trace: [`${join(fixtures, 'errors', 'broken_require.rb')}:1:in \`<top (required)>'`],
    });
    assert.ok(initLines(output).some((l) => l.startsWith('Init error when loading handler\r{')));
    assert.ok(output.logs.some((l) => /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Init<LoadError>$/.test(l)));
  });

  test('a syntax error → Init<SyntaxError>', async () => {
    const { output } = await rb('errors', 'syntax.handler');
    assert.equal(output.error?.errorType, 'Init<SyntaxError>');
    assert.match(output.error?.errorMessage ?? '', /syntax\.rb:2: syntax error/);
  });

  test('an exception while the file loads propagates with its own class, after the init output', async () => {
    const { output } = await rb('errors', 'init_raises.handler');
    assert.equal(output.error?.errorType, 'Init<ArgumentError>');
    assert.equal(output.error?.errorMessage, 'missing configuration');
    const init = initLines(output);
    assert.ok(init.indexOf('init starts') >= 0 && init.indexOf('init starts') < init.findIndex((l) => l.startsWith('Init error when loading handler')));
  });

  test('a missing method → Function<NoMethodError>, reported by the invocation', async () => {
    const { output } = await rb('errors', 'app.missing');
    assert.deepEqual(output.error, { errorType: 'Function<NoMethodError>', errorMessage: "undefined method `missing' for main:Object", trace: [] });
    assert.equal(
      output.logs.some((l) => l.startsWith('INIT_REPORT')),
      false,
    );
  });

  test('a malformed handler → an init error naming the accepted forms', async () => {
    const { output } = await rb('basic', 'app.a.b.c');
    assert.equal(output.error?.errorType, 'Init<ArgumentError>');
    assert.match(output.error?.errorMessage ?? '', /must be of form FILENAME\.METHOD or FILENAME\.CLASS\.METHOD/);
  });
});

describe('ruby runtime: limits', { timeout: 180_000 }, () => {
  test('timeout: a CPU-bound loop is killed at the deadline', async () => {
    const { exitCode, output } = await rb('limits', 'app.spins', ['--timeout', '1']);
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${output.requestId} Error: Task timed out after 1.00 seconds`,
      trace: [],
    });
    assert.equal(output.report.status, 'timeout');
  });

  test('out of memory: allocating past the memory size kills the environment', async () => {
    const { exitCode, output } = await rb('limits', 'app.allocates', ['--memory', '128', '--timeout', '60'], { mb: 400 }); // 7% of a core: reaching the limit may take seconds
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Runtime.OutOfMemory');
    assert.equal(output.report.maxMemoryUsedMB, 128);
  });

  test('Max Memory Used is measured: holding 90 MB more shows about 90 MB more', async () => {
    const small = await rb('limits', 'app.holds', ['--memory', '512'], { mb: 10 });
    const large = await rb('limits', 'app.holds', ['--memory', '512'], { mb: 100 });
    assert.equal(small.output.result, 10);
    assert.equal(large.output.result, 100);
    const delta = large.output.report.maxMemoryUsedMB - small.output.report.maxMemoryUsedMB;
    assert.ok(
      delta >= 85 && delta <= 100,
      `expected ~90 MB more, got ${delta} (${small.output.report.maxMemoryUsedMB} → ${large.output.report.maxMemoryUsedMB})`,
    );
  });

  test('debug mode: the debug gem (rdbg) listens; a DAP client stops on a handler line with its variables', async () => {
    const invoker = new LambdaInvoker();
    const source = join(fixtures, 'basic', 'app.rb');
    const line =
      readFileSync(source, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('$invocations += 1')) + 1;
    let dap: DapClient | undefined;
    try {
      const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'basic'), name: 'rb-debug' });
      const target = await invoker.prepareDebug(fn);
      assert.equal(target.kind, 'rdbg');
      dap = await DapClient.connect(target.port);
      const initialized = dap.waitForEvent('initialized');
      await dap.request('initialize', { adapterID: 'rdbg', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      // `launch`, not `attach`: the gem then lets the program run after configurationDone (see extension/debug/dap-socket.ts).
      await dap.request('launch', {});
      await initialized;
      await dap.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line }] });
      await dap.request('configurationDone');
      const before = dap.events.length;

      const running = invoker.invoke({ fn, event: { name: 'ruby' }, trigger: 'debug', debug: true });
      const stopped = await dap.waitForEvent('stopped', (m) => m.body?.reason === 'breakpoint', 60_000, before);
      const at = await dap.stoppedAt(stopped.body!.threadId!);
      assert.equal(at.path, source);
      assert.equal(at.line, line);
      assert.match(at.variables.event ?? '', /"name"\s*=>\s*"ruby"/);
      assert.ok(
        at.framePaths.slice(1).some((p) => p.includes('ruby-bootstrap')),
        'the runtime called the handler (the editor folds those frames away)',
      );
      await dap.request('continue', { threadId: stopped.body!.threadId });
      const record = await running;
      assert.equal(record.status, 'success', JSON.stringify(record.error));
      assert.deepEqual((record.result as { event: unknown }).event, { name: 'ruby' });
      assert.equal(record.cold, true);
      assert.deepEqual(
        record.logs.filter((l) => l.includes('DEBUGGER')),
        [],
        "the debug gem's notices are not the function's log",
      );
    } finally {
      dap?.close();
      await invoker.shutdown();
    }
  });

  test('debug mode without the debug gem: one user error that says what to install', async () => {
    // A Ruby whose gem folders are empty stands for one without the debug gem.
    const bin = mkdtempSync(join(tmpdir(), 'lw-rb-nogems-'));
    writeFileSync(join(bin, 'ruby'), `#!/bin/sh\nGEM_PATH=${bin} GEM_HOME=${bin} exec /usr/bin/ruby "$@"\n`, { mode: 0o755 });
    const invoker = new LambdaInvoker({ hostEnv: { PATH: `${bin}:/usr/bin:/bin` } });
    try {
      const fn = functionFromHandler({ handler: 'app.handler', root: join(fixtures, 'basic'), name: 'rb-no-gem' });
      await assert.rejects(
        invoker.prepareDebug(fn),
        (err: unknown) =>
          err instanceof UserError &&
          err.message === `debugging the Ruby function 'rb-no-gem' needs the debug gem (rdbg), which ${join(bin, 'ruby')} does not find` &&
          /gem install debug/.test(err.hint ?? ''),
      );
    } finally {
      await invoker.shutdown();
      removeDir(bin);
    }
  });

  test('no ruby on PATH: a user error that says what to install', () => {
    assert.throws(
      () => findRuby({ hostEnv: { PATH: '/nonexistent-bin' } }, 'ruby3.3'),
      (err: unknown) =>
        err instanceof UserError &&
        err.message === 'no Ruby interpreter found for ruby3.3 (looked for ruby on PATH)' &&
        /apt-get install ruby/.test(err.hint ?? ''),
    );
  });
});

describe('ruby runtime: examples/hello-ruby served', { timeout: 180_000 }, () => {
  let serve: ServeProcess;
  let stateDir = '';
  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'lw-hello-ruby-'));
    serve = await startServe(['--root', join(repoRoot, 'examples', 'hello-ruby'), '--state-dir', stateDir], { timeoutMs: 60_000 });
  });
  after(async () => {
    await serve?.stop();
    removeDir(stateDir);
  });

  helloExampleTests(() => serve, { functionName: 'HelloRuby', name: 'matz', routeTitle: "answers with the Ruby handler's response", jsonContentType: true });
});
