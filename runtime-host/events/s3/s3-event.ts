// The S3 event notification record (eventVersion 2.1) for one object change, matching of a
// function's `S3` events against it, and S3's key rules. Pure: no I/O.
//
// Decisions: `configurationId` is the SAM event's name (S3 generates a base64 id when the
// notification has no Id; the event name is what the template author recognises). The request
// ids are random per event; principal ids are fixed local placeholders.
import { randomBytes } from 'node:crypto';
import type { EventSourceInfo } from '../../protocol/functions';
import { UserError } from '../../runtime/types';

export type S3EventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload' | 'ObjectRemoved:Delete';
export type S3Subscription = Extract<EventSourceInfo, { type: 'S3' }>;

export interface S3ObjectChange {
  eventName: S3EventName;
  bucket: string;
  /** The object key as stored (not encoded). */
  key: string;
  /** Bytes; ObjectCreated only. */
  size?: number;
  /** Hex MD5 of the content, no quotes; ObjectCreated only. */
  eTag?: string;
  sequencer: string;
  eventTime: Date;
}

export interface S3EventContext {
  region: string;
  configurationId: string;
  requestId?: string;
  hostId?: string;
}

export const LOCAL_PRINCIPAL_ID = 'AWS:AIDALAMBDAWORKBENCH';
export const LOCAL_OWNER_ID = 'A1LAMBDAWORKBENCH';

/**
 * URL-encodes a key the way S3 puts it in event notifications (application/x-www-form-urlencoded:
 * space → `+`, everything but A–Z a–z 0–9 `.` `-` `_` `*` percent-encoded as UTF-8), keeping `/`.
 */
export function encodeS3EventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_*/]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of encodeS3EventKey, as handlers do: `decodeURIComponent(key.replace(/\+/g, ' '))`. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** S3 request ids: 16 upper-case hex; host ids: base64 of random bytes. */
export function s3RequestIds(): { requestId: string; hostId: string } {
  return { requestId: randomBytes(8).toString('hex').toUpperCase(), hostId: randomBytes(57).toString('base64') };
}

export function buildS3Record(change: S3ObjectChange, ctx: S3EventContext): Record<string, unknown> {
  const ids = ctx.requestId && ctx.hostId ? { requestId: ctx.requestId, hostId: ctx.hostId } : s3RequestIds();
  const object: Record<string, unknown> =
    change.eventName === 'ObjectRemoved:Delete'
      ? { key: encodeS3EventKey(change.key), sequencer: change.sequencer }
      : { key: encodeS3EventKey(change.key), size: change.size ?? 0, eTag: change.eTag ?? '', sequencer: change.sequencer };
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: ctx.region,
    eventTime: change.eventTime.toISOString(),
    eventName: change.eventName,
    userIdentity: { principalId: LOCAL_PRINCIPAL_ID },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': ids.requestId, 'x-amz-id-2': ids.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: ctx.configurationId,
      bucket: { name: change.bucket, ownerIdentity: { principalId: LOCAL_OWNER_ID }, arn: `arn:aws:s3:::${change.bucket}` },
      object,
    },
  };
}

export function buildS3Event(change: S3ObjectChange, ctx: S3EventContext): { Records: Record<string, unknown>[] } {
  return { Records: [buildS3Record(change, ctx)] };
}

/**
 * Whether a function's S3 event wants this change: same bucket, an event type such as
 * `s3:ObjectCreated:*` or `s3:ObjectRemoved:Delete`, and the key filter rules. S3 compares the
 * prefix/suffix with the URL-encoded key (its docs: special characters in filter values must be
 * entered URL-encoded), so a filter `my+folder/` matches the key `my folder/x`.
 */
export function subscriptionMatches(sub: S3Subscription, change: Pick<S3ObjectChange, 'bucket' | 'key' | 'eventName'>): boolean {
  if (sub.bucket !== change.bucket) return false;
  const [family, action] = change.eventName.split(':') as [string, string];
  const typeOk = sub.events.some((e) => {
    const m = /^s3:([A-Za-z]+):(.+)$/.exec(e.trim());
    if (!m) return false;
    return m[1] === family && (m[2] === '*' || m[2] === action);
  });
  if (!typeOk) return false;
  const encoded = encodeS3EventKey(change.key);
  if (sub.prefix && !encoded.startsWith(sub.prefix)) return false;
  if (sub.suffix && !encoded.endsWith(sub.suffix)) return false;
  return true;
}

/** S3 bucket naming rules (general purpose buckets). */
export function validateBucketName(bucket: string): void {
  const ok = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !/\.\./.test(bucket) && !/^\d+\.\d+\.\d+\.\d+$/.test(bucket) && !bucket.startsWith('xn--');
  if (!ok) {
    throw new UserError(
      `Invalid bucket name '${bucket}'`,
      'bucket names are 3–63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
      'InvalidBucketName',
    );
  }
}

/**
 * Keys that can live as files under the bucket folder: 1–1024 UTF-8 bytes, `/`-separated segments
 * that are not empty, `.` or `..` (so a key never escapes the bucket), no NUL, no trailing `/`.
 */
export function validateObjectKey(key: string): void {
  const hint = 'keys are 1–1024 bytes of "/"-separated names; empty, "." and ".." segments cannot be stored as files';
  if (typeof key !== 'string' || key.length === 0) throw new UserError('Object key must not be empty', hint, 'InvalidParameter');
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new UserError('Your key is too long', hint, 'KeyTooLong');
  if (key.includes('\0') || key.includes('\\'))
    throw new UserError(`Object key '${key}' contains a character that cannot be a file name here`, hint, 'InvalidParameter');
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new UserError(`Object key '${key}' cannot be stored as a file under the bucket folder`, hint, 'InvalidParameter');
  }
}

/**
 * S3's sequencer: upper-case hex that only grows for a key (we make it grow for the whole host).
 * Time-derived so it keeps growing across restarts.
 */
export class Sequencer {
  private last = 0n;
  next(nowMs = Date.now()): string {
    const base = BigInt(Math.floor(nowMs)) << 20n;
    this.last = base > this.last ? base : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}
