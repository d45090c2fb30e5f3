// Python environments in the sandbox: a thread the function leaves running is reported as background
// work and does not run while the environment is frozen.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { uniqueTag } from './sandbox-helpers';

const invoker = new LambdaInvoker();
after(() => invoker.shutdown());
const root = join(__dirname, '../fixtures/python/sandbox');

test('a Python timer thread left running is reported and frozen until the next invocation', async () => {
  const marker = join(tmpdir(), `lambda-workbench-pytimer-${uniqueTag()}`);
  const arm = functionFromHandler({ handler: 'app.leave_timer', root, name: 'py-timer', runtime: 'python3.12' });
  const armed = await invoker.invoke({ fn: arm, event: { marker, delay: 0.2 }, trigger: 'manual' });
  assert.equal(armed.status, 'success', JSON.stringify(armed.error));
  assert.deepEqual(armed.sandbox?.backgroundWork, ['Timer']);
  assert.notEqual(armed.sandbox?.freeze, 'none');
  // Waiting is the test: the timer is due after 200 ms, and nothing may run it while frozen.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(existsSync(marker) || existsSync(`${marker}.partial`), false, 'the timer thread ran while no invocation did');
  const check = functionFromHandler({ handler: 'app.leave_timer', root, name: 'py-timer', runtime: 'python3.12' });
  // The function's time.time() against the wall clock here (a record's times are on the host's monotonic clock).
  const askedAt = Date.now();
  const next = await invoker.invoke({ fn: check, event: { marker, delay: 60 }, trigger: 'manual' });
  assert.equal(next.status, 'success', JSON.stringify(next.error));
  await waitForFile(marker);
  assert.ok(Number(readFileSync(marker, 'utf8')) >= askedAt, 'it ran only once the next invocation thawed the environment');
  rmSync(marker, { force: true });
});

async function waitForFile(file: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (!existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
