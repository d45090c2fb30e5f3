// Real SAM projects run unchanged: the shapes the sample projects use every day, through a real `serve`
// (physical function names, …), driven by the real AWS SDK where AWS would be called.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInfo, TemplateProblem } from '../../runtime-host/protocol/functions';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { servedFixture } from './serve-helpers';

const served = servedFixture('real-project');
let client: LambdaClient | undefined;
/** Made on first use, once serve is up. */
const lambda = (): LambdaClient =>
  (client ??= new LambdaClient({
    endpoint: served.serve.ready.invokeApi,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  }));

after(() => client?.destroy());

const payload = (p: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(p)) as { name: string; target?: string; targetArn?: string };

describe('functions answer to their FunctionName, logical id and ARN', () => {
  it('!Ref and !GetAtt .Arn of a function with FunctionName give its physical name, as on AWS', async () => {
    const out = await served.client.request<InvokeOutput>('invoke', { function: 'Caller', event: {} });
    assert.deepEqual(
      { target: (out.result as { target: string }).target, arn: (out.result as { targetArn: string }).targetArn },
      { target: 'orders-processor', arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-processor' },
    );
  });

  for (const name of [
    'orders-processor',
    'Orders',
    'arn:aws:lambda:us-east-1:123456789012:function:orders-processor',
    '123456789012:function:orders-processor:$LATEST',
  ]) {
    it(`Invoke API: FunctionName ${name}`, async () => {
      const out = await lambda().send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('{}') }));
      assert.equal(out.StatusCode, 200);
      assert.equal(out.FunctionError, undefined);
      assert.equal(payload(out.Payload).name, 'Orders');
    });
  }

  it('the protocol resolves the physical name too', async () => {
    const out = await served.client.request<InvokeOutput>('invoke', { function: 'orders-processor', event: { via: 'rpc' } });
    assert.equal(out.error, undefined);
    assert.equal(out.functionName, 'Orders');
  });

  it('an unknown name is still ResourceNotFoundException', async () => {
    await assert.rejects(lambda().send(new InvokeCommand({ FunctionName: 'orders-processor-2' })), { name: 'ResourceNotFoundException' });
  });
});

describe('reserved environment variables', () => {
  it('an invoke that sets one is refused as invalid params, naming it', async () => {
    await assert.rejects(
      served.client.request('invoke', { function: 'Orders', event: {}, env: { TZ: 'Europe/Berlin' } }),
      (err: Error & { error?: { code: number } }) => {
        assert.equal(err.error?.code, -32602);
        assert.match(err.message + JSON.stringify(err.error), /reserved environment variable TZ/);
        return true;
      },
    );
  });
});

describe('inline code', () => {
  for (const [fn, inline, file] of [
    ['InlineNode', 'node', 'index.js'],
    ['InlinePython', 'python', 'index.py'],
  ] as const) {
    it(`${fn}: written into the state folder as ${file} and run`, async () => {
      const out = await lambda().send(new InvokeCommand({ FunctionName: fn, Payload: new TextEncoder().encode('{"n":1}') }));
      assert.equal(out.FunctionError, undefined, new TextDecoder().decode(out.Payload));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(out.Payload)), { inline, got: { n: 1 }, file });
    });
  }
});

describe('LoggingConfig', () => {
  it('JSON format, application log level and log group reach the runtime; platform lines are JSON records', async () => {
    const out = await served.client.request<InvokeOutput>('invoke', { function: 'JsonLogs', event: {} });
    assert.deepEqual(out.result, { logGroup: '/custom/orders', format: 'JSON', level: 'WARN' });
    const records = out.logs.map((l) => JSON.parse(l) as { type?: string; level?: string; message?: string });
    assert.deepEqual(
      records.filter((r) => r.level).map((r) => [r.level, r.message]),
      [
        ['WARN', 'a warning'],
        ['ERROR', 'an error'],
      ],
    );
    const types = records.filter((r) => r.type).map((r) => r.type);
    assert.ok(types.includes('platform.start') && types.includes('platform.report'), types.join(', '));
  });

  it('SystemLogLevel WARN leaves the platform lines (all INFO) out; the function still writes its own', async () => {
    const out = await served.client.request<InvokeOutput>('invoke', { function: 'QuietLogs', event: {} });
    const records = out.logs.map((l) => JSON.parse(l) as { type?: string; level?: string });
    assert.deepEqual(
      records.map((r) => r.type ?? r.level),
      ['WARN', 'ERROR'],
    );
    assert.equal(out.report.status, 'success');
  });
});

describe('error bodies reach the caller as the runtime posted them', () => {
  it("Python's {errorMessage, errorType, requestId, stackTrace}, in its order", async () => {
    const out = await lambda().send(new InvokeCommand({ FunctionName: 'PyFails', Payload: new TextEncoder().encode('{"id":7}') }));
    assert.equal(out.FunctionError, 'Unhandled');
    const body = JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(body.errorType, 'OrderError');
    assert.equal(body.errorMessage, 'order 7 is not valid');
    assert.equal(body.requestId, out.$metadata.requestId);
    assert.ok(Array.isArray(body.stackTrace) && body.stackTrace.length === 1);
  });

  it("a custom runtime's own fields and spacing, byte for byte", async () => {
    const out = await lambda().send(new InvokeCommand({ FunctionName: 'CustomFails', Payload: new TextEncoder().encode('{}') }));
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(new TextDecoder().decode(out.Payload), '{"errorType":"Custom.Failure", "errorMessage":"no stock","detail":{"sku":"A-1","left":0}}');
  });
});

describe('what is not emulated is said once, at load, at its line', () => {
  it('serve names each unemulated resource, event and property once on stderr', () => {
    const log = served.serve.stderr();
    for (const what of [
      /Workflow \(AWS::StepFunctions::StateMachine\) is not emulated locally: state machines do not run locally/,
      /Nightly: EphemeralStorage is not emulated: \/tmp is the machine's own temporary folder/,
    ]) {
      assert.equal(log.split('\n').filter((l) => what.test(l)).length, 1, `${what}\n${log}`);
    }
  });

  it('listProblems gives them with their template line, as warnings; the function lists its own', async () => {
    const problems = await served.client.request<TemplateProblem[]>('listProblems');
    const storage = problems.find((p) => p.message.includes('EphemeralStorage'));
    assert.equal(storage?.severity, 'warning');
    assert.equal(storage?.file, 'template.yaml');
    assert.ok(storage && storage.line > 1);
    // Schedule events fire locally now (events/schedule), so they are no problem.
    assert.equal(
      problems.find((p) => p.message.includes('EveryNight')),
      undefined,
    );
    const functions = await served.client.request<FunctionInfo[]>('listFunctions');
    assert.equal(functions.find((f) => f.name === 'Nightly')?.notEmulated?.length, 1);
    assert.equal(functions.find((f) => f.name === 'Nightly')?.supported, true);
  });
});
