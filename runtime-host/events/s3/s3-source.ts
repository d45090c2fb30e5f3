// EventSource 's3': every bucket is a folder (`<stateDir>/buckets/<bucket>/` unless configured).
// A file created, changed or deleted there — by an editor, any program, or the protocol's
// s3.putObject / s3.deleteObject — becomes an S3 notification (a parent record, kind 's3-event')
// delivered asynchronously, with Lambda's retries, to every function whose S3 event matches.
//
// Watching: one recursive fs.watch on the buckets folder (works on Linux since Node 20); where the
// platform refuses recursive watching, one watcher per directory. fs.watch only says "something
// happened near this name", so every notice leads to a debounced check against a snapshot
// (size, mtime, MD5): a path is reported once it has been stable for `stableMs` twice in a row.
import { createHash } from 'node:crypto';
import { constants, watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { AwsServiceHandler, CallerInvocation, ObjectDelivery } from '../aws-service';
import { S3Api } from './s3-api';
import { bucketNotificationTargets, type BucketNotificationTarget } from './s3-notifications';
import type { FunctionInfo } from '../../protocol/functions';
import { resolveInsideRoot } from '../../runtime/inside-root';
import { UserError } from '../../runtime/types';
import { MethodParams } from '../../server/method-params';
import { AsyncInvocationQueue, closeParent, deliverySummary, parentRecord, type AsyncInvocationPolicy } from '../async-invocation';
import {
  buildS3Event,
  Sequencer,
  subscriptionMatches,
  validateBucketName,
  validateObjectKey,
  type S3EventName,
  type S3ObjectChange,
  type S3Subscription,
} from './s3-event';

export interface S3SourceOptions {
  /** Folder holding one sub-folder per bucket; relative to the project root. Default `<stateDir>/buckets`. */
  bucketsDir?: string;
  /** Quiet time before a changed path is looked at, and again to confirm it is stable. Default 150 ms. */
  stableMs?: number;
  /** Overrides for the async retry policy (tests use short delays). */
  asyncPolicy?: Partial<AsyncInvocationPolicy>;
  /** `per-directory` forces the fallback used where recursive fs.watch is unavailable. */
  watchMode?: 'recursive' | 'per-directory';
}

interface ObjectState {
  size: number;
  mtimeMs: number;
  /** A program can set mtime back (cp -p, tar, touch -r) but not ctime: a write always moves it. */
  ctimeMs: number;
  eTag: string;
}

interface Target {
  fn: FunctionInfo;
  sub: S3Subscription;
}

export class S3Source implements EventSource {
  readonly name = 's3';
  private context!: HostContext;
  private queue!: AsyncInvocationQueue;
  private bucketsDir = '';
  /** What the host context gets (`objects`): Lambda's S3 on-failure destination writes through it, as PutObject would. */
  private readonly delivery: ObjectDelivery = {
    putObject: async (bucket, key, body, caller) => {
      if (!(await this.hasBucket(bucket))) throw new UserError(`The specified bucket does not exist: ${bucket}`, undefined, 'ResourceNotFound');
      await this.writeObject(bucket, key, Buffer.from(body, 'utf8'), caller ? { caller } : {});
    },
  };
  private readonly stableMs: number;
  private targets: Target[] = [];
  private readonly snapshot = new Map<string, ObjectState>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; lastStat?: string }>();
  /** Paths the protocol is writing or deleting right now: the watcher leaves them alone. */
  private readonly ownWrites = new Map<string, number>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly sequencer = new Sequencer();
  private readonly deliveries = new Set<Promise<void>>();
  private unsubscribe?: () => void;
  private stopped = false;
  private recursive = true;

  constructor(private readonly options: S3SourceOptions = {}) {
    this.stableMs = options.stableMs ?? 150;
  }

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.queue = new AsyncInvocationQueue(context, this.options.asyncPolicy);
    const configured = this.options.bucketsDir;
    this.bucketsDir = configured ? resolve(context.root, configured) : join(context.stateDir, 'buckets');
    await mkdir(this.bucketsDir, { recursive: true });
    await this.refreshTargets(context.functions.list());
    this.unsubscribe = context.functions.onDidChange((fns) => void this.refreshTargets(fns));
    context.objects = this.delivery;
    this.startWatching();
    await this.scan('', false);
    context.log.info(`s3: buckets in ${this.bucketsDir} (${[...new Set(this.targets.map((t) => t.sub.bucket))].join(', ') || 'none from the template'})`);
  }

  async stop(): Promise<void> {
    if (this.context?.objects === this.delivery) delete this.context.objects;
    this.stopped = true;
    this.unsubscribe?.();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    await this.queue?.stop();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Where bucket folders live (absolute). */
  get root(): string {
    return this.bucketsDir;
  }

  awsService(): AwsServiceHandler {
    return new S3Api(this, this.context);
  }

  methods(): MethodHandlers {
    return {
      's3.putObject': async (params) => {
        const p = new MethodParams(params, 's3.putObject', '{"bucket":"photos","key":"a.jpg","body":"…"}');
        const body = p.text('body');
        const content = p.optionalBoolean('bodyBase64') === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
        return this.writeObject(p.string('bucket', 'a bucket name'), p.string('key', 'an object key'), content);
      },
      's3.deleteObject': async (params) => {
        const p = new MethodParams(params, 's3.deleteObject', '{"bucket":"photos","key":"a.jpg"}');
        return this.deleteObject(p.string('bucket', 'a bucket name'), p.string('key', 'an object key'));
      },
    };
  }

  /** Resolves once every notification emitted so far has finished all its deliveries and retries. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0 || this.pending.size > 0) {
      await Promise.allSettled([...this.deliveries]);
      if (this.pending.size > 0) await new Promise((r) => setTimeout(r, this.stableMs));
    }
  }

  private async refreshTargets(functions: FunctionInfo[]): Promise<void> {
    const targets: Target[] = [];
    for (const fn of functions) {
      for (const ev of fn.events) if (ev.type === 'S3') targets.push({ fn, sub: ev });
    }
    this.targets = targets;
    // Buckets the template declares exist for the S3 API even when no function subscribes to them.
    const declared = Object.values(this.context.functions.resources())
      .filter((r) => r.Type === 'AWS::S3::Bucket' && typeof r.Properties?.['BucketName'] === 'string')
      .map((r) => r.Properties['BucketName'] as string);
    for (const bucket of new Set([...targets.map((t) => t.sub.bucket), ...declared])) {
      try {
        validateBucketName(bucket);
        await mkdir(join(this.bucketsDir, bucket), { recursive: true });
      } catch (err) {
        this.context.log.warn(`s3: bucket '${bucket}' from the template cannot be a folder: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  // ---- the protocol -------------------------------------------------------------------------

  /** The folder of a bucket (name validated). */
  /** Whether the bucket exists (its folder does). */
  async hasBucket(bucket: string): Promise<boolean> {
    const st = await lstat(this.bucketPath(bucket)).catch(() => undefined);
    return st?.isDirectory() === true;
  }

  bucketPath(bucket: string): string {
    validateBucketName(bucket);
    return join(this.bucketsDir, bucket);
  }

  /**
   * The file of an existing object, or undefined when there is none: a key that names a folder, a
   * symlink, or a path whose real location is outside the bucket folder is no object.
   */
  async objectFile(bucket: string, key: string): Promise<string | undefined> {
    const { abs, bucketDir } = this.objectPath(bucket, key);
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    const [real, realBucket] = await Promise.all([realpath(abs).catch(() => ''), realpath(bucketDir).catch(() => '')]);
    return realBucket && real.startsWith(realBucket + sep) ? abs : undefined;
  }

  objectPath(bucket: string, key: string): { rel: string; abs: string; bucketDir: string } {
    validateBucketName(bucket);
    validateObjectKey(key);
    const bucketDir = join(this.bucketsDir, bucket);
    const abs = resolve(bucketDir, ...key.split('/'));
    if (!abs.startsWith(bucketDir + sep)) {
      throw new UserError(`Object key '${key}' escapes the bucket folder`, 'keys are relative names inside the bucket', 'InvalidParameter');
    }
    return { rel: `${bucket}/${key}`, abs, bucketDir };
  }

  /**
   * Stores an object and notifies exactly as a file saved into the folder would (`eventName` and the
   * calling invocation come from the S3 API; `eTag` is a multipart upload's, otherwise the MD5).
   * `onStored` runs once the bytes are in place and before anyone is notified (the S3 API writes the
   * object's metadata there, so a notified function never reads the object without it).
   */
  async writeObject(
    bucket: string,
    key: string,
    content: Buffer,
    options: {
      eventName?: S3EventName;
      caller?: CallerInvocation;
      eTag?: string;
      onStored?: (stored: { eTag: string; size: number; mtimeMs: number }) => Promise<void>;
    } = {},
  ): Promise<{ eTag: string; size: number }> {
    const { rel } = this.objectPath(bucket, key);
    // Every existing folder on the way must really be inside the buckets folder (no symlink out of it).
    const abs = await this.entryPath(rel, `Cannot store '${key}' in bucket '${bucket}'`);
    this.ownWrites.set(rel, (this.ownWrites.get(rel) ?? 0) + 1);
    try {
      const dir = abs.slice(0, abs.lastIndexOf(sep));
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw new UserError(
          `Cannot store '${key}': a parent of it is a file in bucket '${bucket}'`,
          `delete that object first (${(err as Error).message})`,
          'InvalidParameter',
        );
      }
      const existing = await lstat(abs).catch(() => undefined);
      if (existing?.isDirectory()) {
        throw new UserError(
          `Cannot store '${key}': other objects use it as a prefix (it is a folder here)`,
          'choose a key that is not a "folder" of other keys',
          'InvalidParameter',
        );
      }
      // A PUT replaces the object: a symlink standing there is replaced, its target never written.
      if (existing?.isSymbolicLink()) await unlink(abs);
      await writeFile(abs, content, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
      const st = await lstat(abs);
      const eTag = options.eTag ?? createHash('md5').update(content).digest('hex');
      this.snapshot.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, eTag });
      await options.onStored?.({ eTag, size: st.size, mtimeMs: st.mtimeMs });
      this.emit(
        {
          eventName: options.eventName ?? 'ObjectCreated:Put',
          bucket,
          key,
          size: content.length,
          eTag,
          sequencer: this.sequencer.next(),
          eventTime: new Date(),
        },
        options.caller,
      );
      return { eTag, size: content.length };
    } finally {
      this.releaseOwn(rel);
    }
  }

  async deleteObject(bucket: string, key: string, caller?: CallerInvocation): Promise<{ deleted: boolean }> {
    const { rel, bucketDir: lexicalBucketDir } = this.objectPath(bucket, key);
    const abs = await this.entryPath(rel, `Cannot delete '${key}' in bucket '${bucket}'`);
    const bucketDir = await this.entryPath(relative(this.bucketsDir, lexicalBucketDir), `Cannot delete '${key}' in bucket '${bucket}'`);
    this.ownWrites.set(rel, (this.ownWrites.get(rel) ?? 0) + 1);
    try {
      const st = await lstat(abs).catch(() => undefined);
      if (!st || !st.isFile()) return { deleted: false };
      await unlink(abs);
      this.snapshot.delete(rel);
      // S3 has no folders: drop the ones this delete left empty, up to the bucket folder.
      let dir = abs.slice(0, abs.lastIndexOf(sep));
      while (dir.startsWith(bucketDir + sep)) {
        try {
          await rmdir(dir);
        } catch {
          break;
        }
        dir = dir.slice(0, dir.lastIndexOf(sep));
      }
      this.emit({ eventName: 'ObjectRemoved:Delete', bucket, key, sequencer: this.sequencer.next(), eventTime: new Date() }, caller);
      return { deleted: true };
    } finally {
      this.releaseOwn(rel);
    }
  }

  /**
   * Where the entry for `rel` is: its folders resolved and checked to stay inside the buckets folder
   * (no symlink out of it), the last name kept as it is, so a symlink there is acted on, never its target.
   */
  private async entryPath(rel: string, what: string): Promise<string> {
    const slash = rel.lastIndexOf('/');
    try {
      const parent = slash < 0 ? await resolveInsideRoot(this.bucketsDir, '.') : await resolveInsideRoot(this.bucketsDir, rel.slice(0, slash));
      return join(parent, rel.slice(slash + 1));
    } catch (err) {
      throw err instanceof UserError ? new UserError(`${what}: ${err.message}`, err.hint, 'AccessDenied') : err;
    }
  }

  /** False when a folder on the way to `rel` is a symlink out of the buckets folder: such files are never delivered or read. */
  private async staysInside(rel: string): Promise<boolean> {
    try {
      await resolveInsideRoot(this.bucketsDir, rel);
      return true;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      this.context.log.debug(`s3: ignoring ${rel}: ${err.message}`);
      return false;
    }
  }

  private releaseOwn(rel: string): void {
    const n = (this.ownWrites.get(rel) ?? 1) - 1;
    if (n <= 0) this.ownWrites.delete(rel);
    else this.ownWrites.set(rel, n);
  }

  // ---- watching -----------------------------------------------------------------------------

  private startWatching(): void {
    if (this.options.watchMode === 'per-directory') {
      this.recursive = false;
      this.watchDir('');
      return;
    }
    try {
      const w = watch(this.bucketsDir, { recursive: true }, (_event, filename) => {
        if (filename) this.notice(filename.toString().split(sep).join('/'));
      });
      w.on('error', (err) => this.context.log.warn(`s3: watcher error: ${err.message}`));
      this.watchers.set('', w);
    } catch (err) {
      this.context.log.info(`s3: recursive watching unavailable (${(err as Error).message}); watching each folder`);
      this.recursive = false;
      this.watchDir('');
    }
  }

  /** Fallback: one non-recursive watcher per directory, added as directories appear. */
  private watchDir(rel: string): void {
    if (this.watchers.has(rel) || this.stopped) return;
    try {
      const w = watch(rel ? join(this.bucketsDir, rel) : this.bucketsDir, (_event, filename) => {
        if (filename) this.notice(rel ? `${rel}/${filename.toString()}` : filename.toString());
      });
      w.on('error', () => {
        w.close();
        this.watchers.delete(rel);
      });
      this.watchers.set(rel, w);
    } catch {
      // The directory went away between the notice and the watch; its parent's watcher reports it.
    }
  }

  private notice(rel: string): void {
    if (!this.stopped && rel) this.schedule(rel);
  }

  private schedule(rel: string, lastStat?: string): void {
    if (this.stopped) return;
    const existing = this.pending.get(rel);
    if (existing) clearTimeout(existing.timer);
    const entry: { timer: NodeJS.Timeout; lastStat?: string } = {
      timer: setTimeout(() => void this.check(rel, entry.lastStat), this.stableMs),
      ...(lastStat !== undefined ? { lastStat } : existing?.lastStat !== undefined ? { lastStat: existing.lastStat } : {}),
    };
    this.pending.set(rel, entry);
  }

  private async check(rel: string, lastStat: string | undefined): Promise<void> {
    if (this.stopped) return;
    if (this.ownWrites.has(rel)) {
      this.schedule(rel);
      return;
    }
    const abs = join(this.bucketsDir, ...rel.split('/'));
    const st = await lstat(abs).catch(() => undefined);
    if (st && !(await this.staysInside(rel))) {
      this.pending.delete(rel);
      return;
    }
    if (!st) {
      this.pending.delete(rel);
      this.removedUnder(rel);
      return;
    }
    if (st.isDirectory()) {
      this.pending.delete(rel);
      if (!this.recursive) this.watchDir(rel);
      await this.scan(rel, true);
      return;
    }
    if (!st.isFile() || !rel.includes('/')) {
      this.pending.delete(rel);
      return;
    }
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (stamp !== lastStat) {
      // Still being written (or first look): look again after another quiet period.
      this.schedule(rel, stamp);
      return;
    }
    this.pending.delete(rel);
    const known = this.snapshot.get(rel);
    if (known && sameFile(known, st)) return;
    let content: Buffer;
    try {
      content = await readFile(abs);
    } catch {
      this.schedule(rel);
      return;
    }
    const eTag = createHash('md5').update(content).digest('hex');
    this.snapshot.set(rel, { size: content.length, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, eTag });
    // Only ctime moved (a chmod, or a rewrite that put size and mtime back): a PUT only if the bytes changed.
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.eTag === eTag) return;
    const slash = rel.indexOf('/');
    this.emit({
      eventName: 'ObjectCreated:Put',
      bucket: rel.slice(0, slash),
      key: rel.slice(slash + 1),
      size: content.length,
      eTag,
      sequencer: this.sequencer.next(),
      eventTime: new Date(),
    });
  }

  /** A path vanished: it was an object, or a folder holding some. */
  private removedUnder(rel: string): void {
    const gone = [...this.snapshot.keys()].filter((k) => k === rel || k.startsWith(`${rel}/`)).sort();
    for (const k of gone) {
      this.snapshot.delete(k);
      const slash = k.indexOf('/');
      this.emit({
        eventName: 'ObjectRemoved:Delete',
        bucket: k.slice(0, slash),
        key: k.slice(slash + 1),
        sequencer: this.sequencer.next(),
        eventTime: new Date(),
      });
    }
    for (const [dir, w] of this.watchers) {
      if (dir && (dir === rel || dir.startsWith(`${rel}/`))) {
        w.close();
        this.watchers.delete(dir);
      }
    }
  }

  /**
   * Walks a folder. At start (`report` false) it only records what exists; later (a folder that
   * appeared or was moved in) every new or changed file is checked, and vanished ones are removed.
   */
  private async scan(rel: string, report: boolean): Promise<void> {
    const seen = new Set<string>();
    const walk = async (dirRel: string): Promise<void> => {
      const dirAbs = dirRel ? join(this.bucketsDir, ...dirRel.split('/')) : this.bucketsDir;
      // Watch before reading, so a file created in between is seen by one or the other.
      if (!this.recursive) this.watchDir(dirRel);
      let entries;
      try {
        entries = await readdir(dirAbs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const childRel = dirRel ? `${dirRel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(childRel);
        else if (e.isFile() && childRel.includes('/')) {
          seen.add(childRel);
          if (report) {
            if (!this.snapshot.has(childRel)) this.schedule(childRel);
            else {
              const st = await lstat(join(this.bucketsDir, ...childRel.split('/'))).catch(() => undefined);
              const known = this.snapshot.get(childRel)!;
              if (st && !sameFile(known, st)) this.schedule(childRel);
            }
          } else {
            const abs = join(this.bucketsDir, ...childRel.split('/'));
            try {
              const [st, content] = await Promise.all([lstat(abs), readFile(abs)]);
              this.snapshot.set(childRel, {
                size: content.length,
                mtimeMs: st.mtimeMs,
                ctimeMs: st.ctimeMs,
                eTag: createHash('md5').update(content).digest('hex'),
              });
            } catch {
              // vanished during the scan
            }
          }
        }
      }
    };
    await walk(rel);
    if (report) {
      for (const k of [...this.snapshot.keys()]) {
        if ((k.startsWith(`${rel}/`) || k === rel) && !seen.has(k)) this.schedule(k);
      }
    }
  }

  // ---- delivery -----------------------------------------------------------------------------

  private emit(change: S3ObjectChange, caller?: CallerInvocation): void {
    if (this.stopped) return;
    this.notifyServices(change, caller);
    const targets = this.targets.filter((t) => t.fn.supported !== false && subscriptionMatches(t.sub, change));
    if (targets.length === 0) return;
    const events = targets.map((t) => buildS3Event(change, { region: this.context.region, configurationId: t.sub.name }));
    const parent = parentRecord({
      kind: 's3-event',
      trigger: 's3',
      functionName: change.bucket,
      event: events[0],
      ...(caller ? { parentId: caller.recordId } : {}),
      source: {
        bucket: change.bucket,
        key: change.key,
        eventName: change.eventName,
        ...(change.size !== undefined ? { size: change.size, eTag: change.eTag } : {}),
        sequencer: change.sequencer,
        functions: targets.map((t) => t.fn.name),
      },
    });
    if (caller) parent.traceId = caller.traceId;
    this.context.records.open(parent);
    const outcomes = targets.map((t, i) => {
      try {
        return this.queue.invoke({
          fn: t.fn,
          event: events[i],
          trigger: 's3',
          parentId: parent.id,
          source: { bucket: change.bucket, key: change.key, eventName: change.eventName, configurationId: t.sub.name },
        }).done;
      } catch (err) {
        this.context.log.error(`s3: cannot deliver ${change.eventName} ${change.bucket}/${change.key} to ${t.fn.name}: ${(err as Error).message}`);
        return Promise.resolve({ status: 'failed' as const, requestId: '', attempts: [] });
      }
    });
    const delivery = Promise.all(outcomes).then((results) => {
      const status = results.some((r) => r.status === 'interrupted') ? 'interrupted' : results.every((r) => r.status === 'success') ? 'success' : 'error';
      closeParent(this.context.records, parent, status, {
        deliveries: results.map((r, i) => deliverySummary(targets[i]!.fn.name, r)),
      });
    });
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  /** The bucket's template `NotificationConfiguration` queue and topic targets: S3 → SQS / SNS. */
  private notifyServices(change: S3ObjectChange, caller: CallerInvocation | undefined): void {
    let targets: BucketNotificationTarget[];
    try {
      targets = bucketNotificationTargets(this.context.functions.resources(), change);
    } catch (err) {
      this.context.log.warn(`s3: bucket ${change.bucket}: ${(err as Error).message}`);
      return;
    }
    for (const target of targets) {
      const body = JSON.stringify(buildS3Event(change, { region: this.context.region, configurationId: target.id }));
      const message = { body, ...(caller ? { caller } : {}) };
      const delivery =
        target.kind === 'queue'
          ? this.context.queues
            ? this.context.queues.sendToQueue(target.arn, message).then(() => undefined)
            : Promise.reject(new Error('no SQS source is running'))
          : this.context.topics
            ? this.context.topics.publishToTopic(target.arn, { ...message, subject: 'Amazon S3 Notification' }).then(() => undefined)
            : Promise.reject(new Error('no SNS source is running'));
      const tracked = delivery.catch((err: unknown) =>
        this.context.log.warn(`s3: cannot notify ${target.arn} of ${change.eventName} ${change.bucket}/${change.key}: ${(err as Error).message}`),
      );
      this.deliveries.add(tracked);
      void tracked.finally(() => this.deliveries.delete(tracked));
    }
  }
}

/** Nothing about the file changed since it was last looked at. */
function sameFile(known: ObjectState, st: { size: number; mtimeMs: number; ctimeMs: number }): boolean {
  return known.size === st.size && known.mtimeMs === st.mtimeMs && known.ctimeMs === st.ctimeMs;
}

export type { S3EventName };
