// The local AWS endpoint: one 127.0.0.1 port that speaks each simulated service's wire protocol, so
// unmodified AWS SDK clients (pointed here by AWS_ENDPOINT_URL) and `aws --endpoint-url` reach the
// host's buckets, topics, queues, streams and functions. HTTP/1.1 and HTTP/2 over plain TCP (h2c
// with prior knowledge, which the Kinesis JS client speaks) share the port: the first bytes of a
// connection decide which server gets it. Requests are routed by SigV4 credential scope, then
// `X-Amz-Target`, then path (the Lambda REST paths), else S3; `Host` is checked before anything.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type * as http2 from 'node:http2';
import type { Http2Server, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { AwsRequest, AwsResponse, AwsServiceHandler, ServiceCallDescription, ServiceCallRecorder } from '../events/aws-service';
import type { HostLogger } from '../host-context';
import { hostAllowed, splitHost } from './local-request';
import { recordNow } from '../util/record-clock';

/** Objects and parts are read whole; S3 takes up to 5 GB per part, a local host a sensible fraction of it. */
export const MAX_AWS_BODY_BYTES = 512 * 1024 * 1024;

export interface AwsEndpointOptions {
  handlers: AwsServiceHandler[];
  region: string;
  port?: number;
  log: HostLogger;
  /** Names besides the loopback ones that the endpoint answers to (`--allow-host`). */
  allowedHosts?: readonly string[];
  /** Read at each request: the trace book may be attached after the endpoint starts. */
  serviceCalls?: () => ServiceCallRecorder | undefined;
}

export interface HostCheck {
  ok: boolean;
  /** `<bucket>.localhost:<port>`: S3 virtual-hosted addressing. */
  virtualHostBucket?: string;
}

/** A name S3 accepts as a bucket, in `<bucket>.localhost`. */
const BUCKET_HOST = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.localhost$/;

/**
 * Whether a request's `Host` (or HTTP/2 `:authority`) names this endpoint, by the check every listener
 * makes (server/local-request.ts), with `<bucket>.localhost:<port>` added for S3 virtual-hosted addressing.
 * Anything else (a DNS-rebinding page's name) is refused.
 */
export function checkAwsHost(host: string | undefined, port: number, allowedHosts: readonly string[] = []): HostCheck {
  if (!host || !hostAllowed(host, { port, allowedHosts, allowLocalhostSubdomains: true })) return { ok: false };
  const name = splitHost(host)!.name;
  if (name === 'localhost' || !name.endsWith('.localhost')) return { ok: true };
  const bucket = BUCKET_HOST.exec(name)?.[1];
  return bucket ? { ok: true, virtualHostBucket: bucket } : { ok: false };
}

/** The SigV4 scope (`Credential=AKID/20260101/us-east-1/s3/aws4_request`) of a signed or presigned request. */
export function credentialScope(headers: IncomingHttpHeaders, query: URLSearchParams): { region: string; service: string } | undefined {
  const auth = headers.authorization;
  const credential = (typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : undefined) ?? query.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  return { region: parts[parts.length - 3]!, service: parts[parts.length - 2]! };
}

/** Which service a request is for: scope, then `X-Amz-Target` prefix, then the Lambda REST path, else S3. */
export function serviceOf(headers: IncomingHttpHeaders, query: URLSearchParams, path: string, handlers: readonly AwsServiceHandler[]): string {
  const scope = credentialScope(headers, query);
  if (scope) return scope.service;
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const byTarget = handlers.find((h) => h.targetPrefixes?.some((p) => target.startsWith(p)));
    if (byTarget) return byTarget.service;
  }
  if (/^\/20\d\d-\d\d-\d\d\/(functions|durable-executions|durable-execution-callbacks)(\/|$)/.test(path)) return 'lambda';
  return 's3';
}

type Protocol = 'rest-xml' | 'query' | 'json';

/** The error family a service's clients parse, for errors the endpoint itself produces. */
function protocolOf(service: string, headers: IncomingHttpHeaders): Protocol {
  if (service === 's3') return 'rest-xml';
  const type = String(headers['content-type'] ?? '');
  if (type.startsWith('application/x-www-form-urlencoded')) return 'query';
  if (service === 'sns') return 'query';
  return 'json';
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** An error in the shape the service's SDK parses into `err.name === code`. */
export function awsErrorResponse(protocol: Protocol, status: number, code: string, message: string, requestId = randomUUID()): AwsResponse {
  if (protocol === 'rest-xml') {
    return {
      status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
  if (protocol === 'query') {
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return {
      status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: `<ErrorResponse><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: code, message, Message: message }),
  };
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

function createHttp2Server(listener: (req: Http2ServerRequest, res: Http2ServerResponse) => void): Http2Server {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:http2') as typeof http2).createServer(listener);
}

export class AwsEndpoint {
  private readonly http1 = createHttpServer((req, res) => this.dispatch(req, res));
  /** Made with the first HTTP/2 connection (the JS SDK's Kinesis client): loading node:http2 costs the host's start ~8 ms. */
  private http2: Http2Server | undefined;
  private readonly server = createNetServer((socket) => this.accept(socket));
  private readonly sockets = new Set<Socket>();
  private readonly handlers = new Map<string, AwsServiceHandler>();
  private port = 0;

  constructor(private readonly options: AwsEndpointOptions) {
    for (const h of options.handlers) this.handlers.set(h.service, h);
    this.http1.keepAliveTimeout = 60_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Handlers of event sources started after the endpoint (or replaced by a reload). */
  register(handler: AwsServiceHandler): void {
    this.handlers.set(handler.service, handler);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.http1.close();
    this.http2?.close();
  }

  /** Peeks at the first bytes: the HTTP/2 connection preface goes to the h2c server, the rest to HTTP/1.1. */
  private accept(socket: Socket): void {
    // http.createServer() turns Nagle off for the sockets it accepts itself; these come from the net server.
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.once('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const preface = 'PRI * HTTP/2.0';
      const sample = head.toString('latin1', 0, Math.min(head.length, preface.length));
      if (head.length < preface.length && preface.startsWith(sample)) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(head);
      if (sample === preface) {
        // The HTTP/2 session takes the socket over and reads what was unshifted first.
        this.http2 ??= createHttp2Server((req, res) => this.dispatch(req, res));
        this.http2.emit('connection', socket);
      } else {
        this.http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  }

  private dispatch(req: AnyRequest, res: AnyResponse): void {
    this.handle(req, res).catch((err: unknown) => {
      this.options.log.error(`AWS endpoint: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) this.write(res, awsErrorResponse('json', 500, 'InternalFailure', 'The local AWS endpoint failed to answer'));
      else res.destroy?.();
    });
  }

  private async handle(req: AnyRequest, res: AnyResponse): Promise<void> {
    const startAt = recordNow();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const headers = req.headers as IncomingHttpHeaders;
    const hostHeader = String(headers[':authority'] ?? headers.host ?? '');
    const host = checkAwsHost(hostHeader, this.port, this.options.allowedHosts);
    const service = serviceOf(headers, query, rawPath, [...this.handlers.values()]);
    const protocol = protocolOf(service, headers);
    if (!host.ok) {
      req.resume();
      this.write(res, awsErrorResponse(protocol, 403, 'AccessDenied', `Host '${hostHeader}' is not this local endpoint; use 127.0.0.1:${this.port}`));
      return;
    }
    const handler = this.handlers.get(service);
    if (!handler) {
      req.resume();
      const known = [...this.handlers.keys()].sort().join(', ');
      this.write(
        res,
        awsErrorResponse(protocol, 400, 'UnknownService', `The local AWS endpoint does not simulate the '${service}' service; it answers ${known}`),
      );
      return;
    }
    const body = await readBody(req, MAX_AWS_BODY_BYTES);
    if (body === undefined) {
      this.write(res, awsErrorResponse(protocol, 413, 'EntityTooLarge', `The request body is larger than the local limit of ${MAX_AWS_BODY_BYTES} bytes`));
      return;
    }
    const recorder = this.options.serviceCalls?.();
    const traceHeader = headers['x-amzn-trace-id'];
    const caller = recorder?.callerOf(typeof traceHeader === 'string' ? traceHeader : undefined);
    const request: AwsRequest = {
      method: req.method ?? 'GET',
      path,
      rawPath,
      query,
      headers,
      body,
      region: credentialScope(headers, query)?.region ?? this.options.region,
      ...(host.virtualHostBucket !== undefined ? { virtualHostBucket: host.virtualHostBucket } : {}),
      ...(caller ? { caller } : {}),
    };
    let answer: AwsResponse & { call: ServiceCallDescription };
    try {
      answer = await handler.handle(request);
    } catch (err) {
      this.options.log.error(`AWS endpoint (${service}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      const internal = awsErrorResponse(
        protocol,
        500,
        protocol === 'rest-xml' ? 'InternalError' : 'InternalFailure',
        'The local host failed to run the request',
      );
      answer = { ...internal, call: { operation: 'Unknown', errorCode: 'InternalError' } };
    }
    this.write(res, answer, request.method === 'HEAD');
    recorder?.record({
      id: randomUUID(),
      ...(caller ? { traceId: caller.traceId, recordId: caller.recordId } : answer.call.traceId !== undefined ? { traceId: answer.call.traceId } : {}),
      service,
      operation: answer.call.operation,
      ...(answer.call.resource !== undefined ? { resource: answer.call.resource } : {}),
      status: answer.status,
      ...(answer.call.errorCode !== undefined ? { errorCode: answer.call.errorCode } : {}),
      startAt,
      durationMs: recordNow() - startAt,
    });
  }

  private write(res: AnyResponse, answer: AwsResponse, headOnly = false): void {
    const body = answer.body === undefined ? Buffer.alloc(0) : typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
    (res as ServerResponse).writeHead(answer.status, headers);
    if (headOnly) res.end();
    else res.end(body);
  }
}

/** The whole body, or undefined when it passes `limit` (the rest is drained, not kept). */
function readBody(req: AnyRequest, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
