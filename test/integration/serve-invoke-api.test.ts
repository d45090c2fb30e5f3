// The Lambda Invoke API of a real `serve`, driven by the real AWS SDK for JavaScript v3.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { copyFixture, removeDir, RpcClient, startServe, type ServeProcess } from './serve-helpers';

let project: string;
let serve: ServeProcess;
let rpc: RpcClient;
let lambda: LambdaClient;

before(async () => {
  project = copyFixture('service-project');
  serve = await startServe(['--root', project]);
  rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  lambda = new LambdaClient({
    endpoint: serve.ready.invokeApi,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    // Each test sees Lambda's first answer; the SDK would otherwise retry 429s on its own.
    maxAttempts: 1,
  });
});

after(async () => {
  lambda?.destroy();
  rpc?.close();
  await serve?.stop();
  removeDir(project);
});

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const parse = (p: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(p)) as unknown;

type SdkError = Error & { $metadata: { httpStatusCode?: number }; [k: string]: unknown };

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

describe('Invoke API with @aws-sdk/client-lambda', () => {
  it('RequestResponse returns the payload, status 200 and $LATEST', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Hello', Payload: json({ from: 'sdk' }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.LogResult, undefined);
    assert.deepEqual(parse(out.Payload), { greeting: 'hello', region: 'us-east-1/123456789012', extra: null, count: 1, event: { from: 'sdk' } });
    const record = await rpc.request<InvocationRecord>('getInvocation', { id: out.$metadata.requestId! });
    assert.equal(record.trigger, 'api');
  });

  it('X-Amz-Log-Type Tail returns the last 4 KB of the log, base64', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Hello', LogType: 'Tail', Payload: json({}) }));
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    const id = out.$metadata.requestId!;
    const lines = log.split('\n');
    assert.equal(lines.at(-1), '');
    assert.equal(lines[0], `START RequestId: ${id} Version: $LATEST`);
    assert.match(lines[1]!, new RegExp(`^\\S+Z\\t${id}\\tINFO\\thello invoked 2$`));
    assert.equal(lines[2], `END RequestId: ${id}`);
    assert.match(
      lines[3]!,
      new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\t$`),
    );
  });

  it('a function error sets X-Amz-Function-Error: Unhandled with the error body', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Fails', Payload: json({}) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const body = parse(out.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual([body.errorType, body.errorMessage, body.trace[0]], ['Error', 'boom', 'Error: boom']);
  });

  it('function ARNs and the $LATEST qualifier name the same function; other qualifiers are not found', async () => {
    const byArn = await lambda.send(
      new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:Hello', Qualifier: '$LATEST', Payload: json({}) }),
    );
    assert.equal((parse(byArn.Payload) as { greeting: string }).greeting, 'hello');
    const partial = await lambda.send(new InvokeCommand({ FunctionName: '123456789012:function:Hello:$LATEST', Payload: json({}) }));
    assert.equal(partial.StatusCode, 200);
    const alias = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'Hello', Qualifier: 'prod' })));
    assert.equal(alias.name, 'ResourceNotFoundException');
    assert.equal(alias.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Hello:prod');
  });

  it('an unknown function is ResourceNotFoundException (404)', async () => {
    const err = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'Nope', Payload: json({}) })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope');
    assert.equal(err.Type, 'User');
  });

  it('DryRun answers 204 without running anything', async () => {
    const before = await rpc.request<ListInvocationsResult>('listInvocations', { function: 'Hello' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Hello', InvocationType: 'DryRun' }));
    assert.equal(out.StatusCode, 204);
    const afterList = await rpc.request<ListInvocationsResult>('listInvocations', { function: 'Hello' });
    assert.equal(afterList.records.length, before.records.length);
  });

  it('a payload over 6 MB is RequestEntityTooLargeException (413)', async () => {
    const big = json('x'.repeat(6_291_456));
    const err = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'Hello', Payload: big })));
    assert.equal(err.name, 'RequestEntityTooLargeException');
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.equal(err.message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    const asyncErr = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'Hello', InvocationType: 'Event', Payload: json('x'.repeat(1_048_576)) })));
    assert.equal(asyncErr.name, 'RequestEntityTooLargeException');
    assert.equal(asyncErr.$metadata.httpStatusCode, 413);
  });

  it('beyond reserved concurrency is TooManyRequestsException (429)', async () => {
    const first = lambda.send(new InvokeCommand({ FunctionName: 'Slow', Payload: json({ ms: 3000 }) }));
    await rpc.waitFor('invocation.started', (r) => r.functionName === 'Slow' && r.status === 'running');
    const err = await sdkError(lambda.send(new InvokeCommand({ FunctionName: 'Slow', Payload: json({ ms: 0 }) })));
    assert.equal(err.name, 'TooManyRequestsException');
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(err.message, 'Rate Exceeded.');
    assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    const ok = await first;
    assert.deepEqual(parse(ok.Payload), { slept: 3000 });
  });

  it('Event: 202 at once, then the first attempt and two retries, visible in the records', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Fails', InvocationType: 'Event', Payload: json({ async: true }) }));
    assert.equal(out.StatusCode, 202);
    assert.equal(out.Payload?.length ?? 0, 0);
    const asyncRequestId = out.$metadata.requestId!;
    const parent = await rpc.waitFor(
      'invocation.finished',
      (r) => r.kind === 'async-invoke' && (r.source as { asyncRequestId?: string } | undefined)?.asyncRequestId === asyncRequestId,
      60000,
    );
    assert.equal(parent.functionName, 'Fails');
    assert.equal(parent.trigger, 'api');
    assert.equal(parent.status, 'error');
    const children = await rpc.request<ListInvocationsResult>('listInvocations', { parentId: parent.id });
    assert.deepEqual(
      children.records.map((r) => [r.attempt, r.status, r.error?.errorMessage]),
      [
        [2, 'error', 'boom'],
        [1, 'error', 'boom'],
        [0, 'error', 'boom'],
      ],
    );
    assert.ok(children.records.every((r) => r.trigger === 'api' && (r.event as { async: boolean }).async === true));
    // Back-off between attempts: each retry starts after the previous one finished.
    const [third, second, first] = children.records;
    assert.ok(second!.timestamps.queuedAt >= first!.timestamps.finishedAt!);
    assert.ok(third!.timestamps.queuedAt >= second!.timestamps.finishedAt!);
  });

  it("Event honours the function's EventInvokeConfig (MaximumRetryAttempts: 0)", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'FailsOnce', InvocationType: 'Event', Payload: json({}) }));
    assert.equal(out.StatusCode, 202);
    const parent = await rpc.waitFor(
      'invocation.finished',
      (r) => r.kind === 'async-invoke' && (r.source as { asyncRequestId?: string }).asyncRequestId === out.$metadata.requestId,
    );
    const children = await rpc.request<ListInvocationsResult>('listInvocations', { parentId: parent.id });
    assert.deepEqual(
      children.records.map((r) => [r.attempt, r.status]),
      [[0, 'error']],
    );
  });

  it('Event on a function that succeeds runs once', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Hello', InvocationType: 'Event', Payload: json({ once: true }) }));
    assert.equal(out.StatusCode, 202);
    const parent = await rpc.waitFor(
      'invocation.finished',
      (r) => r.kind === 'async-invoke' && (r.source as { asyncRequestId?: string }).asyncRequestId === out.$metadata.requestId,
    );
    assert.equal(parent.status, 'success');
    const children = await rpc.request<ListInvocationsResult>('listInvocations', { parentId: parent.id });
    assert.deepEqual(
      children.records.map((r) => [r.attempt, r.status]),
      [[0, 'success']],
    );
  });

  it('raw HTTP: unknown operation and a body that is not JSON', async () => {
    // Any SigV4-shaped Authorization will do (the signature is not checked); without one, everything is refused.
    const authorization = 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0';
    const unknown = await fetch(`${serve.ready.invokeApi}/2015-03-31/functions/`, { method: 'GET', headers: { authorization } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    const notJson = await fetch(`${serve.ready.invokeApi}/2015-03-31/functions/Hello/invocations`, {
      method: 'POST',
      headers: { authorization },
      body: '{oops',
    });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
    assert.match(((await notJson.json()) as { Message: string }).Message, /^Could not parse request body into json: /);
  });
});
