// The Lambda Runtime API (lambda-behaviour §7) for one execution environment, on its own 127.0.0.1 port:
// the official client parses AWS_LAMBDA_RUNTIME_API as `host:port` and builds
// `http://host:port/2018-06-01/...` itself, so a per-environment port is the one routing that
// every runtime understands. GET /next long-polls until the host hands over an invocation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostAllowed } from '../server/local-request';
import { RESPONSE_LIMIT_BYTES } from '../protocol/limits';

export interface InvocationWork {
  requestId: string;
  /** The event, already serialised (the host checks its size before). */
  body: string | Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
}

/** A body the runtime posted; `bytes` counts all of it even when only the first RESPONSE_LIMIT_BYTES were kept. */
export interface PostedBody {
  text: string;
  bytes: number;
  tooLarge: boolean;
  /** `Lambda-Runtime-Function-Error-Type` header, for error posts. */
  errorTypeHeader?: string;
  /** What our bootstrap found still pending when it posted (timers, sockets): it will be frozen. Empty: nothing; absent: not reported. */
  background?: string[];
}

/** Our bootstraps' header listing the function's pending work at the moment it answered (comma-separated kinds). */
export const BACKGROUND_HEADER = 'lambda-workbench-background';

export interface RuntimeApiListener {
  /** Every GET /next (the first one ends the init phase). */
  next(): void;
  response(requestId: string, body: PostedBody): void;
  error(requestId: string, body: PostedBody): void;
  initError(body: PostedBody): void;
}

const PREFIX = '/2018-06-01/runtime/';

export class RuntimeApiServer {
  private pendingNext: ServerResponse | undefined;
  private queued: InvocationWork | undefined;
  /** The invocation handed out and not yet answered: only its id may post a response or error. */
  private current: string | undefined;
  private closed = false;
  private port: number | undefined;

  private constructor(
    private readonly server: Server,
    private readonly listener: RuntimeApiListener,
  ) {}

  static async start(listener: RuntimeApiListener): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => api!.route(req, res));
    // GET /next is a long poll: no request or idle timeouts may cut it.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 0;
    server.timeout = 0;
    api = new RuntimeApiServer(server, listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** `127.0.0.1:<port>`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const a = this.server.address() as AddressInfo;
    return `127.0.0.1:${a.port}`;
  }

  /** Hands an invocation to the runtime: answers the waiting GET /next, or the next one that comes. */
  deliver(work: InvocationWork): void {
    this.current = work.requestId;
    if (this.pendingNext) {
      const res = this.pendingNext;
      this.pendingNext = undefined;
      this.send(res, work);
    } else {
      this.queued = work;
    }
  }

  /** True while a runtime is waiting in GET /next. */
  get waiting(): boolean {
    return this.pendingNext !== undefined;
  }

  /** The moment the current invocation's event was written to the runtime (performance.now()), for Duration. */
  deliveredAt: number | undefined;

  /** Forgets the current invocation (after a timeout the environment is destroyed anyway). */
  clear(): void {
    this.current = undefined;
    this.queued = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pendingNext?.destroy();
    this.pendingNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: ServerResponse, work: InvocationWork): void {
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(work.body),
      'Lambda-Runtime-Aws-Request-Id': work.requestId,
      'Lambda-Runtime-Deadline-Ms': work.deadlineMs,
      'Lambda-Runtime-Invoked-Function-Arn': work.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': work.traceId,
    };
    if (work.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = work.clientContext;
    if (work.cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = work.cognitoIdentity;
    this.deliveredAt = performance.now();
    res.sendDate = false;
    res.writeHead(200, headers);
    res.end(work.body);
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    // A runtime names the address it was given; a browser (the only client that could be a foreign page) always sends Host.
    const host = req.headers.host;
    if (host !== undefined && !hostAllowed(host, { port: (this.port ??= (this.server.address() as AddressInfo).port) })) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`Forbidden: the Runtime API answers only to ${this.address}\n`);
      return;
    }
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}invocation/next`) {
      this.listener.next();
      if (this.queued) {
        const work = this.queued;
        this.queued = undefined;
        this.send(res, work);
      } else {
        // A second waiting GET replaces the first (a runtime that reconnected).
        this.pendingNext?.destroy();
        this.pendingNext = res;
        res.on('close', () => {
          if (this.pendingNext === res) this.pendingNext = undefined;
        });
      }
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}init/error`) {
      void readBody(req).then((body) => {
        reply(res, 202, { status: 'OK' });
        this.listener.initError(body);
      });
      return;
    }
    const m = req.method === 'POST' ? /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url) : null;
    if (m) {
      const requestId = decodeURIComponent(m[1]!);
      const kind = m[2] as 'response' | 'error';
      if (requestId !== this.current) {
        req.resume();
        reply(res, 400, { errorMessage: `Invalid request ID: ${requestId}`, errorType: 'InvalidRequestID' });
        return;
      }
      void readBody(req).then((body) => {
        if (requestId !== this.current) {
          reply(res, 400, { errorMessage: `Invalid request ID: ${requestId}`, errorType: 'InvalidRequestID' });
          return;
        }
        this.current = undefined;
        reply(res, 202, { status: 'OK' });
        if (kind === 'response') this.listener.response(requestId, body);
        else this.listener.error(requestId, body);
      });
      return;
    }
    req.resume();
    reply(res, 404, { errorMessage: `Unknown Runtime API path: ${req.method} ${url}`, errorType: 'InvalidRequest' });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.sendDate = false;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<PostedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      // Keep reading past the limit (to count the size for the error message) but stop storing.
      if (kept <= RESPONSE_LIMIT_BYTES) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    const done = () => {
      const header = req.headers['lambda-runtime-function-error-type'];
      const background = req.headers[BACKGROUND_HEADER];
      resolve({
        text: bytes > RESPONSE_LIMIT_BYTES ? '' : Buffer.concat(chunks).toString('utf8'),
        bytes,
        tooLarge: bytes > RESPONSE_LIMIT_BYTES,
        ...(typeof header === 'string' ? { errorTypeHeader: header } : {}),
        ...(typeof background === 'string' ? { background: background ? background.split(',').slice(0, 64) : [] } : {}),
      });
    };
    req.on('end', done);
    req.on('error', done);
  });
}
