// The dashboard handler on a real HTTP server: token on the page, loopback Host only, fresh CSP
// nonce per load, safe injection of the boot config, and no way out of the assets folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dashboardHtml, escapeHtml, handleDashboardRequest } from '../../runtime-host/server/dashboard';

const TOKEN = 'tok-0123456789abcdef';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, opts: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard handler', () => {
  let server: Server;
  let port: number;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-dashboard-'));
    mkdirSync(join(dir, 'webview', 'codicons'), { recursive: true });
    writeFileSync(join(dir, 'webview', 'panel.js'), 'console.log("panel");\n');
    writeFileSync(join(dir, 'webview', 'codicons', 'codicon.css'), '.codicon{}\n');
    writeFileSync(join(dir, 'secret.js'), 'SECRET\n');
    server = createServer((req, res) => {
      if (!handleDashboardRequest(req, res, { token: TOKEN, assetsDir: join(dir, 'webview') })) {
        res.writeHead(404);
        res.end('fallthrough');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page only with the session token', async () => {
    assert.equal((await get(port, '/')).status, 401);
    assert.equal((await get(port, '/?token=wrong-0123456789abc')).status, 401);
    assert.equal((await get(port, `/?token=${TOKEN}x`)).status, 401);
    const ok = await get(port, `/?token=${TOKEN}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(ok.headers['cache-control'], 'no-store');
    assert.equal(ok.headers['referrer-policy'], 'no-referrer');
  });

  it('injects the WebSocket address of this server and the token, HTML-escaped', async () => {
    const { body } = await get(port, `/?token=${TOKEN}`);
    const config = JSON.stringify({ ws: `ws://127.0.0.1:${port}/`, token: TOKEN });
    assert.ok(body.includes(`<meta name="lambda-workbench-panel" content="${escapeHtml(config)}">`), body);
    const viaLocalhost = await get(port, `/?token=${TOKEN}`, { host: `localhost:${port}` });
    assert.ok(viaLocalhost.body.includes(escapeHtml(`"ws":"ws://localhost:${port}/"`)));
  });

  it('uses a fresh nonce per load, in the CSP header and on every script and stylesheet', async () => {
    const a = await get(port, `/?token=${TOKEN}`);
    const b = await get(port, `/?token=${TOKEN}`);
    const nonceOf = (r: Reply) => /script-src 'nonce-([^']+)'/.exec(String(r.headers['content-security-policy']))?.[1];
    const na = nonceOf(a);
    const nb = nonceOf(b);
    assert.ok(na && nb && na !== nb, `nonces ${na} ${nb}`);
    assert.equal(
      a.headers['content-security-policy'],
      `default-src 'none'; script-src 'nonce-${na}'; style-src 'nonce-${na}'; font-src 'self'; img-src 'self' data:; connect-src ws://127.0.0.1:${port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    const tags = a.body.match(/<(script|link)\b[^>]*>/g) ?? [];
    assert.equal(tags.length, 3);
    for (const tag of tags) assert.ok(tag.includes(`nonce="${na}"`), tag);
    assert.ok(!/<script>|style=/.test(a.body), 'no inline script or style without a nonce');
  });

  it('refuses a Host header that is not this loopback server (DNS rebinding)', async () => {
    assert.equal((await get(port, `/?token=${TOKEN}`, { host: `evil.example:${port}` })).status, 403);
    assert.equal((await get(port, '/assets/panel.js', { host: 'evil.example' })).status, 403);
    assert.equal((await get(port, `/?token=${TOKEN}`, { host: '127.0.0.1:1' })).status, 403);
  });

  it('serves assets with their content type and nothing outside the assets folder', async () => {
    const js = await get(port, '/assets/panel.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.body, 'console.log("panel");\n');
    assert.equal((await get(port, '/assets/codicons/codicon.css')).body, '.codicon{}\n');
    for (const path of [
      '/assets/../secret.js',
      '/assets/%2e%2e/secret.js',
      '/assets/..%2fsecret.js',
      '/assets/codicons/..%2f..%2fsecret.js',
      '/assets/%2fetc%2fpasswd',
      '/assets/..%5csecret.js',
      '/assets/missing.js',
      '/assets/codicons',
      '/assets/panel.js%00.css',
    ]) {
      const r = await get(port, path);
      assert.notEqual(r.status, 200, path);
      assert.ok(!r.body.includes('SECRET'), path);
    }
  });

  it('answers HEAD, refuses other methods and leaves other paths to the caller', async () => {
    const head = await get(port, '/assets/panel.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get(port, `/?token=${TOKEN}`, { method: 'POST' })).status, 405);
    const other = await get(port, '/2015-03-31/functions');
    assert.equal(other.status, 404);
    assert.equal(other.body, 'fallthrough');
    assert.equal((await get(port, '/favicon.ico')).status, 204);
  });

  it('escapes a config that tries to break out of the attribute', () => {
    const html = dashboardHtml('n"once', "default-src 'none'", { ws: 'ws://127.0.0.1:1/', token: '"><script>alert(1)</script>' });
    assert.ok(!html.includes('<script>alert'), html);
    assert.ok(html.includes('nonce="n&quot;once"'));
  });
});
