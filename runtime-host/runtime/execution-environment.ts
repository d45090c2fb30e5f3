// One execution environment: a runtime process tree plus its Runtime API, living through Lambda's
// phases — init (spawn → first GET /next, 10 s limit), then one invocation at a time, until it is
// reaped, retired, or destroyed by a timeout, an out-of-memory kill or a crash (spec §2–§4).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billedDurationMs } from '../protocol/billing';
import type { BillingRule, LambdaError, PausedSpan } from '../protocol/records';
import { launchSpec, newLogStreamName, type HostLaunchSettings } from './launch';
import {
  endLine,
  exitReason,
  initReportLine,
  initStartLine,
  logFormatOf,
  reportLine,
  runtimeExitLines,
  runtimeExitMessage,
  runtimeVersionOf,
  startLine,
  timeoutLine,
  timeoutMessage,
  type LogFormat,
  type ReportStatus,
} from './log-lines';
import { killGroupSync, killTree, TreeMemory } from './process-tree';
import { RuntimeApiServer, RESPONSE_LIMIT_BYTES, type PostedBody } from './runtime-api-server';
import { newTraceRoot, traceHeaderFor } from './trace-id';
import type { FunctionConfig } from './types';

export type LineSink = (line: string) => void;

/** The host's own logger, for lines that are about the host, not the function (see HOST_LINE_PREFIX). */
export type HostLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/**
 * A stderr line starting with this comes from our bootstrap and is the host's notice to the user
 * (e.g. "compiling TypeScript handler… (a local convenience)"), not the function's output: it goes
 * to the host's log, never into the invocation's Lambda log. `[lambda-workbench] <LEVEL> <message>`.
 */
export const HOST_LINE_PREFIX = '[lambda-workbench] ';
const HOST_LINE = /^\[lambda-workbench\] (?:(DEBUG|INFO|WARN|ERROR) )?(.*)$/;

/** Default host log: the line as the bootstrap wrote it, on this process's stderr. */
const stderrHostLog: HostLog = (level, message) => process.stderr.write(`${HOST_LINE_PREFIX}${level.toUpperCase()} ${message}\n`);

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
  /** Launch settings shared by all environments (NODE_OPTIONS, node binary, state dir…). */
  launch: HostLaunchSettings;
}

export interface InvocationInput {
  requestId: string;
  /** The serialised event. */
  body: string;
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
  maxMemoryUsedMB: number;
  pausedMs: number;
  pauses: PausedSpan[];
  initStartAt?: number;
  initEndAt?: number;
  invokeStartAt?: number;
  invokeEndAt: number;
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

export type EnvironmentState = 'new' | 'initializing' | 'idle' | 'busy' | 'dead';

const INSPECTOR_NOTICE =
  /^(Debugger listening on ws:\/\/|For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector|Debugger attached\.$|Waiting for the debugger to disconnect\.\.\.$)/;

const epochNow = () => performance.timeOrigin + performance.now();
const round2 = (n: number) => Math.round(n * 100) / 100;
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ExecutionEnvironment {
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
  private sink: LineSink | undefined;
  /** Output that arrived while no invocation was listening; Lambda would show it with the next one. */
  private pendingLines: string[] = [];
  private partial = { stdout: '', stderr: '' };
  private streamsOpen = 0;
  private streamsClosed: (() => void) | undefined;
  private peakKB = 0;
  private tree: TreeMemory | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private initDurationMs: number | undefined;
  private initStartAt: number | undefined;
  private initEndAt: number | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private pauseFile: string | undefined;
  private pause = { pausedMs: 0, pausedSince: undefined as number | undefined, spans: [] as PausedSpan[] };
  private deadline: { timer: NodeJS.Timeout | undefined; remainingMs: number; armedAt: number } | undefined;
  private killing: Promise<void> | undefined;
  /** A cancel that came while nothing was being waited for still ends the next wait. */
  private cancelRequested = false;

  constructor(private readonly options: EnvironmentOptions) {
    this.id = options.id;
    this.fn = options.fn;
    this.format = logFormatOf(options.fn.environment);
  }

  get initialized(): boolean {
    return this.initDurationMs !== undefined && this.state !== 'new';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Peak resident memory of the whole tree so far (Lambda's Max Memory Used never goes down between invokes). */
  get maxMemoryUsedMB(): number {
    return Math.round(this.peakKB / 1024);
  }

  /**
   * The init phase: start the process and wait for its first GET /next. On failure the environment is
   * destroyed and the outcome carries the error every invocation of it reports.
   * Lines go to `sink` (the invocation that caused the cold start) or wait for the first invocation.
   */
  async init(requestId: string, sink?: LineSink): Promise<{ ok: true } | { ok: false; status: 'error' | 'timeout' | 'outOfMemory'; error: LambdaError }> {
    this.state = 'initializing';
    this.sink = sink;
    this.api = await RuntimeApiServer.start({
      next: () => this.fire({ kind: 'next' }),
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
      });
    } catch (err) {
      await this.destroy();
      throw err;
    }

    const { runtimeVersion, runtimeVersionArn } = runtimeVersionOf(
      this.fn.runtime,
      spec.localRuntime ?? { name: 'unknown', version: 'unknown' },
      this.options.region,
    );
    this.emitLine(initStartLine(this.format, runtimeVersion, runtimeVersionArn));
    const t0 = performance.now();
    this.initStartAt = epochNow();
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const spawned = new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    this.watchOutput(child);
    child.once('exit', (code, signal) => this.onExit(code, signal));
    const spawnError = await spawned;
    if (spawnError) {
      await this.destroy();
      throw new Error(`cannot start the ${this.fn.runtime} runtime (${spec.command}): ${spawnError.message}`);
    }
    this.tree = new TreeMemory(child.pid!);
    this.startSampler();

    let initTimer: NodeJS.Timeout | undefined;
    if (!this.options.debug) initTimer = setTimeout(() => this.fire({ kind: 'timeout' }), this.options.initTimeoutMs);
    const event = await this.wait(['next', 'initError', 'exit', 'timeout', 'outOfMemory', 'cancel']);
    clearTimeout(initTimer);
    const initDurationMs = performance.now() - t0;
    this.initEndAt = epochNow();

    if (event.kind === 'next') {
      this.initDurationMs = initDurationMs;
      this.state = 'idle';
      this.stopSampler();
      this.sink = undefined;
      return { ok: true };
    }

    this.initDurationMs = initDurationMs;
    let status: 'error' | 'timeout' | 'outOfMemory' = 'error';
    let error: LambdaError;
    if (event.kind === 'initError') {
      error = parseError(event.body, 'Runtime.Unknown');
    } else if (event.kind === 'timeout') {
      status = 'timeout';
      const seconds = this.options.initTimeoutMs / 1000;
      error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Init timed out after ${seconds.toFixed(2)} seconds`, trace: [] };
    } else if (event.kind === 'outOfMemory') {
      status = 'outOfMemory';
      error = { errorType: 'Runtime.OutOfMemory', errorMessage: runtimeExitMessage(requestId, 'signal: killed'), trace: [] };
    } else if (event.kind === 'exit') {
      error = { errorType: 'Runtime.ExitError', errorMessage: runtimeExitMessage(requestId, exitReason(event.code, event.signal)), trace: [] };
    } else {
      error = { errorType: 'Host.Interrupted', errorMessage: 'the invocation was cancelled during init', trace: [] };
    }
    await this.kill();
    await this.drainOutput();
    if (event.kind !== 'cancel') {
      this.emitLine(
        initReportLine(this.format, {
          initDurationMs,
          phase: 'init',
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
    const { fn } = this;
    const cold = this.invocations === 0;
    this.invocations++;
    this.state = 'busy';
    clearTimeout(this.idleTimer);
    const initLines = cold ? this.takePending() : [];
    for (const line of initLines) sink(line);
    this.sink = sink;
    sink(startLine(this.format, input.requestId));
    for (const line of this.takePending()) sink(line);

    const timeoutMs = fn.timeoutSeconds * 1000;
    this.pause = { pausedMs: 0, pausedSince: undefined, spans: [] };
    if (this.pauseFile) await this.writePauseFile();
    const api = this.api!;
    const t0 = performance.now();
    const invokeStartAt = epochNow();
    api.deliver({
      requestId: input.requestId,
      body: input.body,
      deadlineMs: Math.round(invokeStartAt + timeoutMs),
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${fn.name}`,
      traceId: input.traceHeader ?? traceHeaderFor(newTraceRoot(), input.requestId),
      ...(input.clientContext !== undefined ? { clientContext: JSON.stringify(input.clientContext) } : {}),
      ...(input.identity !== undefined ? { cognitoIdentity: JSON.stringify(input.identity) } : {}),
    });
    this.deadline = { timer: undefined, remainingMs: timeoutMs, armedAt: performance.now() };
    this.armDeadline();
    this.startSampler();

    const event = await this.wait(['response', 'error', 'exit', 'timeout', 'outOfMemory', 'cancel']);
    const endedAt = performance.now();
    this.disarmDeadline();
    this.deadline = undefined;
    if (this.pause.pausedSince !== undefined) this.resumed();
    const started = api.deliveredAt !== undefined && api.deliveredAt >= t0 ? api.deliveredAt : t0;
    let durationMs = Math.max(0, endedAt - started - this.pause.pausedMs);

    let status: OutcomeStatus;
    let result: unknown;
    let error: LambdaError | undefined;
    switch (event.kind) {
      case 'response': {
        this.stopSampler();
        // VmHWM is a peak: this one reading covers the whole invocation.
        this.sample();
        await this.settleOutput();
        if (this.overLimit) {
          // It passed the memory size between two samples: Lambda's cgroup would have killed it.
          status = 'outOfMemory';
          await this.kill();
          error = { errorType: 'Runtime.OutOfMemory', errorMessage: runtimeExitMessage(input.requestId, 'signal: killed'), trace: [] };
          for (const line of runtimeExitLines(this.format, input.requestId, 'signal: killed', 'Runtime.OutOfMemory')) sink(line);
        } else if (event.body.tooLarge) {
          status = 'error';
          error = {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size (${event.body.bytes} bytes) exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).`,
            trace: [],
          };
        } else {
          status = 'success';
          result = parseJson(event.body.text);
        }
        break;
      }
      case 'error':
        this.stopSampler();
        // VmHWM is a peak: this one reading covers the whole invocation.
        this.sample();
        await this.settleOutput();
        status = 'error';
        error = event.body.tooLarge
          ? {
              errorType: 'Function.ResponseSizeTooLarge',
              errorMessage: `Response payload size (${event.body.bytes} bytes) exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).`,
              trace: [],
            }
          : parseError(event.body, 'Runtime.Unknown');
        break;
      case 'timeout':
        status = 'timeout';
        durationMs = timeoutMs;
        await this.kill();
        await this.drainOutput();
        sink(timeoutLine(this.format, input.requestId, fn.timeoutSeconds));
        error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${input.requestId} Error: ${timeoutMessage(fn.timeoutSeconds)}`, trace: [] };
        break;
      case 'outOfMemory':
        status = 'outOfMemory';
        await this.kill();
        await this.drainOutput();
        error = { errorType: 'Runtime.OutOfMemory', errorMessage: runtimeExitMessage(input.requestId, 'signal: killed'), trace: [] };
        for (const line of runtimeExitLines(this.format, input.requestId, 'signal: killed', 'Runtime.OutOfMemory')) sink(line);
        break;
      case 'exit': {
        status = 'error';
        await this.drainOutput();
        const reason = exitReason(event.code, event.signal);
        error = { errorType: 'Runtime.ExitError', errorMessage: runtimeExitMessage(input.requestId, reason), trace: [] };
        for (const line of runtimeExitLines(this.format, input.requestId, reason, 'Runtime.ExitError')) sink(line);
        break;
      }
      default:
        status = 'interrupted';
        await this.kill();
        await this.drainOutput();
        error = { errorType: 'Host.Interrupted', errorMessage: 'the invocation was cancelled before it finished', trace: [] };
    }
    this.flushPartial();

    const initDurationMs = cold ? this.initDurationMs : undefined;
    const maxMemoryUsedMB = status === 'outOfMemory' ? fn.memorySizeMB : Math.min(this.maxMemoryUsedMB, fn.memorySizeMB);
    durationMs = round2(durationMs);
    const billed = billedDurationMs(this.options.billingRule, durationMs, initDurationMs);
    const reportStatus: ReportStatus = status === 'success' ? 'success' : status === 'timeout' ? 'timeout' : 'error';
    if (status !== 'interrupted') {
      sink(endLine(this.format, input.requestId, reportStatus, error?.errorType));
      sink(
        reportLine(this.format, {
          requestId: input.requestId,
          durationMs,
          billedDurationMs: billed,
          memorySizeMB: fn.memorySizeMB,
          maxMemoryUsedMB,
          ...(initDurationMs !== undefined ? { initDurationMs } : {}),
          status: reportStatus,
          ...(error ? { errorType: error.errorType } : {}),
        }),
      );
    }
    this.sink = undefined;
    if (this.state === 'busy') this.state = 'idle';
    return {
      status,
      ...(status === 'success' ? { result } : {}),
      ...(error ? { error } : {}),
      durationMs,
      billedDurationMs: billed,
      ...(initDurationMs !== undefined ? { initDurationMs: round2(initDurationMs), initStartAt: this.initStartAt, initEndAt: this.initEndAt } : {}),
      maxMemoryUsedMB,
      pausedMs: this.pause.pausedMs,
      pauses: this.pause.spans,
      invokeStartAt,
      invokeEndAt: performance.timeOrigin + endedAt,
    };
  }

  /**
   * START/END/REPORT of an invocation whose environment failed to initialize (after INIT_REPORT).
   * Lambda retries the init inside the invoke phase; its time is the invocation's Duration, and
   * REPORT carries no Init Duration.
   */
  initFailureReport(
    requestId: string,
    init: { status: 'error' | 'timeout' | 'outOfMemory'; error: LambdaError },
    sink: LineSink,
  ): {
    durationMs: number;
    initDurationMs: number;
    billedDurationMs: number;
    maxMemoryUsedMB: number;
    timestamps: { initStartAt?: number; initEndAt?: number };
  } {
    const initDurationMs = round2(this.initDurationMs ?? 0);
    const durationMs = initDurationMs;
    const billed = billedDurationMs(this.options.billingRule, durationMs);
    const maxMemoryUsedMB = init.status === 'outOfMemory' ? this.fn.memorySizeMB : Math.min(this.maxMemoryUsedMB, this.fn.memorySizeMB);
    if (init.error.errorType !== 'Host.Interrupted') {
      const status: ReportStatus = init.status === 'timeout' ? 'timeout' : 'error';
      sink(startLine(this.format, requestId));
      sink(endLine(this.format, requestId, status, init.error.errorType));
      sink(
        reportLine(this.format, {
          requestId,
          durationMs,
          billedDurationMs: billed,
          memorySizeMB: this.fn.memorySizeMB,
          maxMemoryUsedMB,
          status,
          errorType: init.error.errorType,
        }),
      );
    }
    this.sink = undefined;
    return {
      durationMs,
      initDurationMs,
      billedDurationMs: billed,
      maxMemoryUsedMB,
      timestamps: {
        ...(this.initStartAt !== undefined ? { initStartAt: this.initStartAt } : {}),
        ...(this.initEndAt !== undefined ? { initEndAt: this.initEndAt } : {}),
      },
    };
  }

  /** Cancels what the environment is doing (the invocation ends `interrupted`; the environment is destroyed). */
  cancel(): void {
    this.cancelRequested = true;
    this.fire({ kind: 'cancel' });
  }

  /** The debugger stopped the environment: the timeout clock stops (unless wall-clock timeouts are on). */
  paused(): void {
    if (this.pause.pausedSince !== undefined) return;
    const now = epochNow();
    this.pause.pausedSince = now;
    this.pause.spans.push({ startAt: now });
    if (!this.options.wallClockTimeoutWhileDebugging) this.disarmDeadline();
    void this.writePauseFile();
  }

  resumed(): void {
    if (this.pause.pausedSince === undefined) return;
    const now = epochNow();
    this.pause.pausedMs += now - this.pause.pausedSince;
    this.pause.pausedSince = undefined;
    const span = this.pause.spans[this.pause.spans.length - 1];
    if (span) span.endAt = now;
    if (this.deadline && !this.options.wallClockTimeoutWhileDebugging) this.armDeadline();
    void this.writePauseFile();
  }

  /** Kills the whole process tree and releases the Runtime API port. Safe to call more than once. */
  async destroy(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.kill();
    await this.api?.close();
    if (this.pauseFile) await rm(this.pauseFile, { force: true });
  }

  // --- internals -----------------------------------------------------------------------------

  private armDeadline(): void {
    const d = this.deadline;
    if (!d) return;
    d.armedAt = performance.now();
    clearTimeout(d.timer);
    d.timer = setTimeout(() => this.fire({ kind: 'timeout' }), Math.max(0, d.remainingMs));
  }

  private disarmDeadline(): void {
    const d = this.deadline;
    if (!d || !d.timer) return;
    clearTimeout(d.timer);
    d.timer = undefined;
    d.remainingMs -= performance.now() - d.armedAt;
  }

  private async writePauseFile(): Promise<void> {
    if (!this.pauseFile) return;
    const body = JSON.stringify({ pausedMs: this.pause.pausedMs, pausedSince: this.pause.pausedSince ?? null });
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
    this.state = 'dead';
    this.stopSampler();
    clearTimeout(this.idleTimer);
    // Anything the runtime left behind in its group goes with it.
    if (this.child?.pid) killGroupSync(this.child.pid);
    this.fire({ kind: 'exit', code, signal });
    void this.api?.close();
    this.tree?.close();
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
      this.killing = killTree(pid).then(() => exited);
    }
    return this.killing;
  }

  private watchOutput(child: ChildProcess): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      this.streamsOpen++;
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.onOutput(name, chunk));
      stream.on('error', () => undefined);
      stream.on('close', () => {
        this.streamsOpen--;
        if (this.streamsOpen === 0) this.streamsClosed?.();
      });
    }
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) {
      // The inspector's own notices are the host's doing, not the function's output.
      if (this.options.debug && stream === 'stderr' && INSPECTOR_NOTICE.test(line)) continue;
      if (stream === 'stderr' && line.startsWith(HOST_LINE_PREFIX)) {
        this.hostLine(line);
        continue;
      }
      this.emitLine(line);
    }
  }

  private hostLine(line: string): void {
    const m = HOST_LINE.exec(line)!;
    const level = (m[1]?.toLowerCase() ?? 'info') as Parameters<HostLog>[0];
    (this.options.hostLog ?? stderrHostLog)(level, `${this.fn.name}: ${m[2]}`);
  }

  private flushPartial(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) {
        this.emitLine(this.partial[stream]);
        this.partial[stream] = '';
      }
    }
  }

  private emitLine(line: string): void {
    if (this.sink) this.sink(line);
    else if (this.pendingLines.length < 10_000) this.pendingLines.push(line);
  }

  private takePending(): string[] {
    const lines = this.pendingLines;
    this.pendingLines = [];
    return lines;
  }

  /**
   * The runtime wrote its log lines to the pipe before it posted the response (Node's pipe writes are
   * synchronous on Linux), so they are already in the kernel; one more turn of the event loop reads them.
   */
  private async settleOutput(): Promise<void> {
    await nextTick();
    await nextTick();
  }

  /** After the process died: read the pipes to their end (bounded, in case a stray holder keeps them open). */
  private async drainOutput(): Promise<void> {
    if (this.streamsOpen > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.streamsClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.streamsClosed = undefined;
    }
    this.flushPartial();
  }

  private startSampler(): void {
    if (this.sampler || this.state === 'dead') return;
    this.sampler = setInterval(() => this.sample(), this.options.memorySampleMs);
  }

  private stopSampler(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /** Sums VmHWM (each process's peak) over the tree; past the memory size the environment is killed. */
  private sample(): void {
    if (!this.tree || this.exitInfo) return;
    const hwmKB = this.tree.hwmKB();
    if (hwmKB > this.peakKB) this.peakKB = hwmKB;
    if (this.overLimit) this.fire({ kind: 'outOfMemory' });
  }

  private get overLimit(): boolean {
    return this.peakKB > this.fn.memorySizeMB * 1024;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The error body a runtime posted, made into Lambda's `{errorType, errorMessage, trace}`. */
function parseError(body: PostedBody, fallbackType: string): LambdaError {
  const parsed = parseJson(body.text);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    const trace = Array.isArray(o['trace']) ? o['trace'] : Array.isArray(o['stackTrace']) ? o['stackTrace'] : [];
    return {
      errorType: typeof o['errorType'] === 'string' ? o['errorType'] : (body.errorTypeHeader ?? fallbackType),
      errorMessage: typeof o['errorMessage'] === 'string' ? o['errorMessage'] : String(o['errorMessage'] ?? ''),
      trace: trace.map((t) => String(t)),
      raw: body.text,
    };
  }
  return { errorType: body.errorTypeHeader ?? fallbackType, errorMessage: body.text, trace: [], raw: body.text };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
