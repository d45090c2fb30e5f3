// A real `serve` under payloads and limits a careless user (or a burst) brings: a 5 MB event and
// 20 MB of logs are stored once and capped, the history stays within --max-history-mb, and the
// account concurrency limit answers the Invoke API with 429.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { removeDir, RpcClient, startServe, type ServeProcess } from './serve-helpers';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lw-bounds-'));
  writeFileSync(
    join(dir, 'big.js'),
    [
      'exports.handler = async (event) => {',
      '  const line = "x".repeat(1023);',
      '  for (let i = 0; i < (event.logKB ?? 0); i++) console.log(line);',
      '  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));',
      '  return { size: JSON.stringify(event).length };',
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Big:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      CodeUri: .',
      '      Handler: big.handler',
      '      Runtime: nodejs22.x',
      '      Timeout: 120',
      '',
    ].join('\n'),
  );
  return dir;
}

function sdk(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('serve: records are bounded', { timeout: 300_000 }, () => {
  let dir: string;
  let serve: ServeProcess;
  let rpc: RpcClient;
  let lambda: LambdaClient;
  before(async () => {
    dir = project();
    serve = await startServe(['--root', dir, '--max-history-mb', '2'], { timeoutMs: 60_000 });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    lambda = sdk(serve.ready.invokeApi);
  });
  after(async () => {
    lambda?.destroy();
    rpc?.close();
    await serve?.stop();
    removeDir(dir);
  });

  const historyBytes = () => statSync(join(dir, '.lambda-workbench', 'invocations.jsonl'), { throwIfNoEntry: false })?.size ?? 0;

  it('a 5 MB event is stored once, capped, with its size', async () => {
    const before = historyBytes();
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Big', Payload: json({ pad: 'p'.repeat(5_000_000) }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    const record = await rpc.request<InvocationRecord>('getInvocation', { id: out.$metadata.requestId! });
    assert.deepEqual(record.truncated, { event: 5_000_010 });
    assert.deepEqual([(record.event as { truncated: boolean }).truncated, (record.event as { bytes: number }).bytes], [true, 5_000_010]);
    assert.ok(historyBytes() - before < 600_000, `the record added ${historyBytes() - before} bytes`);
  });

  it('20 MB of logs are stored as their head and tail, and the clients are sent that', async () => {
    const finished = rpc.waitFor('invocation.finished', (r) => r.functionName === 'Big' && (r.truncated?.logs ?? 0) > 0, 120_000);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Big', Payload: json({ logKB: 20_480 }) }));
    assert.equal(out.FunctionError, undefined);
    const announced = await finished;
    assert.equal(announced.id, out.$metadata.requestId);
    const record = await rpc.request<InvocationRecord>('getInvocation', { id: out.$metadata.requestId! });
    assert.ok(record.truncated!.logs! > 20 * 1024 * 1024, `${record.truncated!.logs} bytes of logs`);
    assert.ok(Buffer.byteLength(record.logs.join('\n')) < 300 * 1024);
    assert.ok(record.logs.slice(0, 3).some((l) => l.startsWith(`START RequestId: ${record.requestId}`)));
    assert.match(record.logs.at(-1)!, /^REPORT RequestId: /);
    assert.ok(record.logs.some((l) => /truncated, \d+ bytes of logs/.test(l)));
    assert.deepEqual(announced.logs, record.logs);
    // Streamed while it ran: only up to the same limit, then one line saying the rest is in the record.
    const streamed = rpc.notifications.filter((n) => n.method === 'invocation.log' && (n.params as { id: string }).id === record.id);
    assert.ok(streamed.length < 300, `${streamed.length} log notifications`);
    assert.match((streamed.at(-1)!.params as { line: string }).line, /not streamed/);
  });

  it('the history stays within --max-history-mb, oldest dropped first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'Big', Payload: json({ pad: 'q'.repeat(200_000) }) }));
      ids.push(out.$metadata.requestId!);
    }
    const page = await rpc.request<{ records: InvocationRecord[] }>('listInvocations', { limit: 500 });
    assert.equal(page.records[0]!.id, ids.at(-1));
    assert.ok(page.records.length < 24, `${page.records.length} records kept`);
    assert.ok(!page.records.some((r) => r.id === ids[0]), 'the oldest was dropped');
    await serve.stop();
    serve = await startServe(['--root', dir, '--max-history-mb', '2'], { timeoutMs: 60_000 });
    rpc.close();
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    lambda.destroy();
    lambda = sdk(serve.ready.invokeApi);
    assert.ok(historyBytes() <= 2 * 1024 * 1024, `${historyBytes()} bytes after a restart`);
    const again = await rpc.request<{ records: InvocationRecord[] }>('listInvocations', { limit: 500 });
    assert.equal(again.records[0]!.id, ids.at(-1));
  });
});

describe('serve --account-concurrency', { timeout: 120_000 }, () => {
  let dir: string;
  let serve: ServeProcess;
  let lambda: LambdaClient;
  before(async () => {
    dir = project();
    serve = await startServe(['--root', dir, '--account-concurrency', '1'], { timeoutMs: 60_000 });
    lambda = sdk(serve.ready.invokeApi);
  });
  after(async () => {
    lambda?.destroy();
    await serve?.stop();
    removeDir(dir);
  });

  it('beyond the account limit the Invoke API answers 429 TooManyRequestsException', async () => {
    const busy = lambda.send(new InvokeCommand({ FunctionName: 'Big', Payload: json({ sleepMs: 3000 }) }));
    // Wait until the first call is in flight (its record exists), then call again.
    const rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    try {
      await rpc.waitFor('invocation.started', (r) => r.functionName === 'Big', 60_000);
      let error: (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
      try {
        await lambda.send(new InvokeCommand({ FunctionName: 'Big', Payload: json({}) }));
      } catch (err) {
        error = err as Error & { $metadata?: { httpStatusCode?: number } };
      }
      assert.equal(error?.name, 'TooManyRequestsException');
      assert.equal(error?.$metadata?.httpStatusCode, 429);
      assert.equal((await busy).StatusCode, 200);
    } finally {
      rpc.close();
    }
  });
});
