// The `lambda-workbench` session itself: a tiny inline debug adapter with no threads of its own. It
// exists so the invocation has a session to belong to; the real debugging happens in the child
// sessions (js-debug for Node, debugpy for Python) that the launcher attaches under it.
import * as vscode from 'vscode';

/** The subset of DAP this adapter speaks. */
interface DapRequest {
  seq: number;
  type: 'request';
  command: string;
  arguments?: unknown;
}

export interface SessionHooks {
  /** After configurationDone: prepare the environment, attach, invoke. */
  begin(session: LambdaAdapterSession): Promise<void>;
  /** The user stopped the session. */
  end(session: LambdaAdapterSession): Promise<void>;
}

export class LambdaAdapterSession implements vscode.DebugAdapter {
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private seq = 1;
  private terminated = false;

  constructor(
    readonly session: vscode.DebugSession,
    private readonly hooks: SessionHooks,
  ) {}

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const request = message as DapRequest;
    if (request.type !== 'request') return;
    switch (request.command) {
      case 'initialize':
        this.respond(request, { supportsConfigurationDoneRequest: true, supportTerminateDebuggee: true });
        this.event('initialized');
        return;
      case 'launch':
      case 'attach':
        this.respond(request);
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

  /** Text in the Debug Console of this session. */
  output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important' = 'console'): void {
    this.event('output', { category, output: text });
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.event('terminated');
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
