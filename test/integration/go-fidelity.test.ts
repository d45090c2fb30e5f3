// A Go custom runtime gets what every runtime gets from Lambda: the Runtime API's headers and the
// reserved variables, the timeout, the memory limit (killed past it, Max Memory Used measured), its
// exit and init errors reported as Lambda reports them, cold then warm.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSamTemplate } from '../../runtime-host/functions/sam-template';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { repoRoot } from './node-bootstrap-helpers';
import { REPORT } from './runtime-helpers';
import { removeDir } from './serve-helpers';

const stateDir = mkdtempSync(join(tmpdir(), 'lw-go-fidelity-'));
const invoker = new LambdaInvoker({ stateDir });
const template = loadSamTemplate(join(repoRoot, 'test', 'fixtures', 'go', 'fidelity', 'template.yaml'), { region: 'us-east-1', accountId: '123456789012' });
const fn = (name: string): FunctionInfo => template.functions.find((f) => f.name === name)!;
after(async () => {
  await invoker.shutdown();
  removeDir(stateDir);
});

interface Echo {
  invocations: number;
  requestId: string;
  deadlineMs: string;
  functionArn: string;
  traceId: string;
  nowMs: number;
  env: Record<string, string>;
}

describe('go custom runtime: fidelity', { timeout: 600_000 }, () => {
  before(async () => {
    // The first invoke builds the binary (the Go build cache makes the second function's build a link).
    const warmup = await invoker.invoke({ fn: fn('GoFidelity'), event: {}, trigger: 'manual' });
    assert.equal(warmup.status, 'success', JSON.stringify(warmup.error));
    invoker.retire('GoFidelity');
  });

  test("the Runtime API's headers and Lambda's variables; output unprefixed; REPORT with Init Duration, then warm", async () => {
    const cold = await invoker.invoke({ fn: fn('GoFidelity'), event: {}, trigger: 'manual' });
    assert.equal(cold.status, 'success', JSON.stringify(cold.error));
    const echo = cold.result as Echo;
    assert.equal(echo.requestId, cold.requestId);
    assert.equal(echo.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:GoFidelity');
    assert.match(echo.traceId, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]/);
    const remaining = Number(echo.deadlineMs) - echo.nowMs;
    assert.ok(remaining > 0 && remaining <= 1001, `deadline ${remaining} ms ahead with a 1 s timeout`);
    assert.deepEqual(echo.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'GoFidelity',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/GoFidelity',
      LAMBDA_TASK_ROOT: fn('GoFidelity').codeUri,
      _HANDLER: 'bootstrap',
    });
    assert.ok(cold.logs.includes('fidelity runtime starting'));
    assert.ok(cold.logs.includes(`handling ${cold.requestId}`));
    const report = REPORT.exec(cold.logs.at(-1)!);
    assert.ok(report, cold.logs.at(-1));
    assert.ok(report[7], 'a cold start reports its Init Duration');
    const warm = await invoker.invoke({ fn: fn('GoFidelity'), event: {}, trigger: 'manual' });
    assert.equal(warm.cold, false);
    assert.equal((warm.result as Echo).invocations, 2);
    assert.equal(REPORT.exec(warm.logs.at(-1)!)?.[7], undefined);
  });

  test('an error the runtime posts is the invocation error', async () => {
    const record = await invoker.invoke({ fn: fn('GoFidelity'), event: { mode: 'fail' }, trigger: 'manual' });
    assert.equal(record.status, 'error');
    assert.equal(record.error?.errorType, 'InputError');
    assert.equal(record.error?.errorMessage, 'bad input');
    assert.match(record.logs.at(-1)!, /\tStatus: error\tError Type: InputError$/);
  });

  test('timeout: killed at the deadline with Sandbox.Timedout; the next invoke is cold', async () => {
    const record = await invoker.invoke({ fn: fn('GoFidelity'), event: { mode: 'sleep' }, trigger: 'manual' });
    assert.equal(record.status, 'timeout');
    assert.equal(record.error?.errorType, 'Sandbox.Timedout');
    assert.match(record.error!.errorMessage, /Task timed out after 1\.00 seconds$/);
    assert.equal(record.durationMs, 1000);
    const next = await invoker.invoke({ fn: fn('GoFidelity'), event: {}, trigger: 'manual' });
    assert.equal(next.cold, true);
  });

  test('memory: Max Memory Used grows with what the process holds; past the memory size it is killed', async () => {
    const base = await invoker.invoke({ fn: fn('GoMemory'), event: {}, trigger: 'manual' });
    const holding = await invoker.invoke({ fn: fn('GoMemory'), event: { mode: 'hold' }, trigger: 'manual' });
    assert.equal(holding.status, 'success');
    assert.ok(holding.maxMemoryUsedMB! - base.maxMemoryUsedMB! >= 50, `${base.maxMemoryUsedMB} MB → ${holding.maxMemoryUsedMB} MB holding 60 MB more`);
    const oom = await invoker.invoke({ fn: fn('GoMemory'), event: { mode: 'alloc' }, trigger: 'manual' });
    assert.equal(oom.status, 'outOfMemory');
    assert.equal(oom.error?.errorType, 'Runtime.OutOfMemory');
    assert.equal(oom.maxMemoryUsedMB, 128);
    assert.equal((await invoker.invoke({ fn: fn('GoMemory'), event: {}, trigger: 'manual' })).cold, true);
  });

  test('the runtime exiting mid-invocation → Runtime.ExitError with its exit status', async () => {
    const record = await invoker.invoke({ fn: fn('GoFidelity'), event: { mode: 'exit' }, trigger: 'manual' });
    assert.equal(record.status, 'error');
    assert.equal(record.error?.errorType, 'Runtime.ExitError');
    assert.match(record.error!.errorMessage, /Runtime exited with error: exit status 3/);
  });

  test('an init error the runtime posts: INIT_REPORT for the init phase and again for the invoke phase, that error returned', async () => {
    const record = await invoker.invoke({ fn: fn('GoInitFails'), event: {}, trigger: 'manual' });
    assert.equal(record.status, 'error');
    assert.equal(record.error?.errorType, 'InitFailed');
    assert.equal(record.error?.errorMessage, 'config missing');
    const reports = record.logs.filter((l) => l.startsWith('INIT_REPORT'));
    assert.deepEqual(
      reports.map((l) => l.replace(/\d+\.\d\d ms/, 'X ms')),
      [
        'INIT_REPORT Init Duration: X ms\tPhase: init\tStatus: error\tError Type: InitFailed',
        'INIT_REPORT Init Duration: X ms\tPhase: invoke\tStatus: error\tError Type: InitFailed',
      ],
    );
  });
});
