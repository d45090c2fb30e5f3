// The postMessage envelope between the panel (webview-ui/) running inside a VS Code webview and the
// extension that hosts it. The extension relays `rpc` messages to the host's WebSocket unchanged, so the
// panel speaks the same JSON-RPC as in the browser dashboard. Types only.
import type { InvokeParams, RpcNotification, RpcRequest, RpcResponse } from './methods';

/** webview → extension */
export type WebviewToExtensionMessage =
  /** A JSON-RPC request for the host; the extension forwards it and posts the response back as `rpc`. */
  | { type: 'rpc'; message: RpcRequest }
  /** The panel has loaded and listens; the extension answers with `state` (restored UI state) and `host`. */
  | { type: 'ready' }
  /** "Debug with this event": the extension starts a `lambda-workbench` debug session with these params. */
  | { type: 'debug'; params: InvokeParams };

/** extension → webview */
export type ExtensionToWebviewMessage =
  /** A response to a relayed request, or a host notification (invocation.started/log/finished…). */
  | { type: 'rpc'; message: RpcResponse | RpcNotification }
  /** UI state to restore (from the WebviewPanelSerializer), or null. The panel also keeps it with `setState`. */
  | { type: 'state'; state: unknown }
  /** Host connection state, so the panel can say "host restarting" instead of showing stale data as live. */
  | { type: 'host'; state: 'starting' | 'ready' | 'stopped' }
  /** Ask the panel to select a record (e.g. from the status bar's last invocation). */
  | { type: 'select'; id: string }
  /**
   * Ask the panel to show its Tune view with the newest result: a tune the extension ran has finished,
   * perhaps before the panel was ready to hear `tune.finished`.
   */
  | { type: 'showTune' };

/** Marker the panel looks for in the DOM to read its start-up configuration (browser dashboard only). */
export const PANEL_CONFIG_META = 'lambda-workbench-panel';

/** What the dashboard page injects (HTML-escaped, in a `<meta>`): where the host's WebSocket is and its token. */
export interface PanelBootConfig {
  ws: string;
  token: string;
}
