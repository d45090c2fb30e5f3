// Starting a `lambda-workbench` session: ask the host to prepare an environment with the inspector
// (Node) or debugpy (Python) — initialized but not yet invoked — attach VS Code's own debugger to it
// as a child session, wait until the breakpoints in the function's code are bound, then invoke. The
// session stays for warm invocations; every invoke of the function while it lasts goes through the
// same prepare → attach step, so a new environment (after a code change) is attached automatically.
import * as vscode from 'vscode';
import type { DebugTarget, InvocationRecord, InvokeParams } from '../../runtime-host/protocol';
import type { WorkbenchContext } from '../context';
import { type FunctionTarget, keyOf } from '../targets';
import { LambdaAdapterSession, type SessionHooks } from './adapter';
import { DEBUG_TYPE, type LambdaDebugConfiguration, targetOfConfiguration } from './configuration';
import { environmentOf, type ChildMarker } from './tracker';

export const PYTHON_ATTACH_TYPE = 'lambda-workbench-python';

/** How long an invoke waits for the debugger to attach, then for breakpoints in loaded files to bind, before it runs anyway (with a warning). */
const ATTACH_TIMEOUT_MS = 60_000;
const BIND_TIMEOUT_MS = 30_000;

interface LiveSession {
  adapter: LambdaAdapterSession;
  target: FunctionTarget;
  /** environmentId → attached and ready (breakpoints bound). */
  attached: Map<string, Promise<void>>;
  children: vscode.DebugSession[];
  /** Records of this session's invocations: their log lines go to its Debug Console. */
  invocations: Set<string>;
}

/** What one environment's debugger has told us: is the target configured, are our breakpoints bound. */
class Binding {
  /** js-debug's target session answered configurationDone (breakpoints are sent before it). */
  targetConfigured = false;
  /** debugpy answered attach. */
  attachedAdapter = false;
  /** The session that debugs the process (js-debug's target session, or the debugpy session). */
  targetSession: vscode.DebugSession | undefined;
  /** Breakpoint id → its file and whether it is bound, for breakpoints in the function's code. */
  readonly breakpoints = new Map<number, { path: string; verified: boolean }>();
  /** `breakpoint` events that arrived before the setBreakpoints response naming their id. */
  readonly early = new Map<number, boolean>();
  /** Files with enabled breakpoints in the function's code, and those the debugger has answered for. */
  readonly expected: Set<string>;
  readonly answered = new Set<string>();
  /** Files the target has loaded; undefined until known (then every breakpoint in the code counts). */
  loaded: Set<string> | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly kind: DebugTarget['kind'],
    /** Only breakpoints in files under this folder hold up the invocation. */
    readonly codeUri: string | undefined,
  ) {
    this.expected = new Set(
      vscode.debug.breakpoints
        .filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.enabled)
        .map((b) => b.location.uri.fsPath)
        .filter((path) => this.inCode(path)),
    );
  }

  inCode(path: string | undefined): boolean {
    return !!path && (!this.codeUri || path.startsWith(this.codeUri));
  }

  /** Breakpoints that must bind before the invocation: in a file the target has loaded. */
  pending(): string[] {
    return [...this.breakpoints.values()].filter((b) => !b.verified && (!this.loaded || this.loaded.has(b.path))).map((b) => b.path);
  }

  /** The debugger is attached and has been given every breakpoint in the code. */
  get configured(): boolean {
    if (this.kind === 'node-inspector') return this.targetConfigured;
    return this.targetConfigured || (this.attachedAdapter && [...this.expected].every((p) => this.answered.has(p)));
  }

  get ready(): boolean {
    return this.configured && this.pending().length === 0;
  }

  changed(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves true when `condition` holds (checked on every change), false after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        const i = this.waiters.indexOf(check);
        if (i >= 0) this.waiters.splice(i, 1);
        clearTimeout(timer);
        resolve(value);
      };
      const check = (): void => {
        if (condition()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.push(check);
    });
  }
}

export class DebugLauncher implements SessionHooks, vscode.Disposable {
  private readonly live = new Map<string, LiveSession>();
  private readonly bindings = new Map<string, Binding>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: WorkbenchContext) {
    this.subscriptions = [
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
        createDebugAdapterDescriptor: (session) => new vscode.DebugAdapterInlineImplementation(new LambdaAdapterSession(session, this)),
      }),
      // debugpy listens as a debug adapter itself: VS Code connects straight to it, no Python extension needed.
      vscode.debug.registerDebugAdapterDescriptorFactory(PYTHON_ATTACH_TYPE, {
        createDebugAdapterDescriptor: (session) => {
          const c = session.configuration as vscode.DebugConfiguration & { host?: string; port?: number };
          if (typeof c.port !== 'number') throw new Error('lambda-workbench-python sessions are started by Lambda Workbench with a debugpy port');
          return new vscode.DebugAdapterServer(c.port, c.host ?? '127.0.0.1');
        },
      }),
      vscode.debug.registerDebugAdapterTrackerFactory('*', { createDebugAdapterTracker: (session) => this.bindingTracker(session) }),
      ctx.host.on('invocation.log', ({ id, line }) => {
        for (const s of this.live.values()) if (s.invocations.has(id)) s.adapter.output(`${line}\n`, 'stdout');
      }),
      ctx.host.on('invocation.started', (record) => {
        const s = this.sessionFor(record.functionName);
        if (s && record.trigger === 'debug') s.invocations.add(record.id);
      }),
      ctx.onDidFinishInvocation((record) => {
        for (const s of this.live.values())
          if (s.invocations.has(record.id)) s.adapter.output(summary(record), record.status === 'success' ? 'console' : 'important');
      }),
      vscode.debug.onDidTerminateDebugSession((session) => {
        for (const s of this.live.values()) s.children = s.children.filter((c) => c.id !== session.id);
      }),
    ];
  }

  /** Starts a debug session for a function with an event (CodeLens `Debug`, palette, panel). */
  async start(target: FunctionTarget, event: unknown, extra: Partial<LambdaDebugConfiguration> = {}): Promise<boolean> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const config: LambdaDebugConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Debug ${target.name}`,
      ...(target.kind === 'function' ? { function: target.name } : { handler: target.handler, root: target.root }),
      event,
      ...extra,
    };
    return vscode.debug.startDebugging(folder, config);
  }

  /** Starts a session from the panel's "Debug with this event". */
  async startFromParams(params: InvokeParams): Promise<boolean> {
    const target: FunctionTarget | undefined = params.function
      ? { kind: 'function', name: params.function }
      : params.handler
        ? { kind: 'handler', name: params.handler, handler: params.handler, root: params.root ?? this.ctx.root }
        : undefined;
    if (!target) return false;
    return this.start(target, params.event, { ...(params.memory ? { memory: params.memory } : {}), ...(params.timeout ? { timeout: params.timeout } : {}) });
  }

  /**
   * Hook for every invoke (CodeLens, palette): while a session for the function lives, the invocation
   * runs in a debug environment with the debugger attached.
   */
  async beforeInvoke(target: FunctionTarget, params: InvokeParams): Promise<InvokeParams> {
    const s = this.sessionFor(keyOf(target));
    if (!s) return params;
    const debugParams: InvokeParams = { ...params, debug: true, trigger: 'debug' };
    await this.prepareAndAttach(s, debugParams);
    return debugParams;
  }

  isDebugging(functionName: string): boolean {
    return this.sessionFor(functionName) !== undefined;
  }

  /** SessionHooks: the `lambda-workbench` session is configured — prepare, attach, invoke. */
  async begin(adapter: LambdaAdapterSession): Promise<void> {
    const config = adapter.session.configuration as LambdaDebugConfiguration;
    const target = targetOfConfiguration(config, this.ctx.root);
    if (!target) throw new Error('The launch configuration needs "function" (a template function) or "handler".');
    const s: LiveSession = { adapter, target, attached: new Map(), children: [], invocations: new Set() };
    this.live.set(adapter.session.id, s);
    const event =
      typeof config.event === 'string'
        ? await this.ctx.host.request('events.getSaved', { function: keyOf(target), name: config.event })
        : config.event === undefined
          ? await this.ctx.resolveEvent(target)
          : config.event;
    const params = this.ctx.invokeParams(target, event, {
      debug: true,
      trigger: 'debug',
      ...(typeof config.memory === 'number' ? { memory: config.memory } : {}),
      ...(typeof config.timeout === 'number' ? { timeout: config.timeout } : {}),
      ...(config.env ? { env: config.env } : {}),
    });
    adapter.output(`Starting ${target.name} in a debug environment…\n`);
    await this.prepareAndAttach(s, params);
    await this.ctx.host.request('invoke', params);
    if (this.live.has(adapter.session.id)) {
      adapter.output(`Still attached: invoke ${target.name} again (CodeLens or palette) to debug its warm environment.\n`);
    }
  }

  /** SessionHooks: the user stopped the session — detach every child and release any pause. */
  async end(adapter: LambdaAdapterSession): Promise<void> {
    const s = this.live.get(adapter.session.id);
    this.live.delete(adapter.session.id);
    if (!s) return;
    // Straight to the child's adapter: stopDebugging(child) would be routed back to this (ending) parent,
    // because the children's lifecycle is managed by it. Detach only; the environment stays warm in the host.
    for (const child of s.children) void Promise.resolve(child.customRequest('disconnect', { terminateDebuggee: false })).catch(() => undefined);
    for (const environmentId of s.attached.keys()) {
      this.bindings.delete(environmentId);
      void this.ctx.host.request('debug.resumed', { environmentId }).catch(() => undefined);
    }
  }

  private sessionFor(functionName: string): LiveSession | undefined {
    for (const s of this.live.values()) if (s.target.name === functionName) return s;
    return undefined;
  }

  private async prepareAndAttach(s: LiveSession, params: InvokeParams): Promise<DebugTarget> {
    const target = await this.ctx.host.request('debug.prepare', params);
    let attaching = s.attached.get(target.environmentId);
    if (!attaching) {
      attaching = this.attach(s, target);
      s.attached.set(target.environmentId, attaching);
      attaching.catch(() => s.attached.delete(target.environmentId));
    }
    await attaching;
    return target;
  }

  private async attach(s: LiveSession, target: DebugTarget): Promise<void> {
    const marker: ChildMarker = { environmentId: target.environmentId, functionName: s.target.name };
    const fn = await this.ctx.functionInfo(s.target).catch(() => undefined);
    const binding = new Binding(target.kind, fn?.codeUri ?? (s.target.kind === 'handler' ? s.target.root : undefined));
    this.bindings.set(target.environmentId, binding);
    const name = `${s.target.name} · environment ${target.environmentId}`;
    const child: vscode.DebugConfiguration =
      target.kind === 'node-inspector'
        ? {
            type: 'pwa-node',
            request: 'attach',
            name,
            address: target.host,
            port: target.port,
            // Breakpoints bind, then the environment runs on: no stop on entry.
            continueOnAttach: true,
            sourceMaps: true,
            // Compiled TypeScript handlers live in the host's cache, outside the workspace.
            resolveSourceMapLocations: null,
            skipFiles: ['<node_internals>/**', '**/dist/runtime/node-bootstrap*.js'],
            timeout: 30_000,
            __lambdaWorkbench: marker,
          }
        : { type: PYTHON_ATTACH_TYPE, request: 'attach', name, host: target.host, port: target.port, justMyCode: true, __lambdaWorkbench: marker };
    s.adapter.output(`Attaching to ${s.target.name} (environment ${target.environmentId}, ${target.kind} on ${target.host}:${target.port})\n`);
    const started = vscode.debug.onDidStartDebugSession((session) => {
      if (environmentOf(session)?.environmentId === target.environmentId) s.children.push(session);
    });
    try {
      const ok = await vscode.debug.startDebugging(s.adapter.session.workspaceFolder, child, {
        parentSession: s.adapter.session,
        lifecycleManagedByParent: true,
        consoleMode: vscode.DebugConsoleMode.MergeWithParent,
        compact: true,
      });
      if (!ok) throw new Error(`could not attach the debugger to ${target.host}:${target.port}`);
      const waitStarted = Date.now();
      const configured = await binding.until(() => binding.configured, ATTACH_TIMEOUT_MS);
      if (configured && binding.kind === 'node-inspector' && binding.targetSession) binding.loaded = await loadedPaths(binding.targetSession);
      const bound = configured && (await binding.until(() => binding.ready, BIND_TIMEOUT_MS));
      this.ctx.log.debug(
        `debug environment ${target.environmentId}: configured ${configured}, loaded ${binding.loaded?.size ?? 'unknown'} files, breakpoints ${JSON.stringify([...binding.breakpoints.values()])} after ${Date.now() - waitStarted} ms`,
      );
      if (!bound) {
        const what = configured ? `breakpoints in ${binding.pending().join(', ')} were not bound` : 'the debugger did not finish attaching';
        s.adapter.output(`${what} within the time allowed; invoking anyway.\n`, 'important');
        this.ctx.log.warn(`debug environment ${target.environmentId}: ${what}`);
      }
    } finally {
      // Keep collecting children a little longer: js-debug starts its target session asynchronously.
      setTimeout(() => started.dispose(), 30_000);
    }
  }

  /** Watches a debugger's messages for one environment: its target's configurationDone and breakpoint binding. */
  private bindingTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const marker = environmentOf(session);
    if (!marker) return undefined;
    const binding = this.bindings.get(marker.environmentId);
    if (!binding) return undefined;
    // js-debug debugs the process in a child session of the attach session (one per target).
    const isTarget = binding.kind === 'debugpy' || '__pendingTargetId' in session.configuration;
    this.ctx.log.debug(`debug session ${session.name} (${session.type}) for environment ${marker.environmentId}: ${isTarget ? 'target' : 'not the target'}`);
    if (!isTarget) return undefined;
    const pathsBySeq = new Map<number, string>();
    return {
      onWillReceiveMessage: (m: { type?: string; command?: string; seq?: number; arguments?: { source?: { path?: string } } }) => {
        if (m.type === 'request' && m.command === 'setBreakpoints' && typeof m.seq === 'number') pathsBySeq.set(m.seq, m.arguments?.source?.path ?? '');
      },
      onDidSendMessage: (m: {
        type?: string;
        command?: string;
        event?: string;
        request_seq?: number;
        success?: boolean;
        body?: { breakpoints?: { id?: number; verified?: boolean }[]; breakpoint?: { id?: number; verified?: boolean } };
      }) => {
        if (m.type === 'response' && m.command === 'setBreakpoints' && typeof m.request_seq === 'number') {
          const path = pathsBySeq.get(m.request_seq);
          pathsBySeq.delete(m.request_seq);
          if (path && binding.inCode(path)) {
            binding.answered.add(path);
            for (const bp of m.body?.breakpoints ?? []) {
              if (typeof bp.id !== 'number') continue;
              binding.breakpoints.set(bp.id, { path, verified: bp.verified === true || binding.early.get(bp.id) === true });
            }
          }
        } else if (m.type === 'response' && m.command === 'attach') {
          binding.targetSession = session;
          binding.attachedAdapter = true;
        } else if (m.type === 'response' && m.command === 'configurationDone') {
          binding.targetSession = session;
          binding.targetConfigured = true;
        } else if (m.type === 'event' && m.event === 'breakpoint') {
          const bp = m.body?.breakpoint;
          if (bp && typeof bp.id === 'number') {
            const known = binding.breakpoints.get(bp.id);
            if (known) known.verified = bp.verified === true;
            else binding.early.set(bp.id, bp.verified === true);
          }
        }
        binding.changed();
      },
    };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Paths of the sources a debugger has loaded (js-debug lists the .ts behind source maps too); undefined if it cannot say. */
async function loadedPaths(session: vscode.DebugSession): Promise<Set<string> | undefined> {
  try {
    const result = (await Promise.race([
      session.customRequest('loadedSources'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 5_000)),
    ])) as { sources?: { path?: string }[] };
    const paths = (result.sources ?? []).flatMap((src) => (src.path ? [src.path.includes('://') ? vscode.Uri.parse(src.path).fsPath : src.path] : []));
    return new Set(paths);
  } catch {
    return undefined;
  }
}

function summary(record: InvocationRecord): string {
  const numbers = [
    record.durationMs !== undefined ? `duration ${record.durationMs.toFixed(2)} ms` : '',
    record.billedDurationMs !== undefined ? `billed ${record.billedDurationMs} ms` : '',
    record.pausedMs ? `paused ${Math.round(record.pausedMs)} ms (not billed)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const outcome = record.error ? `${record.error.errorType}: ${record.error.errorMessage}` : JSON.stringify(record.result);
  return `${record.functionName} ${record.status}${numbers ? ` (${numbers})` : ''}\n${outcome ?? ''}\n`;
}
