// Durable executions with the real @aws/durable-execution-sdk-js in the handlers (test/fixtures/durable-project,
// whose node_modules is a link to the repository's): the unmodified SDK checkpoints through the local Lambda
// endpoint, and the tests drive and read executions with the unmodified @aws-sdk/client-lambda, as a script
// or another service would. Covered: steps with retries, a day-long wait skipped, a callback completed from
// outside (success and failure), a failing step replayed and retried until the execution fails, map with a
// concurrency limit, the history against what the SDK checkpointed, and a host restarted mid-execution.
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
  type Event,
} from '@aws-sdk/client-lambda';
import type { DurableExecutionView } from '../../runtime-host/protocol/durable';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { waitUntil } from '../helpers/wait';
import { copyFixture, removeDir, repoRoot, RpcClient } from './serve-helpers';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const WAIT_MS = 90_000;

function lambdaClient(host: RunningHost): LambdaClient {
  return new LambdaClient({ endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

function fixture(): string {
  const dir = copyFixture('durable-project');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function history(client: LambdaClient, arn: string): Promise<Event[]> {
  return (await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }))).Events ?? [];
}

const payload = (v: unknown) => Buffer.from(JSON.stringify(v));
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

describe('durable executions with the real SDK (waits skipped)', { timeout: 300_000 }, () => {
  let dir: string;
  let host: RunningHost;
  let client: LambdaClient;
  let rpc: RpcClient;

  before(async () => {
    dir = fixture();
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [], runtimeSdk: 'off', durable: { skipWaits: true } });
    client = lambdaClient(host);
    rpc = await RpcClient.connect(host.ws, host.token);
  });

  after(async () => {
    rpc?.close();
    client?.destroy();
    await host?.close();
    if (dir) removeDir(dir);
  });

  it('refuses an unqualified invocation of a durable function, as Lambda does', async () => {
    await assert.rejects(client.send(new InvokeCommand({ FunctionName: 'OrderFlow', Payload: payload({}) })), (err: Error) => {
      assert.equal(err.name, 'InvalidParameterValueException');
      assert.match(err.message, /unqualified/);
      return true;
    });
    // A plain function is not durable: Invoke runs it once, as before.
    const plain = await client.send(new InvokeCommand({ FunctionName: 'Plain', Payload: payload({ a: 1 }) }));
    assert.deepEqual(JSON.parse(text(plain.Payload)), { plain: true, event: { a: 1 } });
    assert.equal(plain.DurableExecutionArn, undefined);
  });

  it('steps with retries, a child context and a skipped day-long wait: four invocations, one result', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'OrderFlow:$LATEST', Payload: payload({ sku: 'A-1' }), DurableExecutionName: 'order-1' }));
    assert.equal(out.FunctionError, undefined, text(out.Payload));
    const result = JSON.parse(text(out.Payload)) as { reserved: { sku: string; attempt: number }; priced: number; shipped: string };
    assert.deepEqual(result, { reserved: { sku: 'A-1', attempt: 3 }, priced: 44, shipped: 'shipped A-1' });
    const arn = out.DurableExecutionArn!;
    assert.match(arn, /^arn:aws:lambda:us-east-1:123456789012:function:OrderFlow:\$LATEST\/durable-execution\/order-1\/[0-9a-f-]{36}$/);

    // What the SDK checkpointed, in order: the history is Lambda's event list for it.
    const events = await history(client, arn);
    assert.deepEqual(
      events.map((e) => `${e.EventType}${e.Name ? ` ${e.Name}` : ''}`),
      [
        'ExecutionStarted',
        'StepStarted reserve',
        'StepFailed reserve',
        'InvocationCompleted',
        'StepStarted reserve',
        'StepFailed reserve',
        'InvocationCompleted',
        'StepStarted reserve',
        'StepSucceeded reserve',
        'ContextStarted pricing',
        'StepStarted base-price',
        'StepSucceeded base-price',
        'StepStarted tax',
        'StepSucceeded tax',
        'ContextSucceeded pricing',
        'WaitStarted cool-off',
        'InvocationCompleted',
        'WaitSucceeded cool-off',
        'StepStarted ship',
        'StepSucceeded ship',
        'InvocationCompleted',
        'ExecutionSucceeded',
      ],
    );
    assert.deepEqual(
      events.map((e) => e.EventId),
      events.map((_, i) => i + 1),
    );
    const reserve = events.filter((e) => e.Name === 'reserve');
    assert.deepEqual(reserve[1]!.StepFailedDetails!.Error!.Payload, { ErrorType: 'Error', ErrorMessage: 'inventory busy (attempt 1)' });
    assert.deepEqual(reserve[1]!.StepFailedDetails!.RetryDetails, { CurrentAttempt: 1, NextAttemptDelaySeconds: 2 });
    assert.equal(reserve[5]!.StepSucceededDetails!.Result!.Payload, JSON.stringify(result.reserved));
    assert.equal(events.find((e) => e.Name === 'ship' && e.StepSucceededDetails)!.StepSucceededDetails!.Result!.Payload, JSON.stringify(result.shipped));
    const wait = events.find((e) => e.EventType === 'WaitStarted')!;
    assert.equal(wait.WaitStartedDetails!.Duration, 86_400);
    assert.ok(wait.WaitStartedDetails!.ScheduledEndTimestamp! > wait.EventTimestamp!);
    assert.equal(events.at(-1)!.ExecutionSucceededDetails!.Result!.Payload, JSON.stringify(result));

    const execution = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.equal(execution.Status, 'SUCCEEDED');
    assert.equal(execution.DurableExecutionName, 'order-1');
    assert.equal(execution.InputPayload, JSON.stringify({ sku: 'A-1' }));
    assert.equal(execution.Result, JSON.stringify(result));
    const listed = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'OrderFlow' }));
    assert.deepEqual(
      listed.DurableExecutions!.map((e) => [e.DurableExecutionName, e.Status]),
      [['order-1', 'SUCCEEDED']],
    );

    // Each invocation is an ordinary record under the execution's record; the one after the wait says it was skipped.
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'order-1' });
    const children = (await rpc.request<ListInvocationsResult>('listInvocations', { parentId: view.recordId })).records.sort(
      (a, b) => a.timestamps.queuedAt - b.timestamps.queuedAt,
    );
    assert.deepEqual(
      children.map((r) => [r.kind, r.trigger, (r.result as { Status: string }).Status]),
      [
        ['invocation', 'api', 'PENDING'],
        ['invocation', 'durable', 'PENDING'],
        ['invocation', 'durable', 'PENDING'],
        ['invocation', 'durable', 'SUCCEEDED'],
      ],
    );
    for (const r of children) assert.ok(r.billedDurationMs! > 0 && r.costUsd! > 0, 'each invocation is billed');
    const afterWait = children[3]!;
    assert.deepEqual(afterWait.source?.wokenBy, ['wait']);
    const skipped = afterWait.source?.skippedWaits as { operation: string; skippedMs: number }[];
    assert.equal(skipped[0]!.operation, 'cool-off');
    assert.ok(skipped[0]!.skippedMs > 86_000_000);
    // The SDK's checkpoints reached the endpoint from inside the invocations (the trace book linked them).
    assert.ok(children[0]!.serviceCalls?.some((c) => c.operation === 'CheckpointDurableExecution'));
    const parent = await rpc.request<InvocationRecord>('getInvocation', { id: view.recordId });
    assert.equal(parent.kind, 'durable-execution');
    assert.equal(parent.status, 'success');
    assert.deepEqual(parent.result, result);

    // The view: attempts per step, replays per invocation, the skipped wait.
    assert.deepEqual(
      view.invocations.map((i) => i.outcome),
      ['PENDING', 'PENDING', 'PENDING', 'SUCCEEDED'],
    );
    const op = (name: string) => view.operations.find((o) => o.name === name)!;
    assert.deepEqual(
      op('reserve').attempts.map((a) => [a.attempt, a.outcome, a.invocation]),
      [
        [1, 'retry', 1],
        [2, 'retry', 2],
        [3, 'succeeded', 3],
      ],
    );
    assert.deepEqual(op('reserve').replayedIn, [4]);
    assert.deepEqual(op('pricing').replayedIn, [4]);
    assert.deepEqual(op('base-price').replayedIn, [], 'a completed child context replays from its result alone');
    assert.equal(op('cool-off').status, 'SUCCEEDED');
    assert.ok(op('cool-off').skippedMs! > 86_000_000);
    assert.ok(view.skippedMs > 86_000_000);
  });

  it('a callback completed from outside with SendDurableExecutionCallbackSuccess / Failure', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 120 }), DurableExecutionName: 'approve-1' }),
    );
    assert.equal(started.StatusCode, 202);
    const arn = started.DurableExecutionArn!;
    let callbackId = '';
    await waitUntil(
      async () => {
        callbackId = (await history(client, arn)).find((e) => e.EventType === 'CallbackStarted')?.CallbackStartedDetails?.CallbackId ?? '';
        return callbackId !== '';
      },
      WAIT_MS,
      'the callback to start',
    );
    // The execution sleeps (no invocation runs) until the callback arrives; the panel lists it as pending.
    const waiting = await rpc.request<DurableExecutionView>('durable.get', { execution: arn });
    assert.equal(waiting.status, 'RUNNING');
    assert.deepEqual(
      waiting.pendingCallbacks.map((c) => c.callbackId),
      [callbackId],
    );
    // Idempotent start: the same name and input is the running execution, not a new one.
    const again = await client.send(
      new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 120 }), DurableExecutionName: 'approve-1' }),
    );
    assert.equal(again.DurableExecutionArn, arn);
    await assert.rejects(
      client.send(
        new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 9 }), DurableExecutionName: 'approve-1' }),
      ),
      (err: Error) => err.name === 'DurableExecutionAlreadyStartedException',
    );

    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: payload({ approved: true, by: 'alice' }) }));
    await waitUntil(
      async () => (await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status === 'SUCCEEDED',
      WAIT_MS,
      'the approved execution to succeed',
    );
    const done = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    // waitForCallback hands the handler the callback's result as sent (the SDK's default serdes for it is the text itself).
    assert.deepEqual(JSON.parse(done.Result!), { request: { amount: 120 }, decision: JSON.stringify({ approved: true, by: 'alice' }) });
    const events = await history(client, arn);
    assert.equal(
      events.find((e) => e.EventType === 'CallbackSucceeded')!.CallbackSucceededDetails!.Result!.Payload,
      JSON.stringify({ approved: true, by: 'alice' }),
    );
    // A callback completes once.
    await assert.rejects(
      client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: payload({}) })),
      (err: Error) => err.name === 'InvalidParameterValueException',
    );

    // The failure path: the SDK raises it in the handler, which fails the execution.
    const second = await client.send(
      new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 7 }), DurableExecutionName: 'approve-2' }),
    );
    let secondId = '';
    await waitUntil(
      async () => {
        secondId =
          (await history(client, second.DurableExecutionArn!)).find((e) => e.EventType === 'CallbackStarted')?.CallbackStartedDetails?.CallbackId ?? '';
        return secondId !== '';
      },
      WAIT_MS,
      'the second callback to start',
    );
    await client.send(new SendDurableExecutionCallbackFailureCommand({ CallbackId: secondId, Error: { ErrorType: 'Rejected', ErrorMessage: 'over budget' } }));
    await waitUntil(
      async () => (await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: second.DurableExecutionArn! }))).Status === 'FAILED',
      WAIT_MS,
      'the rejected execution to fail',
    );
    const failed = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: second.DurableExecutionArn! }));
    assert.match(failed.Error?.ErrorMessage ?? '', /over budget/);
  });

  it('the panel’s callback (durable.callback) and StopDurableExecution', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 1 }), DurableExecutionName: 'approve-3' }),
    );
    let view: DurableExecutionView | undefined;
    await waitUntil(
      async () => {
        view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'approve-3' });
        return view.pendingCallbacks.length === 1;
      },
      WAIT_MS,
      'the callback to be pending',
    );
    await rpc.request('durable.callback', { callbackId: view!.pendingCallbacks[0]!.callbackId, result: { approved: 'from the panel' } });
    await waitUntil(
      async () => (await rpc.request<DurableExecutionView>('durable.get', { execution: 'approve-3' })).status === 'SUCCEEDED',
      WAIT_MS,
      'approve-3',
    );
    const done = await rpc.request<DurableExecutionView>('durable.get', { execution: started.DurableExecutionArn! });
    assert.deepEqual(JSON.parse(JSON.parse(done.result!).decision), { approved: 'from the panel' });

    const stopped = await client.send(
      new InvokeCommand({ FunctionName: 'Approval:$LATEST', InvocationType: 'Event', Payload: payload({ amount: 2 }), DurableExecutionName: 'approve-4' }),
    );
    await waitUntil(
      async () => (await rpc.request<DurableExecutionView>('durable.get', { execution: 'approve-4' })).pendingCallbacks.length === 1,
      WAIT_MS,
      'approve-4',
    );
    const stop = await client.send(
      new StopDurableExecutionCommand({ DurableExecutionArn: stopped.DurableExecutionArn!, Error: { ErrorMessage: 'no longer needed' } }),
    );
    assert.ok(stop.StopTimestamp instanceof Date);
    const after = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: stopped.DurableExecutionArn! }));
    assert.equal(after.Status, 'STOPPED');
    assert.equal(after.Error?.ErrorMessage, 'no longer needed');
    const record = await rpc.request<InvocationRecord>('getInvocation', {
      id: (await rpc.request<DurableExecutionView>('durable.get', { execution: 'approve-4' })).recordId,
    });
    assert.equal(record.status, 'interrupted');
  });

  it('a failing step is retried across invocations, earlier steps replayed, until the execution fails', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'Flaky:$LATEST', Payload: payload({}), DurableExecutionName: 'flaky-1' }));
    assert.equal(out.FunctionError, 'Unhandled');
    assert.deepEqual(JSON.parse(text(out.Payload)), { errorType: 'StepError', errorMessage: 'card declined (attempt 3)' });
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'flaky-1' });
    assert.equal(view.status, 'FAILED');
    assert.deepEqual(
      view.invocations.map((i) => i.outcome),
      ['PENDING', 'PENDING', 'FAILED'],
    );
    const charge = view.operations.find((o) => o.name === 'charge')!;
    assert.equal(charge.status, 'FAILED');
    assert.deepEqual(
      charge.attempts.map((a) => [a.outcome, a.error?.ErrorMessage]),
      [
        ['retry', 'card declined (attempt 1)'],
        ['retry', 'card declined (attempt 2)'],
        ['failed', 'card declined (attempt 3)'],
      ],
    );
    // "before" ran once, in the first invocation, and was replayed from its checkpoint by the two after it.
    const beforeOp = view.operations.find((o) => o.name === 'before')!;
    assert.deepEqual([beforeOp.startedIn, beforeOp.attempts.length, beforeOp.replayedIn], [1, 1, [2, 3]]);
  });

  it('map with maxConcurrency 2: five items, never more than two running at once', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'Fanout:$LATEST', Payload: payload({ items: [1, 2, 3, 4, 5] }), DurableExecutionName: 'fan-1' }),
    );
    assert.deepEqual(JSON.parse(text(out.Payload)), { squares: [1, 4, 9, 16, 25] });
    const events = await history(client, out.DurableExecutionArn!);
    let open = 0;
    let most = 0;
    for (const e of events.filter((x) => x.SubType === 'MapIteration')) {
      if (e.EventType === 'ContextStarted') most = Math.max(most, ++open);
      else if (e.EventType === 'ContextSucceeded') open--;
    }
    assert.equal(most, 2);
    assert.equal(events.filter((e) => e.EventType === 'ContextStarted' && e.SubType === 'MapIteration').length, 5);
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'fan-1' });
    const map = view.operations.find((o) => o.subType === 'Map')!;
    assert.equal(view.operations.filter((o) => o.parentId === map.id && o.subType === 'MapIteration').length, 5);
  });

  it('a debug session’s environment runs every invocation of the execution, warm', async () => {
    const target = await rpc.request<{ environmentId: string; port: number }>('debug.prepare', { function: 'OrderFlow' });
    const first = await rpc.request<InvokeOutput>('invoke', { function: 'OrderFlow', event: { sku: 'D-1' }, debug: true, durableExecutionName: 'order-debug' });
    assert.deepEqual(first.result, { Status: 'PENDING' });
    await waitUntil(
      async () => (await rpc.request<DurableExecutionView>('durable.get', { execution: 'order-debug' })).status === 'SUCCEEDED',
      WAIT_MS,
      'order-debug',
    );
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'order-debug' });
    const children = (await rpc.request<ListInvocationsResult>('listInvocations', { parentId: view.recordId })).records;
    assert.equal(children.length, 4);
    // pausedMs is recorded only for invocations in a debug environment; the first carries the prepared environment's
    // init, the rest ran warm in it: the debugger attached to it stays attached as the invocations come and go.
    children.sort((a, b) => a.timestamps.queuedAt - b.timestamps.queuedAt);
    for (const r of children) assert.notEqual(r.pausedMs, undefined, `${r.id} ran in the debug environment`);
    assert.deepEqual(
      children.map((r) => r.cold),
      [true, false, false, false],
    );
    const started = rpc.notifications.filter((n) => n.method === 'debug.environmentStarted').map((n) => (n.params as { environmentId: string }).environmentId);
    assert.deepEqual(started, [target.environmentId], 'no second debug environment was started');
  });

  it('while a debugger holds a re-invocation, its timeout clock stops, as for any invocation', async () => {
    const target = await rpc.request<{ environmentId: string }>('debug.prepare', { function: 'Patient' });
    const held = rpc
      .waitFor('invocation.log', (p) => p.line.endsWith('\tINFO\tslow step waiting'), WAIT_MS)
      .then(async () => {
        await rpc.request('debug.paused', { environmentId: target.environmentId });
        // Held for 2.5 s: the step's 4 s fit in the 3 s timeout only because the clock stopped meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        await rpc.request('debug.resumed', { environmentId: target.environmentId });
      });
    const first = await rpc.request<InvokeOutput>('invoke', { function: 'Patient', event: {}, debug: true, durableExecutionName: 'patient-1' });
    assert.deepEqual(first.result, { Status: 'PENDING' });
    await held;
    await waitUntil(
      async () => (await rpc.request<DurableExecutionView>('durable.get', { execution: 'patient-1' })).status !== 'RUNNING',
      WAIT_MS,
      'patient-1',
    );
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: 'patient-1' });
    assert.equal(view.status, 'SUCCEEDED', JSON.stringify(view.invocations));
    assert.equal(view.result, JSON.stringify('done'));
    const second = await rpc.request<InvocationRecord>('getInvocation', { id: view.invocations[1]!.recordId });
    assert.equal(second.status, 'success');
    assert.ok(second.pausedMs! > 0);
  });

  it('a function starts an execution through the local Lambda endpoint, and the execution joins its trace', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'Starter', event: { name: 'from-starter', items: [2, 3] } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as { arn: string; result: unknown };
    assert.deepEqual(result.result, { squares: [4, 9] });
    assert.match(result.arn, /:function:Fanout:\$LATEST\/durable-execution\/from-starter\//);
    const view = await rpc.request<DurableExecutionView>('durable.get', { execution: result.arn });
    const record = await rpc.request<InvocationRecord>('getInvocation', { id: view.recordId });
    const starter = await rpc.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.equal(record.parentId, out.requestId);
    assert.equal(record.traceId, starter.traceId);
  });

  it('the protocol’s invoke starts an execution and answers with its first invocation', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'Fanout', event: { items: [3] }, durableExecutionName: 'fan-panel' });
    assert.deepEqual(out.result, { Status: 'SUCCEEDED', Result: JSON.stringify({ squares: [9] }) });
    const list = await rpc.request<{ name: string; status: string; functionName: string }[]>('durable.list', { function: 'Fanout' });
    assert.deepEqual(
      list.filter((e) => e.name === 'fan-panel').map((e) => [e.functionName, e.status]),
      [['Fanout', 'SUCCEEDED']],
    );
    assert.ok(list.every((e) => e.functionName === 'Fanout'));
  });
});

describe('durable executions survive a host restart', { timeout: 300_000 }, () => {
  let dir: string;
  let host: RunningHost | undefined;

  before(() => {
    dir = fixture();
  });

  after(async () => {
    await host?.close();
    if (dir) removeDir(dir);
  });

  it('a host stopped during a wait is replaced by one that resumes the execution and finishes it', async () => {
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [], runtimeSdk: 'off' });
    let client = lambdaClient(host);
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Sleeper:$LATEST', InvocationType: 'Event', Payload: payload({ seconds: 4 }), DurableExecutionName: 'nap-1' }),
    );
    const arn = started.DurableExecutionArn!;
    // The first invocation checkpointed the wait and ended PENDING: the execution sleeps, no invocation runs.
    await waitUntil(async () => (await history(client, arn)).at(-1)?.EventType === 'InvocationCompleted', WAIT_MS, 'the first invocation to end');
    assert.ok((await history(client, arn)).some((e) => e.EventType === 'WaitStarted'));
    client.destroy();
    await host.close();

    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [], runtimeSdk: 'off' });
    client = lambdaClient(host);
    await waitUntil(
      async () => (await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status === 'SUCCEEDED',
      WAIT_MS,
      'the resumed execution',
    );
    const done = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.deepEqual(JSON.parse(done.Result!), { first: 'one', second: 'two' });
    const events = await history(client, arn);
    assert.deepEqual(
      events.map((e) => `${e.EventType}${e.Name ? ` ${e.Name}` : ''}`),
      [
        'ExecutionStarted',
        'StepStarted first',
        'StepSucceeded first',
        'WaitStarted nap',
        'InvocationCompleted',
        'WaitSucceeded nap',
        'StepStarted second',
        'StepSucceeded second',
        'InvocationCompleted',
        'ExecutionSucceeded',
      ],
    );
    // The wait was not cut short by the restart: it ended when it was due.
    const wait = events.find((e) => e.EventType === 'WaitStarted')!.WaitStartedDetails!.ScheduledEndTimestamp!;
    assert.ok(events.find((e) => e.EventType === 'WaitSucceeded')!.EventTimestamp!.getTime() >= wait.getTime());
    client.destroy();
  });
});
