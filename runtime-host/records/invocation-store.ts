// Durable invocation history: one JSON record per line in `<stateDir>/invocations.jsonl`, appended as
// records start and finish (the last line for an id wins). Survives restarts; a torn last line from a
// crash is dropped, never fatal; retention keeps the newest N records and compacts the file by
// rewriting it atomically (temp file + rename).
// Appends go through one open handle and are batched: lines put within BATCH_MS of each other (or
// while a write is in flight) go out together in one write, so a crash loses at most that batch.
// Under load that is one write per batch instead of one per record start and finish.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationRecord } from '../protocol/records';

/** Events, results and logs may hold secrets: readable by the user only. */
const HISTORY_FILE_MODE = 0o600;

export const INVOCATIONS_FILE = 'invocations.jsonl';
export const DEFAULT_MAX_RECORDS = 10_000;
const DEFAULT_PAGE = 50;
/** How long a line may wait for others to share its write. */
const BATCH_MS = 10;
/** Records serialised per turn while compacting in the background. */
const COMPACT_CHUNK = 500;
const MAX_PAGE = 500;

export interface InvocationStoreOptions {
  stateDir: string;
  /** Records kept (oldest dropped first). */
  maxRecords?: number;
  /** Called for lines that could not be read (a torn tail, a corrupted line). */
  onWarning?: (message: string) => void;
}

export interface PageQuery {
  function?: string;
  parentId?: string;
  /** Only the records of one trace (root `1-…`). */
  traceId?: string;
  cursor?: string;
  limit?: number;
}

interface Entry {
  /** Order of first appearance: newest first means highest seq first. */
  seq: number;
  record: InvocationRecord;
}

const FINAL = new Set(['success', 'error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

/** One record as the file holds it: a JSON line. */
const lineOf = (record: InvocationRecord): string => JSON.stringify(record) + '\n';

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length;) offset += (await handle.write(data, offset)).bytesWritten;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export class InvocationStore {
  readonly file: string;
  readonly maxRecords: number;
  private readonly entries = new Map<string, Entry>();
  private nextSeq = 0;
  /** Lines in the file (live + superseded), to know when compaction pays off. */
  private fileLines = 0;
  /** Lines put but not yet handed to the file (the next batch). */
  private pending: string[] = [];
  /** The writer draining `pending`, while it runs. */
  private writing: Promise<void> | undefined;
  /** The timer that starts the writer for the lines of the current batch. */
  private batchTimer: NodeJS.Timeout | undefined;
  /** Set when the file has grown enough superseded lines that rewriting it pays off. */
  private compactWanted = false;
  /** Kept open between appends (opening the file per record costs more than the write). */
  private handle: FileHandle | undefined;
  private closed = false;

  constructor(private readonly options: InvocationStoreOptions) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.file = join(options.stateDir, INVOCATIONS_FILE);
    this.maxRecords = Math.max(1, options.maxRecords ?? DEFAULT_MAX_RECORDS);
    this.load();
  }

  /** Records still `running`/`queued` from a previous host run ended when that host went away. */
  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < text.length - 1) {
      // A crash mid-append leaves a line without its newline: drop it so the next append starts clean.
      this.options.onWarning?.(`${this.file}: skipped a torn last line (${text.length - lastNewline - 1} bytes)`);
      truncateSync(this.file, Buffer.byteLength(text.slice(0, lastNewline + 1), 'utf8'));
      text = text.slice(0, lastNewline + 1);
    }
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (!line.trim()) continue;
      this.fileLines++;
      let record: InvocationRecord;
      try {
        record = JSON.parse(line) as InvocationRecord;
      } catch {
        this.options.onWarning?.(`${this.file}:${lineNo}: skipped a line that is not valid JSON`);
        continue;
      }
      if (!record || typeof record.id !== 'string') continue;
      this.remember(record);
    }
    for (const e of this.entries.values()) {
      if (!FINAL.has(e.record.status)) {
        e.record = { ...e.record, status: 'interrupted', timestamps: { ...e.record.timestamps } };
      }
    }
    this.trim();
    if (this.fileLines > this.entries.size) this.compactSync();
  }

  private remember(record: InvocationRecord): void {
    const existing = this.entries.get(record.id);
    if (existing) existing.record = record;
    else this.entries.set(record.id, { seq: this.nextSeq++, record });
  }

  /** Drops the oldest records beyond the limit (Map iteration order is insertion order = seq order). */
  private trim(): void {
    while (this.entries.size > this.maxRecords) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Adds or replaces a record and appends it to the file. */
  put(record: InvocationRecord): void {
    if (this.closed) return;
    this.remember(record);
    this.trim();
    this.pending.push(lineOf(record));
    this.fileLines++;
    if (this.fileLines > this.maxRecords * 2 && this.fileLines > 100) this.compactWanted = true;
    if (!this.writing && !this.batchTimer) this.batchTimer = setTimeout(() => this.startWriting(), BATCH_MS);
  }

  /** Writes the batch gathered so far; lines put meanwhile wait for the next batch. */
  private startWriting(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.writing ??= this.writeBatch().finally(() => {
      this.writing = undefined;
      if (this.pending.length > 0 && !this.batchTimer) this.batchTimer = setTimeout(() => this.startWriting(), BATCH_MS);
    });
  }

  get(id: string): InvocationRecord | undefined {
    return this.entries.get(id)?.record;
  }

  size(): number {
    return this.entries.size;
  }

  /** Newest first; the cursor is opaque to clients (the position of the last record returned). */
  page(query: PageQuery = {}): { records: InvocationRecord[]; nextCursor?: string } {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_PAGE)), MAX_PAGE);
    let before = Number.POSITIVE_INFINITY;
    if (query.cursor !== undefined) {
      const text = /^[A-Za-z0-9_-]+$/.test(query.cursor) ? Buffer.from(query.cursor, 'base64url').toString('utf8') : '';
      const decoded = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(decoded)) throw new InvalidCursorError(`invalid cursor '${query.cursor}'`);
      before = decoded;
    }
    const all = [...this.entries.values()];
    const out: Entry[] = [];
    let more = false;
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (e.seq >= before) continue;
      if (query.function !== undefined && e.record.functionName !== query.function) continue;
      if (query.parentId !== undefined && e.record.parentId !== query.parentId) continue;
      if (query.traceId !== undefined && e.record.traceId !== query.traceId) continue;
      if (out.length === limit) {
        more = true;
        break;
      }
      out.push(e);
    }
    const last = out[out.length - 1];
    return {
      records: out.map((e) => e.record),
      ...(more && last ? { nextCursor: Buffer.from(String(last.seq), 'utf8').toString('base64url') } : {}),
    };
  }

  /** One batch: the pending lines in a single write, or a compaction instead (it writes every live record). */
  private async writeBatch(): Promise<void> {
    if (this.pending.length === 0) return;
    try {
      if (this.compactWanted && this.fileLines > this.entries.size * 2) {
        this.compactWanted = false;
        await this.compact();
        return;
      }
      const batch = Buffer.from(this.pending.join(''), 'utf8');
      this.pending = [];
      this.handle ??= await open(this.file, 'a', HISTORY_FILE_MODE);
      await writeAll(this.handle, batch);
    } catch (err) {
      this.options.onWarning?.(`cannot write ${this.file}: ${(err as Error).message}`);
    }
  }

  /** Waits until every record put so far is in the file. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.batchTimer) this.startWriting();
      if (!this.writing) return;
      await this.writing;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Where a compaction writes the new file before renaming it over the old one. */
  private get tempFile(): string {
    return `${this.file}.${process.pid}.tmp`;
  }

  /** At load: rewrites the file with the live records only: temp file, fsync, rename (never a half-written history). */
  private compactSync(): void {
    const tmp = this.tempFile;
    const fd = openSync(tmp, 'w', HISTORY_FILE_MODE);
    try {
      const chunk: string[] = [];
      for (const e of this.entries.values()) chunk.push(lineOf(e.record));
      writeSync(fd, chunk.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.fileLines = this.entries.size;
  }

  /**
   * While the host runs: the same rewrite without stopping the event loop for it (10,000 records
   * take a noticeable pause to serialise and fsync): a chunk of records a turn, written and synced
   * through the thread pool. Lines put meanwhile wait and are appended to the new file after the
   * rename, and the last line for an id still wins. If the rewrite fails, nothing was replaced and
   * the lines it would have covered are appended as usual.
   */
  private async compact(): Promise<void> {
    const records = [...this.entries.values()].map((e) => e.record);
    // Every live record goes into the rewritten file, including those still waiting to be appended.
    const covered = this.pending;
    this.pending = [];
    const tmp = this.tempFile;
    try {
      const out = await open(tmp, 'w', HISTORY_FILE_MODE);
      try {
        for (let i = 0; i < records.length; i += COMPACT_CHUNK) {
          await writeAll(
            out,
            Buffer.from(
              records
                .slice(i, i + COMPACT_CHUNK)
                .map(lineOf)
                .join(''),
              'utf8',
            ),
          );
        }
        await out.sync();
      } finally {
        await out.close();
      }
      // The open handle points at the file being replaced; the next append reopens the new one.
      await this.handle?.close();
      this.handle = undefined;
      await rename(tmp, this.file);
    } catch (err) {
      this.pending = [...covered, ...this.pending];
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    this.fileLines = records.length + this.pending.length;
  }
}
