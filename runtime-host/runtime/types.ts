// The runtime core's contract with the rest of the host (server/, functions/, events/, commands/).
// Everything that runs a function goes through an `Invoker`; everything that watches invocations
// subscribes to its `InvocationEvents`.
import type { FunctionInfo } from '../protocol/functions';
import type { DebugEnvironmentEnded, DebugTarget } from '../protocol/methods';
import type { BillingRule, InvocationRecord, Trigger } from '../protocol/records';

/** What the core needs to know to run a function. `FunctionInfo` (from a template or a handler string) satisfies it. */
export type FunctionConfig = Pick<
  FunctionInfo,
  | 'name'
  | 'handler'
  | 'codeUri'
  | 'runtime'
  | 'memorySizeMB'
  | 'timeoutSeconds'
  | 'architecture'
  | 'reservedConcurrency'
  | 'environment'
  | 'logGroup'
  | 'systemLogLevel'
  | 'layers'
  | 'buildMethod'
> &
  Partial<Pick<FunctionInfo, 'origin'>>;

export interface InvokeRequest {
  fn: FunctionConfig;
  event: unknown;
  trigger: Trigger;
  /** Parent record id (an SNS publish, an S3 event, a stream batch, an HTTP request). */
  parentId?: string;
  /** Retry attempt number (0 = first). */
  attempt?: number;
  /**
   * The trace root (`1-…`) when the caller already has one (API Gateway's own, or an incoming
   * `X-Amzn-Trace-Id`). Otherwise the record book gives the record its parent's trace, or a new one.
   */
  traceId?: string;
  /** 'Event' applies the asynchronous payload limit; the core always runs it to completion. */
  invocationType?: 'RequestResponse' | 'Event';
  /** Extra fields for the record (HTTP exchange, source details). */
  http?: InvocationRecord['http'];
  source?: InvocationRecord['source'];
  /** Run in an environment started with the inspector (see DebugOptions). */
  debug?: boolean;
  clientContext?: unknown;
  identity?: unknown;
  /** Cancels the invocation: the environment is killed and the record ends `interrupted`. */
  signal?: AbortSignal;
  /**
   * Called with the final record just before `finished` is emitted (on every path: success, error,
   * throttle, init failure), so the caller can add what only it knows — e.g. the HTTP response it
   * maps from the result (`record.http.response`) — and the record is announced and stored once,
   * complete. Must be synchronous; an exception is the caller's bug and is not allowed to lose the record.
   */
  completeRecord?(record: InvocationRecord): void;
  /**
   * Resolve as soon as the final record is announced, while the store writes it. For a caller that
   * acknowledges nothing itself and orders its own acknowledgement after the store's write (a
   * stream's checkpoint): it need not wait for the disk between two invocations.
   */
  returnBeforeStored?: boolean;
}

export interface InvokerOptions {
  region: string;
  accountId: string;
  billingRule: BillingRule;
  /** Idle environments are reaped after this long (ms). */
  idleReapMs: number;
  /** When true the timeout clock keeps running while a debugger has the environment paused. */
  wallClockTimeoutWhileDebugging: boolean;
  /** Extra NODE_OPTIONS given by the user (Lambda honours NODE_OPTIONS). */
  nodeOptions?: string;
  /** Node binary used for Node environments (default: process.execPath). */
  nodePath?: string;
  /** Python interpreter for python runtimes (default: looked up from the runtime version, then python3). */
  pythonPath?: string;
  /** JDK for java runtimes (default: JAVA_HOME, then the JDK whose javac is on PATH). */
  javaHome?: string;
}

/** Events every consumer (store, WebSocket broadcast, CLI) subscribes to. */
export interface InvocationEvents {
  started: (record: InvocationRecord) => void;
  /** A running invocation learned more about itself (it got its environment after waiting: whether it is a cold start). */
  updated: (record: InvocationRecord) => void;
  log: (recordId: string, line: string) => void;
  /** A listener may return a promise (the store's write): `invoke` resolves only once every one has settled. */
  finished: (record: InvocationRecord) => void | Promise<void>;
  /** A debug environment's process is gone; `replaced` when it was retired because the function changed. */
  debugEnvironmentEnded: (info: DebugEnvironmentEnded) => void;
}

export interface Invoker {
  /**
   * Runs one invocation and resolves with its final record. Never rejects for anything the
   * function does (errors, timeouts, crashes, throttling are all record statuses); rejects only
   * for host-side failures and invalid requests (`UserError`).
   */
  invoke(request: InvokeRequest): Promise<InvocationRecord>;
  /** Retire the warm environments of a function once their in-flight invocations finish (code or config changed). */
  retire(functionName: string): void;
  /** Cancel an in-flight invocation by record id. */
  cancel(recordId: string): boolean;
  /** Debugger pause/resume for an environment: the timeout clock stops while paused. */
  debuggerPaused(environmentId: string): void;
  debuggerResumed(environmentId: string): void;
  on<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this;
  off<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this;
  /** Kill every environment (whole process trees) and stop the Runtime API server. */
  shutdown(): Promise<void>;
  /**
   * Start and initialize a debug environment (inspector on a free loopback port) without invoking it,
   * so a debugger can attach first; the next `invoke({debug: true})` of the function runs in it.
   */
  prepareDebug?(fn: FunctionConfig): Promise<Omit<DebugTarget, 'invocationId'>>;
}

// Defined with its code union in the protocol's errors module; re-exported for the host's parts.
export { UserError } from '../protocol/errors';
