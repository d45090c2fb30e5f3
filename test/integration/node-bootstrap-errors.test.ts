// Init and invoke errors of the Node bootstrap (lambda-behaviour §1 load errors, §3), through `lambda-workbench invoke`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { consoleLine, functionLines, handlersDir, initLines, invokeCli } from './node-bootstrap-helpers';

/** The `Uncaught Exception` line of a failed init, parsed. */
function uncaughtInitError(output: InvokeOutput): Record<string, unknown> {
  const line = initLines(output).find((l) => /\tundefined\tERROR\tUncaught Exception \t/.test(l));
  assert.ok(line, `an Uncaught Exception line before START in:\n${output.logs.join('\n')}`);
  return JSON.parse(line.split('\tUncaught Exception \t')[1]!.replace(/\r/g, '\n')) as Record<string, unknown>;
}

async function initFailure(fixture: string, handler: string, errorType: string, errorMessage: string | RegExp): Promise<InvokeOutput> {
  const { exitCode, output } = await invokeCli(fixture, handler);
  assert.equal(exitCode, 1);
  assert.equal(output.error?.errorType, errorType);
  if (typeof errorMessage === 'string') assert.equal(output.error?.errorMessage, errorMessage);
  else assert.match(output.error?.errorMessage ?? '', errorMessage);
  // Node's own errors print their code in the stack's first line: `Error [ERR_MODULE_NOT_FOUND]: …`.
  assert.match(output.error?.trace[0] ?? '', new RegExp(`^${errorType.replace(/\./g, '\\.')}(?: \\[\\w+\\])?: `), 'trace starts with the error');
  const logged = uncaughtInitError(output);
  assert.equal(logged.errorType, errorType);
  assert.equal(logged.errorMessage, output.error?.errorMessage);
  assert.ok(Array.isArray(logged.stack));
  assert.ok(
    output.logs.some((l) =>
      new RegExp(`^INIT_REPORT Init Duration: \\d+\\.\\d{2} ms\\tPhase: init\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}$`).test(l),
    ),
    'INIT_REPORT line',
  );
  assert.equal(output.report.status, 'error');
  assert.equal(output.report.errorType, errorType);
  // Lambda measures a failed init's memory too (its REPORT never says 0 MB).
  assert.ok(output.report.maxMemoryUsedMB > 0, `Max Memory Used ${output.report.maxMemoryUsedMB} MB`);
  return output;
}

describe('node bootstrap: init errors', { timeout: 120_000 }, () => {
  test('".." in the handler → Runtime.MalformedHandlerName', async () => {
    await initFailure(
      'cjs',
      '../cjs/app.handler',
      'Runtime.MalformedHandlerName',
      "'../cjs/app.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    );
  });

  test('no dot in the module part → Runtime.MalformedHandlerName "Bad handler"', async () => {
    await initFailure('cjs', 'app', 'Runtime.MalformedHandlerName', 'Bad handler');
  });

  test('syntax error → Runtime.UserCodeSyntaxError', async () => {
    await initFailure('syntax-error', 'app.handler', 'Runtime.UserCodeSyntaxError', "SyntaxError: Unexpected token ';'");
  });

  test('missing handler module → Runtime.ImportModuleError', async () => {
    await initFailure('cjs', 'nothere.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'nothere'\nRequire stack:\n- .+node-bootstrap\.js$/);
  });

  test('module that requires a missing package → Runtime.ImportModuleError', async () => {
    await initFailure(
      'import-missing',
      'app.handler',
      'Runtime.ImportModuleError',
      new RegExp(`^Error: Cannot find module 'a-package-that-is-not-installed'\\nRequire stack:\\n- ${handlersDir}/import-missing/app\\.js\\n`),
    );
  });

  test('ESM module that imports a missing package → plain Error, as the runtime client leaves it', async () => {
    await initFailure(
      'import-missing',
      'esm.handler',
      'Error',
      `Cannot find package 'an-esm-package-that-is-not-installed' imported from ${handlersDir}/import-missing/esm.mjs`,
    );
  });

  test('missing export → Runtime.HandlerNotFound "... is undefined or not exported"', async () => {
    await initFailure('cjs', 'app.missing', 'Runtime.HandlerNotFound', 'app.missing is undefined or not exported');
  });

  test('export that is not a function → Runtime.HandlerNotFound "... is not a function"', async () => {
    await initFailure('cjs', 'app.notAFunction', 'Runtime.HandlerNotFound', 'app.notAFunction is not a function');
  });

  test('an exception at module load propagates unchanged, after the init console output', async () => {
    const output = await initFailure('init-throw', 'app.handler', 'TypeError', 'configuration is missing');
    const init = initLines(output);
    const starts = init.findIndex((l) => consoleLine('undefined', 'INFO', 'init starts').test(l));
    const uncaught = init.findIndex((l) => l.includes('\tUncaught Exception \t'));
    assert.ok(starts >= 0 && starts < uncaught, 'init output comes before the Uncaught Exception line');
  });
});

describe('node bootstrap: invoke errors and crashes', { timeout: 120_000 }, () => {
  test('a thrown Error: body {errorType, errorMessage, trace} and the Invoke Error line', async () => {
    const { exitCode, output } = await invokeCli('callbacks', 'app.throwsSync');
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Error');
    assert.equal(output.error?.errorMessage, 'thrown synchronously');
    assert.equal(output.error?.trace[0], 'Error: thrown synchronously');
    assert.match(output.error?.trace[1] ?? '', /at exports\.throwsSync .*callbacks\/app\.js:27:\d+\)$/);
    const lines = functionLines(output).filter((l) => l.includes('\tERROR\tInvoke Error \t'));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      new RegExp(
        `^\\S+Z\\t${output.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"thrown synchronously","stack":\\["Error: thrown synchronously",`,
      ),
    );
  });

  test('a rejected non-Error value: errorType is its typeof, trace is empty', async () => {
    const { output } = await invokeCli('callbacks', 'app.rejectsString');
    assert.deepEqual(output.error, { errorType: 'string', errorMessage: 'a plain string', trace: [] });
  });

  test('uncaught exception during an invoke: logged, posted as the invoke error, process exits', async () => {
    const { exitCode, output } = await invokeCli('crashes', 'app.uncaught');
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Error');
    assert.equal(output.error?.errorMessage, 'thrown from a timer');
    assert.ok(
      functionLines(output).some((l) =>
        l.startsWith(`${l.slice(0, 24)}\t${output.requestId}\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"thrown from a timer"`),
      ),
    );
  });

  test('unhandled rejection → Runtime.UnhandledPromiseRejection with String(reason)', async () => {
    const { exitCode, output } = await invokeCli('crashes', 'app.unhandled');
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(output.error?.errorMessage, 'Error: nobody handles me');
    assert.equal(output.error?.trace[0], 'Runtime.UnhandledPromiseRejection: Error: nobody handles me');
    assert.ok(functionLines(output).some((l) => l.includes('\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection"')));
  });

  test('a result JSON.stringify cannot serialize → "Unable to stringify response body"', async () => {
    const { output } = await invokeCli('callbacks', 'app.circular');
    assert.equal(output.error?.errorType, 'Error');
    assert.equal(output.error?.errorMessage, 'Unable to stringify response body');
  });

  test('an async handler whose promise never settles and whose loop drains → Runtime.NodeJsExit', async () => {
    const { exitCode, output } = await invokeCli('callbacks', 'app.neverSettles');
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, {
      errorType: 'Runtime.NodeJsExit',
      errorMessage: `RequestId: ${output.requestId} Error: Runtime exited without providing a reason`,
      trace: [`Runtime.NodeJsExit: RequestId: ${output.requestId} Error: Runtime exited without providing a reason`],
    });
  });
});
