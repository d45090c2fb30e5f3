// Functions that call AWS with unmodified clients (no endpoint, region or credentials in their code)
// reach the host's local services: the environment carries AWS_ENDPOINT_URL*, placeholder keys and
// the region. The fixture's code resolves @aws-sdk/* through a node_modules link to the repository's
// (the host's dev dependencies), and boto3 is the system's (python3-boto3 or the interpreter's own).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { copyFixture, removeDir, repoRoot, RpcClient, servedFixture, startServe, waitUntil, type ServeProcess } from './serve-helpers';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';

const fixture = servedFixture('aws-project', {
  prepare: (dir) => symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')),
});

const bucketFile = (key: string) => join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', ...key.split('/'));

describe('AWS endpoint: SDK calls from inside a function', () => {
  it('a Node handler puts and gets an S3 object, publishes, puts a record and invokes another function', async () => {
    const out = await fixture.client.request<InvokeOutput>('invoke', { function: 'Writer', event: { key: 'inside/node.txt', body: 'from Writer' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as Record<string, unknown>;
    assert.equal(result.endpoint, fixture.serve.ready.awsEndpoint);
    assert.equal(result.body, 'from Writer');
    assert.equal(result.contentType, 'text/plain');
    assert.match(String(result.messageId), /^[0-9a-f-]{36}$/);
    assert.equal(result.shardId, 'shardId-000000000000');
    assert.deepEqual(result.echo, { echoed: { from: 'Writer' } });
    assert.equal(readFileSync(bucketFile('inside/node.txt'), 'utf8'), 'from Writer');
  });

  it('the function→function call runs and the function’s put notifies the bucket’s subscriber', async () => {
    const writer = await fixture.client.request<InvokeOutput>('invoke', { function: 'Writer', event: { key: 'inside/chain.txt', body: 'chain' } });
    assert.equal(writer.error, undefined, JSON.stringify(writer.error));
    const echo = (await fixture.client.request<ListInvocationsResult>('listInvocations', { function: 'Echo', limit: 50 })).records;
    // The trace book (records/trace-book.ts) links calls by X-Amzn-Trace-Id; without it the call still runs.
    assert.ok(
      echo.some((r) => JSON.stringify(r.event) === JSON.stringify({ from: 'Writer' })),
      'Echo was invoked',
    );
    await waitUntil(
      async () => {
        const page = await fixture.client.request<ListInvocationsResult>('listInvocations', { function: 'OnUpload', limit: 100 });
        return page.records.some((r) => JSON.stringify(r.event ?? '').includes('inside/chain.txt'));
      },
      60_000,
      'OnUpload notified of inside/chain.txt',
    );
  });

  it('a Python handler uses boto3 S3 with no endpoint in its code', async (t) => {
    const probe = spawnSync('python3', ['-c', 'import boto3, botocore; print(botocore.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      t.skip('boto3 is not installed (scripts/setup-system.sh installs python3-boto3)');
      return;
    }
    const out = await fixture.client.request<InvokeOutput>('invoke', { function: 'PyWriter', event: { key: 'inside/python.txt' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as { body: string; contentType: string; keys: string[] };
    assert.equal(result.body, 'written by boto3');
    assert.equal(result.contentType, 'text/plain');
    assert.deepEqual(result.keys, ['inside/python.txt']);
    assert.equal(readFileSync(bucketFile('inside/python.txt'), 'utf8'), 'written by boto3');
  });
});

describe('AWS endpoint: boto3 older than 1.31 (Debian’s python3-boto3)', () => {
  // That botocore ignores AWS_ENDPOINT_URL*; the Python runtime hands its clients the endpoint once botocore.session is imported.
  const debianPython = '/usr/bin/python3.11';
  const probe = spawnSync(debianPython, ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' });
  const version = probe.status === 0 ? probe.stdout.trim().split('.').map(Number) : undefined;
  let dir = '';
  let serve: ServeProcess | undefined;
  let client: RpcClient | undefined;
  before(async () => {
    if (!version) return;
    dir = copyFixture('aws-project');
    // Only the system folders on PATH: python3.11 is Debian's, whatever else the machine has.
    serve = await startServe(['--root', dir], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 60_000 });
    client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  });
  after(async () => {
    client?.close();
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('puts and gets an S3 object with no endpoint in the code', async (t) => {
    if (!version) {
      t.skip(`${debianPython} with boto3 is not installed (scripts/setup-system.sh installs python3-boto3)`);
      return;
    }
    const out = await client!.request<InvokeOutput>('invoke', { function: 'PyWriter', event: { key: 'inside/old-boto3.txt' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as { boto3: string; body: string; keys: string[] };
    assert.equal(result.body, 'written by boto3');
    assert.deepEqual(result.keys, ['inside/old-boto3.txt']);
    assert.equal(readFileSync(join(dir, '.lambda-workbench', 'buckets', 'uploads', 'inside', 'old-boto3.txt'), 'utf8'), 'written by boto3');
  });
});
