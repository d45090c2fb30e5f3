// Durable executions as the protocol, the CLI and the panel see them (runtime-host/durable/ owns them).
// Pure types only: this module is imported by webview-ui/ as well. Times are epoch milliseconds.

/** Lambda's ExecutionStatus. */
export type DurableExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED';

/** Lambda's OperationType and OperationStatus. */
export type DurableOperationType = 'EXECUTION' | 'CONTEXT' | 'STEP' | 'WAIT' | 'CALLBACK' | 'CHAINED_INVOKE';
export type DurableOperationStatus = 'STARTED' | 'PENDING' | 'READY' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | 'STOPPED';

/** Lambda's ErrorObject (what the SDK checkpoints for a failed step, context or execution). */
export interface DurableErrorObject {
  ErrorType?: string;
  ErrorMessage?: string;
  ErrorData?: string;
  StackTrace?: string[];
}

export interface DurablePendingCallback {
  callbackId: string;
  operationId: string;
  name?: string;
  startedAt: number;
}

/** One execution in a list (`durable.list`, `durable.changed`). */
export interface DurableExecutionSummary {
  arn: string;
  name: string;
  /** The function's logical id (what listFunctions calls it). */
  functionName: string;
  qualifier: string;
  status: DurableExecutionStatus;
  startedAt: number;
  endedAt?: number;
  /** Invocations so far (each a normal invocation record, child of `recordId`). */
  invocationCount: number;
  /** The execution's own record (kind `durable-execution`): its invocations are its children. */
  recordId: string;
  /** Callbacks waiting for SendDurableExecutionCallbackSuccess/Failure (or the panel, or the CLI). */
  pendingCallbacks: DurablePendingCallback[];
  /** The earliest time a wait or a step retry is due, while the execution sleeps. */
  nextWakeAt?: number;
  /** Every wait of this execution is skipped (the host setting, or "skip waits" with `always`). */
  skipWaits: boolean;
  /** Wait time skipped so far (it still counts against the execution timeout, as it would on Lambda). */
  skippedMs: number;
}

/** One attempt of a step (its START to its SUCCEED, FAIL or RETRY). */
export interface DurableAttemptView {
  attempt: number;
  startedAt?: number;
  endedAt?: number;
  /** The invocation (1-based) that ran it. */
  invocation?: number;
  outcome: 'running' | 'succeeded' | 'failed' | 'retry';
  error?: DurableErrorObject;
  /** The checkpointed result (a JSON string, as the SDK serialised it). */
  result?: string;
  /** RETRY: the delay the SDK asked for. */
  nextAttemptDelaySeconds?: number;
}

/** One operation (step, wait, callback, child context, map/parallel and their branches, chained invoke). */
export interface DurableOperationView {
  id: string;
  parentId?: string;
  name?: string;
  type: DurableOperationType;
  /** The SDK's SubType: Step, Wait, Callback, WaitForCallback, RunInChildContext, Map, MapIteration, Parallel, ParallelBranch, WaitForCondition… */
  subType?: string;
  status: DurableOperationStatus;
  startedAt: number;
  endedAt?: number;
  /** The invocation (1-based) that started it, and the one that completed it (host-completed ones: the next). */
  startedIn?: number;
  endedIn?: number;
  /** Invocations that replayed it from the checkpoint log instead of running it (it was complete when they started). */
  replayedIn: number[];
  attempts: DurableAttemptView[];
  result?: string;
  error?: DurableErrorObject;
  callbackId?: string;
  waitSeconds?: number;
  scheduledEndAt?: number;
  nextAttemptAt?: number;
  /** The wait (or retry delay) ended early because waits were skipped: how much was skipped. */
  skippedMs?: number;
}

export interface DurableInvocationView {
  /** 1-based. */
  seq: number;
  /** The invocation record (kind `invocation`, parent = the execution's record). */
  recordId: string;
  startedAt: number;
  endedAt?: number;
  /** What the handler returned (`PENDING`, `SUCCEEDED`, `FAILED`), or `error` when the invocation itself failed (a crash, a timeout). */
  outcome: 'running' | 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'error' | 'interrupted';
  /** Why it ran: `start`, `wait`, `retry`, `callback`, `invoke`, `invocation-retry`, `resume` (after a host restart). */
  wokenBy: string[];
  /** Wait time skipped to wake it (the waits and retry delays that ended early for it). */
  skippedMs?: number;
  error?: DurableErrorObject;
}

/** A history event in Lambda's shape (GetDurableExecutionHistory), timestamps as epoch ms. */
export type DurableHistoryEvent = Record<string, unknown> & { EventType: string; EventId: number; EventTimestamp: number; Id?: string };

/** One execution, whole (`durable.get`, `lambda-workbench execution history`). */
export interface DurableExecutionView extends DurableExecutionSummary {
  /** The input payload (JSON text). */
  input: string;
  /** SUCCEEDED: the result (JSON text). */
  result?: string;
  error?: DurableErrorObject;
  executionTimeoutSeconds: number;
  retentionPeriodInDays: number;
  operations: DurableOperationView[];
  invocations: DurableInvocationView[];
  events: DurableHistoryEvent[];
}

export interface DurableCallbackParams {
  callbackId: string;
  /** Success: the result, any JSON value (sent as its JSON text, as SendDurableExecutionCallbackSuccess sends bytes). */
  result?: unknown;
  /** Failure instead of a result. */
  error?: { errorType?: string; errorMessage?: string; errorData?: string };
  /** Only a heartbeat (the callback stays open). */
  heartbeat?: boolean;
}
