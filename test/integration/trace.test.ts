// One trace for a whole chain, against a real host (in-process, so a test-only HTTP server can stand
// where the local AWS endpoint will: see trace-probe.ts). Functions are real processes; SNS fan-out
// and S3 bucket drops are today's sources.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpApiSource } from '../../runtime-host/events/http-api';
import { S3Source } from '../../runtime-host/events/s3';
import { SnsSource } from '../../runtime-host/events/sns';
import type { TraceResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord, InvokeOutput, ServiceCallSpan } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { copyFixture, removeDir, repoRoot, RpcClient, RpcClientError, waitUntil } from './serve-helpers';
import { startTraceProbe, type ProbeCall, type TraceProbe } from './trace-probe';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const WAIT_MS = 60_000;
const HEADER = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=0$/;

const rootOf = (header: unknown): string => {
  const m = HEADER.exec(String(header));
  assert.ok(m, `not a Lambda trace header: ${String(header)}`);
  return m[1]!;
};

describe('one trace for a whole chain (real host, real functions)', { timeout: 300_000 }, () => {
  let dir: string;
  let host: RunningHost;
  let client: RpcClient;
  let probe: TraceProbe;

  const finished = (test: (r: InvocationRecord) => boolean) => client.waitFor('invocation.finished', test, WAIT_MS);
  const invokeCaller = (calls: ProbeCall[]) => client.request<InvokeOutput>('invoke', { function: 'CallerFunction', event: { probe: probe.url, calls } });

  before(async () => {
    dir = copyFixture('trace-project');
    host = await startHost({
      root: dir,
      log: quiet,
      watch: false,
      writeHostFile: false,
      eventSources: [new S3Source({ stableMs: 80 }), new SnsSource(), new HttpApiSource({ port: 0 })],
    });
    client = await RpcClient.connect(host.ws, host.token);
    probe = await startTraceProbe(host);
  });

  after(async () => {
    client?.close();
    await probe?.close();
    await host?.close();
    if (dir) removeDir(dir);
  });

  it('gives every invocation a trace: the record has the Root its _X_AMZN_TRACE_ID carries, and Parent names the invocation', async () => {
    const out = await client.request<InvokeOutput>('invoke', { function: 'FanAFunction', event: {} });
    const header = (out.result as { traceHeader: string }).traceHeader;
    const record = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.equal(record.traceId, rootOf(header));
    assert.equal(HEADER.exec(header)![2], out.requestId.replace(/-/g, '').slice(0, 16));
    const again = await client.request<InvokeOutput>('invoke', { function: 'FanAFunction', event: {} });
    assert.notEqual(rootOf((again.result as { traceHeader: string }).traceHeader), record.traceId, 'an unrelated invocation starts its own trace');
  });

  it("joins a call made with the function's own trace header to its invocation record, announces it and stores it", async () => {
    const since = client.notifications.length;
    const out = await invokeCaller([
      { service: 's3', operation: 'PutObject', resource: 'drops/a.json' },
      { service: 's3', operation: 'GetObject', resource: 'drops/missing.json', status: 404, errorCode: 'NoSuchKey' },
    ]);
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as { traceHeader: string; answers: { status: number; body: string }[] };
    const traceId = rootOf(result.traceHeader);
    assert.deepEqual(
      result.answers.map((a) => [a.status, JSON.parse(a.body) as unknown]),
      [
        [200, { caller: { recordId: out.requestId, traceId } }],
        [404, { caller: { recordId: out.requestId, traceId } }],
      ],
    );
    const stored = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.equal(stored.traceId, traceId);
    const spans = stored.serviceCalls ?? [];
    assert.deepEqual(
      spans.map((s) => [s.recordId, s.traceId, s.service, s.operation, s.resource, s.status, s.errorCode]),
      [
        [out.requestId, traceId, 's3', 'PutObject', 'drops/a.json', 200, undefined],
        [out.requestId, traceId, 's3', 'GetObject', 'drops/missing.json', 404, 'NoSuchKey'],
      ],
    );
    const announced = client.notifications
      .slice(since)
      .filter((n) => n.method === 'invocation.serviceCall')
      .map((n) => (n.params as ServiceCallSpan).operation);
    assert.deepEqual(announced, ['PutObject', 'GetObject']);
    const trace = await client.request<TraceResult>('getTrace', { traceId: result.traceHeader });
    assert.equal(trace.traceId, traceId);
    assert.deepEqual(
      trace.records.map((r) => r.id),
      [out.requestId],
    );
  });

  it('joins a call made by an unmodified AWS SDK client inside the function: the SDK forwards _X_AMZN_TRACE_ID itself', async () => {
    const out = await client.request<InvokeOutput>('invoke', {
      function: 'SdkFunction',
      event: { probe: probe.url },
      env: { NODE_PATH: join(repoRoot, 'node_modules') },
    });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const traceId = rootOf((out.result as { traceHeader: string }).traceHeader);
    const stored = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.deepEqual(
      stored.serviceCalls?.map((s) => [s.recordId, s.traceId, s.service, s.operation, s.resource, s.status]),
      [[out.requestId, traceId, 's3', 'PutObject', 'drops/from-sdk.json', 200]],
    );
  });

  it('links what a call causes: the invocation it starts inherits the trace, and getTrace returns the chain oldest first', async () => {
    const out = await invokeCaller([{ service: 's3', operation: 'PutObject', resource: 'drops/b.json', invoke: 'OnDropFunction' }]);
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const traceId = rootOf((out.result as { traceHeader: string }).traceHeader);
    const child = await finished((r) => r.parentId === out.requestId);
    assert.equal(child.functionName, 'OnDropFunction');
    assert.equal(child.traceId, traceId);
    assert.equal(rootOf((child.result as { traceHeader: string }).traceHeader), traceId, 'the child runs with the same Root in _X_AMZN_TRACE_ID');
    const trace = await client.request<TraceResult>('getTrace', { traceId });
    assert.deepEqual(
      trace.records.map((r) => [r.functionName, r.parentId ?? null]),
      [
        ['CallerFunction', null],
        ['OnDropFunction', out.requestId],
      ],
    );
  });

  it('links an asynchronous invoke a function asked for: the async-invoke record is caused by it, and its attempt shares the trace', async () => {
    const out = await invokeCaller([{ service: 'lambda', operation: 'Invoke', resource: 'FanAFunction', invokeAsync: 'FanAFunction' }]);
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const traceId = rootOf((out.result as { traceHeader: string }).traceHeader);
    const queued = await finished((r) => r.kind === 'async-invoke' && r.parentId === out.requestId);
    assert.equal(queued.traceId, traceId);
    const attempt = await finished((r) => r.kind === 'invocation' && r.parentId === queued.id);
    assert.equal(attempt.traceId, traceId);
    assert.equal(rootOf((attempt.result as { traceHeader: string }).traceHeader), traceId);
  });

  it('keeps a call from outside any function as a service-call record of its own', async () => {
    const res = await fetch(probe.url, { method: 'POST', body: JSON.stringify({ service: 'sqs', operation: 'SendMessage', resource: 'orders' }) });
    assert.deepEqual(await res.json(), { caller: null });
    const record = await finished((r) => r.kind === 'service-call' && r.functionName === 'orders');
    assert.equal(record.status, 'success');
    assert.match(record.traceId ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(
      record.serviceCalls?.map((s) => [s.service, s.operation, s.resource, s.traceId, s.recordId]),
      [['sqs', 'SendMessage', 'orders', record.traceId, undefined]],
    );
    const trace = await client.request<TraceResult>('getTrace', { traceId: record.traceId! });
    assert.deepEqual(
      trace.records.map((r) => r.id),
      [record.id],
    );
  });

  it('shares one trace between an SNS publish and both functions it fans out to', async () => {
    const { recordId } = await client.request<{ recordId: string }>('sns.publish', { topic: 'fanout', message: 'hello' });
    const parent = await finished((r) => r.id === recordId);
    await waitUntil(
      () => client.notifications.filter((n) => n.method === 'invocation.finished' && (n.params as InvocationRecord).parentId === recordId).length === 2,
      WAIT_MS,
      'both SNS deliveries',
    );
    const children = client.notifications
      .filter((n) => n.method === 'invocation.finished' && (n.params as InvocationRecord).parentId === recordId)
      .map((n) => n.params as InvocationRecord)
      .sort((a, b) => a.functionName.localeCompare(b.functionName));
    assert.match(parent.traceId ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(
      children.map((c) => [c.functionName, c.status, c.traceId, rootOf((c.result as { traceHeader: string }).traceHeader)]),
      [
        ['FanAFunction', 'success', parent.traceId, parent.traceId],
        ['FanBFunction', 'success', parent.traceId, parent.traceId],
      ],
    );
    const trace = await client.request<TraceResult>('getTrace', { traceId: parent.traceId! });
    assert.deepEqual(trace.records.map((r) => r.id).sort(), [recordId, ...children.map((c) => c.id)].sort());
  });

  it('gives each of two invocations of one trace running at once its own calls (the Parent segment names the caller)', async () => {
    // Both subscribers call with the same Root, and the probe answers neither until both calls arrived.
    const message = JSON.stringify({ probe: probe.url, calls: [{ service: 's3', operation: 'PutObject', resource: 'drops/both.json', together: 2 }] });
    const { recordId } = await client.request<{ recordId: string }>('sns.publish', { topic: 'calls', message });
    await finished((r) => r.id === recordId);
    const children = await client.request<{ records: InvocationRecord[] }>('listInvocations', { parentId: recordId });
    assert.deepEqual(children.records.map((r) => r.functionName).sort(), ['CallerAFunction', 'CallerBFunction']);
    for (const child of children.records) {
      assert.equal(child.traceId, children.records[0]!.traceId);
      assert.deepEqual(
        (child.serviceCalls ?? []).map((s) => [s.recordId, s.operation]),
        [[child.id, 'PutObject']],
        `${child.functionName} has exactly its own call`,
      );
    }
  });

  it('gives the function a file dropped into a bucket folder causes the trace of its s3-event record', async () => {
    mkdirSync(join(host.context.stateDir, 'buckets', 'drops'), { recursive: true });
    writeFileSync(join(host.context.stateDir, 'buckets', 'drops', 'dropped.txt'), 'hello');
    const parent = await finished((r) => r.kind === 's3-event' && (r.source as { key?: string } | undefined)?.key === 'dropped.txt');
    const child = await finished((r) => r.parentId === parent.id && r.kind === 'invocation');
    assert.equal(child.functionName, 'OnDropFunction');
    assert.match(parent.traceId ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(child.traceId, parent.traceId);
    assert.equal(rootOf((child.result as { traceHeader: string }).traceHeader), parent.traceId);
  });

  it('keeps the trace of an HTTP request that has one, as API Gateway does', async () => {
    const root = '1-67a1b2c3-00112233445566778899aabb';
    const res = await fetch(`${host.readyInfo['httpApi']}/echo`, { headers: { 'X-Amzn-Trace-Id': `Root=${root};Sampled=1` } });
    assert.equal(res.status, 200);
    assert.equal(rootOf(((await res.json()) as { traceHeader: string }).traceHeader), root);
    const record = await finished((r) => r.functionName === 'HttpEchoFunction' && r.traceId === root);
    assert.equal(record.parentId, undefined, 'a request from outside any function has no parent');
  });

  it('makes the invocation behind an HTTP API call that a function made with its own trace header part of its chain', async () => {
    const out = await client.request<InvokeOutput>('invoke', {
      function: 'CallerFunction',
      event: { probe: `${host.readyInfo['httpApi']}/echo`, calls: [{ service: 'execute-api', operation: 'POST /echo' }] },
    });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const traceId = rootOf((out.result as { traceHeader: string }).traceHeader);
    const behind = await finished((r) => r.functionName === 'HttpEchoFunction' && r.parentId === out.requestId);
    assert.equal(behind.traceId, traceId);
    const answer = (out.result as { answers: { body: string }[] }).answers[0]!;
    assert.equal(rootOf((JSON.parse(answer.body) as { traceHeader: string }).traceHeader), traceId);
  });

  it('refuses a getTrace without a usable trace id (-32602) and answers an unknown one with ResourceNotFound', async () => {
    await assert.rejects(client.request('getTrace', { traceId: 'nope' }), (err: unknown) => err instanceof RpcClientError && err.error.code === -32602);
    await assert.rejects(
      client.request('getTrace', { traceId: '1-00000000-000000000000000000000000' }),
      (err: unknown) => err instanceof RpcClientError && err.error.code === -32001,
    );
  });
});
