// The browser dashboard: the same panel as in VS Code (dist/webview), served by `serve` on the
// WebSocket's HTTP server. `/` needs the session token (the page carries it to open the WebSocket)
// and a loopback Host header (so a DNS-rebound web page cannot read it); `/assets/*` are the static
// bundle files, confined to dist/webview.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { TOKEN_QUERY_PARAM } from '../protocol/index';
import { PANEL_CONFIG_META, type PanelBootConfig } from '../protocol/webview';
import { distAsset } from '../runtime/assets';
import { hostAllowed } from './local-request';

export interface DashboardOptions {
  token: string;
  /** Folder with panel.js, panel.css and codicons/ (default: the package's dist/webview). */
  assetsDir?: string;
  /** Host names accepted besides the loopback ones (see local-request.ts). */
  allowedHosts?: readonly string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/** Handles `/`, `/index.html` and `/assets/*`; returns false for anything else (the caller answers 404). */
export function handleDashboardRequest(req: IncomingMessage, res: ServerResponse, options: DashboardOptions): boolean {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const isPage = url.pathname === '/' || url.pathname === '/index.html';
  const isAsset = url.pathname.startsWith('/assets/');
  if (url.pathname === '/favicon.ico') {
    // No icon; answer so the browser does not log a 404 on every load.
    res.writeHead(204, COMMON_HEADERS);
    res.end();
    return true;
  }
  if (!isPage && !isAsset) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    return true;
  }
  const host = localHost(req, options.allowedHosts);
  if (!host) {
    send(res, 403, 'text/plain; charset=utf-8', 'forbidden: open the dashboard at the 127.0.0.1 address `serve` printed\n');
    return true;
  }
  if (isPage) servePage(req, res, url, host, options);
  else serveAsset(req, res, url.pathname.slice('/assets/'.length), options.assetsDir ?? distAsset('webview'));
  return true;
}

/** The Host header when it names this server by a local name, else undefined. */
function localHost(req: IncomingMessage, allowedHosts: readonly string[] = []): string | undefined {
  const host = req.headers.host;
  const port = req.socket.localPort;
  if (!host || !port) return undefined;
  return hostAllowed(host, { port, allowedHosts }) ? host.toLowerCase() : undefined;
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function servePage(req: IncomingMessage, res: ServerResponse, url: URL, host: string, options: DashboardOptions): void {
  if (!tokenMatches(url.searchParams.get(TOKEN_QUERY_PARAM), options.token)) {
    send(
      res,
      401,
      'text/plain; charset=utf-8',
      'unauthorized: open the `dashboard` URL from the ready line of `lambda-workbench serve` (it carries the session token)\n',
    );
    return;
  }
  const nonce = randomBytes(18).toString('base64');
  const config: PanelBootConfig = { ws: `ws://${host}/`, token: options.token };
  const csp = dashboardCsp(nonce, host);
  const body = dashboardHtml(nonce, csp, config);
  // frame-ancestors only works as a header (browsers ignore it, loudly, in a <meta>).
  send(res, 200, 'text/html; charset=utf-8', req.method === 'HEAD' ? '' : body, {
    'content-security-policy': `${csp}; frame-ancestors 'none'`,
    'cache-control': 'no-store',
  });
}

export function dashboardCsp(nonce: string, host: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "font-src 'self'",
    "img-src 'self' data:",
    `connect-src ws://${host}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function dashboardHtml(nonce: string, csp: string, config: PanelBootConfig): string {
  const n = escapeHtml(nonce);
  return `<!DOCTYPE html>
<html lang="en" data-standalone="">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="${PANEL_CONFIG_META}" content="${escapeHtml(JSON.stringify(config))}">
<link rel="stylesheet" nonce="${n}" href="/assets/codicons/codicon.css">
<link rel="stylesheet" nonce="${n}" href="/assets/panel.css">
<title>Lambda Workbench — invocations</title>
</head>
<body>
<div id="app"></div>
<script nonce="${n}" src="/assets/panel.js"></script>
</body>
</html>
`;
}

function serveAsset(req: IncomingMessage, res: ServerResponse, relative: string, root: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    send(res, 400, 'text/plain; charset=utf-8', 'bad request\n');
    return;
  }
  // Refuse rather than resolve anything that could step outside the assets folder.
  const parts = decoded.split(/[\\/]/);
  if (decoded.includes('\0') || parts.some((p) => p === '..' || p === '.' || p === '') || !CONTENT_TYPES[extname(decoded)]) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  const file = normalize(join(root, ...parts));
  if (!file.startsWith(normalize(root) + sep)) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    send(res, 404, 'text/plain; charset=utf-8', 'not found (is the panel built? run `node scripts/build.mjs`)\n');
    return;
  }
  res.writeHead(200, { ...COMMON_HEADERS, 'content-type': CONTENT_TYPES[extname(file)], 'content-length': size, 'cache-control': 'no-cache' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}
