// Starting a `lambda-workbench` session: ask the host to prepare an environment with a debugger in it
// (Node's inspector, debugpy, Delve, rdbg) — initialized but not yet invoked — attach VS Code to it as
// a child session, wait until the breakpoints in the function's code are bound, then invoke.
//
// One session per function, and one at a time: debugging the same function again runs in the live
// session; debugging another function ends it. The session lasts while its environment does: every
// invoke of the function meanwhile (CodeLens, palette) runs in the debug environment; when the
// function's code changes the next invoke starts a new environment, attached automatically; when the
// environment ends for another reason (idle, crash, timeout, host stop) the session ends with it.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DebugEnvironmentEnded, DebugTarget, InvocationRecord, InvokeParams } from '../../runtime-host/protocol';
import type { WorkbenchContext } from '../context';
import { type FunctionTarget, keyOf } from '../targets';
import { type BreakpointState, LambdaAdapterSession, type SessionHooks } from './adapter';
import { DEBUG_TYPE, type LambdaDebugConfiguration, targetOfConfiguration } from './configuration';
import { rdbgPolicy, SocketDebugAdapter } from './dap-socket';
import { environmentOf, type ChildMarker } from './tracker';

/** Child session types for debug adapters that listen in the environment: VS Code connects to them directly, no language extension needed. */
export const PYTHON_ATTACH_TYPE = 'lambda-workbench-python';
export const GO_ATTACH_TYPE = 'lambda-workbench-go';
export const RUBY_ATTACH_TYPE = 'lambda-workbench-ruby';
/** JDWP is not DAP: Java breakpoints need VS Code's Debugger for Java, which attaches to the JVM's agent. */
export const JAVA_DEBUG_EXTENSION = 'vscjava.vscode-java-debug';

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
  /** Invocations of this session still running. */
  running: Set<string>;
  /** Its environment ended for good: the session ends once nothing runs in it. */
  ending: boolean;
}

/** What one environment's debugger has told us: is the target configured, are our breakpoints bound. */
class Binding {
  /** js-debug's target session answered configurationDone (breakpoints are sent before it). */
  targetConfigured = false;
  /** A debug adapter in the environment (debugpy, Delve, rdbg) answered attach. */
  attachedAdapter = false;
  /** The session that debugs the process (js-debug's target session, or the adapter's session). */
  targetSession: vscode.DebugSession | undefined;
  /** Breakpoint id → its file, the line asked for and whether it is bound, for breakpoints in the function's code. */
  readonly breakpoints = new Map<number, { path: string; line: number; verified: boolean }>();
  /** `breakpoint` events that arrived before the setBreakpoints response naming their id. */
  readonly early = new Map<number, boolean>();
  /** Files with enabled breakpoints in the function's code, and those the debugger has answered for. */
  readonly expected: Set<string>;
  readonly answered = new Set<string>();
  /** Files the target has loaded; undefined until known (then every breakpoint in the code counts). */
  loaded: Set<string> | undefined;
  /** Per target session, `path:line` → what it said (a worker thread's session may say less than the main one). */
  private readonly said = new Map<string, Map<string, BreakpointState>>();
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly kind: DebugTarget['kind'],
    /** Only breakpoints in files under this folder hold up the invocation. */
    readonly codeUri: string | undefined,
    /** Where the combined answer of the environment's debugger goes (the `lambda-workbench` session). */
    private readonly onBound: (path: string, states: { line: number; state: BreakpointState | undefined }[]) => void,
  ) {
    this.expected = new Set(
      vscode.debug.breakpoints
        .filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.enabled)
        .map((b) => b.location.uri.fsPath)
        .filter((path) => this.inCode(path)),
    );
  }

  inCode(path: string | undefined): boolean {
    return inFolder(path, this.codeUri);
  }

  /** Breakpoints that must bind before the invocation: in a file the target has loaded. */
  pending(): string[] {
    // Delve knows the whole program and rdbg answers for any file: what they leave unbound stays so.
    if (this.kind === 'delve' || this.kind === 'rdbg') return [];
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

  /** A target session said how breakpoints bound: pass on, per line, what the best-informed session says. */
  note(sessionId: string, path: string, states: { line: number; state: BreakpointState }[]): void {
    let mine = this.said.get(sessionId);
    if (!mine) this.said.set(sessionId, (mine = new Map()));
    for (const { line, state } of states) mine.set(`${path}:${line}`, state);
    this.tell(states.map(({ line }) => `${path}:${line}`));
  }

  /** A target session ended: what it said no longer holds. */
  forget(sessionId: string): void {
    const mine = this.said.get(sessionId);
    this.said.delete(sessionId);
    if (mine) this.tell([...mine.keys()]);
  }

  private tell(keys: string[]): void {
    const byPath = new Map<string, { line: number; state: BreakpointState | undefined }[]>();
    for (const key of keys) {
      const at = key.lastIndexOf(':');
      const path = key.slice(0, at);
      const all = [...this.said.values()].flatMap((m) => m.get(key) ?? []);
      const list = byPath.get(path) ?? [];
      list.push({ line: Number(key.slice(at + 1)), state: all.find((s) => s.verified) ?? all[0] });
      byPath.set(path, list);
    }
    for (const [path, states] of byPath) this.onBound(path, states);
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
  /** Session id → the function's code folder (asked once per session; breakpoints elsewhere are not presumed bound). */
  private readonly codeFolders = new Map<string, Promise<string | undefined>>();
  private readonly subscriptions: vscode.Disposable[];

  /** Our runtimes (the bootstraps, the TypeScript hooks, the stdio preload): not the user's code. */
  private readonly runtimeDir: string;

  constructor(private readonly ctx: WorkbenchContext) {
    // As the host sees it (where the bootstraps run from), not through a symlinked extension folder.
    this.runtimeDir = join(realPath(ctx.extension.extensionPath), 'dist', 'runtime');
    const server = (session: vscode.DebugSession): vscode.DebugAdapterServer => {
      const c = session.configuration as vscode.DebugConfiguration & { host?: string; port?: number };
      if (typeof c.port !== 'number') throw new Error(`${session.type} sessions are started by Lambda Workbench with the port of the environment's debugger`);
      return new vscode.DebugAdapterServer(c.port, c.host ?? '127.0.0.1');
    };
    this.subscriptions = [
      vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
        createDebugAdapterDescriptor: (session) => new vscode.DebugAdapterInlineImplementation(new LambdaAdapterSession(session, this)),
      }),
      // debugpy and Delve's headless server speak DAP themselves: VS Code connects straight to them.
      vscode.debug.registerDebugAdapterDescriptorFactory(PYTHON_ATTACH_TYPE, { createDebugAdapterDescriptor: server }),
      vscode.debug.registerDebugAdapterDescriptorFactory(GO_ATTACH_TYPE, { createDebugAdapterDescriptor: server }),
      // So does rdbg, with a few words changed on the way (dap-socket.ts).
      vscode.debug.registerDebugAdapterDescriptorFactory(RUBY_ATTACH_TYPE, {
        createDebugAdapterDescriptor: (session) => {
          const { port, host } = server(session);
          return new vscode.DebugAdapterInlineImplementation(new SocketDebugAdapter(port, host ?? '127.0.0.1', rdbgPolicy(this.runtimeDir)));
        },
      }),
      vscode.debug.registerDebugAdapterTrackerFactory('*', { createDebugAdapterTracker: (session) => this.bindingTracker(session) }),
      ctx.host.on('invocation.log', ({ id, line }) => {
        for (const s of this.live.values()) if (s.invocations.has(id)) s.adapter.output(`${line}\n`, 'stdout');
      }),
      ctx.host.on('invocation.started', (record) => {
        const s = this.sessionFor(record.functionName);
        if (s && record.trigger === 'debug') {
          s.invocations.add(record.id);
          s.running.add(record.id);
        }
      }),
      ctx.onDidFinishInvocation((record) => {
        for (const s of this.live.values()) {
          if (!s.invocations.has(record.id)) continue;
          s.running.delete(record.id);
          s.adapter.output(summary(record), record.status === 'success' ? 'console' : 'important');
          if (s.ending && s.running.size === 0) void this.endSession(s);
        }
      }),
      ctx.host.on('debug.environmentEnded', (ended) => this.environmentEnded(ended)),
      // A host that stops or dies takes its environments with it, without a word about each.
      ctx.host.onDidChangeState((state) => {
        if (state.kind === 'stopped' || state.kind === 'error') for (const s of this.live.values()) this.hostEnded(s);
      }),
      vscode.debug.onDidStartDebugSession((session) => this.nameTarget(session)),
      vscode.debug.onDidTerminateDebugSession((session) => {
        this.codeFolders.delete(session.id);
        for (const s of this.live.values()) s.children = s.children.filter((c) => c.id !== session.id);
      }),
    ];
  }

  /**
   * Debugs a function with an event (CodeLens `Debug`, palette, panel): in its live session if it has
   * one, else in a new session (which ends any other).
   */
  async start(target: FunctionTarget, event: unknown, extra: Partial<LambdaDebugConfiguration> = {}): Promise<boolean> {
    const live = this.sessionFor(keyOf(target));
    if (live && !live.ending) {
      this.invokeIn(live, this.ctx.invokeParams(target, event, debugExtra(extra))).catch((err: unknown) => {
        live.adapter.output(`${err instanceof Error ? err.message : String(err)}\n`, 'stderr');
        this.ctx.showError(err);
      });
      return true;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    const config: LambdaDebugConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      // The child sessions are named after the function (what the call stack shows); VS Code would number a second one.
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

  /** SessionHooks: the `lambda-workbench` session is configured — end any other, prepare, attach, invoke. */
  async begin(adapter: LambdaAdapterSession): Promise<void> {
    const config = adapter.session.configuration as LambdaDebugConfiguration;
    const target = targetOfConfiguration(config, this.ctx.root);
    if (!target) throw new Error('The launch configuration needs "function" (a template function) or "handler".');
    // One session at a time: the one debugging before (this function's or another's) ends.
    await Promise.all([...this.live.values()].map((other) => this.endSession(other)));
    const s: LiveSession = { adapter, target, attached: new Map(), children: [], invocations: new Set(), running: new Set(), ending: false };
    this.live.set(adapter.session.id, s);
    try {
      const event =
        typeof config.event === 'string'
          ? await this.ctx.host.request('events.getSaved', { function: keyOf(target), name: config.event })
          : config.event === undefined
            ? await this.ctx.resolveEvent(target)
            : config.event;
      const params = this.ctx.invokeParams(target, event, {
        ...debugExtra(config),
        ...(config.env ? { env: config.env } : {}),
      });
      await this.requireDebuggerFor(target);
      adapter.output(`Starting ${target.name} in a debug environment…\n`);
      await this.invokeIn(s, params);
    } catch (err) {
      // One message that says what is wrong (a missing debugger says what to install), and no session left waiting.
      this.live.delete(adapter.session.id);
      this.ctx.showError(err);
      throw err;
    }
    if (this.live.has(adapter.session.id) && !s.ending) {
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

  /** SessionHooks: before the function's debugger has answered, a breakpoint in the function's code is taken as bound. */
  async presumeBreakpoint(adapter: LambdaAdapterSession, path: string): Promise<BreakpointState> {
    let folder = this.codeFolders.get(adapter.session.id);
    if (!folder) {
      const target = targetOfConfiguration(adapter.session.configuration as LambdaDebugConfiguration, this.ctx.root);
      folder = target ? this.codeFolderOf(target) : Promise.resolve(undefined);
      this.codeFolders.set(adapter.session.id, folder);
    }
    const code = await folder;
    return code && inFolder(path, code) ? { verified: true } : { verified: false, message: 'Bound once the function loads this file' };
  }

  private async codeFolderOf(target: FunctionTarget): Promise<string | undefined> {
    const fn = await this.ctx.functionInfo(target).catch(() => undefined);
    return fn?.codeUri ?? (target.kind === 'handler' ? target.root : undefined);
  }

  private sessionFor(functionName: string): LiveSession | undefined {
    for (const s of this.live.values()) if (s.target.name === functionName) return s;
    return undefined;
  }

  /** Prepares (and attaches to) the debug environment, then invokes the function in it. */
  private async invokeIn(s: LiveSession, params: InvokeParams): Promise<void> {
    await this.prepareAndAttach(s, params);
    await this.ctx.host.request('invoke', params);
  }

  /** Ends a session from our side (its environment went, or another session starts). */
  private async endSession(s: LiveSession): Promise<void> {
    if (!this.live.has(s.adapter.session.id)) return;
    s.ending = true;
    await vscode.debug.stopDebugging(s.adapter.session);
  }

  private environmentEnded(ended: DebugEnvironmentEnded): void {
    this.bindings.delete(ended.environmentId);
    for (const s of this.live.values()) {
      if (!s.attached.delete(ended.environmentId)) continue;
      if (ended.replaced) {
        s.adapter.output(`${s.target.name} changed: its environment ended; the next invoke starts a new one, debugged in this session.\n`);
        continue;
      }
      s.adapter.output(`${s.target.name}'s debug environment ended; so does this session.\n`);
      s.ending = true;
      if (s.running.size === 0) void this.endSession(s);
    }
  }

  private hostEnded(s: LiveSession): void {
    if (s.attached.size === 0 || s.ending) return;
    s.adapter.output(`The Lambda Workbench host stopped, and ${s.target.name}'s debug environment with it; so does this session.\n`);
    s.ending = true;
    void this.endSession(s);
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
    const codeUri = await this.codeFolderOf(s.target);
    const binding = new Binding(target.kind, codeUri, (path, states) => s.adapter.breakpointsBound(path, states));
    this.bindings.set(target.environmentId, binding);
    const child = this.childConfiguration(s.target.name, target, marker);
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

  /**
   * The child session for one environment, per debugger. Named after the function (that is what the
   * call stack shows). A new kind of environment (DebugTargetKind) adds its case here.
   */
  private childConfiguration(name: string, target: DebugTarget, marker: ChildMarker): vscode.DebugConfiguration {
    switch (target.kind) {
      case 'node-inspector': {
        const runtimeDir = this.runtimeDir;
        return {
          type: 'pwa-node',
          request: 'attach',
          name,
          address: target.host,
          port: target.port,
          // Breakpoints bind, then the environment runs on: no stop on entry.
          continueOnAttach: true,
          sourceMaps: true,
          // Compiled handlers may come from anywhere (TypeScript compiled by the host, layers, a build folder); not from our runtime or node_modules.
          resolveSourceMapLocations: ['**', '!**/node_modules/**', `!${runtimeDir}/**`],
          skipFiles: ['<node_internals>/**', `${runtimeDir}/**`, '**/dist/runtime/node-bootstrap*.js', '**/runtime-host/runtime/node-bootstrap/**'],
          timeout: 30_000,
          __lambdaWorkbench: marker,
        };
      }
      case 'debugpy':
        return { type: PYTHON_ATTACH_TYPE, request: 'attach', name, host: target.host, port: target.port, justMyCode: true, __lambdaWorkbench: marker };
      case 'delve':
        // Delve's headless server already runs the program: attach in its `remote` mode.
        return {
          type: GO_ATTACH_TYPE,
          request: 'attach',
          mode: 'remote',
          name,
          host: target.host,
          port: target.port,
          stopOnEntry: false,
          __lambdaWorkbench: marker,
        };
      case 'rdbg':
        return { type: RUBY_ATTACH_TYPE, request: 'attach', name, host: target.host, port: target.port, __lambdaWorkbench: marker };
      case 'jdwp':
        return { type: 'java', request: 'attach', name, hostName: target.host, port: target.port, __lambdaWorkbench: marker };
    }
  }

  /** A debugger that is an extension of its own (Java's) is checked before any environment starts: one message, no half-started session. */
  private async requireDebuggerFor(target: FunctionTarget): Promise<void> {
    const info = await this.ctx.functionInfo(target);
    if (info?.runtimeFamily === 'java' && !vscode.extensions.getExtension(JAVA_DEBUG_EXTENSION)) {
      throw new Error(
        `breakpoints in ${info.runtime} functions need VS Code's Debugger for Java (${JAVA_DEBUG_EXTENSION}), which attaches to the JVM's debug agent: install it, then debug again`,
      );
    }
  }

  /** js-debug names the session debugging the process "Remote Process [0] « <attach session>": call it after the function instead. */
  private nameTarget(session: vscode.DebugSession): void {
    const marker = environmentOf(session);
    if (!marker || session.type !== 'pwa-node' || !('__pendingTargetId' in session.configuration)) return;
    if (session.parentSession && environmentOf(session.parentSession.parentSession) === undefined) session.name = marker.functionName;
  }

  /** Watches a debugger's messages for one environment: its target's configurationDone and breakpoint binding. */
  private bindingTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const marker = environmentOf(session);
    if (!marker) return undefined;
    const binding = this.bindings.get(marker.environmentId);
    if (!binding) return undefined;
    // js-debug debugs the process in a child session of the attach session (one per target); the others are the adapter's own session.
    const isTarget = binding.kind !== 'node-inspector' || '__pendingTargetId' in session.configuration;
    this.ctx.log.debug(`debug session ${session.name} (${session.type}) for environment ${marker.environmentId}: ${isTarget ? 'target' : 'not the target'}`);
    if (!isTarget) return undefined;
    const requests = new Map<number, { path: string; lines: number[] }>();
    return {
      onWillStopSession: () => binding.forget(session.id),
      onExit: () => binding.forget(session.id),
      onWillReceiveMessage: (m: {
        type?: string;
        command?: string;
        seq?: number;
        arguments?: { source?: { path?: string }; breakpoints?: { line: number }[] };
      }) => {
        if (m.type === 'request' && m.command === 'setBreakpoints' && typeof m.seq === 'number') {
          requests.set(m.seq, { path: m.arguments?.source?.path ?? '', lines: (m.arguments?.breakpoints ?? []).map((b) => b.line) });
        }
      },
      onDidSendMessage: (m: {
        type?: string;
        command?: string;
        event?: string;
        request_seq?: number;
        success?: boolean;
        body?: { breakpoints?: DapBreakpoint[]; breakpoint?: DapBreakpoint };
      }) => {
        if (m.type === 'response' && m.command === 'setBreakpoints' && typeof m.request_seq === 'number') {
          const asked = requests.get(m.request_seq);
          requests.delete(m.request_seq);
          if (asked?.path) {
            const answers = m.body?.breakpoints ?? [];
            if (binding.inCode(asked.path)) {
              binding.answered.add(asked.path);
              answers.forEach((bp, i) => {
                if (typeof bp.id !== 'number') return;
                binding.breakpoints.set(bp.id, {
                  path: asked.path,
                  line: asked.lines[i] ?? 0,
                  verified: bp.verified === true || binding.early.get(bp.id) === true,
                });
              });
            }
            const states = asked.lines.flatMap((line, i) => (answers[i] ? [{ line, state: stateOf(answers[i]) }] : []));
            if (states.length > 0) binding.note(session.id, asked.path, states);
          }
        } else if (m.type === 'response' && m.command === 'attach') {
          binding.targetSession = session;
          binding.attachedAdapter = true;
        } else if (m.type === 'response' && m.command === 'configurationDone') {
          binding.targetSession ??= session;
          binding.targetConfigured = true;
        } else if (m.type === 'event' && m.event === 'breakpoint') {
          const bp = m.body?.breakpoint;
          if (bp && typeof bp.id === 'number') {
            const known = binding.breakpoints.get(bp.id);
            if (known) {
              known.verified = bp.verified === true;
              binding.note(session.id, known.path, [{ line: known.line, state: stateOf(bp) }]);
            } else binding.early.set(bp.id, bp.verified === true);
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

interface DapBreakpoint {
  id?: number;
  verified?: boolean;
  line?: number;
  column?: number;
  message?: string;
}

function stateOf(bp: DapBreakpoint): BreakpointState {
  return {
    verified: bp.verified === true,
    ...(typeof bp.line === 'number' ? { line: bp.line } : {}),
    ...(typeof bp.column === 'number' ? { column: bp.column } : {}),
    ...(bp.message ? { message: bp.message } : {}),
  };
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function inFolder(path: string | undefined, folder: string | undefined): boolean {
  return !!path && (!folder || path.startsWith(folder));
}

/** Debug-run parameters from a launch configuration's (or the panel's) memory and timeout. */
function debugExtra(config: Partial<LambdaDebugConfiguration>): Partial<InvokeParams> {
  return {
    debug: true,
    trigger: 'debug',
    ...(typeof config.memory === 'number' ? { memory: config.memory } : {}),
    ...(typeof config.timeout === 'number' ? { timeout: config.timeout } : {}),
  };
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
