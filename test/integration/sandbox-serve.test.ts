// serve reports its sandbox on the ready line and in every record; the flag and the setting (through
// the environment the extension sets) choose it; a bad value is a usage error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { cgroupLayout, SANDBOX_FOLDER } from '../../runtime-host/runtime/sandbox/cgroup-fs';
import { cgroupSkipReason } from './sandbox-helpers';
import { cli, copyFixture, removeDir, RpcClient, startServe } from './serve-helpers';

const projects: string[] = [];
after(() => projects.forEach(removeDir));

async function sandboxOfServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ready: string | undefined; record: InvocationRecord }> {
  const root = copyFixture('service-project');
  projects.push(root);
  const serve = await startServe(['--root', root, ...args], { env, timeoutMs: 60_000 });
  try {
    const client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    const out = await client.request<InvokeOutput>('invoke', { handler: 'src/hello.handler', event: {} });
    const record = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    client.close();
    return { ready: serve.ready.sandbox, record };
  } finally {
    assert.equal(await serve.stop(), 0);
  }
}

describe('invoke: the sandbox', () => {
  it('--sandbox process runs the invocation in the process sandbox; a bad value is a usage error', () => {
    const root = copyFixture('service-project');
    projects.push(root);
    const ok = spawnSync(process.execPath, [cli, 'invoke', 'src/hello.handler', '--root', root, '--sandbox', 'process', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as InvokeOutput).report.status, 'success');
    const bad = spawnSync(process.execPath, [cli, 'invoke', 'src/hello.handler', '--root', root, '--sandbox', 'vm'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--sandbox must be one of auto, cgroup, process, got 'vm'/);
  });
});

describe('serve: the sandbox', () => {
  it('by default: cgroups where writable, else the process sandbox; the ready line and the record agree', async () => {
    const { ready, record } = await sandboxOfServe([]);
    assert.equal(ready, cgroupSkipReason() ? 'process' : 'cgroup-v1');
    assert.equal(record.sandbox?.kind, ready);
    assert.equal(record.sandbox?.freeze, ready === 'process' ? 'sigstop' : 'cgroup');
  });

  it('--sandbox process and the setting (LAMBDA_WORKBENCH_SANDBOX) force the process sandbox', async () => {
    const flag = await sandboxOfServe(['--sandbox', 'process']);
    assert.equal(flag.ready, 'process');
    assert.equal(flag.record.sandbox?.memory, 'polling');
    const setting = await sandboxOfServe([], { LAMBDA_WORKBENCH_SANDBOX: 'process' });
    assert.equal(setting.ready, 'process');
    assert.equal(setting.record.sandbox?.kind, 'process');
  });

  it('a host that stops removes its own cgroup folders, also when it never ran a function', { skip: cgroupSkipReason() }, async () => {
    // With an environment, the host's watchdog removes them too; without one, only the host can, and
    // otherwise the next host has to reap them at its start.
    const root = copyFixture('service-project');
    projects.push(root);
    const serve = await startServe(['--root', root], { timeoutMs: 60_000 });
    const pid = serve.proc.pid!;
    const folders = [...cgroupLayout().v1.values()].map((mount) => join(mount, SANDBOX_FOLDER, String(pid)));
    assert.ok(
      folders.some((f) => existsSync(f)),
      `the running host has its folders: ${folders.join(', ')}`,
    );
    assert.equal(await serve.stop(), 0);
    assert.deepEqual(
      folders.filter((f) => existsSync(f)),
      [],
    );
  });

  it('a bad value is a usage error naming the choices (exit 2)', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--sandbox', 'docker'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--sandbox must be one of auto, cgroup, process, got 'docker'/);
    assert.equal(r.stdout, '');
  });
});
