// Nothing acknowledged is lost: 8 Invoke API clients (the real AWS SDK) call a real `serve`, the host
// is killed with SIGKILL right after the Nth 200 answer, and the history read back from the state
// folder must hold a final record for every request id a client was given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { InvocationStore } from '../../runtime-host/records/invocation-store';
import { copyFixture, removeDir, startServe } from './serve-helpers';

const CLIENTS = 8;
/** A lost record needs the kill to land inside a batch window: a few rounds make a regression show reliably. */
const ROUNDS = 4;

async function killRound(killAfter: number): Promise<{ acknowledged: string[]; missing: string[] }> {
  const project = copyFixture('service-project');
  try {
    const serve = await startServe(['--root', project], { timeoutMs: 60_000 });
    const acknowledged: string[] = [];
    let killed = false;
    const clients = Array.from(
      { length: CLIENTS },
      () =>
        new LambdaClient({
          endpoint: serve.ready.invokeApi,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
          maxAttempts: 1,
        }),
    );
    const ack = (requestId: string) => {
      if (killed) return;
      acknowledged.push(requestId);
      if (acknowledged.length === killAfter) {
        killed = true;
        serve.proc.kill('SIGKILL');
      }
    };
    for (const lambda of clients) {
      // Innermost in the deserialize step: sees the raw answer as soon as its head arrives, before the SDK reads the body.
      lambda.middlewareStack.add(
        (next) => async (args) => {
          const out = await next(args);
          const response = out.response as { statusCode?: number; headers?: Record<string, string> };
          const requestId = response.headers?.['x-amzn-requestid'];
          if (response.statusCode === 200 && requestId && !response.headers?.['x-amz-function-error']) ack(requestId);
          return out;
        },
        { step: 'deserialize', priority: 'low', name: 'acknowledge' },
      );
    }
    const payload = new TextEncoder().encode(JSON.stringify({ from: 'durability' }));
    await Promise.all(
      clients.map(async (lambda) => {
        while (!killed) {
          try {
            await lambda.send(new InvokeCommand({ FunctionName: 'Hello', Payload: payload }));
          } catch (err) {
            // Only the requests cut off by the kill may fail.
            if (!killed) throw err;
          }
        }
      }),
    );
    await serve.exited;
    clients.forEach((c) => c.destroy());
    const store = new InvocationStore({ stateDir: `${project}/.lambda-workbench` });
    const missing = acknowledged.filter((id) => store.get(id)?.status !== 'success');
    return { acknowledged, missing };
  } finally {
    removeDir(project);
  }
}

describe('durability under kill -9', { timeout: 600_000 }, () => {
  for (const n of [150, 224]) {
    it(`every one of ${n} acknowledged invocations is in the history after SIGKILL (${ROUNDS} rounds)`, async () => {
      const missingPerRound: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { acknowledged, missing } = await killRound(n);
        assert.equal(acknowledged.length, n);
        missingPerRound.push(missing.length);
      }
      assert.deepEqual(missingPerRound, Array<number>(ROUNDS).fill(0), `acknowledged invocations missing per round of ${n}: ${missingPerRound.join(', ')}`);
    });
  }
});
