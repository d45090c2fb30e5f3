// The durable-execution engine on a ManualClock, with a scripted stand-in for the SDK (it checkpoints
// through the engine exactly as the SDK does through the endpoint): waits come due only when the clock
// says so, skipped waits still count against ExecutionTimeout, callbacks time out, and Lambda's checkpoint
// rules are enforced. The real SDK is in test/integration/durable-executions.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { DurableExecutions } from '../../runtime-host/durable/engine';
import { Execution } from '../../runtime-host/durable/execution';
import { type DurableApiError, type OperationUpdate } from '../../runtime-host/durable/model';
import { ManualClock } from '../../runtime-host/events/schedule/clock';
import type { FunctionCatalog, RecordBook } from '../../runtime-host/host-context';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import type { InvocationEvents, InvokeRequest, Invoker } from '../../runtime-host/runtime/types';
import { waitUntil } from '../helpers/wait';
import { removeDir } from '../integration/serve-helpers';

type Input = { DurableExecutionArn: string; CheckpointToken: string; InitialExecutionState: { Operations: { Id: string; Status: string; Type: string }[] } };
type Script = (input: Input, checkpoint: (updates: OperationUpdate[]) => Promise<{ Id: string; Status: string }[]>) => Promise<unknown>;

const fn = (executionTimeoutSeconds = 86_400): FunctionInfo => ({
  name: 'Flow',
  handler: 'app.handler',
  codeUri: '/tmp',
  runtime: 'nodejs22.x',
  runtimeFamily: 'nodejs',
  supported: true,
  memorySizeMB: 128,
  timeoutSeconds: 3,
  architecture: 'x86_64',
  environment: {},
  events: [],
  origin: { kind: 'handler' },
  durableConfig: { executionTimeoutSeconds, retentionPeriodInDays: 14 },
});

/** An engine whose "function" is `script`, run in-process on each invocation. */
function harness(script: Script, options: { skipWaits?: boolean; timeout?: number } = {}) {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const records = new Map<string, InvocationRecord>();
  const book: RecordBook = { open: (r) => void records.set(r.id, r), close: (r) => void records.set(r.id, r), get: (id) => records.get(id) };
  const fnInfo = fn(options.timeout);
  const functions: FunctionCatalog = {
    list: () => [fnInfo],
    get: (n) => (n === 'Flow' ? fnInfo : undefined),
    onDidChange: () => () => {},
    resources: () => ({}),
  };
  const invocations: Input[] = [];
  const started: ((r: InvocationRecord) => void)[] = [];
  let engine: DurableExecutions;
  const invoker: Invoker = {
    async invoke(request: InvokeRequest) {
      const input = request.event as Input;
      invocations.push(input);
      const id = `req-${invocations.length}`;
      const record = {
        id,
        requestId: id,
        kind: 'invocation',
        status: 'running',
        source: request.source,
        timestamps: { queuedAt: clock.now() },
      } as unknown as InvocationRecord;
      for (const l of started) l(record);
      const checkpoint = async (updates: OperationUpdate[]) => {
        const out = (await engine.checkpoint(input.DurableExecutionArn, input.CheckpointToken, updates, undefined)) as {
          NewExecutionState: { Operations: { Id: string; Status: string }[] };
        };
        return out.NewExecutionState.Operations;
      };
      try {
        record.result = await script(input, checkpoint);
        record.status = 'success';
      } catch (err) {
        record.status = 'error';
        record.error = { errorType: 'Error', errorMessage: (err as Error).message, trace: [] };
      }
      return record;
    },
    retire() {},
    cancel: () => false,
    debuggerPaused() {},
    debuggerResumed() {},
    on<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]) {
      if (event === 'started') started.push(listener as (r: InvocationRecord) => void);
      return this;
    },
    off() {
      return this;
    },
    async shutdown() {},
  };
  const stateDir = mkdtempSync(join(tmpdir(), 'lw-durable-unit-'));
  engine = new DurableExecutions({
    functions,
    invoker,
    records: book,
    region: 'us-east-1',
    accountId: '123456789012',
    stateDir,
    log: { info() {}, warn() {}, error() {}, debug() {} },
    clock,
    invocationRetryDelaysMs: [1000],
    ...(options.skipWaits ? { skipWaits: true } : {}),
  });
  const start = async (name = 'run-1') => {
    await engine.start();
    return engine.startExecution({ fn: fnInfo, qualifier: '$LATEST', name, input: '{"n":1}', trigger: 'manual' });
  };
  const cleanup = async () => {
    await engine.close();
    removeDir(stateDir);
  };
  return { engine, clock, invocations, records, start, cleanup, stateDir };
}

const has = (input: Input, id: string, status: string) => input.InitialExecutionState.Operations.some((o) => o.Id === id && o.Status === status);

/** A handler that waits `seconds` once, then succeeds. */
const waitOnce =
  (seconds: number): Script =>
  async (input, checkpoint) => {
    if (has(input, 'w1', 'SUCCEEDED')) return { Status: 'SUCCEEDED', Result: '"woke"' };
    if (!input.InitialExecutionState.Operations.some((o) => o.Id === 'w1')) {
      await checkpoint([{ Id: 'w1', Type: 'WAIT', SubType: 'Wait', Name: 'nap', Action: 'START', WaitOptions: { WaitSeconds: seconds } }]);
    }
    return { Status: 'PENDING' };
  };

describe('durable engine (manual clock)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('invokes again only when a wait is due on the clock', async () => {
    const h = harness(waitOnce(3600));
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.invocations.length === 1 && h.engine.list()[0]!.invocationCount === 1, 5000, 'the first invocation');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.invocations.length, 1, 'nothing runs while the wait is not due');
    assert.equal(h.engine.list()[0]!.nextWakeAt, h.clock.now() + 3_600_000);
    h.clock.advance(3_599_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.invocations.length, 1);
    h.clock.advance(1000);
    const view = await started.done;
    assert.equal(view.status, 'SUCCEEDED');
    assert.equal(view.result, '"woke"');
    assert.equal(h.invocations.length, 2);
    assert.deepEqual((h.invocations[1] as unknown as { UpdatedOperationIds: string[] }).UpdatedOperationIds, ['w1']);
    assert.equal(view.skippedMs, 0);
  });

  it('skipped waits end at once but count against ExecutionTimeout, as the real wait would', async () => {
    const h = harness(waitOnce(3600), { skipWaits: true, timeout: 600 });
    cleanup = h.cleanup;
    const view = await (await h.start()).done;
    assert.equal(view.status, 'TIMED_OUT');
    assert.equal(view.error?.ErrorType, 'Execution.TimedOut');
    assert.ok(view.skippedMs >= 3_599_000);

    const ok = harness(waitOnce(3600), { skipWaits: true });
    const done = await (await ok.start()).done;
    assert.equal(done.status, 'SUCCEEDED');
    assert.equal(done.operations.find((o) => o.name === 'nap')!.skippedMs, 3_600_000);
    assert.equal(done.invocations[1]!.skippedMs, 3_600_000);
    await ok.cleanup();
  });

  it('skip waits for one execution completes its pending wait now', async () => {
    const h = harness(waitOnce(86_400), { timeout: 172_800 });
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.engine.list()[0]?.nextWakeAt !== undefined && h.engine.list()[0]!.invocationCount === 1, 5000, 'the wait');
    const live = h.engine.find('run-1')!;
    assert.equal(h.engine.skipWaits(live, false), 1);
    const view = await started.done;
    assert.equal(view.status, 'SUCCEEDED');
    assert.equal(view.skippedMs, 86_400_000);
  });

  it('a callback times out on the clock, and the execution runs again to see it', async () => {
    const h = harness(async (input, checkpoint) => {
      const cb = input.InitialExecutionState.Operations.find((o) => o.Id === 'cb');
      if (cb?.Status === 'TIMED_OUT') return { Status: 'FAILED', Error: { ErrorType: 'CallbackTimeoutError', ErrorMessage: 'timed out' } };
      if (!cb) await checkpoint([{ Id: 'cb', Type: 'CALLBACK', SubType: 'Callback', Action: 'START', CallbackOptions: { TimeoutSeconds: 60 } }]);
      return { Status: 'PENDING' };
    });
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.engine.list()[0]?.pendingCallbacks.length === 1 && h.engine.list()[0]!.invocationCount === 1, 5000, 'the callback');
    h.clock.advance(60_000);
    const view = await started.done;
    assert.equal(view.status, 'FAILED');
    assert.equal(view.operations[0]!.status, 'TIMED_OUT');
    assert.deepEqual(
      view.events.map((e) => e.EventType),
      ['ExecutionStarted', 'CallbackStarted', 'InvocationCompleted', 'CallbackTimedOut', 'InvocationCompleted', 'ExecutionFailed'],
    );
  });

  it('heartbeats keep a callback open past its heartbeat timeout; without them it times out', async () => {
    const h = harness(async (input, checkpoint) => {
      const cb = input.InitialExecutionState.Operations.find((o) => o.Id === 'cb');
      if (cb && cb.Status !== 'STARTED') return { Status: 'SUCCEEDED', Result: JSON.stringify(cb.Status) };
      if (!cb) await checkpoint([{ Id: 'cb', Type: 'CALLBACK', SubType: 'Callback', Action: 'START', CallbackOptions: { HeartbeatTimeoutSeconds: 30 } }]);
      return { Status: 'PENDING' };
    });
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.engine.list()[0]?.pendingCallbacks.length === 1 && h.engine.list()[0]!.invocationCount === 1, 5000, 'the callback');
    const callbackId = h.engine.list()[0]!.pendingCallbacks[0]!.callbackId;
    h.clock.advance(20_000);
    await h.engine.callbackHeartbeat(callbackId);
    h.clock.advance(20_000);
    assert.equal(h.engine.list()[0]!.status, 'RUNNING', 'the heartbeat moved the deadline');
    assert.equal(h.engine.list()[0]!.pendingCallbacks.length, 1);
    h.clock.advance(10_000);
    const view = await started.done;
    assert.equal(view.result, '"TIMED_OUT"');
    assert.equal(view.operations[0]!.error?.ErrorMessage, 'Callback timed out on heartbeat');
    await assert.rejects(
      h.engine.callbackSuccess(callbackId, Buffer.from('1')),
      (err: DurableApiError) => err.type === 'CallbackTimeoutException' || err.type === 'InvalidParameterValueException',
    );
  });

  it('an invocation that crashes is retried, then the execution fails', async () => {
    const h = harness(async () => {
      throw new Error('boom');
    });
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.invocations.length === 1 && h.engine.list()[0]!.invocationCount === 1, 5000, 'the first invocation');
    await new Promise((r) => setTimeout(r, 20));
    h.clock.advance(1000);
    const view = await started.done;
    assert.equal(view.status, 'FAILED');
    assert.deepEqual(
      view.invocations.map((i) => [i.outcome, i.wokenBy]),
      [
        ['error', ['start']],
        ['error', ['invocation-retry']],
      ],
    );
    assert.equal(view.error?.ErrorMessage, 'boom');
  });

  it('PENDING with nothing pending fails the execution; a handler that is not wrapped too', async () => {
    const h = harness(async () => ({ Status: 'PENDING' }));
    cleanup = h.cleanup;
    const view = await (await h.start()).done;
    assert.equal(view.status, 'FAILED');
    assert.match(view.error!.ErrorMessage!, /PENDING while no operation was pending/);
    const plain = harness(async () => ({ hello: 'world' }));
    const v2 = await (await plain.start()).done;
    assert.equal(v2.error?.ErrorType, 'InvalidDurableExecutionOutput');
    await plain.cleanup();
  });

  it('a stale checkpoint token, an unknown execution and a second start of a name are refused', async () => {
    const h = harness(waitOnce(10));
    cleanup = h.cleanup;
    const started = await h.start();
    await waitUntil(() => h.engine.list()[0]!.invocationCount === 1 && h.engine.find('run-1')!.exec.current === undefined, 5000, 'the first invocation to end');
    const first = h.invocations[0]!;
    await assert.rejects(h.engine.checkpoint(first.DurableExecutionArn, first.CheckpointToken, [], undefined), (err: DurableApiError) => {
      assert.equal(err.type, 'InvalidParameterValueException');
      assert.match(err.message, /^Invalid Checkpoint Token/);
      return true;
    });
    await assert.rejects(
      h.engine.checkpoint(first.DurableExecutionArn.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000'), first.CheckpointToken, [], undefined),
      (err: DurableApiError) => err.type === 'ResourceNotFoundException',
    );
    await assert.rejects(
      h.engine.startExecution({ fn: fn(), qualifier: '$LATEST', name: 'run-1', input: '{"n":2}', trigger: 'manual' }),
      (err: DurableApiError) => err.status === 409 && err.type === 'DurableExecutionAlreadyStartedException',
    );
    const same = await h.engine.startExecution({ fn: fn(), qualifier: '$LATEST', name: 'run-1', input: '{"n":1}', trigger: 'manual' });
    assert.equal(same.created, false);
    h.clock.advance(10_000);
    assert.equal((await started.done).status, 'SUCCEEDED');
  });
});

describe('durable execution state (Lambda’s checkpoint rules)', () => {
  const fresh = () =>
    Execution.create({
      id: 'e1',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:Flow:$LATEST/durable-execution/x/e1',
      name: 'x',
      functionName: 'Flow',
      qualifier: '$LATEST',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Flow:$LATEST',
      input: '{}',
      startedAt: 1000,
      executionTimeoutSeconds: 60,
      retentionPeriodInDays: 14,
      recordId: 'r1',
      trigger: 'manual',
      debug: false,
      skipWaits: false,
    });
  const refused = (updates: OperationUpdate[], message: RegExp, exec = fresh()) =>
    assert.throws(
      () => exec.checkpoint(updates, 2000, 1),
      (err: DurableApiError) => err.type === 'InvalidParameterValueException' && message.test(err.message),
    );

  it('refuses updates Lambda refuses', () => {
    refused([{ Id: 'a', Type: 'STEP', Action: 'CANCEL' }], /Invalid action/);
    refused([{ Id: 'a', Type: 'STEP', Action: 'START', ParentId: 'nope' }], /Invalid parent/);
    refused(
      [
        { Id: 'a', Type: 'STEP', Action: 'START' },
        { Id: 'a', Type: 'STEP', Action: 'START' },
      ],
      /twice/,
    );
    refused(
      [
        { Id: 'z', Type: 'EXECUTION', Action: 'SUCCEED' },
        { Id: 'a', Type: 'STEP', Action: 'START' },
      ],
      /EXECUTION checkpoint must be the last/,
    );
    refused([{ Id: 'a', Type: 'STEP', Action: 'RETRY' }], /StepOptions/);
    refused([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 0 } }], /WaitSeconds/);
    const exec = fresh();
    exec.checkpoint([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 5 } }], 2000, 1);
    refused([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 5 } }], /already exists/, exec);
    refused([{ Id: 'w', Type: 'STEP', Action: 'SUCCEED' }], /is a WAIT/, exec);
    // Nothing of a refused batch is applied.
    refused(
      [
        { Id: 'ok', Type: 'STEP', Action: 'START' },
        { Id: 'bad', Type: 'STEP', Action: 'CANCEL' },
      ],
      /Invalid action/,
      exec,
    );
    assert.equal(exec.ops.has('ok'), false);
  });

  it('hides the children of a completed context unless it replays them, and replays its journal to the same state', () => {
    const exec = fresh();
    exec.checkpoint(
      [
        { Id: 'c', Type: 'CONTEXT', SubType: 'RunInChildContext', Action: 'START' },
        { Id: 's', ParentId: 'c', Type: 'STEP', Action: 'START' },
        { Id: 's', ParentId: 'c', Type: 'STEP', Action: 'SUCCEED', Payload: '1' },
      ],
      2000,
      1,
    );
    assert.deepEqual(
      exec.state().map((o) => o.Id),
      ['e1', 'c', 's'],
    );
    exec.checkpoint([{ Id: 'c', Type: 'CONTEXT', Action: 'SUCCEED', Payload: '1' }], 2100, 1);
    assert.deepEqual(
      exec.state().map((o) => o.Id),
      ['e1', 'c'],
    );
    const copy = Execution.replay(exec.drain())!;
    assert.deepEqual(copy.state(), exec.state());
    assert.deepEqual(copy.events, exec.events);
    assert.deepEqual(
      copy.events.map((e) => e.EventType),
      ['ExecutionStarted', 'ContextStarted', 'StepStarted', 'StepSucceeded', 'ContextSucceeded'],
    );
  });
});
