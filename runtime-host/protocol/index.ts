// The typed contract between runtime-host/, extension/ and webview-ui/. Types only, no runtime code
// except constants, so importing it never pulls host code into the extension or the panel.
export * from './records';
export * from './functions';
export * from './methods';
export * from './webview';
import type { SandboxKind } from './records';

/** The one JSON line `lambda-workbench serve` prints on stdout when ready. */
export interface ReadyLine {
  event: 'ready';
  ws: string;
  token: string;
  invokeApi: string;
  httpApi?: string;
  dashboard?: string;
  /** How execution environments are isolated (`cgroup-v1`, `cgroup-v2` or `process`). */
  sandbox?: SandboxKind;
}

/** Query parameter (and `Sec-WebSocket-Protocol` alternative) that carries the session token. */
export const TOKEN_QUERY_PARAM = 'token';
