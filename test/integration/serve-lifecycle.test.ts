// A real `serve` over its life: history across restarts (torn last line), retention, env files, hot
// reload of code, startup errors, and SIGTERM/SIGINT leaving no environment behind.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { copyFixture, environmentPids, removeDir, RpcClient, startServe, waitUntil } from './serve-helpers';

const projects: string[] = [];
after(() => projects.forEach(removeDir));

function project(): string {
  const p = copyFixture('service-project');
  projects.push(p);
  return p;
}

describe('serve: durable history', () => {
  it('survives a restart; a torn last line is skipped with a warning', async () => {
    const root = project();
    const first = await startServe(['--root', root]);
    const c1 = await RpcClient.connect(first.ready.ws, first.ready.token);
    const a = await c1.request<InvokeOutput>('invoke', { function: 'Hello', event: { n: 'a' } });
    const b = await c1.request<InvokeOutput>('invoke', { function: 'Fails', event: { n: 'b' } });
    c1.close();
    assert.equal(await first.stop(), 0);
    assert.equal(existsSync(join(root, '.lambda-workbench', 'host.json')), false);

    const file = join(root, '.lambda-workbench', 'invocations.jsonl');
    appendFileSync(file, '{"id":"torn","kind":"invoc');
    const second = await startServe(['--root', root]);
    const c2 = await RpcClient.connect(second.ready.ws, second.ready.token);
    const list = await c2.request<ListInvocationsResult>('listInvocations');
    assert.deepEqual(
      list.records.map((r) => [r.id, r.functionName, r.status]),
      [
        [b.requestId, 'Fails', 'error'],
        [a.requestId, 'Hello', 'success'],
      ],
    );
    assert.match(second.stderr(), /invocations\.jsonl: skipped 1 damaged line: a torn last line \(26 bytes\)/);
    const c = await c2.request<InvokeOutput>('invoke', { function: 'Hello', event: { n: 'c' } });
    assert.deepEqual(
      (await c2.request<ListInvocationsResult>('listInvocations')).records.map((r) => r.id),
      [c.requestId, b.requestId, a.requestId],
    );
    c2.close();
    assert.equal(await second.stop(), 0);
    assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
  });

  it('--max-records keeps the newest N, also after a restart', async () => {
    const root = project();
    const s1 = await startServe(['--root', root, '--max-records', '3']);
    const c1 = await RpcClient.connect(s1.ready.ws, s1.ready.token);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await c1.request<InvokeOutput>('invoke', { function: 'Hello', event: { i } })).requestId);
    assert.deepEqual(
      (await c1.request<ListInvocationsResult>('listInvocations')).records.map((r) => r.id),
      ids.slice(2).reverse(),
    );
    c1.close();
    await s1.stop();
    const s2 = await startServe(['--root', root, '--max-records', '3']);
    const c2 = await RpcClient.connect(s2.ready.ws, s2.ready.token);
    assert.deepEqual(
      (await c2.request<ListInvocationsResult>('listInvocations')).records.map((r) => r.id),
      ids.slice(2).reverse(),
    );
    c2.close();
    await s2.stop();
  });
});

describe('serve: configuration', () => {
  it('--env-file (env.json shape) and .env add and override variables', async () => {
    const root = project();
    writeFileSync(join(root, 'env.json'), JSON.stringify({ Parameters: { EXTRA: 'from-parameters' }, Hello: { GREETING: 'hey' } }));
    // Absolute: CLI paths are relative to the working directory (and Node 20 itself checks `--env-file` paths).
    const s = await startServe(['--root', root, '--env-file', join(root, 'env.json')]);
    const c = await RpcClient.connect(s.ready.ws, s.ready.token);
    const out = await c.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
    assert.deepEqual([(out.result as Record<string, unknown>).greeting, (out.result as Record<string, unknown>).extra], ['hey', 'from-parameters']);
    c.close();
    await s.stop();

    writeFileSync(join(root, '.env'), 'EXTRA=from-dotenv\n');
    const s2 = await startServe(['--root', root]);
    const c2 = await RpcClient.connect(s2.ready.ws, s2.ready.token);
    const out2 = await c2.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
    assert.equal((out2.result as Record<string, unknown>).extra, 'from-dotenv');
    c2.close();
    await s2.stop();
  });

  it('a broken template at startup: exit 2, one message with file:line on stderr, nothing on stdout', async () => {
    const root = project();
    writeFileSync(join(root, 'template.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [\n');
    await assert.rejects(startServe(['--root', root]), (err: Error) => {
      assert.match(err.message, /serve exited \(2\) before ready/);
      assert.match(err.message, /lambda-workbench: template\.yaml:\d+:\d+: /);
      assert.doesNotMatch(err.message, /\n\s+at /);
      return true;
    });
  });

  it('usage errors exit 2 with one line', async () => {
    await assert.rejects(startServe(['--port', 'abc']), /serve exited \(2\)[^]*--port must be a whole number from 0 to 65535, got 'abc'/);
  });
});

describe('serve: hot reload', () => {
  it('an edited handler runs cold with the new code on the next invoke', async () => {
    const root = project();
    const s = await startServe(['--root', root]);
    const c = await RpcClient.connect(s.ready.ws, s.ready.token);
    const before = await c.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
    assert.equal(before.cold, true);
    assert.equal((await c.request<InvokeOutput>('invoke', { function: 'Hello', event: {} })).cold, false);
    const file = join(root, 'src', 'hello.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace('greeting: process.env.GREETING', "greeting: 'edited'"));
    // The watcher debounces; until it fires the warm environment still has the old module.
    let out: InvokeOutput | undefined;
    await waitUntil(
      async () => {
        out = await c.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
        return (out.result as { greeting: string }).greeting === 'edited';
      },
      30000,
      'the edited handler',
    );
    assert.equal(out!.cold, true);
    assert.match(out!.logs[0]!, /^INIT_START /);
    assert.equal((out!.result as { count: number }).count, 1);
    // Clients are told too (CodeLenses, debug sessions), with the unchanged function list.
    const change = await c.waitFor('functions.changed');
    assert.deepEqual(
      change.functions.map((f) => f.name),
      ['Hello', 'Fails', 'Slow', 'Chatty', 'FailsOnce'],
    );
    c.close();
    await s.stop();
  });
});

describe('serve: shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} exits 0 and kills every environment, busy or idle`, async () => {
      const root = project();
      const s = await startServe(['--root', root]);
      const c = await RpcClient.connect(s.ready.ws, s.ready.token);
      await c.request('invoke', { function: 'Hello', event: {} });
      void c.request('invoke', { function: 'Slow', event: { ms: 60000 } }).catch(() => undefined);
      await c.waitFor('invocation.started', (r) => r.functionName === 'Slow');
      await waitUntil(() => environmentPids(root).length >= 2, 30000, 'two environments');
      assert.equal(await s.stop(signal), 0);
      await waitUntil(() => environmentPids(root).length === 0, 10000, 'no environment processes left');
      assert.equal(existsSync(join(root, '.lambda-workbench', 'host.json')), false);
      assert.deepEqual(s.stdoutLines.length, 1);
    });
  }

  it('a SIGTERM the moment the ready line arrives still shuts down cleanly', async () => {
    // Repeated: the window between the ready line and the signal handlers was small.
    for (let i = 0; i < 5; i++) {
      const root = project();
      const s = await startServe(['--root', root]);
      assert.equal(await s.stop('SIGTERM'), 0, s.stderr());
      assert.equal(existsSync(join(root, '.lambda-workbench', 'host.json')), false);
    }
  });
});
