// The host's side of the DynamoDB engine: starts dist/runtime/dynamodb-engine.js (engine-main.ts) as a
// child on first use, waits for its `{"port":N}` line, and sends it DynamoDB JSON requests over one
// keep-alive agent. An engine that dies is started again by the next request; its data is on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import type { HostLogger } from '../../host-context';
import { distAsset } from '../../runtime/assets';

export interface EngineResponse {
  status: number;
  body: string;
}

/** A successful call's parsed body; a failed one is a DynamoDbError carrying the engine's own error body. */
export class DynamoDbError extends Error {
  /** More members of the error body (TransactionCanceledException's CancellationReasons). */
  extra: Record<string, unknown> = {};

  constructor(
    readonly status: number,
    /** DynamoDB's `__type`, e.g. `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`. */
    readonly type: string,
    message: string,
  ) {
    super(message || type);
  }

  /** The short code: `ResourceNotFoundException`. */
  get code(): string {
    return this.type.slice(this.type.lastIndexOf('#') + 1);
  }

  /** The body DynamoDB sends for it. */
  body(): string {
    return JSON.stringify({ __type: this.type, message: this.message, ...this.extra });
  }
}

export const DYNAMODB_ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

export function dynamoDbError(code: string, message: string, status = 400): DynamoDbError {
  return new DynamoDbError(status, code.includes('#') ? code : `${DYNAMODB_ERROR_PREFIX}${code}`, message);
}

// dynalite wants a SigV4-looking Authorization; it checks its shape, never the signature.
const ENGINE_AUTHORIZATION = 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local';

export interface EngineOptions {
  /** LevelDB folder. */
  dataDir: string;
  region: string;
  accountId: string;
  log: HostLogger;
}

export class DynamoDbEngine {
  private child: ChildProcess | undefined;
  private port: Promise<number> | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private closed = false;

  constructor(private readonly options: EngineOptions) {}

  /** Whether the engine process has been started (and not stopped). */
  get started(): boolean {
    return this.port !== undefined;
  }

  /** Starts the engine once; later calls share the same start. */
  start(): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the DynamoDB engine is stopped'));
    this.port ??= this.spawn();
    return this.port;
  }

  private spawn(): Promise<number> {
    const script = distAsset('runtime/dynamodb-engine.js');
    const child = spawn(process.execPath, [script, this.options.dataDir], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', AWS_REGION: this.options.region, AWS_ACCOUNT_ID: this.options.accountId },
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    // Its stdin is how it knows the host is alive; an error on it only means it ended.
    child.stdin!.on('error', () => undefined);
    return new Promise<number>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        child.stdout!.off('data', onData);
        try {
          resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
        } catch {
          reject(new Error(`the DynamoDB engine said ${out.slice(0, nl)}`));
        }
      };
      child.stdout!.on('data', onData);
      child.once('error', (err) => reject(err));
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.child = undefined;
          this.port = undefined;
        }
        const why = `the DynamoDB engine exited (${signal ?? code})${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
        reject(new Error(why));
        if (!this.closed) this.options.log.error(`dynamodb: ${why}; the next request starts it again`);
      });
    });
  }

  /** Sends one operation; resolves with the engine's status and body (errors included, as DynamoDB spells them). */
  async send(operation: string, body: string): Promise<EngineResponse> {
    const port = await this.start();
    try {
      return await this.post(port, operation, body);
    } catch (err) {
      // Refused: the engine died and its exit is not handled yet; the request never reached it, so it can go again.
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || this.closed) throw err;
      if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
      this.child = undefined;
      this.port = undefined;
      return this.post(await this.start(), operation, body);
    }
  }

  private post(port: number, operation: string, body: string): Promise<EngineResponse> {
    return new Promise<EngineResponse>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'x-amz-date': '20260101T000000Z',
            authorization: ENGINE_AUTHORIZATION,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends one operation and parses the answer; a DynamoDB error is thrown as a DynamoDbError. */
  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    const res = await this.send(operation, JSON.stringify(input));
    return parseEngineResponse<T>(res);
  }

  async stop(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.agent.destroy();
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

export function parseEngineResponse<T>(res: EngineResponse): T {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
  } catch {
    throw new DynamoDbError(res.status, `${DYNAMODB_ERROR_PREFIX}InternalServerError`, `the engine answered ${res.body.slice(0, 200)}`);
  }
  if (res.status >= 300) {
    const type = typeof parsed['__type'] === 'string' ? parsed['__type'] : `${DYNAMODB_ERROR_PREFIX}InternalServerError`;
    const message = typeof parsed['message'] === 'string' ? parsed['message'] : typeof parsed['Message'] === 'string' ? parsed['Message'] : '';
    throw new DynamoDbError(res.status, type, message);
  }
  return parsed as T;
}
