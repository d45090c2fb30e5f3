// Custom runtimes (provided.al2023 / provided.al2) and unsupported runtimes. The CLI
// infers provided.al2023 from an executable `bootstrap` in --root; the fixture's bootstrap is a
// shell script that speaks the Runtime API with curl.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { UserError } from '../../runtime-host/runtime/types';
import { functionLines, initLines, invokeCliAt, repoRoot } from './node-bootstrap-helpers';

const fixtures = join(repoRoot, 'test', 'fixtures', 'provided');

describe('custom runtime (provided.al2023)', { timeout: 120_000 }, () => {
  test("the bootstrap gets Lambda's environment and serves the invocation over the Runtime API", async () => {
    const { exitCode, output } = await invokeCliAt(join(fixtures, 'echo'), 'function.handler', ['--name', 'custom-fn', '--memory', '256'], { x: 1 });
    assert.equal(exitCode, 0, JSON.stringify(output));
    assert.deepEqual(output.result, { handler: 'function.handler', function: 'custom-fn', memory: '256', event: { x: 1 } });
    assert.ok(initLines(output).includes(`bootstrap started for handler function.handler in ${join(fixtures, 'echo')}`));
    assert.deepEqual(functionLines(output), [`handling request ${output.requestId}`]);
    assert.match(
      output.logs.at(-1)!,
      new RegExp(
        `^REPORT RequestId: ${output.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t$`,
      ),
    );
  });

  test('an error the runtime posts is the function error', async () => {
    const { exitCode, output } = await invokeCliAt(join(fixtures, 'echo'), 'function.handler', [], { fail: true });
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, { errorType: 'Custom.Failure', errorMessage: 'the event asked to fail', trace: [] });
    assert.equal(output.report.errorType, 'Custom.Failure');
  });

  test('an init error the runtime posts fails the invoke with INIT_REPORT', async () => {
    const { exitCode, output } = await invokeCliAt(join(fixtures, 'init-fails'), 'function.handler');
    assert.equal(exitCode, 1);
    assert.deepEqual(output.error, { errorType: 'Runtime.NoSuchHandler', errorMessage: 'no handler named function.handler', trace: [] });
    assert.ok(output.logs.some((l) => /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Runtime\.NoSuchHandler$/.test(l)));
  });

  test('the timeout kills the custom runtime at the deadline', async () => {
    const { exitCode, output } = await invokeCliAt(join(fixtures, 'echo'), 'function.handler', ['--timeout', '1'], { sleep: true });
    assert.equal(exitCode, 1);
    assert.equal(output.error?.errorType, 'Sandbox.Timedout');
    assert.equal(output.error?.errorMessage, `RequestId: ${output.requestId} Error: Task timed out after 1.00 seconds`);
    assert.equal(output.report.status, 'timeout');
  });

  test('provided.al2 runs the same way; a bootstrap that is not executable is a clear user error', async () => {
    const invoker = new LambdaInvoker();
    try {
      const al2 = { ...functionFromHandler({ handler: 'function.handler', root: join(fixtures, 'echo'), name: 'al2-fn' }), runtime: 'provided.al2' };
      const record = await invoker.invoke({ fn: al2, event: { via: 'al2' }, trigger: 'manual' });
      assert.equal(record.status, 'success');
      assert.deepEqual((record.result as { event: unknown }).event, { via: 'al2' });

      const broken = {
        ...functionFromHandler({ handler: 'function.handler', root: join(fixtures, 'not-executable'), name: 'broken-fn' }),
        runtime: 'provided.al2023',
      };
      await assert.rejects(
        invoker.invoke({ fn: broken, event: {}, trigger: 'manual' }),
        (err: unknown) => err instanceof UserError && err.message === `${join(fixtures, 'not-executable', 'bootstrap')} is not an executable file`,
      );
      const missing = {
        ...functionFromHandler({ handler: 'function.handler', root: join(repoRoot, 'test', 'fixtures', 'python', 'basic'), name: 'missing-fn' }),
        runtime: 'provided.al2023',
      };
      await assert.rejects(
        invoker.invoke({ fn: missing, event: {}, trigger: 'manual' }),
        (err: unknown) =>
          err instanceof UserError && /^runtime provided\.al2023 needs an executable named 'bootstrap' in .+, and there is none$/.test(err.message),
      );
    } finally {
      await invoker.shutdown();
    }
  });
});

describe('unsupported runtimes', { timeout: 60_000 }, () => {
  for (const runtime of ['java8.al2', 'dotnet8', 'go1.x']) {
    test(`${runtime} is refused with a message naming it`, async () => {
      const invoker = new LambdaInvoker();
      try {
        const fn = {
          ...functionFromHandler({ handler: 'app.handler', root: join(repoRoot, 'test', 'fixtures', 'handlers', 'cjs'), name: 'unsupported-fn' }),
          runtime,
        };
        await assert.rejects(invoker.invoke({ fn, event: {}, trigger: 'manual' }), (err: unknown) => {
          assert.ok(err instanceof UserError);
          assert.ok(err.message.startsWith(`runtime '${runtime}' is not supported: `), err.message);
          assert.ok(err.hint?.includes('cannot be run locally'));
          return true;
        });
      } finally {
        await invoker.shutdown();
      }
    });
  }
});
