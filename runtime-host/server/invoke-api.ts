// Lambda's Invoke operation (`POST /2015-03-31/functions/{FunctionName}/invocations`) on its own
// 127.0.0.1 port, so the AWS SDKs and the AWS CLI (`--endpoint-url`) work against the local host.
// Status codes, headers and error shapes are Lambda's (rest-json: `x-amzn-ErrorType` + JSON body).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionCatalog, HostLogger } from '../host-context';
import type { FunctionInfo } from '../protocol/functions';
import { errorPayload, type InvocationRecord } from '../protocol/records';
import { parseFunctionName } from '../functions/function-reference';
import { UserError, type Invoker } from '../runtime/types';
import type { AsyncInvocationQueue } from '../events/async-invocation';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-depth';
import { checkAwsClientRequest } from './local-request';
import type { AwsResponse, AwsServiceHandler, ServiceCallDescription } from '../events/aws-service';
import { listenOnLoopback } from './loopback';
import { SYNC_PAYLOAD_LIMIT_BYTES } from '../protocol/limits';
import type { DurableExecutions } from '../durable/engine';
import { DurableApiError } from '../durable/model';
import { answerDurable } from '../durable/wire';

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
  /** Host names accepted besides the loopback ones (see local-request.ts). */
  allowedHosts?: readonly string[];
  /** Durable executions: Invoke of a durable function starts one, and the durable-execution operations are served here too. */
  durable?: DurableExecutions;
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

/** How AWS answers requests it refuses before any operation: `{"Type":"User","message":…}` (lower-case `message`). */
function refusal(status: number, type: string, message: string): AwsError {
  return { status, type, body: { Type: 'User', message } };
}

/** Host, Origin and SigV4-shaped Authorization (local-request.ts), answered in Lambda's error shape. */
export function refuseUntrusted(req: IncomingMessage, port: number, allowedHosts: readonly string[] = []): AwsError | undefined {
  const refused = checkAwsClientRequest(req, { port, allowedHosts });
  return refused ? refusal(refused.status, refused.errorType, refused.message) : undefined;
}

/** The last `bytes` of the log as Lambda's X-Amz-Log-Result: base64 of the tail of the UTF-8 text. */
export function tailLog(lines: string[], bytes = TAIL_LOG_BYTES): string {
  const text = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return text.subarray(Math.max(0, text.length - bytes)).toString('base64');
}

export { parseFunctionName, type FunctionReference as ParsedFunctionName } from '../functions/function-reference';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const FAILED = new Set(['error', 'timeout', 'outOfMemory', 'interrupted']);

export class InvokeApiServer {
  private readonly server: Server;
  private port = 0;

  constructor(private readonly options: InvokeApiOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        options.log?.error(`Invoke API: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        writeAnswer(res, toResponse(awsError(500, 'ServiceException', 'The local host failed to run the request')));
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

  /** The Invoke operation as the local AWS endpoint routes it (service `lambda`). */
  awsService(): AwsServiceHandler {
    return {
      service: 'lambda',
      handle: async (request) => {
        const rawUrl = `${request.rawPath}${request.query.size ? `?${request.query.toString()}` : ''}`;
        const body = request.body.length > SYNC_PAYLOAD_LIMIT_BYTES ? undefined : request.body;
        return this.answer(request.method, rawUrl, request.headers, body, request.caller?.recordId);
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const untrusted = refuseUntrusted(req, this.port, this.options.allowedHosts);
    if (untrusted) {
      // The body of a refused request is never read: the connection goes with it.
      res.shouldKeepAlive = false;
      writeAnswer(res, toResponse(untrusted));
      this.options.log?.debug(`Invoke API refused ${req.method} ${(req.url ?? '').slice(0, 100)}: ${untrusted.type}`);
      return;
    }
    const body = await readLimitedBody(req, SYNC_PAYLOAD_LIMIT_BYTES);
    const answer = await this.answer(req.method ?? 'GET', req.url ?? '/', req.headers, body);
    writeAnswer(res, answer);
  }

  /**
   * One Invoke request, body already read (`undefined`: larger than the synchronous limit).
   * `parentId`: the invocation that made the call through the local AWS endpoint.
   */
  async answer(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    body: Buffer | undefined,
    parentId?: string,
  ): Promise<AwsResponse & { call: ServiceCallDescription }> {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    if (this.options.durable) {
      const durable = await answerDurable({ method, rawPath: url.pathname, query: url.searchParams, body: body ?? Buffer.alloc(0) }, this.options.durable);
      if (durable) return durable;
    }
    const match = INVOKE_PATH.exec(url.pathname);
    if (!match || method !== 'POST') {
      return errorAnswer(
        awsError(
          404,
          'UnknownOperationException',
          `Unknown operation ${method} ${url.pathname}; this endpoint implements Invoke (POST /2015-03-31/functions/{FunctionName}/invocations)`,
        ),
        'Unknown',
      );
    }
    let rawName: string;
    try {
      rawName = decodeURIComponent(match[1]!);
    } catch {
      return errorAnswer(awsError(400, 'InvalidParameterValueException', 'FunctionName is not correctly URL-encoded'));
    }
    const parsed = parseFunctionName(rawName);
    const qualifier = url.searchParams.get('Qualifier') ?? parsed.qualifier;
    const fn = this.options.functions.get(parsed.name);
    if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) {
      return errorAnswer(awsError(404, 'ResourceNotFoundException', `Function not found: ${this.functionArn(parsed.name, qualifier)}`), 'Invoke', parsed.name);
    }
    const invocationType = String(headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      return errorAnswer(
        awsError(400, 'InvalidParameterValueException', `Invalid InvocationType '${invocationType}': use RequestResponse, Event or DryRun`),
        'Invoke',
        fn.name,
      );
    }
    if (body === undefined) {
      return errorAnswer(
        awsError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${SYNC_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`),
        'Invoke',
        fn.name,
      );
    }
    let event: unknown = {};
    if (body.length > 0) {
      if (jsonNestingExceeds(body)) {
        return errorAnswer(
          awsError(400, 'InvalidRequestContentException', `Could not parse request body into json: nested deeper than ${MAX_JSON_DEPTH} levels`),
          'Invoke',
          fn.name,
        );
      }
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return errorAnswer(
          awsError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`),
          'Invoke',
          fn.name,
        );
      }
    }
    let clientContext: unknown;
    const ccHeader = headers['x-amz-client-context'];
    if (typeof ccHeader === 'string' && ccHeader) {
      try {
        clientContext = JSON.parse(Buffer.from(ccHeader, 'base64').toString('utf8'));
      } catch {
        return errorAnswer(awsError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.'), 'Invoke', fn.name);
      }
    }
    if (!fn.supported) {
      return errorAnswer(awsError(502, 'InvalidRuntimeException', fn.unsupportedReason ?? `The runtime ${fn.runtime} is not supported`), 'Invoke', fn.name);
    }
    const call = { operation: 'Invoke', resource: fn.name };
    if (this.options.durable?.isDurable(fn)) {
      return { ...(await this.invokeDurable(this.options.durable, fn, qualifier, invocationType, headers, body, parentId)), call };
    }
    if (invocationType === 'DryRun') return { status: 204, headers: { 'x-amzn-requestid': randomUUID() }, call };
    if (invocationType === 'Event') return { ...(await this.invokeAsync(fn, event, clientContext, parentId)), call };
    return { ...(await this.invokeSync(headers, fn, event, clientContext, parentId)), call };
  }

  /**
   * Invoke of a durable function: qualified only (Lambda refuses an unqualified one), it starts an
   * execution (named by X-Amz-Durable-Execution-Name, or a new id) and answers with its ARN in
   * X-Amz-Durable-Execution-Arn — at once for Event, with the execution's result for RequestResponse.
   */
  private async invokeDurable(
    durable: DurableExecutions,
    fn: FunctionInfo,
    qualifier: string | undefined,
    invocationType: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    parentId: string | undefined,
  ): Promise<AwsResponse> {
    if (qualifier === undefined) {
      return toResponse(awsError(400, 'InvalidParameterValueException', 'You cannot invoke a durable function using an unqualified ARN.'));
    }
    if (invocationType === 'DryRun') return { status: 204, headers: { 'x-amzn-requestid': randomUUID() } };
    const nameHeader = headers['x-amz-durable-execution-name'];
    let started;
    try {
      started = await durable.startExecution({
        fn,
        qualifier,
        ...(typeof nameHeader === 'string' && nameHeader !== '' ? { name: nameHeader } : {}),
        input: body.length > 0 ? body.toString('utf8') : '{}',
        trigger: 'api',
        ...(parentId !== undefined ? { causedBy: parentId } : {}),
      });
    } catch (err) {
      if (err instanceof DurableApiError) return toResponse(awsError(err.status, err.type, err.message));
      return toResponse(this.fromUserError(err));
    }
    const arnHeader = { 'x-amz-durable-execution-arn': started.summary.arn, 'x-amz-executed-version': qualifier };
    if (invocationType === 'Event') return { status: 202, headers: { 'x-amzn-requestid': randomUUID(), ...arnHeader } };
    const view = await started.done;
    const out: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...arnHeader };
    if (view.status === 'RUNNING') return toResponse(awsError(503, 'ServiceException', 'The local host stopped before the durable execution ended.'));
    if (view.status === 'SUCCEEDED') return { status: 200, headers: out, body: view.result ?? 'null' };
    out['x-amz-function-error'] = 'Unhandled';
    return {
      status: 200,
      headers: out,
      body: JSON.stringify({
        errorType: view.error?.ErrorType ?? (view.status === 'TIMED_OUT' ? 'Execution.TimedOut' : view.status === 'STOPPED' ? 'Execution.Stopped' : 'Error'),
        errorMessage: view.error?.ErrorMessage ?? `The durable execution ended ${view.status}.`,
        ...(view.error?.StackTrace?.length ? { trace: view.error.StackTrace } : {}),
      }),
    };
  }

  private async invokeAsync(fn: FunctionInfo, event: unknown, clientContext: unknown, parentId: string | undefined): Promise<AwsResponse> {
    let handle;
    try {
      handle = this.options.asyncQueue.invoke({
        fn,
        event,
        trigger: 'api',
        ...(clientContext !== undefined ? { clientContext } : {}),
        ...(parentId !== undefined ? { parentId } : {}),
      });
    } catch (err) {
      return toResponse(this.fromUserError(err));
    }
    handle.done.catch((err: unknown) => this.options.log?.error(`async invoke of ${fn.name}: ${(err as Error).message}`));
    // Answered once the queued record is written (nothing acknowledged is lost).
    await handle.accepted;
    return { status: 202, headers: { 'x-amzn-requestid': handle.requestId } };
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

  private async invokeSync(
    reqHeaders: IncomingHttpHeaders,
    fn: FunctionInfo,
    event: unknown,
    clientContext: unknown,
    parentId: string | undefined,
  ): Promise<AwsResponse> {
    // A client that gives up (socket closed before the response) cancels nothing: Lambda runs the invoke to the end too.
    let record: InvocationRecord;
    try {
      record = await this.options.invoker.invoke({
        fn,
        event,
        trigger: 'api',
        invocationType: 'RequestResponse',
        ...(clientContext !== undefined ? { clientContext } : {}),
        ...(parentId !== undefined ? { parentId } : {}),
      });
    } catch (err) {
      return toResponse(this.fromUserError(err));
    }
    if (record.status === 'throttled') return toResponse(tooManyRequests(), record.requestId);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': record.requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (String(reqHeaders['x-amz-log-type'] ?? '') === 'Tail') headers['x-amz-log-result'] = tailLog(record.logs);
    let payload: string;
    if (FAILED.has(record.status) || record.error) {
      headers['x-amz-function-error'] = 'Unhandled';
      payload = errorPayload(
        record.error ?? { errorType: 'Runtime.Interrupted', errorMessage: `RequestId: ${record.requestId} Error: the invocation was interrupted`, trace: [] },
      );
    } else {
      payload = JSON.stringify(record.result ?? null);
    }
    return { status: 200, headers, body: payload };
  }
}

function toResponse(err: AwsError, requestId: string = randomUUID()): AwsResponse {
  // Lambda's rest-json errors: the SDK reads the code from x-amzn-ErrorType.
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.type, 'x-amzn-requestid': requestId },
    body: JSON.stringify(err.body),
  };
}

function errorAnswer(err: AwsError, operation = 'Invoke', resource?: string): AwsResponse & { call: ServiceCallDescription } {
  return { ...toResponse(err), call: { operation, ...(resource !== undefined ? { resource } : {}), errorCode: err.type } };
}

function writeAnswer(res: ServerResponse, answer: AwsResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(answer.body);
  res.writeHead(answer.status, { ...(answer.headers ?? {}), 'content-length': body.length });
  res.end(body);
}

/** Reads the body up to `limit` bytes; undefined when it is larger (the rest is drained, not buffered). */
function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
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

function tooManyRequests(): AwsError {
  return awsError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
}
