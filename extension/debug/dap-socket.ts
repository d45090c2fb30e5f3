// A debug adapter that is a TCP connection to a DAP server in the environment, with a say in what passes:
// VS Code's `DebugAdapterServer` would connect the same way, but some servers need a word changed on
// the way. The debug gem (rdbg) does: see rdbgPolicy.
import * as net from 'node:net';
import * as vscode from 'vscode';

interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  arguments?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

/** Rewrites on the way in (VS Code → server) and out (server → VS Code); undefined drops the message. */
export interface DapPolicy {
  toServer(message: DapMessage, reply: (message: Omit<DapMessage, 'seq'>) => void): DapMessage | undefined;
  fromServer(message: DapMessage): DapMessage | undefined;
}

export class SocketDebugAdapter implements vscode.DebugAdapter {
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private connected = false;
  private readonly queue: DapMessage[] = [];
  private ownSeq = 1_000_000;
  private ended = false;

  constructor(
    port: number,
    host: string,
    private readonly policy: DapPolicy,
  ) {
    this.socket = net.connect(port, host);
    this.socket.on('connect', () => {
      this.connected = true;
      for (const m of this.queue.splice(0)) this.write(m);
    });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => this.end(`cannot reach the debugger at ${host}:${port}: ${err.message}`));
    this.socket.on('close', () => this.end());
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    const m = this.policy.toServer(message as DapMessage, (reply) => this.emit(reply));
    if (!m) return;
    if (this.connected) this.write(m);
    else this.queue.push(m);
  }

  private write(m: DapMessage): void {
    const json = JSON.stringify(m);
    this.socket.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (!Number.isFinite(length)) {
        this.end('the debugger sent something that is not DAP');
        return;
      }
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      let message: DapMessage;
      try {
        message = JSON.parse(body) as DapMessage;
      } catch {
        continue;
      }
      const out = this.policy.fromServer(message);
      if (out) this.sent.fire(out as vscode.DebugProtocolMessage);
      // Disconnected: the session is over, whether or not the server says so (rdbg keeps the connection open).
      if (message.type === 'response' && message.command === 'disconnect') {
        this.end();
        this.socket.end();
      }
    }
  }

  private emit(message: Omit<DapMessage, 'seq'>): void {
    this.sent.fire({ seq: this.ownSeq++, ...message } as vscode.DebugProtocolMessage);
  }

  private end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (reason) this.emit({ type: 'event', event: 'output', body: { category: 'stderr', output: `${reason}\n` } });
    this.emit({ type: 'event', event: 'terminated' });
  }

  dispose(): void {
    this.ended = true;
    this.socket.destroy();
    this.sent.dispose();
  }
}

/**
 * The debug gem's DAP server (rdbg, 1.4 as Ruby 3.1 bundles it) is attached to a program that is
 * already running, and the environment is the host's, not the debugger's:
 * - On `attach` it stops the program and, after configurationDone, reports it paused: the function
 *   would sit in the runtime's wait for the next event, shown as a stop. Sent `launch` instead, it
 *   lets the program run after configurationDone; the stop it reports on connecting is dropped.
 * - Ending the session never ends the program: `disconnect` keeps it running, `terminate` becomes that.
 * - Our bootstrap's frames under the handler's are the runtime's, not the user's: shown folded, as
 *   js-debug's skipFiles does (the gem's own skip path does not reach its stack traces).
 */
export function rdbgPolicy(runtimeDir: string): DapPolicy {
  let configured = false;
  let userPaused = false;
  const attachSeqs = new Set<number>();
  const terminateSeqs = new Map<number, number>();
  return {
    toServer(m, reply) {
      if (m.type !== 'request') return m;
      if (m.command === 'attach') {
        attachSeqs.add(m.seq);
        return { ...m, command: 'launch' };
      }
      if (m.command === 'pause') userPaused = true;
      if (m.command === 'disconnect') return { ...m, arguments: { ...m.arguments, terminateDebuggee: false } };
      if (m.command === 'terminate') {
        terminateSeqs.set(m.seq, m.seq);
        reply({ type: 'response', request_seq: m.seq, command: 'terminate', success: true });
        return { ...m, command: 'disconnect', arguments: { restart: false, terminateDebuggee: false } };
      }
      return m;
    },
    fromServer(m) {
      if (m.type === 'response' && m.request_seq !== undefined) {
        if (attachSeqs.delete(m.request_seq)) return { ...m, command: 'attach' };
        if (terminateSeqs.delete(m.request_seq)) return undefined;
        if (m.command === 'configurationDone') configured = true;
        if (m.command === 'stackTrace' && Array.isArray(m.body?.stackFrames))
          return { ...m, body: { ...m.body, stackFrames: m.body.stackFrames.map((f) => deemphasizeIn(runtimeDir, f)) } };
      }
      if (m.type === 'event' && m.event === 'stopped' && m.body?.reason === 'pause' && !configured && !userPaused) return undefined;
      // Its description of a breakpoint stop (" BP - Line  /path/app.rb:4 (line)") would replace VS Code's "Paused on breakpoint".
      if (m.type === 'event' && m.event === 'stopped' && m.body?.reason !== 'exception' && m.body) {
        const { description: _description, text: _text, ...body } = m.body;
        return { ...m, body };
      }
      return m;
    },
  };
}

interface StackFrame {
  source?: { path?: string; presentationHint?: string };
  presentationHint?: string;
}

/** A frame in `dir` as VS Code shows skipped frames: dimmed, and two or more in a row folded. */
function deemphasizeIn(dir: string, frame: unknown): unknown {
  const f = frame as StackFrame;
  if (!f.source?.path?.startsWith(`${dir}/`)) return frame;
  return { ...f, presentationHint: 'subtle', source: { ...f.source, presentationHint: 'deemphasize', origin: 'Lambda Workbench runtime' } };
}
