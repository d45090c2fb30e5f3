// The JSON-RPC client over the host's WebSocket: typed requests matched to their responses by id,
// notifications handed on as they come, a raw relay for the panel. It knows nothing of the process
// behind the socket (extension/host/supervisor.ts owns that).
import * as vscode from 'vscode';
import WebSocket from 'ws';
import {
  BRIEF_RECORDS_QUERY,
  RpcError,
  TOKEN_QUERY_PARAM,
  type MethodName,
  type NotificationName,
  type Notifications,
  type ParamsOf,
  type ReadyLine,
  type ResultOf,
  type RpcErrorObject,
} from '../../runtime-host/protocol';

export type AnyNotification = { [N in NotificationName]: { method: N; params: Notifications[N] } }[NotificationName];

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  method: string;
}

export interface RpcClientEvents {
  notification(notification: AnyNotification): void;
  /** The socket closed while it was this client's (not by `close()`); pending requests are already rejected. */
  closed(): void;
  log: vscode.LogOutputChannel;
}

export class RpcClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly events: RpcClientEvents) {}

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  connect(ready: ReadyLine): Promise<void> {
    const url = new URL(ready.ws);
    url.searchParams.set(TOKEN_QUERY_PARAM, ready.token);
    // The extension and its panel ask for a large event when they show or run it (getInvocation), not per notification.
    url.searchParams.set(BRIEF_RECORDS_QUERY.name, BRIEF_RECORDS_QUERY.value);
    const socket = new WebSocket(url.toString());
    this.socket = socket;
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.rejectPending('the connection to the host closed');
      this.events.closed();
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (err) => reject(new Error(`could not connect to the host at ${ready.ws}: ${err.message}`)));
    });
  }

  request<M extends MethodName>(method: M, params: ParamsOf<M>, token?: vscode.CancellationToken): Promise<ResultOf<M>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('Lambda Workbench host is not connected'));
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      token?.onCancellationRequested(() => {
        if (this.pending.delete(id)) reject(new vscode.CancellationError());
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Closes the socket without reporting `closed`; pending requests fail with `reason`. */
  close(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.rejectPending(reason);
    socket?.removeAllListeners('close');
    socket?.close();
  }

  private onMessage(text: string): void {
    let message: { id?: number | string | null; method?: string; params?: unknown; result?: unknown; error?: RpcErrorObject };
    try {
      message = JSON.parse(text);
    } catch {
      this.events.log.warn(`host sent a message that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      this.events.notification({ method: message.method, params: message.params } as AnyNotification);
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(RpcError.fromObject(message.error));
    else pending.resolve(message.result);
  }

  private rejectPending(reason: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error(`${p.method}: ${reason}`));
    }
  }
}
