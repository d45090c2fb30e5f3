import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { servedFixture } from './serve-helpers';

type S3Ev = { Records: { eventName: string; s3: { configurationId: string; bucket: { name: string }; object: Record<string, unknown> } }[] };

describe('S3 buckets through a real serve', () => {
  const fx = servedFixture('events-project');
  const finished = () => fx.client.notifications.filter((n) => n.method === 'invocation.finished').map((n) => n.params as InvocationRecord);

  /** The s3-event parent for a key and event name, once all its deliveries ended. */
  async function parentFor(key: string, eventName: string): Promise<{ parent: InvocationRecord; children: InvocationRecord[] }> {
    const parent = await fx.client.waitFor(
      'invocation.finished',
      (r) => r.kind === 's3-event' && r.source?.['key'] === key && r.source?.['eventName'] === eventName,
      60_000,
    );
    const children = finished()
      .filter((r) => r.parentId === parent.id)
      .sort((a, b) => a.functionName.localeCompare(b.functionName));
    return { parent, children };
  }

  it('a file written by another program emits ObjectCreated:Put to the matching functions with the exact shape', async () => {
    const bucketDir = join(fx.dir, '.lambda-workbench', 'buckets', 'photos');
    mkdirSync(join(bucketDir, 'uploads'), { recursive: true });
    const content = Buffer.from('not really a jpeg\n');
    writeFileSync(join(bucketDir, 'uploads', 'my cat (1).jpg'), content);
    const { parent, children } = await parentFor('uploads/my cat (1).jpg', 'ObjectCreated:Put');
    assert.equal(parent.status, 'success');
    assert.deepEqual(
      children.map((c) => [c.functionName, c.status, c.attempt]),
      [
        ['AuditFunction', 'success', 0],
        ['ThumbnailFunction', 'success', 0],
      ],
    );
    const ev = children[1]!.event as S3Ev;
    assert.equal(ev.Records.length, 1);
    const r = ev.Records[0]!;
    assert.equal(r.eventName, 'ObjectCreated:Put');
    assert.equal(r.s3.configurationId, 'Upload');
    assert.equal(r.s3.bucket.name, 'photos');
    assert.equal(r.s3.object['key'], 'uploads/my+cat+%281%29.jpg');
    assert.equal(r.s3.object['size'], content.length);
    assert.equal(r.s3.object['eTag'], createHash('md5').update(content).digest('hex'));
    assert.match(r.s3.object['sequencer'] as string, /^[0-9A-F]{18}$/);
  });

  it('a file outside the prefix/suffix filter reaches only the unfiltered function; deleting it emits ObjectRemoved:Delete', async () => {
    const file = join(fx.dir, '.lambda-workbench', 'buckets', 'photos', 'notes.txt');
    writeFileSync(file, 'hello');
    const created = await parentFor('notes.txt', 'ObjectCreated:Put');
    assert.deepEqual(
      created.children.map((c) => c.functionName),
      ['AuditFunction'],
    );
    unlinkSync(file);
    const removed = await parentFor('notes.txt', 'ObjectRemoved:Delete');
    assert.deepEqual(
      removed.children.map((c) => c.functionName),
      ['AuditFunction'],
    );
    const object = (removed.children[0]!.event as S3Ev).Records[0]!.s3.object;
    assert.deepEqual(Object.keys(object), ['key', 'sequencer']);
  });

  it('s3.putObject / s3.deleteObject go through the same path, and keys never escape the bucket', async () => {
    const put = await fx.client.request<{ eTag: string; size: number }>('s3.putObject', { bucket: 'photos', key: 'uploads/b.jpg', body: 'abc' });
    assert.deepEqual(put, { eTag: '900150983cd24fb0d6963f7d28e17f72', size: 3 });
    const created = await parentFor('uploads/b.jpg', 'ObjectCreated:Put');
    assert.deepEqual(
      created.children.map((c) => c.functionName),
      ['AuditFunction', 'ThumbnailFunction'],
    );
    assert.deepEqual(await fx.client.request('s3.deleteObject', { bucket: 'photos', key: 'uploads/b.jpg' }), { deleted: true });
    const removed = await parentFor('uploads/b.jpg', 'ObjectRemoved:Delete');
    assert.deepEqual(
      removed.children.map((c) => c.functionName),
      ['AuditFunction'],
    );
    await assert.rejects(fx.client.request('s3.putObject', { bucket: 'photos', key: '../escape.txt', body: 'x' }), /cannot be stored as a file/);
  });
});
