// The `lambda-workbench` session itself: a tiny inline debug adapter with no threads of its own. It
// exists so the invocation has a session to belong to; the real debugging happens in the child
// sessions (js-debug for Node, debugpy for Python, Delve for Go, rdbg for Ruby) that the launcher
// attaches under it.
//
// It does answer for breakpoints, though: VS Code shows a breakpoint as bound when any session says
// so, and grey when every session that answered says not. Between a session's start and the moment
// the function's debugger has bound them, the only answers would come from js-debug's attach session
// ("Unbound breakpoint", as it has no process yet): every breakpoint would show grey until the first
// run. This session answers first — bound, for a breakpoint in the function's code — and then follows
// the function's debugger (`breakpointsBound`): a breakpoint it cannot bind turns grey; one it bound
// is left to its answer alone (ours would place it at the line without the debugger's column, and VS
// Code, seeing two places, would draw neither).
import * as vscode from 'vscode';

/** The subset of DAP this adapter speaks. */
interface DapRequest {
  seq: number;
  type: 'request';
  command: string;
  arguments?: unknown;
}

/** What a debugger said about one breakpoint (DAP `Breakpoint`, less its id). */
export interface BreakpointState {
  verified: boolean;
  line?: number;
  column?: number;
  message?: string;
}

export interface SessionHooks {
  /** After configurationDone: prepare the environment, attach, invoke. */
  begin(session: LambdaAdapterSession): Promise<void>;
  /** The user stopped the session. */
  end(session: LambdaAdapterSession): Promise<void>;
  /** A breakpoint no debugger of the function has answered for yet: what to say about it. */
  presumeBreakpoint(session: LambdaAdapterSession, path: string): Promise<BreakpointState>;
}

export class LambdaAdapterSession implements vscode.DebugAdapter {
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private seq = 1;
  private terminated = false;
  private breakpointSeq = 1;
  /** This session's breakpoints, as VS Code last set them per file. */
  private readonly breakpoints = new Map<string, { id: number; line: number }[]>();
  /** `path:line` (the line asked for) → what we say now that the function's debugger has answered. */
  private readonly bound = new Map<string, BreakpointState>();
  /** Per file, what we say before any debugger of the function has answered. */
  private readonly presumed = new Map<string, BreakpointState>();

  constructor(
    readonly session: vscode.DebugSession,
    private readonly hooks: SessionHooks,
  ) {}

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const request = message as DapRequest;
    if (request.type !== 'request') return;
    switch (request.command) {
      case 'initialize':
        this.respond(request, {
          supportsConfigurationDoneRequest: true,
          supportTerminateDebuggee: true,
          // What the debuggers below support; without them VS Code would call such breakpoints unsupported.
          supportsConditionalBreakpoints: true,
          supportsHitConditionalBreakpoints: true,
          supportsLogPoints: true,
        });
        this.event('initialized');
        return;
      case 'launch':
      case 'attach':
        this.respond(request);
        return;
      case 'setBreakpoints':
        void this.setBreakpoints(request);
        return;
      case 'configurationDone':
        this.respond(request);
        this.hooks.begin(this).catch((err: unknown) => {
          this.output(`${err instanceof Error ? err.message : String(err)}\n`, 'stderr');
          this.terminate();
        });
        return;
      case 'threads':
        this.respond(request, { threads: [] });
        return;
      case 'disconnect':
      case 'terminate':
        void this.hooks.end(this).finally(() => {
          this.respond(request);
          this.terminate();
        });
        return;
      default:
        this.respond(request);
    }
  }

  /**
   * What the function's debugger says about breakpoints in `path` (by the line VS Code asked for), or
   * undefined once no debugger answers for it any more (back to presuming).
   */
  breakpointsBound(path: string, states: { line: number; state: BreakpointState | undefined }[]): void {
    for (const { line, state } of states) {
      // Bound by the debugger: step aside (see the top of the file). Not bound: say so too.
      const ours = state?.verified ? { verified: false } : state;
      if (ours) this.bound.set(`${path}:${line}`, ours);
      else this.bound.delete(`${path}:${line}`);
      for (const bp of this.breakpoints.get(path) ?? []) {
        if (bp.line === line)
          this.event('breakpoint', { reason: 'changed', breakpoint: this.describe(path, bp, ours ?? this.presumed.get(path) ?? { verified: false }) });
      }
    }
  }

  /** Text in the Debug Console of this session. */
  output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important' = 'console'): void {
    this.event('output', { category, output: text });
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.event('terminated');
  }

  private async setBreakpoints(request: DapRequest): Promise<void> {
    const args = (request.arguments ?? {}) as { source?: { path?: string }; breakpoints?: { line: number }[]; lines?: number[] };
    const path = args.source?.path ?? '';
    const lines = args.breakpoints?.map((b) => b.line) ?? args.lines ?? [];
    const list = lines.map((line) => ({ id: this.breakpointSeq++, line }));
    this.breakpoints.set(path, list);
    const presumed = await this.hooks.presumeBreakpoint(this, path).catch((): BreakpointState => ({ verified: false }));
    this.presumed.set(path, presumed);
    this.respond(request, { breakpoints: list.map((bp) => this.describe(path, bp, this.bound.get(`${path}:${bp.line}`) ?? presumed)) });
  }

  private describe(path: string, bp: { id: number; line: number }, state: BreakpointState): unknown {
    return {
      id: bp.id,
      verified: state.verified,
      source: { path },
      line: state.line ?? bp.line,
      ...(state.column !== undefined ? { column: state.column } : {}),
      ...(state.message ? { message: state.message } : {}),
    };
  }

  private respond(request: DapRequest, body?: unknown): void {
    this.sent.fire({
      seq: this.seq++,
      type: 'response',
      request_seq: request.seq,
      command: request.command,
      success: true,
      ...(body ? { body } : {}),
    } as vscode.DebugProtocolMessage);
  }

  private event(event: string, body?: unknown): void {
    this.sent.fire({ seq: this.seq++, type: 'event', event, ...(body ? { body } : {}) } as vscode.DebugProtocolMessage);
  }

  dispose(): void {
    this.sent.dispose();
  }
}
