// The DynamoDB item browser: a Tables node in the functions view (tables with their item counts, each
// opening onto its items a page at a time), an item opened as JSON in a read-only editor, and Put
// Item… / Delete Item. The host does the work (`dynamodb.*` methods); this only asks and shows.
import * as vscode from 'vscode';
import type { DynamoDbItem, DynamoDbTableInfo } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';

export const ITEM_SCHEME = 'lambda-workbench-item';
const PAGE = 50;

export type TableNode =
  | { type: 'tables'; tables: DynamoDbTableInfo[] }
  | { type: 'table'; table: DynamoDbTableInfo }
  | { type: 'item'; table: DynamoDbTableInfo; item: DynamoDbItem }
  | { type: 'moreItems'; table: DynamoDbTableInfo; cursor: string };

/** The key of an item as its table defines it. */
function keyOf(table: DynamoDbTableInfo, item: DynamoDbItem): DynamoDbItem {
  return Object.fromEntries(table.keySchema.filter((k) => item[k.name] !== undefined).map((k) => [k.name, item[k.name]!]));
}

function plain(v: DynamoDbItem[string]): string {
  const [, value] = Object.entries(v)[0] ?? [];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `pk=order-1 · sk=2026`: an item's label in the view and its editor's title. */
function keyLabel(table: DynamoDbTableInfo, item: DynamoDbItem): string {
  return table.keySchema.map((k) => `${k.name}=${item[k.name] ? plain(item[k.name]!) : '?'}`).join(' · ');
}

export function itemUri(table: string, label: string, key: DynamoDbItem): vscode.Uri {
  const name = label.replace(/[\\/:*?"<>|#%]/g, '_').slice(0, 100);
  return vscode.Uri.from({ scheme: ITEM_SCHEME, path: `/${table}/${name}.json`, query: JSON.stringify(key) });
}

/** Read-only documents: the item as the host has it now, in DynamoDB JSON. */
export class ItemDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: WorkbenchContext) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const table = decodeURIComponent(uri.path.split('/')[1] ?? '');
    const { item } = await this.ctx.host.request('dynamodb.getItem', { table, key: JSON.parse(uri.query) as DynamoDbItem });
    return item ? `${JSON.stringify(item, null, 2)}\n` : '// this item no longer exists\n';
  }
}

/** The Tables node's place in the view: after the functions, when the host has tables. */
export async function tablesRoot(ctx: WorkbenchContext): Promise<TableNode[]> {
  const tables = await ctx.host.request('dynamodb.listTables', undefined).catch(() => [] as DynamoDbTableInfo[]);
  return tables.length ? [{ type: 'tables', tables }] : [];
}

export async function tableChildren(ctx: WorkbenchContext, node: TableNode): Promise<TableNode[]> {
  if (node.type === 'tables') return node.tables.map((table) => ({ type: 'table', table }));
  if (node.type !== 'table' && node.type !== 'moreItems') return [];
  const page = await ctx.host.request('dynamodb.scan', { table: node.table.name, limit: PAGE, ...(node.type === 'moreItems' ? { cursor: node.cursor } : {}) });
  return [
    ...page.items.map((item): TableNode => ({ type: 'item', table: node.table, item })),
    ...(page.cursor ? [{ type: 'moreItems', table: node.table, cursor: page.cursor } as const] : []),
  ];
}

export function tableTreeItem(node: TableNode): vscode.TreeItem {
  switch (node.type) {
    case 'tables': {
      const item = new vscode.TreeItem('Tables', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'tables';
      item.iconPath = new vscode.ThemeIcon('database');
      return item;
    }
    case 'table': {
      const t = node.table;
      const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `table:${t.name}`;
      item.description = `${t.itemCount} item${t.itemCount === 1 ? '' : 's'}${t.streamViewType ? ' · stream' : ''}`;
      item.tooltip = new vscode.MarkdownString(
        [
          `**${t.name}**`,
          `key: ${t.keySchema.map((k) => `${k.name} (${k.type}, ${k.keyType})`).join(', ')}`,
          t.streamViewType ? `stream: ${t.streamViewType}` : '',
          t.ttlAttribute ? `TTL: ${t.ttlAttribute}` : '',
          t.arn,
        ]
          .filter(Boolean)
          .join('\n\n'),
      );
      item.iconPath = new vscode.ThemeIcon('table');
      item.contextValue = 'dynamoDbTable';
      return item;
    }
    case 'item': {
      const label = keyLabel(node.table, node.item);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = `item:${node.table.name}:${JSON.stringify(keyOf(node.table, node.item))}`;
      item.iconPath = new vscode.ThemeIcon('json');
      item.command = { title: 'Open Item', command: 'vscode.open', arguments: [itemUri(node.table.name, label, keyOf(node.table, node.item))] };
      item.contextValue = 'dynamoDbItem';
      return item;
    }
    case 'moreItems': {
      const item = new vscode.TreeItem('More items…', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `more:${node.table.name}:${node.cursor}`;
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      return item;
    }
  }
}

/** Put Item…: from a table (its key attributes to fill in), an item (it, to edit) or the palette (pick a table). */
export async function putItem(ctx: WorkbenchContext, arg?: { table?: DynamoDbTableInfo | string; item?: DynamoDbItem }): Promise<boolean> {
  let table = typeof arg?.table === 'string' ? arg.table : arg?.table?.name;
  const info = typeof arg?.table === 'object' ? arg.table : undefined;
  if (!table) {
    const tables = await ctx.host.request('dynamodb.listTables', undefined);
    table = await vscode.window.showQuickPick(
      tables.map((t) => t.name),
      { title: 'Put Item', placeHolder: 'table' },
    );
    if (!table) return false;
  }
  // A table name with an item (command arguments): put it as it is.
  if (typeof arg?.table === 'string' && arg.item) {
    await ctx.host.request('dynamodb.putItem', { table, item: arg.item });
    return true;
  }
  const start = arg?.item ?? Object.fromEntries((info?.keySchema ?? []).map((k) => [k.name, { [k.type]: '' }]));
  const text = await vscode.window.showInputBox({
    title: `Put Item into ${table}`,
    prompt: 'The item in DynamoDB JSON, e.g. {"id": {"S": "a"}, "count": {"N": "1"}}',
    value: JSON.stringify(start),
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        const parsed: unknown = JSON.parse(v);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? undefined : 'an object of typed attributes';
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (text === undefined) return false;
  const { replaced } = await ctx.host.request('dynamodb.putItem', { table, item: JSON.parse(text) as DynamoDbItem });
  void vscode.window.showInformationMessage(`${replaced ? 'Replaced' : 'Put'} an item in ${table}.`);
  return true;
}

/** Delete Item: the item a view node shows, after a confirmation. */
export async function deleteItem(ctx: WorkbenchContext, arg?: { table?: DynamoDbTableInfo; item?: DynamoDbItem; confirm?: boolean }): Promise<boolean> {
  if (!arg?.table || !arg.item) {
    void vscode.window.showInformationMessage('Choose the item to delete in the Tables node of the Lambda Workbench view.');
    return false;
  }
  const label = keyLabel(arg.table, arg.item);
  if (arg.confirm !== false) {
    const choice = await vscode.window.showWarningMessage(`Delete ${label} from ${arg.table.name}?`, { modal: true }, 'Delete');
    if (choice !== 'Delete') return false;
  }
  const { deleted } = await ctx.host.request('dynamodb.deleteItem', { table: arg.table.name, key: keyOf(arg.table, arg.item) });
  return deleted;
}
