// The Tables view: the local DynamoDB's tables with their item counts, and a simple item browser — a
// table's items a scan page at a time, an item as plain JSON with its DynamoDB JSON, put (a JSON editor
// that says what is wrong before anything is sent) and delete (after a confirmation). The host sends no
// notification when a table changes, so counts are asked for again when the tab is shown, after the
// panel's own writes, after an invocation finishes (functions write tables), after a reconnect and on Refresh.
import type { DynamoDbItem, DynamoDbTableInfo, MethodName, ParamsOf, ResultOf } from '../../runtime-host/protocol/methods';
import { button, h, icon, replaceChildren } from '../dom';
import { cellText, columnsOf, countText, ItemPages, keyId, keyLabel, keyOf, newItemTemplate, parseItem, plainItem, SCAN_PAGE } from '../model/tables';
import { copyButton, jsonBlock } from './json';

export interface TablesViewHost {
  request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  toast(message: unknown): void;
}

/** Counts are asked for once things settle: a burst of invocations, one request. */
const AFTER_CHANGE_MS = 400;

export class TablesView {
  readonly element: HTMLElement;
  private readonly listEl: HTMLElement;
  private readonly itemsEl: HTMLElement;
  private readonly detailEl: HTMLElement;
  private tables: DynamoDbTableInfo[] = [];
  private loaded = false;
  private visible = false;
  private selected: string | undefined;
  private pages: ItemPages | undefined;
  /** The selected table's count when its items were loaded (or last changed by this panel). */
  private pagesCount: number | undefined;
  /** The pages a scan request is out for (a Refresh meanwhile starts new pages, which scan at once). */
  private scanning: ItemPages | undefined;
  /** The open item: `item` once the host answered, `missing` when it answered that there is none. */
  private open: { id: string; key: DynamoDbItem; item?: DynamoDbItem; missing?: boolean } | undefined;
  private countTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: TablesViewHost) {
    this.listEl = h('div', { class: 'tb-list', data: { testid: 'tables-list' } });
    this.itemsEl = h('div', { class: 'tb-items-pane' });
    this.detailEl = h('div', { class: 'tb-detail' });
    this.element = h('div', { class: 'tb-pane' }, this.listEl, this.itemsEl, this.detailEl);
    this.render();
  }

  /** The tab became visible (true) or hidden; showing it asks for the counts again. */
  setVisible(visible: boolean): void {
    const shown = visible && !this.visible;
    this.visible = visible;
    if (shown) void this.refreshTables();
  }

  private countsAsked = 0;

  /** Tables may have changed (an invocation finished — functions write tables — or the host came back): counts again, if anyone is looking. */
  onHostChanged(): void {
    if (!this.visible) return;
    clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => void this.refreshTables(), AFTER_CHANGE_MS);
  }

  /** Counts from the host; the selected table's items are scanned again when its count moved under them, or `rescan`. */
  async refreshTables(rescan = false): Promise<void> {
    // Answers can come back out of order (a refresh after a write may pass an older one): only the newest counts.
    const asked = ++this.countsAsked;
    let tables: DynamoDbTableInfo[];
    try {
      tables = await this.host.request('dynamodb.listTables', undefined);
    } catch (err) {
      if (asked === this.countsAsked) this.host.toast(err);
      return;
    }
    if (asked !== this.countsAsked) return;
    this.tables = tables;
    this.loaded = true;
    if (!this.selected || !this.tables.some((t) => t.name === this.selected)) {
      this.selected = this.tables[0]?.name;
      this.pages = undefined;
      this.open = undefined;
    }
    this.renderList();
    const table = this.table();
    if (table && (rescan || !this.pages || this.pagesCount !== table.itemCount)) await this.loadItems();
    else this.renderItems();
  }

  private table(): DynamoDbTableInfo | undefined {
    return this.tables.find((t) => t.name === this.selected);
  }

  private async selectTable(name: string): Promise<void> {
    if (name === this.selected) return;
    this.selected = name;
    this.pages = undefined;
    this.open = undefined;
    this.renderList();
    this.renderDetail();
    await this.loadItems();
  }

  /** The first page of the selected table, again. */
  private async loadItems(): Promise<void> {
    const table = this.table();
    if (!table) {
      this.render();
      return;
    }
    this.pages = new ItemPages(table);
    this.pagesCount = table.itemCount;
    this.renderItems();
    await this.morePages();
    if (this.open && !this.pages.find(this.open.id)) await this.openItem(this.open.key);
  }

  private async morePages(): Promise<void> {
    const pages = this.pages;
    if (!pages || this.scanning === pages) return;
    this.scanning = pages;
    this.renderItems();
    try {
      const page = await this.host.request('dynamodb.scan', { table: pages.table.name, limit: SCAN_PAGE, ...(pages.cursor ? { cursor: pages.cursor } : {}) });
      if (pages === this.pages) pages.addPage(page);
    } catch (err) {
      this.host.toast(err);
    } finally {
      if (this.scanning === pages) this.scanning = undefined;
    }
    this.renderItems();
  }

  /** Opens an item as the host has it now (the scanned copy may be older). */
  private async openItem(key: DynamoDbItem): Promise<void> {
    const table = this.table();
    if (!table) return;
    const id = keyId(table, key);
    this.open = { id, key };
    this.renderItems();
    this.renderDetail();
    try {
      const { item } = await this.host.request('dynamodb.getItem', { table: table.name, key });
      if (this.open?.id !== id) return;
      this.open = { id, key, ...(item ? { item } : { missing: true }) };
      if (item) this.pages?.upsert(item);
    } catch (err) {
      this.host.toast(err);
    }
    this.renderItems();
    this.renderDetail();
  }

  private render(): void {
    this.renderList();
    this.renderItems();
    this.renderDetail();
  }

  private renderList(): void {
    const refresh = button('Refresh', 'refresh', () => void this.refreshTables(true), {
      secondary: true,
      testId: 'tb-refresh',
      title: 'Count the items again and reload the selected table',
    });
    if (this.tables.length === 0) {
      replaceChildren(
        this.listEl,
        h('div', { class: 'tb-list-head' }, h('h4', null, icon('database'), ' Tables'), refresh),
        h(
          'div',
          { class: 'empty' },
          icon('database'),
          h(
            'p',
            null,
            this.loaded
              ? 'No DynamoDB tables. Add an AWS::DynamoDB::Table or AWS::Serverless::SimpleTable to the template, or create one through the local endpoint.'
              : 'Loading tables…',
          ),
        ),
      );
      return;
    }
    replaceChildren(
      this.listEl,
      h('div', { class: 'tb-list-head' }, h('h4', null, icon('database'), ' Tables'), refresh),
      this.tables.map((t) =>
        h(
          'button',
          {
            class: `tb-table${t.name === this.selected ? ' selected' : ''}`,
            data: { testid: 'tb-table', name: t.name, count: t.itemCount },
            attrs: { type: 'button', 'aria-pressed': t.name === this.selected ? 'true' : 'false' },
            title: t.arn,
            on: { click: () => void this.selectTable(t.name) },
          },
          h('span', { class: 'tb-name' }, t.name),
          h('span', { class: 'tb-count', data: { testid: 'tb-table-count' } }, countText(t.itemCount)),
          h(
            'span',
            { class: 'tb-meta muted' },
            t.keySchema.map((k) => `${k.name} (${k.type})`).join(' · '),
            t.streamViewType ? ` · stream ${t.streamViewType}` : '',
            t.ttlAttribute ? ` · TTL ${t.ttlAttribute}` : '',
          ),
        ),
      ),
    );
  }

  private renderItems(): void {
    const table = this.table();
    const pages = this.pages;
    if (!table) {
      replaceChildren(this.itemsEl);
      return;
    }
    const scroll = this.itemsEl.scrollTop;
    const items = pages?.items ?? [];
    const { columns, more } = columnsOf(table, items);
    const keyNames = new Set(table.keySchema.map((k) => k.name));
    const head = h(
      'div',
      { class: 'block-head tb-head' },
      h('h3', { class: 'tb-ident', data: { testid: 'tb-items-table' } }, table.name),
      h('span', { class: 'muted', data: { testid: 'tb-count' } }, countText(table.itemCount)),
      h(
        'div',
        { class: 'actions' },
        button('Put item…', 'add', () => this.openPutDialog(table, newItemTemplate(table), 'new'), { testId: 'tb-put' }),
      ),
    );
    const body =
      pages?.loaded && items.length === 0
        ? h('div', { class: 'empty' }, icon('database'), h('p', null, 'No items. Put one with Put item…'))
        : h(
            'table',
            { class: 'tb-items', data: { testid: 'tb-items' } },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                columns.map((c) => h('th', { class: keyNames.has(c) ? 'tb-key' : '' }, c)),
                more ? h('th', { class: 'muted' }, '…') : null,
              ),
            ),
            h(
              'tbody',
              null,
              items.map((item) => {
                const id = keyId(table, item);
                const openRow = () => void this.openItem(keyOf(table, item));
                return h(
                  'tr',
                  {
                    class: `tb-row${id === this.open?.id ? ' selected' : ''}`,
                    data: { testid: 'tb-item', key: keyLabel(table, item) },
                    attrs: { tabindex: '0', 'aria-selected': id === this.open?.id ? 'true' : 'false' },
                    on: {
                      click: openRow,
                      keydown: (e) => {
                        if (e.key === 'Enter') openRow();
                      },
                    },
                  },
                  columns.map((c) => h('td', { class: keyNames.has(c) ? 'tb-key' : '' }, cellText(item[c]))),
                  more ? h('td', null) : null,
                );
              }),
            ),
          );
    replaceChildren(
      this.itemsEl,
      head,
      body,
      h(
        'div',
        { class: 'tb-foot' },
        h('span', { class: 'muted', data: { testid: 'tb-shown' } }, pages?.loaded ? `${items.length} shown` : 'Scanning…'),
        pages?.cursor
          ? button('More items', 'fold-down', () => void this.morePages(), { secondary: true, testId: 'tb-more', disabled: this.scanning === pages })
          : null,
      ),
    );
    this.itemsEl.scrollTop = scroll;
  }

  private renderDetail(): void {
    const table = this.table();
    const open = this.open;
    if (!table || !open) {
      replaceChildren(this.detailEl, h('div', { class: 'empty' }, icon('json'), h('p', null, 'Select an item to see it as JSON.')));
      return;
    }
    const label = keyLabel(table, open.key);
    if (!open.item) {
      replaceChildren(
        this.detailEl,
        h(
          'div',
          { class: 'tb-item-detail', data: { testid: 'tb-detail', key: label, state: open.missing ? 'missing' : 'loading' } },
          h('div', { class: 'block-head' }, h('h3', { class: 'tb-ident' }, label)),
          h('p', { class: 'muted' }, open.missing ? `This item is no longer in ${table.name}.` : 'Loading…'),
        ),
      );
      return;
    }
    const item = open.item;
    const raw = JSON.stringify(item, null, 2);
    replaceChildren(
      this.detailEl,
      h(
        'div',
        { class: 'tb-item-detail', data: { testid: 'tb-detail', key: label, state: 'loaded' } },
        h(
          'div',
          { class: 'block-head' },
          h('h3', { class: 'tb-ident' }, label),
          h(
            'div',
            { class: 'actions' },
            button('Edit…', 'edit', () => this.openPutDialog(table, raw, 'edit'), { secondary: true, testId: 'tb-edit' }),
            button('Delete…', 'trash', () => this.openDeleteDialog(table, item), { secondary: true, testId: 'tb-delete' }),
          ),
        ),
        jsonBlock('Item', plainItem(item), 'tb-item-plain'),
        h(
          'section',
          { class: 'block', data: { testid: 'tb-item-raw' } },
          h(
            'div',
            { class: 'block-head' },
            h('h3', null, 'DynamoDB JSON'),
            copyButton(() => raw, 'Copy the item in DynamoDB JSON'),
          ),
          h('pre', { class: 'json tb-raw' }, raw),
        ),
      ),
    );
  }

  /** Put an item: typed JSON, checked here first so the error names the attribute and what to write. */
  private openPutDialog(table: DynamoDbTableInfo, text: string, mode: 'new' | 'edit'): void {
    const area = h('textarea', { class: 'editor', data: { testid: 'tb-put-json' }, attrs: { spellcheck: 'false', 'aria-label': 'Item in DynamoDB JSON' } });
    area.value = text;
    const errorEl = h('div', { class: 'editor-error', data: { testid: 'tb-put-error' }, attrs: { role: 'alert' } });
    const close = () => dialog.remove();
    const save = async () => {
      const parsed = parseItem(area.value, table);
      if (!parsed.ok) {
        errorEl.textContent = parsed.error;
        return;
      }
      errorEl.textContent = '';
      try {
        const out = await this.host.request('dynamodb.putItem', { table: table.name, item: parsed.item });
        close();
        this.pages?.upsert(parsed.item);
        this.host.toast(`${out.replaced ? 'Replaced' : 'Put'} ${keyLabel(table, parsed.item)} in ${table.name}`);
        await this.afterWrite();
        await this.openItem(keyOf(table, parsed.item));
      } catch (err) {
        errorEl.textContent = err instanceof Error ? err.message : String(err);
      }
    };
    const dialog = h(
      'div',
      { class: 'modal tb-modal', data: { testid: 'tb-put-dialog' }, attrs: { role: 'dialog', 'aria-modal': 'true' } },
      h(
        'div',
        { class: 'modal-box' },
        h('div', { class: 'block-head' }, h('h3', null, mode === 'new' ? `Put an item into ${table.name}` : `Edit and put into ${table.name}`)),
        h(
          'p',
          { class: 'muted' },
          'DynamoDB JSON: each attribute typed, e.g. {"id": {"S": "a"}, "n": {"N": "1"}}. An item with the same key is replaced; the table’s stream sees the write.',
        ),
        area,
        errorEl,
        h(
          'div',
          { class: 'actions' },
          button('Put', 'save', () => void save(), { testId: 'tb-put-save' }),
          button('Cancel', 'close', close, { secondary: true, testId: 'tb-put-cancel' }),
        ),
      ),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
    });
    this.element.appendChild(dialog);
    area.focus();
  }

  /** The panel's own confirmation: VS Code webviews do not show `window.confirm`. */
  private openDeleteDialog(table: DynamoDbTableInfo, item: DynamoDbItem): void {
    const key = keyOf(table, item);
    const label = keyLabel(table, item);
    const errorEl = h('div', { class: 'editor-error' });
    const close = () => dialog.remove();
    const remove = async () => {
      try {
        const out = await this.host.request('dynamodb.deleteItem', { table: table.name, key });
        close();
        this.pages?.remove(keyId(table, item));
        if (this.open?.id === keyId(table, item)) this.open = undefined;
        this.host.toast(out.deleted ? `Deleted ${label} from ${table.name}` : `${label} was already gone from ${table.name}`);
        this.renderDetail();
        await this.afterWrite();
      } catch (err) {
        errorEl.textContent = err instanceof Error ? err.message : String(err);
      }
    };
    const dialog = h(
      'div',
      { class: 'modal tb-modal', data: { testid: 'tb-delete-dialog' }, attrs: { role: 'alertdialog', 'aria-modal': 'true' } },
      h(
        'div',
        { class: 'modal-box' },
        h('div', { class: 'block-head' }, h('h3', null, `Delete an item from ${table.name}?`)),
        h('p', null, h('code', null, label)),
        h('p', { class: 'muted' }, 'The item is gone for good; the table’s stream gets a REMOVE record.'),
        errorEl,
        h(
          'div',
          { class: 'actions' },
          button('Delete', 'trash', () => void remove(), { testId: 'tb-delete-confirm' }),
          button('Cancel', 'close', close, { secondary: true, testId: 'tb-delete-cancel' }),
        ),
      ),
    );
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });
    this.element.appendChild(dialog);
    dialog.querySelector<HTMLButtonElement>('[data-testid=tb-delete-cancel]')?.focus();
  }

  /** The panel's own write is already applied to the items: only the counts are asked for. */
  private async afterWrite(): Promise<void> {
    try {
      this.tables = await this.host.request('dynamodb.listTables', undefined);
    } catch (err) {
      this.host.toast(err);
      return;
    }
    this.pagesCount = this.table()?.itemCount;
    this.renderList();
    this.renderItems();
  }
}
