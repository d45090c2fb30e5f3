// One execution environment: a runtime process tree plus its Runtime API, living through Lambda's
// phases — init (spawn → first GET /next, 10 s limit), then one invocation at a time, until it is
// reaped, retired, or destroyed by a timeout, an out-of-memory kill or a crash (lambda-behaviour §2–§4).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billedDurationMs } from '../protocol/billing';
import type { BillingRule, LambdaError, PausedSpan, SandboxReport } from '../protocol/records';
import { launchSpec, newLogStreamName, type HostLaunchSettings } from './launch';
import { runtimeVersionNotice, type InitializationType } from './launch-environment';
import {
  closingLines,
  exitError,
  initTimeoutError,
  interruptedError,
  invokeTimeoutError,
  outOfMemoryError,
  outOfMemoryLines,
  parseError,
  parseJson,
  reportStatusOf,
  responseTooLargeError,
} from './lambda-errors';
import {
  exitReason,
  initReportLine,
  initStartLine,
  logFormatOf,
  runtimeExitLines,
  runtimeVersionOf,
  startLine,
  systemLogLevelFilter,
  timeoutLine,
  type LogFormat,
  type ReportStatus,
} from './log-lines';
import { MemorySampler } from './memory-sampler';
import { OutputDemux, stderrHostLog, type HostLog, type LineSink } from './output-demux';
import { PauseClock } from './pause-clock';
import { killGroupSync, killTree } from './process-tree';
import { freePort } from '../util/ports';
import { RuntimeApiServer, type PostedBody } from './runtime-api-server';
import type { EnvironmentSandbox, Sandbox } from './sandbox';
import { newTraceRoot, traceHeaderFor } from './trace-id';
import type { FunctionConfig } from './types';
import { recordNow } from '../util/record-clock';

export { HOST_LINE_PREFIX, type HostLog, type LineSink } from './output-demux';

export interface EnvironmentOptions {
  id: string;
  fn: FunctionConfig;
  region: string;
  accountId: string;
  billingRule: BillingRule;
  debug: boolean;
  /** Lambda's init phase limit (10 s). Not applied in debug mode: a person may be stepping through init. */
  initTimeoutMs: number;
  wallClockTimeoutWhileDebugging: boolean;
  /** How often resident memory is sampled while the environment works. */
  memorySampleMs: number;
  /** Where host notices from the environment go (default: this process's stderr). */
  hostLog?: HostLog;
  /** Where environments run (chosen once per host). */
  sandbox: Sandbox;
  /** Launch settings shared by all environments (NODE_OPTIONS, node binary, state dir…). */
  launch: HostLaunchSettings;
  /** `provisioned-concurrency`: initialised ahead of invocations, so no invocation of it reports an Init Duration. */
  initializationType?: InitializationType;
}

export interface InvocationInput {
  requestId: string;
  /** The serialised event (UTF-8 bytes or text). */
  body: string | Buffer;
  clientContext?: unknown;
  identity?: unknown;
  /** `Lambda-Runtime-Trace-Id` (the function's `_X_AMZN_TRACE_ID`): the invocation's trace; a new one when absent. */
  traceHeader?: string;
}

export type OutcomeStatus = 'success' | 'error' | 'timeout' | 'outOfMemory' | 'interrupted';

export interface InvocationOutcome {
  status: OutcomeStatus;
  result?: unknown;
  error?: LambdaError;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  /** `invoke`: init ran again inside this invocation after the init phase failed (lambda-behaviour §8). */
  initPhase?: 'invoke';
  maxMemoryUsedMB: number;
  pausedMs: number;
  pauses: PausedSpan[];
  initStartAt?: number;
  initEndAt?: number;
  invokeStartAt?: number;
  invokeEndAt: number;
  sandbox: SandboxReport;
}

type EnvEvent =
  | { kind: 'next' }
  | { kind: 'response'; body: PostedBody }
  | { kind: 'error'; body: PostedBody }
  | { kind: 'initError'; body: PostedBody }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'timeout' }
  | { kind: 'outOfMemory' }
  | { kind: 'cancel' };

export type InitOutcome = { ok: true } | { ok: false; status: 'error' | 'timeout' | 'outOfMemory'; error: LambdaError };

export type EnvironmentState = 'new' | 'initializing' | 'idle' | 'busy' | 'dead';

const round2 = (n: number) => Math.round(n * 100) / 100;

/** How long an environment whose runtime left nothing running stays thawed, waiting for the next invocation. */
const QUIET_FREEZE_DELAY_MS = 50;

/** Functions whose interpreter mismatch has been said already (see runtimeVersionNotice). */
const NOTICED_FUNCTIONS = new Set<string>();

export class ExecutionEnvironment {
  /** Set when the local interpreter is not the runtime's version; every record of this environment carries it. */
  runtimeNotice: string | undefined;
  readonly id: string;
  readonly fn: FunctionConfig;
  state: EnvironmentState = 'new';
  /** Set when the function's code or configuration changed: destroyed after its in-flight invocation. */
  retired = false;
  /** Inspector port in debug mode. */
  debugPort: number | undefined;
  /** Invocations served so far (0 → the next one is the cold one). */
  invocations = 0;
  /** Called once when the environment is gone for whatever reason. */
  onDeath: (() => void) | undefined;
  idleTimer: NodeJS.Timeout | undefined;

  private readonly format: LogFormat;
  private child: ChildProcess | undefined;
  private api: RuntimeApiServer | undefined;
  private waiter: { accept: ReadonlySet<EnvEvent['kind']>; resolve: (e: EnvEvent) => void } | undefined;
  /** Output that arrives while no invocation is listening waits there; Lambda would show it with the next one. */
  private readonly output: OutputDemux;
  private readonly memory: MemorySampler;
  private readonly clock: PauseClock;
  private box: EnvironmentSandbox | undefined;
  /** The runtime answered but has not asked for the next event yet: freeze when it does. */
  private freezeOnNext = false;
  /** The runtime said its last answer left nothing running (see freezeWhenWaiting). */
  private quiet = false;
  private freezeTimer: NodeJS.Timeout | undefined;
  /** A debugger (Delve) runs the runtime inside the sandbox: the sandbox's peak would count the debugger's memory. */
  private debuggerWrapsRuntime = false;
  private initDurationMs: number | undefined;
  private initStartAt: number | undefined;
  private initEndAt: number | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private pauseFile: string | undefined;
  private killing: Promise<void> | undefined;
  /** Set when init ran again inside the first invocation (a suppressed init): how long that init took. */
  private invokePhaseInitMs: number | undefined;
  /** A cancel that came while nothing was being waited for still ends the next wait. */
  private cancelRequested = false;

  constructor(private readonly options: EnvironmentOptions) {
    this.id = options.id;
    this.fn = options.fn;
    this.format = logFormatOf(options.fn.environment);
    this.output = new OutputDemux({ functionName: options.fn.name, debug: options.debug, ...(options.hostLog ? { hostLog: options.hostLog } : {}) });
    this.memory = new MemorySampler(options.fn.memorySizeMB, options.memorySampleMs, () => this.fire({ kind: 'outOfMemory' }));
    this.clock = new PauseClock({ wallClock: options.wallClockTimeoutWhileDebugging, onDeadline: () => this.fire({ kind: 'timeout' }) });
  }

  get initialized(): boolean {
    return this.initDurationMs !== undefined && this.state !== 'new';
  }

  get provisioned(): boolean {
    return this.options.initializationType === 'provisioned-concurrency';
  }

  /** Init Duration of a successful init (a provisioned environment's record reports it). */
  get initDuration(): number | undefined {
    return this.initDurationMs === undefined ? undefined : round2(this.initDurationMs);
  }

  /** Epoch ms of the init phase, once it ran. */
  get initSpan(): { startAt?: number; endAt?: number } {
    return { ...(this.initStartAt !== undefined ? { startAt: this.initStartAt } : {}), ...(this.initEndAt !== undefined ? { endAt: this.initEndAt } : {}) };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Peak resident memory of the whole tree so far (Lambda's Max Memory Used never goes down between invokes). */
  get maxMemoryUsedMB(): number {
    return Math.round(this.memory.peakKB / 1024);
  }

  /**
   * The init phase: start the process and wait for its first GET /next. On failure the environment is
   * destroyed and the outcome carries the error every invocation of it reports.
   * Lines go to `sink` (the invocation that caused the cold start) or wait for the first invocation.
   */
  async init(requestId: string, sink?: LineSink, options: { retryInInvoke?: boolean } = {}): Promise<InitOutcome> {
    if (sink) sink = this.systemLevel(sink);
    // A debug run keeps its first runtime: the debugger is attached to that process's port.
    const retry = options.retryInInvoke === true && !this.options.debug;
    // The runtime of a failed first attempt dies on purpose: the environment itself lives on.
    const onDeath = this.onDeath;
    if (retry) this.onDeath = undefined;
    const first = await this.initPhase(requestId, sink, 'init', this.options.initTimeoutMs);
    let outcome = first;
    if (retry && !first.ok && first.error.errorType !== 'Host.Interrupted') {
      // lambda-behaviour §8: Lambda resets the runtime and runs init again inside the invocation that
      // was waiting, under the function's timeout; that init's time is part of the invocation's Duration.
      await this.reset();
      const startedAt = performance.now();
      outcome = await this.initPhase(requestId, sink, 'invoke', this.fn.timeoutSeconds * 1000);
      this.invokePhaseInitMs = performance.now() - startedAt;
    }
    if (retry) {
      if (outcome.ok && this.state !== 'dead') this.onDeath = onDeath;
      else if (this.state === 'dead') onDeath?.();
    }
    return outcome;
  }

  /** One attempt at init: start the runtime and wait (at most `limitMs`, none when debugging) for its first GET /next. */
  private async initPhase(requestId: string, sink: LineSink | undefined, phase: 'init' | 'invoke', limitMs: number): Promise<InitOutcome> {
    this.state = 'initializing';
    this.output.sink = sink;
    this.api = await RuntimeApiServer.start({
      next: () => {
        if (this.freezeOnNext) {
          this.freezeOnNext = false;
          // Lambda freezes the environment once the runtime asks for the next event.
          this.scheduleFreeze(queueMicrotask);
        }
        this.fire({ kind: 'next' });
      },
      response: (_id, body) => this.fire({ kind: 'response', body }),
      error: (_id, body) => this.fire({ kind: 'error', body }),
      initError: (body) => this.fire({ kind: 'initError', body }),
    });
    let spec;
    try {
      if (this.options.debug) {
        this.debugPort = await freePort();
        this.pauseFile = join(tmpdir(), `lambda-workbench-pause-${this.id}-${randomBytes(4).toString('hex')}.json`);
        await this.writePauseFile();
      }
      spec = await launchSpec(this.fn, {
        ...this.options.launch,
        runtimeApi: this.api.address,
        region: this.options.region,
        accountId: this.options.accountId,
        logStreamName: newLogStreamName(),
        ...(this.debugPort !== undefined ? { debugPort: this.debugPort } : {}),
        ...(this.pauseFile ? { pauseFile: this.pauseFile } : {}),
        ...(this.options.initializationType ? { initializationType: this.options.initializationType } : {}),
      });
    } catch (err) {
      await this.destroy();
      throw err;
    }

    // Only a runtime the user chose is worth a notice (a bare handler's runtime is our own guess).
    const notices = this.fn.origin?.kind === 'template' ? [runtimeVersionNotice(this.fn.runtime, spec.localRuntime), spec.notice] : [];
    this.runtimeNotice = notices.filter((n) => n !== undefined).join(' ') || undefined;
    // Once per function and host: every cold start would repeat it.
    if (this.runtimeNotice && !NOTICED_FUNCTIONS.has(this.fn.name)) {
      NOTICED_FUNCTIONS.add(this.fn.name);
      (this.options.hostLog ?? stderrHostLog)('warn', this.runtimeNotice);
    }
    const { runtimeVersion, runtimeVersionArn } = runtimeVersionOf(
      this.fn.runtime,
      spec.localRuntime ?? { name: 'unknown', version: 'unknown' },
      this.options.region,
    );
    if (phase === 'init') this.output.emit(initStartLine(this.format, runtimeVersion, runtimeVersionArn));
    const t0 = performance.now();
    this.initStartAt = recordNow();
    let box: EnvironmentSandbox;
    try {
      box = this.options.sandbox.create(this.id, this.fn.memorySizeMB);
    } catch (err) {
      await this.destroy();
      throw new Error(`cannot create the ${this.options.sandbox.kind} sandbox for ${this.fn.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.box = box;
    const launch = box.wrap({ command: spec.command, args: spec.args, env: spec.env });
    const child = spawn(launch.command, launch.args, { cwd: spec.cwd, env: launch.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const spawned = new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    this.output.watch(child);
    child.once('exit', (code, signal) => this.onExit(code, signal));
    const spawnError = await spawned;
    if (spawnError) {
      await this.destroy();
      throw new Error(`cannot start the ${this.fn.runtime} runtime (${spec.command}): ${spawnError.message}`);
    }
    box.attach(child.pid!);
    this.debuggerWrapsRuntime = spec.debuggerWrapsRuntime === true;
    this.memory.attach(child.pid!, this.debuggerWrapsRuntime);
    // Where the kernel enforces the size there is nothing to poll: one reading per invocation gives Max Memory Used.
    if (!box.kernelMemory) this.startSampler();

    let initTimer: NodeJS.Timeout | undefined;
    if (!this.options.debug) initTimer = setTimeout(() => this.fire({ kind: 'timeout' }), limitMs);
    const event = await this.wait(['next', 'initError', 'exit', 'timeout', 'outOfMemory', 'cancel']);
    clearTimeout(initTimer);
    const initDurationMs = performance.now() - t0;
    this.initEndAt = recordNow();

    if (event.kind === 'next') {
      this.initDurationMs = initDurationMs;
      this.state = 'idle';
      // What init left is the floor of every later reading, also of an invocation whose runtime exits before it is read.
      this.readMemory();
      this.output.sink = undefined;
      // A debugger needs the process responsive: no CPU quota (nor freezing) while one may be attached.
      if (!this.options.debug) box.limitCpu();
      this.freezeWhenWaiting();
      return { ok: true };
    }

    this.initDurationMs = initDurationMs;
    let status: 'error' | 'timeout' | 'outOfMemory' = 'error';
    let error: LambdaError;
    if (event.kind === 'initError') {
      error = parseError(event.body, 'Runtime.Unknown');
    } else if (event.kind === 'timeout') {
      status = 'timeout';
      error = phase === 'init' ? initTimeoutError(requestId, limitMs) : invokeTimeoutError(requestId, this.fn.timeoutSeconds);
    } else if (event.kind === 'outOfMemory') {
      status = 'outOfMemory';
      error = outOfMemoryError(requestId);
    } else if (event.kind === 'exit' && this.exitedByKernelOom) {
      status = 'outOfMemory';
      this.oomBy = 'kernel';
      error = outOfMemoryError(requestId);
    } else if (event.kind === 'exit') {
      error = exitError(requestId, exitReason(event.code, event.signal));
    } else {
      error = interruptedError('init');
    }
    // Lambda's REPORT for a failed init still gives the memory the runtime used.
    this.readMemory();
    await this.kill();
    await this.output.drain();
    if (event.kind !== 'cancel') {
      this.output.emit(
        initReportLine(this.format, {
          initDurationMs,
          phase,
          status: status === 'timeout' ? 'timeout' : 'error',
          ...(status !== 'timeout' ? { errorType: error.errorType } : {}),
        }),
      );
    }
    return { ok: false, status, error };
  }

  /**
   * Whether the runtime is (or is about to be) waiting in GET /next. A runtime that posted its error
   * and then exits (uncaught exception → exit 129) never asks again: the environment is dead and the
   * invocation must go to a new one, as Lambda's next invoke after a crash is cold.
   */
  async ensureReady(): Promise<boolean> {
    if (this.state === 'dead' || this.exitInfo) return false;
    if (this.api?.waiting) return true;
    const timer = setTimeout(() => this.fire({ kind: 'timeout' }), this.fn.timeoutSeconds * 1000);
    const event = await this.wait(['next', 'exit', 'timeout']);
    clearTimeout(timer);
    if (event.kind === 'next') return true;
    await this.kill();
    return false;
  }

  /**
   * One invocation in an initialized, idle environment. Writes START, the function's lines, any
   * timeout/exit lines, END and REPORT to `sink`, in that order.
   */
  async invoke(input: InvocationInput, sink: LineSink): Promise<InvocationOutcome> {
    sink = this.systemLevel(sink);
    const { fn } = this;
    // A provisioned environment's init was its own phase, reported when it happened.
    const cold = this.invocations === 0 && !this.provisioned;
    this.invocations++;
    this.state = 'busy';
    clearTimeout(this.idleTimer);
    const initLines = cold ? this.output.takePending() : [];
    for (const line of initLines) sink(line);
    this.output.sink = sink;
    sink(startLine(this.format, input.requestId));
    for (const line of this.output.takePending()) sink(line);

    const timeoutMs = fn.timeoutSeconds * 1000;
    // A suppressed init already spent part of this invocation's timeout (and counts in its Duration).
    const initInInvokeMs = cold ? this.invokePhaseInitMs : undefined;
    const handlerBudgetMs = Math.max(0, timeoutMs - (initInInvokeMs ?? 0));
    this.clock.reset();
    if (this.pauseFile) await this.writePauseFile();
    const api = this.api!;
    this.freezeOnNext = false;
    clearTimeout(this.freezeTimer);
    this.box?.thaw();
    this.oomBy = undefined;
    const t0 = performance.now();
    const invokeStartAt = recordNow();
    api.deliver({
      requestId: input.requestId,
      body: input.body,
      // Epoch ms on the wall clock, which every runtime counts its remaining time against (not the records' clock).
      deadlineMs: Math.round(Date.now() + handlerBudgetMs),
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${fn.name}`,
      traceId: input.traceHeader ?? traceHeaderFor(newTraceRoot(), input.requestId),
      ...(input.clientContext !== undefined ? { clientContext: JSON.stringify(input.clientContext) } : {}),
      ...(input.identity !== undefined ? { cognitoIdentity: JSON.stringify(input.identity) } : {}),
    });
    this.clock.arm(handlerBudgetMs);
    if (!this.box?.kernelMemory) this.startSampler();

    const event = await this.wait(['response', 'error', 'exit', 'timeout', 'outOfMemory', 'cancel']);
    const endedAt = performance.now();
    if (this.clock.finish()) void this.writePauseFile();
    const started = api.deliveredAt !== undefined && api.deliveredAt >= t0 ? api.deliveredAt : t0;
    let durationMs = Math.max(0, endedAt - started - this.clock.pausedMs) + (initInInvokeMs ?? 0);

    let status: OutcomeStatus;
    let result: unknown;
    let error: LambdaError | undefined;
    let backgroundWork: string[] | undefined;
    this.quiet = false;
    if (event.kind === 'response' || event.kind === 'error') {
      backgroundWork = event.body.background;
      this.quiet = backgroundWork !== undefined && backgroundWork.length === 0;
    }
    // Every outcome's REPORT gives Max Memory Used (a timeout's and a crash's too): read before anything is killed.
    this.readMemory();
    switch (event.kind) {
      case 'response': {
        await this.output.settle();
        if (this.memory.overLimit && !this.box?.kernelMemory) {
          // It passed the memory size between two samples: Lambda's cgroup would have killed it.
          status = 'outOfMemory';
          this.oomBy = 'polling';
          await this.kill();
          error = outOfMemoryError(input.requestId);
          for (const line of outOfMemoryLines(this.format, input.requestId)) sink(line);
        } else if (event.body.tooLarge) {
          status = 'error';
          error = responseTooLargeError(event.body.bytes);
        } else {
          status = 'success';
          result = parseJson(event.body.text);
        }
        break;
      }
      case 'error':
        await this.output.settle();
        status = 'error';
        error = event.body.tooLarge ? responseTooLargeError(event.body.bytes) : parseError(event.body, 'Runtime.Unknown');
        break;
      case 'timeout':
        status = 'timeout';
        durationMs = timeoutMs;
        await this.kill();
        await this.output.drain();
        sink(timeoutLine(this.format, input.requestId, fn.timeoutSeconds));
        error = invokeTimeoutError(input.requestId, fn.timeoutSeconds);
        break;
      case 'outOfMemory':
        status = 'outOfMemory';
        this.oomBy = 'polling';
        await this.kill();
        await this.output.drain();
        error = outOfMemoryError(input.requestId);
        for (const line of outOfMemoryLines(this.format, input.requestId)) sink(line);
        break;
      case 'exit': {
        await this.output.drain();
        if (this.exitedByKernelOom) {
          // The cgroup's limit: the kernel's OOM killer ended the runtime.
          status = 'outOfMemory';
          this.oomBy = 'kernel';
          error = outOfMemoryError(input.requestId);
          for (const line of outOfMemoryLines(this.format, input.requestId)) sink(line);
          break;
        }
        status = 'error';
        const reason = exitReason(event.code, event.signal);
        error = exitError(input.requestId, reason);
        for (const line of runtimeExitLines(this.format, input.requestId, reason, 'Runtime.ExitError')) sink(line);
        break;
      }
      default:
        status = 'interrupted';
        await this.kill();
        await this.output.drain();
        error = interruptedError('invoke');
    }
    this.output.flushPartial();

    // After a suppressed init REPORT has no Init Duration: that init is inside Duration.
    const initDurationMs = cold && initInInvokeMs === undefined ? this.initDurationMs : undefined;
    const maxMemoryUsedMB = status === 'outOfMemory' ? fn.memorySizeMB : Math.min(this.maxMemoryUsedMB, fn.memorySizeMB);
    durationMs = round2(durationMs);
    const billed = billedDurationMs(this.options.billingRule, durationMs, initDurationMs);
    const reportStatus = reportStatusOf(status);
    if (status !== 'interrupted') {
      closingLines(
        this.format,
        {
          requestId: input.requestId,
          durationMs,
          billedDurationMs: billed,
          memorySizeMB: fn.memorySizeMB,
          maxMemoryUsedMB,
          ...(initDurationMs !== undefined ? { initDurationMs } : {}),
          status: reportStatus,
          ...(error ? { errorType: error.errorType } : {}),
        },
        sink,
      );
    }
    this.output.sink = undefined;
    if (this.state === 'busy') this.state = 'idle';
    if (this.state === 'idle') this.freezeWhenWaiting();
    return {
      status,
      ...(status === 'success' ? { result } : {}),
      ...(error ? { error } : {}),
      durationMs,
      billedDurationMs: billed,
      ...(initDurationMs !== undefined ? { initDurationMs: round2(initDurationMs), initStartAt: this.initStartAt, initEndAt: this.initEndAt } : {}),
      ...(initInInvokeMs !== undefined ? { initPhase: 'invoke' as const, initStartAt: this.initStartAt, initEndAt: this.initEndAt } : {}),
      maxMemoryUsedMB,
      pausedMs: this.clock.pausedMs,
      pauses: this.clock.spans,
      invokeStartAt,
      invokeEndAt: performance.timeOrigin + endedAt,
      sandbox: this.sandboxReport(backgroundWork),
    };
  }

  /**
   * START/END/REPORT of an invocation whose environment failed to initialize (after INIT_REPORT).
   * When init was retried inside the invocation (lambda-behaviour §8), Duration is that retry's time
   * (the whole timeout when it timed out) and REPORT has no Init Duration; otherwise (a provisioned or
   * debug environment) Duration is the failed init's.
   */
  initFailureReport(
    requestId: string,
    init: { status: 'error' | 'timeout' | 'outOfMemory'; error: LambdaError },
    sink: LineSink,
  ): {
    durationMs: number;
    initDurationMs?: number;
    initPhase?: 'invoke';
    billedDurationMs: number;
    maxMemoryUsedMB: number;
    timestamps: { initStartAt?: number; initEndAt?: number };
  } {
    sink = this.systemLevel(sink);
    const initDurationMs = round2(this.initDurationMs ?? 0);
    const inInvoke = this.invokePhaseInitMs !== undefined;
    let durationMs = initDurationMs;
    if (inInvoke) durationMs = init.status === 'timeout' ? this.fn.timeoutSeconds * 1000 : round2(this.invokePhaseInitMs!);
    const billed = billedDurationMs(this.options.billingRule, durationMs);
    const maxMemoryUsedMB = init.status === 'outOfMemory' ? this.fn.memorySizeMB : Math.min(this.maxMemoryUsedMB, this.fn.memorySizeMB);
    if (init.error.errorType !== 'Host.Interrupted') {
      const status: ReportStatus = init.status === 'timeout' ? 'timeout' : 'error';
      sink(startLine(this.format, requestId));
      if (inInvoke && init.status === 'timeout') sink(timeoutLine(this.format, requestId, this.fn.timeoutSeconds));
      closingLines(
        this.format,
        { requestId, durationMs, billedDurationMs: billed, memorySizeMB: this.fn.memorySizeMB, maxMemoryUsedMB, status, errorType: init.error.errorType },
        sink,
      );
    }
    this.output.sink = undefined;
    return {
      durationMs,
      ...(inInvoke ? { initPhase: 'invoke' as const } : { initDurationMs }),
      billedDurationMs: billed,
      maxMemoryUsedMB,
      timestamps: {
        ...(this.initStartAt !== undefined ? { initStartAt: this.initStartAt } : {}),
        ...(this.initEndAt !== undefined ? { initEndAt: this.initEndAt } : {}),
      },
    };
  }

  /** What the sandbox enforced and did for the invocation that just ended. */
  sandboxReport(backgroundWork?: string[]): SandboxReport {
    const kind = this.box?.kind ?? this.options.sandbox.kind;
    const kernelMemory = this.box?.kernelMemory ?? kind !== 'process';
    const cpuCores = this.options.debug ? undefined : this.box?.cpuCores;
    let freeze: SandboxReport['freeze'] = 'none';
    if (this.options.debug) freeze = 'debugger';
    else if (this.state === 'idle' && this.box) freeze = this.box.freezeBy;
    return {
      kind,
      memory: kernelMemory ? 'kernel' : 'polling',
      ...(cpuCores !== undefined ? { cpuCores: Math.round(cpuCores * 1000) / 1000 } : {}),
      freeze,
      ...(backgroundWork?.length ? { backgroundWork } : {}),
      ...(this.oomBy ? { oomBy: this.oomBy } : {}),
    };
  }

  /** Which mechanism ended the last out-of-memory invocation (or init). */
  oomBy: 'kernel' | 'polling' | undefined;
  private exitedByKernelOom = false;

  /** Kills every process of the environment now (the host's exit hook: nothing may wait). */
  killSync(): void {
    if (this.child?.pid) killGroupSync(this.child.pid);
    this.box?.killAll();
  }

  /** Cancels what the environment is doing (the invocation ends `interrupted`; the environment is destroyed). */
  cancel(): void {
    this.cancelRequested = true;
    this.fire({ kind: 'cancel' });
  }

  /** The debugger stopped the environment: the timeout clock stops (unless wall-clock timeouts are on). */
  paused(): void {
    if (this.clock.paused()) void this.writePauseFile();
  }

  resumed(): void {
    if (this.clock.resumed()) void this.writePauseFile();
  }

  private systemLevel(sink: LineSink): LineSink {
    return systemLogLevelFilter(this.format, this.fn.systemLogLevel, sink);
  }

  /** After a failed init: the runtime and its Runtime API are gone, the environment is new again. */
  private async reset(): Promise<void> {
    await this.kill();
    await this.api?.close();
    await this.box?.dispose();
    this.api = undefined;
    this.box = undefined;
    this.child = undefined;
    this.exitInfo = undefined;
    this.killing = undefined;
    this.exitedByKernelOom = false;
    this.initDurationMs = undefined;
    this.state = 'new';
  }

  /** Kills the whole process tree and releases the Runtime API port. Safe to call more than once. */
  async destroy(): Promise<void> {
    clearTimeout(this.idleTimer);
    clearTimeout(this.freezeTimer);
    await this.kill();
    await this.api?.close();
    await this.box?.dispose();
    if (this.pauseFile) await rm(this.pauseFile, { force: true });
  }

  // --- internals -----------------------------------------------------------------------------

  private async writePauseFile(): Promise<void> {
    if (!this.pauseFile) return;
    // The runtime counts from its wall clock: the pause's start is given on it, as how long ago it began.
    const since = this.clock.pausedSince;
    const body = JSON.stringify({ pausedMs: this.clock.pausedMs, pausedSince: since === undefined ? null : Date.now() - (recordNow() - since) });
    await writeFile(this.pauseFile, body).catch(() => undefined);
  }

  private wait(kinds: EnvEvent['kind'][]): Promise<EnvEvent> {
    if (this.cancelRequested && kinds.includes('cancel')) return Promise.resolve({ kind: 'cancel' });
    if (this.exitInfo && kinds.includes('exit')) return Promise.resolve({ kind: 'exit', ...this.exitInfo });
    return new Promise((resolve) => {
      this.waiter = { accept: new Set(kinds), resolve };
    });
  }

  private fire(event: EnvEvent): void {
    const w = this.waiter;
    if (!w || !w.accept.has(event.kind)) return;
    this.waiter = undefined;
    w.resolve(event);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitInfo = { code, signal };
    // Read before the sandbox is removed below.
    this.exitedByKernelOom = signal === 'SIGKILL' && this.box?.oomKilled() === true;
    this.state = 'dead';
    this.stopSampler();
    clearTimeout(this.idleTimer);
    // Anything the runtime left behind in its group, or anywhere in its sandbox, goes with it.
    if (this.child?.pid) killGroupSync(this.child.pid);
    this.box?.killAll();
    void this.box?.dispose();
    this.fire({ kind: 'exit', code, signal });
    void this.api?.close();
    this.memory.close();
    const onDeath = this.onDeath;
    this.onDeath = undefined;
    onDeath?.();
  }

  private kill(): Promise<void> {
    this.state = 'dead';
    this.stopSampler();
    const pid = this.child?.pid;
    if (!pid || this.exitInfo) return Promise.resolve();
    if (!this.killing) {
      const child = this.child!;
      const exited = new Promise<void>((resolve) => {
        if (this.exitInfo) resolve();
        else child.once('exit', () => resolve());
      });
      this.box?.killAll();
      this.killing = killTree(pid).then(() => exited);
    }
    return this.killing;
  }

  /** Frozen until the next invocation, as Lambda does — never while a debugger is attached (it must stay responsive). */
  private freezeWhenWaiting(): void {
    if (this.options.debug || !this.box) return;
    if (this.api?.waiting) this.scheduleFreeze(setImmediate);
    else this.freezeOnNext = true;
  }

  /**
   * Off the answer's path: the caller gets its result first (a freeze and a thaw cost ~0.5 ms of
   * the host's time); a next invocation that comes first finds the environment busy, and it stays
   * thawed. When the runtime reported that its answer left nothing running (no timer, socket or
   * request of the function's), freezing it changes nothing it could notice, so the freeze waits
   * QUIET_FREEZE_DELAY_MS: back-to-back invocations (a stream's batches, a busy API) then skip the
   * freeze/thaw pair. Anything left running is frozen at once.
   */
  private scheduleFreeze(soon: (run: () => void) => void): void {
    clearTimeout(this.freezeTimer);
    if (!this.quiet) return soon(() => this.freeze());
    this.freezeTimer = setTimeout(() => this.freeze(), QUIET_FREEZE_DELAY_MS);
    this.freezeTimer.unref();
  }

  private freeze(): void {
    if (this.state === 'idle' && !this.options.debug) this.box?.freeze();
  }

  /**
   * The sandbox's own peak counts for Max Memory Used (it covers every process, however short-lived), unless
   * a debugger is one of those processes: then the sampler's reading of the debugged program alone stands.
   */
  private notePeak(): void {
    if (this.debuggerWrapsRuntime) return;
    const kb = this.box?.peakMemoryKB();
    if (kb !== undefined) this.memory.notePeakKB(kb);
  }

  /**
   * Stops the sampler and takes the peak now: the process tree's (over /proc, while it is alive) and the
   * sandbox's own counter (which outlives the process).
   */
  private readMemory(): void {
    this.stopSampler();
    this.notePeak();
    this.memory.sample();
  }

  private startSampler(): void {
    if (this.state === 'dead') return;
    this.memory.start();
  }

  private stopSampler(): void {
    this.memory.stop();
  }
}
