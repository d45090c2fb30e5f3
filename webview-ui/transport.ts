// One way for the panel to talk to the host, two carriers: the host's WebSocket (browser dashboard)
// and postMessage relayed by the extension (VS Code webview). Views only see `Transport`.
import type {
  MethodName,
  NotificationName,
  Notifications,
  ParamsOf,
  ResultOf,
  RpcNotification,
  RpcRequest,
  RpcResponse,
} from '../runtime-host/protocol/methods';
import { RpcError } from '../runtime-host/protocol/errors';
import type { ExtensionToWebviewMessage, WebviewToExtensionMessage } from '../runtime-host/protocol/webview';

export { RpcError };

export type ConnectionState = 'connecting' | 'open' | 'closed';

export type NotificationListener = <N extends NotificationName>(method: N, params: Notifications[N]) => void;

export interface Transport {
  /** 'browser' hides what only the editor can do (debugging). */
  readonly kind: 'browser' | 'vscode';
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onNotification(listener: NotificationListener): () => void;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  /** Only in VS Code: hand "debug with this event" to the extension. */
  debug?(params: ParamsOf<'invoke'>): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Request ids, pending calls and notification fan-out, shared by both carriers. */
abstract class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number | string, Pending>();
  private readonly notificationListeners = new Set<NotificationListener>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  state: ConnectionState = 'connecting';

  protected abstract send(request: RpcRequest): void;

  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      if (this.state === 'closed') {
        reject(new Error('Not connected to the Lambda Workbench host.'));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const request = { jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) } as RpcRequest;
      this.send(request);
    });
  }

  onNotification(listener: NotificationListener): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  protected setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'closed') this.failPending('The connection to the Lambda Workbench host closed.');
    for (const l of this.stateListeners) l(state);
  }

  protected failPending(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  /** Handles one message from the host: a response or a notification. Anything else is ignored. */
  protected receive(message: RpcResponse | RpcNotification): void {
    if ('id' in message && message.id !== null && message.id !== undefined) {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if ('error' in message) pending.reject(RpcError.fromObject(message.error));
      else pending.resolve(message.result);
      return;
    }
    if ('method' in message && typeof message.method === 'string') {
      for (const l of this.notificationListeners) l(message.method, message.params);
    }
  }
}

/** Browser dashboard: `ws://<host>/?token=…`, reconnecting with back-off when the host restarts. */
export class WebSocketTransport extends RpcClient implements Transport {
  readonly kind = 'browser' as const;
  private socket?: WebSocket;
  private retryMs = 250;
  private readonly queue: RpcRequest[] = [];

  constructor(private readonly url: string) {
    super();
    this.connect();
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.state = 'connecting';
    socket.addEventListener('open', () => {
      this.retryMs = 250;
      this.setState('open');
      for (const r of this.queue.splice(0)) socket.send(JSON.stringify(r));
    });
    socket.addEventListener('message', (e) => {
      try {
        this.receive(JSON.parse(String(e.data)) as RpcResponse | RpcNotification);
      } catch {
        // A malformed frame from the host must not stop the panel.
      }
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.failPending('The connection to the Lambda Workbench host closed.');
      this.state = 'closed';
      this.setStateForce('closed');
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(5000, this.retryMs * 2);
    });
  }

  private setStateForce(state: ConnectionState): void {
    this.state = state === 'closed' ? 'connecting' : state;
    this.setState(state);
  }

  protected send(request: RpcRequest): void {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(request));
    else this.queue.push(request);
  }

  override request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    // While reconnecting, requests wait in the queue instead of failing.
    if (this.state === 'closed') this.state = 'connecting';
    return super.request(method, params);
  }
}

/** The subset of VS Code's webview API the panel uses. */
export interface VsCodeApi {
  postMessage(message: WebviewToExtensionMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Inside VS Code: JSON-RPC wrapped in `{type:'rpc'}` envelopes, relayed by the extension. */
export class PostMessageTransport extends RpcClient implements Transport {
  readonly kind = 'vscode' as const;

  constructor(
    private readonly vscode: VsCodeApi,
    target: Window,
    private readonly onOther: (message: ExtensionToWebviewMessage) => void,
  ) {
    super();
    this.state = 'open';
    target.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as ExtensionToWebviewMessage | undefined;
      if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
      if (data.type === 'rpc') this.receive(data.message);
      else {
        if (data.type === 'host') this.setState(data.state === 'ready' ? 'open' : data.state === 'starting' ? 'connecting' : 'closed');
        this.onOther(data);
      }
    });
    vscode.postMessage({ type: 'ready' });
  }

  protected send(request: RpcRequest): void {
    this.vscode.postMessage({ type: 'rpc', message: request });
  }

  override request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    // The extension restarts the host on its own; it answers queued requests once the host is back.
    if (this.state === 'closed') this.state = 'connecting';
    return super.request(method, params);
  }

  debug(params: ParamsOf<'invoke'>): void {
    this.vscode.postMessage({ type: 'debug', params });
  }
}
