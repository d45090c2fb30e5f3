// Settings the VS Code extension passes to `serve` through the environment reach the host:
// billing rule, defaults for handler-only functions; bad values are usage errors (exit 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { cli, copyFixture, removeDir, RpcClient, startServe } from './serve-helpers';

const projects: string[] = [];
after(() => projects.forEach(removeDir));

describe('serve: settings from the environment', () => {
  it('applies the billing rule and the handler defaults', async () => {
    const root = copyFixture('service-project');
    projects.push(root);
    const serve = await startServe(['--root', root], {
      env: {
        LAMBDA_WORKBENCH_BILLING_RULE: 'legacy-100ms',
        LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB: '512',
        LAMBDA_WORKBENCH_DEFAULT_TIMEOUT_SECONDS: '7',
      },
    });
    try {
      const client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
      const out = await client.request<InvokeOutput>('invoke', { handler: 'src/hello.handler', event: {} });
      assert.equal(out.report.memorySizeMB, 512);
      assert.equal(out.report.billedDurationMs % 100, 0, `legacy rule bills in 100 ms steps, got ${out.report.billedDurationMs}`);
      assert.ok(out.report.billedDurationMs >= 100);
      const record = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
      assert.equal(record.billingRule, 'legacy-100ms');
      assert.equal(record.timeoutSeconds, 7);
      // A template function keeps its own memory size.
      const templated = await client.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
      assert.equal(templated.report.memorySizeMB, 128);
      client.close();
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('hands the event sources their settings: the buckets folder and the HTTP API port', async () => {
    const root = copyFixture('service-project');
    projects.push(root);
    const serve = await startServe(['--root', root], { env: { LAMBDA_WORKBENCH_BUCKETS_DIR: 'my-buckets', LAMBDA_WORKBENCH_HTTP_PORT: '0' } });
    try {
      const client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
      await client.request('s3.putObject', { bucket: 'photos', key: 'a/b.txt', body: 'hello' });
      assert.equal(readFileSync(join(root, 'my-buckets', 'photos', 'a', 'b.txt'), 'utf8'), 'hello');
      assert.match(serve.ready.httpApi ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      client.close();
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('a busy HTTP API port: a usage error, or with the fallback setting a free port and a warning', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as AddressInfo).port;
    try {
      const refused = spawnSync(process.execPath, [cli, 'serve', '--root', '.', '--http-port', String(busy)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(refused.status, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`HTTP API port ${busy} is already in use`));

      const root = copyFixture('service-project');
      projects.push(root);
      const serve = await startServe(['--root', root, '--http-port', String(busy)], { env: { LAMBDA_WORKBENCH_HTTP_PORT_FALLBACK: '1' } });
      try {
        const port = Number(new URL(serve.ready.httpApi ?? 'http://x').port);
        assert.ok(port > 0 && port !== busy, `took a free port instead of ${busy}: ${serve.ready.httpApi}`);
        assert.match(serve.stderr(), new RegExp(`HTTP API port ${busy} is in use; the local API Gateway takes a free port instead`));
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    } finally {
      holder.close();
    }
  });

  it('a bad value is a usage error naming what is allowed', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--root', '.'], {
      env: { ...process.env, LAMBDA_WORKBENCH_BILLING_RULE: 'per-second' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /LAMBDA_WORKBENCH_BILLING_RULE must be one of per-ms-with-init, per-ms, legacy-100ms, got 'per-second'/);
  });
});
