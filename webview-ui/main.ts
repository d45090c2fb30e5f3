// Entry point: picks the transport (VS Code webview or browser dashboard) and the state store,
// applies the theme, and starts the panel.
import { PANEL_CONFIG_META, type ExtensionToWebviewMessage, type PanelBootConfig } from '../runtime-host/protocol/webview';
import { BRIEF_RECORDS_QUERY, TOKEN_QUERY_PARAM } from '../runtime-host/protocol/index';
import { PanelApp } from './app';
import { sanitizeUiState, sessionStateStore, vscodeStateStore } from './state';
import { PostMessageTransport, WebSocketTransport, type Transport, type VsCodeApi } from './transport';

function start(): void {
  const mount = document.getElementById('app') ?? document.body;
  const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  if (typeof acquire === 'function') {
    const api = acquire();
    const hadOwnState = api.getState() !== undefined && api.getState() !== null;
    let app: PanelApp | undefined;
    const early: ExtensionToWebviewMessage[] = [];
    const onOther = (m: ExtensionToWebviewMessage) => {
      if (!app) {
        early.push(m);
        return;
      }
      if (m.type === 'state' && !hadOwnState && m.state) app.restore(sanitizeUiState(m.state));
      else if (m.type === 'select') app.select(m.id);
      else if (m.type === 'showTune') app.showTune();
    };
    const transport: Transport = new PostMessageTransport(api, window, onOther);
    app = new PanelApp(mount, transport, vscodeStateStore(api));
    for (const m of early.splice(0)) onOther(m);
    return;
  }

  applyStandaloneTheme();
  const config = readBootConfig();
  if (!config) {
    mount.textContent = 'Lambda Workbench: this page was not served by `lambda-workbench serve` (no host address).';
    return;
  }
  const url = new URL(config.ws);
  url.searchParams.set(TOKEN_QUERY_PARAM, config.token);
  url.searchParams.set(BRIEF_RECORDS_QUERY.name, BRIEF_RECORDS_QUERY.value);
  new PanelApp(mount, new WebSocketTransport(url.toString()), sessionStateStore(window.sessionStorage));
}

function readBootConfig(): PanelBootConfig | undefined {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${PANEL_CONFIG_META}"]`);
  if (!meta) return undefined;
  try {
    const parsed = JSON.parse(meta.content) as Partial<PanelBootConfig>;
    return typeof parsed.ws === 'string' && typeof parsed.token === 'string' ? { ws: parsed.ws, token: parsed.token } : undefined;
  } catch {
    return undefined;
  }
}

/** Outside VS Code there are no `--vscode-*` variables: panel.css defines them per theme; pick one. */
function applyStandaloneTheme(): void {
  const html = document.documentElement;
  html.dataset.standalone = '';
  const asked = new URLSearchParams(location.search).get('theme');
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    const theme = asked === 'light' || asked === 'dark' || asked === 'hc' ? asked : media.matches ? 'dark' : 'light';
    html.dataset.theme = theme;
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
    document.body.classList.add(theme === 'hc' ? 'vscode-high-contrast' : `vscode-${theme}`);
  };
  apply();
  media.addEventListener('change', apply);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
