// HTTP/1.1 over one keep-alive socket, for the Runtime API and nothing else. Node's `http` client is
// a large amount of JavaScript per request (agent, ClientRequest, IncomingMessage, streams), and a
// runtime process that serves 1/50th of a busy function's invocations never runs it often enough for
// V8 to optimize it: it cost ~1 ms of CPU per invocation at 50 concurrent environments. What the
// Runtime API needs is small: one request at a time, Content-Length bodies (chunked is understood too).
import { connect, type Socket } from 'node:net';

export interface HttpResponse {
  statusCode: number;
  /** Lowercase names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

type Mode = 'head' | 'length' | 'chunkSize' | 'chunkData' | 'chunkEnd' | 'trailers' | 'untilClose';

const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);

/** Splits a byte stream into HTTP/1.1 responses (the answers to requests sent in order, none of them HEAD). */
export class ResponseParser {
  private pending: Buffer = EMPTY;
  private mode: Mode = 'head';
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private body: Buffer[] = [];
  private remaining = 0;

  constructor(private readonly onResponse: (response: HttpResponse) => void) {}

  /** Throws on bytes that are not HTTP (the connection is then unusable). */
  feed(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.step()) {
      // each step consumes from `pending` and says whether it can go on
    }
  }

  /** The connection closed: completes a body that runs until close; throws if a response was cut short. */
  end(): void {
    if (this.mode === 'untilClose') {
      this.body.push(this.pending);
      this.pending = EMPTY;
      this.complete();
    } else if (this.mode !== 'head' || this.pending.length > 0) {
      throw new Error('the connection closed in the middle of a response');
    }
  }

  private step(): boolean {
    switch (this.mode) {
      case 'head':
        return this.readHead();
      case 'length':
        if (this.pending.length === 0) return false;
        if (this.takeBody()) this.complete();
        return this.pending.length > 0;
      case 'chunkSize': {
        const line = this.takeLine();
        if (line === undefined) return false;
        const size = parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`bad chunk size '${line}'`);
        if (size === 0) this.mode = 'trailers';
        else {
          this.remaining = size;
          this.mode = 'chunkData';
        }
        return true;
      }
      case 'chunkData':
        if (this.pending.length === 0) return false;
        if (this.takeBody()) this.mode = 'chunkEnd';
        return this.pending.length > 0;
      case 'chunkEnd': {
        const line = this.takeLine();
        if (line === undefined) return false;
        if (line !== '') throw new Error('missing CRLF after a chunk');
        this.mode = 'chunkSize';
        return true;
      }
      case 'trailers': {
        const line = this.takeLine();
        if (line === undefined) return false;
        if (line === '') this.complete();
        return true;
      }
      case 'untilClose':
        this.body.push(this.pending);
        this.pending = EMPTY;
        return false;
    }
  }

  private readHead(): boolean {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.pending.length > 256 * 1024) throw new Error('response head too large');
      return false;
    }
    // One scan of the head, no split or regex per line: this runs for every response a runtime reads.
    const head = this.pending.toString('latin1', 0, end);
    this.pending = this.pending.subarray(end + 4);
    this.statusCode = head.startsWith('HTTP/1.') && head.charCodeAt(8) === 0x20 ? Number(head.slice(9, 12)) : NaN;
    if (!(this.statusCode >= 100 && this.statusCode <= 999)) throw new Error(`not an HTTP response: '${head.split('\r\n', 1)[0]!.slice(0, 80)}'`);
    const headers: Record<string, string> = {};
    let at = head.indexOf('\r\n');
    while (at >= 0) {
      const start = at + 2;
      at = head.indexOf('\r\n', start);
      const colon = head.indexOf(':', start);
      if (colon < 0 || (at >= 0 && colon > at)) continue;
      const name = head.slice(start, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, at < 0 ? head.length : at).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    }
    this.headers = headers;
    this.body = [];
    if (this.statusCode < 200) return true; // an interim response: the real one follows
    if (this.statusCode === 204 || this.statusCode === 304) this.complete();
    else if (headers['transfer-encoding'] !== undefined && /\bchunked\b/i.test(headers['transfer-encoding'])) this.mode = 'chunkSize';
    else if (headers['content-length'] !== undefined) {
      this.remaining = Number(headers['content-length']);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) throw new Error(`bad content-length '${headers['content-length']}'`);
      if (this.remaining === 0) this.complete();
      else this.mode = 'length';
    } else this.mode = 'untilClose';
    return this.pending.length > 0;
  }

  /** Moves up to `remaining` body bytes from `pending` into the body; true once none remain. */
  private takeBody(): boolean {
    const take = Math.min(this.remaining, this.pending.length);
    this.body.push(this.pending.subarray(0, take));
    this.pending = this.pending.subarray(take);
    this.remaining -= take;
    return this.remaining === 0;
  }

  private takeLine(): string | undefined {
    const i = this.pending.indexOf(CRLF);
    if (i < 0) return undefined;
    const line = this.pending.toString('latin1', 0, i);
    this.pending = this.pending.subarray(i + 2);
    return line;
  }

  private complete(): void {
    const body = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body);
    const response: HttpResponse = { statusCode: this.statusCode, headers: this.headers, body };
    this.mode = 'head';
    this.body = [];
    this.headers = {};
    this.onResponse(response);
  }
}

/** Every read lands here first (one connection per runtime process). */
const readBuffer = Buffer.alloc(64 * 1024);

type Waiter = (error: Error | undefined, response?: HttpResponse) => void;

/** Header values a runtime sends come partly from user code (an error's name): keep them to one printable line. */
export function headerValue(value: string): string {
  return value.replace(/[^\t\x20-\x7e]/g, '');
}

/**
 * One keep-alive connection to `host:port`, opened on first use and again after the server closed it.
 * The socket holds the event loop open only while a request waits for its answer: an idle one must
 * not (callbackWaitsForEmptyEventLoop waits for the loop to drain).
 */
export class HttpConnection {
  private socket: Socket | undefined;
  private readonly waiting: Waiter[] = [];
  /** Requests written this tick, sent together on the next. */
  private outgoing: string | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends one request; `headers` are `Name: value` lines without the trailing CRLF. */
  request(method: 'GET' | 'POST', path: string, headers: string[], body: string | undefined, done: Waiter): void {
    const socket = this.socket ?? this.open();
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const h of headers) head += `${h}\r\n`;
    if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    this.waiting.push(done);
    socket.ref();
    // Requests made in one tick (a post and the pipelined GET /next) leave in one write.
    if (this.outgoing === undefined) {
      this.outgoing = '';
      process.nextTick(() => {
        const text = this.outgoing!;
        this.outgoing = undefined;
        socket.write(text);
      });
    }
    this.outgoing += body === undefined ? `${head}\r\n` : `${head}\r\n${body}`;
  }

  private open(): Socket {
    const parser = new ResponseParser((response) => {
      const done = this.waiting.shift();
      if (this.waiting.length === 0) socket.unref();
      done?.(undefined, response);
    });
    // `onread` hands each read to the callback without the Readable stream machinery in between.
    const socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          try {
            // The buffer is reused for the next read: the parser keeps a copy.
            parser.feed(Buffer.from(buffer.subarray(0, bytes)));
          } catch (err) {
            socket.destroy(err as Error);
          }
          return true;
        },
      },
    });
    socket.on('end', () => {
      try {
        parser.end();
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', (hadError) => {
      if (this.socket === socket) this.socket = undefined;
      const failed = this.waiting.splice(0);
      const error = new Error(`the Runtime API connection to ${this.host}:${this.port} closed${hadError ? ' with an error' : ''}`);
      for (const done of failed) done(error);
    });
    this.socket = socket;
    return socket;
  }
}
