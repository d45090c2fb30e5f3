// `lambda-workbench serve` over its real WebSocket: the ready line, refusals at the upgrade, every
// core method, notifications (log lines as they happen), JSON-RPC errors and a seeded fuzz run.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { METHOD_NAMES, type DebugTarget, type ListInvocationsResult } from '../../runtime-host/protocol/methods';
import { BRIEF_EVENT_LIMIT_BYTES, BRIEF_RECORDS_QUERY } from '../../runtime-host/protocol/index';
import type { InvocationRecord, InvokeOutput, TruncatedValue } from '../../runtime-host/protocol/records';
import { copyFixture, removeDir, RpcClient, RpcClientError, startServe, upgradeStatus, waitUntil, type ServeProcess } from './serve-helpers';

let project: string;
let serve: ServeProcess;
let client: RpcClient;

before(async () => {
  project = copyFixture('service-project');
  serve = await startServe(['--root', project]);
  client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
});

after(async () => {
  client?.close();
  await serve?.stop();
  removeDir(project);
});

async function rpcError(promise: Promise<unknown>): Promise<RpcClientError['error']> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RpcClientError) return err.error;
    throw err;
  }
  throw new Error('expected a JSON-RPC error');
}

describe('serve: ready line and host file', () => {
  it('prints exactly one JSON ready line with the contract keys', () => {
    assert.equal(serve.stdoutLines.length, 1);
    const r = serve.ready;
    assert.equal(r.event, 'ready');
    assert.match(r.ws, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.match(r.token, /^[0-9a-f]{64}$/);
    assert.match(r.invokeApi, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(r).slice(0, 4), ['event', 'ws', 'token', 'invokeApi']);
    for (const [k, v] of Object.entries(r)) assert.equal(typeof v, 'string', `ready.${k}`);
    // The dashboard lives on the WebSocket's own port, so its page is an allowed Origin.
    assert.equal(r.dashboard, `http://127.0.0.1:${new URL(r.ws).port}/?token=${r.token}`);
  });

  it('serves the dashboard page on the WebSocket port and 404 elsewhere', async () => {
    const page = await fetch(serve.ready.dashboard!);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const other = await fetch(`http://127.0.0.1:${new URL(serve.ready.ws).port}/nothing-here`);
    assert.equal(other.status, 404);
  });

  it('writes <stateDir>/host.json (mode 0600) for CLI commands', () => {
    const file = join(project, '.lambda-workbench', 'host.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      ws: serve.ready.ws,
      token: serve.ready.token,
      invokeApi: serve.ready.invokeApi,
      awsEndpoint: serve.ready.awsEndpoint,
      pid: serve.proc.pid,
    });
    assert.equal(readFileSync(join(project, '.lambda-workbench', '.gitignore'), 'utf8'), '*\n');
  });
});

describe('serve: refusals at the upgrade', () => {
  it('refuses a missing or wrong token with 401', async () => {
    assert.equal(await upgradeStatus(`${serve.ready.ws}/`), 401);
    assert.equal(await upgradeStatus(`${serve.ready.ws}/?token=${'0'.repeat(64)}`), 401);
    assert.equal(await upgradeStatus(`${serve.ready.ws}/?token=${serve.ready.token.slice(0, 10)}`), 401);
    assert.equal(await upgradeStatus(`${serve.ready.ws}/?token=${serve.ready.token}`), 101);
  });

  it('refuses a foreign Origin with 403, allows its own page and VS Code webviews', async () => {
    const url = `${serve.ready.ws}/?token=${serve.ready.token}`;
    const port = new URL(serve.ready.ws).port;
    assert.equal(await upgradeStatus(url, { Origin: 'http://evil.example' }), 403);
    assert.equal(await upgradeStatus(url, { Origin: `http://127.0.0.1:${Number(port) + 1}` }), 403);
    assert.equal(await upgradeStatus(url, { Origin: 'null' }), 403);
    assert.equal(await upgradeStatus(url, { Origin: `http://127.0.0.1:${port}` }), 101);
    assert.equal(await upgradeStatus(url, { Origin: `http://localhost:${port}` }), 101);
    assert.equal(await upgradeStatus(url, { Origin: 'vscode-webview://1a2b3c4d' }), 101);
  });

  it('accepts the token as a WebSocket subprotocol (browsers cannot set headers)', async () => {
    const WebSocket = (await import('ws')).default;
    const ws = new WebSocket(serve.ready.ws, [serve.ready.token]);
    const protocol = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => resolve(ws.protocol));
      ws.once('error', reject);
    });
    assert.equal(protocol, serve.ready.token);
    ws.close();
  });
});

describe('serve: methods', () => {
  it('listFunctions returns the template functions', async () => {
    const fns = await client.request<FunctionInfo[]>('listFunctions');
    assert.deepEqual(
      fns.map((f) => [f.name, f.handler, f.runtime, f.timeoutSeconds]),
      [
        ['Hello', 'hello.handler', 'nodejs22.x', 5],
        ['Fails', 'fail.handler', 'nodejs22.x', 5],
        ['Slow', 'slow.handler', 'nodejs22.x', 120],
        ['Chatty', 'chatty.handler', 'nodejs22.x', 60],
        ['FailsOnce', 'fail.handler', 'nodejs22.x', 5],
      ],
    );
    assert.equal(fns[0]!.codeUri, join(project, 'src'));
    assert.deepEqual(fns[0]!.environment, { GREETING: 'hello', REGION_TEXT: 'us-east-1/123456789012' });
  });

  it('invoke a template function: the invoke --json object, cold then warm', async () => {
    const first = await client.request<InvokeOutput>('invoke', { function: 'Hello', event: { n: 1 }, env: { EXTRA: 'x' } });
    assert.deepEqual(first.result, { greeting: 'hello', region: 'us-east-1/123456789012', extra: 'x', count: 1, event: { n: 1 } });
    assert.equal(first.functionName, 'Hello');
    assert.equal(first.cold, true);
    assert.equal(first.report.status, 'success');
    assert.equal(first.report.memorySizeMB, 128);
    assert.match(first.logs.at(-1)!, /^REPORT RequestId: /);
    const second = await client.request<InvokeOutput>('invoke', { function: 'Hello', event: { n: 2 }, env: { EXTRA: 'x' } });
    assert.equal(second.cold, false);
    assert.equal((second.result as { count: number }).count, 2);
  });

  it('invoke a function error: error object, not a JSON-RPC error', async () => {
    const out = await client.request<InvokeOutput>('invoke', { function: 'Fails' });
    assert.equal(out.result, undefined);
    assert.deepEqual([out.error!.errorType, out.error!.errorMessage, out.report.status, out.report.errorType], ['Error', 'boom', 'error', 'Error']);
  });

  it('invoke a bare handler with a root inside the project', async () => {
    const out = await client.request<InvokeOutput>('invoke', { handler: 'hello.handler', root: 'src', event: { bare: true }, memory: 256, timeout: 2 });
    assert.deepEqual(out.result, { extra: null, count: 1, event: { bare: true } });
    assert.equal(out.functionName, 'hello-handler');
    assert.equal(out.report.memorySizeMB, 256);
  });

  it('invoke mistakes: clear JSON-RPC errors with hints', async () => {
    const unknown = await rpcError(client.request('invoke', { function: 'Nope' }));
    assert.deepEqual(
      [unknown.code, unknown.message, unknown.data?.hint],
      [-32001, "function 'Nope' not found", 'known functions: Hello, Fails, Slow, Chatty, FailsOnce, hello-handler'],
    );
    const memory = await rpcError(client.request('invoke', { function: 'Hello', memory: 64 }));
    assert.deepEqual([memory.code, memory.data?.hint], [-32602, 'invoke: "memory" must be a whole number from 128 to 10240']);
    const neither = await rpcError(client.request('invoke', { event: {} }));
    assert.deepEqual([neither.code, neither.data?.hint], [-32602, 'invoke needs "function" (a name from listFunctions) or "handler" (+ optional "root")']);
    const outside = await rpcError(client.request('invoke', { handler: 'x.handler', root: '../..' }));
    assert.equal(outside.code, -32000);
    assert.equal(outside.message, "root '../..' is outside the project");
  });

  it('listInvocations pages newest first and filters by function; getInvocation returns the record', async () => {
    const all = await client.request<ListInvocationsResult>('listInvocations', { limit: 2 });
    assert.equal(all.records.length, 2);
    assert.equal(typeof all.nextCursor, 'string');
    const next = await client.request<ListInvocationsResult>('listInvocations', { limit: 2, cursor: all.nextCursor });
    assert.notDeepEqual(
      next.records.map((r) => r.id),
      all.records.map((r) => r.id),
    );
    const hello = await client.request<ListInvocationsResult>('listInvocations', { function: 'Hello' });
    assert.deepEqual(
      hello.records.map((r) => (r.event as { n: number }).n),
      [2, 1],
    );
    assert.ok(hello.records.every((r) => r.functionName === 'Hello' && r.status === 'success'));
    const one = await client.request<InvocationRecord>('getInvocation', { id: hello.records[0]!.id });
    assert.deepEqual(one, hello.records[0]);
    const missing = await rpcError(client.request('getInvocation', { id: 'nope' }));
    assert.deepEqual([missing.code, missing.message], [-32001, "invocation 'nope' not found"]);
    const badCursor = await rpcError(client.request('listInvocations', { cursor: '%%%' }));
    assert.equal(badCursor.code, -32602);
    const badLimit = await rpcError(client.request('listInvocations', { limit: 0 }));
    assert.deepEqual([badLimit.code, badLimit.data?.hint], [-32602, 'listInvocations: "limit" must be a whole number from 1 to 500']);
  });

  it('notifications: started, each log line as it happens, finished; cancelInvocation interrupts', async () => {
    const marker = join(project, 'chatty-go');
    const done = client.request<InvokeOutput>('invoke', { function: 'Chatty', event: { waitFor: marker } });
    const started = await client.waitFor('invocation.started', (r) => r.functionName === 'Chatty');
    // The handler is blocked until the marker exists: seeing its first line now proves lines stream live.
    const line = await client.waitFor('invocation.log', (l) => l.id === started.id && l.line.endsWith('\tINFO\tfirst line'));
    assert.match(line.line, /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tfirst line$/);
    assert.equal(
      client.notifications.some((n) => n.method === 'invocation.log' && (n.params as { line: string }).line.endsWith('second line')),
      false,
    );
    writeFileSync(marker, 'go');
    const out = await done;
    assert.equal(out.result, 'done');
    const finished = await client.waitFor('invocation.finished', (r) => r.id === started.id);
    assert.equal(finished.status, 'success');
    assert.deepEqual(
      finished.logs.filter((l) => l.includes('\tINFO\t')).map((l) => l.split('\t')[3]),
      ['first line', 'second line'],
    );

    const pending = client.request<InvokeOutput>('invoke', { function: 'Chatty', event: { waitFor: join(project, 'never') } });
    const second = await client.waitFor('invocation.log', (l) => l.id !== started.id && l.line.endsWith('first line'));
    assert.deepEqual(await client.request('cancelInvocation', { id: second.id }), { cancelled: true });
    await pending;
    const rec = await client.request<InvocationRecord>('getInvocation', { id: second.id });
    assert.equal(rec.status, 'interrupted');
    assert.deepEqual(await client.request('cancelInvocation', { id: second.id }), { cancelled: false });
  });

  it('brief records: a large event is its preview for a brief client and page, whole from getInvocation', async () => {
    const brief = await RpcClient.connect(serve.ready.ws, serve.ready.token, {}, { [BRIEF_RECORDS_QUERY.name]: BRIEF_RECORDS_QUERY.value });
    try {
      const event = { n: 99, pad: 'x'.repeat(BRIEF_EVENT_LIMIT_BYTES), tail: 'past-the-preview' };
      const bytes = Buffer.byteLength(JSON.stringify(event));
      const out = await client.request<InvokeOutput>('invoke', { function: 'Hello', event });
      const seenWhole = await client.waitFor('invocation.finished', (r) => r.id === out.requestId);
      const seenBrief = await brief.waitFor('invocation.finished', (r) => r.id === out.requestId);
      assert.deepEqual(seenWhole.event, event);
      assert.equal(seenWhole.omitted, undefined);
      assert.deepEqual(seenBrief.omitted, { event: bytes });
      const marker = seenBrief.event as TruncatedValue;
      assert.deepEqual([marker.truncated, marker.bytes, marker.preview], [true, bytes, JSON.stringify(event).slice(0, 1024)]);
      // Everything but the event is the record itself.
      const { event: _briefEvent, omitted: _omitted, ...briefRest } = seenBrief;
      const { event: _wholeEvent, ...wholeRest } = seenWhole;
      assert.deepEqual(briefRest, wholeRest);

      const page = await brief.request<ListInvocationsResult>('listInvocations', { function: 'Hello', limit: 5, brief: true });
      const listed = page.records.find((r) => r.id === out.requestId)!;
      assert.deepEqual([listed.omitted, (listed.event as TruncatedValue).bytes], [{ event: bytes }, bytes]);
      // Small events are whole in a brief page too.
      assert.ok(page.records.filter((r) => r.id !== out.requestId).every((r) => r.omitted === undefined && (r.event as { n?: number }).n !== undefined));
      const plain = await brief.request<ListInvocationsResult>('listInvocations', { function: 'Hello', limit: 5 });
      assert.deepEqual(plain.records.find((r) => r.id === out.requestId)!.event, event);
      assert.deepEqual((await brief.request<InvocationRecord>('getInvocation', { id: out.requestId })).event, event);
      const bad = await rpcError(brief.request('listInvocations', { brief: 'yes' }));
      assert.deepEqual([bad.code, bad.data?.hint], [-32602, 'listInvocations: "brief" must be true or false']);
    } finally {
      brief.close();
    }
  });

  it('debug.prepare starts an inspector environment and announces it; paused/resumed answer ok', async () => {
    const target = await client.request<DebugTarget>('debug.prepare', { function: 'Hello' });
    assert.equal(target.host, '127.0.0.1');
    assert.equal(target.kind, 'node-inspector');
    assert.ok(Number.isInteger(target.port) && target.port > 0);
    const note = await client.waitFor('debug.environmentStarted', (t) => t.environmentId === target.environmentId);
    assert.equal(note.port, target.port);
    assert.deepEqual(await client.request('debug.paused', { environmentId: target.environmentId }), { ok: true });
    assert.deepEqual(await client.request('debug.resumed', { environmentId: target.environmentId }), { ok: true });
    const bad = await rpcError(client.request('debug.paused', {}));
    assert.equal(bad.code, -32602);
  });

  it('event sources contribute their methods', async () => {
    const err = await rpcError(client.request('no.such.method'));
    assert.equal(err.code, -32601);
    const names = /available: (.*)$/.exec(err.data!.hint!)![1]!.split(', ');
    // Every method of the protocol has a handler, and the host answers nothing the protocol does not declare.
    assert.deepEqual(names, [...METHOD_NAMES].sort());
  });
});

describe('serve: malformed messages', () => {
  it('parse error, invalid request, method not found, invalid params — each a proper JSON-RPC error', async () => {
    assert.deepEqual(await client.raw('{"jsonrpc":"2.0","id":1,'), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error', data: { hint: await parseHint('{"jsonrpc":"2.0","id":1,') } },
    });
    assert.deepEqual(await client.raw('42'), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request', data: { hint: 'send an object {"jsonrpc":"2.0","id":1,"method":"…","params":{…}}' } },
    });
    assert.deepEqual(await client.raw('{"jsonrpc":"1.0","id":7,"method":"listFunctions"}'), {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32600, message: 'Invalid Request', data: { hint: 'the "jsonrpc" member must be exactly "2.0"' } },
    });
    assert.deepEqual(await client.raw('{"jsonrpc":"2.0","id":8,"result":1}'), {
      jsonrpc: '2.0',
      id: 8,
      error: { code: -32600, message: 'Invalid Request', data: { hint: '"method" must be a string (responses are not accepted by the host)' } },
    });
    assert.deepEqual(await client.raw('{"jsonrpc":"2.0","id":{"x":1},"method":"listFunctions"}'), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request', data: { hint: '"id" must be a string, a number or null' } },
    });
    const nf = (await client.raw('{"jsonrpc":"2.0","id":"a","method":"nope"}')) as { id: string; error: { code: number } };
    assert.deepEqual([nf.id, nf.error.code], ['a', -32601]);
    assert.deepEqual(await client.raw('{"jsonrpc":"2.0","id":9,"method":"getInvocation","params":[1]}'), {
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32602, message: 'Invalid params', data: { hint: 'params are named: pass an object, not an array' } },
    });
    assert.deepEqual(await client.raw('{"jsonrpc":"2.0","id":10,"method":"getInvocation","params":{"id":5}}'), {
      jsonrpc: '2.0',
      id: 10,
      error: { code: -32602, message: 'Invalid params', data: { hint: 'getInvocation: "id" must be a string' } },
    });
  });

  it('batches: answered as an array (notifications omitted); an empty batch is one error', async () => {
    const res = (await client.raw(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'listInvocations', params: { limit: 1 } },
        { jsonrpc: '2.0', method: 'listFunctions' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
        5,
      ]),
    )) as { id: number | null; result?: unknown; error?: { code: number } }[];
    assert.equal(res.length, 3);
    assert.deepEqual(
      res.map((r) => [r.id, r.error?.code ?? 'ok']),
      [
        [1, 'ok'],
        [2, -32601],
        [null, -32600],
      ],
    );
    assert.deepEqual(await client.raw('[]'), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request', data: { hint: 'a batch must contain at least one request' } },
    });
  });

  it('fuzz: thousands of random and truncated messages, the host keeps serving', async () => {
    const rng = mulberry32(0x5eed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const methods = [
      'listFunctions',
      'listInvocations',
      'getInvocation',
      'cancelInvocation',
      'debug.paused',
      'debug.resumed',
      'events.listTemplates',
      'events.listSaved',
      'stream.list',
      'sns.listTopics',
      'httpApi.status',
      'nope',
      '',
      'rpc.x',
    ];
    const randomValue = (depth: number): unknown => {
      const k = Math.floor(rng() * (depth > 2 ? 5 : 8));
      switch (k) {
        case 0:
          return null;
        case 1:
          return rng() < 0.5;
        case 2:
          return Math.floor(rng() * 2 ** 31) * (rng() < 0.5 ? -1 : 1);
        case 3:
          return rng();
        case 4:
          return Array.from({ length: Math.floor(rng() * 12) }, () => String.fromCharCode(Math.floor(rng() * 0xffff))).join('');
        case 5:
          return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = Math.floor(rng() * 4); i > 0; i--)
            o[pick(['id', 'limit', 'cursor', 'function', 'environmentId', 'x', '__proto__', 'constructor'])] = randomValue(depth + 1);
          return o;
        }
      }
    };
    const messages: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const valid = JSON.stringify({
        jsonrpc: pick(['2.0', '2.0', '2.0', '1.0', 2]),
        id: pick([i, `s${i}`, null, {}, undefined]),
        method: pick(methods),
        params: randomValue(0),
      });
      const kind = rng();
      if (kind < 0.35) messages.push(valid.slice(0, Math.floor(rng() * valid.length)));
      else if (kind < 0.5) messages.push(Array.from({ length: Math.floor(rng() * 64) }, () => String.fromCharCode(Math.floor(rng() * 256))).join(''));
      else if (kind < 0.6) messages.push(`[${valid},${valid}]`);
      else if (kind < 0.65) messages.push(JSON.stringify(randomValue(0)));
      else messages.push(valid);
    }
    const fuzzClient = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    let frames = 0;
    let bad = 0;
    fuzzClient.ws.on('message', (data) => {
      frames++;
      const msg = JSON.parse(data.toString()) as unknown;
      for (const m of Array.isArray(msg) ? msg : [msg]) {
        const r = m as Record<string, unknown>;
        if (r.jsonrpc !== '2.0') bad++;
        else if ('error' in r) {
          const e = r.error as { code: unknown; message: unknown };
          if (typeof e.code !== 'number' || typeof e.message !== 'string') bad++;
        } else if (!('result' in r) && !('method' in r)) bad++;
      }
    });
    for (const m of messages) fuzzClient.ws.send(m);
    // A request after the storm is answered: the connection and the host survived everything before it.
    const fns = await fuzzClient.request<FunctionInfo[]>('listFunctions');
    assert.deepEqual(
      fns.map((f) => f.name),
      ['Hello', 'Fails', 'Slow', 'Chatty', 'FailsOnce', 'hello-handler'],
    );
    assert.equal(bad, 0);
    // Every frame that was not valid JSON got its parse error (at least those).
    const unparsable = messages.filter((m) => {
      try {
        JSON.parse(m);
        return false;
      } catch {
        return true;
      }
    }).length;
    assert.ok(unparsable > 500, `only ${unparsable} unparsable messages generated`);
    assert.ok(frames >= unparsable, `${frames} frames for ${unparsable} unparsable messages`);
    fuzzClient.close();
    assert.equal(serve.proc.exitCode, null);
    assert.equal((await client.request<FunctionInfo[]>('listFunctions')).length, 6);
  });
});

describe('serve: functions.changed', () => {
  it('editing the template announces the new functions', async () => {
    const file = join(project, 'template.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Default: hello', 'Default: bonjour'));
    const change = await client.waitFor('functions.changed', (p) => p.functions.find((f) => f.name === 'Hello')?.environment.GREETING === 'bonjour');
    assert.deepEqual(
      change.functions.map((f) => f.name),
      ['Hello', 'Fails', 'Slow', 'Chatty', 'FailsOnce', 'hello-handler'],
    );
    const out = await client.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
    assert.equal((out.result as { greeting: string }).greeting, 'bonjour');
    assert.equal(out.cold, true);
  });

  it('a new .env file is picked up: functions.changed, and the next invoke sees the variable', async () => {
    writeFileSync(join(project, '.env'), 'EXTRA=from-dotenv\n');
    await client.waitFor('functions.changed', (p) => p.functions.find((f) => f.name === 'Hello')?.environment.EXTRA === 'from-dotenv');
    const out = await client.request<InvokeOutput>('invoke', { function: 'Hello', event: {} });
    assert.deepEqual([(out.result as { extra: string }).extra, out.cold], ['from-dotenv', true]);
  });

  it('a broken template keeps the previous functions and says why on stderr', async () => {
    const file = join(project, 'template.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good}\n  Broken: [unclosed\n`);
    await waitForStderr(/template\.yaml:\d+:\d+: .*\(keeping the previous functions\)/);
    assert.equal((await client.request<FunctionInfo[]>('listFunctions')).length, 6);
    writeFileSync(file, good);
  });
});

async function waitForStderr(pattern: RegExp): Promise<void> {
  await waitUntil(() => pattern.test(serve.stderr()), 30_000, `stderr to match ${pattern}`).catch((err: Error) => {
    throw new Error(`${err.message}:\n${serve.stderr()}`);
  });
}

async function parseHint(text: string): Promise<string> {
  try {
    JSON.parse(text);
  } catch (err) {
    return `the message is not valid JSON: ${(err as Error).message}`;
  }
  return '';
}

/** Small seeded PRNG so a failing fuzz run reproduces. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
