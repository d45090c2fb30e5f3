// Durable invocation history: one JSON record per line in `<stateDir>/invocations.jsonl`, appended as
// records start and finish (the last line for an id wins; a final line without `event` keeps the one
// its first line stored, so an event is written once). Survives restarts; damaged lines (a torn last
// line from a crash, corruption) are skipped, never fatal; retention keeps the newest records within
// a count and a byte budget and compacts the file by rewriting it atomically (temp file + rename).
// Event, result, logs and HTTP bodies are capped per record (record-caps.ts), and the file is read
// line by line, so no history is ever too big to load.
// Loading is in two parts so that a long history does not hold the host's start back: the newest
// lines (a startup budget of records and bytes) are read backwards from the end at once; the older
// part loads in the background in slices that yield to the event loop, and is then merged so that
// the result is exactly what one sequential load would give. Until then, queries the newest records
// answer exactly are answered at once, and the others wait for the merge (see `page`, `lookup`, `get`).
// Appends go through one open handle and are batched: lines put within BATCH_MS of each other (or
// while a write is in flight) go out together in one write. `written()` starts the write at once and
// resolves once its batch is in the file, and the host answers a client only then: a crash loses
// nothing that was acknowledged.
import { closeSync, fsyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationRecord } from '../protocol/records';
import { capRecord, capValue, DEFAULT_INLINE_LIMIT_BYTES, markerOfBytes, type CappedValue } from './record-caps';
import { jsonOf, sealJson, sealedBytes, spliceableJson } from '../util/sealed-json';

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
/** Read size while reading the newest lines backwards. */
const TAIL_CHUNK_BYTES = 256 * 1024;
/** Largest page a client may ask for (the panel asks for pages of this size). */
const MAX_PAGE = 500;
/** Most following pages whose cursors one page answer carries (`PageQuery.lookahead`). */
export const MAX_LOOKAHEAD_PAGES = 100;
/** Newest records read before the host is ready: the panel's first page, and one more to know there is a next one. */
const STARTUP_RECORDS = MAX_PAGE + 1;
/**
 * Newest bytes read before the host is ready, whichever of the two budgets is reached first: parsing
 * costs about 8 ms per MB, so this bounds the load before ready whatever the history's size.
 */
const STARTUP_BYTES = 3 * 1024 * 1024;
/** The background load holds the event loop at most about this long at a time. */
const LOAD_SLICE_MS = 4;
const DEFAULT_PAGE = 50;
/** How long a line may wait for others to share its write. */
const BATCH_MS = 10;
/** Records serialised per turn while compacting in the background. */
const COMPACT_CHUNK = 500;

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
  /**
   * The older part of a long history starts loading when `loadInBackground()` is called (the host:
   * once its start-up is over) rather than at once; a query that needs it starts it too.
   */
  deferBackgroundLoad?: boolean;
}

export interface PageQuery {
  function?: string;
  parentId?: string;
  /** Only the records of one trace (root `1-…`). */
  traceId?: string;
  cursor?: string;
  limit?: number;
  /** Also give the cursors of up to this many following pages of the same size (see `HistoryPage.followingCursors`). */
  lookahead?: number;
}

interface Entry {
  /** Order of first appearance: newest first means highest seq first. */
  seq: number;
  /**
   * Until the older part of the file is merged: the first of the newest lines for this id has no
   * event, so earlier lines of the id are in the older part: its place (and event) are not known yet.
   */
  straddles?: boolean;
  record: InvocationRecord;
  /** Size of the record's full line (what it costs in the file after a compaction). */
  bytes: number;
  /** Whether a line with the event is in the file, so later lines for the id can leave it out. */
  eventWritten: boolean;
  /**
   * The event as stored (capped), and what `"event":…` adds to a line: later lines of the id reuse both.
   * `sealed`: the record keeps its event as these bytes (keepEventAsBytes).
   */
  event?: { capped: CappedValue; lineBytes: number; sealed?: Buffer };
}

/** Records by id in order of first appearance (Map order = seq order), with the sums retention needs. */
interface Table {
  entries: Map<string, Entry>;
  /** Sum of the records' line sizes. */
  liveBytes: number;
  nextSeq: number;
  /**
   * Where trimming got to: an iterator of `entries` kept from one trim to the next. Everything before it
   * was trimmed, and V8 keeps a deleted Map entry as a hole until the table is rebuilt, so a fresh
   * iterator would step over every record trimmed so far (10 µs a trim for a 10,000-record history).
   */
  oldest?: MapIterator<[string, Entry]>;
}

/** One line of the file read and parsed, kept as read so that the merge can apply it again. */
interface ParsedLine {
  record: InvocationRecord;
  withEvent: boolean;
  /** The line's length in bytes, without its newline. */
  bytes: number;
}

/** What one load found besides records: the file's size in lines and bytes, and the damage for the one warning. */
interface LoadTally {
  fileLines: number;
  fileBytes: number;
  invalid: number;
  oversized: number;
  tornBytes: number;
  /** A record longer than the inline limit was cut: the file must be rewritten with the cut form. */
  needsRewrite: boolean;
}

/** What the background load keeps until the merge: what the newest lines were, and what was put meanwhile. */
interface BackgroundLoad {
  /** Where the newest lines start: the older part is the file's bytes before it. */
  boundary: number;
  newest: ParsedLine[];
  /** Records put before the merge, in order, with the entry they went to (its `event` is set by `put`). */
  puts: { record: InvocationRecord; bytes: number; eventWritten: boolean; entry: Entry }[];
  tally: LoadTally;
  /** Resolves once merged (or once the store is closed). */
  done: Promise<void>;
  settle: () => void;
  /** Bumped to abandon a background load (a synchronous load took over, or the store closed). */
  generation: number;
  started: boolean;
}

/** The capped form of an event kept whole: capRecord leaves such an event as the record has it. */
const WHOLE: CappedValue = { value: undefined };

/** Whether `record` carries the event this entry already stored (by its sealed bytes when kept as bytes). */
function sameEvent(known: Entry, record: InvocationRecord): boolean {
  return known.event?.sealed !== undefined ? sealedBytes(record.event) === known.event.sealed : known.record.event === record.event;
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
  const asBytes = eventsAsBytes.get(record);
  const sealed = withEvent ? (asBytes?.sealed ?? sealedBytes(record.event)) : undefined;
  if (withEvent && sealed === undefined) return [JSON.stringify(record) + '\n'];
  const rest = asBytes?.rest ?? withoutEvent(record);
  const head = JSON.stringify(rest);
  return sealed === undefined ? [head + '\n'] : [`${head.slice(0, -1)},"event":`, sealed, '}\n'];
}

function withoutEvent(record: InvocationRecord): Omit<InvocationRecord, 'event'> {
  const { event: _event, ...rest } = record;
  return rest;
}

/** The records kept with their event as sealed bytes (see `keepEventAsBytes`), with their other fields. */
const eventsAsBytes = new WeakMap<InvocationRecord, { rest: Omit<InvocationRecord, 'event'>; sealed: Buffer }>();

/**
 * A finished record as the history keeps it when its event is sealed (a stream batch's): the event as
 * its JSON bytes only, parsed again when read. The objects of a 100-record event outlive the
 * invocation as long as the record stays in the history (thousands of batches); held by the history,
 * they were promoted into V8's old space batch after batch, each new page of it a page fault, and
 * collected by full GCs, about a tenth of a batch's host CPU. The bytes are what the file holds anyway.
 */
function keepEventAsBytes(record: InvocationRecord, sealed: Buffer): InvocationRecord {
  const rest = withoutEvent(record);
  const kept = { ...rest } as InvocationRecord;
  // Readers close together get one object (a reader may compare it), without the history holding it.
  let parsed: WeakRef<object> | undefined;
  Object.defineProperty(kept, 'event', {
    enumerable: true,
    configurable: true,
    get(): unknown {
      let event = parsed?.deref();
      if (!event) {
        event = sealJson(JSON.parse(sealed.toString('utf8')) as object, sealed);
        parsed = new WeakRef(event);
      }
      return event;
    },
    set(value: unknown) {
      Object.defineProperty(kept, 'event', { value, enumerable: true, writable: true, configurable: true });
      eventsAsBytes.delete(kept);
    },
  });
  // Serialised for a client (stringifySealed), the bytes are copied in: the event is not parsed to be serialised again.
  Object.defineProperty(kept, 'toJSON', { enumerable: false, value: () => ({ ...rest, event: spliceableJson(sealed, () => kept.event) }) });
  eventsAsBytes.set(kept, { rest, sealed });
  return kept;
}

/** An unsealed event's brief form, measured once per event object (a record is announced several times). */
const briefEvents = new WeakMap<object, CappedValue>();

/**
 * The record as a brief one (protocol BRIEF_RECORDS_QUERY): an event over `limitBytes` of JSON replaced
 * by its preview, with its size in `omitted.event`; the record itself when its event fits. A record
 * kept with its event as bytes is measured by them, without parsing the event.
 */
export function briefRecord(record: InvocationRecord, limitBytes: number): InvocationRecord {
  const asBytes = eventsAsBytes.get(record);
  if (asBytes) {
    if (asBytes.sealed.length <= limitBytes) return record;
    return { ...asBytes.rest, event: markerOfBytes(asBytes.sealed), omitted: { event: asBytes.sealed.length } } as InvocationRecord;
  }
  const event = record.event;
  let capped = typeof event === 'object' && event !== null ? briefEvents.get(event) : undefined;
  if (!capped) {
    capped = capValue(event, limitBytes);
    if (typeof event === 'object' && event !== null) briefEvents.set(event, capped);
  }
  return capped.bytes === undefined ? record : { ...record, event: capped.value, omitted: { event: capped.bytes } };
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

export interface HistoryPage {
  records: InvocationRecord[];
  nextCursor?: string;
  /** The cursors of the following pages that hold records, in order (the first is `nextCursor`); only when asked for and the whole history is loaded. */
  followingCursors?: string[];
}

function emptyTally(): LoadTally {
  return { fileLines: 0, fileBytes: 0, invalid: 0, oversized: 0, tornBytes: 0, needsRewrite: false };
}

/** Parses one line of the file; undefined for a line that is not a record (counted as damaged). */
function parseLine(line: Buffer, tally: LoadTally): ParsedLine | undefined {
  if (line.length === 0 || (line.length === 1 && line[0] === 13)) return undefined;
  tally.fileLines++;
  tally.fileBytes += line.length + 1;
  let record: InvocationRecord;
  try {
    record = JSON.parse(line.toString('utf8')) as InvocationRecord;
  } catch {
    tally.invalid++;
    return undefined;
  }
  if (!record || typeof record !== 'object' || typeof record.id !== 'string') {
    tally.invalid++;
    return undefined;
  }
  return { record, withEvent: Object.prototype.hasOwnProperty.call(record, 'event'), bytes: line.length };
}

/**
 * Splits a stretch of the file into lines as chunks of it arrive, in order; a line longer than
 * MAX_LINE_BYTES is skipped (counted as damaged) without being held. The stretch must end at a line end.
 */
class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;

  constructor(private readonly tally: LoadTally) {}

  /** The whole lines `chunk[0, n)` completes (they may point into `chunk`: use them before it is reused). */
  feed(chunk: Buffer, n: number): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0 || nl >= n) break;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.partBytes + (nl - start) > MAX_LINE_BYTES) {
        this.tally.oversized++;
        this.tally.fileLines++;
        this.tally.fileBytes += this.partBytes + (nl - start) + 1;
      } else {
        this.parts.push(chunk.subarray(start, nl));
        lines.push(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts));
      }
      this.parts = [];
      this.partBytes = 0;
      start = nl + 1;
    }
    if (start < n && !this.skipping) {
      if (this.partBytes + (n - start) > MAX_LINE_BYTES) {
        // Too long to be one of ours: skip to its end without holding it.
        this.tally.oversized++;
        this.tally.fileLines++;
        this.tally.fileBytes += this.partBytes + (n - start);
        this.parts = [];
        this.partBytes = 0;
        this.skipping = true;
      } else {
        // The chunk buffer is reused: keep a copy of the partial line.
        this.parts.push(Buffer.from(chunk.subarray(start, n)));
        this.partBytes += n - start;
      }
    }
    return lines;
  }
}

function emptyTable(): Table {
  return { entries: new Map(), liveBytes: 0, nextSeq: 0 };
}

/**
 * Keeps the record (in its place when the id is known) and the size of its full line; returns the
 * entry. A new entry gets `seqHint` when that keeps seqs rising (the seq it had before a merge).
 */
function rememberIn(table: Table, record: InvocationRecord, bytes: number, eventWritten: boolean, seqHint?: number): Entry {
  const existing = table.entries.get(record.id);
  if (existing) {
    table.liveBytes += bytes - existing.bytes;
    existing.record = record;
    existing.bytes = bytes;
    existing.eventWritten ||= eventWritten;
    return existing;
  }
  const seq = Math.max(table.nextSeq, seqHint ?? 0);
  table.nextSeq = seq + 1;
  const entry: Entry = { seq, record, bytes, eventWritten };
  table.entries.set(record.id, entry);
  table.liveBytes += bytes;
  return entry;
}

/** Drops the oldest records beyond the count and byte limits (Map iteration order is insertion order = seq order). */
function trimIn(table: Table, maxRecords: number, maxBytes: number): void {
  while (table.entries.size > maxRecords || (table.liveBytes > maxBytes && table.entries.size > 1)) {
    let next = table.oldest?.next();
    // A finished iterator stays finished, even when entries are added after it: start again from the front.
    if (!next || next.done) next = (table.oldest = table.entries.entries()).next();
    const [oldest, entry] = next.value as [string, Entry];
    table.entries.delete(oldest);
    table.liveBytes -= entry.bytes;
  }
}

/** Records still `running`/`queued` in the file ended when the host that wrote them went away. */
function markInterrupted(table: Table): void {
  for (const e of table.entries.values()) {
    if (!FINAL.has(e.record.status)) {
      e.record = { ...e.record, status: 'interrupted', timestamps: { ...e.record.timestamps } };
    }
  }
}

/** Whether a page query's filters keep this record. */
function matches(e: Entry, query: PageQuery): boolean {
  if (query.function !== undefined && e.record.functionName !== query.function) return false;
  if (query.parentId !== undefined && e.record.parentId !== query.parentId) return false;
  return query.traceId === undefined || e.record.traceId === query.traceId;
}

/** A page's cursor: the position of the last record it returned, opaque to clients. */
function cursorOf(e: Entry): string {
  return Buffer.from(String(e.seq), 'utf8').toString('base64url');
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class InvocationStore {
  readonly file: string;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly inlineLimitBytes: number;
  /** The records the store answers from: until the merge, the newest ones only (see `loading`). */
  private table: Table = { entries: new Map(), liveBytes: 0, nextSeq: 0 };
  /** Set while the older part of the file loads in the background; undefined once everything is in `table`. */
  private loading: BackgroundLoad | undefined;
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
  /** The older records could not be loaded: a rewrite would lose them, so the file is only appended to. */
  private compactBlocked = false;

  constructor(private readonly options: InvocationStoreOptions) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.file = join(options.stateDir, INVOCATIONS_FILE);
    this.maxRecords = Math.max(1, options.maxRecords ?? DEFAULT_MAX_RECORDS);
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_HISTORY_MB * 1024 * 1024);
    this.inlineLimitBytes = Math.max(1024, options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES);
    this.load();
  }

  private get entries(): Map<string, Entry> {
    return this.table.entries;
  }

  /** Sum of the live records' line sizes. */
  private get liveBytes(): number {
    return this.table.liveBytes;
  }

  /**
   * Reads the newest lines (backwards from the end, within the startup budget) into the table at once;
   * when the file holds more, the older part loads in the background (`loadOlder`) and is merged.
   * Damaged lines are skipped and reported in one warning. Records still `running`/`queued` from a
   * previous host run ended when that host went away.
   */
  private load(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const tally = emptyTally();
    let newest: { lines: ParsedLine[]; boundary: number };
    try {
      newest = this.readNewest(fd, tally);
    } finally {
      closeSync(fd);
    }
    if (newest.boundary === 0) {
      // The whole file fit the budget: loaded, as one sequential load, now.
      const table = this.replay(newest.lines, tally, emptyTable());
      this.finishLoad(table, tally, 'sync');
      return;
    }
    // Seqs of the newest records start past any seq the older part can use (it has fewer lines than
    // bytes), so the cursors handed out before the merge stay valid after it.
    this.table = { entries: new Map(), liveBytes: 0, nextSeq: newest.boundary + 1 };
    for (const line of newest.lines) this.apply(this.table, line, tally, true);
    markInterrupted(this.table);
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.loading = { boundary: newest.boundary, newest: newest.lines, puts: [], tally, done, settle, generation: 0, started: false };
    if (!this.options.deferBackgroundLoad) this.loadInBackground();
  }

  /** Starts loading the older part of the history in the background (once; nothing to do when it is loaded). */
  loadInBackground(): void {
    if (!this.loading || this.loading.started) return;
    this.loading.started = true;
    void this.loadOlder(this.loading);
  }

  /**
   * The newest whole lines, parsed, in file order, read backwards in chunks until STARTUP_RECORDS
   * records or STARTUP_BYTES bytes, and where they start (0: the whole file). A torn last line (a
   * crash mid-append) is cut off the file so that the next append starts clean.
   */
  private readNewest(fd: number, tally: LoadTally): { lines: ParsedLine[]; boundary: number } {
    const size = fstatSync(fd).size;
    const newestFirst: ParsedLine[] = [];
    const ids = new Set<string>();
    let taken = 0;
    /** The end of the line being gathered, as pieces in file order (its start is in a chunk not read yet). */
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    /** Offset just past the last newline: where a torn tail starts (-1 until found). */
    let wholeUpTo = -1;
    let boundary = size;
    let position = size;
    let full = false;
    const take = (line: Buffer) => {
      const parsed = parseLine(line, tally);
      if (!parsed) return;
      newestFirst.push(parsed);
      ids.add(parsed.record.id);
      taken += line.length + 1;
      full = ids.size >= STARTUP_RECORDS || taken >= STARTUP_BYTES;
    };
    while (position > 0 && !full) {
      const length = Math.min(TAIL_CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const n = readSync(fd, chunk, read, length - read, position + read);
        if (n <= 0) throw new Error(`${this.file} shrank while loading`);
        read += n;
      }
      let end = length;
      while (end > 0 && !full) {
        const nl = chunk.lastIndexOf(10, end - 1);
        if (nl < 0) break;
        if (wholeUpTo < 0) wholeUpTo = position + nl + 1;
        else take(pieces.length === 0 ? chunk.subarray(nl + 1, end) : Buffer.concat([chunk.subarray(nl + 1, end), ...pieces]));
        pieces = [];
        pieceBytes = 0;
        end = nl;
        boundary = position + nl + 1;
      }
      if (full) break;
      // A torn tail is never held; a line longer than the whole budget is left to the background load.
      if (end > 0 && wholeUpTo >= 0) {
        pieces.unshift(chunk.subarray(0, end));
        pieceBytes += end;
        if (pieceBytes + taken > STARTUP_BYTES) break;
      }
      if (position === 0) {
        if (wholeUpTo < 0) wholeUpTo = 0;
        else if (pieces.length > 0) take(Buffer.concat(pieces));
        boundary = 0;
      }
    }
    if (wholeUpTo < 0) wholeUpTo = 0;
    if (boundary > wholeUpTo) boundary = wholeUpTo;
    if (wholeUpTo < size) {
      tally.tornBytes = size - wholeUpTo;
      ftruncateSync(fd, wholeUpTo);
    }
    return { lines: newestFirst.reverse(), boundary };
  }

  /**
   * Applies one parsed line to `table` as a sequential load does: the last line for an id wins, and a
   * line without `event` keeps the one its id's earlier line stored. `newest`: the line is one of the
   * newest read before the merge, so an id whose first line here has no event straddles the boundary.
   */
  private apply(table: Table, line: ParsedLine, tally: LoadTally, newest: boolean, seqOf?: (id: string) => number | undefined): void {
    const record = { ...line.record };
    const existing = table.entries.get(record.id);
    if (!line.withEvent) record.event = existing ? existing.record.event : null;
    let entry: Entry;
    // A line within the inline limit has no part beyond it (nothing to cut), and its size is the
    // line's own (plus its event's, kept from an earlier line): no record is serialised again
    // to load it, which was most of a large history's load time.
    if (line.bytes <= this.inlineLimitBytes) {
      const eventBytes = line.withEvent ? 0 : 9 + Buffer.byteLength(JSON.stringify(record.event) ?? 'null', 'utf8');
      entry = rememberIn(table, record, line.bytes + 1 + eventBytes, true, seqOf?.(record.id));
    } else {
      const capped = capRecord(record, this.inlineLimitBytes);
      if (capped !== record) tally.needsRewrite = true;
      entry = rememberIn(table, capped, Buffer.byteLength(lineOf(capped), 'utf8'), true, seqOf?.(record.id));
    }
    if (newest) {
      if (!existing && !line.withEvent) entry.straddles = true;
    } else {
      trimIn(table, this.maxRecords, this.maxBytes);
    }
  }

  /** Applies the lines in order to `table` (a sequential load) and marks what a previous host left running. */
  private replay(lines: readonly ParsedLine[], tally: LoadTally, table: Table, seqOf?: (id: string) => number | undefined): Table {
    for (const line of lines) this.apply(table, line, tally, false, seqOf);
    markInterrupted(table);
    return table;
  }

  /**
   * The older part of the file, loaded in the background: read in chunks, parsed in slices of about
   * LOAD_SLICE_MS between which the event loop runs, then merged. Abandoned when the store closes or
   * a synchronous load (`get` of a record not loaded yet) takes over.
   */
  private async loadOlder(pending: BackgroundLoad): Promise<void> {
    const generation = pending.generation;
    const tally = emptyTally();
    const table = emptyTable();
    const splitter = new LineSplitter(tally);
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.file, 'r');
      let sliceStart = performance.now();
      for (let position = 0; position < pending.boundary;) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(READ_CHUNK_BYTES, pending.boundary - position), position);
        if (pending.generation !== generation) return;
        if (bytesRead <= 0) throw new Error('the file shrank while loading');
        for (const _ of this.applyLines(splitter.feed(chunk, bytesRead), table, tally)) {
          if (performance.now() - sliceStart >= LOAD_SLICE_MS) {
            await yieldTurn();
            if (pending.generation !== generation) return;
            sliceStart = performance.now();
          }
        }
        position += bytesRead;
      }
    } catch (err) {
      if (pending.generation === generation) this.loadFailed(pending, err);
      return;
    } finally {
      await handle?.close().catch(() => undefined);
    }
    if (pending.generation !== generation) return;
    this.merge(pending, table, tally);
  }

  /** Parses and applies the older part's `lines` to `table`, yielding after each: the background load pauses between them. */
  private *applyLines(lines: Iterable<Buffer>, table: Table, tally: LoadTally): Generator<void> {
    for (const line of lines) {
      const parsed = parseLine(line, tally);
      if (parsed) this.apply(table, parsed, tally, false);
      yield;
    }
  }

  /** Loads the older part at once: for a synchronous `get` of a record not loaded yet (as costly as a load before the merge was). */
  private loadOlderSync(pending: BackgroundLoad): void {
    pending.generation++;
    const tally = emptyTally();
    const table = emptyTable();
    const splitter = new LineSplitter(tally);
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    try {
      const fd = openSync(this.file, 'r');
      try {
        for (let position = 0; position < pending.boundary;) {
          const n = readSync(fd, chunk, 0, Math.min(READ_CHUNK_BYTES, pending.boundary - position), position);
          if (n <= 0) throw new Error('the file shrank while loading');
          for (const _ of this.applyLines(splitter.feed(chunk, n), table, tally)); // every line, without pausing
          position += n;
        }
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.loadFailed(pending, err);
      return;
    }
    this.merge(pending, table, tally);
  }

  /** Never fatal: the host keeps the newest records, and never rewrites the file (that would lose the rest). */
  private loadFailed(pending: BackgroundLoad, err: unknown): void {
    this.options.onWarning?.(`${this.file}: cannot load the older records: ${(err as Error).message}; the newest ones are kept`);
    this.compactBlocked = true;
    this.loading = undefined;
    pending.settle();
  }

  /**
   * The older part's records (`older`, loaded as a sequential load would) and then the newest lines
   * and the records put meanwhile, applied again on top in order: the result is the one sequential
   * load followed by those puts. Records keep the seqs they were given before the merge, so cursors stay valid.
   */
  private merge(pending: BackgroundLoad, older: Table, olderTally: LoadTally): void {
    const before = this.table.entries;
    const seqOf = (id: string) => before.get(id)?.seq;
    const tally = pending.tally;
    tally.fileLines += olderTally.fileLines;
    tally.fileBytes += olderTally.fileBytes;
    tally.invalid += olderTally.invalid;
    tally.oversized += olderTally.oversized;
    tally.needsRewrite ||= olderTally.needsRewrite;
    markInterrupted(older);
    const table = this.replay(pending.newest, tally, older, seqOf);
    const putLines = this.fileLines;
    const putBytes = this.fileBytes;
    for (const put of pending.puts) {
      const entry = rememberIn(table, put.record, put.bytes, put.eventWritten, seqOf(put.record.id));
      if (put.entry.event) entry.event = put.entry.event;
      trimIn(table, this.maxRecords, this.maxBytes);
    }
    this.loading = undefined;
    this.finishLoad(table, tally, 'background');
    // Lines put before the merge are in the file too (or on their way).
    this.fileLines += putLines;
    this.fileBytes += putBytes;
    pending.settle();
  }

  /** Takes the loaded table, warns once about damage, and rewrites the file when it holds lines no record needs. */
  private finishLoad(table: Table, tally: LoadTally, mode: 'sync' | 'background'): void {
    this.table = table;
    this.fileLines = tally.fileLines;
    this.fileBytes = tally.fileBytes;
    const damaged = tally.invalid + tally.oversized + (tally.tornBytes > 0 ? 1 : 0);
    if (damaged > 0) {
      const why = [
        tally.invalid ? `${tally.invalid} not valid JSON` : '',
        tally.oversized ? `${tally.oversized} longer than ${MAX_LINE_BYTES / 1024 / 1024} MB` : '',
        tally.tornBytes ? `a torn last line (${tally.tornBytes} bytes)` : '',
      ].filter(Boolean);
      this.options.onWarning?.(`${this.file}: skipped ${damaged} damaged line${damaged === 1 ? '' : 's'}: ${why.join(', ')}`);
    }
    const rewrite = tally.needsRewrite || tally.invalid > 0 || tally.oversized > 0 || tally.fileLines > table.entries.size;
    if (!rewrite) return;
    // A small history is rewritten before the host is ready, as it always was; a long one through
    // the writer, like any compaction while the host runs (never stopping the event loop for it).
    if (mode === 'sync') this.compactSync();
    else this.compactNow();
  }

  /** Starts a compaction through the writer (after the write in flight, if any), so it never races an append. */
  private compactNow(): void {
    if (this.closed) return;
    if (this.writing) {
      const next = () => this.compactNow();
      void this.writing.then(next, next);
      return;
    }
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const waiters = this.pendingWaiters;
    this.pendingWaiters = [];
    this.compactWanted = false;
    this.writing = this.compact()
      .catch((err: unknown) => this.options.onWarning?.(`cannot compact ${this.file}: ${(err as Error).message}`))
      .finally(() => {
        // The lines those waited for were covered by the rewrite (or are back in `pending` after a failure).
        for (const resolve of waiters) resolve();
        this.writing = undefined;
        if (this.pending.length > 0 && !this.batchTimer) this.batchTimer = setTimeout(() => this.startWriting(), BATCH_MS);
      });
  }

  /** Resolves once the whole history is loaded (at once for a history within the startup budget); starts the load if it waits. */
  loaded(): Promise<void> {
    this.loadInBackground();
    return this.loading?.done ?? Promise.resolve();
  }

  /** Keeps the record (in its place when the id is known) and the size of its full line; returns the entry. */
  private remember(record: InvocationRecord, bytes: number, eventWritten: boolean): Entry {
    const entry = rememberIn(this.table, record, bytes, eventWritten);
    // Applied again on top of the older records when they are merged.
    this.loading?.puts.push({ record, bytes, eventWritten, entry });
    return entry;
  }

  /** Drops the oldest records beyond the count and byte limits; not before the merge (the oldest are not loaded yet). */
  private trim(): void {
    if (!this.loading) trimIn(this.table, this.maxRecords, this.maxBytes);
  }

  /**
   * Adds or replaces a record and appends it to the file (in the next batch: `written()` says when it
   * is there). Returns the record as the store keeps it: cut to the inline limit, what clients should be sent.
   */
  put(record: InvocationRecord): InvocationRecord {
    if (this.closed) return record;
    const known = this.entries.get(record.id);
    // The event is measured and cut once per record; later lines of the id leave it out.
    const event = known?.event && sameEvent(known, record) ? known.event : undefined;
    const capped = event?.capped ?? capValue(record.event, this.inlineLimitBytes);
    const stored = capRecord(record, this.inlineLimitBytes, capped);
    const withEvent = !(event && known?.eventWritten);
    const parts = lineParts(stored, withEvent);
    const lineBytes = partsBytes(parts);
    const eventLineBytes = event?.lineBytes ?? 9 + (sealedBytes(capped.value)?.length ?? Buffer.byteLength(jsonOf(capped.value) ?? 'null', 'utf8')); // `"event":…,`
    // While it runs the store holds the live record, so a reader sees its logs so far.
    const final = FINAL.has(record.status);
    const sealed = final && capped.bytes === undefined ? (event?.sealed ?? sealedBytes(capped.value)) : undefined;
    const kept = sealed !== undefined ? keepEventAsBytes(stored, sealed) : final ? stored : record;
    const entry = this.remember(kept, withEvent ? lineBytes : lineBytes + eventLineBytes, true);
    // A whole event is not cut: its kept form holds nothing, and a later line of the id is known by the sealed bytes.
    entry.event = sealed !== undefined ? { capped: WHOLE, lineBytes: eventLineBytes, sealed } : { capped, lineBytes: eventLineBytes };
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

  /**
   * The record with this id. Before the merge, a record not among the newest (or whose earlier lines
   * are in the older part) is found by loading the older part at once, as the whole load used to be:
   * for the host's own synchronous bookkeeping; clients are answered through `lookup`, which waits.
   */
  get(id: string): InvocationRecord | undefined {
    const entry = this.entries.get(id);
    if (this.loading && (!entry || entry.straddles)) {
      this.loadOlderSync(this.loading);
      return this.entries.get(id)?.record;
    }
    return entry?.record;
  }

  /** The record with this id, waiting for the older part of the history when it may be there. */
  async lookup(id: string): Promise<InvocationRecord | undefined> {
    const entry = this.entries.get(id);
    if (this.loading && (!entry || entry.straddles)) await this.loaded();
    return this.entries.get(id)?.record;
  }

  /** Records kept (before the merge: of those loaded so far). */
  size(): number {
    return this.entries.size;
  }

  /** Bytes of the records kept (as their JSON lines; before the merge: of those loaded so far). */
  bytes(): number {
    return this.liveBytes;
  }

  /**
   * Newest first; the cursor is opaque to clients (the position of the last record returned). Before
   * the merge a page the newest records settle is answered at once; one that reaches past them waits.
   */
  async page(query: PageQuery = {}): Promise<HistoryPage> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_PAGE)), MAX_PAGE);
    let before = Number.POSITIVE_INFINITY;
    if (query.cursor !== undefined) {
      const text = /^[A-Za-z0-9_-]+$/.test(query.cursor) ? Buffer.from(query.cursor, 'base64url').toString('utf8') : '';
      const decoded = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(decoded)) throw new InvalidCursorError(`invalid cursor '${query.cursor}'`);
      before = decoded;
    }
    if (this.loading) {
      const early = this.collect(query, limit, before, true);
      if (early) return early;
      await this.loaded();
    }
    return this.collect(query, limit, before, false)!;
  }

  /**
   * The page from the records in memory. `newestOnly` (before the merge): from the records known to be
   * newer than all of the older part, in the same order the merge gives them; undefined when those do
   * not settle the page (it reaches past them).
   */
  private collect(query: PageQuery, limit: number, before: number, newestOnly: boolean): HistoryPage | undefined {
    const all = [...this.entries.values()];
    const out: Entry[] = [];
    let more = false;
    let settled = !newestOnly;
    let kept = 0;
    let keptBytes = 0;
    // Before the merge the older records' places are not known yet, so neither are the following pages.
    const lookahead = newestOnly ? 0 : Math.min(Math.max(0, Math.floor(query.lookahead ?? 0)), MAX_LOOKAHEAD_PAGES);
    let i = all.length - 1;
    for (; i >= 0; i--) {
      const e = all[i]!;
      if (newestOnly) {
        // Older than every record first seen among the newest lines: its place is known after the merge.
        if (e.straddles) continue;
        // Retention keeps the newest records within both budgets: what is past them the merge drops.
        kept++;
        keptBytes += e.bytes;
        if (kept > this.maxRecords || (keptBytes > this.maxBytes && kept > 1)) {
          settled = true;
          break;
        }
      }
      if (e.seq >= before) continue;
      if (!matches(e, query)) continue;
      if (out.length === limit) {
        more = true;
        settled = true;
        break;
      }
      out.push(e);
    }
    if (!settled) return undefined;
    const last = out[out.length - 1];
    const following: string[] = [];
    if (more && last && lookahead > 0) {
      following.push(cursorOf(last));
      // `i` is at the next page's first record: a page's cursor is its predecessor's last record, and counts only if a record follows it.
      let inPage = 0;
      let end: Entry | undefined;
      for (; i >= 0 && following.length < lookahead; i--) {
        const e = all[i]!;
        if (!matches(e, query)) continue;
        if (end) {
          following.push(cursorOf(end));
          end = undefined;
        }
        if (++inPage === limit) {
          inPage = 0;
          end = e;
        }
      }
    }
    return {
      records: out.map((e) => e.record),
      ...(more && last ? { nextCursor: cursorOf(last) } : {}),
      ...(following.length > 0 ? { followingCursors: following } : {}),
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
    if (this.loading) {
      // Abandoned: the file keeps the older records (nothing rewrites it before the merge); waiting queries get what is loaded.
      const loading = this.loading;
      this.loading = undefined;
      loading.generation++;
      this.compactBlocked = true;
      loading.settle();
    }
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
    if (this.loading || this.compactBlocked) {
      // The older records are not in memory: a rewrite now would drop them. This batch is appended
      // instead; the merge compacts.
      const batch = toBuffers(this.pending);
      this.pending = [];
      this.handle ??= await open(this.file, 'a', HISTORY_FILE_MODE);
      await writeAll(this.handle, batch);
      return;
    }
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
