// The local API Gateway and function URLs end to end: a real `lambda-workbench serve` on the
// fixture project (test/fixtures/http-project), real HTTP requests, real functions. Checks event
// shapes, response mappings, gateway errors and timeouts, CORS, and the records over the protocol.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ReadyLine } from '../../runtime-host/protocol';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { waitUntil } from '../helpers/wait';
import { startServe, type ServeProcess } from './serve-helpers';

const ROOT = join(__dirname, '..', '..');
const PROJECT = join(ROOT, 'test', 'fixtures', 'http-project');

let serve: ServeProcess;
let ready: ReadyLine & { httpApi: string };
let stateDir: string;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'lw-http-'));
  serve = await startServe(['--root', PROJECT, '--state-dir', stateDir], { timeoutMs: 60_000 });
  const httpApi = serve.ready.httpApi;
  assert.ok(httpApi, 'the ready line names the HTTP API');
  ready = { ...serve.ready, httpApi };
});

after(async () => {
  await serve?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  /** Raw header pairs as received (names lowercased by Node's parser). */
  headers: [string, string][];
  body: Buffer;
  text: string;
}

/** One HTTP request with exact control over repeated headers (raw name/value pairs). */
function send(method: string, path: string, headers: [string, string][] = [], body?: Buffer | string): Promise<Reply> {
  const url = new URL(path, ready.httpApi);
  // Raw header pairs let a name repeat; Node then adds no Host of its own.
  const raw: [string, string][] = [['Host', url.host], ...headers];
  if (body !== undefined) raw.push(['Content-Length', String(Buffer.byteLength(body))]);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: raw.flat() as unknown as Record<string, string>, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: pairs, body: buf, text: buf.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const header = (r: Reply, name: string) => r.headers.filter(([k]) => k === name).map(([, v]) => v);

async function rpc<T>(method: string, params?: unknown): Promise<T> {
  const ws = new WebSocket(`${ready.ws}?token=${ready.token}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    for (;;) {
      const msg = JSON.parse((await new Promise<Buffer>((resolve) => ws.once('message', resolve))).toString());
      if (msg.id !== 1) continue;
      if (msg.error) throw new Error(`${method}: ${JSON.stringify(msg.error)}`);
      return msg.result as T;
    }
  } finally {
    ws.close();
  }
}

/** For a failure message: the function's latest records (status, error) and the host's stderr tail. */
async function explain(fn: string): Promise<string> {
  const page = await rpc<{ records: InvocationRecord[] }>('listInvocations', { function: fn, limit: 5 }).catch((e: Error) => ({ records: [], e }));
  const lines = page.records.map((r) => `${r.status} ${r.error ? `${r.error.errorType}: ${r.error.errorMessage}` : ''}`);
  return `records of ${fn}:\n${lines.join('\n')}\nserve stderr:\n${serve.stderr().slice(-1500)}`;
}

test('the ready line carries httpApi: http://127.0.0.1:<port>', () => {
  assert.match(ready.httpApi, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('REST payload 1.0: path params, multi-value headers and query strings, with or without the stage prefix', async () => {
  for (const path of ['/dev/echo/42?tag=a&tag=b&q=x+y', '/echo/42?tag=a&tag=b&q=x+y']) {
    const r = await send('GET', path, [
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
      ['User-Agent', 'http-test/1'],
    ]);
    assert.equal(r.status, 200, r.text);
    const e = JSON.parse(r.text);
    assert.equal(e.resource, '/echo/{id}');
    assert.equal(e.path, '/echo/42');
    assert.equal(e.httpMethod, 'GET');
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.deepEqual(e.queryStringParameters, { tag: 'b', q: 'x y' });
    assert.deepEqual(e.multiValueQueryStringParameters, { tag: ['a', 'b'], q: ['x y'] });
    assert.equal(e.headers['X-Multi'], 'two');
    assert.deepEqual(e.multiValueHeaders['X-Multi'], ['one', 'two']);
    assert.equal(e.headers['User-Agent'], 'http-test/1');
    assert.equal(e.stageVariables, null);
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.path, '/dev/echo/42');
    assert.equal(e.requestContext.resourcePath, '/echo/{id}');
    assert.equal(e.requestContext.accountId, '123456789012');
    assert.equal(e.requestContext.identity.sourceIp, '127.0.0.1');
    assert.equal(e.requestContext.identity.userAgent, 'http-test/1');
    assert.equal(e.requestContext.protocol, 'HTTP/1.1');
    assert.equal(header(r, 'x-amzn-requestid')[0], e.requestContext.requestId);
  }
});

test('REST: binaryMediaTypes bodies arrive base64; the implicit API (Prod) serves greedy paths', async () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
  const up = JSON.parse((await send('POST', '/dev/upload', [['Content-Type', 'image/png']], png)).text);
  assert.equal(up.isBase64Encoded, true);
  assert.equal(up.body, png.toString('base64'));
  const text = JSON.parse((await send('POST', '/dev/upload', [['Content-Type', 'application/json']], '{"a":1}')).text);
  assert.equal(text.isBase64Encoded, false);
  assert.equal(text.body, '{"a":1}');
  const files = JSON.parse((await send('DELETE', '/Prod/files/a/b%20c.txt')).text);
  assert.equal(files.resource, '/files/{proxy+}');
  assert.deepEqual(files.pathParameters, { proxy: 'a/b c.txt' });
  assert.equal(files.requestContext.stage, 'Prod');
});

test('HTTP API payload 2.0: lowercase comma-joined headers, cookies[], joined query values, routeKey', async () => {
  const r = await send('GET', '/v2/echo/7?a=1&a=2&b=%C3%A4', [
    ['X-Multi', 'one'],
    ['X-Multi', 'two'],
    ['Cookie', 'session=abc; theme=dark'],
  ]);
  assert.equal(r.status, 200, r.text);
  const e = JSON.parse(r.text);
  assert.equal(e.version, '2.0');
  assert.equal(e.routeKey, 'GET /v2/echo/{id}');
  assert.equal(e.rawPath, '/v2/echo/7');
  assert.equal(e.rawQueryString, 'a=1&a=2&b=%C3%A4');
  assert.deepEqual(e.cookies, ['session=abc', 'theme=dark']);
  assert.equal(e.headers['x-multi'], 'one,two');
  assert.equal(e.headers.cookie, undefined);
  assert.deepEqual(e.queryStringParameters, { a: '1,2', b: 'ä' });
  assert.deepEqual(e.pathParameters, { id: '7' });
  assert.equal(e.requestContext.routeKey, 'GET /v2/echo/{id}');
  assert.equal(e.requestContext.stage, '$default');
  assert.equal(e.requestContext.http.method, 'GET');
  assert.equal(e.requestContext.http.path, '/v2/echo/7');
  assert.equal(e.requestContext.http.sourceIp, '127.0.0.1');
  assert.equal(e.isBase64Encoded, false);
  assert.equal(e.body, undefined);
  assert.equal(header(r, 'apigw-requestid')[0], e.requestContext.requestId);

  const v1 = JSON.parse((await send('POST', '/v1/echo', [['Content-Type', 'text/plain']], 'hello')).text);
  assert.equal(v1.version, '1.0');
  assert.equal(v1.httpMethod, 'POST');
  assert.equal(v1.body, 'hello');
  assert.equal(v1.requestContext.routeKey, 'POST /v1/echo');
});

test('payload 1.0 responses on REST: multiValueHeaders merge, malformed → 502, binary by binaryMediaTypes', async () => {
  const multi = await send('GET', '/dev/responses?kind=multi');
  assert.equal(multi.status, 201);
  assert.deepEqual(header(multi, 'set-cookie'), ['a=1', 'b=2']);
  assert.deepEqual(header(multi, 'x-one'), ['1']);
  assert.equal(multi.text, 'multi');
  const malformed = await send('GET', '/dev/responses?kind=malformed');
  assert.equal(malformed.status, 502);
  assert.equal(malformed.text, '{"message":"Internal server error"}');
  const stringResult = await send('GET', '/dev/responses?kind=string');
  assert.equal(stringResult.status, 502);
  const binary = await send('GET', '/dev/responses?kind=binary');
  assert.equal(binary.status, 200);
  assert.deepEqual([...binary.body], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const pdf = await send('GET', '/dev/responses?kind=pdf');
  assert.equal(pdf.text, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64'));
});

test('payload 2.0 responses on the HTTP API and function URLs: any JSON is a 200, cookies become Set-Cookie', async () => {
  const s = await send('GET', '/responses?kind=string');
  assert.equal(s.status, 200);
  assert.equal(s.text, '"Hello"');
  assert.deepEqual(header(s, 'content-type'), ['application/json']);
  const o = await send('GET', '/responses?kind=object');
  assert.equal(o.text, '{"message":"hi"}');
  const n = await send('GET', '/responses?kind=null');
  assert.equal(n.text, 'null');
  // An object with statusCode is a response even with extra keys (unlike payload 1.0).
  const extra = await send('GET', '/responses?kind=malformed');
  assert.equal(extra.status, 200);
  assert.equal(extra.text, 'x');
  const url = await send('GET', '/lambda-url/ResponsesFunction/?kind=cookies');
  assert.equal(url.status, 200);
  assert.deepEqual(header(url, 'set-cookie'), ['a=1; Path=/', 'b=2']);
  assert.deepEqual(header(url, 'content-type'), ['text/plain']);
  assert.equal(url.text, 'ok');
  const bin = await send('GET', '/lambda-url/ResponsesFunction/?kind=pdf');
  assert.deepEqual([...bin.body], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('function errors: REST 502, HTTP API 500; a function timing out is a function error too', async () => {
  const rest = await send('GET', '/dev/fail');
  assert.equal(rest.status, 502);
  assert.equal(rest.text, '{"message":"Internal server error"}');
  const http = await send('GET', '/fail');
  assert.equal(http.status, 500);
  assert.equal(http.text, '{"message":"Internal Server Error"}');
  const sleepyRest = await send('GET', '/dev/sleepy?ms=3000');
  assert.equal(sleepyRest.status, 502);
  const sleepyHttp = await send('GET', '/sleepy?ms=3000');
  assert.equal(sleepyHttp.status, 500);
});

test('integration timeout (TimeoutInMillis 1000): REST 504 Endpoint request timed out, HTTP API 503', async () => {
  const rest = await send('GET', '/dev/slow?ms=2500');
  assert.equal(rest.status, 504, await explain('SlowFunction'));
  assert.equal(rest.text, '{"message":"Endpoint request timed out"}');
  const http = await send('GET', '/slow?ms=2500');
  assert.equal(http.status, 503, await explain('SlowFunction'));
  assert.equal(http.text, '{"message":"Service Unavailable"}');
});

test('unknown routes: REST 403 Missing Authentication Token, HTTP API 404 Not Found', async () => {
  const rest = await send('GET', '/dev/nothing');
  assert.equal(rest.status, 403);
  assert.equal(rest.text, '{"message":"Missing Authentication Token"}');
  const http = await send('GET', '/nothing');
  assert.equal(http.status, 404);
  assert.equal(http.text, '{"message":"Not Found"}');
  const wrongMethod = await send('DELETE', '/dev/echo/1');
  assert.equal(wrongMethod.status, 403);
});

test("a body over API Gateway's 10 MB limit is answered 413 without reaching the function", async () => {
  const before = await rpc<{ records: InvocationRecord[] }>('listInvocations', { function: 'EchoFunction', limit: 500 });
  const r = await send('POST', '/v1/echo', [['Content-Type', 'application/json']], Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
  assert.equal(r.status, 413);
  assert.deepEqual(JSON.parse(r.text), { message: 'Request Entity Too Large' });
  const small = await send('POST', '/v1/echo', [['Content-Type', 'application/json']], '{"fits":true}');
  assert.equal(small.status, 200, small.text);
  assert.equal(JSON.parse(small.text).body, '{"fits":true}');
  const after = await rpc<{ records: InvocationRecord[] }>('listInvocations', { function: 'EchoFunction', limit: 500 });
  assert.equal(after.records.length, before.records.length + 1, 'only the request that fits was an invocation');
});

test('CORS: REST preflight from the Api Cors; HTTP API preflight and response headers for allowed origins', async () => {
  const rest = await send('OPTIONS', '/dev/echo/1', [
    ['Origin', 'https://app.example.com'],
    ['Access-Control-Request-Method', 'GET'],
  ]);
  assert.equal(rest.status, 200);
  assert.deepEqual(header(rest, 'access-control-allow-origin'), ['https://app.example.com']);
  assert.deepEqual(header(rest, 'access-control-allow-methods'), ['GET,OPTIONS']);
  assert.deepEqual(header(rest, 'access-control-allow-headers'), ['content-type']);
  const http = await send('OPTIONS', '/v2/echo/1', [
    ['Origin', 'https://web.example.com'],
    ['Access-Control-Request-Method', 'POST'],
  ]);
  assert.equal(http.status, 204);
  assert.deepEqual(header(http, 'access-control-allow-origin'), ['https://web.example.com']);
  assert.deepEqual(header(http, 'access-control-allow-methods'), ['GET,POST']);
  const denied = await send('OPTIONS', '/v2/echo/1', [
    ['Origin', 'https://evil.example.com'],
    ['Access-Control-Request-Method', 'POST'],
  ]);
  assert.equal(denied.status, 204);
  assert.deepEqual(header(denied, 'access-control-allow-origin'), []);
  const get = await send('GET', '/v2/echo/1', [['Origin', 'https://web.example.com']]);
  assert.deepEqual(header(get, 'access-control-allow-origin'), ['https://web.example.com']);
});

test('every request is an invocation record with trigger http and the request and response attached', async () => {
  const r = await send('POST', '/lambda-url/ResponsesFunction/path/x?kind=object', [['Content-Type', 'application/json']], '{"n":1}');
  assert.equal(r.status, 200);
  const requestId = header(r, 'x-amzn-requestid')[0];
  // The store writes asynchronously; wait for the record, not for a time.
  let record: InvocationRecord | undefined;
  await waitUntil(
    async () => {
      const page = await rpc<{ records: InvocationRecord[] }>('listInvocations', { function: 'ResponsesFunction', limit: 20 });
      record = page.records.find((x) => x.http?.request.path === '/lambda-url/ResponsesFunction/path/x');
      return record?.http?.response !== undefined;
    },
    30_000,
    'the record with its HTTP response',
  );
  assert.ok(record, 'the record is listed');
  assert.equal(record.kind, 'invocation');
  assert.equal(record.trigger, 'http');
  assert.equal(record.status, 'success');
  assert.equal((record.event as { requestContext: { requestId: string } }).requestContext.requestId, requestId);
  assert.deepEqual(
    { ...record.http, request: { ...record.http!.request, headers: undefined } },
    {
      request: { method: 'POST', path: '/lambda-url/ResponsesFunction/path/x', query: 'kind=object', headers: undefined, body: '{"n":1}' },
      api: 'url',
      routeKey: '$default',
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'X-Amzn-Trace-Id': header(r, 'x-amzn-trace-id')[0] },
        body: '{"message":"hi"}',
      },
    },
  );
  assert.equal((record.http!.request.headers as Record<string, string>)['Content-Type'], 'application/json');
});

test('httpApi.status lists the routes; httpApi.stop and httpApi.start restart the server', async () => {
  const status = await rpc<{ running: boolean; url: string; routes: { method: string; path: string; function: string; api: string }[] }>('httpApi.status');
  assert.equal(status.running, true);
  assert.equal(status.url, ready.httpApi);
  assert.deepEqual(
    status.routes.filter((r) => r.function === 'ResponsesFunction'),
    [
      { method: 'GET', path: '/responses', function: 'ResponsesFunction', api: 'rest' },
      { method: 'GET', path: '/responses', function: 'ResponsesFunction', api: 'http' },
      { method: 'ANY', path: '/lambda-url/ResponsesFunction/', function: 'ResponsesFunction', api: 'url' },
    ],
  );
  assert.deepEqual(await rpc('httpApi.stop'), { stopped: true });
  await assert.rejects(send('GET', '/hello'));
  const port = Number(new URL(ready.httpApi).port);
  assert.deepEqual(await rpc('httpApi.start', { port }), { url: ready.httpApi });
  const again = await send('GET', '/hello');
  assert.equal(again.status, 200);
  assert.equal(again.text, 'hello');
});

test('routes follow the template: a route added while serve runs answers without a restart', async () => {
  const project = mkdtempSync(join(tmpdir(), 'lw-http-reload-'));
  const template = (paths: string[]) =>
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  HelloFunction:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: hello.handler',
      '      Runtime: nodejs22.x',
      '      Events:',
      ...paths.flatMap((p, i) => [`        E${i}:`, '          Type: HttpApi', `          Properties: { Path: ${p}, Method: GET }`]),
      '',
    ].join('\n');
  writeFileSync(join(project, 'hello.js'), 'exports.handler = async (e) => ({ statusCode: 200, body: e.routeKey });\n');
  writeFileSync(join(project, 'template.yaml'), template(['/one']));
  const child = await startServe(['--root', project, '--state-dir', join(project, '.state')], { timeoutMs: 60_000 });
  try {
    const url = child.ready.httpApi!;
    const get = async (path: string) => {
      const r = await fetch(url + path);
      return { status: r.status, text: await r.text() };
    };
    assert.deepEqual(await get('/one'), { status: 200, text: 'GET /one' }, child.stderr());
    assert.deepEqual(await get('/two'), { status: 404, text: '{"message":"Not Found"}' }, child.stderr());
    writeFileSync(join(project, 'template.yaml'), template(['/one', '/two']));
    let two = await get('/two');
    // On timeout the assertion below shows the last answer with the host's stderr.
    await waitUntil(async () => (two = await get('/two')).status === 200, 60_000, 'the new route', 100).catch(() => undefined);
    assert.deepEqual(two, { status: 200, text: 'GET /two' }, child.stderr());
  } finally {
    await child.stop();
    rmSync(project, { recursive: true, force: true });
  }
});

test('one HTTP request is announced finished once and stored once, with its response attached', async () => {
  const ws = new WebSocket(`${ready.ws}?token=${ready.token}`);
  const finished: InvocationRecord[] = [];
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { method?: string; params?: InvocationRecord };
    if (msg.method === 'invocation.finished' && msg.params?.functionName === 'ResponsesFunction') finished.push(msg.params);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    const waitFor = async (path: string): Promise<InvocationRecord> => {
      const hit = () => finished.find((r) => r.http?.request.path === path);
      await waitUntil(() => hit() !== undefined, 30_000, `invocation.finished for ${path}`).catch((err: Error) => {
        throw new Error(`${err.message}; got ${finished.length}\n${serve.stderr().slice(-1500)}`);
      });
      return hit()!;
    };
    const r = await send('GET', '/lambda-url/ResponsesFunction/once?kind=object');
    assert.equal(r.status, 200);
    const requestId = header(r, 'x-amzn-requestid')[0]!;
    const first = await waitFor('/lambda-url/ResponsesFunction/once');
    // A second request after the first was answered: its notification comes after any repeat of the first's.
    const marker = await send('GET', '/lambda-url/ResponsesFunction/marker?kind=object');
    assert.equal(marker.status, 200);
    const markerRecord = await waitFor('/lambda-url/ResponsesFunction/marker');
    assert.deepEqual(
      finished.filter((x) => x.id === first.id).map((x) => x.http?.response?.statusCode),
      [200],
      'exactly one invocation.finished for the request, carrying the response',
    );
    assert.equal(first.http?.response?.body, '{"message":"hi"}');
    assert.equal(first.http?.response?.headers['x-amzn-RequestId'], requestId);

    // The durable history: the record's lines are `running` (started) then one final line with the response.
    const file = join(stateDir, 'invocations.jsonl');
    let lines: InvocationRecord[] = [];
    await waitUntil(
      () => {
        lines = readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as InvocationRecord);
        return lines.some((x) => x.id === markerRecord.id && x.status === 'success');
      },
      30_000,
      'the marker record in the history file',
    );
    const mine = lines.filter((x) => x.id === first.id);
    assert.deepEqual(
      mine.map((x) => [x.status, x.http?.response?.statusCode ?? null]),
      [
        ['running', null],
        ['success', 200],
      ],
    );
    const listed = await rpc<{ records: InvocationRecord[] }>('listInvocations', { function: 'ResponsesFunction', limit: 100 });
    assert.equal(listed.records.filter((x) => x.id === first.id).length, 1);
  } finally {
    ws.close();
  }
});
