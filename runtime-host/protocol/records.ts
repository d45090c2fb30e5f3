// The invocation record: what the host, the CLI, the panel and the tests all consume.
// Pure types only: this module is imported by extension/ and webview-ui/ as well.

/** Lambda's error body (lambda-behaviour §3): `{errorType, errorMessage, trace}`. */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
  /**
   * The error body exactly as the runtime posted it to `/invocation/<id>/error` — what a synchronous caller
   * receives, byte for byte (Python's `{errorMessage, errorType, requestId, stackTrace}`, a custom runtime's
   * own shape). Absent for errors the platform makes (timeouts, crashes, throttles).
   */
  raw?: string;
}

/**
 * The body a synchronous caller gets for a failed invocation: the runtime's own post, byte for byte, or the
 * platform's `{errorType, errorMessage}` (a timeout or a crash has no trace on Lambda).
 */
export function errorPayload(error: LambdaError): string {
  if (error.raw !== undefined) return error.raw;
  return JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, ...(error.trace.length ? { trace: error.trace } : {}) });
}

/**
 * What started an invocation (or a parent record): `manual` (CLI, protocol invoke, command palette,
 * CodeLens), `debug` (a debug session), `api` (the Lambda Invoke API), `http` (the local API Gateway or
 * a function URL), `stream` (a Kinesis or DynamoDB stream mapping), `provisioned` (provisioned concurrency
 * initialising an environment ahead of invocations), `durable` (a durable execution invoking its function
 * again after a wait, a retry delay or a callback), and one per simulated service.
 */
export const TRIGGERS = ['manual', 'debug', 'api', 'http', 's3', 'stream', 'sns', 'sqs', 'schedule', 'eventbridge', 'provisioned', 'durable'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/**
 * `running` while in flight; the rest are final.
 * `outOfMemory` is Runtime.OutOfMemory (lambda-behaviour §3 Decision); `interrupted` means the host went away
 * (or was cancelled) before the invocation finished.
 */
export const INVOCATION_STATUSES = ['queued', 'running', 'success', 'error', 'timeout', 'outOfMemory', 'throttled', 'interrupted'] as const;
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number];

/**
 * Parent records group the invocations an event caused (an SNS publish fans out to N functions).
 * `service-call`: an AWS API call to the local endpoint from outside any function (a script, the AWS CLI).
 * `provisioned-init`: the INIT phase of an environment kept initialised by provisioned concurrency.
 * `durable-execution`: one durable execution; its invocations are its children.
 * `eventbridge-event`: one event put on an EventBridge bus, with the rules it matched and their deliveries.
 */
export type RecordKind =
  | 'invocation'
  | 'sns-publish'
  | 's3-event'
  | 'stream-batch'
  | 'sqs-batch'
  | 'http-request'
  | 'async-invoke'
  | 'service-call'
  | 'provisioned-init'
  | 'schedule-fire'
  | 'durable-execution'
  | 'eventbridge-event';

export type Architecture = 'x86_64' | 'arm64';

/** `per-ms-with-init`: ceil(duration + init) — Lambda since Aug 2025 (default). `per-ms`: ceil(duration), Dec 2020 – Jul 2025. `legacy-100ms`: 100 ms steps, before Dec 2020. */
export type BillingRule = 'per-ms-with-init' | 'per-ms' | 'legacy-100ms';

/** Epoch milliseconds (fractional allowed) of each phase; absent phases did not happen. */
export interface InvocationTimestamps {
  queuedAt: number;
  /**
   * When the invocation got its environment (a warm one, or a start slot for a new one). Between
   * `queuedAt` and this it waited in the host's burst queue: never part of Init Duration, Duration,
   * billing or the init timeout. Absent when it did not wait.
   */
  dequeuedAt?: number;
  initStartAt?: number;
  initEndAt?: number;
  invokeStartAt?: number;
  invokeEndAt?: number;
  finishedAt?: number;
}

/** A span of time spent stopped in a debugger (the timeout clock does not run then). */
export interface PausedSpan {
  startAt: number;
  endAt?: number;
}

export interface HttpExchange {
  request: {
    method: string;
    path: string;
    /** raw query string without `?` */
    query: string;
    headers: Record<string, string | string[]>;
    body?: string;
    bodyBase64?: boolean;
  };
  response?: {
    statusCode: number;
    headers: Record<string, string | string[]>;
    body?: string;
    bodyBase64?: boolean;
  };
  /** `rest` = API Gateway REST (payload 1.0), `http` = HTTP API (2.0), `url` = function URL (2.0). */
  api: 'rest' | 'http' | 'url';
  routeKey?: string;
}

/** One AWS API call a function (or a script) made to the local AWS endpoint. */
export interface ServiceCallSpan {
  id: string;
  /** The trace root shared by every record and call of one chain. */
  traceId?: string;
  /** The invocation record that made the call; absent for calls from outside a function. */
  recordId?: string;
  /** SigV4 service name: `s3`, `sqs`, `sns`, `kinesis`, `lambda`, `dynamodb`, `events`. */
  service: string;
  operation: string;
  resource?: string;
  /** HTTP status the endpoint answered. */
  status: number;
  errorCode?: string;
  /** Epoch ms. */
  startAt: number;
  durationMs: number;
}

/** What the history keeps in place of a value too large to store inline. */
export interface TruncatedValue {
  truncated: true;
  /** Size of the whole value as JSON, in bytes. */
  bytes: number;
  /** Its first characters (JSON text). */
  preview: string;
}

/** The original sizes, in bytes, of the parts of a record the history cut. */
export interface TruncatedFields {
  event?: number;
  result?: number;
  logs?: number;
  httpRequestBody?: number;
  httpResponseBody?: number;
}

/** How execution environments are isolated: a cgroup per environment (v1 or v2 hierarchy), or the process-group fallback. */
export type SandboxKind = 'cgroup-v1' | 'cgroup-v2' | 'process';

/** What the sandbox enforced for one invocation, so the panel can say which limits are real and how. */
export interface SandboxReport {
  kind: SandboxKind;
  /** `kernel`: the cgroup's memory limit (the kernel's OOM kill); `polling`: the host reads /proc and kills past the size. */
  memory: 'kernel' | 'polling';
  /** The CPU share in cores (Lambda's ratio, 1,769 MB = one core of this machine); absent when CPU is not limited. */
  cpuCores?: number;
  /**
   * How the environment was frozen after this invocation: the cgroup freezer, SIGSTOP of its process group,
   * `debugger` when not frozen because a debugger is attached, `none` when the environment did not live on.
   */
  freeze: 'cgroup' | 'sigstop' | 'debugger' | 'none';
  /** Timers and sockets the function left pending when it answered: they did not run until the next invocation. */
  backgroundWork?: string[];
  /** Which mechanism ended an out-of-memory invocation. */
  oomBy?: 'kernel' | 'polling';
}

export interface InvocationRecord {
  /** Unique record id. For kind 'invocation' it equals `requestId`. */
  id: string;
  kind: RecordKind;
  /** Lambda request id (awsRequestId); empty for parent records. */
  requestId: string;
  functionName: string;
  trigger: Trigger;
  /** The record that caused this one (an SNS publish, an S3 event, a stream batch, an HTTP request, an async invoke). */
  parentId?: string;
  /** 0 for the first attempt, 1 and 2 for Lambda's async retries, n for stream batch retries. */
  attempt?: number;
  status: InvocationStatus;
  cold: boolean;
  /**
   * `provisioned-concurrency` when the environment was initialised ahead of time (the INIT phase is the
   * environment's own `provisioned-init` record, with `environmentId`); absent: on demand.
   */
  initializationType?: 'provisioned-concurrency';
  /** The execution environment that ran it (provisioned environments: links invocations to their init record). */
  environmentId?: string;
  runtime: string;
  architecture: Architecture;
  memorySizeMB: number;
  timeoutSeconds: number;
  timestamps: InvocationTimestamps;
  /** Duration as REPORT prints it (invoke phase, excluding debugger pauses). */
  durationMs?: number;
  initDurationMs?: number;
  /**
   * `invoke`: the init phase failed or passed its 10 s, and init ran again inside this invocation under
   * its timeout (Lambda's suppressed init); that init's time is in `durationMs`, so there is no `initDurationMs`.
   */
  initPhase?: 'invoke';
  billedDurationMs?: number;
  billingRule: BillingRule;
  maxMemoryUsedMB?: number;
  /** Time spent in the host's burst queue before an environment was free (`dequeuedAt - queuedAt`). */
  queuedMs?: number;
  /** Parts cut to the history's inline limit; the values in their place are `TruncatedValue` markers (logs: a marker line). */
  truncated?: TruncatedFields;
  /**
   * Present on a brief record (protocol/index.ts BRIEF_RECORDS_QUERY): the parts left out of this copy, by their size in bytes.
   * The value in their place is a `TruncatedValue` preview; `getInvocation` returns the record whole.
   */
  omitted?: { event: number };
  /** Time stopped in a debugger during this invocation. */
  pausedMs?: number;
  pauses?: PausedSpan[];
  /** Estimated cost in USD (compute + request) for this one invocation. */
  costUsd?: number;
  event: unknown;
  result?: unknown;
  error?: LambdaError;
  /** Every log line of the invocation, in order, START/END/REPORT included. */
  logs: string[];
  http?: HttpExchange;
  /** X-Ray style trace root (`1-…`) this record belongs to; every record and service call of one chain shares it. */
  traceId?: string;
  /** AWS API calls made during this invocation, in order. */
  serviceCalls?: ServiceCallSpan[];
  /** Calls left out of `serviceCalls` once it held its maximum (1000). */
  serviceCallsDropped?: number;
  /** The local interpreter is not the runtime's version (`nodejs22.x` on Node 20): what differs, said on the record. */
  runtimeNotice?: string;
  /** The sandbox the environment ran in and what it enforced. */
  sandbox?: SandboxReport;
  /**
   * EventBridge: the rules whose pattern matched (an `eventbridge-event` record), or the rule that fired
   * (a rule's `schedule-fire`). An invocation a rule delivered names it in `source.rule`.
   */
  rules?: string[];
  /** Free-form details a source attaches (SNS topic and message id, S3 bucket/key, stream name/shard/sequence range). */
  source?: Record<string, unknown>;
}

/** The REPORT numbers as `invoke --json` prints them. */
export interface InvokeReport {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
  status: 'success' | 'error' | 'timeout';
  errorType?: string;
}

/**
 * Exactly what `lambda-workbench invoke --json` prints and what the protocol's `invoke` returns.
 * Either `result` or `error` is present.
 */
export interface InvokeOutput {
  requestId: string;
  functionName: string;
  cold: boolean;
  result?: unknown;
  error?: LambdaError;
  logs: string[];
  report: InvokeReport;
}
