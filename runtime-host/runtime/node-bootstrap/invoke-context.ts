// The context object (lambda-behaviour §2) and the completion functions behind callback/done/succeed/fail.
import { readFileSync } from 'node:fs';
import { logError, setCurrentRequestId, setCurrentTenantId } from './console-patch';
import type { RuntimeApiClient } from './runtime-api-client';

/** The listener node's `beforeExit` runs: how results wait for an empty event loop. */
let beforeExitListener: () => void = () => {};
export const BeforeExitListener = {
  invoke: () => beforeExitListener(),
  reset: () => {
    beforeExitListener = () => {};
  },
  set: (listener: () => void) => {
    beforeExitListener = listener;
  },
};

const HEADER = {
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  arn: 'lambda-runtime-invoked-function-arn',
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  traceId: 'lambda-runtime-trace-id',
  tenantId: 'lambda-runtime-aws-tenant-id',
} as const;

export type Callback = (err?: unknown, result?: unknown) => void;

export interface CallbackContext {
  callbackWaitsForEmptyEventLoop: boolean;
  succeed: (result?: unknown) => void;
  fail: (err?: unknown) => void;
  done: (err?: unknown, result?: unknown) => void;
}

// Debug mode: the host stops its timeout clock while a debugger holds the environment, and
// records the paused time here so the function sees the same remaining time as the host.
const pauseFile = process.env._LAMBDA_WORKBENCH_PAUSE_FILE;
function pausedMsNow(): number {
  if (!pauseFile) return 0;
  try {
    const state = JSON.parse(readFileSync(pauseFile, 'utf8')) as { pausedMs?: number; pausedSince?: number | null };
    const since = typeof state.pausedSince === 'number' ? Date.now() - state.pausedSince : 0;
    return (typeof state.pausedMs === 'number' ? state.pausedMs : 0) + Math.max(0, since);
  } catch {
    return 0;
  }
}

function parseJsonHeader(value: string | string[] | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(String(value));
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}

export class InvokeContext {
  /** The GET /next response's headers, lowercase names. */
  constructor(private readonly headers: Readonly<Record<string, string | undefined>>) {}

  get invokeId(): string {
    const id = this.headers[HEADER.requestId];
    if (!id) throw new Error('invocation id is missing or invalid');
    return id;
  }

  updateLoggingContext(): void {
    setCurrentRequestId(this.invokeId);
    setCurrentTenantId(this.headers[HEADER.tenantId]);
  }

  /** Adds the environment and header data to the callback context: that object is the handler's `context`. */
  attachEnvironmentData(callbackContext: CallbackContext): CallbackContext {
    const traceId = this.headers[HEADER.traceId];
    if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    const deadline = Number(this.headers[HEADER.deadlineMs]);
    return Object.assign(
      callbackContext,
      {
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      },
      {
        clientContext: parseJsonHeader(this.headers[HEADER.clientContext], 'ClientContext'),
        identity: parseJsonHeader(this.headers[HEADER.cognitoIdentity], 'CognitoIdentity'),
        invokedFunctionArn: this.headers[HEADER.arn],
        awsRequestId: this.headers[HEADER.requestId],
        tenantId: this.headers[HEADER.tenantId],
        getRemainingTimeInMillis: () => deadline - Date.now() + pausedMsNow(),
      },
    );
  }
}

/**
 * callback + context.{succeed,fail,done} for one invocation. Errors go out at once; a callback
 * result waits for the empty event loop unless callbackWaitsForEmptyEventLoop is false; only
 * the first completion counts.
 */
export function buildCallbackContext(client: RuntimeApiClient, id: string, scheduleNext: () => void): [Callback, CallbackContext, () => void] {
  const next = { next: scheduleNext };
  const postError = (err: unknown) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, next);
  };
  let isCompleteInvoked = false;
  const complete = (result: unknown) => {
    if (isCompleteInvoked) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    isCompleteInvoked = true;
    client.postInvocationResponse(result, id, next);
  };
  let waitForEmptyEventLoop = true;

  const callback: Callback = (err, result) => {
    BeforeExitListener.reset();
    if (err !== undefined && err !== null) {
      postError(err);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      BeforeExitListener.set(() => setImmediate(() => complete(result)));
    }
  };
  const done = (err?: unknown, result?: unknown) => {
    BeforeExitListener.reset();
    if (err !== undefined && err !== null) postError(err);
    else complete(result);
  };
  const context: CallbackContext = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed: (result) => done(null, result),
    fail: (err) => (err === undefined || err === null ? done('handled') : done(err, null)),
    done,
  };

  // First completion wins. The flag is set after the call, as Lambda does: a completion that
  // throws (an unserializable result) leaves room for the failure that follows it.
  let finished = false;
  const onlyFirst =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      if (finished) return;
      fn(...args);
      finished = true;
    };
  context.succeed = onlyFirst(context.succeed);
  context.fail = onlyFirst(context.fail);
  context.done = onlyFirst(context.done);
  return [onlyFirst(callback), context, () => (isCompleteInvoked = true)];
}
