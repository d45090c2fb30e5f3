// UI state that survives hide/show and reload: VS Code's webview state inside the editor,
// sessionStorage in the browser. Read back through `sanitizeUiState`, since it is untrusted.
import { EMPTY_FILTER, sanitizeFilter, type HistoryFilter } from './model/filters';
import { STATUSES, TRIGGERS } from './model/records';
import type { VsCodeApi } from './transport';

export interface PanelUiState {
  version: 1;
  view: 'history' | 'summary' | 'tune' | 'executions' | 'tables';
  selectedId?: string;
  /** Two record ids shown side by side. */
  compareIds?: [string, string];
  filter: HistoryFilter;
  scrollTopPx: number;
}

export const DEFAULT_UI_STATE: PanelUiState = { version: 1, view: 'history', filter: EMPTY_FILTER, scrollTopPx: 0 };

export function sanitizeUiState(value: unknown): PanelUiState {
  if (!value || typeof value !== 'object') return { ...DEFAULT_UI_STATE };
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return { ...DEFAULT_UI_STATE };
  const id = (x: unknown) => (typeof x === 'string' && x.length > 0 && x.length < 200 ? x : undefined);
  const compare = Array.isArray(v.compareIds) && v.compareIds.length === 2 ? v.compareIds.map(id) : undefined;
  const selectedId = id(v.selectedId);
  return {
    version: 1,
    view: v.view === 'summary' || v.view === 'tune' || v.view === 'executions' || v.view === 'tables' ? v.view : 'history',
    ...(selectedId ? { selectedId } : {}),
    ...(compare && compare[0] && compare[1] ? { compareIds: [compare[0], compare[1]] as [string, string] } : {}),
    filter: sanitizeFilter(v.filter, STATUSES, TRIGGERS),
    scrollTopPx: typeof v.scrollTopPx === 'number' && Number.isFinite(v.scrollTopPx) && v.scrollTopPx >= 0 ? v.scrollTopPx : 0,
  };
}

export interface StateStore {
  load(): PanelUiState;
  save(state: PanelUiState): void;
}

export function vscodeStateStore(api: VsCodeApi): StateStore {
  return {
    load: () => sanitizeUiState(api.getState()),
    save: (state) => api.setState(state),
  };
}

const SESSION_KEY = 'lambda-workbench.panel';

export function sessionStateStore(storage: Storage): StateStore {
  return {
    load: () => {
      try {
        return sanitizeUiState(JSON.parse(storage.getItem(SESSION_KEY) ?? 'null'));
      } catch {
        return { ...DEFAULT_UI_STATE };
      }
    },
    save: (state) => {
      try {
        storage.setItem(SESSION_KEY, JSON.stringify(state));
      } catch {
        // Storage full or disabled: the panel still works, it just forgets on reload.
      }
    },
  };
}
