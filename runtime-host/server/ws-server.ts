// The host's WebSocket endpoint (JSON-RPC) on 127.0.0.1, and the HTTP server under it that also serves
// the dashboard. Connections without the session token, or from a web page that is neither the
// host's own nor a VS Code webview, are refused at the upgrade — before any message is read.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { HostLogger } from '../host-context';
import { BRIEF_RECORDS_QUERY, TOKEN_QUERY_PARAM } from '../protocol/index';
import type { Notifications } from '../protocol/methods';
import { stringifySealedParts } from '../util/sealed-json';
import type { JsonRpcDispatcher } from './json-rpc';
import { checkLocalRequest, isLocalOrigin, refuseAsText } from './local-request';
import { listenOnLoopback } from './loopback';

/** A whole invoke event (6 MB) plus its envelope fits; anything bigger closes the connection with 1009. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A client that stops reading is dropped rather than buffering the host's memory away. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface WsServerOptions {
  token: string;
  dispatcher: JsonRpcDispatcher;
  /** 0 (default) lets the OS choose. */
  port?: number;
  log?: HostLogger;
  /** Other HTTP requests on the same port (the dashboard); returns true when it handled the request. */
  http?: HttpHandler;
  /** Host names accepted besides the loopback ones (see local-request.ts). */
  allowedHosts?: readonly string[];
  /** A notification as the clients that connected with `?records=brief` get it (protocol BRIEF_RECORDS_QUERY). */
  brief?: <N extends keyof Notifications>(method: N, params: Notifications[N]) => Notifications[N];
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class WsServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private port = 0;
  /** Clients that asked for brief records at the upgrade. */
  private readonly briefClients = new WeakSet<WebSocket>();
  /** Each client's TCP socket, corked while notifications of one event-loop turn are sent (see `coalesce`). */
  private readonly sockets = new WeakMap<WebSocket, Socket>();
  private readonly corked = new Set<Socket>();

  constructor(private readonly options: WsServerOptions) {
    this.server = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_MESSAGE_BYTES,
      // A browser passing the token as a subprotocol requires the server to echo one it offered.
      handleProtocols: (protocols) => {
        for (const p of protocols) if (tokensEqual(p, this.options.token)) return p;
        return protocols.values().next().value ?? false;
      },
    });
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
    this.wss.on('connection', (ws, req: IncomingMessage) => {
      if (this.options.brief && asksForBrief(req)) this.briefClients.add(ws);
      this.onConnection(ws);
    });
  }

  async listen(): Promise<number> {
    this.port = await listenOnLoopback(this.server, this.options.port);
    return this.port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  clientCount(): number {
    return this.wss.clients.size;
  }

  broadcast<N extends keyof Notifications>(method: N, params: Notifications[N]): void {
    if (this.wss.clients.size === 0) return;
    // Parts: a stream batch's event goes out as the bytes sealed with it, not serialised again per batch.
    let whole: (string | Buffer)[] | undefined;
    let brief: (string | Buffer)[] | undefined;
    const frameFor = (client: WebSocket) =>
      this.options.brief && this.briefClients.has(client)
        ? (brief ??= stringifySealedParts({ jsonrpc: '2.0', method, params: this.options.brief(method, params) })!)
        : (whole ??= stringifySealedParts({ jsonrpc: '2.0', method, params })!);
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.options.log?.warn('dropping a WebSocket client that stopped reading');
        client.terminate();
        continue;
      }
      this.coalesce(client);
      sendParts(client, frameFor(client));
    }
  }

  /**
   * Holds the client's socket until the end of this event-loop turn, so that the notifications of one turn
   * (a batch's records started, its log lines, a record finished) go out in one write. Each write to a
   * loopback socket costs a system call and a wake-up of the client: one per message was most of what a
   * subscribed client cost the host per stream batch. The frames and their order are unchanged.
   */
  private coalesce(client: WebSocket): void {
    const socket = this.sockets.get(client);
    if (!socket || this.corked.has(socket)) return;
    if (this.corked.size === 0) setImmediate(() => this.uncorkAll());
    socket.cork();
    this.corked.add(socket);
  }

  private uncorkAll(): void {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  }

  async close(): Promise<void> {
    this.uncorkAll();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Origins that may connect: none (tools), the host's own pages, or a VS Code webview. */
  originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const o = origin.toLowerCase();
    if (o.startsWith('vscode-webview://')) return true;
    // The host's own pages: a local origin on this very port.
    return isLocalOrigin(o, this.options.allowedHosts) && new URL(o).port === String(this.port);
  }

  private tokenOf(req: IncomingMessage): string | undefined {
    const q = queryOf(req)?.get(TOKEN_QUERY_PARAM);
    if (q) return q;
    // Else the subprotocol.
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return protocols.find((p) => tokensEqual(p, this.options.token));
  }

  private refuse(socket: Socket, status: 401 | 403 | 400, reason: string): void {
    const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' }[status];
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.destroySoon?.();
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refusal = checkLocalRequest(req, { port: this.port, ...(this.options.allowedHosts ? { allowedHosts: this.options.allowedHosts } : {}) });
    if (refusal) {
      this.options.log?.warn(`refused a WebSocket connection for Host ${req.headers.host ?? '(none)'}`);
      this.refuse(socket, 403, refusal.message);
      return;
    }
    const token = this.tokenOf(req);
    if (!token || !tokensEqual(token, this.options.token)) {
      this.options.log?.warn(`refused a WebSocket connection: ${token ? 'wrong' : 'missing'} token`);
      this.refuse(socket, 401, 'missing or wrong session token');
      return;
    }
    const origin = req.headers.origin;
    if (!this.originAllowed(origin)) {
      this.options.log?.warn(`refused a WebSocket connection from origin ${origin}`);
      this.refuse(socket, 403, 'origin not allowed');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.set(ws, socket);
      this.wss.emit('connection', ws, req);
    });
  }

  private onConnection(ws: WebSocket): void {
    ws.on('error', (err) => this.options.log?.debug(`WebSocket client error: ${err.message}`));
    ws.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.from(data).toString('utf8');
      void this.options.dispatcher.handleParts(text).then(
        (reply) => {
          if (reply !== undefined && ws.readyState === WebSocket.OPEN) sendParts(ws, reply);
        },
        (err: unknown) => this.options.log?.error(`dispatch failed: ${(err as Error).message}`),
      );
    });
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const refusal = checkLocalRequest(req, { port: this.port, ...(this.options.allowedHosts ? { allowedHosts: this.options.allowedHosts } : {}) });
    if (refusal) {
      refuseAsText(res, refusal);
      return;
    }
    try {
      if (this.options.http?.(req, res)) return;
    } catch (err) {
      this.options.log?.error(`HTTP handler failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found: this port serves the Lambda Workbench WebSocket protocol (and the dashboard at /)\n');
  }
}

/** The upgrade request's query, or undefined when its URL cannot be parsed. */
function queryOf(req: IncomingMessage): URLSearchParams | undefined {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
  } catch {
    return undefined;
  }
}

function asksForBrief(req: IncomingMessage): boolean {
  return queryOf(req)?.get(BRIEF_RECORDS_QUERY.name) === BRIEF_RECORDS_QUERY.value;
}

/** One text message from the parts of its UTF-8 text, in fragments: sealed event bytes go out as they are, never joined into one string. */
function sendParts(ws: WebSocket, parts: readonly (string | Buffer)[]): void {
  if (parts.length === 1) return ws.send(parts[0]!);
  parts.forEach((part, i) => ws.send(part, { binary: false, fin: i === parts.length - 1 }));
}
