// A minimal Debug Adapter Protocol client over TCP, for the tests that attach to a debugger listening in
// an environment (Delve's headless server, the debug gem's rdbg server) the way VS Code does.
import { connect, type Socket } from 'node:net';

export interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown> & { reason?: string; threadId?: number };
}

export class DapClient {
  readonly events: DapMessage[] = [];
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (m: DapMessage) => void>();
  private readonly listeners = new Set<(m: DapMessage) => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<DapClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new DapClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request; resolves with its response (rejects when the adapter says it failed). */
  async request<T = Record<string, unknown>>(command: string, args: unknown = {}): Promise<T> {
    const seq = this.seq++;
    const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
    const response = new Promise<DapMessage>((resolve) => this.pending.set(seq, resolve));
    this.socket.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    const r = await response;
    if (!r.success) throw new Error(`${command} failed: ${r.message ?? JSON.stringify(r.body)}`);
    return (r.body ?? {}) as T;
  }

  /** The first event (already received or to come) named `event` that matches. */
  waitForEvent(event: string, match: (m: DapMessage) => boolean = () => true, timeoutMs = 60_000, after = 0): Promise<DapMessage> {
    const seen = this.events.slice(after).find((m) => m.event === event && match(m));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${event} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (m: DapMessage): void => {
        if (m.event !== event || !match(m)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(m);
      };
      this.listeners.add(listener);
    });
  }

  /** Top frame of a stopped thread, and the variables of its first scope. */
  async stoppedAt(threadId: number): Promise<{ name: string; path: string; line: number; variables: Record<string, string>; framePaths: string[] }> {
    const { stackFrames } = await this.request<{ stackFrames: { id: number; name: string; line: number; source?: { path?: string } }[] }>('stackTrace', {
      threadId,
      startFrame: 0,
      levels: 20,
    });
    const top = stackFrames[0]!;
    const { scopes } = await this.request<{ scopes: { variablesReference: number }[] }>('scopes', { frameId: top.id });
    const { variables } = await this.request<{ variables: { name: string; value: string }[] }>('variables', {
      variablesReference: scopes[0]!.variablesReference,
    });
    return {
      name: top.name,
      path: top.source?.path ?? '',
      line: top.line,
      variables: Object.fromEntries(variables.map((v) => [v.name, v.value])),
      framePaths: stackFrames.map((f) => f.source?.path ?? ''),
    };
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as DapMessage;
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.type === 'response' && message.request_seq !== undefined) {
        this.pending.get(message.request_seq)?.(message);
        this.pending.delete(message.request_seq);
      } else if (message.type === 'event') {
        this.events.push(message);
        for (const l of [...this.listeners]) l(message);
      }
    }
  }
}
