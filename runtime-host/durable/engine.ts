// Durable executions, run the way Lambda runs them: an invocation of a durable function (qualified, as
// Lambda insists) starts an execution; the function is invoked with the execution's checkpoint log,
// checkpoints through the local Lambda endpoint, and returns PENDING, SUCCEEDED or FAILED. While it is
// PENDING the host sleeps until something is due — a wait elapsed, a step's retry delay passed, a
// callback was sent, a chained invoke finished — and invokes it again, never two at once. Every
// invocation is an ordinary invocation record (billed like any other; the time between them is not),
// a child of the execution's own `durable-execution` record. The log is journalled (store.ts) before
// the SDK is answered, and a host restarted mid-execution picks it up where it stood.
//
// Decisions (Lambda's behaviour where it is documented; ours where it is not, said in docs/lambda-behaviour.md §11):
// - An invocation that fails as an invocation (a crash, a timeout, an error the SDK throws instead of
//   returning FAILED) is retried, after 1, 2 and 4 s, then the execution fails. Lambda retries such
//   invocations for longer; locally, four tries show the failure.
// - Skipping waits (the `durableSkipWaits` setting, or `durable.skipWaits` for one execution) completes
//   waits and step retry delays at once; the skipped time still counts against ExecutionTimeout.
//   Callback timeouts are never skipped.
// - PENDING with nothing pending fails the execution (the SDK specification says Lambda does so).
import { randomUUID } from 'node:crypto';
import type { FunctionCatalog, HostLogger, MethodHandlers, RecordBook } from '../host-context';
import type { DurableCallbackParams, DurableExecutionSummary, DurableExecutionView } from '../protocol/durable';
import type { FunctionInfo } from '../protocol/functions';
import type { InvocationRecord, LambdaError, Trigger } from '../protocol/records';
import { UserError, type Invoker } from '../runtime/types';
import { parentRecord } from '../events/async-invocation';
import { parseFunctionName } from '../functions/function-reference';
import { systemClock, type ScheduleClock } from '../events/schedule/clock';
import { invalidParams } from '../server/json-rpc';
import { isRecord } from '../util/values';
import { Execution, type InvocationEntry, type OpEntry } from './execution';
import {
  decodeCallbackId,
  decodeToken,
  DurableApiError,
  encodeToken,
  EXECUTION_NAME,
  executionArn,
  invalidParameter,
  notFound,
  parseExecutionArn,
  toIsoTimestamps,
  type ErrorObject,
  type OperationUpdate,
} from './model';
import { ExecutionStore } from './store';
import type { DurableOperations, HistoryQuery, ListExecutionsQuery } from './wire';

export interface DurableEngineOptions {
  functions: FunctionCatalog;
  invoker: Invoker;
  records: RecordBook;
  region: string;
  accountId: string;
  stateDir: string;
  log: HostLogger;
  /** Default: the machine's clock. Tests move a ManualClock instead of sleeping. */
  clock?: ScheduleClock;
  /** Skip every wait (and step retry delay) of every execution. */
  skipWaits?: boolean;
  /** Delays before retrying an invocation that failed as an invocation; one retry per entry. */
  invocationRetryDelaysMs?: number[];
  /** `durable.changed` to clients. */
  notify?: (summary: DurableExecutionSummary) => void;
}

export interface StartExecutionRequest {
  fn: FunctionInfo;
  qualifier: string;
  /** The execution name (an idempotency key); generated when absent. */
  name?: string;
  /** The input payload as JSON text. */
  input: string;
  trigger: Trigger;
  debug?: boolean;
  /** The invocation that asked for it (a function calling Invoke): the execution's record becomes its child. */
  causedBy?: string;
}

export interface StartedExecution {
  summary: DurableExecutionSummary;
  /** false: an execution of that name and input was already running (Lambda's idempotent start). */
  created: boolean;
  /** The first invocation's record (undefined when it never ran: the host stopped first). */
  firstInvocation: Promise<InvocationRecord | undefined>;
  /** Resolves when the execution ends (or the host stops: then `status` is still RUNNING). */
  done: Promise<DurableExecutionView>;
}

interface Live {
  exec: Execution;
  timers: Map<string, () => void>;
  /** Why it must be invoked (empty: it sleeps). */
  wake: Set<string>;
  inFlight?: Promise<void>;
  /** The change counter the running invocation has been told about (its input, then each checkpoint answer). */
  seen: number;
  /** CheckpointDurableExecution answers by ClientToken (the AWS SDK retries a request with the same token). */
  answered: Map<string, Record<string, unknown>>;
  /** Where dropping the oldest answer goes on from (a fresh `keys()` would step over every token dropped before). */
  answeredOldest?: Iterator<string>;
  skipped: { op: string; name?: string; ms: number }[];
  /** Skipped waits and retry delays come due when the running invocation has ended (as a short real one would). */
  afterInvocation: Map<string, () => void>;
  firstInvocation: Deferred<InvocationRecord | undefined>;
  done: Deferred<DurableExecutionView>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000];
const DAY_MS = 86_400_000;
const MAX_CALLBACK_RESULT_BYTES = 262_144;

const RECORD_STATUS = { RUNNING: 'running', SUCCEEDED: 'success', FAILED: 'error', TIMED_OUT: 'timeout', STOPPED: 'interrupted' } as const;

export class DurableExecutions implements DurableOperations {
  private readonly live = new Map<string, Live>();
  private readonly clock: ScheduleClock;
  private readonly store: ExecutionStore;
  private closing = false;
  private retentionTimer: (() => void) | undefined;
  private readonly onStarted = (record: InvocationRecord) => this.invocationStarted(record);

  constructor(private readonly options: DurableEngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.store = new ExecutionStore(options.stateDir, (m) => options.log.warn(m));
  }

  /** Loads the journals, drops executions past their retention, and carries on with those still running. */
  async start(): Promise<void> {
    this.options.invoker.on('started', this.onStarted);
    for (const exec of await this.store.loadAll()) this.live.set(exec.meta.id, this.liveOf(exec));
    await this.dropExpired();
    const armRetention = () => {
      this.retentionTimer = this.clock.at(this.clock.now() + DAY_MS, () => {
        void this.dropExpired();
        armRetention();
      });
    };
    armRetention();
    for (const live of this.live.values()) if (live.exec.running) this.resume(live);
  }

  /** Stops timers; invocations in flight are left to the invoker's shutdown (their executions resume at the next start). */
  async close(): Promise<void> {
    this.closing = true;
    this.options.invoker.off('started', this.onStarted);
    this.retentionTimer?.();
    for (const live of this.live.values()) {
      for (const cancel of live.timers.values()) cancel();
      live.timers.clear();
      live.firstInvocation.resolve(undefined);
      live.done.resolve(live.exec.view());
    }
    await this.store.close();
  }

  /** Whether invocations of this function start durable executions (its template has DurableConfig). */
  isDurable(fn: Pick<FunctionInfo, 'durableConfig'> | undefined): boolean {
    return fn?.durableConfig !== undefined;
  }

  get skipWaitsByDefault(): boolean {
    return this.options.skipWaits === true;
  }

  // --- starting --------------------------------------------------------------------------------

  /** Lambda's Invoke of a durable function: a new execution, or the running one of that name and input. */
  async startExecution(request: StartExecutionRequest): Promise<StartedExecution> {
    if (this.closing) throw new Error('the host is stopping');
    const { fn } = request;
    const config = fn.durableConfig;
    if (!config) throw invalidParameter(`Function ${fn.name} is not a durable function (it has no DurableConfig).`);
    if (request.name !== undefined && !EXECUTION_NAME.test(request.name)) {
      throw invalidParameter('DurableExecutionName must be 1 to 64 letters, digits, hyphens or underscores.');
    }
    if (request.name !== undefined) {
      const existing = [...this.live.values()].find((l) => l.exec.meta.functionName === fn.name && l.exec.meta.name === request.name);
      if (existing) {
        if (existing.exec.running && existing.exec.meta.input === request.input) {
          return { summary: existing.exec.summary(), created: false, firstInvocation: existing.firstInvocation.promise, done: existing.done.promise };
        }
        throw new DurableApiError(
          409,
          'DurableExecutionAlreadyStartedException',
          existing.exec.running
            ? `Durable execution ${request.name} is already running with a different input.`
            : `Durable execution ${request.name} already exists (${existing.exec.meta.status}); its name can be used again after its retention period.`,
        );
      }
    }
    const id = randomUUID();
    const name = request.name ?? randomUUID();
    const functionArn = `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${fn.name}:${request.qualifier}`;
    const arn = executionArn(functionArn, name, id);
    let event: unknown = {};
    try {
      event = JSON.parse(request.input || '{}');
    } catch {
      event = request.input;
    }
    const record = parentRecord({
      kind: 'durable-execution',
      trigger: request.trigger,
      functionName: fn.name,
      event,
      fn,
      ...(request.causedBy ? { parentId: request.causedBy } : {}),
      source: { durableExecutionArn: arn, durableExecutionName: name },
    });
    const now = this.clock.now();
    record.timestamps.queuedAt = now;
    this.options.records.open(record);
    const exec = Execution.create({
      id,
      arn,
      name,
      functionName: fn.name,
      qualifier: request.qualifier,
      functionArn,
      input: request.input || '{}',
      startedAt: now,
      executionTimeoutSeconds: config.executionTimeoutSeconds,
      retentionPeriodInDays: config.retentionPeriodInDays,
      recordId: record.id,
      trigger: request.trigger,
      debug: request.debug === true,
      skipWaits: this.options.skipWaits === true,
    });
    const live = this.liveOf(exec);
    this.live.set(id, live);
    await this.store.flush(exec);
    this.armExecutionTimeout(live);
    live.wake.add('start');
    this.changed(live);
    this.pump(live);
    return { summary: exec.summary(), created: true, firstInvocation: live.firstInvocation.promise, done: live.done.promise };
  }

  private liveOf(exec: Execution): Live {
    return {
      exec,
      timers: new Map(),
      wake: new Set(),
      seen: exec.changeSeq,
      answered: new Map(),
      skipped: [],
      afterInvocation: new Map(),
      firstInvocation: deferred(),
      done: deferred(),
    };
  }

  /** After a restart: timers again, and an invocation when one was cut short or something came due meanwhile. */
  private resume(live: Live): void {
    const exec = live.exec;
    const record = this.options.records.get(exec.meta.recordId);
    if (record && record.status !== 'running') this.options.records.open({ ...record, status: 'running', timestamps: { ...record.timestamps } });
    const cut = exec.current;
    if (cut) {
      exec.endInvocation(cut, 'interrupted', this.clock.now(), cut.requestId ?? cut.recordId, {
        ErrorType: 'Host.Interrupted',
        ErrorMessage: 'The host stopped during this invocation.',
      });
      live.wake.add('resume');
    }
    const last = exec.invocations[exec.invocations.length - 1];
    if (!last) live.wake.add('start');
    else if (exec.hostChangedSince(last.snapshotSeq).length > 0) live.wake.add('resume');
    this.armExecutionTimeout(live);
    for (const entry of exec.ops.values()) this.armOperation(live, entry);
    void this.store.flush(exec);
    if (exec.running) this.pump(live);
  }

  // --- invoking --------------------------------------------------------------------------------

  private pump(live: Live): void {
    if (this.closing || !live.exec.running || live.inFlight || live.wake.size === 0) return;
    const reasons = [...live.wake];
    live.wake.clear();
    live.inFlight = this.invokeOnce(live, reasons)
      .catch((err: unknown) => this.options.log.error(`durable: ${live.exec.meta.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
      .finally(() => {
        live.inFlight = undefined;
        const due = [...live.afterInvocation.values()];
        live.afterInvocation.clear();
        for (const fire of due) fire();
        this.pump(live);
      });
  }

  private async invokeOnce(live: Live, reasons: string[]): Promise<void> {
    const exec = live.exec;
    const fn = this.options.functions.get(exec.meta.functionName);
    if (!fn || !fn.supported || !fn.durableConfig) {
      await this.end(live, 'FAILED', {
        error: {
          ErrorType: 'ResourceNotFoundException',
          ErrorMessage: !fn
            ? `Function ${exec.meta.functionName} no longer exists.`
            : !fn.durableConfig
              ? `Function ${exec.meta.functionName} is no longer durable (its DurableConfig was removed).`
              : `Function ${exec.meta.functionName} cannot run locally: ${fn.unsupportedReason ?? 'unsupported'}`,
        },
      });
      return;
    }
    const now = this.clock.now();
    const skipped = live.skipped.splice(0);
    const inv = exec.startInvocation('', now, reasons, Math.max(0, ...skipped.map((s) => s.ms)));
    live.seen = exec.changeSeq;
    const input = {
      DurableExecutionArn: exec.meta.arn,
      CheckpointToken: encodeToken(exec.meta.id, inv.seq),
      InitialExecutionState: { Operations: toIsoTimestamps(exec.state()), NextMarker: '' },
      ...(inv.seq > 1 ? { UpdatedOperationIds: inv.updated } : {}),
    };
    await this.store.flush(exec);
    this.changed(live);
    let record: InvocationRecord;
    try {
      record = await this.options.invoker.invoke({
        fn,
        event: input,
        trigger: inv.seq === 1 ? exec.meta.trigger : 'durable',
        parentId: exec.meta.recordId,
        ...(exec.meta.debug ? { debug: true } : {}),
        source: {
          durableExecutionArn: exec.meta.arn,
          durableExecutionName: exec.meta.name,
          durableInvocation: inv.seq,
          wokenBy: reasons,
          ...(skipped.length ? { skippedWaits: skipped.map((s) => ({ operation: s.name ?? s.op, skippedMs: s.ms })) } : {}),
        },
      });
    } catch (err) {
      if (this.closing) return;
      this.options.log.error(`durable: invoking ${fn.name} for ${exec.meta.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      exec.endInvocation(inv, 'error', this.clock.now(), inv.recordId, {
        ErrorType: 'ServiceException',
        ErrorMessage: err instanceof Error ? err.message : String(err),
      });
      await this.invocationFailed(live, { ErrorType: 'ServiceException', ErrorMessage: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (this.closing) return;
    if (!inv.recordId) inv.recordId = record.id;
    if (inv.seq === 1) live.firstInvocation.resolve(record);
    const ended = this.clock.now();
    if (!exec.running) {
      exec.endInvocation(inv, outcomeOf(record), ended, record.requestId, errorOfRecord(record));
      await this.flush(live);
      return;
    }
    if (record.status !== 'success') {
      const error = errorOfRecord(record) ?? { ErrorType: record.status, ErrorMessage: `The invocation ended ${record.status}.` };
      exec.endInvocation(inv, record.status === 'interrupted' ? 'interrupted' : 'error', ended, record.requestId, error);
      await this.invocationFailed(live, error, record.status === 'throttled');
      return;
    }
    const output = isRecord(record.result) ? record.result : {};
    const status = output.Status;
    if (status === 'SUCCEEDED') {
      exec.endInvocation(inv, 'SUCCEEDED', ended, record.requestId);
      exec.setMeta({ failedInvocations: 0 });
      const checkpointed = exec.meta.checkpointed;
      const result =
        checkpointed?.status === 'SUCCEEDED' && checkpointed.result !== undefined
          ? checkpointed.result
          : typeof output.Result === 'string'
            ? output.Result
            : undefined;
      await this.end(live, 'SUCCEEDED', result !== undefined ? { result } : {});
      return;
    }
    if (status === 'FAILED') {
      const error = isRecord(output.Error) ? (output.Error as ErrorObject) : (exec.meta.checkpointed?.error ?? { ErrorMessage: 'The execution failed.' });
      exec.endInvocation(inv, 'FAILED', ended, record.requestId, error);
      await this.end(live, 'FAILED', { error });
      return;
    }
    if (status === 'PENDING') {
      exec.endInvocation(inv, 'PENDING', ended, record.requestId);
      exec.setMeta({ failedInvocations: 0 });
      // Something the host moved on while this invocation ran (it may not have seen it): run again.
      if (live.wake.size === 0 && exec.hostChangedSince(inv.snapshotSeq).length > 0) live.wake.add('update');
      else if (exec.pendingOperations().length === 0 && live.wake.size === 0) {
        await this.end(live, 'FAILED', {
          error: { ErrorType: 'InvalidDurableExecutionOutput', ErrorMessage: 'The function returned PENDING while no operation was pending.' },
        });
        return;
      }
      await this.flush(live);
      return;
    }
    // Not the SDK's envelope: the handler is not wrapped with withDurableExecution.
    const error: ErrorObject = {
      ErrorType: 'InvalidDurableExecutionOutput',
      ErrorMessage: 'A durable function must return {Status: SUCCEEDED | FAILED | PENDING} (wrap the handler with withDurableExecution).',
    };
    exec.endInvocation(inv, 'FAILED', ended, record.requestId, error);
    await this.end(live, 'FAILED', { error });
  }

  /** The invocation itself failed: retry it (a throttle does not use up a retry), or give up. */
  private async invocationFailed(live: Live, error: ErrorObject, throttled = false): Promise<void> {
    const exec = live.exec;
    const delays = this.options.invocationRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const used = exec.meta.failedInvocations;
    if (!throttled && used >= delays.length) {
      await this.end(live, 'FAILED', { error });
      return;
    }
    if (!throttled) exec.setMeta({ failedInvocations: used + 1 });
    const delay = this.skipping(live) ? 0 : (delays[Math.min(used, delays.length - 1)] ?? 1000);
    this.timer(live, 'invocation-retry', this.clock.now() + delay, () => {
      live.wake.add('invocation-retry');
      this.pump(live);
    });
    await this.flush(live);
  }

  private invocationStarted(record: InvocationRecord): void {
    const arn = record.source?.durableExecutionArn;
    const seq = record.source?.durableInvocation;
    if (typeof arn !== 'string' || typeof seq !== 'number') return;
    const live = this.byArn(arn);
    const inv = live?.exec.invocations.find((i) => i.seq === seq);
    if (!live || !inv || inv.recordId) return;
    live.exec.noteRecord(inv, record.id);
    void this.flush(live);
  }

  private async end(live: Live, status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED', outcome: { result?: string; error?: ErrorObject }): Promise<void> {
    const exec = live.exec;
    if (!exec.running) return;
    const now = this.clock.now();
    exec.end(status, now, outcome);
    for (const cancel of live.timers.values()) cancel();
    live.timers.clear();
    live.wake.clear();
    const record = this.options.records.get(exec.meta.recordId);
    if (record) {
      const closed: InvocationRecord = { ...record, status: RECORD_STATUS[status], timestamps: { ...record.timestamps, finishedAt: now } };
      if (status === 'SUCCEEDED') closed.result = parseJson(outcome.result);
      else if (outcome.error) closed.error = lambdaError(outcome.error);
      closed.source = {
        ...(record.source ?? {}),
        durableStatus: status,
        invocations: exec.invocations.length,
        ...(exec.meta.skippedMs ? { skippedMs: exec.meta.skippedMs } : {}),
      };
      this.options.records.close(closed);
    }
    await this.flush(live);
    await this.store.release(exec.meta.id);
    live.firstInvocation.resolve(undefined);
    live.done.resolve(exec.view());
  }

  private async flush(live: Live): Promise<void> {
    await this.store.flush(live.exec);
    this.changed(live);
  }

  private changed(live: Live): void {
    this.options.notify?.(live.exec.summary());
  }

  // --- timers ----------------------------------------------------------------------------------

  private skipping(live: Live): boolean {
    return live.exec.meta.skipWaits;
  }

  /**
   * A skipped wait or retry delay: due as soon as no invocation runs — a wait still ends the invocation
   * that started it and the next one resumes after it, replay included, as with a real one.
   */
  private skipTimer(live: Live, key: string, fire: () => void): void {
    if (!live.inFlight) {
      this.timer(live, key, this.clock.now(), fire);
      return;
    }
    live.timers.get(key)?.();
    live.timers.set(key, () => live.afterInvocation.delete(key));
    live.afterInvocation.set(key, () => {
      live.timers.delete(key);
      if (!this.closing && live.exec.running) fire();
    });
  }

  private timer(live: Live, key: string, atMs: number, fire: () => void): void {
    live.timers.get(key)?.();
    const run = () => {
      live.timers.delete(key);
      if (this.closing || !live.exec.running) return;
      fire();
    };
    if (atMs <= this.clock.now()) {
      // Now: after the current turn (a checkpoint answer goes out first), whatever the clock.
      let cancelled = false;
      live.timers.set(key, () => (cancelled = true));
      setImmediate(() => {
        if (!cancelled) run();
      });
      return;
    }
    live.timers.set(key, this.clock.at(atMs, run));
  }

  private armExecutionTimeout(live: Live): void {
    const m = live.exec.meta;
    if (!live.exec.running) return;
    this.timer(live, 'execution-timeout', m.startedAt + m.executionTimeoutSeconds * 1000 - m.skippedMs, () => {
      void this.end(live, 'TIMED_OUT', {
        error: { ErrorType: 'Execution.TimedOut', ErrorMessage: `The execution exceeded its ExecutionTimeout of ${m.executionTimeoutSeconds} seconds.` },
      });
    });
  }

  /** Timers an operation needs while it waits: its wait, its retry delay, its callback timeouts, its chained invoke. */
  private armOperation(live: Live, entry: OpEntry): void {
    const op = entry.op;
    if (op.Type === 'WAIT' && op.Status === 'STARTED') this.armWait(live, entry);
    else if (op.Type === 'STEP' && op.Status === 'PENDING') this.armRetry(live, entry);
    else if (op.Type === 'CALLBACK' && op.Status === 'STARTED') this.armCallback(live, entry);
    else if (op.Type === 'CHAINED_INVOKE' && op.Status === 'STARTED') void this.runChainedInvoke(live, entry);
  }

  private armWait(live: Live, entry: OpEntry): void {
    const end = entry.op.WaitDetails?.ScheduledEndTimestamp ?? this.clock.now();
    const fire = () => {
      const now = this.clock.now();
      const skippedMs = Math.max(0, end - now);
      if (!live.exec.completeWait(entry.op.Id, now, skippedMs)) return;
      this.woke(live, 'wait', entry, skippedMs);
    };
    if (this.skipping(live)) this.skipTimer(live, `wait:${entry.op.Id}`, fire);
    else this.timer(live, `wait:${entry.op.Id}`, end, fire);
  }

  private armRetry(live: Live, entry: OpEntry): void {
    const due = entry.op.StepDetails?.NextAttemptTimestamp ?? this.clock.now();
    const fire = () => {
      const now = this.clock.now();
      const skippedMs = Math.max(0, due - now);
      if (!live.exec.readyStep(entry.op.Id, now, skippedMs)) return;
      this.woke(live, 'retry', entry, skippedMs);
    };
    if (this.skipping(live)) this.skipTimer(live, `retry:${entry.op.Id}`, fire);
    else this.timer(live, `retry:${entry.op.Id}`, due, fire);
  }

  private armCallback(live: Live, entry: OpEntry): void {
    const cb = entry.callback;
    if (!cb) return;
    const timeout = (error: string) => () => {
      if (!live.exec.completeCallback(entry.op.Id, { error: { ErrorType: 'Callback.Timeout', ErrorMessage: error }, timedOut: true }, this.clock.now())) return;
      live.timers.get(`callback:${entry.op.Id}`)?.();
      live.timers.get(`heartbeat:${entry.op.Id}`)?.();
      this.woke(live, 'callback', entry, 0);
    };
    if (cb.timeoutSeconds) this.timer(live, `callback:${entry.op.Id}`, entry.op.StartTimestamp + cb.timeoutSeconds * 1000, timeout('Callback timed out'));
    if (cb.heartbeatTimeoutSeconds) {
      this.timer(
        live,
        `heartbeat:${entry.op.Id}`,
        (cb.lastHeartbeatAt ?? entry.op.StartTimestamp) + cb.heartbeatTimeoutSeconds * 1000,
        timeout('Callback timed out on heartbeat'),
      );
    }
  }

  /** An operation the host moved on: the skipped time counts, and the execution runs again. */
  private woke(live: Live, reason: string, entry: OpEntry, skippedMs: number): void {
    const exec = live.exec;
    if (skippedMs > 0) {
      live.skipped.push({ op: entry.op.Id, ...(entry.op.Name ? { name: entry.op.Name } : {}), ms: skippedMs });
      // The execution's own clock runs ahead of the machine's by the time skipped; waits skipped side by
      // side overlap on it. Its timeout comes that much sooner, as the real wait would have brought it.
      const due = (entry.op.Type === 'WAIT' ? entry.op.WaitDetails?.ScheduledEndTimestamp : entry.op.StepDetails?.NextAttemptTimestamp) ?? this.clock.now();
      const ahead = due + (entry.offsetMs ?? 0) - this.clock.now();
      if (ahead > exec.meta.skippedMs) {
        exec.setMeta({ skippedMs: ahead });
        this.armExecutionTimeout(live);
      }
    }
    live.wake.add(reason);
    void this.flush(live);
    this.pump(live);
  }

  private async runChainedInvoke(live: Live, entry: OpEntry): Promise<void> {
    const chained = entry.chained;
    if (!chained) return;
    const target = this.options.functions.get(parseFunctionName(chained.functionName).name);
    const complete = (outcome: { result?: string } | { error: ErrorObject; status?: 'FAILED' | 'TIMED_OUT' | 'STOPPED' }) => {
      if (this.closing || !live.exec.completeChainedInvoke(entry.op.Id, outcome, this.clock.now())) return;
      this.woke(live, 'invoke', entry, 0);
    };
    if (!target) {
      complete({ error: { ErrorType: 'ResourceNotFoundException', ErrorMessage: `Function not found: ${chained.functionName}` } });
      return;
    }
    try {
      if (this.isDurable(target)) {
        const started = await this.startExecution({
          fn: target,
          qualifier: '$LATEST',
          name: `${live.exec.meta.name}-${entry.op.Id}`.slice(0, 64),
          input: chained.payload ?? '{}',
          trigger: 'durable',
          causedBy: live.exec.meta.recordId,
        });
        const view = await started.done;
        if (view.status === 'RUNNING') return;
        complete(
          view.status === 'SUCCEEDED'
            ? view.result !== undefined
              ? { result: view.result }
              : {}
            : {
                error: view.error ?? { ErrorMessage: view.status },
                status: view.status === 'TIMED_OUT' ? 'TIMED_OUT' : view.status === 'STOPPED' ? 'STOPPED' : 'FAILED',
              },
        );
        return;
      }
      const record = await this.options.invoker.invoke({
        fn: target,
        event: parseJson(chained.payload) ?? {},
        trigger: 'durable',
        parentId: live.exec.meta.recordId,
        source: { durableExecutionArn: live.exec.meta.arn, chainedInvoke: entry.op.Name ?? entry.op.Id },
      });
      if (record.status === 'success') complete({ result: JSON.stringify(record.result ?? null) });
      else {
        const e = record.error;
        complete({
          error: {
            ErrorType: e?.errorType ?? record.status,
            ErrorMessage: e?.errorMessage ?? record.status,
            ...(e?.trace.length ? { StackTrace: e.trace } : {}),
          },
        });
      }
    } catch (err) {
      complete({ error: { ErrorType: 'ServiceException', ErrorMessage: err instanceof Error ? err.message : String(err) } });
    }
  }

  // --- the Lambda API (wire.ts) ----------------------------------------------------------------

  private byArn(arn: string): Live | undefined {
    const parsed = parseExecutionArn(arn);
    return parsed ? this.live.get(parsed.id) : undefined;
  }

  private mustByArn(arn: string): Live {
    const live = this.byArn(arn);
    if (!live) throw notFound(`Durable execution not found: ${arn}`);
    return live;
  }

  /** The invocation a checkpoint token was issued to, if it is the one running now. */
  private checkToken(live: Live, token: string): number {
    const t = decodeToken(token);
    const current = live.exec.current;
    if (!t || t.executionId !== live.exec.meta.id) throw invalidParameter('Invalid Checkpoint Token: it does not belong to this execution.');
    if (!live.exec.running) throw invalidParameter(`Invalid Checkpoint Token: the execution is ${live.exec.meta.status}.`);
    if (!current || current.seq !== t.invocation) throw invalidParameter('Invalid Checkpoint Token: it belongs to an invocation that has ended.');
    return t.invocation;
  }

  async checkpoint(arn: string, token: string, updates: OperationUpdate[], clientToken: string | undefined): Promise<Record<string, unknown>> {
    const live = this.mustByArn(arn);
    const previous = clientToken ? live.answered.get(clientToken) : undefined;
    if (previous) return previous;
    const invocation = this.checkToken(live, token);
    const exec = live.exec;
    const effects = exec.checkpoint(
      updates.filter((u): u is OperationUpdate => isRecord(u)),
      this.clock.now(),
      invocation,
    );
    for (const id of [...effects.waits, ...effects.retries, ...effects.callbacks, ...effects.chainedInvokes]) {
      const entry = exec.ops.get(id);
      if (entry) this.armOperation(live, entry);
    }
    for (const id of effects.cancelled) for (const key of [`wait:${id}`, `callback:${id}`, `heartbeat:${id}`]) live.timers.get(key)?.();
    await this.store.flush(exec);
    const changed = exec.changedSince(live.seen);
    live.seen = exec.changeSeq;
    const answer = { CheckpointToken: encodeToken(exec.meta.id, invocation), NewExecutionState: { Operations: changed } };
    if (clientToken) {
      live.answered.set(clientToken, answer);
      if (live.answered.size > 1000) {
        let oldest = live.answeredOldest?.next();
        // A finished iterator stays finished, even when tokens are added after it: start again from the front.
        if (!oldest || oldest.done) oldest = (live.answeredOldest = live.answered.keys()).next();
        live.answered.delete(oldest.value as string);
      }
    }
    this.changed(live);
    return answer;
  }

  getState(arn: string, token: string, marker: string | undefined, maxItems: number | undefined): Record<string, unknown> {
    const live = this.mustByArn(arn);
    this.checkToken(live, token);
    return page(live.exec.state(), marker, maxItems, 'Operations');
  }

  getExecution(arn: string): Record<string, unknown> {
    const m = this.mustByArn(arn).exec.meta;
    return {
      DurableExecutionArn: m.arn,
      DurableExecutionName: m.name,
      FunctionArn: m.functionArn,
      InputPayload: m.input,
      ...(m.result !== undefined ? { Result: m.result } : {}),
      ...(m.error ? { Error: m.error } : {}),
      StartTimestamp: m.startedAt,
      Status: m.status,
      ...(m.endedAt !== undefined ? { EndTimestamp: m.endedAt } : {}),
      Version: m.qualifier,
    };
  }

  getHistory(arn: string, query: HistoryQuery): Record<string, unknown> {
    let events = this.mustByArn(arn).exec.events.map((e) => (query.includeExecutionData ? e : withoutData(e)));
    if (query.reverseOrder) events = [...events].reverse();
    return page(events, query.marker, query.maxItems, 'Events');
  }

  async stop(arn: string, error: ErrorObject | undefined): Promise<Record<string, unknown>> {
    const live = this.mustByArn(arn);
    if (!live.exec.running) throw invalidParameter(`Durable execution ${live.exec.meta.name} is not running (${live.exec.meta.status}).`);
    await this.end(live, 'STOPPED', { error: error ?? { ErrorType: 'Execution.Stopped', ErrorMessage: 'The execution was stopped.' } });
    return { StopTimestamp: live.exec.meta.endedAt };
  }

  private callbackOf(callbackId: string): { live: Live; entry: OpEntry } {
    const ids = decodeCallbackId(callbackId);
    const live = ids ? this.live.get(ids.executionId) : undefined;
    const entry = ids ? live?.exec.ops.get(ids.operationId) : undefined;
    if (!live || !entry || entry.op.CallbackDetails?.CallbackId !== callbackId)
      throw invalidParameter(`Invalid callback id: no callback ${callbackId} exists.`);
    if (entry.op.Status === 'TIMED_OUT') throw new DurableApiError(400, 'CallbackTimeoutException', 'The callback has timed out.');
    if (entry.op.Status !== 'STARTED' || !live.exec.running) throw invalidParameter(`The callback is already complete (${entry.op.Status}).`);
    return { live, entry };
  }

  async callbackSuccess(callbackId: string, result: Buffer): Promise<void> {
    if (result.length > MAX_CALLBACK_RESULT_BYTES) throw invalidParameter(`Result must be at most ${MAX_CALLBACK_RESULT_BYTES} bytes.`);
    const { live, entry } = this.callbackOf(callbackId);
    live.exec.completeCallback(entry.op.Id, result.length ? { result: result.toString('utf8') } : {}, this.clock.now());
    this.cancelCallbackTimers(live, entry);
    await this.store.flush(live.exec);
    this.woke(live, 'callback', entry, 0);
  }

  async callbackFailure(callbackId: string, error: ErrorObject | undefined): Promise<void> {
    const { live, entry } = this.callbackOf(callbackId);
    live.exec.completeCallback(entry.op.Id, { error: error ?? {} }, this.clock.now());
    this.cancelCallbackTimers(live, entry);
    await this.store.flush(live.exec);
    this.woke(live, 'callback', entry, 0);
  }

  async callbackHeartbeat(callbackId: string): Promise<void> {
    const { live, entry } = this.callbackOf(callbackId);
    live.exec.heartbeat(entry.op.Id, this.clock.now());
    this.armCallback(live, entry);
    await this.store.flush(live.exec);
  }

  private cancelCallbackTimers(live: Live, entry: OpEntry): void {
    live.timers.get(`callback:${entry.op.Id}`)?.();
    live.timers.get(`heartbeat:${entry.op.Id}`)?.();
    live.timers.delete(`callback:${entry.op.Id}`);
    live.timers.delete(`heartbeat:${entry.op.Id}`);
  }

  listByFunction(functionName: string, query: ListExecutionsQuery): Record<string, unknown> {
    const ref = parseFunctionName(functionName);
    const fn = this.options.functions.get(ref.name);
    if (!fn) throw notFound(`Function not found: ${functionName}`);
    const qualifier = query.qualifier ?? ref.qualifier;
    let list = [...this.live.values()]
      .map((l) => l.exec.meta)
      .filter(
        (m) =>
          m.functionName === fn.name &&
          (!qualifier || m.qualifier === qualifier) &&
          (!query.name || m.name === query.name) &&
          (!query.statuses || query.statuses.includes(m.status)) &&
          (query.startedAfter === undefined || m.startedAt > query.startedAfter) &&
          (query.startedBefore === undefined || m.startedAt < query.startedBefore),
      )
      .sort((a, b) => b.startedAt - a.startedAt);
    if (query.reverseOrder) list = list.reverse();
    const executions = list.map((m) => ({
      DurableExecutionArn: m.arn,
      DurableExecutionName: m.name,
      FunctionArn: m.functionArn,
      Status: m.status,
      StartTimestamp: m.startedAt,
      ...(m.endedAt !== undefined ? { EndTimestamp: m.endedAt } : {}),
    }));
    return page(executions, query.marker, query.maxItems, 'DurableExecutions');
  }

  // --- the protocol (panel, CLI) ---------------------------------------------------------------

  /** An execution by ARN, id or name (the newest of that name; `functionName` narrows it). */
  find(ref: string, functionName?: string): Live | undefined {
    const byArn = this.byArn(ref) ?? this.live.get(ref);
    if (byArn) return byArn;
    return [...this.live.values()]
      .filter((l) => l.exec.meta.name === ref && (!functionName || l.exec.meta.functionName === functionName))
      .sort((a, b) => b.exec.meta.startedAt - a.exec.meta.startedAt)[0];
  }

  private mustFind(params: unknown, method: string): Live {
    const p = isRecord(params) ? params : {};
    const ref = p.execution;
    if (typeof ref !== 'string' || ref === '') throw invalidParams('Invalid params', `${method} needs "execution" (a name or ARN from durable.list)`);
    const live = this.find(ref, typeof p.function === 'string' ? p.function : undefined);
    if (!live)
      throw new UserError(
        `durable execution '${ref}' not found`,
        'names and ARNs come from durable.list (lambda-workbench execution list)',
        'ResourceNotFound',
      );
    return live;
  }

  list(functionName?: string): DurableExecutionSummary[] {
    return [...this.live.values()]
      .filter((l) => !functionName || l.exec.meta.functionName === functionName)
      .map((l) => l.exec.summary())
      .sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Completes a callback from the panel or the CLI (as SendDurableExecutionCallback* would). */
  async completeCallback(params: DurableCallbackParams): Promise<DurableExecutionSummary> {
    if (!isRecord(params) || typeof params.callbackId !== 'string' || params.callbackId === '') {
      throw invalidParams('Invalid params', 'durable.callback needs "callbackId" and a "result" (any JSON) or an "error" ({errorType, errorMessage})');
    }
    try {
      if (params.heartbeat) await this.callbackHeartbeat(params.callbackId);
      else if (params.error !== undefined) {
        const e = isRecord(params.error) ? params.error : {};
        await this.callbackFailure(params.callbackId, {
          ...(typeof e.errorType === 'string' ? { ErrorType: e.errorType } : {}),
          ...(typeof e.errorMessage === 'string' ? { ErrorMessage: e.errorMessage } : {}),
          ...(typeof e.errorData === 'string' ? { ErrorData: e.errorData } : {}),
        });
      } else {
        await this.callbackSuccess(params.callbackId, Buffer.from(params.result === undefined ? '' : JSON.stringify(params.result), 'utf8'));
      }
    } catch (err) {
      if (err instanceof DurableApiError)
        throw new UserError(
          err.message,
          'callback ids come from durable.get (the execution view) or the function’s own createCallback',
          err.status === 404 ? 'ResourceNotFound' : undefined,
        );
      throw err;
    }
    return this.live.get(decodeCallbackId(params.callbackId)!.executionId)!.exec.summary();
  }

  /** Completes the execution's waits (and retry delays) now; `always`: its later ones too. */
  skipWaits(live: Live, always: boolean): number {
    const exec = live.exec;
    if (!exec.running) return 0;
    if (always && !exec.meta.skipWaits) exec.setMeta({ skipWaits: true });
    let n = 0;
    for (const entry of exec.ops.values()) {
      if ((entry.op.Type === 'WAIT' && entry.op.Status === 'STARTED') || (entry.op.Type === 'STEP' && entry.op.Status === 'PENDING')) {
        n++;
        const key = entry.op.Type === 'WAIT' ? `wait:${entry.op.Id}` : `retry:${entry.op.Id}`;
        this.skipTimer(live, key, () => {
          const now = this.clock.now();
          const due = entry.op.Type === 'WAIT' ? (entry.op.WaitDetails?.ScheduledEndTimestamp ?? now) : (entry.op.StepDetails?.NextAttemptTimestamp ?? now);
          const skipped = Math.max(0, due - now);
          const done = entry.op.Type === 'WAIT' ? exec.completeWait(entry.op.Id, now, skipped) : exec.readyStep(entry.op.Id, now, skipped);
          if (done) this.woke(live, entry.op.Type === 'WAIT' ? 'wait' : 'retry', entry, skipped);
        });
      }
    }
    if (live.timers.has('invocation-retry')) {
      this.timer(live, 'invocation-retry', this.clock.now(), () => {
        live.wake.add('invocation-retry');
        this.pump(live);
      });
    }
    void this.flush(live);
    return n;
  }

  methods(): MethodHandlers {
    return {
      'durable.list': async (params) => this.list(isRecord(params) && typeof params.function === 'string' ? params.function : undefined),
      'durable.get': async (params) => this.mustFind(params, 'durable.get').exec.view(),
      'durable.stop': async (params) => {
        const live = this.mustFind(params, 'durable.stop');
        const e = isRecord(params) && isRecord(params.error) ? params.error : undefined;
        if (!live.exec.running)
          throw new UserError(
            `durable execution '${live.exec.meta.name}' is not running (${live.exec.meta.status})`,
            'only a RUNNING execution can be stopped',
          );
        await this.end(live, 'STOPPED', {
          error: {
            ErrorType: typeof e?.errorType === 'string' ? e.errorType : 'Execution.Stopped',
            ErrorMessage: typeof e?.errorMessage === 'string' ? e.errorMessage : 'Stopped from Lambda Workbench.',
          },
        });
        return live.exec.summary();
      },
      'durable.callback': async (params) => this.completeCallback(params),
      'durable.skipWaits': async (params) => {
        const live = this.mustFind(params, 'durable.skipWaits');
        const skipped = this.skipWaits(live, isRecord(params) && params.always === true);
        return { skipped, execution: live.exec.summary() };
      },
    };
  }

  /** Removes executions closed longer ago than their RetentionPeriodInDays. */
  private async dropExpired(): Promise<void> {
    const now = this.clock.now();
    for (const [id, live] of this.live) {
      const m = live.exec.meta;
      if (m.endedAt !== undefined && m.endedAt + m.retentionPeriodInDays * DAY_MS < now) {
        this.live.delete(id);
        await this.store.remove(id);
      }
    }
  }
}

function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined, key: string): Record<string, unknown> {
  const start = marker ? Number(marker) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid Marker.');
  const size = maxItems && maxItems > 0 ? maxItems : 1000;
  const slice = items.slice(start, start + size);
  return { [key]: slice, ...(start + size < items.length ? { NextMarker: String(start + size) } : {}) };
}

/** GetDurableExecutionHistory without IncludeExecutionData: no inputs, results or error payloads. */
function withoutData(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (k.endsWith('Details') && isRecord(v)) {
      const d: Record<string, unknown> = {};
      for (const [dk, dv] of Object.entries(v)) {
        if ((dk === 'Input' || dk === 'Result' || dk === 'Error') && isRecord(dv)) {
          d[dk] = { Truncated: true };
          continue;
        }
        d[dk] = dv;
      }
      out[k] = d;
    } else out[k] = v;
  }
  return out;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function lambdaError(e: ErrorObject): LambdaError {
  return { errorType: e.ErrorType ?? 'Error', errorMessage: e.ErrorMessage ?? '', trace: e.StackTrace ?? [] };
}

function errorOfRecord(record: InvocationRecord): ErrorObject | undefined {
  const e = record.error;
  if (!e) return undefined;
  return { ErrorType: e.errorType, ErrorMessage: e.errorMessage, ...(e.trace.length ? { StackTrace: e.trace } : {}) };
}

function outcomeOf(record: InvocationRecord): InvocationEntry['outcome'] {
  if (record.status === 'interrupted') return 'interrupted';
  if (record.status !== 'success') return 'error';
  const s = isRecord(record.result) ? record.result.Status : undefined;
  return s === 'SUCCEEDED' || s === 'FAILED' || s === 'PENDING' ? s : 'error';
}
