// Files stay where they belong, and bad params get a clear answer, through a real `serve`: no bucket or
// saved-event operation follows a symlink out of its root, the history is the user's only, a second
// serve on the same state folder is refused, and every event-source method names a missing field (-32602).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { cli, copyFixture, removeDir, RpcClientError, servedFixture, startServe, waitUntil } from './serve-helpers';

const INVALID_PARAMS = -32602;

async function rpcError(promise: Promise<unknown>): Promise<RpcClientError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RpcClientError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('serve: files stay in their roots, one host per state folder, -32602 for bad params', () => {
  const fx = servedFixture('events-project');
  let outside: string;
  const buckets = () => join(fx.dir, '.lambda-workbench', 'buckets');

  before(() => {
    outside = mkdtempSync(join(tmpdir(), 'lw-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'do not touch\n');
    writeFileSync(join(outside, 'victim.txt'), 'still here\n');
    writeFileSync(join(outside, 'event.json'), '{"secret":"outside the project"}\n');
  });
  after(() => removeDir(outside));

  it('s3.putObject never writes through a symlink: the link is replaced, its target untouched', async () => {
    const link = join(buckets(), 'photos', 'linked.txt');
    symlinkSync(join(outside, 'secret.txt'), link);
    await fx.client.request('s3.putObject', { bucket: 'photos', key: 'linked.txt', body: 'replaced' });
    assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'do not touch\n');
    assert.ok(lstatSync(link).isFile());
    assert.equal(readFileSync(link, 'utf8'), 'replaced');
  });

  it('s3.putObject and s3.deleteObject refuse a folder that is a symlink out of the buckets folder', async () => {
    symlinkSync(outside, join(buckets(), 'photos', 'out'));
    const put = await rpcError(fx.client.request('s3.putObject', { bucket: 'photos', key: 'out/new.txt', body: 'x' }));
    assert.match(put.message, /leads outside .* through the symlink photos\/out/);
    assert.equal(existsSync(join(outside, 'new.txt')), false);
    const del = await rpcError(fx.client.request('s3.deleteObject', { bucket: 'photos', key: 'out/victim.txt' }));
    assert.match(del.message, /through the symlink photos\/out/);
    assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'still here\n');
    // A whole bucket folder that is a symlink out is refused the same way.
    symlinkSync(outside, join(buckets(), 'elsewhere'));
    await rpcError(fx.client.request('s3.putObject', { bucket: 'elsewhere', key: 'victim.txt', body: 'overwritten' }));
    assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'still here\n');
  });

  // A regression guard: the watcher already looked at entries with lstat and walked no symlinked folder.
  it('the watcher does not deliver a symlink that points outside', async () => {
    const objectEvents = () =>
      fx.client.notifications
        .filter((n) => n.method === 'invocation.started' && (n.params as InvocationRecord).kind === 's3-event')
        .map((n) => (n.params as InvocationRecord).source as { key: string });
    symlinkSync(join(outside, 'secret.txt'), join(buckets(), 'photos', 'sneaky.txt'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'lw-outside-dir-'));
    try {
      symlinkSync(elsewhere, join(buckets(), 'photos', 'linked-dir'));
      await fx.client.request('s3.putObject', { bucket: 'photos', key: 'first.txt', body: '1' });
      await waitUntil(() => objectEvents().some((s) => s.key === 'first.txt'), 60_000, 'the event for first.txt');
      // Written outside, where the watcher could only see it through the symlinked folder.
      writeFileSync(join(elsewhere, 'written-outside.txt'), 'outside');
      // A real file written after the others: once its event is in, theirs would have been too.
      writeFileSync(join(buckets(), 'photos', 'real.txt'), 'real');
      await waitUntil(() => objectEvents().some((s) => s.key === 'real.txt'), 60_000, 'the event for real.txt');
      const keys = objectEvents().map((s) => s.key);
      assert.equal(keys.includes('sneaky.txt'), false, keys.join());
      assert.equal(keys.includes('linked-dir/written-outside.txt'), false, keys.join());
    } finally {
      removeDir(elsewhere);
    }
  });

  it('a saved event that is a symlink out of the project is neither read nor deleted', async () => {
    const dir = join(fx.dir, 'events', 'ThumbnailFunction');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(outside, 'event.json'), join(dir, 'leak.json'));
    const get = await rpcError(fx.client.request('events.getSaved', { function: 'ThumbnailFunction', name: 'leak' }));
    assert.match(get.message, /resolves outside the project/);
    assert.doesNotMatch(JSON.stringify(get.error), /outside the project"}/);
    await rpcError(fx.client.request('events.delete', { function: 'ThumbnailFunction', name: 'leak' }));
    assert.ok(existsSync(join(outside, 'event.json')));
  });

  it('the state folder is 0700 and invocations.jsonl 0600', async () => {
    await fx.client.request('invoke', { function: 'ThumbnailFunction', event: {} });
    const state = join(fx.dir, '.lambda-workbench');
    const history = join(state, 'invocations.jsonl');
    await waitUntil(() => existsSync(history), 30_000, 'the history file');
    assert.equal(statSync(state).mode & 0o777, 0o700);
    assert.equal(statSync(history).mode & 0o777, 0o600);
  });

  it('a second serve on the same state folder exits 2 naming the running one', () => {
    const second = spawnSync(process.execPath, [cli, 'serve', '--root', fx.dir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`another lambda-workbench serve \\(pid ${fx.serve.proc.pid}, ${fx.serve.ready.ws.replace(/[.]/g, '\\.')}\\)`));
    assert.equal(second.stdout, '');
    assert.doesNotMatch(second.stderr, /\n\s+at /);
  });

  const badParams: [method: string, params: unknown, field: RegExp][] = [
    ['s3.putObject', undefined, /"bucket"/],
    ['s3.putObject', { bucket: 'photos', key: 'a.txt' }, /"body"/],
    ['s3.putObject', { bucket: 'photos', key: 7, body: '' }, /"key" must be/],
    ['s3.putObject', { bucket: 'photos', key: 'a.txt', body: 'x', bodyBase64: 'yes' }, /"bodyBase64" must be true or false/],
    ['s3.deleteObject', {}, /"bucket"/],
    ['s3.deleteObject', { bucket: 'photos' }, /"key"/],
    ['sns.publish', undefined, /"topic"/],
    ['sns.publish', { topic: 'orders-topic' }, /"message"/],
    ['sns.publish', { topic: 'orders-topic', message: 'm', messageAttributes: { a: 1 } }, /"messageAttributes\.a"/],
    ['stream.putRecords', undefined, /"stream"/],
    ['stream.putRecords', { stream: 'orders' }, /"records"/],
    ['stream.putRecords', { stream: 'orders', records: 'abc' }, /"records" must be/],
    ['stream.putRecords', { stream: 'orders', records: [null] }, /"records\[0\]"/],
    ['stream.putRecords', { stream: 'orders', records: [{ data: 'x' }] }, /records\[0\]: partitionKey/],
    ['httpApi.start', { port: 'eighty' }, /"port" must be/],
    ['events.generate', undefined, /"template"/],
    ['events.getSaved', {}, /"function"/],
    ['events.save', { function: 'ThumbnailFunction', name: 'n' }, /"event"/],
    ['events.rename', { function: 'ThumbnailFunction', name: 'n' }, /"newName"/],
    ['events.listSaved', { function: 3 }, /"function" must be/],
  ];
  for (const [method, params, field] of badParams) {
    it(`${method} ${JSON.stringify(params) ?? '(no params)'} → -32602 naming the field`, async () => {
      const err = await rpcError(fx.client.request(method, params));
      assert.equal(err.error.code, INVALID_PARAMS, JSON.stringify(err.error));
      assert.match(err.message, field);
    });
  }

  it('no stack trace reached the log for any of them', () => {
    assert.doesNotMatch(fx.serve.stderr(), /failed: TypeError|\n\s+at /);
  });
});

describe('serve: a stale lock (its process is gone) is taken over', () => {
  let project: string;
  before(() => (project = copyFixture('trust-project')));
  after(() => removeDir(project));

  it('starts, and the lock then names this serve', async () => {
    // A pid that surely is not running any more: a process that has exited.
    const gone = spawn(process.execPath, ['-e', '0']);
    const pid = gone.pid!;
    await new Promise((resolve) => gone.once('exit', resolve));
    const state = join(project, '.lambda-workbench');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'serve.lock'), JSON.stringify({ pid, ws: 'ws://127.0.0.1:1' }));
    const serve = await startServe(['--root', project], { timeoutMs: 60_000 });
    try {
      const lock = JSON.parse(readFileSync(join(state, 'serve.lock'), 'utf8')) as { pid: number; ws: string };
      assert.equal(lock.pid, serve.proc.pid);
      assert.equal(lock.ws, serve.ready.ws);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
    assert.equal(existsSync(join(state, 'serve.lock')), false);
  });
});
