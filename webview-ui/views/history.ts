// The history list, virtualized: a spacer as tall as all rows, and only the rows on screen (plus a
// few) in the DOM, re-rendered on scroll.
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { h, icon, replaceChildren, setStyle } from '../dom';
import { recordBilledMs } from '../model/cost';
import { formatClock, formatShortMs } from '../model/format';
import { KIND_LABEL } from '../model/records';
import { scrollToReveal, visibleRange } from '../model/virtual-list';
import { statusBadge } from './detail';

export const ROW_HEIGHT_PX = 28;

export class HistoryList {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private records: readonly InvocationRecord[] = [];
  private selectedId: string | undefined;
  private markedId: string | undefined;
  private frame = 0;
  /**
   * The viewport's scroll position and height as last seen by its scroll and resize events: reading them
   * from the element while rendering forced a layout of the whole panel in the middle of each redraw.
   */
  private scrollTopPx = 0;
  private heightPx = 0;
  /** What the rows in the DOM show. */
  private drawn: { records: readonly InvocationRecord[]; start: number; selectedId: string | undefined; markedId: string | undefined } | undefined;

  constructor(
    private readonly onSelect: (record: InvocationRecord) => void,
    private readonly onScroll: (scrollTopPx: number) => void,
  ) {
    this.rowsEl = h('div', { class: 'rows', attrs: { role: 'listbox', 'aria-label': 'Invocations' } });
    this.spacer = h('div', { class: 'spacer' }, this.rowsEl);
    this.viewport = h('div', { class: 'viewport', data: { testid: 'history' }, attrs: { tabindex: '0' } }, this.spacer);
    this.viewport.addEventListener('scroll', () => {
      this.scrollTopPx = this.viewport.scrollTop;
      this.schedule();
      this.onScroll(this.scrollTopPx);
    });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => {
      // Also after being hidden (another tab), when the browser may have moved the scroll position without a scroll event.
      this.heightPx = this.viewport.clientHeight;
      this.scrollTopPx = this.viewport.scrollTop;
      this.schedule();
    }).observe(this.viewport);
    const head = h(
      'div',
      { class: 'row head' },
      ['Time', 'Function', 'Trigger', 'Status', 'Start', 'Duration', 'Billed', 'Memory'].map((t, i) => h('span', { class: `c${i}` }, t)),
    );
    this.element = h('div', { class: 'history' }, head, this.viewport);
  }

  /** Draws at once: the caller renders in its own animation frame, and the rows must agree with the count it shows beside them. */
  setRecords(records: readonly InvocationRecord[], selectedId: string | undefined, markedId?: string): void {
    this.records = records;
    this.selectedId = selectedId;
    this.markedId = markedId;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  get scrollTop(): number {
    return this.scrollTopPx;
  }

  set scrollTop(px: number) {
    this.viewport.scrollTop = px;
    this.scrollTopPx = this.viewport.scrollTop;
    this.schedule();
  }

  reveal(id: string): void {
    const i = this.records.findIndex((r) => r.id === id);
    if (i < 0) return;
    this.scrollTop = scrollToReveal(i, ROW_HEIGHT_PX, this.scrollTopPx, this.heightPx);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Renders synchronously (tests and first paint). */
  render(): void {
    const range = visibleRange(this.records.length, ROW_HEIGHT_PX, this.scrollTopPx, this.heightPx || 600);
    setStyle(this.spacer, { height: `${range.totalPx}px` });
    setStyle(this.rowsEl, { transform: `translateY(${range.offsetPx}px)` });
    // While the history loads, older pages grow the list below the rows on screen: those rows stay as
    // they are (rebuilding them meant laying them out again for every page).
    const drawn = { records: this.records.slice(range.start, range.end), start: range.start, selectedId: this.selectedId, markedId: this.markedId };
    const last = this.drawn;
    this.drawn = drawn;
    if (
      last &&
      last.start === drawn.start &&
      last.selectedId === drawn.selectedId &&
      last.markedId === drawn.markedId &&
      last.records.length === drawn.records.length &&
      last.records.every((r, i) => r === drawn.records[i])
    )
      return;
    const rows: HTMLElement[] = [];
    for (let i = range.start; i < range.end; i++) rows.push(this.row(this.records[i], i));
    if (this.records.length === 0) rows.push(h('div', { class: 'empty-row' }, icon('info'), ' No invocations match.'));
    replaceChildren(this.rowsEl, rows);
  }

  private row(r: InvocationRecord, index: number): HTMLElement {
    const billed = recordBilledMs(r);
    const classes = ['row'];
    if (r.id === this.selectedId) classes.push('selected');
    if (r.id === this.markedId) classes.push('marked');
    if (r.parentId) classes.push('child');
    return h(
      'div',
      {
        class: classes.join(' '),
        data: { recordId: r.id, index, testid: 'history-row', status: r.status, function: r.functionName },
        attrs: { role: 'option', 'aria-selected': r.id === this.selectedId ? 'true' : 'false' },
        on: { click: () => this.onSelect(r) },
      },
      h('span', { class: 'c0 mono' }, formatClock(r.timestamps.queuedAt)),
      h(
        'span',
        { class: 'c1', title: r.kind === 'invocation' ? r.functionName : `${KIND_LABEL[r.kind]} ${r.functionName}` },
        r.kind === 'invocation' ? null : h('span', { class: 'tag kind' }, KIND_LABEL[r.kind]),
        r.functionName,
        r.attempt ? h('span', { class: 'tag retry' }, `retry ${r.attempt}`) : null,
      ),
      h('span', { class: 'c2' }, r.trigger),
      h('span', { class: 'c3' }, statusBadge(r.status)),
      h(
        'span',
        { class: 'c4', data: { col: 'start' } },
        r.kind === 'invocation' && r.status !== 'queued' && r.status !== 'throttled' ? (r.cold ? 'cold' : r.initializationType ? 'provisioned' : 'warm') : '',
      ),
      h('span', { class: 'c5 num', data: { col: 'duration' } }, r.durationMs !== undefined ? formatShortMs(r.durationMs) : ''),
      h('span', { class: 'c6 num', data: { col: 'billed' } }, billed !== undefined && r.kind === 'invocation' ? `${billed} ms` : ''),
      h('span', { class: 'c7 num', data: { col: 'memory' } }, r.kind === 'invocation' ? `${r.maxMemoryUsedMB ?? '—'}/${r.memorySizeMB} MB` : ''),
    );
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = this.records.findIndex((r) => r.id === this.selectedId);
    const next = this.records[Math.max(0, Math.min(this.records.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      this.onSelect(next);
      this.reveal(next.id);
    }
  }
}
