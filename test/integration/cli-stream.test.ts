// `lambda-workbench stream put|list` as a user runs it: a real `node dist/cli.js stream …` process
// talking to a real `node dist/cli.js serve` found through <root>/.lambda-workbench/host.json.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { cli, removeDir, servedFixture, waitUntil } from './serve-helpers';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the RPC client keeps reading notifications meanwhile). */
function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

type KinesisEv = { Records: { kinesis: { data: string; partitionKey: string; sequenceNumber: string } }[] };

describe('lambda-workbench stream without a running host', () => {
  let empty: string;
  before(() => {
    empty = mkdtempSync(join(tmpdir(), 'lw-no-host-'));
  });
  after(() => removeDir(empty));

  it('stream put exits 2 with one clear message and no stack trace', async () => {
    const r = await runCli(['stream', 'put', 'orders', '--partition-key', 'k', '--data', 'd', '--root', empty]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    assert.equal(first, `lambda-workbench: no running host found: ${join(empty, '.lambda-workbench', 'host.json')} does not exist`);
    assert.deepEqual(rest, ['hint: start one with: lambda-workbench serve --root <project>  (or pass --state-dir / --root of the running host)']);
  });

  it('stream list exits 2 the same way', async () => {
    const r = await runCli(['stream', 'list', '--root', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^lambda-workbench: no running host found: .*host\.json does not exist\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('a host.json left by a host that is gone exits 2 naming the dead pid', async () => {
    // A pid that surely ended: a child that has exited and been reaped.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((resolve) => child.once('close', resolve));
    const stateDir = join(empty, 'stale-state');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'host.json'), JSON.stringify({ ws: 'ws://127.0.0.1:9', token: 't', pid }));
    const r = await runCli(['stream', 'put', 'orders', '--partition-key', 'k', '--data', 'd', '--state-dir', stateDir]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n')[0], `lambda-workbench: no running host found: the host that wrote ${join(stateDir, 'host.json')} (pid ${pid}) is gone`);
  });
});

describe('lambda-workbench stream against a real serve', () => {
  const fx = servedFixture('events-project');
  const invocations = (fn: string) =>
    fx.client.notifications
      .filter((n) => n.method === 'invocation.finished')
      .map((n) => n.params as InvocationRecord)
      .filter((r) => r.kind === 'invocation' && r.functionName === fn);

  it('stream put exits 0, prints the shard and sequence number, and the record reaches the function', async () => {
    const r = await runCli(['stream', 'put', 'payments', '--partition-key', 'customer-7', '--data', 'from the CLI', '--root', fx.dir]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const m = /^(shardId-000000000000)\t(49\d{54})\n$/.exec(r.stdout);
    assert.ok(m, `stdout: ${JSON.stringify(r.stdout)}`);
    await waitUntil(() => invocations('PaymentsFunction').length >= 1, 60_000, 'the record delivered');
    const [inv] = invocations('PaymentsFunction');
    assert.equal(inv!.status, 'success');
    assert.deepEqual(
      (inv!.event as KinesisEv).Records.map((x) => [x.kinesis.partitionKey, Buffer.from(x.kinesis.data, 'base64').toString('utf8'), x.kinesis.sequenceNumber]),
      [['customer-7', 'from the CLI', m[2]]],
    );
  });

  it('stream put --json prints the result as JSON', async () => {
    const r = await runCli(['stream', 'put', 'orders', '--partition-key', 'k', '--data', 'json please', '--root', fx.dir, '--json']);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout) as { shardId: string; sequenceNumber: string };
    assert.deepEqual(Object.keys(out).sort(), ['sequenceNumber', 'shardId']);
    assert.match(out.shardId, /^shardId-00000000000[01]$/);
    assert.match(out.sequenceNumber, /^49\d{54}$/);
  });

  it('stream list prints every stream with its kind, shards, records and functions', async () => {
    await waitUntil(
      async () => (await fx.client.request<{ name: string; records: number }[]>('stream.list')).find((s) => s.name === 'orders')?.records === 1,
      30_000,
      'the orders record stored',
    );
    const r = await runCli(['stream', 'list', '--root', fx.dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trimEnd().split('\n').sort(), [
      'orders\tkinesis\t2 shard(s)\t1 record(s)\tOrdersFunction',
      'payments\tkinesis\t1 shard(s)\t1 record(s)\tPaymentsFunction',
    ]);
  });

  it('an unknown stream exits 2 with a message naming the known streams', async () => {
    const r = await runCli(['stream', 'put', 'nope', '--partition-key', 'k', '--data', 'd', '--root', fx.dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      "lambda-workbench: Stream nope not found\nhint: streams come from the functions' Kinesis and DynamoDB events; known: orders (kinesis), payments (kinesis)\n",
    );
  });

  it('a missing flag is a usage error (exit 2)', async () => {
    const r = await runCli(['stream', 'put', 'orders', '--data', 'd', '--root', fx.dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^lambda-workbench: --partition-key is required\n/);
  });
});
