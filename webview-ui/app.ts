// The panel: owns the history model, the UI state and the transport, and re-renders its regions
// when any of them changes. Same code in the VS Code webview and in the browser dashboard.
import type { DurableExecutionSummary } from '../runtime-host/protocol/durable';
import type { FunctionInfo } from '../runtime-host/protocol/functions';
import type { ListInvocationsResult } from '../runtime-host/protocol/methods';
import type { InvocationRecord, ServiceCallSpan } from '../runtime-host/protocol/records';
import { DEFAULT_TUNE_RUNS, DEFAULT_TUNE_SIZES_MB, type TuneFinished, type TuneProgress } from '../runtime-host/protocol/tune';
import { button, h, icon, replaceChildren } from './dom';
import { applyFilter, isFilterActive, SearchIndex, type HistoryFilter } from './model/filters';
import { HistoryModel } from './model/history';
import { isFinal, STATUS_LABEL, STATUSES, TRIGGERS } from './model/records';
import { summarizeFunctions } from './model/summary';
import { layoutGraph, layoutTrace, traceGraph } from './model/trace';
import type { PanelUiState, StateStore } from './state';
import { RpcError, type ConnectionState, type Transport } from './transport';
import { renderCompare } from './views/compare';
import { renderDetail, type DetailActions } from './views/detail';
import { DurableView } from './views/durable';
import { HistoryList } from './views/history';
import { renderSummary } from './views/summary';
import { TablesView } from './views/tables';
import { renderTrace } from './views/trace';
import { renderTune, type TuneViewState } from './views/tune';

/** How much history the panel loads at start (newest first); live records are added on top. */
const HISTORY_LIMIT = 10_000;
const PAGE_SIZE = 500;
/**
 * Pages asked for before the first of them has arrived. One at a time, each page waited for a whole
 * round trip (host, browser, this page's turn on a busy machine) while the host sat idle.
 */
const PAGES_IN_FLIGHT = 4;
/** While the history loads page by page, how often the list is redrawn. */
const LOAD_REDRAW_MS = 250;

export class PanelApp {
  private readonly history = new HistoryModel();
  private readonly search = new SearchIndex();
  private functions: FunctionInfo[] = [];
  private knownFunctions = new Set<string>();
  private filtered: InvocationRecord[] = [];
  private state: PanelUiState;
  private pickingCompareFor: string | undefined;
  private loading = true;
  private tune: TuneViewState = {};

  private readonly root: HTMLElement;
  private readonly filterBar: HTMLElement;
  private readonly countEl: HTMLElement;
  private readonly connectionEl: HTMLElement;
  private readonly main: HTMLElement;
  private readonly detailEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly tuneEl: HTMLElement;
  private readonly bannerEl: HTMLElement;
  private readonly toastEl: HTMLElement;
  private readonly list: HistoryList;
  private readonly durable: DurableView;
  private readonly tables: TablesView;
  private readonly tabs: Record<PanelUiState['view'], HTMLButtonElement>;
  private frame = 0;
  private dirty = { list: false, detail: false, summary: false, filters: false };
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private searchBox: HTMLInputElement | undefined;
  /** What the filter bar was last built for (function names and the drop-downs' values). */
  private filtersKey = '';

  constructor(
    mount: HTMLElement,
    private readonly transport: Transport,
    private readonly store: StateStore,
  ) {
    this.state = store.load();
    this.list = new HistoryList(
      (r) => this.onRowClick(r),
      (px) => {
        this.state.scrollTopPx = px;
        this.saveSoon(true);
      },
    );
    this.tabs = {
      history: h(
        'button',
        { class: 'tab', data: { testid: 'tab-history' }, attrs: { type: 'button' }, on: { click: () => this.setView('history') } },
        icon('history'),
        ' History',
      ),
      summary: h(
        'button',
        { class: 'tab', data: { testid: 'tab-summary' }, attrs: { type: 'button' }, on: { click: () => this.setView('summary') } },
        icon('graph'),
        ' Functions',
      ),
      tune: h(
        'button',
        { class: 'tab', data: { testid: 'tab-tune' }, attrs: { type: 'button' }, on: { click: () => this.setView('tune') } },
        icon('dashboard'),
        ' Tune',
      ),
      executions: h(
        'button',
        { class: 'tab', data: { testid: 'tab-executions' }, attrs: { type: 'button' }, on: { click: () => this.setView('executions') } },
        icon('debug-step-over'),
        ' Executions',
      ),
      tables: h(
        'button',
        { class: 'tab', data: { testid: 'tab-tables' }, attrs: { type: 'button' }, on: { click: () => this.setView('tables') } },
        icon('database'),
        ' Tables',
      ),
    };
    this.durable = new DurableView({
      request: (method, params) => this.transport.request(method, params),
      openRecord: (id) => this.select(id),
      toast: (m) => this.toast(m),
    });
    this.tables = new TablesView({ request: (method, params) => this.transport.request(method, params), toast: (m) => this.toast(m) });
    this.filterBar = h('div', { class: 'filters' });
    this.countEl = h('span', { class: 'count', data: { testid: 'count' } });
    this.connectionEl = h('span', { class: 'connection', data: { testid: 'connection' } });
    this.bannerEl = h('div', { class: 'banner hidden', data: { testid: 'banner' } });
    this.toastEl = h('div', { class: 'toast hidden', data: { testid: 'toast' }, attrs: { role: 'status' } });
    this.detailEl = h('div', { class: 'detail-pane', data: { testid: 'detail-pane' } });
    this.summaryEl = h('div', { class: 'summary-pane' });
    this.tuneEl = h('div', { class: 'summary-pane tune-pane' });
    this.main = h('main', { class: 'split' }, this.list.element, this.detailEl);
    this.root = h(
      'div',
      { class: 'panel' },
      h(
        'header',
        { class: 'toolbar' },
        h('span', { class: 'brand' }, icon('zap'), ' Lambda Workbench'),
        this.tabs.history,
        this.tabs.summary,
        this.tabs.tune,
        this.tabs.executions,
        this.tabs.tables,
        this.filterBar,
        this.countEl,
        this.connectionEl,
      ),
      this.bannerEl,
      this.main,
      this.summaryEl,
      this.tuneEl,
      this.durable.element,
      this.tables.element,
      this.toastEl,
    );
    replaceChildren(mount, this.root);

    transport.onNotification((method, params) => {
      if (method === 'invocation.finished') this.tables.onHostChanged();
      if (method === 'invocation.started' || method === 'invocation.finished') this.onRecord(params as InvocationRecord);
      else if (method === 'invocation.log') {
        const { id, line } = params as { id: string; line: string };
        if (this.history.appendLog(id, line)) this.invalidate({ list: this.isFilterSearching(), detail: this.isShown(id) });
      } else if (method === 'invocation.serviceCall') {
        const updated = this.history.appendSpan(params as ServiceCallSpan);
        if (updated) this.invalidate({ detail: this.isShown(updated.id) });
      } else if (method === 'durable.changed') {
        this.durable.onChanged(params as DurableExecutionSummary);
      } else if (method === 'functions.changed') {
        this.functions = (params as { functions: FunctionInfo[] }).functions;
        this.invalidate({ filters: true, summary: true });
      } else if (method === 'tune.progress') {
        const progress = params as TuneProgress;
        // Whoever started it (this panel, the Tune Memory command, another client), the user asked to see it.
        if (!this.tune.progress && this.state.view !== 'tune') this.setView('tune');
        this.tune = { ...this.tune, progress };
        this.invalidate({ summary: true });
      } else if (method === 'tune.finished') {
        const finished = params as TuneFinished;
        if ('result' in finished) {
          this.tune = { result: finished.result };
          if (this.state.view !== 'tune') this.setView('tune');
        } else {
          this.tune = { ...(this.tune.result ? { result: this.tune.result } : {}) };
          this.toast(`Tune stopped: ${finished.error}`);
        }
        this.invalidate({ summary: true });
      }
    });
    transport.onStateChange((s) => {
      this.renderConnection(s);
      // After a reconnect the host may have run things we did not hear about.
      if (s === 'open' && !this.loading) void this.load();
      if (s === 'open') this.tables.onHostChanged();
    });
    window.addEventListener('pagehide', () => this.store.save(this.state));
    // A running invocation's bar grows with the clock, not only when a notification arrives.
    setInterval(() => {
      const selected = this.state.selectedId ? this.history.get(this.state.selectedId) : undefined;
      if (selected && !isFinal(selected.status)) this.invalidate({ detail: true });
      if (this.state.view === 'executions') this.durable.tick();
    }, 500);
    this.renderConnection(transport.state);
    this.invalidate({ filters: true, list: true, detail: true, summary: true });
    void this.load();
  }

  /** Restores state handed over by the extension (serializer), unless the webview kept its own. */
  restore(state: PanelUiState): void {
    this.state = state;
    this.store.save(state);
    this.invalidate({ filters: true, list: true, detail: true, summary: true });
    requestAnimationFrame(() => (this.list.scrollTop = state.scrollTopPx));
  }

  /** The Tune view with the host's newest result (the extension ran a tune, maybe while this panel was still loading). */
  showTune(): void {
    if (this.state.view !== 'tune') this.setView('tune');
    void this.transport
      .request('tune.last', undefined)
      .then((last) => {
        if (!last || this.tune.progress) return;
        this.tune = { result: last };
        this.invalidate({ summary: true });
      })
      .catch(() => undefined);
  }

  select(id: string): void {
    this.state.selectedId = id;
    this.state.compareIds = undefined;
    this.pickingCompareFor = undefined;
    this.saveSoon();
    this.setBanner(undefined);
    if (this.state.view !== 'history') this.setView('history');
    this.invalidate({ list: true, detail: true });
    this.list.reveal(id);
    void this.refreshSelected(id);
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      // The history's first page does not wait for the catalog: the rows are what the user opened the panel for.
      const catalog = Promise.all([
        this.transport.request('listFunctions', undefined).catch(() => [] as FunctionInfo[]),
        this.transport.request('tune.last', undefined).catch(() => null),
      ]).then(([functions, lastTune]) => {
        this.functions = functions;
        if (lastTune && !this.tune.result) this.tune = { ...this.tune, result: lastTune };
        this.invalidate({ filters: true, summary: true });
      });
      // The first answer also brings the cursors of the pages after it, so up to PAGES_IN_FLIGHT are asked
      // for at a time; a host that cannot place them yet (still loading an older history) leaves them out,
      // and the pages are asked for one after another from each nextCursor until it can.
      const inFlight: Promise<ListInvocationsResult>[] = [];
      const cursors: string[] = [];
      let requested = 0;
      const ask = (cursor: string | undefined) => {
        requested += PAGE_SIZE;
        // Only a page that starts a run of pages needs the cursors of the ones after it.
        const lookahead = cursors.length === 0 && inFlight.length === 0 ? Math.ceil((HISTORY_LIMIT - requested) / PAGE_SIZE) : 0;
        inFlight.push(
          this.transport.request('listInvocations', { limit: PAGE_SIZE, brief: true, ...(cursor ? { cursor } : {}), ...(lookahead ? { lookahead } : {}) }),
        );
      };
      ask(undefined);
      // The first page is drawn at once; the rest (up to 20 pages) every LOAD_REDRAW_MS and at the end:
      // drawing the list for each page took longer than fetching it.
      let drawnAt = 0;
      for (let page = await inFlight.shift(); page; page = await inFlight.shift()) {
        if (inFlight.length === 0 && cursors.length === 0) {
          // The last page asked for: the cursors of the pages after it, or at least of the next one.
          cursors.push(...(page.followingCursors ?? (page.nextCursor ? [page.nextCursor] : [])));
        }
        // Ask for the following pages before merging this one, so the host works on them meanwhile.
        while (cursors.length > 0 && inFlight.length < PAGES_IN_FLIGHT && requested < HISTORY_LIMIT) ask(cursors.shift());
        // A page is a snapshot: a notification that arrived meanwhile may be newer.
        this.history.merge(page.records);
        const selectedArrived = this.state.selectedId !== undefined && page.records.some((r) => r.id === this.state.selectedId);
        if (drawnAt === 0 || performance.now() - drawnAt >= LOAD_REDRAW_MS || inFlight.length === 0) {
          drawnAt = performance.now();
          this.invalidate({ list: true, summary: true, filters: true, detail: selectedArrived });
        } else if (selectedArrived) this.invalidate({ detail: true });
      }
      await catalog;
      this.invalidate({ list: true, summary: true, filters: true, detail: true });
      if (this.state.selectedId) void this.refreshSelected(this.state.selectedId);
      if (this.state.view === 'executions') void this.durable.reload();
    } catch (err) {
      this.toast(err);
    } finally {
      this.loading = false;
      this.invalidate({ list: true });
      if (this.state.scrollTopPx) this.list.scrollTop = this.state.scrollTopPx;
    }
  }

  /** Full record, children and the rest of its trace from the host (the list may hold older copies, or none). */
  private async refreshSelected(id: string): Promise<void> {
    try {
      const [record, children] = await Promise.all([
        this.transport.request('getInvocation', { id }),
        this.transport.request('listInvocations', { parentId: id, limit: PAGE_SIZE, brief: true }),
      ]);
      const trace = record.traceId ? await this.transport.request('getTrace', { traceId: record.traceId }).catch(() => undefined) : undefined;
      this.history.merge([record, ...children.records, ...(trace?.records ?? [])]);
      this.invalidate({ list: true, detail: true });
    } catch (err) {
      if (!(err instanceof RpcError)) this.toast(err);
    }
  }

  private onRecord(record: InvocationRecord): void {
    if (!this.history.applyNotification(record)) return;
    const newFunction = record.kind === 'invocation' && !this.knownFunctions.has(record.functionName);
    this.invalidate({ list: true, summary: true, filters: newFunction, detail: this.isShown(record.id) || this.isShown(record.parentId) });
  }

  private isShown(id: string | undefined): boolean {
    if (!id) return false;
    if (this.state.selectedId === id || this.state.compareIds?.includes(id)) return true;
    if (this.state.selectedId === undefined) return false;
    const record = this.history.get(id);
    if (record?.parentId === this.state.selectedId) return true;
    // Anything in the selected record's trace changes its Trace section.
    return record?.traceId !== undefined && record.traceId === this.history.get(this.state.selectedId)?.traceId;
  }

  private isFilterSearching(): boolean {
    return this.state.filter.search.trim() !== '';
  }

  private onRowClick(record: InvocationRecord): void {
    if (this.pickingCompareFor && this.pickingCompareFor !== record.id) {
      this.state.compareIds = [this.pickingCompareFor, record.id];
      this.pickingCompareFor = undefined;
      this.setBanner(undefined);
      this.saveSoon();
      this.invalidate({ list: true, detail: true });
      void this.refreshSelected(record.id);
      return;
    }
    this.select(record.id);
  }

  private setView(view: PanelUiState['view']): void {
    this.state.view = view;
    this.saveSoon();
    this.invalidate({ summary: true, list: true, detail: true });
  }

  private setFilter(patch: Partial<HistoryFilter>): void {
    this.state.filter = { ...this.state.filter, ...patch };
    this.saveSoon();
    this.invalidate({ list: true });
  }

  private invalidate(parts: Partial<typeof this.dirty>): void {
    for (const [k, v] of Object.entries(parts)) if (v) this.dirty[k as keyof typeof this.dirty] = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const d = this.dirty;
      this.dirty = { list: false, detail: false, summary: false, filters: false };
      if (d.filters) this.renderFilters();
      if (d.list) this.renderList();
      if (d.detail) this.renderDetailPane();
      if (d.summary || d.list) this.renderView();
    });
  }

  /** Function names for the filter: the catalog's plus any seen in the history (deleted functions keep their records). */
  private functionNames(): string[] {
    const names = new Set(this.functions.map((f) => f.name));
    for (const r of this.history.all()) if (r.kind === 'invocation') names.add(r.functionName);
    this.knownFunctions = names;
    return [...names].sort();
  }

  private renderFilters(): void {
    const f = this.state.filter;
    const names = this.functionNames();
    // Redrawn for every page while the history loads: rebuilt only when it would show something else,
    // so an open drop-down or the search box being typed in is not replaced under the user.
    const key = JSON.stringify([names, f.functionName, f.status, f.trigger]);
    if (key === this.filtersKey && this.searchBox) {
      if (this.searchBox.value !== f.search && document.activeElement !== this.searchBox) this.searchBox.value = f.search;
      return;
    }
    this.filtersKey = key;
    const select = (testId: string, label: string, allLabel: string, value: string, options: [string, string][], onChange: (v: string) => void) =>
      h(
        'select',
        { title: label, data: { testid: testId }, attrs: { 'aria-label': label }, on: { change: (e) => onChange((e.target as HTMLSelectElement).value) } },
        h('option', { attrs: { value: '' } }, allLabel),
        options.map(([v, text]) => h('option', { attrs: { value: v, selected: v === value } }, text)),
      );
    const searchBox = h('input', {
      class: 'search',
      data: { testid: 'search' },
      attrs: { type: 'search', placeholder: 'Search event, result, logs', 'aria-label': 'Search event, result and logs', spellcheck: 'false' },
    });
    searchBox.value = f.search;
    this.searchBox = searchBox;
    searchBox.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.setFilter({ search: searchBox.value }), 120);
    });
    replaceChildren(
      this.filterBar,
      select(
        'filter-function',
        'Function',
        'All functions',
        f.functionName,
        names.map((n) => [n, n]),
        (v) => this.setFilter({ functionName: v }),
      ),
      select(
        'filter-status',
        'Status',
        'All statuses',
        f.status,
        STATUSES.map((s) => [s, STATUS_LABEL[s]]),
        (v) => this.setFilter({ status: v as HistoryFilter['status'] }),
      ),
      select(
        'filter-trigger',
        'Trigger',
        'All triggers',
        f.trigger,
        TRIGGERS.map((t) => [t, t]),
        (v) => this.setFilter({ trigger: v as HistoryFilter['trigger'] }),
      ),
      h('span', { class: 'search-wrap' }, icon('search'), searchBox),
    );
  }

  private renderList(): void {
    this.filtered = applyFilter(this.history.all(), this.state.filter, this.search);
    const total = this.history.size;
    this.countEl.textContent =
      this.loading && total === 0
        ? 'loading…'
        : isFilterActive(this.state.filter)
          ? `${this.filtered.length} of ${total}`
          : `${total} record${total === 1 ? '' : 's'}`;
    this.list.setRecords(this.filtered, this.state.selectedId, this.pickingCompareFor);
  }

  private renderView(): void {
    const view = this.state.view;
    const summary = view === 'summary';
    for (const [name, tab] of Object.entries(this.tabs)) tab.classList.toggle('active', name === view);
    this.main.classList.toggle('hidden', view !== 'history');
    this.summaryEl.classList.toggle('hidden', !summary);
    this.tuneEl.classList.toggle('hidden', view !== 'tune');
    this.durable.element.classList.toggle('hidden', view !== 'executions');
    if (view === 'executions') void this.durable.show();
    this.tables.element.classList.toggle('hidden', view !== 'tables');
    this.tables.setVisible(view === 'tables');
    this.filterBar.classList.toggle('hidden', view !== 'history');
    if (view === 'tune') replaceChildren(this.tuneEl, renderTune(this.tune));
    if (summary) {
      replaceChildren(
        this.summaryEl,
        renderSummary(summarizeFunctions(this.history.all(), this.functions), (name) => {
          this.setFilter({ functionName: name });
          this.invalidate({ filters: true });
          this.setView('history');
        }),
      );
    }
  }

  private renderDetailPane(): void {
    const [a, b] = this.state.compareIds ?? [];
    if (a && b) {
      const ra = this.history.get(a);
      const rb = this.history.get(b);
      if (ra && rb) {
        replaceChildren(
          this.detailEl,
          renderCompare(
            ra,
            rb,
            () => {
              this.state.compareIds = undefined;
              this.saveSoon();
              this.invalidate({ detail: true });
            },
            (id) => this.select(id),
          ),
        );
        return;
      }
    }
    const id = this.state.selectedId;
    const record = id ? this.history.get(id) : undefined;
    if (!record) {
      replaceChildren(
        this.detailEl,
        h(
          'div',
          { class: 'empty' },
          icon('zap'),
          h(
            'p',
            null,
            this.loading
              ? 'Loading history…'
              : this.history.size
                ? 'Select an invocation to see its timeline, numbers, event, result and logs.'
                : 'No invocations yet. Invoke a function and it shows up here as it runs.',
          ),
        ),
      );
      return;
    }
    const scroll = this.detailEl.scrollTop;
    replaceChildren(this.detailEl, renderDetail(record, this.history.childrenOf(record.id), this.actions(), Date.now(), this.traceOf(record)));
    this.detailEl.scrollTop = scroll;
  }

  /** The Trace section: drawn when the record's trace holds more than the record itself, or the record made AWS calls. */
  private traceOf(record: InvocationRecord): HTMLElement | undefined {
    if (!record.traceId) return undefined;
    const records = this.history.inTrace(record.traceId);
    if (records.length < 2 && !record.serviceCalls?.length) return undefined;
    const now = Date.now();
    return renderTrace(layoutTrace(record.traceId, records, now), layoutGraph(traceGraph(records)), record.id, (id) => this.select(id));
  }

  private actions(): DetailActions {
    return {
      select: (id) => this.select(id),
      rerun: (r) => this.withEvent(this.eventOf(r), (event) => this.invoke(r.functionName, event)),
      editAndRun: (r) => this.withEvent(this.eventOf(r), (event) => this.openEditor({ ...r, event }, 'run')),
      saveEvent: (r) => this.withEvent(this.whole(r), (whole) => this.openEditor(whole, 'save')),
      debug: this.transport.debug
        ? (r) => this.withEvent(this.whole(r), (whole) => this.transport.debug?.({ function: r.functionName, event: whole.event, trigger: 'debug' }))
        : undefined,
      tune: (r) => this.openTuneDialog(r),
      openExecution: (arn) => {
        this.setView('executions');
        void this.durable.select(arn);
      },
      startCompare: (r) => {
        this.pickingCompareFor = r.id;
        this.setBanner(`Pick another invocation to compare with ${r.functionName} ${r.id.slice(0, 8)}…`, () => {
          this.pickingCompareFor = undefined;
          this.setBanner(undefined);
          this.invalidate({ list: true });
        });
        this.invalidate({ list: true });
      },
    };
  }

  /** The event to run again: a durable invocation's input is the execution's checkpoint log, its event the execution's input. */
  private async eventOf(record: InvocationRecord): Promise<unknown> {
    const durable = record.kind === 'invocation' && typeof record.source?.durableExecutionArn === 'string';
    const execution = durable && record.parentId ? this.history.get(record.parentId) : undefined;
    return (await this.whole(execution ?? record)).event;
  }

  /** The record with its event: a brief copy (a large event left out of the list, `omitted`) is fetched whole. */
  private async whole(record: InvocationRecord): Promise<InvocationRecord> {
    if (!record.omitted) return record;
    const whole = await this.transport.request('getInvocation', { id: record.id });
    if (this.history.merge([whole])) this.invalidate({ list: true, detail: this.isShown(whole.id) });
    return whole;
  }

  /** Runs `use` once `value` (an event being fetched) is there; a failure to fetch it is shown, not thrown. */
  private withEvent<T>(value: Promise<T>, use: (value: T) => unknown): void {
    value.then(use, (err: unknown) => this.toast(err));
  }

  private async invoke(functionName: string, event: unknown): Promise<void> {
    this.toast(`Running ${functionName}…`);
    try {
      const out = await this.transport.request('invoke', { function: functionName, event, trigger: 'manual' });
      this.toast(`${functionName}: ${out.error ? out.error.errorType : 'success'} · billed ${out.report.billedDurationMs} ms`);
      this.select(out.requestId);
    } catch (err) {
      this.toast(err);
    }
  }

  private openEditor(record: InvocationRecord, mode: 'run' | 'save'): void {
    const area = h('textarea', { class: 'editor', data: { testid: 'editor-event' }, attrs: { spellcheck: 'false', 'aria-label': 'Event JSON' } });
    area.value = JSON.stringify(record.event, null, 2) ?? 'null';
    const nameInput = h('input', {
      data: { testid: 'editor-name' },
      attrs: { type: 'text', placeholder: 'event name', 'aria-label': 'Event name', spellcheck: 'false' },
    });
    nameInput.value = `${record.trigger}-${record.id.slice(0, 8)}`;
    const errorEl = h('div', { class: 'editor-error', data: { testid: 'editor-error' } });
    const close = () => dialog.remove();
    const parse = (): { ok: true; event: unknown } | { ok: false } => {
      try {
        return { ok: true, event: JSON.parse(area.value) };
      } catch (err) {
        errorEl.textContent = `Not valid JSON: ${(err as Error).message}`;
        return { ok: false };
      }
    };
    const run = () => {
      const p = parse();
      if (!p.ok) return;
      close();
      void this.invoke(record.functionName, p.event);
    };
    const save = async () => {
      const p = parse();
      if (!p.ok) return;
      const name = nameInput.value.trim();
      if (!name) {
        errorEl.textContent = 'Give the event a name.';
        return;
      }
      try {
        const saved = await this.transport.request('events.save', { function: record.functionName, name, event: p.event });
        close();
        this.toast(`Saved event '${saved.name}' for ${saved.function} (${saved.path})`);
      } catch (err) {
        errorEl.textContent = describeError(err);
      }
    };
    const dialog = h(
      'div',
      { class: 'modal', data: { testid: 'editor' }, attrs: { role: 'dialog', 'aria-modal': 'true' } },
      h(
        'div',
        { class: 'modal-box' },
        h(
          'div',
          { class: 'block-head' },
          h('h3', null, mode === 'run' ? `Edit event and run ${record.functionName}` : `Save event for ${record.functionName}`),
        ),
        mode === 'save' ? h('label', { class: 'field' }, 'Name ', nameInput) : null,
        area,
        errorEl,
        h(
          'div',
          { class: 'actions' },
          mode === 'run' ? button('Run', 'play', run, { testId: 'editor-run' }) : button('Save', 'save', () => void save(), { testId: 'editor-save' }),
          button('Cancel', 'close', close, { secondary: true, testId: 'editor-cancel' }),
        ),
      ),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        if (mode === 'run') run();
        else void save();
      }
    });
    this.root.appendChild(dialog);
    (mode === 'save' ? nameInput : area).focus();
  }

  /** "Tune with this event": sizes and runs, then the host's tuner; progress and the chart show in the Tune view. */
  private openTuneDialog(record: InvocationRecord): void {
    const sizesInput = h('input', { data: { testid: 'tune-sizes' }, attrs: { type: 'text', 'aria-label': 'Memory sizes (MB)', spellcheck: 'false' } });
    sizesInput.value = DEFAULT_TUNE_SIZES_MB.join(', ');
    const runsInput = h('input', { data: { testid: 'tune-runs' }, attrs: { type: 'number', min: '1', max: '100', 'aria-label': 'Runs per size' } });
    runsInput.value = String(DEFAULT_TUNE_RUNS);
    const errorEl = h('div', { class: 'editor-error', data: { testid: 'tune-error' } });
    const close = () => dialog.remove();
    const start = () => {
      const parts = sizesInput.value.split(/[\s,]+/).filter(Boolean);
      const sizes = parts.map(Number);
      const runs = Number(runsInput.value);
      if (parts.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 128 || n > 10_240)) {
        errorEl.textContent = 'Memory sizes are whole MB from 128 to 10240, separated by commas.';
        return;
      }
      if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
        errorEl.textContent = 'Runs per size is a whole number from 1 to 100.';
        return;
      }
      close();
      this.withEvent(this.whole(record), (whole) => this.runTune(record.functionName, whole.event, sizes, runs));
    };
    const dialog = h(
      'div',
      { class: 'modal', data: { testid: 'tune-dialog' }, attrs: { role: 'dialog', 'aria-modal': 'true' } },
      h(
        'div',
        { class: 'modal-box' },
        h('div', { class: 'block-head' }, h('h3', null, `Tune ${record.functionName} with this event`)),
        h('p', { class: 'muted' }, 'Runs the function at each memory size in fresh environments: one cold run, then the measured runs.'),
        h('label', { class: 'field' }, 'Memory sizes (MB) ', sizesInput),
        h('label', { class: 'field' }, 'Runs per size ', runsInput),
        errorEl,
        h(
          'div',
          { class: 'actions' },
          button('Tune', 'dashboard', start, { testId: 'tune-start' }),
          button('Cancel', 'close', close, { secondary: true, testId: 'tune-cancel' }),
        ),
      ),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
      if (e.key === 'Enter') start();
    });
    this.root.appendChild(dialog);
    sizesInput.focus();
  }

  private async runTune(functionName: string, event: unknown, memorySizesMB: number[], runs: number): Promise<void> {
    this.tune = { ...(this.tune.result ? { result: this.tune.result } : {}) };
    this.setView('tune');
    try {
      const result = await this.transport.request('tune', { function: functionName, event, memorySizesMB, runs });
      this.tune = { result };
      this.toast(`${functionName}: cheapest ${result.cheapestMemorySizeMB ?? '—'} MB, fastest ${result.fastestMemorySizeMB ?? '—'} MB`);
    } catch (err) {
      this.tune = { ...(this.tune.result ? { result: this.tune.result } : {}) };
      this.toast(err);
    }
    this.invalidate({ summary: true });
  }

  private setBanner(text: string | undefined, onCancel?: () => void): void {
    this.bannerEl.classList.toggle('hidden', !text);
    replaceChildren(this.bannerEl, text ? [icon('info'), ` ${text} `, onCancel ? button('Cancel', 'close', onCancel, { secondary: true }) : null] : []);
  }

  private toastTimer: ReturnType<typeof setTimeout> | undefined;

  private toast(message: unknown): void {
    const isError = typeof message !== 'string';
    this.toastEl.textContent = isError ? describeError(message) : message;
    this.toastEl.classList.toggle('error', isError);
    this.toastEl.classList.remove('hidden');
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.toastEl.classList.add('hidden'), isError ? 8000 : 4000);
  }

  private renderConnection(state: ConnectionState): void {
    const text = state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : 'disconnected';
    replaceChildren(this.connectionEl, h('span', { class: `dot conn-${state}` }), ` ${text}`);
    this.connectionEl.dataset.state = state;
  }

  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  /** Saves now; only scrolling, which fires often, is debounced (and flushed when the page goes away). */
  private saveSoon(debounce = false): void {
    clearTimeout(this.saveTimer);
    if (!debounce) {
      this.store.save(this.state);
      return;
    }
    this.saveTimer = setTimeout(() => this.store.save(this.state), 150);
  }
}

function describeError(err: unknown): string {
  if (err instanceof RpcError) return err.hint ? `${err.message} — ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}
