// The runtime core: runs invocations in pools of execution environments, one pool per function,
// the way Lambda scales — warm reuse, a new environment per concurrent invocation up to the
// function's reserved concurrency and the account's concurrency limit, throttling beyond them,
// idle environments reaped. What Lambda has and one machine has not is absorbed by a queue, never
// blamed on the function: cold starts beyond what the machine can start at once wait for a start
// slot, and environments beyond the memory budget wait for a warm one. Time in that queue is its
// own span of the record (`timestamps.dequeuedAt`, `queuedMs`), outside Init Duration, Duration,
// billing and the init timeout.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { availableParallelism, totalmem } from 'node:os';
import { invocationCostUsd } from '../protocol/billing';
import type { DebugTarget } from '../protocol/methods';
import type { InvocationRecord, InvokeOutput, InvokeReport, LambdaError } from '../protocol/records';
import { ExecutionEnvironment, type HostLog, type LineSink } from './execution-environment';
import type { AwsAccess } from './aws-environment';
import { debugTargetKindOf, type HostLaunchSettings } from './launch';
import type { InitializationType } from './launch-environment';
import { newTraceRoot, traceHeaderFor } from './trace-id';
import { ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES } from '../protocol/limits';
import { sandboxFor, type Sandbox, type SandboxSetting } from './sandbox';
import { encodedJson } from '../util/sealed-json';
import { UserError, type FunctionConfig, type InvocationEvents, type InvokeRequest, type Invoker, type InvokerOptions } from './types';
import { recordNow } from '../util/record-clock';

export interface LambdaInvokerOptions extends Partial<InvokerOptions> {
  /** Where the TypeScript compile cache lives (`<stateDir>/ts-cache`); default under os.tmpdir(). */
  stateDir?: string;
  /** Lambda's init limit, 10 s. */
  initTimeoutMs?: number;
  /** Resident memory sampling period while an environment works (ms). */
  memorySampleMs?: number;
  /** RequestResponse payload limit (6 MB). */
  maxPayloadBytes?: number;
  /** Event (asynchronous) payload limit (1 MB; 256 KB before 2025). */
  asyncMaxPayloadBytes?: number;
  /** Lambda's account concurrency limit: invocations in flight (queued included) across all functions; beyond it, throttled. */
  accountConcurrency?: number;
  /** Environments initializing at once; more cold starts wait for a slot (default: the core count, at least 2). */
  startConcurrency?: number;
  /** Memory sizes of live environments add up to at most this; beyond it an invocation waits for a warm environment (default: half the machine's memory). */
  memoryBudgetMB?: number;
  /** Replaces the Node bootstrap, e.g. aws-lambda-ric (the conformance test). */
  nodeEntry?: (fn: FunctionConfig) => string[] | undefined;
  /** Host variables environments inherit (PATH); default process.env. */
  hostEnv?: NodeJS.ProcessEnv;
  /** node_modules with the runtime's AWS SDK (see runtime-sdk.ts); it can arrive after start (set `runtimeSdkDir` then). */
  runtimeSdkDir?: string;
  /** Credentials and endpoints every environment gets (runtime/aws-environment.ts), kept by reference; default placeholders. */
  aws?: AwsAccess;
  /** The host's logger for notices environments print about the host (default: stderr), never part of a Lambda log. */
  hostLog?: HostLog;
  /** Where environments run: cgroups where the host may manage them (`auto`), only cgroups, or the process fallback. */
  sandbox?: SandboxSetting;
}

interface InFlight {
  record: InvocationRecord;
  env: ExecutionEnvironment;
}

/** An invocation waiting in the burst queue for an environment of its function. */
interface Waiter {
  fn: FunctionConfig;
  debug: boolean;
  resolve: (env: ExecutionEnvironment | undefined) => void;
}

export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

let startConcurrency: number | undefined;

/** Environments that may initialize at once on this machine. */
export function defaultStartConcurrency(): number {
  // Asked for each invocation that needs an environment: read the core count once (it is a system call).
  return (startConcurrency ??= Math.max(2, availableParallelism()));
}

/** Half the machine's memory: the rest is the host's, the editor's and everything else's. */
export function defaultMemoryBudgetMB(): number {
  return Math.max(1024, Math.floor(totalmem() / 1024 / 1024 / 2));
}

const LIVE_INVOKERS = new Set<LambdaInvoker>();
let exitHookInstalled = false;

const DEFAULTS = {
  region: 'us-east-1',
  accountId: '123456789012',
  billingRule: 'per-ms-with-init',
  idleReapMs: 10 * 60_000,
  wallClockTimeoutWhileDebugging: false,
} as const;

export class LambdaInvoker implements Invoker {
  private readonly events = new EventEmitter();
  private readonly pools = new Map<string, ExecutionEnvironment[]>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Provisioned concurrency per function: how many environments to keep initialised, for which configuration. */
  private readonly provisionedTargets = new Map<string, { fn: FunctionConfig; count: number }>();
  /** Provisioned environments whose init succeeded: only those are replaced when they die. */
  private readonly provisionedReady = new WeakSet<ExecutionEnvironment>();
  private readonly options: LambdaInvokerOptions & InvokerOptions;
  private stopped = false;
  /** Invocations accepted and not yet finished (queued ones included), in all and per function. */
  private concurrent = 0;
  private readonly concurrentByFunction = new Map<string, number>();
  /** Invocations waiting for an environment, first come first served. */
  private waiters: Waiter[] = [];
  /**
   * Environments an invocation owns from the moment it gets them until release(): an environment is
   * `idle` between its init and its invoke, and must not be handed to anyone else then.
   */
  private readonly claimed = new Set<ExecutionEnvironment>();
  /** New environments holding a start slot until their init ends. */
  private readonly starting = new Set<ExecutionEnvironment>();
  /** Memory size of every live environment (what the budget counts). */
  private readonly budgeted = new Map<ExecutionEnvironment, number>();
  private budgetUsedMB = 0;
  /** Chosen once: every environment of this invoker runs in it. */
  readonly sandbox: Sandbox;

  constructor(options: LambdaInvokerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.sandbox = sandboxFor(options.sandbox);
    this.events.setMaxListeners(0);
    LIVE_INVOKERS.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // Environments are detached process groups: never leave them behind, even on an abrupt exit.
      process.once('exit', () => {
        for (const invoker of LIVE_INVOKERS) invoker.killAllSync();
      });
    }
  }

  // `finished` listeners may return a promise: finish() calls them itself and waits for it.
  on<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  async invoke(request: InvokeRequest): Promise<InvocationRecord> {
    if (this.stopped) throw new Error('the invoker is shut down');
    const { fn } = request;
    // Encoded once: its size is checked here and it goes to the runtime as these bytes.
    const body = encodedJson(request.event === undefined ? null : request.event);
    const limit =
      request.invocationType === 'Event'
        ? (this.options.asyncMaxPayloadBytes ?? ASYNC_PAYLOAD_LIMIT_BYTES)
        : (this.options.maxPayloadBytes ?? SYNC_PAYLOAD_LIMIT_BYTES);
    const size = body.length;
    if (size > limit) {
      throw new UserError(
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        `the event is ${size} bytes; ${request.invocationType === 'Event' ? 'asynchronous' : 'synchronous'} invocations accept at most ${limit} bytes`,
        'RequestTooLarge',
      );
    }

    const requestId = randomUUID();
    const record: InvocationRecord = {
      id: requestId,
      kind: 'invocation',
      requestId,
      functionName: fn.name,
      trigger: request.trigger,
      ...(request.parentId ? { parentId: request.parentId } : {}),
      ...(request.attempt !== undefined ? { attempt: request.attempt } : {}),
      ...(request.traceId ? { traceId: request.traceId } : {}),
      status: 'running',
      cold: false,
      runtime: fn.runtime,
      architecture: fn.architecture,
      memorySizeMB: fn.memorySizeMB,
      timeoutSeconds: fn.timeoutSeconds,
      timestamps: { queuedAt: recordNow() },
      billingRule: this.options.billingRule,
      event: request.event,
      logs: [],
      ...(request.http ? { http: request.http } : {}),
      ...(request.source ? { source: request.source } : {}),
    };

    const debug = request.debug === true;
    const reserved = fn.reservedConcurrency;
    const accountLimit = this.options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
    const ofFunction = this.concurrentByFunction.get(fn.name) ?? 0;
    if (this.concurrent >= accountLimit || (reserved !== undefined && ofFunction >= reserved)) {
      record.status = 'throttled';
      record.error = { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', trace: [] };
      record.timestamps.finishedAt = recordNow();
      this.events.emit('started', record);
      record.traceId ??= newTraceRoot();
      await this.finish(record, request);
      return record;
    }
    this.concurrent++;
    this.concurrentByFunction.set(fn.name, ofFunction + 1);
    try {
      return await this.run(record, request, body, debug);
    } finally {
      this.concurrent--;
      const left = (this.concurrentByFunction.get(fn.name) ?? 1) - 1;
      if (left > 0) this.concurrentByFunction.set(fn.name, left);
      else this.concurrentByFunction.delete(fn.name);
    }
  }

  /** An accepted invocation: an environment (maybe after the queue), init when cold, the invoke, the final record. */
  private async run(record: InvocationRecord, request: InvokeRequest, body: Buffer, debug: boolean): Promise<InvocationRecord> {
    const { fn } = request;
    const requestId = record.requestId;
    // An environment free right now is taken before the record is announced, so the record says from its
    // start whether this is a cold start (a debug run can sit at a breakpoint for minutes meanwhile).
    let free = this.takeIdle(fn, debug) ?? this.startWithinBudget(fn, debug);
    if (free) record.cold = startsCold(free);
    this.events.emit('started', record);
    // The record book has given the record its parent's trace (on `started`); without one, it starts a trace.
    record.traceId ??= newTraceRoot();
    let waited = false;
    const environment = async () => {
      if (free) {
        const env = free;
        free = undefined;
        return env;
      }
      const found = await this.environmentFor(fn, debug, request.signal);
      waited ||= found.waited;
      return found.env;
    };
    let env = await environment();
    // A warm environment whose runtime died after its last invocation is replaced by a new (cold) one.
    while (env && env.initialized && !(await env.ensureReady())) {
      this.remove(env);
      void env.destroy();
      env = await environment();
    }
    if (!env) {
      if (this.stopped) throw new Error('the invoker is shut down');
      // Cancelled while it waited in the queue.
      record.status = 'interrupted';
      record.error = { errorType: 'Host.Interrupted', errorMessage: 'The invocation was cancelled before an environment was free.', trace: [] };
      this.markDequeued(record, true);
      record.timestamps.finishedAt = recordNow();
      await this.finish(record, request);
      return record;
    }
    this.markDequeued(record, waited);
    // It waited for its environment, or the first one had died: say what it turned out to be while it runs.
    if (startsCold(env) !== record.cold) {
      record.cold = startsCold(env);
      this.events.emit('updated', record);
    }

    if (env.provisioned) {
      record.initializationType = 'provisioned-concurrency';
      record.environmentId = env.id;
    }
    this.inFlight.set(record.id, { record, env });
    const onAbort = () => env.cancel();
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const sink: LineSink = (line) => {
      record.logs.push(line);
      this.events.emit('log', record.id, line);
    };
    try {
      if (!env.initialized) {
        let init;
        try {
          init = await env.init(requestId, sink, { retryInInvoke: true });
        } finally {
          this.releaseStartSlot(env);
        }
        if (!init.ok) {
          // Spec §1: the init error is the invocation's error; the next invoke starts (and fails) again.
          await this.finishInitFailure(record, env, init, sink, request);
          return record;
        }
      }
      if (request.signal?.aborted) env.cancel();
      const outcome = await env.invoke(
        {
          requestId,
          body,
          traceHeader: traceHeaderFor(record.traceId, requestId),
          ...(request.clientContext !== undefined ? { clientContext: request.clientContext } : {}),
          ...(request.identity !== undefined ? { identity: request.identity } : {}),
        },
        sink,
      );
      record.cold = outcome.initDurationMs !== undefined || outcome.initPhase === 'invoke';
      if (outcome.initPhase) record.initPhase = outcome.initPhase;
      record.status = outcome.status;
      if (outcome.status === 'success') record.result = outcome.result ?? null;
      if (outcome.error) record.error = outcome.error;
      record.durationMs = outcome.durationMs;
      if (outcome.initDurationMs !== undefined) record.initDurationMs = outcome.initDurationMs;
      record.billedDurationMs = outcome.billedDurationMs;
      record.maxMemoryUsedMB = outcome.maxMemoryUsedMB;
      record.sandbox = outcome.sandbox;
      if (env.runtimeNotice) record.runtimeNotice = env.runtimeNotice;
      if (env.debugPort !== undefined) {
        record.pausedMs = Math.round(outcome.pausedMs * 100) / 100;
        record.pauses = outcome.pauses;
      }
      record.costUsd = invocationCostUsd(fn.memorySizeMB, outcome.billedDurationMs, fn.architecture);
      const ts = record.timestamps;
      if (outcome.initStartAt !== undefined) ts.initStartAt = outcome.initStartAt;
      if (outcome.initEndAt !== undefined) ts.initEndAt = outcome.initEndAt;
      if (outcome.invokeStartAt !== undefined) ts.invokeStartAt = outcome.invokeStartAt;
      ts.invokeEndAt = outcome.invokeEndAt;
      ts.finishedAt = recordNow();
    } catch (err) {
      this.remove(env);
      void env.destroy();
      throw err;
    } finally {
      this.inFlight.delete(record.id);
      request.signal?.removeEventListener('abort', onAbort);
    }
    this.release(env);
    await this.finish(record, request);
    return record;
  }

  /**
   * The caller's last word on the record (`completeRecord`), then the one `finished` announcement;
   * resolves once every listener's promise (the store's write) has settled, so nobody is answered
   * before the record is durable (at once with `returnBeforeStored`: the caller orders its own
   * acknowledgement after the write).
   */
  private async finish(record: InvocationRecord, request: InvokeRequest): Promise<void> {
    try {
      request.completeRecord?.(record);
    } catch (err) {
      process.emitWarning(`completeRecord failed for ${record.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const writes: Promise<void>[] = [];
    for (const listener of this.events.listeners('finished') as InvocationEvents['finished'][]) {
      try {
        const done = listener(record);
        if (done) writes.push(done);
      } catch (err) {
        process.emitWarning(`a 'finished' listener failed for ${record.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (writes.length === 0) return;
    const stored = Promise.allSettled(writes).then((results) => {
      for (const r of results) if (r.status === 'rejected') process.emitWarning(`storing ${record.id} failed: ${String(r.reason)}`);
    });
    if (!request.returnBeforeStored) await stored;
  }

  /** Records how long the invocation waited in the burst queue (nothing when it did not). */
  private markDequeued(record: InvocationRecord, waited: boolean): void {
    if (!waited) return;
    // On the records' clock (util/record-clock.ts), as the init or invoke it precedes is.
    const now = recordNow();
    record.timestamps.dequeuedAt = now;
    record.queuedMs = Math.max(0, now - record.timestamps.queuedAt);
  }

  /**
   * Provisioned concurrency: keeps `count` environments of `fn` initialised ahead of invocations (0
   * releases them). Each init is a `provisioned-init` record of its own, announced like an invocation;
   * resolves with those records once the missing environments are initialised. An environment that dies
   * after a successful init is replaced, as Lambda keeps the provisioned count; a failing init is not retried.
   */
  async provision(fn: FunctionConfig, count: number): Promise<InvocationRecord[]> {
    if (this.stopped) return [];
    const signature = configSignature(fn);
    if (count > 0) this.provisionedTargets.set(fn.name, { fn, count });
    else this.provisionedTargets.delete(fn.name);
    const pool = this.pool(poolKey(fn.name, false));
    const live = pool.filter((e) => e.provisioned && !e.retired && e.state !== 'dead');
    const current = live.filter((e) => configSignature(e.fn) === signature);
    // Environments of an older configuration, or beyond the count, are no longer provisioned.
    for (const env of [...live.filter((e) => configSignature(e.fn) !== signature), ...current.slice(count)]) this.retireEnvironment(env);
    const missing = count - Math.min(current.length, count);
    const starts: Promise<InvocationRecord>[] = [];
    for (let i = 0; i < missing; i++) {
      starts.push(this.initProvisioned(this.createEnvironment(fn, false, 'provisioned-concurrency')));
    }
    return Promise.all(starts);
  }

  /** Live provisioned environments of a function that finished their init (tests and the panel). */
  provisionedCount(functionName: string): number {
    return (this.pools.get(poolKey(functionName, false)) ?? []).filter((e) => e.provisioned && !e.retired && e.initialized && e.state !== 'dead').length;
  }

  private async initProvisioned(env: ExecutionEnvironment): Promise<InvocationRecord> {
    const { fn } = env;
    const id = randomUUID();
    const record: InvocationRecord = {
      id,
      kind: 'provisioned-init',
      requestId: '',
      functionName: fn.name,
      trigger: 'provisioned',
      status: 'running',
      cold: true,
      initializationType: 'provisioned-concurrency',
      environmentId: env.id,
      runtime: fn.runtime,
      architecture: fn.architecture,
      memorySizeMB: fn.memorySizeMB,
      timeoutSeconds: fn.timeoutSeconds,
      timestamps: { queuedAt: recordNow() },
      billingRule: this.options.billingRule,
      event: null,
      logs: [],
    };
    const sink: LineSink = (line) => {
      record.logs.push(line);
      this.events.emit('log', record.id, line);
    };
    this.events.emit('started', record);
    let init: Awaited<ReturnType<ExecutionEnvironment['init']>>;
    try {
      init = await env.init(id, sink);
    } catch (err) {
      this.remove(env);
      void env.destroy();
      init = { ok: false, status: 'error', error: { errorType: 'Runtime.Unknown', errorMessage: err instanceof Error ? err.message : String(err), trace: [] } };
    }
    const span = env.initSpan;
    if (span.startAt !== undefined) record.timestamps.initStartAt = span.startAt;
    if (span.endAt !== undefined) record.timestamps.initEndAt = span.endAt;
    const initDurationMs = env.initDuration;
    if (initDurationMs !== undefined) record.initDurationMs = initDurationMs;
    record.maxMemoryUsedMB = env.maxMemoryUsedMB;
    if (init.ok) {
      record.status = 'success';
      this.provisionedReady.add(env);
      if (env.retired || this.stopped) {
        this.remove(env);
        void env.destroy();
      } else {
        // Initialised and waiting: the next invocation of the function takes it.
        this.claimed.delete(env);
        this.serveWaiters();
      }
    } else {
      this.remove(env);
      void env.destroy();
      record.status = init.status;
      record.error = init.error;
    }
    record.timestamps.finishedAt = recordNow();
    this.events.emit('finished', record);
    return record;
  }

  /** Destroyed now when idle, after its invocation otherwise. */
  private retireEnvironment(env: ExecutionEnvironment): void {
    env.retired = true;
    if (env.state === 'idle' && !this.claimed.has(env)) {
      this.remove(env);
      void env.destroy();
    }
  }

  /**
   * Starts (and initializes) a debug environment for a function without invoking it, so a debugger can
   * attach before the first invocation; the next `invoke({debug: true})` of the function uses it.
   */
  async prepareDebug(fn: FunctionConfig): Promise<Omit<DebugTarget, 'invocationId'>> {
    const pool = this.pool(poolKey(fn.name, true));
    let env = pool.find((e) => e.state === 'idle' && !this.claimed.has(e) && !e.retired);
    if (!env) {
      // Debugging is one environment the user asked for: it does not wait for the memory budget.
      env = this.takeIdle(fn, true) ?? this.createEnvironment(fn, true);
      const init = await env.init(randomUUID());
      if (!init.ok) {
        this.remove(env);
        throw new UserError(`the debug environment for '${fn.name}' failed to initialize: ${init.error.errorType}: ${init.error.errorMessage}`);
      }
      this.release(env);
    }
    return { host: '127.0.0.1', port: env.debugPort!, kind: debugTargetKindOf(fn), environmentId: env.id };
  }

  /** The environment id and inspector port of an in-flight invocation (debug sessions). */
  environmentOf(recordId: string): { environmentId: string; debugPort?: number } | undefined {
    const f = this.inFlight.get(recordId);
    if (!f) return undefined;
    return { environmentId: f.env.id, ...(f.env.debugPort !== undefined ? { debugPort: f.env.debugPort } : {}) };
  }

  /** The runtime's AWS SDK became available (installed in the background): environments started from now on find it. */
  useRuntimeSdk(nodeModules: string): void {
    this.options.runtimeSdkDir = nodeModules;
  }

  retire(functionName: string): void {
    for (const [key, pool] of this.pools) {
      if (!key.startsWith(`${functionName}\u0000`)) continue;
      for (const env of [...pool]) this.retireEnvironment(env);
    }
  }

  cancel(recordId: string): boolean {
    const f = this.inFlight.get(recordId);
    if (!f) return false;
    f.env.cancel();
    return true;
  }

  debuggerPaused(environmentId: string): void {
    this.findEnvironment(environmentId)?.paused();
  }

  debuggerResumed(environmentId: string): void {
    this.findEnvironment(environmentId)?.resumed();
  }

  /** Number of live environments of a function (for tests and the panel). */
  environmentCount(functionName?: string): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.filter((e) => e.state !== 'dead' && (!functionName || e.fn.name === functionName)).length;
    return n;
  }

  /** Pids of every live environment's root process (tests check nothing is left behind). */
  environmentPids(): number[] {
    const pids: number[] = [];
    for (const pool of this.pools.values()) for (const env of pool) if (env.pid) pids.push(env.pid);
    return pids;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
    for (const f of this.inFlight.values()) f.env.cancel();
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    await Promise.all(all.map((env) => env.destroy()));
    LIVE_INVOKERS.delete(this);
  }

  // --- internals -----------------------------------------------------------------------------

  private pool(key: string): ExecutionEnvironment[] {
    let pool = this.pools.get(key);
    if (!pool) this.pools.set(key, (pool = []));
    return pool;
  }

  /**
   * A warm idle environment, a new one within the memory budget, or — beyond it — the next one that
   * becomes free (`waited`); undefined when the invoker stops or the signal cancels the wait.
   */
  private async environmentFor(
    fn: FunctionConfig,
    debug: boolean,
    signal: AbortSignal | undefined,
  ): Promise<{ env: ExecutionEnvironment | undefined; waited: boolean }> {
    const now = this.takeIdle(fn, debug) ?? this.startWithinBudget(fn, debug);
    if (now) return { env: now, waited: false };
    if (signal?.aborted) return { env: undefined, waited: false };
    const env = await new Promise<ExecutionEnvironment | undefined>((resolve) => {
      const waiter: Waiter = { fn, debug, resolve };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = (found) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(found);
      };
      this.waiters.push(waiter);
    });
    return { env, waited: true };
  }

  /** A warm idle environment of this configuration, marked busy; stale ones of the function are ended. */
  private takeIdle(fn: FunctionConfig, debug: boolean): ExecutionEnvironment | undefined {
    const pool = this.pool(poolKey(fn.name, debug));
    const signature = configSignature(fn);
    // Provisioned environments first, as Lambda routes to provisioned concurrency before spilling over to on-demand.
    const idle = pool.filter((e) => e.state === 'idle' && !this.claimed.has(e) && !e.retired && configSignature(e.fn) === signature);
    const env = idle.find((e) => e.provisioned) ?? idle[0];
    if (env) {
      this.claimed.add(env);
      env.state = 'busy';
      clearTimeout(env.idleTimer);
      return env;
    }
    // An environment whose configuration changed is not reused (Lambda starts new ones after an update).
    for (const stale of pool.filter((e) => e.state === 'idle' && !this.claimed.has(e) && configSignature(e.fn) !== signature)) {
      stale.retired = true;
      this.remove(stale);
      void stale.destroy();
    }
    return undefined;
  }

  /**
   * A new environment, holding a start slot until its init ends, when a slot is free and the budget
   * has room for it (ending idle environments of other functions to make room). Otherwise the
   * invocation waits, and takes whichever comes first: a warm environment or a slot.
   */
  private startWithinBudget(fn: FunctionConfig, debug: boolean): ExecutionEnvironment | undefined {
    if (this.starting.size >= (this.options.startConcurrency ?? defaultStartConcurrency())) return undefined;
    const budget = this.options.memoryBudgetMB ?? defaultMemoryBudgetMB();
    while (this.budgeted.size > 0 && this.budgetUsedMB + fn.memorySizeMB > budget) {
      const idle = this.oldestIdle();
      if (!idle) return undefined;
      this.remove(idle);
      void idle.destroy();
    }
    const env = this.createEnvironment(fn, debug);
    this.starting.add(env);
    return env;
  }

  private oldestIdle(): ExecutionEnvironment | undefined {
    for (const pool of this.pools.values()) for (const env of pool) if (env.state === 'idle' && !this.claimed.has(env)) return env;
    return undefined;
  }

  /** Hands freed environments and budget to the invocations waiting for them, in arrival order. */
  private serveWaiters(): void {
    if (this.stopped || this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    const still: Waiter[] = [];
    for (const w of waiting) {
      const env = this.takeIdle(w.fn, w.debug) ?? this.startWithinBudget(w.fn, w.debug);
      if (env) w.resolve(env);
      else still.push(w);
    }
    // Waiters that arrived while these were served (none today: resolving is synchronous) keep their turn after them.
    this.waiters = [...still, ...this.waiters];
  }

  /** An environment's init ended (or it died first): its start slot goes to whoever waits. */
  private releaseStartSlot(env: ExecutionEnvironment): void {
    if (this.starting.delete(env)) this.serveWaiters();
  }

  private createEnvironment(fn: FunctionConfig, debug: boolean, initializationType?: InitializationType): ExecutionEnvironment {
    const pool = this.pool(poolKey(fn.name, debug));
    const launch: EnvironmentLaunch = {
      ...(this.options.nodeOptions !== undefined ? { nodeOptions: this.options.nodeOptions } : {}),
      ...(this.options.nodePath !== undefined ? { nodePath: this.options.nodePath } : {}),
      ...(this.options.pythonPath !== undefined ? { pythonPath: this.options.pythonPath } : {}),
      ...(this.options.javaHome !== undefined ? { javaHome: this.options.javaHome } : {}),
      ...(this.options.stateDir !== undefined ? { stateDir: this.options.stateDir } : {}),
      ...(this.options.hostEnv !== undefined ? { hostEnv: this.options.hostEnv } : {}),
      ...(this.options.runtimeSdkDir !== undefined ? { runtimeSdkDir: this.options.runtimeSdkDir } : {}),
      ...(this.options.aws !== undefined ? { aws: this.options.aws } : {}),
    };
    const entry = this.options.nodeEntry?.(fn);
    if (entry) launch.nodeEntry = entry;
    const env = new ExecutionEnvironment({
      id: randomUUID(),
      fn,
      region: this.options.region,
      accountId: this.options.accountId,
      billingRule: this.options.billingRule,
      debug,
      initTimeoutMs: this.options.initTimeoutMs ?? 10_000,
      wallClockTimeoutWhileDebugging: this.options.wallClockTimeoutWhileDebugging,
      memorySampleMs: this.options.memorySampleMs ?? 20,
      sandbox: this.sandbox,
      ...(this.options.hostLog ? { hostLog: this.options.hostLog } : {}),
      ...(initializationType ? { initializationType } : {}),
      launch,
    });
    env.onDeath = () => {
      this.remove(env);
      this.replaceProvisioned(env);
      if (debug) this.events.emit('debugEnvironmentEnded', { environmentId: env.id, functionName: fn.name, replaced: env.retired });
    };
    pool.push(env);
    this.claimed.add(env);
    this.budgeted.set(env, fn.memorySizeMB);
    this.budgetUsedMB += fn.memorySizeMB;
    return env;
  }

  /** A provisioned environment that died after its init (crash, timeout, out of memory) is replaced. */
  private replaceProvisioned(env: ExecutionEnvironment): void {
    if (!this.provisionedReady.has(env) || env.retired || this.stopped) return;
    const target = this.provisionedTargets.get(env.fn.name);
    if (!target || configSignature(target.fn) !== configSignature(env.fn)) return;
    void this.provision(target.fn, target.count).catch((err: unknown) =>
      this.options.hostLog?.('error', `${env.fn.name}: replacing a provisioned environment failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  /** After an invocation: back to the pool (idle timer armed), or gone if it died or was retired. */
  private release(env: ExecutionEnvironment): void {
    this.claimed.delete(env);
    if (env.state === 'dead') {
      this.remove(env);
      void env.destroy();
      return;
    }
    if (env.retired || this.stopped) {
      this.remove(env);
      void env.destroy();
      return;
    }
    env.state = 'idle';
    clearTimeout(env.idleTimer);
    // Provisioned concurrency stays initialised however long it idles.
    if (env.provisioned) return;
    env.idleTimer = setTimeout(() => {
      if (env.state !== 'idle') return;
      this.remove(env);
      void env.destroy();
    }, this.options.idleReapMs);
    env.idleTimer.unref();
    this.serveWaiters();
  }

  private remove(env: ExecutionEnvironment): void {
    for (const pool of this.pools.values()) {
      const i = pool.indexOf(env);
      if (i >= 0) pool.splice(i, 1);
    }
    this.claimed.delete(env);
    const mb = this.budgeted.get(env);
    const slot = this.starting.delete(env);
    if (mb !== undefined) {
      this.budgeted.delete(env);
      this.budgetUsedMB -= mb;
    }
    if (mb !== undefined || slot) this.serveWaiters();
  }

  private finishInitFailure(
    record: InvocationRecord,
    env: ExecutionEnvironment,
    init: { ok: false; status: 'error' | 'timeout' | 'outOfMemory'; error: InvocationRecord['error'] & object },
    sink: LineSink,
    request: InvokeRequest,
  ): Promise<void> {
    this.remove(env);
    void env.destroy();
    record.cold = true;
    record.status = init.status === 'error' && init.error.errorType === 'Host.Interrupted' ? 'interrupted' : init.status;
    record.error = init.error;
    const outcome = env.initFailureReport(record.requestId, init, sink);
    record.durationMs = outcome.durationMs;
    if (outcome.initDurationMs !== undefined) record.initDurationMs = outcome.initDurationMs;
    if (outcome.initPhase) record.initPhase = outcome.initPhase;
    record.billedDurationMs = outcome.billedDurationMs;
    record.maxMemoryUsedMB = outcome.maxMemoryUsedMB;
    record.sandbox = env.sandboxReport();
    record.costUsd = invocationCostUsd(record.memorySizeMB, outcome.billedDurationMs, record.architecture);
    Object.assign(record.timestamps, outcome.timestamps, { finishedAt: recordNow() });
    this.inFlight.delete(record.id);
    return this.finish(record, request);
  }

  private findEnvironment(id: string): ExecutionEnvironment | undefined {
    for (const pool of this.pools.values()) for (const env of pool) if (env.id === id) return env;
    return undefined;
  }

  /** @internal — the process exit hook's last resort. */
  killAllSync(): void {
    for (const pool of this.pools.values()) for (const env of pool) env.killSync();
  }
}

type EnvironmentLaunch = HostLaunchSettings;

/** Whether the next invocation in this environment is its cold start (a provisioned one's init was its own record). */
function startsCold(env: ExecutionEnvironment): boolean {
  return env.invocations === 0 && !env.provisioned;
}

function poolKey(functionName: string, debug: boolean): string {
  return `${functionName}\u0000${debug ? 'debug' : 'run'}`;
}

const signatures = new WeakMap<FunctionConfig, string>();

/** What makes two configurations of one function need different environments (cached per config object). */
function configSignature(fn: FunctionConfig): string {
  let signature = signatures.get(fn);
  if (signature === undefined) {
    signature = JSON.stringify([fn.handler, fn.codeUri, fn.runtime, fn.memorySizeMB, fn.timeoutSeconds, fn.architecture, fn.environment]);
    signatures.set(fn, signature);
  }
  return signature;
}

/** What `invoke --json` prints and the protocol's `invoke` returns (the CLI contract in the README). */
export function toInvokeOutput(record: InvocationRecord): InvokeOutput {
  const status: InvokeReport['status'] = record.status === 'success' ? 'success' : record.status === 'timeout' ? 'timeout' : 'error';
  const report: InvokeReport = {
    durationMs: record.durationMs ?? 0,
    billedDurationMs: record.billedDurationMs ?? 0,
    memorySizeMB: record.memorySizeMB,
    maxMemoryUsedMB: record.maxMemoryUsedMB ?? 0,
    ...(record.cold && record.initDurationMs !== undefined ? { initDurationMs: record.initDurationMs } : {}),
    status,
    ...(status !== 'success' && record.error ? { errorType: record.error.errorType } : {}),
  };
  return {
    requestId: record.requestId,
    functionName: record.functionName,
    cold: record.cold,
    ...(record.status === 'success'
      ? { result: record.result ?? null }
      : { error: normalizedError(record.error ?? { errorType: 'Unknown', errorMessage: record.status, trace: [] }) }),
    logs: record.logs,
    report,
  };
}

/** `invoke --json` and the protocol give the error as `{errorType, errorMessage, trace}` whatever the runtime posted (the record keeps the post). */
function normalizedError(error: LambdaError): LambdaError {
  return { errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace };
}
