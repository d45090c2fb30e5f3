// Lambda's Invoke operation (`POST /2015-03-31/functions/{FunctionName}/invocations`) on its own
// 127.0.0.1 port, so the AWS SDKs and the AWS CLI (`--endpoint-url`) work against the local host.
// Status codes, headers and error shapes are Lambda's (rest-json: `x-amzn-ErrorType` + JSON body).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionCatalog, HostLogger } from '../host-context';
import type { FunctionInfo } from '../protocol/functions';
import type { InvocationRecord } from '../protocol/records';
import { UserError, type Invoker } from '../runtime/types';
import type { AsyncInvocationPolicy, AsyncInvocationQueue } from '../events/async-invocation';
import { listenOnLoopback } from './loopback';
import { SYNC_PAYLOAD_LIMIT_BYTES } from '../protocol/limits';

/** Lambda's LogResult: the last 4 KB of the execution log. */
export const TAIL_LOG_BYTES = 4096;

export interface InvokeApiOptions {
  functions: FunctionCatalog;
  invoker: Invoker;
  /** The asynchronous queue (retries, destinations) used for InvocationType Event. */
  asyncQueue: AsyncInvocationQueue;
  region: string;
  accountId: string;
  port?: number;
  log?: HostLogger;
}

interface AwsError {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

function awsError(status: number, type: string, message: string, extra: Record<string, unknown> = {}): AwsError {
  // Lambda's own errors carry `Type` (User/Service) and `Message`; the SDK reads the code from x-amzn-ErrorType.
  return { status, type, body: { Type: status >= 500 ? 'Service' : 'User', Message: message, ...extra } };
}

/** The last `bytes` of the log as Lambda's X-Amz-Log-Result: base64 of the tail of the UTF-8 text. */
export function tailLog(lines: string[], bytes = TAIL_LOG_BYTES): string {
  const text = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return text.subarray(Math.max(0, text.length - bytes)).toString('base64');
}

export interface ParsedFunctionName {
  name: string;
  qualifier?: string;
}

/** `name`, `name:qualifier`, `123456789012:function:name[:q]` or `arn:aws:lambda:region:acct:function:name[:q]`. */
export function parseFunctionName(raw: string): ParsedFunctionName {
  const parts = raw.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[5] === 'function') {
    return { name: parts[6]!, ...(parts[7] !== undefined ? { qualifier: parts.slice(7).join(':') } : {}) };
  }
  if (parts.length >= 3 && parts[1] === 'function') {
    return { name: parts[2]!, ...(parts[3] !== undefined ? { qualifier: parts.slice(3).join(':') } : {}) };
  }
  if (parts.length === 2) return { name: parts[0]!, qualifier: parts[1]! };
  return { name: raw };
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FAILED = new Set(['error', 'timeout', 'outOfMemory', 'interrupted']);

export class InvokeApiServer {
  private readonly server: Server;
  private port = 0;

  constructor(private readonly options: InvokeApiOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        options.log?.error(`Invoke API: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        this.send(res, awsError(500, 'ServiceException', 'The local host failed to run the request'));
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(): Promise<number> {
    this.port = await listenOnLoopback(this.server, this.options.port);
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private functionArn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  private send(res: ServerResponse, err: AwsError, requestId: string = randomUUID()): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(err.body);
    res.writeHead(err.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-errortype': err.type,
      'x-amzn-requestid': requestId,
    });
    res.end(body);
  }

  /** Reads the body up to `limit` bytes; undefined when it is larger (the rest is drained, not buffered). */
  private readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = INVOKE_PATH.exec(url.pathname);
    if (!match || req.method !== 'POST') {
      req.resume();
      this.send(
        res,
        awsError(
          404,
          'UnknownOperationException',
          `Unknown operation ${req.method} ${url.pathname}; this endpoint implements Invoke (POST /2015-03-31/functions/{FunctionName}/invocations)`,
        ),
      );
      return;
    }
    let rawName: string;
    try {
      rawName = decodeURIComponent(match[1]!);
    } catch {
      req.resume();
      this.send(res, awsError(400, 'InvalidParameterValueException', 'FunctionName is not correctly URL-encoded'));
      return;
    }
    const parsed = parseFunctionName(rawName);
    const qualifier = url.searchParams.get('Qualifier') ?? parsed.qualifier;
    const fn = this.options.functions.get(parsed.name);
    if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) {
      req.resume();
      this.send(res, awsError(404, 'ResourceNotFoundException', `Function not found: ${this.functionArn(parsed.name, qualifier)}`));
      return;
    }
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      req.resume();
      this.send(res, awsError(400, 'InvalidParameterValueException', `Invalid InvocationType '${invocationType}': use RequestResponse, Event or DryRun`));
      return;
    }
    const body = await this.readBody(req, SYNC_PAYLOAD_LIMIT_BYTES);
    if (body === undefined) {
      this.send(
        res,
        awsError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${SYNC_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`),
      );
      return;
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (err) {
        this.send(res, awsError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`));
        return;
      }
    }
    let clientContext: unknown;
    const ccHeader = req.headers['x-amz-client-context'];
    if (typeof ccHeader === 'string' && ccHeader) {
      try {
        clientContext = JSON.parse(Buffer.from(ccHeader, 'base64').toString('utf8'));
      } catch {
        this.send(res, awsError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.'));
        return;
      }
    }
    if (!fn.supported) {
      this.send(res, awsError(502, 'InvalidRuntimeException', fn.unsupportedReason ?? `The runtime ${fn.runtime} is not supported`));
      return;
    }
    if (invocationType === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': randomUUID() });
      res.end();
      return;
    }
    if (invocationType === 'Event') {
      this.invokeAsync(res, fn, event, clientContext);
      return;
    }
    await this.invokeSync(req, res, fn, event, clientContext);
  }

  private invokeAsync(res: ServerResponse, fn: FunctionInfo, event: unknown, clientContext: unknown): void {
    let handle;
    try {
      handle = this.options.asyncQueue.invoke({
        fn,
        event,
        trigger: 'api',
        policy: this.eventInvokePolicy(fn.name),
        ...(clientContext !== undefined ? { clientContext } : {}),
      });
    } catch (err) {
      this.send(res, this.fromUserError(err));
      return;
    }
    handle.done.catch((err: unknown) => this.options.log?.error(`async invoke of ${fn.name}: ${(err as Error).message}`));
    res.writeHead(202, { 'x-amzn-requestid': handle.requestId, 'content-length': 0 });
    res.end();
  }

  /** The function's SAM `EventInvokeConfig` (MaximumRetryAttempts, MaximumEventAgeInSeconds), when it has one. */
  private eventInvokePolicy(functionName: string): Partial<AsyncInvocationPolicy> {
    const config = this.options.functions.resources()[functionName]?.Properties.EventInvokeConfig;
    if (typeof config !== 'object' || config === null) return {};
    const c = config as Record<string, unknown>;
    const retries = Number(c.MaximumRetryAttempts);
    const age = Number(c.MaximumEventAgeInSeconds);
    return {
      ...(c.MaximumRetryAttempts !== undefined && Number.isInteger(retries) ? { maximumRetryAttempts: retries } : {}),
      ...(c.MaximumEventAgeInSeconds !== undefined && Number.isFinite(age) ? { maximumEventAgeSeconds: age } : {}),
    };
  }

  private fromUserError(err: unknown): AwsError {
    if (err instanceof UserError) {
      switch (err.code) {
        case 'RequestTooLarge':
          return awsError(413, 'RequestEntityTooLargeException', err.message);
        case 'ResourceNotFound':
          return awsError(404, 'ResourceNotFoundException', err.message);
        case 'TooManyRequests':
          return tooManyRequests();
        case 'InvalidParameter':
        case 'InvalidBucketName':
        case 'KeyTooLong':
        case undefined:
          return awsError(400, 'InvalidParameterValueException', err.message);
      }
    }
    throw err;
  }

  private async invokeSync(req: IncomingMessage, res: ServerResponse, fn: FunctionInfo, event: unknown, clientContext: unknown): Promise<void> {
    // A client that gives up (socket closed before the response) cancels nothing: Lambda runs the invoke to the end too.
    let record: InvocationRecord;
    try {
      record = await this.options.invoker.invoke({
        fn,
        event,
        trigger: 'api',
        invocationType: 'RequestResponse',
        ...(clientContext !== undefined ? { clientContext } : {}),
      });
    } catch (err) {
      this.send(res, this.fromUserError(err));
      return;
    }
    if (record.status === 'throttled') {
      this.send(res, tooManyRequests(), record.requestId);
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'x-amzn-requestid': record.requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') headers['x-amz-log-result'] = tailLog(record.logs);
    let payload: string;
    if (FAILED.has(record.status) || record.error) {
      headers['x-amz-function-error'] = 'Unhandled';
      payload = JSON.stringify(
        record.error ?? { errorType: 'Runtime.Interrupted', errorMessage: `RequestId: ${record.requestId} Error: the invocation was interrupted` },
      );
    } else {
      payload = JSON.stringify(record.result ?? null);
    }
    headers['content-length'] = Buffer.byteLength(payload);
    res.writeHead(200, headers);
    res.end(payload);
  }
}

function tooManyRequests(): AwsError {
  return awsError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
}
