// How the S3 source watches bucket folders, in both watch modes: the default recursive fs.watch and
// the per-directory fallback (one watcher per folder, added as folders appear). Each scenario is one
// function run once per mode, against a real host (in-process, so the source's options can be set)
// with real files, a real WebSocket client and real function invocations. Every scenario waits for
// the notifications it expects, then lets the watcher settle and asserts the complete list, so a
// duplicate or a stray event fails as surely as a missing one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Source, type S3SourceOptions } from '../../runtime-host/events/s3';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { copyFixture, removeDir, RpcClient, waitUntil } from './serve-helpers';

const STABLE_MS = 80;
/** Long enough for any late fs.watch notice to arrive and be debounced (twice stableMs) and reported. */
const SETTLE_MS = STABLE_MS * 6;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

type S3Ev = { Records: { eventName: string; s3: { bucket: { name: string }; object: Record<string, unknown> } }[] };

/** What one notification says, from the parent record and the event it carries. */
interface Change {
  eventName: string;
  key: string;
  /** The key as it appears in the event (URL-encoded by S3's rules). */
  eventKey: string;
  size?: number;
  eTag?: string;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const put = (key: string, content: Buffer, eventKey = key): Change => ({
  eventName: 'ObjectCreated:Put',
  key,
  eventKey,
  size: content.length,
  eTag: md5(content),
});
const del = (key: string, eventKey = key): Change => ({ eventName: 'ObjectRemoved:Delete', key, eventKey });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const order = (a: Change, b: Change) => `${a.eventName} ${a.key}`.localeCompare(`${b.eventName} ${b.key}`);

interface Harness {
  dir: string;
  bucketDir: string;
  s3: S3Source;
  /** Marks "from here on"; pass it to expectChanges. */
  mark(): number;
  /** Waits for exactly these changes (any order) since the mark, and checks that no other arrived. */
  expectChanges(since: number, expected: Change[]): Promise<void>;
}

function withHost(options: S3SourceOptions, body: (h: () => Harness) => void): void {
  let dir: string;
  let host: RunningHost;
  let client: RpcClient;
  let s3: S3Source;
  const s3Parents = (since: number, method: 'invocation.started' | 'invocation.finished') =>
    client.notifications
      .slice(since)
      .filter((n) => n.method === method && (n.params as InvocationRecord).kind === 's3-event')
      .map((n) => n.params as InvocationRecord);

  before(async () => {
    dir = copyFixture('events-project');
    s3 = new S3Source({ stableMs: STABLE_MS, ...options });
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [s3] });
    client = await RpcClient.connect(host.ws, host.token);
  });
  after(async () => {
    client?.close();
    await host?.close();
    removeDir(dir);
  });

  body(() => ({
    dir,
    bucketDir: join(s3.root, 'photos'),
    s3,
    mark: () => client.notifications.length,
    async expectChanges(since, expected) {
      await waitUntil(() => s3Parents(since, 'invocation.finished').length >= expected.length, 60_000, `${expected.length} S3 notification(s)`);
      // The expected ones are in; anything still on its way (a duplicate, a half-written file
      // reported early) arrives within a few stable periods.
      await s3.idle();
      await sleep(SETTLE_MS);
      await s3.idle();
      const opened = s3Parents(since, 'invocation.started');
      const finished = s3Parents(since, 'invocation.finished');
      assert.deepEqual(finished.map((p) => p.id).sort(), opened.map((p) => p.id).sort(), 'every notification opened was delivered and closed');
      const seen = finished.map((p): Change => {
        const record = (p.event as S3Ev).Records[0]!;
        const object = record.s3.object;
        assert.equal(record.eventName, p.source?.['eventName']);
        assert.equal(record.s3.bucket.name, 'photos');
        assert.equal(p.status, 'success');
        assert.match(object['sequencer'] as string, /^[0-9A-F]{18}$/);
        return {
          eventName: record.eventName,
          key: p.source?.['key'] as string,
          eventKey: object['key'] as string,
          ...(object['size'] !== undefined ? { size: object['size'] as number } : {}),
          ...(object['eTag'] !== undefined ? { eTag: object['eTag'] as string } : {}),
        };
      });
      assert.deepEqual(seen.sort(order), [...expected].sort(order));
    },
  }));
}

// ---- scenarios, each run in both watch modes -----------------------------------------------------

async function createInExistingAndNewFolders(h: Harness): Promise<void> {
  const top = Buffer.from('at the top of the bucket\n');
  const nested = Buffer.from('a photo in a folder made after start\n');
  let since = h.mark();
  writeFileSync(join(h.bucketDir, 'notes 1.txt'), top);
  // The folders do not exist when the source starts: in per-directory mode nothing watches them
  // until the bucket folder's watcher sees `2024` appear.
  mkdirSync(join(h.bucketDir, '2024', 'summer'), { recursive: true });
  writeFileSync(join(h.bucketDir, '2024', 'summer', 'a.jpg'), nested);
  await h.expectChanges(since, [put('notes 1.txt', top, 'notes+1.txt'), put('2024/summer/a.jpg', nested)]);

  // The nested delete is seen only by the watcher added for the new folder.
  since = h.mark();
  unlinkSync(join(h.bucketDir, '2024', 'summer', 'a.jpg'));
  unlinkSync(join(h.bucketDir, 'notes 1.txt'));
  await h.expectChanges(since, [del('2024/summer/a.jpg'), del('notes 1.txt', 'notes+1.txt')]);
}

async function halfWrittenFileIsReportedOnce(h: Harness): Promise<void> {
  const chunks = Array.from({ length: 6 }, (_, i) => Buffer.alloc(4096, String.fromCharCode(97 + i)));
  const full = Buffer.concat(chunks);
  const since = h.mark();
  mkdirSync(join(h.bucketDir, 'uploads-slow'));
  const out = createWriteStream(join(h.bucketDir, 'uploads-slow', 'big.bin'));
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
    // Well under stableMs, so every pause looks like "still being written". The writer shares the
    // host's event loop, so a slow machine delays these pauses and the source's timers alike.
    await sleep(STABLE_MS / 5);
  }
  await new Promise<void>((resolve) => out.end(resolve));
  await h.expectChanges(since, [put('uploads-slow/big.bin', full)]);
}

async function overwriteAndIdenticalRewrite(h: Harness): Promise<void> {
  const file = join(h.bucketDir, 'docs', 'readme.txt');
  // Whole seconds, so the mtime set back later is exactly the one the source recorded.
  const t1 = 1_700_000_000;
  const t2 = 1_700_000_100;
  const v1 = Buffer.from('version one\n');
  const v2 = Buffer.from('version two, longer\n');

  let since = h.mark();
  mkdirSync(join(h.bucketDir, 'docs'));
  writeFileSync(file, v1);
  utimesSync(file, t1, t1);
  await h.expectChanges(since, [put('docs/readme.txt', v1)]);

  since = h.mark();
  writeFileSync(file, v2);
  utimesSync(file, t2, t2);
  await h.expectChanges(since, [put('docs/readme.txt', v2)]);

  // Same bytes, size and mtime as the source's snapshot (as `cp -p` or `rsync -t` would leave
  // them): only ctime moved, the bytes are the same, so this write is not a change.
  since = h.mark();
  writeFileSync(file, v2);
  utimesSync(file, t2, t2);
  await h.expectChanges(since, []);

  // Different bytes of the same size, mtime set back again: ctime gives the write away, and the
  // new content is a Put with its own eTag (a size+mtime check alone would miss it).
  const v3 = Buffer.from('version 2, LONGER!\n\n');
  assert.equal(v3.length, v2.length);
  since = h.mark();
  writeFileSync(file, v3);
  utimesSync(file, t2, t2);
  await h.expectChanges(since, [put('docs/readme.txt', v3)]);

  // The same bytes with a new mtime (an editor saving without edits) is a Put again, same eTag;
  // this also shows the watcher was still listening during the silent step above.
  since = h.mark();
  writeFileSync(file, v3);
  await h.expectChanges(since, [put('docs/readme.txt', v3)]);
}

async function moveFolderInThenRemoveIt(h: Harness): Promise<void> {
  const a = Buffer.from('first file of the batch\n');
  const b = Buffer.from('second file, one folder deeper\n');
  // Built outside the buckets folder, so the watcher sees the folder arrive in one rename.
  const staging = join(h.dir, 'staging', 'batch');
  mkdirSync(join(staging, 'sub'), { recursive: true });
  writeFileSync(join(staging, 'a.txt'), a);
  writeFileSync(join(staging, 'sub', 'b.txt'), b);

  let since = h.mark();
  renameSync(staging, join(h.bucketDir, 'batch'));
  await h.expectChanges(since, [put('batch/a.txt', a), put('batch/sub/b.txt', b)]);

  since = h.mark();
  rmSync(join(h.bucketDir, 'batch'), { recursive: true });
  await h.expectChanges(since, [del('batch/a.txt'), del('batch/sub/b.txt')]);
}

const modes: { name: string; options: S3SourceOptions }[] = [
  { name: 'default (recursive fs.watch)', options: {} },
  { name: "watchMode 'per-directory'", options: { watchMode: 'per-directory' } },
];

for (const mode of modes) {
  describe(`S3 bucket watching, ${mode.name}`, () => {
    withHost(mode.options, (harness) => {
      it('a file in an existing bucket folder and one in folders made after start each emit one Put; deleting them one Delete each', () =>
        createInExistingAndNewFolders(harness()));
      it('a file written in chunks with pauses shorter than stableMs emits one Put, with the final size and MD5', () =>
        halfWrittenFileIsReportedOnce(harness()));
      it('overwriting emits a Put with the new size and eTag; identical bytes with size and mtime put back emit nothing, different bytes do', () =>
        overwriteAndIdenticalRewrite(harness()));
      it('a folder moved in emits one Put per file; removing it recursively emits one Delete per object', () => moveFolderInThenRemoveIt(harness()));
    });
  });
}
