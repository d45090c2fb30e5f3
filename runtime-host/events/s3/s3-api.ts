// The S3 REST/XML protocol over the bucket folders, as the AWS SDKs and the AWS CLI speak it:
// path-style (`/bucket/key`) and virtual-hosted (`bucket.localhost:port/key`) addressing, objects
// with ranges, user metadata, content type and ETag, listing, batch delete, copy and multipart
// upload. Objects are the files in the bucket folders (every write goes through S3Source, so a put
// notifies exactly like a file saved there); what a plain file cannot hold (content type, user
// metadata, a multipart ETag) lives in a sidecar under `<stateDir>/s3/metadata/`, trusted only while
// the file still has the size and mtime the sidecar saw.
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostContext } from '../../host-context';
import { UserError } from '../../runtime/types';
import type { AwsRequest, AwsResponse, AwsServiceHandler, ServiceCallDescription } from '../aws-service';
import type { S3Source } from './s3-source';

type Answer = AwsResponse & { call: ServiceCallDescription };

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** Headers S3 stores with an object and returns on GET/HEAD. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_KEYS = 1000;
const MAX_PARTS = 10_000;

interface ObjectMetadata {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  /** Quoted, as S3 sends it. */
  eTag: string;
  size: number;
  mtimeMs: number;
}

interface UploadInfo {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  initiated: string;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function xmlUnescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** The inner text of every `<name>…</name>` (request bodies are small, flat documents). */
function xmlElements(xml: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]!);
  return out;
}

function xmlValue(xml: string, name: string): string | undefined {
  const v = xmlElements(xml, name)[0];
  return v === undefined ? undefined : xmlUnescape(v);
}

const el = (name: string, value: string | number | boolean): string => `<${name}>${xmlEscape(String(value))}</${name}>`;

/** S3 sorts keys by their UTF-8 bytes. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `aws-chunked` bodies (streaming uploads): `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n`. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.toString('latin1', at, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body has a malformed chunk header');
    if (size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function quoted(md5Hex: string): string {
  return `"${md5Hex}"`;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive [start, end], or 'invalid' (416), or undefined (whole object). */
export function parseRange(header: string | undefined, size: number): [number, number] | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'invalid';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'invalid';
  return [start, end];
}

export class S3Api implements AwsServiceHandler {
  readonly service = 's3';
  /** Buckets whose sidecar folder exists (deleted with the bucket). */
  private readonly metadataDirs = new Set<string>();

  constructor(
    private readonly source: S3Source,
    private readonly context: HostContext,
  ) {}

  async handle(request: AwsRequest): Promise<Answer> {
    const { bucket, key } = this.address(request);
    const operation = this.operationOf(request, bucket, key);
    const resource = bucket === undefined ? undefined : key === undefined ? bucket : `${bucket}/${key}`;
    try {
      const response = await this.run(operation, request, bucket, key);
      return { ...response, call: { operation, ...(resource !== undefined ? { resource } : {}) } };
    } catch (err) {
      const e = toS3Error(err);
      if (!e) throw err;
      return {
        ...errorResponse(e, resource),
        call: { operation, ...(resource !== undefined ? { resource } : {}), errorCode: e.code },
      };
    }
  }

  private address(request: AwsRequest): { bucket?: string; key?: string } {
    const path = request.path.startsWith('/') ? request.path.slice(1) : request.path;
    if (request.virtualHostBucket !== undefined) return { bucket: request.virtualHostBucket, ...(path ? { key: path } : {}) };
    if (!path) return {};
    const slash = path.indexOf('/');
    if (slash < 0) return { bucket: path };
    const key = path.slice(slash + 1);
    return { bucket: path.slice(0, slash), ...(key ? { key } : {}) };
  }

  /** The S3 operation a request is, in the API's own names (the SDK also says it in `x-id`). */
  private operationOf(request: AwsRequest, bucket: string | undefined, key: string | undefined): string {
    const q = request.query;
    const method = request.method.toUpperCase();
    const xId = q.get('x-id');
    const subresources = [...q.keys()].filter(
      (k) =>
        ![
          'x-id',
          'list-type',
          'prefix',
          'delimiter',
          'max-keys',
          'continuation-token',
          'start-after',
          'encoding-type',
          'fetch-owner',
          'marker',
          'partNumber',
          'uploadId',
          'uploads',
          'delete',
          'versionId',
          'response-content-type',
          'response-content-disposition',
          'response-cache-control',
          'response-content-encoding',
          'response-content-language',
          'response-expires',
        ].includes(k) && !k.startsWith('X-Amz-'),
    );
    if (subresources.length > 0) {
      const sub = subresources[0]!;
      const verb = method === 'GET' || method === 'HEAD' ? 'Get' : method === 'DELETE' ? 'Delete' : 'Put';
      return `${verb}${key === undefined ? 'Bucket' : 'Object'}${sub.charAt(0).toUpperCase()}${sub.slice(1)}`;
    }
    if (bucket === undefined) return method === 'GET' ? 'ListBuckets' : (xId ?? `${method} /`);
    if (key === undefined) {
      if (method === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : q.has('uploads') ? 'ListMultipartUploads' : 'ListObjects';
      if (method === 'PUT') return 'CreateBucket';
      if (method === 'HEAD') return 'HeadBucket';
      if (method === 'DELETE') return 'DeleteBucket';
      if (method === 'POST' && q.has('delete')) return 'DeleteObjects';
      return xId ?? `${method} Bucket`;
    }
    if (method === 'PUT') {
      if (q.has('uploadId')) return request.headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
      return request.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    }
    if (method === 'GET') return q.has('uploadId') ? 'ListParts' : 'GetObject';
    if (method === 'HEAD') return 'HeadObject';
    if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : (xId ?? 'PostObject');
    return xId ?? `${method} Object`;
  }

  private async run(operation: string, request: AwsRequest, bucket: string | undefined, key: string | undefined): Promise<AwsResponse> {
    switch (operation) {
      case 'ListBuckets':
        return this.listBuckets();
      case 'CreateBucket':
        return this.createBucket(bucket!);
      case 'HeadBucket':
        await this.requireBucket(bucket!);
        return { status: 200, headers: { 'x-amz-bucket-region': request.region } };
      case 'GetBucketLocation':
        await this.requireBucket(bucket!);
        return xml(`<LocationConstraint xmlns="${XMLNS}">${request.region === 'us-east-1' ? '' : xmlEscape(request.region)}</LocationConstraint>`);
      case 'DeleteBucket':
        return this.deleteBucket(bucket!);
      case 'ListObjectsV2':
        return this.listObjects(bucket!, request.query, 2);
      case 'ListObjects':
        return this.listObjects(bucket!, request.query, 1);
      case 'DeleteObjects':
        return this.deleteObjects(bucket!, request);
      case 'PutObject':
        return this.putObject(bucket!, key!, request);
      case 'CopyObject':
        return this.copyObject(bucket!, key!, request);
      case 'GetObject':
        return this.getObject(bucket!, key!, request, false);
      case 'HeadObject':
        return this.getObject(bucket!, key!, request, true);
      case 'DeleteObject':
        await this.requireBucket(bucket!);
        await this.source.deleteObject(bucket!, key!, request.caller);
        await rm(this.metadataFile(bucket!, key!), { force: true });
        return { status: 204 };
      case 'CreateMultipartUpload':
        return this.createUpload(bucket!, key!, request);
      case 'UploadPart':
        return this.uploadPart(bucket!, key!, request);
      case 'CompleteMultipartUpload':
        return this.completeUpload(bucket!, key!, request);
      case 'AbortMultipartUpload':
        await this.upload(bucket!, key!, request.query.get('uploadId') ?? '');
        await rm(this.uploadDir(request.query.get('uploadId')!), { recursive: true, force: true });
        return { status: 204 };
      default:
        throw new S3Error(
          501,
          'NotImplemented',
          `${operation} is not implemented by the local S3 (supported: objects, ListObjectsV2, DeleteObjects, CopyObject, multipart upload, buckets)`,
        );
    }
  }

  // ---- buckets ------------------------------------------------------------------------------

  private async requireBucket(bucket: string): Promise<string> {
    if (!(await this.source.hasBucket(bucket))) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return this.source.bucketPath(bucket);
  }

  private async listBuckets(): Promise<AwsResponse> {
    const entries = await readdir(this.source.root, { withFileTypes: true }).catch(() => [] as Dirent[]);
    const buckets: string[] = [];
    for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => byteCompare(a.name, b.name))) {
      const st = await lstat(join(this.source.root, e.name)).catch(() => undefined);
      if (st) buckets.push(`<Bucket>${el('Name', e.name)}${el('CreationDate', new Date(st.birthtimeMs || st.ctimeMs).toISOString())}</Bucket>`);
    }
    return xml(
      `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner>${el('ID', 'lambda-workbench')}${el('DisplayName', 'local')}</Owner><Buckets>${buckets.join('')}</Buckets></ListAllMyBucketsResult>`,
    );
  }

  private async createBucket(bucket: string): Promise<AwsResponse> {
    // In us-east-1 S3 answers 200 to creating a bucket you already own; so does the folder.
    await mkdir(this.source.bucketPath(bucket), { recursive: true });
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  private async deleteBucket(bucket: string): Promise<AwsResponse> {
    const dir = await this.requireBucket(bucket);
    if ((await readdir(dir)).length > 0) throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
    await rmdir(dir);
    await rm(join(this.metadataRoot, bucket), { recursive: true, force: true });
    this.metadataDirs.delete(bucket);
    return { status: 204 };
  }

  // ---- listing ------------------------------------------------------------------------------

  /** Every object key under the bucket folder below `prefix`'s folder, byte-sorted; symlinks and other non-files are no objects. */
  private async keys(bucketDir: string, prefix: string): Promise<string[]> {
    const out: string[] = [];
    const startDir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(rel ? join(bucketDir, ...rel.split('/')) : bucketDir, { withFileTypes: true }).catch(() => [] as Dirent[]);
      for (const e of entries) {
        const childRel = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(childRel);
        else if (e.isFile() && childRel.startsWith(prefix)) out.push(childRel);
      }
    };
    if (startDir.split('/').some((s) => s === '.' || s === '..')) return [];
    await walk(startDir);
    return out.sort(byteCompare);
  }

  private async listObjects(bucket: string, q: URLSearchParams, version: 1 | 2): Promise<AwsResponse> {
    const dir = await this.requireBucket(bucket);
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeysRaw = q.get('max-keys');
    const maxKeys = maxKeysRaw === null ? MAX_KEYS : Number(maxKeysRaw);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, 'InvalidArgument', 'max-keys must be a whole number of 0 or more');
    const urlEncode = q.get('encoding-type') === 'url';
    const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
    const token = q.get('continuation-token');
    let after = version === 2 ? (q.get('start-after') ?? '') : (q.get('marker') ?? '');
    if (version === 2 && token !== null) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    }
    // Objects and common prefixes, in order, each counted once against max-keys.
    const entries: { key: string; prefix: boolean }[] = [];
    for (const key of await this.keys(dir, prefix)) {
      const rest = key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter.length);
        if (entries[entries.length - 1]?.key !== common) entries.push({ key: common, prefix: true });
      } else entries.push({ key, prefix: false });
    }
    const remaining = after ? entries.filter((e) => byteCompare(e.key, after) > 0) : entries;
    const page = remaining.slice(0, maxKeys);
    const truncated = remaining.length > page.length;
    const contents: string[] = [];
    for (const e of page.filter((p) => !p.prefix)) {
      const meta = await this.metadata(bucket, e.key);
      if (!meta) continue;
      contents.push(
        `<Contents>${el('Key', enc(e.key))}${el('LastModified', new Date(meta.mtimeMs).toISOString())}${el('ETag', meta.eTag)}${el('Size', meta.size)}${el('StorageClass', 'STANDARD')}</Contents>`,
      );
    }
    const commons = page.filter((p) => p.prefix).map((p) => `<CommonPrefixes>${el('Prefix', enc(p.key))}</CommonPrefixes>`);
    const last = page[page.length - 1]?.key;
    let head = `${el('Name', bucket)}${el('Prefix', enc(prefix))}${delimiter ? el('Delimiter', enc(delimiter)) : ''}${el('MaxKeys', maxKeys)}`;
    if (urlEncode) head += el('EncodingType', 'url');
    if (version === 2) {
      head += el('KeyCount', page.length);
      if (token !== null) head += el('ContinuationToken', token);
      if (q.get('start-after')) head += el('StartAfter', enc(q.get('start-after')!));
      if (truncated && last) head += el('NextContinuationToken', Buffer.from(last, 'utf8').toString('base64url'));
    } else {
      head += el('Marker', enc(q.get('marker') ?? ''));
      if (truncated && last && delimiter) head += el('NextMarker', enc(last));
    }
    head += el('IsTruncated', truncated);
    return xml(`<ListBucketResult xmlns="${XMLNS}">${head}${contents.join('')}${commons.join('')}</ListBucketResult>`);
  }

  // ---- objects ------------------------------------------------------------------------------

  private get metadataRoot(): string {
    return join(this.context.stateDir, 's3', 'metadata');
  }

  private metadataFile(bucket: string, key: string): string {
    return join(this.metadataRoot, bucket, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  /** The object's size, mtime and ETag (from a fresh sidecar, else from the file itself), or undefined when there is no object. */
  private async metadata(bucket: string, key: string): Promise<ObjectMetadata | undefined> {
    const file = await this.source.objectFile(bucket, key);
    if (!file) return undefined;
    const st = await lstat(file).catch(() => undefined);
    if (!st) return undefined;
    const side = await readFile(this.metadataFile(bucket, key), 'utf8')
      .then((t) => JSON.parse(t) as ObjectMetadata)
      .catch(() => undefined);
    if (side && side.key === key && side.size === st.size && side.mtimeMs === st.mtimeMs) return side;
    // Written by an editor or any other program: what a file tells, S3's defaults for the rest.
    const content = await readFile(file);
    return {
      key,
      contentType: DEFAULT_CONTENT_TYPE,
      metadata: {},
      headers: {},
      eTag: quoted(createHash('md5').update(content).digest('hex')),
      size: st.size,
      mtimeMs: st.mtimeMs,
    };
  }

  /** Writes the sidecar of an object just stored (its size and mtime as the write left them). */
  private async saveMetadata(bucket: string, key: string, meta: Omit<ObjectMetadata, 'key'>): Promise<ObjectMetadata> {
    const full: ObjectMetadata = { key, ...meta };
    const write = () => writeFile(this.metadataFile(bucket, key), JSON.stringify(full));
    if (!this.metadataDirs.has(bucket)) {
      await mkdir(join(this.metadataRoot, bucket), { recursive: true });
      this.metadataDirs.add(bucket);
    }
    // The folder is remembered; if something removed it since, make it again.
    await write().catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(join(this.metadataRoot, bucket), { recursive: true });
      await write();
    });
    return full;
  }

  /** What `writeObject` calls between storing the bytes and notifying: the sidecar, so nobody sees the object without it. */
  private storeMetadata(
    bucket: string,
    key: string,
    meta: Pick<ObjectMetadata, 'contentType' | 'metadata' | 'headers'>,
    saved: { value?: ObjectMetadata },
  ): (stored: { eTag: string; size: number; mtimeMs: number }) => Promise<void> {
    return async (stored) => {
      saved.value = await this.saveMetadata(bucket, key, { ...meta, eTag: quoted(stored.eTag), size: stored.size, mtimeMs: stored.mtimeMs });
    };
  }

  private body(request: AwsRequest): Buffer {
    const encoding = String(request.headers['content-encoding'] ?? '');
    const sha = String(request.headers['x-amz-content-sha256'] ?? '');
    if (encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')) return decodeAwsChunked(request.body);
    return request.body;
  }

  private async putObject(bucket: string, key: string, request: AwsRequest): Promise<AwsResponse> {
    await this.requireBucket(bucket);
    const content = this.body(request);
    const md5 = createHash('md5').update(content).digest();
    const declared = request.headers['content-md5'];
    if (typeof declared === 'string' && declared !== md5.toString('base64')) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const saved: { value?: ObjectMetadata } = {};
    const { eTag } = await this.source.writeObject(bucket, key, content, {
      onStored: this.storeMetadata(bucket, key, objectHeaders(request), saved),
      ...(request.caller ? { caller: request.caller } : {}),
    });
    return { status: 200, headers: { etag: saved.value?.eTag ?? quoted(eTag) } };
  }

  private async copyObject(bucket: string, key: string, request: AwsRequest): Promise<AwsResponse> {
    await this.requireBucket(bucket);
    let source = String(request.headers['x-amz-copy-source'] ?? '');
    source = source.split('?')[0]!;
    try {
      source = decodeURIComponent(source);
    } catch {
      throw new S3Error(400, 'InvalidArgument', 'x-amz-copy-source is not correctly URL-encoded');
    }
    if (source.startsWith('/')) source = source.slice(1);
    const slash = source.indexOf('/');
    if (slash <= 0 || slash === source.length - 1) throw new S3Error(400, 'InvalidArgument', 'x-amz-copy-source must be <bucket>/<key>');
    const [srcBucket, srcKey] = [source.slice(0, slash), source.slice(slash + 1)];
    await this.requireBucket(srcBucket);
    const srcMeta = await this.metadata(srcBucket, srcKey);
    const srcFile = await this.source.objectFile(srcBucket, srcKey);
    if (!srcMeta || !srcFile) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const content = await readFile(srcFile);
    const replace = String(request.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase() === 'REPLACE';
    const multipart = /-\d+"$/.test(srcMeta.eTag);
    const kept = replace ? objectHeaders(request) : { contentType: srcMeta.contentType, metadata: srcMeta.metadata, headers: srcMeta.headers };
    const saved: { value?: ObjectMetadata } = {};
    await this.source.writeObject(bucket, key, content, {
      eventName: 'ObjectCreated:Copy',
      onStored: this.storeMetadata(bucket, key, kept, saved),
      ...(request.caller ? { caller: request.caller } : {}),
      ...(multipart ? { eTag: srcMeta.eTag.slice(1, -1) } : {}),
    });
    const meta = saved.value!;
    return xml(`<CopyObjectResult>${el('LastModified', new Date(meta.mtimeMs).toISOString())}${el('ETag', meta.eTag)}</CopyObjectResult>`);
  }

  private async getObject(bucket: string, key: string, request: AwsRequest, head: boolean): Promise<AwsResponse> {
    await this.requireBucket(bucket);
    const meta = await this.metadata(bucket, key);
    const file = await this.source.objectFile(bucket, key);
    if (!meta || !file) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const headers: Record<string, string> = {
      'content-type': meta.contentType,
      etag: meta.eTag,
      'last-modified': new Date(meta.mtimeMs).toUTCString(),
      'accept-ranges': 'bytes',
      ...meta.headers,
    };
    for (const [k, v] of Object.entries(meta.metadata)) headers[`x-amz-meta-${k}`] = v;
    for (const [param, header] of [
      ['response-content-type', 'content-type'],
      ['response-content-disposition', 'content-disposition'],
      ['response-cache-control', 'cache-control'],
      ['response-content-encoding', 'content-encoding'],
      ['response-content-language', 'content-language'],
      ['response-expires', 'expires'],
    ] as const) {
      const v = request.query.get(param);
      if (v !== null) headers[header] = v;
    }
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && (ifNoneMatch === '*' || ifNoneMatch.split(',').some((t) => t.trim() === meta.eTag))) {
      return { status: 304, headers: { etag: meta.eTag, 'last-modified': headers['last-modified']! } };
    }
    const ifMatch = request.headers['if-match'];
    if (typeof ifMatch === 'string' && ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim() === meta.eTag)) {
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    }
    const range = parseRange(typeof request.headers.range === 'string' ? request.headers.range : undefined, meta.size);
    if (range === 'invalid') {
      throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable');
    }
    if (head) {
      headers['content-length'] = String(range ? range[1] - range[0] + 1 : meta.size);
      if (range) headers['content-range'] = `bytes ${range[0]}-${range[1]}/${meta.size}`;
      return { status: range ? 206 : 200, headers };
    }
    const content = await readFile(file);
    if (range) {
      headers['content-range'] = `bytes ${range[0]}-${range[1]}/${content.length}`;
      return { status: 206, headers, body: content.subarray(range[0], range[1] + 1) };
    }
    return { status: 200, headers, body: content };
  }

  private async deleteObjects(bucket: string, request: AwsRequest): Promise<AwsResponse> {
    await this.requireBucket(bucket);
    const text = request.body.toString('utf8');
    if (!/<Delete[\s>]/.test(text))
      throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const quiet = xmlValue(text, 'Quiet') === 'true';
    const objects = xmlElements(text, 'Object').map((o) => xmlValue(o, 'Key') ?? '');
    if (objects.length > 1000) throw new S3Error(400, 'MalformedXML', 'DeleteObjects takes at most 1000 keys');
    const results: string[] = [];
    for (const key of objects) {
      try {
        await this.source.deleteObject(bucket, key, request.caller);
        await rm(this.metadataFile(bucket, key), { force: true });
        if (!quiet) results.push(`<Deleted>${el('Key', key)}</Deleted>`);
      } catch (err) {
        const e = toS3Error(err);
        if (!e) throw err;
        results.push(`<Error>${el('Key', key)}${el('Code', e.code)}${el('Message', e.message)}</Error>`);
      }
    }
    return xml(`<DeleteResult xmlns="${XMLNS}">${results.join('')}</DeleteResult>`);
  }

  // ---- multipart upload ---------------------------------------------------------------------

  private uploadDir(uploadId: string): string {
    return join(this.context.stateDir, 's3', 'uploads', uploadId);
  }

  private async upload(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    const info =
      /^[A-Za-z0-9_-]{16,128}$/.test(uploadId) &&
      (await readFile(join(this.uploadDir(uploadId), 'upload.json'), 'utf8')
        .then((t) => JSON.parse(t) as UploadInfo)
        .catch(() => undefined));
    if (!info || info.bucket !== bucket || info.key !== key) {
      throw new S3Error(
        404,
        'NoSuchUpload',
        'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      );
    }
    return info;
  }

  private async createUpload(bucket: string, key: string, request: AwsRequest): Promise<AwsResponse> {
    await this.requireBucket(bucket);
    this.source.objectPath(bucket, key);
    const uploadId = randomBytes(24).toString('base64url');
    const info: UploadInfo = { bucket, key, ...objectHeaders(request), initiated: new Date().toISOString() };
    await mkdir(this.uploadDir(uploadId), { recursive: true });
    await writeFile(join(this.uploadDir(uploadId), 'upload.json'), JSON.stringify(info));
    return xml(
      `<InitiateMultipartUploadResult xmlns="${XMLNS}">${el('Bucket', bucket)}${el('Key', key)}${el('UploadId', uploadId)}</InitiateMultipartUploadResult>`,
    );
  }

  private async uploadPart(bucket: string, key: string, request: AwsRequest): Promise<AwsResponse> {
    const uploadId = request.query.get('uploadId') ?? '';
    await this.upload(bucket, key, uploadId);
    const partNumber = Number(request.query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
      throw new S3Error(400, 'InvalidArgument', `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`);
    }
    const content = this.body(request);
    await writeFile(join(this.uploadDir(uploadId), `part-${partNumber}`), content);
    return { status: 200, headers: { etag: quoted(createHash('md5').update(content).digest('hex')) } };
  }

  private async completeUpload(bucket: string, key: string, request: AwsRequest): Promise<AwsResponse> {
    const uploadId = request.query.get('uploadId') ?? '';
    const info = await this.upload(bucket, key, uploadId);
    const text = request.body.toString('utf8');
    const parts = xmlElements(text, 'Part').map((p) => ({ number: Number(xmlValue(p, 'PartNumber')), eTag: (xmlValue(p, 'ETag') ?? '').replace(/"/g, '') }));
    if (parts.length === 0) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const contents: Buffer[] = [];
    const digests: Buffer[] = [];
    let previous = 0;
    for (const part of parts) {
      if (!(part.number > previous))
        throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      previous = part.number;
      const content = await readFile(join(this.uploadDir(uploadId), `part-${part.number}`)).catch(() => undefined);
      const digest = content ? createHash('md5').update(content).digest() : undefined;
      if (!content || !digest || digest.toString('hex') !== part.eTag) {
        throw new S3Error(
          400,
          'InvalidPart',
          `One or more of the specified parts could not be found (part ${part.number}). The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.`,
        );
      }
      contents.push(content);
      digests.push(digest);
    }
    const eTag = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}`;
    await this.source.writeObject(bucket, key, Buffer.concat(contents), {
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      eTag,
      onStored: this.storeMetadata(bucket, key, { contentType: info.contentType, metadata: info.metadata, headers: info.headers }, {}),
      ...(request.caller ? { caller: request.caller } : {}),
    });
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
    return xml(
      `<CompleteMultipartUploadResult xmlns="${XMLNS}">${el('Location', `/${bucket}/${key}`)}${el('Bucket', bucket)}${el('Key', key)}${el('ETag', quoted(eTag))}</CompleteMultipartUploadResult>`,
    );
  }
}

/** What a PUT (or a multipart create, or a copy with REPLACE) stores beside the bytes. */
function objectHeaders(request: AwsRequest): Pick<ObjectMetadata, 'contentType' | 'metadata' | 'headers'> {
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value !== 'string') continue;
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    else if ((STORED_HEADERS as readonly string[]).includes(name) && !(name === 'content-encoding' && value.includes('aws-chunked'))) headers[name] = value;
  }
  const type = request.headers['content-type'];
  return { contentType: typeof type === 'string' && type ? type : DEFAULT_CONTENT_TYPE, metadata, headers };
}

function xml(body: string, status = 200): AwsResponse {
  return { status, headers: { 'content-type': 'application/xml' }, body: XML_HEAD + body };
}

function errorResponse(e: S3Error, resource: string | undefined): AwsResponse {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  return {
    status: e.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `${XML_HEAD}<Error>${el('Code', e.code)}${el('Message', e.message)}${resource !== undefined ? el('Resource', `/${resource}`) : ''}${el('RequestId', requestId)}</Error>`,
  };
}

/** S3's own errors, and the source's validation errors (bad bucket name, key that cannot be a file) as S3 would word them. */
function toS3Error(err: unknown): S3Error | undefined {
  if (err instanceof S3Error) return err;
  if (err instanceof UserError) {
    const code = err.code ?? 'InvalidArgument';
    return new S3Error(400, code === 'ResourceNotFound' ? 'NoSuchKey' : code, err.hint ? `${err.message} (${err.hint})` : err.message);
  }
  return undefined;
}
