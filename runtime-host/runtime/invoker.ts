// The runtime core: runs invocations in pools of execution environments, one pool per function,
// the way Lambda scales — warm reuse, a new environment per concurrent invocation up to the
// function's reserved concurrency, throttling beyond it, idle environments reaped.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { invocationCostUsd } from '../protocol/billing';
import type { DebugTarget } from '../protocol/methods';
import type { InvocationRecord, InvokeOutput, InvokeReport } from '../protocol/records';
import { ExecutionEnvironment, type HostLog, type LineSink } from './execution-environment';
import { runtimeFamilyOf, type LaunchContext } from './launch';
import { sandboxFor, type Sandbox, type SandboxSetting } from './sandbox';
import { UserError, type FunctionConfig, type InvocationEvents, type InvokeRequest, type Invoker, type InvokerOptions } from './types';

/** Lambda's payload limits (spec §3). */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456;
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1_048_576;

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
  /** Concurrency for functions without reserved concurrency (Lambda's default account limit). */
  unreservedConcurrency?: number;
  /** Replaces the Node bootstrap, e.g. aws-lambda-ric (the conformance test). */
  nodeEntry?: (fn: FunctionConfig) => string[] | undefined;
  /** Host variables environments inherit (PATH, AWS credentials); default process.env. */
  hostEnv?: NodeJS.ProcessEnv;
  /** The host's logger for notices environments print about the host (default: stderr), never part of a Lambda log. */
  hostLog?: HostLog;
  /** Where environments run: cgroups where the host may manage them (`auto`), only cgroups, or the process fallback. */
  sandbox?: SandboxSetting;
}

interface InFlight {
  record: InvocationRecord;
  env: ExecutionEnvironment;
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
  private readonly options: LambdaInvokerOptions & InvokerOptions;
  private stopped = false;
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

  on<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof InvocationEvents>(event: E, listener: InvocationEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }

  async invoke(request: InvokeRequest): Promise<InvocationRecord> {
    if (this.stopped) throw new Error('the invoker is shut down');
    const { fn } = request;
    const body = JSON.stringify(request.event === undefined ? null : request.event) ?? 'null';
    const limit =
      request.invocationType === 'Event'
        ? (this.options.asyncMaxPayloadBytes ?? ASYNC_PAYLOAD_LIMIT_BYTES)
        : (this.options.maxPayloadBytes ?? SYNC_PAYLOAD_LIMIT_BYTES);
    const size = Buffer.byteLength(body);
    if (size > limit) {
      throw new UserError(
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        `the event is ${size} bytes; ${request.invocationType === 'Event' ? 'asynchronous' : 'synchronous'} invocations accept at most ${limit} bytes`,
        'RequestEntityTooLargeException',
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
      status: 'running',
      cold: false,
      runtime: fn.runtime,
      architecture: fn.architecture,
      memorySizeMB: fn.memorySizeMB,
      timeoutSeconds: fn.timeoutSeconds,
      timestamps: { queuedAt: Date.now() },
      billingRule: this.options.billingRule,
      event: request.event,
      logs: [],
      ...(request.http ? { http: request.http } : {}),
      ...(request.source ? { source: request.source } : {}),
    };

    let env = this.acquire(fn, request.debug === true);
    // A warm environment whose runtime died after its last invocation is replaced by a new (cold) one.
    while (env && env.initialized && !(await env.ensureReady())) {
      this.remove(env);
      void env.destroy();
      env = this.acquire(fn, request.debug === true);
    }
    if (!env) {
      record.status = 'throttled';
      record.error = { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', trace: [] };
      record.timestamps.finishedAt = Date.now();
      this.events.emit('started', record);
      this.finish(record, request);
      return record;
    }

    this.inFlight.set(record.id, { record, env });
    const onAbort = () => env.cancel();
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const sink: LineSink = (line) => {
      record.logs.push(line);
      this.events.emit('log', record.id, line);
    };
    this.events.emit('started', record);
    try {
      if (!env.initialized) {
        const init = await env.init(requestId, sink);
        if (!init.ok) {
          // Spec §1: the init error is the invocation's error; the next invoke starts (and fails) again.
          this.finishInitFailure(record, env, init, sink, request);
          return record;
        }
      }
      if (request.signal?.aborted) env.cancel();
      const outcome = await env.invoke(
        {
          requestId,
          body,
          ...(request.clientContext !== undefined ? { clientContext: request.clientContext } : {}),
          ...(request.identity !== undefined ? { identity: request.identity } : {}),
        },
        sink,
      );
      record.cold = outcome.initDurationMs !== undefined;
      record.status = outcome.status;
      if (outcome.status === 'success') record.result = outcome.result ?? null;
      if (outcome.error) record.error = outcome.error;
      record.durationMs = outcome.durationMs;
      if (outcome.initDurationMs !== undefined) record.initDurationMs = outcome.initDurationMs;
      record.billedDurationMs = outcome.billedDurationMs;
      record.maxMemoryUsedMB = outcome.maxMemoryUsedMB;
      record.sandbox = outcome.sandbox;
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
      ts.finishedAt = Date.now();
    } catch (err) {
      this.remove(env);
      void env.destroy();
      throw err;
    } finally {
      this.inFlight.delete(record.id);
      request.signal?.removeEventListener('abort', onAbort);
    }
    this.release(env);
    this.finish(record, request);
    return record;
  }

  /** The caller's last word on the record (`completeRecord`), then the one `finished` announcement. */
  private finish(record: InvocationRecord, request: InvokeRequest): void {
    try {
      request.completeRecord?.(record);
    } catch (err) {
      process.emitWarning(`completeRecord failed for ${record.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.events.emit('finished', record);
  }

  /**
   * Starts (and initializes) a debug environment for a function without invoking it, so a debugger can
   * attach before the first invocation; the next `invoke({debug: true})` of the function uses it.
   */
  async prepareDebug(fn: FunctionConfig): Promise<Omit<DebugTarget, 'invocationId'>> {
    const pool = this.pool(poolKey(fn.name, true));
    let env = pool.find((e) => e.state === 'idle' && !e.retired);
    if (!env) {
      env = this.acquire(fn, true);
      if (!env) throw new UserError(`function '${fn.name}' is at its concurrency limit`, 'wait for its invocations to finish', 'TooManyRequestsException');
      const init = await env.init(randomUUID());
      if (!init.ok) {
        this.remove(env);
        throw new UserError(`the debug environment for '${fn.name}' failed to initialize: ${init.error.errorType}: ${init.error.errorMessage}`);
      }
      this.release(env);
    }
    const kind = runtimeFamilyOf(fn.runtime) === 'python' ? 'debugpy' : 'node-inspector';
    return { host: '127.0.0.1', port: env.debugPort!, kind, environmentId: env.id };
  }

  /** The environment id and inspector port of an in-flight invocation (debug sessions). */
  environmentOf(recordId: string): { environmentId: string; debugPort?: number } | undefined {
    const f = this.inFlight.get(recordId);
    if (!f) return undefined;
    return { environmentId: f.env.id, ...(f.env.debugPort !== undefined ? { debugPort: f.env.debugPort } : {}) };
  }

  retire(functionName: string): void {
    for (const [key, pool] of this.pools) {
      if (!key.startsWith(`${functionName}\u0000`)) continue;
      for (const env of [...pool]) {
        env.retired = true;
        if (env.state === 'idle') {
          this.remove(env);
          void env.destroy();
        }
      }
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

  /** A warm idle environment, a new one within the concurrency limit, or undefined (throttled). */
  private acquire(fn: FunctionConfig, debug: boolean): ExecutionEnvironment | undefined {
    const key = poolKey(fn.name, debug);
    const pool = this.pool(key);
    const signature = configSignature(fn);
    let env = pool.find((e) => e.state === 'idle' && !e.retired && configSignature(e.fn) === signature);
    if (env) {
      env.state = 'busy';
      clearTimeout(env.idleTimer);
      return env;
    }
    // An environment whose configuration changed is not reused (Lambda starts new ones after an update).
    for (const stale of pool.filter((e) => e.state === 'idle' && configSignature(e.fn) !== signature)) {
      this.remove(stale);
      void stale.destroy();
    }
    const limit = fn.reservedConcurrency ?? this.options.unreservedConcurrency ?? 1000;
    const active = [...this.pools.entries()]
      .filter(([k]) => k.startsWith(`${fn.name}\u0000`))
      .reduce((n, [, p]) => n + p.filter((e) => e.state !== 'dead').length, 0);
    if (active >= limit) return undefined;
    const launch: EnvironmentLaunch = {
      ...(this.options.nodeOptions !== undefined ? { nodeOptions: this.options.nodeOptions } : {}),
      ...(this.options.nodePath !== undefined ? { nodePath: this.options.nodePath } : {}),
      ...(this.options.pythonPath !== undefined ? { pythonPath: this.options.pythonPath } : {}),
      ...(this.options.stateDir !== undefined ? { stateDir: this.options.stateDir } : {}),
      ...(this.options.hostEnv !== undefined ? { hostEnv: this.options.hostEnv } : {}),
    };
    const entry = this.options.nodeEntry?.(fn);
    if (entry) launch.nodeEntry = entry;
    env = new ExecutionEnvironment({
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
      launch,
    });
    const created = env;
    created.onDeath = () => this.remove(created);
    pool.push(env);
    return env;
  }

  /** After an invocation: back to the pool (idle timer armed), or gone if it died or was retired. */
  private release(env: ExecutionEnvironment): void {
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
    env.idleTimer = setTimeout(() => {
      if (env.state !== 'idle') return;
      this.remove(env);
      void env.destroy();
    }, this.options.idleReapMs);
    env.idleTimer.unref();
  }

  private remove(env: ExecutionEnvironment): void {
    for (const pool of this.pools.values()) {
      const i = pool.indexOf(env);
      if (i >= 0) pool.splice(i, 1);
    }
  }

  private finishInitFailure(
    record: InvocationRecord,
    env: ExecutionEnvironment,
    init: { ok: false; status: 'error' | 'timeout' | 'outOfMemory'; error: InvocationRecord['error'] & object },
    sink: LineSink,
    request: InvokeRequest,
  ): void {
    this.remove(env);
    void env.destroy();
    record.cold = true;
    record.status = init.status === 'error' && init.error.errorType === 'Host.Interrupted' ? 'interrupted' : init.status;
    record.error = init.error;
    const outcome = env.initFailureReport(record.requestId, init, sink);
    record.durationMs = outcome.durationMs;
    record.initDurationMs = outcome.initDurationMs;
    record.billedDurationMs = outcome.billedDurationMs;
    record.maxMemoryUsedMB = outcome.maxMemoryUsedMB;
    record.sandbox = env.sandboxReport();
    record.costUsd = invocationCostUsd(record.memorySizeMB, outcome.billedDurationMs, record.architecture);
    Object.assign(record.timestamps, outcome.timestamps, { finishedAt: Date.now() });
    this.inFlight.delete(record.id);
    this.finish(record, request);
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

type EnvironmentLaunch = Pick<LaunchContext, 'nodeOptions' | 'nodePath' | 'pythonPath' | 'stateDir' | 'nodeEntry' | 'hostEnv'>;

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

/** What `invoke --json` prints and the protocol's `invoke` returns (issue 2's CLI contract). */
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
      : { error: record.error ?? { errorType: 'Unknown', errorMessage: record.status, trace: [] } }),
    logs: record.logs,
    report,
  };
}
