// Hosts the invocations panel (webview-ui/) in a WebviewPanel with a strict CSP and relays its
// JSON-RPC to the host unchanged; restored after a reload by a WebviewPanelSerializer.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ExtensionToWebviewMessage, InvokeParams, RpcNotification, RpcRequest, WebviewToExtensionMessage } from '../runtime-host/protocol';
import type { InvocationRecord } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';

export const PANEL_VIEW_TYPE = 'lambdaWorkbench.invocations';

export class InvocationsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private pendingSelect: string | undefined;
  private pendingShowTune = false;
  private lastSelected: string | undefined;
  private restoredState: unknown = null;
  private ready = false;
  /** Record ids the webview was given (responses and notifications), in order: lets tests see what it shows. */
  private delivered: string[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly onDebug: (params: InvokeParams) => void,
  ) {
    this.subscriptions = [
      ctx.host.onNotification((n) => {
        const message: RpcNotification = { jsonrpc: '2.0', method: n.method, params: n.params };
        this.post({ type: 'rpc', message }, recordIdsOf(n.params));
      }),
      ctx.host.onDidChangeState((s) => this.post({ type: 'host', state: s.kind === 'ready' ? 'ready' : s.kind === 'starting' ? 'starting' : 'stopped' })),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => {
          this.restoredState = state ?? null;
          this.adopt(panel);
        },
      }),
    ];
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Ids of the records the open panel has received so far (cleared when it closes). */
  deliveredRecordIds(): string[] {
    return [...this.delivered];
  }

  /** The record the panel was last asked to select (tests read it). */
  get selectedRecordId(): string | undefined {
    return this.lastSelected;
  }

  /** Selects a record in the panel if it is open, without revealing it or taking focus; false when closed. */
  select(id: string): boolean {
    if (!this.panel) return false;
    this.lastSelected = id;
    if (this.ready) this.post({ type: 'select', id });
    else this.pendingSelect = id;
    return true;
  }

  /** Shows the open panel's Tune view with the newest result (once the panel is ready, if it is still loading). */
  showTune(): void {
    if (!this.panel) return;
    if (this.ready) this.post({ type: 'showTune' });
    else this.pendingShowTune = true;
  }

  /** Opens (or reveals) the one panel; `select` focuses a record in it. */
  show(select?: string): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Lambda Invocations', vscode.ViewColumn.Beside, this.webviewOptions());
      this.adopt(panel);
    }
    if (select) this.select(select);
    // The panel asks the host for history; make sure there is a host to ask.
    void this.ctx.host.ensureStarted().catch((err) => this.ctx.showError(err));
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'webview')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    this.delivered = [];
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'media', 'lambda.svg');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((m: WebviewToExtensionMessage) => this.onMessage(m)),
      panel.onDidDispose(() => {
        for (const s of this.panelSubscriptions) s.dispose();
        this.panelSubscriptions = [];
        this.panel = undefined;
        this.ready = false;
        this.delivered = [];
      }),
    ];
  }

  private async onMessage(message: WebviewToExtensionMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        this.post({ type: 'state', state: this.restoredState });
        const s = this.ctx.host.state.kind;
        this.post({ type: 'host', state: s === 'ready' ? 'ready' : s === 'starting' ? 'starting' : 'stopped' });
        if (this.pendingSelect) this.post({ type: 'select', id: this.pendingSelect });
        this.pendingSelect = undefined;
        if (this.pendingShowTune) this.post({ type: 'showTune' });
        this.pendingShowTune = false;
        return;
      }
      case 'rpc':
        return this.relay(message.message);
      case 'debug':
        this.onDebug(message.params);
        return;
    }
  }

  private async relay(request: RpcRequest): Promise<void> {
    const { result, error } = await this.ctx.host.relay(request);
    if (error) this.post({ type: 'rpc', message: { jsonrpc: '2.0', id: request.id, error } });
    else this.post({ type: 'rpc', message: { jsonrpc: '2.0', id: request.id, result } }, recordIdsOf(result));
  }

  private post(message: ExtensionToWebviewMessage, recordIds: string[] = []): void {
    if (!this.panel) return;
    this.delivered.push(...recordIds);
    void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (...path: string[]): vscode.Uri => webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'webview', ...path));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" nonce="${nonce}" href="${asset('codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" nonce="${nonce}" href="${asset('panel.css')}">
<title>Lambda Invocations</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('panel.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.panel?.dispose();
  }
}

/** Record ids inside a result or notification payload (a record, a page of records, or neither). */
function recordIdsOf(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const v = value as { id?: unknown; kind?: unknown; records?: unknown };
  if (Array.isArray(v.records)) return v.records.flatMap((r: InvocationRecord) => (typeof r?.id === 'string' ? [r.id] : []));
  if (typeof v.id === 'string' && typeof v.kind === 'string') return [v.id];
  return [];
}
