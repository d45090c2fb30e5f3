// Shared by the serve-*.test.ts files: a real `node dist/cli.js serve` in a temporary copy of a
// fixture project, its ready line, and a small JSON-RPC client over a real WebSocket.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ReadyLine } from '../../runtime-host/protocol/index';
import type { Notifications, RpcErrorObject } from '../../runtime-host/protocol/methods';
import { waitUntil } from '../helpers/wait';

export const repoRoot = join(__dirname, '..', '..');
export const cli = join(repoRoot, 'dist', 'cli.js');

/** A fresh copy of test/fixtures/<name> in a temp folder (tests edit files and write state there). */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lw-${name}-`));
  cpSync(join(repoRoot, 'test', 'fixtures', name), dir, { recursive: true });
  return dir;
}

export interface ServeProcess {
  proc: ChildProcess;
  ready: ReadyLine & Record<string, string>;
  /** Every stdout line (the contract: exactly one). */
  stdoutLines: string[];
  stderr: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function startServe(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const proc = spawn(process.execPath, [cli, 'serve', ...args], {
    env: { ...process.env, ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stdoutLines: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = await new Promise<ReadyLine & Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve not ready after ${options.timeoutMs ?? 30000} ms; stderr:\n${stderr}`)), options.timeoutMs ?? 30000);
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        stdoutLines.push(line);
        if (stdoutLines.length === 1) {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(line));
          } catch (err) {
            reject(err as Error);
          }
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before ready; stderr:\n${stderr}`));
    });
  });
  return {
    proc,
    ready,
    stdoutLines,
    stderr: () => stderr,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export class RpcClientError extends Error {
  constructor(readonly error: RpcErrorObject) {
    super(error.message);
  }
}

type AnyNotification = { method: keyof Notifications; params: unknown };

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly notifications: AnyNotification[] = [];
  /** Frames that were neither a response to a pending request nor a notification. */
  readonly other: unknown[] = [];
  private waiters: { test: (n: AnyNotification) => boolean; resolve: (n: AnyNotification) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if (!Array.isArray(msg) && 'method' in msg && !('id' in msg)) {
        const n = msg as unknown as AnyNotification;
        this.notifications.push(n);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(n)) return true;
          w.resolve(n);
          return false;
        });
        return;
      }
      const id = Array.isArray(msg) ? undefined : (msg.id as number | string);
      const p = id !== undefined && id !== null ? this.pending.get(id) : undefined;
      if (!p) {
        this.other.push(msg);
        return;
      }
      this.pending.delete(id!);
      if ('error' in msg) p.reject(new RpcClientError(msg.error as RpcErrorObject));
      else p.resolve(msg.result);
    });
  }

  static async connect(url: string, token: string, headers: Record<string, string> = {}, query: Record<string, string> = {}): Promise<RpcClient> {
    const search = new URLSearchParams({ token, ...query });
    const ws = new WebSocket(`${url}/?${search.toString()}`, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RpcClient(ws);
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = `rpc-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }));
    });
  }

  /** Sends a raw frame and resolves with the next frame that is not a notification. */
  raw(text: string): Promise<unknown> {
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as Record<string, unknown>;
        if (!Array.isArray(msg) && 'method' in msg && !('id' in msg)) return;
        this.ws.off('message', onMessage);
        resolve(msg);
      };
      this.ws.on('message', onMessage);
      this.ws.send(text);
    });
  }

  waitFor<N extends keyof Notifications>(method: N, test: (params: Notifications[N]) => boolean = () => true, timeoutMs = 30000): Promise<Notifications[N]> {
    const found = this.notifications.find((n) => n.method === method && test(n.params as Notifications[N]));
    if (found) return Promise.resolve(found.params as Notifications[N]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} notification within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test: (n) => n.method === method && test(n.params as Notifications[N]),
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n.params as Notifications[N]);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with the HTTP status the server answered the upgrade with (101 when it was accepted). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

/** Pids of execution environments (node-bootstrap processes) whose task root is under `dir`. */
export function environmentPids(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('bootstrap')) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd.startsWith(dir)) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export { waitUntil };

/** What an AWS SDK client needs to talk to a host's local AWS endpoint (any credentials; one attempt, so a failure shows at once). */
export function localAwsConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A fixture served for one suite: its handles are live once the suite's tests run. */
export interface ServedFixture {
  /** The temporary copy of the fixture that serve runs in. */
  readonly dir: string;
  readonly serve: ServeProcess;
  /** Connected to this run of serve, collecting its notifications. */
  readonly client: RpcClient;
  /** Stops serve and starts it again on the same folder (state survives); resolves with the exit code of the stop. */
  restart(): Promise<number | null>;
}

/**
 * Copies test/fixtures/<name> (then `prepare` may edit the copy), starts serve in it and connects
 * a client before the suite's tests, and ends all of it after them. Call it inside `describe`.
 */
export function servedFixture(name: string, options: { prepare?: (dir: string) => void } = {}): ServedFixture {
  let dir = '';
  let serve: ServeProcess | undefined;
  let client: RpcClient | undefined;
  const start = async () => {
    serve = await startServe(['--root', dir], { timeoutMs: 60_000 });
    client = await RpcClient.connect(serve.ready.ws, serve.ready.token);
  };
  before(async () => {
    dir = copyFixture(name);
    options.prepare?.(dir);
    await start();
  });
  after(async () => {
    client?.close();
    await serve?.stop();
    if (dir) removeDir(dir);
  });
  return {
    get dir() {
      return dir;
    },
    get serve() {
      return serve!;
    },
    get client() {
      return client!;
    },
    async restart() {
      client!.close();
      const code = await serve!.stop();
      await start();
      return code;
    },
  };
}

/**
 * The two tests every `examples/hello-<language>` project passes under `serve`: its HttpApi route
 * `GET /hello/{name}` answers with the handler's greeting, and the Invoke API (through the AWS SDK) runs
 * the same function with the route's event.
 */
export function helloExampleTests(
  served: () => ServeProcess,
  example: { functionName: string; name: string; routeTitle: string; jsonContentType: boolean },
): void {
  test(`through the HTTP API: GET /hello/{name} ${example.routeTitle}`, async () => {
    const response = await fetch(new URL(`/hello/${example.name}`, served().ready.httpApi!));
    assert.equal(response.status, 200);
    if (example.jsonContentType) assert.equal(response.headers.get('content-type'), 'application/json');
    const body = (await response.json()) as { message: string; requestId: string };
    assert.equal(body.message, `Hello, ${example.name}!`);
    assert.match(body.requestId, /^[0-9a-f-]{36}$/);
  });

  test('through the Invoke API with the AWS SDK', async () => {
    const lambda = new LambdaClient({
      endpoint: served().ready.invokeApi,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: example.functionName, Payload: JSON.stringify({ pathParameters: { name: 'sdk' } }) }));
      assert.equal(out.FunctionError, undefined);
      const result = JSON.parse(new TextDecoder().decode(out.Payload)) as { statusCode: number; body: string };
      assert.equal(result.statusCode, 200);
      assert.equal((JSON.parse(result.body) as { message: string }).message, 'Hello, sdk!');
    } finally {
      lambda.destroy();
    }
  });
}
