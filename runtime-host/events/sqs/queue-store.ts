// Every queue of the host, kept in memory and in one journal, `<stateDir>/sqs/journal.jsonl`: one
// JSON line per change (queue created, message sent, received, made visible, deleted, purged).
// Writes are grouped: changes made while a write is under way go out together in the next one,
// and `flush()` resolves once everything so far is on disk (fdatasync), so a send is acknowledged
// only when durable while receives and deletes never wait. At open, and when the journal has
// grown well past the live state, it is rewritten as a snapshot (temp file + rename).
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, type JournalEntry, type QueueConfig } from './queue';
import { SqsError } from './sqs-errors';

export interface QueueStoreOptions {
  region: string;
  accountId: string;
  now?: () => number;
  warn?: (message: string) => void;
  /** Lines appended before a compaction is considered (default 20,000). */
  compactAfterLines?: number;
}

export function queueArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sqs:${region}:${accountId}:${name}`;
}

/** The name in a queue name, ARN or URL (`…/<account>/<name>`). */
export function queueNameOf(ref: string): string {
  if (ref.startsWith('arn:')) return ref.slice(ref.lastIndexOf(':') + 1);
  if (/^https?:\/\//i.test(ref)) {
    try {
      const path = new URL(ref).pathname.replace(/\/+$/, '');
      return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    } catch {
      return ref;
    }
  }
  return ref;
}

export class QueueStore {
  readonly queues = new Map<string, Queue>();
  private file = '';
  private handle?: FileHandle;
  private pending: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled: Promise<void> | undefined;
  private linesSinceCompaction = 0;
  private closed = false;
  readonly now: () => number;

  private constructor(private readonly options: QueueStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  static async open(dir: string, options: QueueStoreOptions): Promise<QueueStore> {
    const store = new QueueStore(options);
    await mkdir(dir, { recursive: true });
    store.file = join(dir, 'journal.jsonl');
    let text = '';
    try {
      text = await readFile(store.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        bad++; // a line cut short by a crash mid-write
        continue;
      }
      store.replay(entry);
    }
    if (bad > 0) options.warn?.(`sqs: skipped ${bad} unreadable line(s) in ${store.file}`);
    if (text === '') {
      // No journal yet (a project without queues, or a first start): nothing to rewrite, and no
      // fdatasync before the host is ready.
      store.handle = await open(store.file, 'a');
    } else {
      await store.writeSnapshot();
    }
    return store;
  }

  arnOf(name: string): string {
    return queueArn(this.options.region, this.options.accountId, name);
  }

  private newQueue(config: QueueConfig): Queue {
    return new Queue(config, {
      now: this.now,
      persist: (entry) => this.persist(entry),
      deadLetterQueue: (arn) => this.queues.get(queueNameOf(arn)),
      arnOf: (name) => this.arnOf(name),
    });
  }

  private replay(entry: JournalEntry): void {
    if (entry.op === 'queue') {
      const q = this.queues.get(entry.config.name);
      if (q) q.config = entry.config;
      else this.queues.set(entry.config.name, this.newQueue(entry.config));
      return;
    }
    if (entry.op === 'deleteQueue') {
      this.queues.delete(entry.queue);
      return;
    }
    this.queues.get(entry.queue)?.apply(entry);
  }

  /** Creates the queue, or updates its settings when it exists (messages are kept). */
  put(config: QueueConfig): Queue {
    let q = this.queues.get(config.name);
    if (q) {
      if (
        JSON.stringify({ ...q.config, createdTimestamp: 0, lastModifiedTimestamp: 0 }) ===
        JSON.stringify({ ...config, createdTimestamp: 0, lastModifiedTimestamp: 0 })
      )
        return q;
      q.config = { ...config, createdTimestamp: q.config.createdTimestamp };
    } else {
      q = this.newQueue(config);
      this.queues.set(config.name, q);
    }
    this.persist({ op: 'queue', config: q.config });
    return q;
  }

  deleteQueue(name: string): boolean {
    const q = this.queues.get(name);
    if (!q) return false;
    this.queues.delete(name);
    q.wake();
    this.persist({ op: 'deleteQueue', queue: name });
    return true;
  }

  /** By name, ARN or URL; throws SQS's QueueDoesNotExist. */
  find(ref: unknown): Queue {
    const name = typeof ref === 'string' ? queueNameOf(ref) : '';
    const q = this.queues.get(name);
    if (!q) {
      const known = [...this.queues.keys()].sort().join(', ') || 'none';
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', `queue ${JSON.stringify(ref)}; known queues: ${known}`);
    }
    return q;
  }

  private persist(entry: JournalEntry): void {
    if (this.closed) return;
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.linesSinceCompaction++;
    if (!this.scheduled) void this.flush().catch((err: unknown) => this.options.warn?.(`sqs: writing ${this.file} failed: ${(err as Error).message}`));
  }

  /** Resolves when every change made so far is durably written. */
  flush(): Promise<void> {
    if (this.scheduled) return this.scheduled;
    if (this.pending.length === 0) return this.chain;
    const next = this.chain.then(async () => {
      this.scheduled = undefined;
      if (this.shouldCompact()) {
        this.pending = [];
        await this.writeSnapshot();
        return;
      }
      const data = this.pending.join('');
      this.pending = [];
      if (!this.handle) return;
      await this.handle.write(data);
      await this.handle.datasync();
    });
    this.scheduled = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  private shouldCompact(): boolean {
    let live = 0;
    for (const q of this.queues.values()) live += q.messages.size + 1;
    return this.linesSinceCompaction > Math.max(this.options.compactAfterLines ?? 20_000, live * 4);
  }

  /** Rewrites the journal as the current state. */
  private async writeSnapshot(): Promise<void> {
    const lines: string[] = [];
    for (const q of this.queues.values()) for (const e of q.snapshot()) lines.push(`${JSON.stringify(e)}\n`);
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.write(lines.join(''));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await this.handle?.close();
    await rename(tmp, this.file);
    this.handle = await open(this.file, 'a');
    this.linesSinceCompaction = 0;
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.closed = true;
    for (const q of this.queues.values()) q.wake();
    await this.handle?.close();
    this.handle = undefined;
  }
}
