// The local AWS endpoint's S3, driven by the real @aws-sdk/client-s3 from the test process against a
// real `serve`: objects over the bucket folders, listing, copy, batch delete, multipart, buckets,
// errors in S3's XML shape, both addressings, and a put that notifies like a saved file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import { cli, copyFixture, removeDir, repoRoot, servedFixture, startServe, waitUntil } from './serve-helpers';

const fixture = servedFixture('aws-project', {
  prepare: (dir) => symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')),
});

let cached: S3Client | undefined;
function s3(): S3Client {
  cached ??= new S3Client({
    endpoint: fixture.serve.ready.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
  return cached;
}

type SdkError = Error & { Code?: string; $metadata: { httpStatusCode?: number } };

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  assert.fail('expected the call to fail');
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** A raw HTTP/1.1 request with a chosen Host header (what a browser page or a virtual-hosted client sends). */
function raw(method: string, path: string, host: string, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(fixture.serve.ready.awsEndpoint!);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(url.port), method, path, headers: { host }, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('AWS endpoint: the listener', () => {
  it('is in the ready line and in host.json', () => {
    assert.match(fixture.serve.ready.awsEndpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const hostFile = JSON.parse(readFileSync(join(fixture.dir, '.lambda-workbench', 'host.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(hostFile.awsEndpoint, fixture.serve.ready.awsEndpoint);
  });

  it('refuses a foreign Host with 403 before touching any bucket', async () => {
    const res = await raw('PUT', '/uploads/evil.txt', 'evil.example', 'x');
    assert.equal(res.status, 403);
    assert.match(res.body, /<Code>AccessDenied<\/Code>/);
    assert.equal(existsSync(join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', 'evil.txt')), false);
    const port = new URL(fixture.serve.ready.awsEndpoint!).port;
    assert.equal((await raw('GET', '/', `127.0.0.1:${Number(port) + 1}`)).status, 403);
    assert.equal((await raw('GET', '/', `localhost:${port}`)).status, 200);
  });

  it('listens on the port --aws-port names, and refuses a bad one as a usage error', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const dir = copyFixture('aws-project');
    try {
      const serve = await startServe(['--root', dir, '--aws-port', String(port)], { timeoutMs: 60_000 });
      try {
        assert.equal(serve.ready.awsEndpoint, `http://127.0.0.1:${port}`);
      } finally {
        await serve.stop();
      }
    } finally {
      removeDir(dir);
    }
    const bad = spawnSync(process.execPath, [cli, 'serve', '--root', '.', '--aws-port', 'nope'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--aws-port must be a whole number from 0 to 65535, got 'nope'/);
  });

  it('names an unknown service in an AWS-shaped error', async () => {
    const port = new URL(fixture.serve.ready.awsEndpoint!).port;
    const res = await new Promise<{ status: number; body: string; type: unknown }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=00',
          },
        },
        (r) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text, type: r.headers['x-amzn-errortype'] }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(res.status, 400);
    assert.equal(res.type, 'UnknownService');
    assert.match(res.body, /'rds'/);
  });
});

describe('AWS endpoint: S3 objects', () => {
  it('puts an object into the bucket folder and gets it back with its metadata, type and MD5 ETag', async () => {
    const body = 'hello from the S3 client';
    const put = await s3().send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'docs/a b.txt',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { owner: 'ana' },
        CacheControl: 'no-cache',
      }),
    );
    assert.equal(put.ETag, `"${md5(body)}"`);
    assert.equal(readFileSync(join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', 'docs', 'a b.txt'), 'utf8'), body);
    const got = await s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'docs/a b.txt' }));
    assert.equal(await got.Body!.transformToString(), body);
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ETag, `"${md5(body)}"`);
    assert.equal(got.ContentLength, body.length);
    assert.equal(got.CacheControl, 'no-cache');
    assert.deepEqual(got.Metadata, { owner: 'ana' });
    // The metadata sidecar lives in the state folder, never beside the object.
    assert.deepEqual(
      (await s3().send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: 'docs/' }))).Contents?.map((c) => c.Key),
      ['docs/a b.txt'],
    );
  });

  it('answers ranges with 206 and Content-Range, and an unsatisfiable range with InvalidRange', async () => {
    await s3().send(new PutObjectCommand({ Bucket: 'uploads', Key: 'range.txt', Body: '0123456789' }));
    const mid = await s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'range.txt', Range: 'bytes=2-5' }));
    assert.equal(await mid.Body!.transformToString(), '2345');
    assert.equal(mid.ContentRange, 'bytes 2-5/10');
    const tail = await s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'range.txt', Range: 'bytes=-3' }));
    assert.equal(await tail.Body!.transformToString(), '789');
    const err = await sdkError(s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'range.txt', Range: 'bytes=20-30' })));
    assert.equal(err.name, 'InvalidRange');
    assert.equal(err.$metadata.httpStatusCode, 416);
  });

  it('heads an object, and a file saved by any program is an object with S3 defaults', async () => {
    const dir = join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads');
    writeFileSync(join(dir, 'dropped.bin'), 'dropped');
    const head = await s3().send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'dropped.bin' }));
    assert.equal(head.ContentLength, 7);
    assert.equal(head.ETag, `"${md5('dropped')}"`);
    assert.equal(head.ContentType, 'binary/octet-stream');
    const missing = await sdkError(s3().send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'nothing.txt' })));
    assert.equal(missing.$metadata.httpStatusCode, 404);
  });

  it('refuses missing keys and buckets with NoSuchKey and NoSuchBucket', async () => {
    const noKey = await sdkError(s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'no/such/key' })));
    assert.equal(noKey.name, 'NoSuchKey');
    assert.equal(noKey.$metadata.httpStatusCode, 404);
    const noBucket = await sdkError(s3().send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })));
    assert.equal(noBucket.name, 'NoSuchBucket');
  });

  it('never serves a symlink that leads out of the bucket', async () => {
    const secret = join(fixture.dir, 'secret.txt');
    writeFileSync(secret, 'do not serve');
    symlinkSync(secret, join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', 'link.txt'));
    const err = await sdkError(s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'link.txt' })));
    assert.equal(err.name, 'NoSuchKey');
    // A linked folder: the path looks inside the bucket, the file it reaches is not.
    mkdirSync(join(fixture.dir, 'outside'));
    writeFileSync(join(fixture.dir, 'outside', 'secret.txt'), 'do not serve');
    symlinkSync(join(fixture.dir, 'outside'), join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', 'linked'));
    const viaFolder = await sdkError(s3().send(new GetObjectCommand({ Bucket: 'uploads', Key: 'linked/secret.txt' })));
    assert.equal(viaFolder.name, 'NoSuchKey');
    const listed = await s3().send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: 'l' }));
    assert.deepEqual(listed.Contents ?? [], []);
  });

  it('copies an object (COPY keeps metadata, REPLACE takes the new) and deletes one and many', async () => {
    await s3().send(new PutObjectCommand({ Bucket: 'uploads', Key: 'copy/src.txt', Body: 'copy me', ContentType: 'text/x-a', Metadata: { a: '1' } }));
    const copied = await s3().send(new CopyObjectCommand({ Bucket: 'uploads', Key: 'copy/dst.txt', CopySource: 'uploads/copy/src.txt' }));
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5('copy me')}"`);
    const dst = await s3().send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'copy/dst.txt' }));
    assert.equal(dst.ContentType, 'text/x-a');
    assert.deepEqual(dst.Metadata, { a: '1' });
    await s3().send(
      new CopyObjectCommand({
        Bucket: 'uploads',
        Key: 'copy/replaced.txt',
        CopySource: 'uploads/copy/src.txt',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/x-b',
        Metadata: { b: '2' },
      }),
    );
    const replaced = await s3().send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'copy/replaced.txt' }));
    assert.equal(replaced.ContentType, 'text/x-b');
    assert.deepEqual(replaced.Metadata, { b: '2' });

    await s3().send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'copy/replaced.txt' }));
    const many = await s3().send(
      new DeleteObjectsCommand({ Bucket: 'uploads', Delete: { Objects: [{ Key: 'copy/src.txt' }, { Key: 'copy/dst.txt' }, { Key: 'copy/never-was' }] } }),
    );
    assert.deepEqual(many.Deleted?.map((d) => d.Key).sort(), ['copy/dst.txt', 'copy/never-was', 'copy/src.txt']);
    const left = await s3().send(new ListObjectsV2Command({ Bucket: 'uploads', Prefix: 'copy/' }));
    assert.equal(left.KeyCount, 0);
    assert.equal(existsSync(join(fixture.dir, '.lambda-workbench', 'buckets', 'uploads', 'copy')), false);
  });

  it('lists with prefix, delimiter, max-keys and continuation tokens', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const key of ['a/1.txt', 'a/2.txt', 'b/1.txt', 'b/c/2.txt', 'top1.txt', 'top2.txt']) {
      await s3().send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));
    }
    const rooted = await s3().send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    assert.deepEqual(
      rooted.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'b/'],
    );
    assert.deepEqual(
      rooted.Contents?.map((c) => c.Key),
      ['top1.txt', 'top2.txt'],
    );
    const underB = await s3().send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'b/', Delimiter: '/' }));
    assert.deepEqual(
      underB.Contents?.map((c) => c.Key),
      ['b/1.txt'],
    );
    assert.deepEqual(
      underB.CommonPrefixes?.map((p) => p.Prefix),
      ['b/c/'],
    );
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3().send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 4, ...(token ? { ContinuationToken: token } : {}) }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      assert.equal(page.Contents?.[0]?.Size, page.Contents?.[0]?.Key?.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(keys, ['a/1.txt', 'a/2.txt', 'b/1.txt', 'b/c/2.txt', 'top1.txt', 'top2.txt']);
    // The first version of the listing (markers instead of tokens), as older tools still call it.
    const v1 = await s3().send(new ListObjectsCommand({ Bucket: 'listing', Marker: 'a/2.txt', MaxKeys: 2 }));
    assert.deepEqual(
      v1.Contents?.map((c) => c.Key),
      ['b/1.txt', 'b/c/2.txt'],
    );
    assert.equal(v1.IsTruncated, true);
    // URL encoding of keys in the answer (the AWS CLI asks for it and decodes; the JS client hands it over as it came).
    await s3().send(new PutObjectCommand({ Bucket: 'listing', Key: 'space name/ü.txt', Body: 'u' }));
    const encoded = await s3().send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'space', EncodingType: 'url' }));
    assert.deepEqual(
      encoded.Contents?.map((c) => c.Key),
      ['space%20name/%C3%BC.txt'],
    );
  });

  it('assembles a multipart upload with the "<md5 of md5s>-N" ETag', async () => {
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    const part2 = Buffer.from('the end');
    const created = await s3().send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'big/file.bin', ContentType: 'application/x-big' }));
    const p1 = await s3().send(new UploadPartCommand({ Bucket: 'uploads', Key: 'big/file.bin', UploadId: created.UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await s3().send(new UploadPartCommand({ Bucket: 'uploads', Key: 'big/file.bin', UploadId: created.UploadId, PartNumber: 2, Body: part2 }));
    assert.equal(p1.ETag, `"${md5(part1)}"`);
    const done = await s3().send(
      new CompleteMultipartUploadCommand({
        Bucket: 'uploads',
        Key: 'big/file.bin',
        UploadId: created.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag! },
            { PartNumber: 2, ETag: p2.ETag! },
          ],
        },
      }),
    );
    const expected = `"${createHash('md5')
      .update(Buffer.concat([createHash('md5').update(part1).digest(), createHash('md5').update(part2).digest()]))
      .digest('hex')}-2"`;
    assert.equal(done.ETag, expected);
    const head = await s3().send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'big/file.bin' }));
    assert.equal(head.ETag, expected);
    assert.equal(head.ContentLength, part1.length + part2.length);
    assert.equal(head.ContentType, 'application/x-big');
    const again = await sdkError(
      s3().send(
        new CompleteMultipartUploadCommand({
          Bucket: 'uploads',
          Key: 'big/file.bin',
          UploadId: created.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag! }] },
        }),
      ),
    );
    assert.equal(again.name, 'NoSuchUpload');
  });

  it('creates, lists, heads and deletes buckets (a bucket is a folder; a full one is not deleted)', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'made-by-sdk' }));
    assert.equal(existsSync(join(fixture.dir, '.lambda-workbench', 'buckets', 'made-by-sdk')), true);
    const names = (await s3().send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    assert.ok(names?.includes('made-by-sdk') && names.includes('uploads'), String(names));
    await s3().send(new HeadBucketCommand({ Bucket: 'made-by-sdk' }));
    const full = await sdkError(s3().send(new DeleteBucketCommand({ Bucket: 'uploads' })));
    assert.equal(full.name, 'BucketNotEmpty');
    await s3().send(new DeleteBucketCommand({ Bucket: 'made-by-sdk' }));
    const gone = await sdkError(s3().send(new HeadBucketCommand({ Bucket: 'made-by-sdk' })));
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it('answers an unsupported operation with NotImplemented naming it', async () => {
    const err = await sdkError(s3().send(new GetBucketTaggingCommand({ Bucket: 'uploads' })));
    assert.equal(err.name, 'NotImplemented');
    assert.equal(err.$metadata.httpStatusCode, 501);
    assert.match(err.message, /GetBucketTagging/);
  });

  it('serves virtual-hosted addressing (<bucket>.localhost:<port>)', async () => {
    await s3().send(new PutObjectCommand({ Bucket: 'uploads', Key: 'vh/key.txt', Body: 'virtual' }));
    const port = new URL(fixture.serve.ready.awsEndpoint!).port;
    const res = await raw('GET', '/vh/key.txt', `uploads.localhost:${port}`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'virtual');
    assert.equal((await raw('GET', '/vh/key.txt', `uploads.evil.example:${port}`)).status, 403);
  });

  it('a put through the API notifies the bucket’s functions like a saved file', async () => {
    await s3().send(new PutObjectCommand({ Bucket: 'uploads', Key: 'notified/x.txt', Body: 'x' }));
    let found: ListInvocationsResult['records'] = [];
    await waitUntil(
      async () => {
        const page = await fixture.client.request<ListInvocationsResult>('listInvocations', { function: 'OnUpload', limit: 100 });
        found = page.records.filter((r) => JSON.stringify(r.event ?? '').includes('notified/x.txt'));
        return found.some((r) => r.status === 'success');
      },
      60_000,
      'OnUpload invoked for notified/x.txt',
    );
    assert.equal(found[0]!.trigger, 's3');
  });
});
