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
import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import { UserError } from '../../runtime/types';
import { AsyncInvocationQueue, asyncPolicyFromTemplate, closeParent, parentRecord, type AsyncInvocationPolicy } from '../async-invocation';
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
    this.startWatching();
    await this.scan('', false);
    context.log.info(`s3: buckets in ${this.bucketsDir} (${[...new Set(this.targets.map((t) => t.sub.bucket))].join(', ') || 'none from the template'})`);
  }

  async stop(): Promise<void> {
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

  methods(): MethodHandlers {
    return {
      's3.putObject': async (params) => this.putObject(params.bucket, params.key, params.body, params.bodyBase64 === true),
      's3.deleteObject': async (params) => this.deleteObject(params.bucket, params.key),
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
    for (const bucket of new Set(targets.map((t) => t.sub.bucket))) {
      try {
        validateBucketName(bucket);
        await mkdir(join(this.bucketsDir, bucket), { recursive: true });
      } catch (err) {
        this.context.log.warn(`s3: bucket '${bucket}' from the template cannot be a folder: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  // ---- the protocol -------------------------------------------------------------------------

  private objectPath(bucket: string, key: string): { rel: string; abs: string; bucketDir: string } {
    validateBucketName(bucket);
    validateObjectKey(key);
    const bucketDir = join(this.bucketsDir, bucket);
    const abs = resolve(bucketDir, ...key.split('/'));
    if (!abs.startsWith(bucketDir + sep)) {
      throw new UserError(`Object key '${key}' escapes the bucket folder`, 'keys are relative names inside the bucket', 'InvalidParameter');
    }
    return { rel: `${bucket}/${key}`, abs, bucketDir };
  }

  private async putObject(bucket: string, key: string, body: string, bodyBase64: boolean): Promise<{ eTag: string; size: number }> {
    const { rel, abs } = this.objectPath(bucket, key);
    const content = bodyBase64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
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
      await writeFile(abs, content);
      const st = await lstat(abs);
      const eTag = createHash('md5').update(content).digest('hex');
      this.snapshot.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, eTag });
      this.emit({ eventName: 'ObjectCreated:Put', bucket, key, size: content.length, eTag, sequencer: this.sequencer.next(), eventTime: new Date() });
      return { eTag, size: content.length };
    } finally {
      this.releaseOwn(rel);
    }
  }

  private async deleteObject(bucket: string, key: string): Promise<{ deleted: boolean }> {
    const { rel, abs, bucketDir } = this.objectPath(bucket, key);
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
      this.emit({ eventName: 'ObjectRemoved:Delete', bucket, key, sequencer: this.sequencer.next(), eventTime: new Date() });
      return { deleted: true };
    } finally {
      this.releaseOwn(rel);
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

  private emit(change: S3ObjectChange): void {
    const targets = this.targets.filter((t) => t.fn.supported !== false && subscriptionMatches(t.sub, change));
    if (targets.length === 0 || this.stopped) return;
    const events = targets.map((t) => buildS3Event(change, { region: this.context.region, configurationId: t.sub.name }));
    const parent = parentRecord({
      kind: 's3-event',
      trigger: 's3',
      functionName: change.bucket,
      event: events[0],
      source: {
        bucket: change.bucket,
        key: change.key,
        eventName: change.eventName,
        ...(change.size !== undefined ? { size: change.size, eTag: change.eTag } : {}),
        sequencer: change.sequencer,
        functions: targets.map((t) => t.fn.name),
      },
    });
    this.context.records.open(parent);
    const resources = this.context.functions.resources();
    const outcomes = targets.map((t, i) => {
      try {
        return this.queue.invoke({
          fn: t.fn,
          event: events[i],
          trigger: 's3',
          parentId: parent.id,
          source: { bucket: change.bucket, key: change.key, eventName: change.eventName, configurationId: t.sub.name },
          policy: { ...asyncPolicyFromTemplate(resources, t.fn.name) },
        }).done;
      } catch (err) {
        this.context.log.error(`s3: cannot deliver ${change.eventName} ${change.bucket}/${change.key} to ${t.fn.name}: ${(err as Error).message}`);
        return Promise.resolve({ status: 'failed' as const, requestId: '', attempts: [] });
      }
    });
    const delivery = Promise.all(outcomes).then((results) => {
      const status = results.some((r) => r.status === 'interrupted') ? 'interrupted' : results.every((r) => r.status === 'success') ? 'success' : 'error';
      closeParent(this.context.records, parent, status, {
        deliveries: results.map((r, i) => ({ function: targets[i]!.fn.name, status: r.status, attempts: r.attempts.length })),
      });
    });
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }
}

/** Nothing about the file changed since it was last looked at. */
function sameFile(known: ObjectState, st: { size: number; mtimeMs: number; ctimeMs: number }): boolean {
  return known.size === st.size && known.mtimeMs === st.mtimeMs && known.ctimeMs === st.ctimeMs;
}

export type { S3EventName };
