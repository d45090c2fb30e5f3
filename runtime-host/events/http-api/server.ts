// The local API Gateway / function URL endpoint: a real HTTP server on 127.0.0.1 that routes each
// request to a function, builds the event, invokes it through the host's Invoker and maps the
// result back. Every request is one invocation whose record carries `http`: the request and the response.
//
// Decisions:
// - Integration timeout: REST APIs answer 504 {"message":"Endpoint request timed out"} after 29 s,
//   HTTP APIs 503 {"message":"Service Unavailable"} after 30 s (an event's TimeoutInMillis overrides
//   both), as API Gateway does; the invocation keeps running to its own end. A function that hits its
//   own timeout first is a function error, as on AWS: REST 502, HTTP API 500, function URL 502.
// - A throttled invocation (reserved concurrency reached) is an integration failure: REST 500
//   {"message":"Internal server error"}, HTTP API 500; a function URL answers 429.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HostContext } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import type { HttpExchange, InvocationRecord } from '../../protocol/records';
import { randomBase64 } from '../../runtime/random-ids';
import { newTraceRoot, parseTraceHeader } from '../../runtime/trace-id';
import { UserError } from '../../runtime/types';
import { buildEvent, isTextMediaType, type HttpRequestInput } from './event-builder';
import {
  functionErrorResponse,
  gatewayResponses,
  integrationTimeoutResponse,
  mapResponse,
  preflightResponse,
  unknownRouteResponse,
  withCorsHeaders,
  type HttpResponseOut,
} from './response-mapper';
import { findRoute, routesFromTemplate, type HttpRoute, type RouteMatch } from './routes';
import { GatewayAuthorizer, type AuthorizationOptions, type AuthorizationOutcome } from './authorize';
import { closeParent, parentRecord } from '../async-invocation';
import { checkLocalRequest } from '../../server/local-request';
import { listenOnLoopback } from '../../server/loopback';

const NO_AUTHORIZER: AuthorizationOutcome = { ok: true };

/** API Gateway's request payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

function jsonResponse(statusCode: number, value: unknown): HttpResponseOut {
  return { statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(value)) };
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function headersRecord(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const v = req.rawHeaders[i + 1]!;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function responseHeadersRecord(headers: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of headers) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function bodyForRecord(body: Buffer, contentType: string | undefined): { body?: string; bodyBase64?: boolean } {
  if (body.length === 0) return {};
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return isTextMediaType(type) ? { body: body.toString('utf8') } : { body: body.toString('base64'), bodyBase64: true };
}

export class HttpApiServer {
  private server?: Server;
  private routes: HttpRoute[] = [];
  private unsubscribe?: () => void;
  private url?: string;
  private port = 0;

  private readonly authorizer: GatewayAuthorizer;
  private readonly reported = new Set<string>();

  constructor(
    private readonly context: HostContext,
    authorization: AuthorizationOptions = {},
  ) {
    this.authorizer = new GatewayAuthorizer(context, authorization);
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get address(): string | undefined {
    return this.url;
  }

  listRoutes(): HttpRoute[] {
    return this.routes;
  }

  refreshRoutes(functions: FunctionInfo[] = this.context.functions.list()): void {
    this.routes = routesFromTemplate(functions, this.context.functions.resources(), (message) => {
      // Said once per message while the host runs, not on every reload.
      if (this.reported.has(message)) return;
      this.reported.add(message);
      this.context.log.warn(`http-api: ${message}`);
    });
    this.authorizer.reset();
  }

  async start(port: number): Promise<string> {
    if (this.server) return this.url!;
    this.refreshRoutes();
    this.unsubscribe = this.context.functions.onDidChange((fns) => this.refreshRoutes(fns));
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.context.log.error(`http-api: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        if (!res.headersSent) this.send(res, gatewayResponses.httpInternalError());
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 60_000;
    const boundPort = await listenOnLoopback(server, port).catch((err: NodeJS.ErrnoException) => {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      throw err.code === 'EADDRINUSE' ? new UserError(`HTTP API port ${port} is already in use`, 'choose another --http-port, or 0 for any free port') : err;
    });
    this.server = server;
    this.port = boundPort;
    this.url = `http://127.0.0.1:${boundPort}`;
    return this.url;
  }

  async stop(): Promise<boolean> {
    const server = this.server;
    if (!server) return false;
    this.server = undefined;
    this.url = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return true;
  }

  /** The request body, or undefined as soon as it passes API Gateway's limit (the rest is not kept). */
  private readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
        else {
          req.off('data', onData);
          resolve(undefined);
        }
      };
      req.on('data', onData);
      req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      req.once('error', reject);
    });
  }

  private send(res: ServerResponse, response: HttpResponseOut): void {
    res.writeHead(response.statusCode, [...response.headers, ['content-length', String(response.body.length)]].flat());
    res.end(response.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Browsers get what the template's CORS allows, but only under a local name (no DNS-rebound page reads answers).
    const refusal = checkLocalRequest(req, { port: this.port, ...(this.context.allowedHosts ? { allowedHosts: this.context.allowedHosts } : {}) });
    if (refusal) {
      res.shouldKeepAlive = false;
      this.send(res, jsonResponse(403, { message: refusal.message }));
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const body = await this.readBody(req);
    const lookup = findRoute(this.routes, method, rawPath);
    if (body === undefined) {
      // The unread rest of the body goes with the connection.
      res.shouldKeepAlive = false;
      this.send(res, jsonResponse(413, { message: 'Request Entity Too Large' }));
      return;
    }
    if (lookup.kind === 'none') {
      this.send(res, unknownRouteResponse(lookup.api));
      return;
    }
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (lookup.kind === 'preflight') {
      const requestHeaders = req.headers['access-control-request-headers'];
      this.send(
        res,
        preflightResponse(lookup.route.api, lookup.cors, lookup.allowMethods, {
          origin,
          requestHeaders: typeof requestHeaders === 'string' ? requestHeaders : undefined,
        }),
      );
      return;
    }
    this.send(res, await this.invoke(req, lookup.match, { method, rawPath, rawQuery, body, origin }));
  }

  private async invoke(
    req: IncomingMessage,
    match: RouteMatch,
    r: { method: string; rawPath: string; rawQuery: string; body: Buffer; origin?: string },
  ): Promise<HttpResponseOut> {
    const { route } = match;
    const now = Date.now();
    // API Gateway keeps the trace of a request that already has one; a function calling the API with its
    // own `_X_AMZN_TRACE_ID` makes the invocation it causes part of its chain.
    const traceHeader = typeof req.headers['x-amzn-trace-id'] === 'string' ? req.headers['x-amzn-trace-id'] : undefined;
    const traceRoot = parseTraceHeader(traceHeader)?.root ?? newTraceRoot(now);
    const caller = this.context.serviceCalls?.callerOf(traceHeader);
    const input: HttpRequestInput = {
      method: r.method,
      rawPath: r.rawPath,
      rawQuery: r.rawQuery,
      rawHeaders: pairs(req.rawHeaders),
      body: r.body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: req.socket.localPort ?? 0,
      forwardedProto: 'http',
      requestId: randomUUID(),
      extendedRequestId: `${randomBase64(10).replace(/[+/=]/g, 'A').slice(0, 14)}=`,
      traceId: `Root=${traceRoot}`,
      timeEpochMs: now,
    };
    // What API Gateway / the function URL adds to every response it sends.
    const finish = (out: HttpResponseOut): HttpResponseOut => {
      const withIds: HttpResponseOut = { ...out, headers: [...out.headers] };
      if (route.api === 'http') withIds.headers.push(['apigw-requestid', input.extendedRequestId]);
      else withIds.headers.push(['x-amzn-RequestId', input.requestId], ['X-Amzn-Trace-Id', input.traceId]);
      return withCorsHeaders(withIds, route.api, route.cors, r.origin);
    };
    const fn = this.context.functions.get(route.functionName);
    if (!fn) return finish(functionErrorResponse(route.api));
    const event = buildEvent(input, match, this.context);
    // API Gateway authorizes before the integration: an authorizer's invocation and the function's share a parent record.
    const parent = route.auth?.kind === 'lambda' ? this.openRequestRecord(route, r) : undefined;
    // A route without an authorizer (most of them) skips the authorizer's inputs and its turn of the microtask queue.
    const authorization: AuthorizationOutcome = route.auth
      ? await this.authorizer.authorize(route, {
          method: r.method,
          path: match.path,
          headers: lowerCaseHeaders(req),
          query: new URLSearchParams(r.rawQuery),
          event,
          ...(parent ? { parentId: parent.id } : {}),
        })
      : NO_AUTHORIZER;
    if (!authorization.ok) {
      if (parent) closeParent(this.context.records, parent, 'error', authorization.details);
      else if (route.auth) this.context.log.info(`http-api: ${route.routeKey}: ${authorization.response.statusCode} (${String(authorization.details.reason)})`);
      return finish(authorization.response);
    }
    if (authorization.requestContextAuthorizer) (event.requestContext as Record<string, unknown>).authorizer = authorization.requestContextAuthorizer;
    const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
    const exchange: HttpExchange = {
      request: { method: r.method, path: r.rawPath, query: r.rawQuery, headers: headersRecord(req), ...bodyForRecord(r.body, contentType) },
      api: route.api,
      routeKey: route.routeKey,
    };
    let timer: NodeJS.Timeout | undefined;
    // The gateway's answer, decided once: from the finished record (inside `completeRecord`, so the
    // record is stored and announced once, with its response) or by the integration timeout first.
    let answered: HttpResponseOut | undefined;
    const answer = (out: HttpResponseOut): HttpResponseOut => {
      answered = finish(out);
      exchange.response = {
        statusCode: answered.statusCode,
        headers: responseHeadersRecord(answered.headers),
        ...bodyForRecord(answered.body, answered.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1]),
      };
      return answered;
    };
    const invocation = this.context.invoker.invoke({
      fn,
      event,
      trigger: 'http',
      traceId: traceRoot,
      ...(caller ? { parentId: caller.recordId } : {}),
      http: exchange,
      ...(parent ? { parentId: parent.id } : {}),
      ...(authorization.details ? { source: { authorization: authorization.details } } : {}),
      completeRecord: (record) => {
        // After a gateway timeout the function ran on to its own end, as on AWS; the record keeps the timeout answer.
        if (!answered) answer(this.responseFor(record, route, req));
        record.http = { ...exchange, request: record.http?.request ?? exchange.request, response: exchange.response! };
      },
    });
    // When the gateway timed out first, a later host-side failure has no one left to answer.
    invocation.catch(() => undefined);
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (route.integrationTimeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), route.integrationTimeoutMs);
    });
    if (parent) {
      void invocation.then(
        (record) => closeParent(this.context.records, parent, record.status === 'success' ? 'success' : 'error', authorization.details),
        () => closeParent(this.context.records, parent, 'interrupted', authorization.details),
      );
    }
    try {
      const outcome = await Promise.race([invocation, timedOut]);
      if (outcome === 'timeout') return answered ?? answer(integrationTimeoutResponse(route.api));
      return answered ?? answer(this.responseFor(outcome, route, req));
    } catch (err) {
      // An event past Lambda's 6 MB invocation limit is the request's fault, as API Gateway says it.
      if (err instanceof UserError && err.code === 'RequestTooLarge') return answered ?? answer(jsonResponse(413, { message: 'Request Entity Too Large' }));
      this.context.log.error(`http-api: invoke ${fn.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      return answered ?? answer(functionErrorResponse(route.api));
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** The request as a record of its own, so the authorizer's invocation and the function's are its children. */
  private openRequestRecord(route: HttpRoute, r: { method: string; rawPath: string; rawQuery: string }): InvocationRecord {
    const parent = parentRecord({
      kind: 'http-request',
      trigger: 'http',
      functionName: route.functionName,
      event: { method: r.method, path: r.rawPath, query: r.rawQuery },
      source: { routeKey: route.routeKey, api: route.api },
    });
    this.context.records.open(parent);
    return parent;
  }

  private responseFor(record: InvocationRecord, route: HttpRoute, req: IncomingMessage): HttpResponseOut {
    if (record.status === 'success') {
      const accept = typeof req.headers.accept === 'string' ? req.headers.accept : undefined;
      return mapResponse(record.result, route.api, route.payloadFormatVersion, { binaryMediaTypes: route.binaryMediaTypes, accept });
    }
    if (record.status === 'throttled') return gatewayResponses.throttled(route.api);
    return functionErrorResponse(route.api);
  }
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
