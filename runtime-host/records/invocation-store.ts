// Durable invocation history: one JSON record per line in `<stateDir>/invocations.jsonl`, appended as
// records start and finish (the last line for an id wins; a final line without `event` keeps the one
// its first line stored, so an event is written once). Survives restarts; damaged lines (a torn last
// line from a crash, corruption) are skipped, never fatal; retention keeps the newest records within
// a count and a byte budget and compacts the file by rewriting it atomically (temp file + rename).
// Event, result, logs and HTTP bodies are capped per record (record-caps.ts), and the file is read
// line by line, so no history is ever too big to load.
// Appends go through one open handle and are batched: lines put within BATCH_MS of each other (or
// while a write is in flight) go out together in one write. `written()` starts the write at once and
// resolves once its batch is in the file, and the host answers a client only then: a crash loses
// nothing that was acknowledged.
import { closeSync, fsyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationRecord } from '../protocol/records';
import { capRecord, capValue, DEFAULT_INLINE_LIMIT_BYTES, type CappedValue } from './record-caps';
import { jsonOf, sealedBytes } from '../util/sealed-json';

/** Events, results and logs may hold secrets: readable by the user only. */
const HISTORY_FILE_MODE = 0o600;

export const INVOCATIONS_FILE = 'invocations.jsonl';
export const DEFAULT_MAX_RECORDS = 10_000;
/** Bytes of history kept (as JSON lines); with 256 KB caps a record is at most about 1.3 MB. */
export const DEFAULT_MAX_HISTORY_MB = 256;
/** A line longer than this cannot be a record the store wrote since caps exist: it is skipped as damaged. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Read size while loading. */
const READ_CHUNK_BYTES = 1024 * 1024;
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
  /** Bytes of records kept, as their JSON lines (oldest dropped first). */
  maxBytes?: number;
  /** Event, result, logs and HTTP bodies beyond this are cut (with a marker) before they are stored. */
  inlineLimitBytes?: number;
  /** Called once per load for the lines that could not be read (a torn tail, corrupted lines), and for write failures. */
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
  /** Size of the record's full line (what it costs in the file after a compaction). */
  bytes: number;
  /** Whether a line with the event is in the file, so later lines for the id can leave it out. */
  eventWritten: boolean;
  /** The event as stored (capped), and what `"event":…` adds to a line: later lines of the id reuse both. */
  event?: { capped: CappedValue; lineBytes: number };
}

const FINAL = new Set(['success', 'error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

/** One record as the file holds it: a JSON line (without `event` when an earlier line of the id holds it). */
function lineOf(record: InvocationRecord, withEvent = true): string {
  const parts = lineParts(record, withEvent);
  return parts.length === 1 ? (parts[0] as string) : parts.map((p) => p.toString('utf8')).join('');
}

/**
 * The line as the parts to write: a sealed event (util/sealed-json.ts) is neither serialised nor
 * encoded again, nor copied into the line: its bytes are written as they are, at the end of the line.
 */
function lineParts(record: InvocationRecord, withEvent: boolean): (string | Buffer)[] {
  const sealed = withEvent ? sealedBytes(record.event) : undefined;
  if (withEvent && sealed === undefined) return [JSON.stringify(record) + '\n'];
  const { event: _event, ...rest } = record;
  const head = JSON.stringify(rest);
  return sealed === undefined ? [head + '\n'] : [`${head.slice(0, -1)},"event":`, sealed, '}\n'];
}

function partsBytes(parts: readonly (string | Buffer)[]): number {
  let n = 0;
  for (const p of parts) n += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  return n;
}

/** The parts as buffers for one writev: neighbouring strings encoded together, buffers as they are. */
function toBuffers(parts: readonly (string | Buffer)[]): Buffer[] {
  const out: Buffer[] = [];
  let text = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      text += p;
      continue;
    }
    if (text) out.push(Buffer.from(text, 'utf8'));
    text = '';
    out.push(p);
  }
  if (text) out.push(Buffer.from(text, 'utf8'));
  return out;
}

async function writeAll(handle: FileHandle, data: Buffer[]): Promise<void> {
  let rest = data;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    let done = 0;
    while (done < rest.length && bytesWritten >= rest[done]!.length) bytesWritten -= rest[done++]!.length;
    rest = rest.slice(done);
    if (rest.length > 0 && bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export class InvocationStore {
  readonly file: string;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly inlineLimitBytes: number;
  private readonly entries = new Map<string, Entry>();
  private nextSeq = 0;
  /** Sum of the live records' line sizes. */
  private liveBytes = 0;
  /** Lines in the file (live + superseded), to know when compaction pays off. */
  private fileLines = 0;
  /** Bytes in the file (live + superseded). */
  private fileBytes = 0;
  /** Lines put but not yet handed to the file (the next batch), as their parts (lineParts). */
  private pending: (string | Buffer)[] = [];
  /** Who waits for the next batch to be in the file (`written()`). */
  private pendingWaiters: (() => void)[] = [];
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
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_HISTORY_MB * 1024 * 1024);
    this.inlineLimitBytes = Math.max(1024, options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES);
    this.load();
  }

  /**
   * Reads the file line by line (never as one string: a history of any size loads); damaged lines
   * are skipped and reported in one warning. Records still `running`/`queued` from a previous host
   * run ended when that host went away.
   */
  private load(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let invalid = 0;
    let oversized = 0;
    let tornBytes = 0;
    let needsRewrite = false;
    try {
      const size = fstatSync(fd).size;
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      let parts: Buffer[] = [];
      let partBytes = 0;
      let skipping = false;
      let position = 0;
      /** Offset just past the last newline: where a torn tail starts. */
      let wholeUpTo = 0;
      const takeLine = (line: Buffer) => {
        if (line.length === 0 || (line.length === 1 && line[0] === 13)) return;
        this.fileLines++;
        this.fileBytes += line.length + 1;
        let record: InvocationRecord;
        try {
          record = JSON.parse(line.toString('utf8')) as InvocationRecord;
        } catch {
          invalid++;
          return;
        }
        if (!record || typeof record !== 'object' || typeof record.id !== 'string') {
          invalid++;
          return;
        }
        const existing = this.entries.get(record.id);
        const withEvent = Object.prototype.hasOwnProperty.call(record, 'event');
        if (!withEvent) record.event = existing ? existing.record.event : null;
        // A line within the inline limit has no part beyond it (nothing to cut), and its size is the
        // line's own (plus its event's, kept from an earlier line): no record is serialised again
        // to load it, which was most of a large history's load time.
        if (line.length <= this.inlineLimitBytes) {
          const eventBytes = withEvent ? 0 : 9 + Buffer.byteLength(JSON.stringify(record.event) ?? 'null', 'utf8');
          this.remember(record, line.length + 1 + eventBytes, true);
        } else {
          const capped = capRecord(record, this.inlineLimitBytes);
          if (capped !== record) needsRewrite = true;
          this.remember(capped, Buffer.byteLength(lineOf(capped), 'utf8'), true);
        }
        this.trim();
      };
      while (position < size) {
        const n = readSync(fd, chunk, 0, Math.min(READ_CHUNK_BYTES, size - position), position);
        if (n <= 0) break;
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(10, start);
          if (nl < 0 || nl >= n) break;
          if (skipping) {
            skipping = false;
          } else if (partBytes + (nl - start) > MAX_LINE_BYTES) {
            oversized++;
            this.fileLines++;
            this.fileBytes += partBytes + (nl - start) + 1;
          } else {
            parts.push(chunk.subarray(start, nl));
            takeLine(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
          }
          parts = [];
          partBytes = 0;
          start = nl + 1;
          wholeUpTo = position + start;
        }
        if (start < n && !skipping) {
          if (partBytes + (n - start) > MAX_LINE_BYTES) {
            // Too long to be one of ours: skip to its end without holding it.
            oversized++;
            this.fileLines++;
            this.fileBytes += partBytes + (n - start);
            parts = [];
            partBytes = 0;
            skipping = true;
          } else {
            // The chunk buffer is reused: keep a copy of the partial line.
            parts.push(Buffer.from(chunk.subarray(start, n)));
            partBytes += n - start;
          }
        }
        position += n;
      }
      if (wholeUpTo < size) {
        // A crash mid-append leaves a line without its newline: drop it so the next append starts clean.
        tornBytes = size - wholeUpTo;
        if (skipping) oversized--;
        ftruncateSync(fd, wholeUpTo);
      }
    } finally {
      closeSync(fd);
    }
    const damaged = invalid + oversized + (tornBytes > 0 ? 1 : 0);
    if (damaged > 0) {
      const why = [
        invalid ? `${invalid} not valid JSON` : '',
        oversized ? `${oversized} longer than ${MAX_LINE_BYTES / 1024 / 1024} MB` : '',
        tornBytes ? `a torn last line (${tornBytes} bytes)` : '',
      ].filter(Boolean);
      this.options.onWarning?.(`${this.file}: skipped ${damaged} damaged line${damaged === 1 ? '' : 's'}: ${why.join(', ')}`);
    }
    for (const e of this.entries.values()) {
      if (!FINAL.has(e.record.status)) {
        e.record = { ...e.record, status: 'interrupted', timestamps: { ...e.record.timestamps } };
      }
    }
    if (needsRewrite || invalid > 0 || oversized > 0 || this.fileLines > this.entries.size) this.compactSync();
  }

  /** Keeps the record (in its place when the id is known) and the size of its full line; returns the entry. */
  private remember(record: InvocationRecord, bytes: number, eventWritten: boolean): Entry {
    const existing = this.entries.get(record.id);
    if (existing) {
      this.liveBytes += bytes - existing.bytes;
      existing.record = record;
      existing.bytes = bytes;
      existing.eventWritten ||= eventWritten;
      return existing;
    }
    const entry: Entry = { seq: this.nextSeq++, record, bytes, eventWritten };
    this.entries.set(record.id, entry);
    this.liveBytes += bytes;
    return entry;
  }

  /** Drops the oldest records beyond the count and byte limits (Map iteration order is insertion order = seq order). */
  private trim(): void {
    while (this.entries.size > this.maxRecords || (this.liveBytes > this.maxBytes && this.entries.size > 1)) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.liveBytes -= entry.bytes;
    }
  }

  /**
   * Adds or replaces a record and appends it to the file (in the next batch: `written()` says when it
   * is there). Returns the record as the store keeps it: cut to the inline limit, what clients should be sent.
   */
  put(record: InvocationRecord): InvocationRecord {
    if (this.closed) return record;
    const known = this.entries.get(record.id);
    // The event is measured and cut once per record; later lines of the id leave it out.
    const event = known?.event && known.record.event === record.event ? known.event : undefined;
    const capped = event?.capped ?? capValue(record.event, this.inlineLimitBytes);
    const stored = capRecord(record, this.inlineLimitBytes, capped);
    const withEvent = !(event && known?.eventWritten);
    const parts = lineParts(stored, withEvent);
    const lineBytes = partsBytes(parts);
    const eventLineBytes = event?.lineBytes ?? 9 + (sealedBytes(capped.value)?.length ?? Buffer.byteLength(jsonOf(capped.value) ?? 'null', 'utf8')); // `"event":…,`
    // While it runs the store holds the live record, so a reader sees its logs so far.
    const entry = this.remember(FINAL.has(record.status) ? stored : record, withEvent ? lineBytes : lineBytes + eventLineBytes, true);
    entry.event = { capped, lineBytes: eventLineBytes };
    this.trim();
    for (const part of parts) this.pending.push(part);
    this.fileLines++;
    this.fileBytes += lineBytes;
    if ((this.fileLines > this.maxRecords * 2 && this.fileLines > 100) || this.fileBytes > this.maxBytes * 2) this.compactWanted = true;
    if (!this.writing && !this.batchTimer) this.batchTimer = setTimeout(() => this.startWriting(), BATCH_MS);
    return stored;
  }

  /** Resolves once every line put so far is in the file (handed to the kernel: it survives the host being killed). */
  written(): Promise<void> {
    if (this.closed || (this.pending.length === 0 && !this.writing)) return Promise.resolve();
    if (this.pending.length === 0) return this.writing!.then(() => this.written());
    // Someone waits: write now rather than at the end of the batch window. Lines put while this
    // write runs still share the next one (group commit), so batching stays under load.
    const done = new Promise<void>((resolve) => this.pendingWaiters.push(resolve));
    if (!this.writing) this.startWriting();
    return done;
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

  /** Bytes of the records kept (as their JSON lines). */
  bytes(): number {
    return this.liveBytes;
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
    const waiters = this.pendingWaiters;
    this.pendingWaiters = [];
    try {
      if (this.compactWanted && (this.fileLines > this.entries.size * 2 || this.fileBytes > this.liveBytes * 2)) {
        this.compactWanted = false;
        await this.compact();
        return;
      }
      const batch = toBuffers(this.pending);
      this.pending = [];
      this.handle ??= await open(this.file, 'a', HISTORY_FILE_MODE);
      await writeAll(this.handle, batch);
    } catch (err) {
      this.options.onWarning?.(`cannot write ${this.file}: ${(err as Error).message}`);
    } finally {
      // Also after a failure: the answer must not hang on a disk error (the warning says what happened).
      for (const resolve of waiters) resolve();
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
    for (const resolve of this.pendingWaiters.splice(0)) resolve();
    await this.handle?.close();
    this.handle = undefined;
  }

  /** The record as a line holds it: a running one is held live and uncut, so it is cut here. */
  private storedForm(e: Entry): InvocationRecord {
    if (FINAL.has(e.record.status)) return e.record;
    return capRecord(e.record, this.inlineLimitBytes, e.event?.capped);
  }

  /** Where a compaction writes the new file before renaming it over the old one. */
  private get tempFile(): string {
    return `${this.file}.${process.pid}.tmp`;
  }

  /** At load: rewrites the file with the live records only: temp file, fsync, rename (never a half-written history). */
  private compactSync(): void {
    const tmp = this.tempFile;
    const fd = openSync(tmp, 'w', HISTORY_FILE_MODE);
    let bytes = 0;
    try {
      let chunk: string[] = [];
      for (const e of this.entries.values()) {
        chunk.push(lineOf(this.storedForm(e)));
        e.eventWritten = true;
        if (chunk.length === COMPACT_CHUNK) {
          bytes += writeSync(fd, chunk.join(''));
          chunk = [];
        }
      }
      if (chunk.length > 0) bytes += writeSync(fd, chunk.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.fileLines = this.entries.size;
    this.fileBytes = bytes;
  }

  /**
   * While the host runs: the same rewrite without stopping the event loop for it (10,000 records
   * take a noticeable pause to serialise and fsync): a chunk of records a turn, written and synced
   * through the thread pool. Lines put meanwhile wait and are appended to the new file after the
   * rename, and the last line for an id still wins. If the rewrite fails, nothing was replaced and
   * the lines it would have covered are appended as usual.
   */
  private async compact(): Promise<void> {
    const entries = [...this.entries.values()];
    // Every live record goes into the rewritten file, including those still waiting to be appended.
    const covered = this.pending;
    this.pending = [];
    const tmp = this.tempFile;
    let bytes = 0;
    try {
      const out = await open(tmp, 'w', HISTORY_FILE_MODE);
      try {
        for (let i = 0; i < entries.length; i += COMPACT_CHUNK) {
          const data = Buffer.from(
            entries
              .slice(i, i + COMPACT_CHUNK)
              .map((e) => lineOf(this.storedForm(e)))
              .join(''),
            'utf8',
          );
          bytes += data.length;
          await writeAll(out, [data]);
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
    for (const e of entries) e.eventWritten = true;
    this.fileLines = entries.length + this.pending.length;
    this.fileBytes = bytes + partsBytes(this.pending);
  }
}
