// The Tables view in real Chromium against the dashboard of a real `lambda-workbench serve` running the local
// DynamoDB (test/fixtures/dynamodb-project): the template's tables with their counts, a table's items a page
// at a time, an item opened as plain and DynamoDB JSON, a put that the editor first refuses with a clear error,
// an edit, a delete after its confirmation, and counts that follow the panel's writes and a function's.
// Screenshots go to test-output/tables/.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DynamoDbItem, InvokeOutput } from '../../runtime-host/protocol/index';
import { copyFixture, repoRoot, RpcClient, startServe, type ServeProcess } from '../integration/serve-helpers';
import { openPage } from './browser';

const SCREENSHOTS = join(repoRoot, 'test-output', 'tables');
/** Generous: two shared cores, real processes, a real browser. */
const WAIT_MS = 60_000;
const NOTES = 60;

describe('tables view in the browser dashboard (real host, real DynamoDB engine, real Chromium)', { timeout: 600_000 }, () => {
  let project: string;
  let serve: ServeProcess;
  let rpc: RpcClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const table = (name: string, count?: number) =>
    page.locator(`[data-testid=tb-table][data-name="${name}"]${count === undefined ? '' : `[data-count="${count}"]`}`);
  const row = (key: string) => page.locator(`[data-testid=tb-item][data-key="${key}"]`);
  const rows = () => page.locator('[data-testid=tb-item]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
  /** A row's cells by column name (the engine decides the order of an item's attributes). */
  const cells = async (key: string): Promise<Record<string, string>> => {
    const heads = await page.locator('[data-testid=tb-items] th').allTextContents();
    const values = await row(key).locator('td').allTextContents();
    return Object.fromEntries(heads.map((h, i) => [h, values[i] ?? '']));
  };
  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

  before(async () => {
    project = copyFixture('dynamodb-project');
    symlinkSync(join(repoRoot, 'node_modules'), join(project, 'node_modules'));
    serve = await startServe(['--root', project, '--state-dir', join(project, '.state')], { timeoutMs: WAIT_MS });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    // NotesTable (a SimpleTable, key `id`, no stream) gets more items than one scan page holds.
    for (let i = 0; i < NOTES; i++) {
      const id = `note-${String(i).padStart(2, '0')}`;
      const item: DynamoDbItem = { id: { S: id }, n: { N: String(i) }, tags: { SS: ['a', `t${i}`] } };
      // Markup in a value is text on the page, never HTML.
      if (i === 3) item.text = { S: '<img src=x onerror="document.title=1"><b>bold</b>' };
      await rpc.request('dynamodb.putItem', { table: 'NotesTable', item });
    }
    ({ browser, page } = await openPage({ width: 1500, height: 1000 }, problems, WAIT_MS));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    rpc?.close();
    await serve?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('lists the template’s tables with their item counts and pages through a table’s items', async () => {
    await page.goto(`${serve.ready.dashboard}&theme=dark`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.locator('[data-testid=tab-tables]').click();
    await table('NotesTable', NOTES).waitFor();
    await table('orders', 0).waitFor();
    assert.deepEqual(await page.locator('[data-testid=tb-table]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name)), [
      'NotesTable',
      'orders',
    ]);
    assert.match((await table('orders').textContent()) ?? '', /pk \(S\) · sk \(S\) · stream NEW_AND_OLD_IMAGES · TTL expiresAt/);
    // The first table is open: one scan page, then the rest with More items.
    assert.equal(await table('NotesTable').getAttribute('aria-pressed'), 'true');
    assert.equal(await text('[data-testid=tb-count]'), `${NOTES} items`);
    await page.locator('[data-testid=tb-more]').waitFor();
    assert.equal((await rows()).length, 50);
    assert.equal(await text('[data-testid=tb-shown]'), '50 shown');
    await page.locator('[data-testid=tb-more]').click();
    await page.locator('[data-testid=tb-shown]', { hasText: `${NOTES} shown` }).waitFor();
    const keys = await rows();
    assert.equal(new Set(keys).size, NOTES);
    assert.deepEqual(
      [...keys].sort(),
      Array.from({ length: NOTES }, (_, i) => `id=note-${String(i).padStart(2, '0')}`),
    );
    assert.equal(await page.locator('[data-testid=tb-more]').count(), 0);
    assert.deepEqual(await cells('id=note-05'), { id: 'note-05', n: '5', tags: '["a","t5"]', text: '' });

    // Markup in an item is shown as its text.
    assert.equal((await cells('id=note-03')).text, '<img src=x onerror="document.title=1"><b>bold</b>');
    assert.equal(await page.locator('[data-testid=tb-items] img, [data-testid=tb-items] b').count(), 0);
  });

  it('opens an item as plain JSON, with its DynamoDB JSON', async () => {
    await row('id=note-03').click();
    const detail = page.locator('[data-testid=tb-detail][data-key="id=note-03"][data-state=loaded]');
    await detail.waitFor();
    const plain = (await detail.locator('[data-testid=tb-item-plain] .json').textContent()) ?? '';
    assert.match(plain, /"n": ?3/);
    assert.match(plain, /"tags": ?\[/);
    const raw = JSON.parse((await detail.locator('[data-testid=tb-item-raw] pre').textContent()) ?? '') as DynamoDbItem;
    assert.deepEqual(raw, (await rpc.request<{ item: DynamoDbItem }>('dynamodb.getItem', { table: 'NotesTable', key: { id: { S: 'note-03' } } })).item);
    assert.equal(await detail.locator('img, b').count(), 0);
    assert.notEqual(await page.title(), '1');
    assert.equal(await row('id=note-03').getAttribute('aria-selected'), 'true');
    await page.screenshot({ path: join(SCREENSHOTS, 'item-open.png'), fullPage: true });
  });

  it('puts an item: the editor refuses untyped JSON with a clear error, then the count and the list follow', async () => {
    await page.locator('[data-testid=tb-put]').click();
    const editor = page.locator('[data-testid=tb-put-json]');
    assert.deepEqual(JSON.parse(await editor.inputValue()), { id: { S: '' } });
    await editor.fill('{"id": "note-new", "text": {"S": "from the panel"}}');
    await page.locator('[data-testid=tb-put-save]').click();
    assert.equal(await text('[data-testid=tb-put-error]'), '"id": "note-new" is not a DynamoDB attribute value: write {"S": "note-new"}.');
    await editor.fill('{"id": {"S": "note-new"}, "text": {"S": "from the panel"');
    await page.locator('[data-testid=tb-put-save]').click();
    assert.match(await text('[data-testid=tb-put-error]'), /^Not valid JSON: /);
    await page.screenshot({ path: join(SCREENSHOTS, 'put-error.png'), fullPage: true });
    // Nothing was written while the editor refused.
    assert.equal(await table('NotesTable').getAttribute('data-count'), String(NOTES));

    await editor.fill('{"id": {"S": "note-new"}, "text": {"S": "from the panel"}, "n": {"N": "100"}}');
    await page.locator('[data-testid=tb-put-save]').click();
    await page.locator('[data-testid=tb-put-dialog]').waitFor({ state: 'detached' });
    await table('NotesTable', NOTES + 1).waitFor();
    assert.equal(await text('[data-testid=tb-count]'), `${NOTES + 1} items`);
    await page.locator('[data-testid=tb-detail][data-key="id=note-new"][data-state=loaded]').waitFor();
    assert.equal((await rows())[0], 'id=note-new');
    const stored = await rpc.request<{ item: DynamoDbItem }>('dynamodb.getItem', { table: 'NotesTable', key: { id: { S: 'note-new' } } });
    assert.deepEqual(stored.item, { id: { S: 'note-new' }, text: { S: 'from the panel' }, n: { N: '100' } });

    // Edit: the item's JSON in the editor, put back over it; the count stays.
    await page.locator('[data-testid=tb-edit]').click();
    const edited = JSON.parse(await editor.inputValue()) as DynamoDbItem;
    assert.deepEqual(edited, stored.item);
    await editor.fill(JSON.stringify({ ...edited, text: { S: 'edited' } }));
    await page.locator('[data-testid=tb-put-save]').click();
    await page.locator('[data-testid=tb-put-dialog]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=tb-detail][data-key="id=note-new"] [data-testid=tb-item-raw]', { hasText: 'edited' }).waitFor();
    assert.equal((await cells('id=note-new')).text, 'edited');
    assert.equal(await table('NotesTable').getAttribute('data-count'), String(NOTES + 1));
  });

  it('deletes an item after its confirmation; cancelling deletes nothing', async () => {
    await row('id=note-07').click();
    await page.locator('[data-testid=tb-detail][data-key="id=note-07"][data-state=loaded]').waitFor();
    await page.locator('[data-testid=tb-delete]').click();
    await page.locator('[data-testid=tb-delete-cancel]').click();
    await page.locator('[data-testid=tb-delete-dialog]').waitFor({ state: 'detached' });
    assert.equal(await row('id=note-07').count(), 1);

    await page.locator('[data-testid=tb-delete]').click();
    assert.match(await text('[data-testid=tb-delete-dialog]'), /Delete an item from NotesTable\?\s*id=note-07/);
    await page.screenshot({ path: join(SCREENSHOTS, 'delete-confirm.png'), fullPage: true });
    await page.locator('[data-testid=tb-delete-confirm]').click();
    await table('NotesTable', NOTES).waitFor();
    assert.equal(await row('id=note-07').count(), 0);
    assert.equal(await page.locator('[data-testid=tb-detail]').count(), 0);
    assert.equal(await text('[data-testid=tb-count]'), `${NOTES} items`);
    const gone = await rpc.request<{ item?: DynamoDbItem }>('dynamodb.getItem', { table: 'NotesTable', key: { id: { S: 'note-07' } } });
    assert.equal(gone.item, undefined);
  });

  it('follows a function’s writes: counts update when its invocation finishes, Refresh reloads the items', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'Writer', event: { pk: 'order-9' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    // The Writer put order-9 into orders and a note into NotesTable; nothing was clicked.
    await table('orders', 1).waitFor();
    await table('NotesTable', NOTES + 1).waitFor();
    // The open table's count moved under its items: they were scanned again.
    await row('id=order-9').waitFor();

    await table('orders').click();
    await row('pk=order-9 · sk=order').waitFor();
    assert.deepEqual(await cells('pk=order-9 · sk=order'), { pk: 'order-9', sk: 'order', lines: '["a","b"]', status: 'paid', total: '12.5' });

    // Written from outside with no invocation: Refresh picks it up.
    await rpc.request('dynamodb.putItem', { table: 'orders', item: { pk: { S: 'order-10' }, sk: { S: 'order' }, status: { S: 'new' } } });
    await page.locator('[data-testid=tb-refresh]').click();
    await table('orders', 2).waitFor();
    await row('pk=order-10 · sk=order').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'orders.png'), fullPage: true });

    // The open item deleted from outside: after Refresh the view says it is gone.
    await row('pk=order-10 · sk=order').click();
    await page.locator('[data-testid=tb-detail][data-key="pk=order-10 · sk=order"][data-state=loaded]').waitFor();
    await rpc.request('dynamodb.deleteItem', { table: 'orders', key: { pk: { S: 'order-10' }, sk: { S: 'order' } } });
    await page.locator('[data-testid=tb-refresh]').click();
    await table('orders', 1).waitFor();
    const gone = page.locator('[data-testid=tb-detail][data-key="pk=order-10 · sk=order"][data-state=missing]');
    await gone.waitFor();
    assert.equal(await gone.locator('p').textContent(), 'This item is no longer in orders.');
    assert.equal(await row('pk=order-10 · sk=order').count(), 0);

    // Changed from outside, same count: Refresh scans the items again all the same.
    await rpc.request('dynamodb.putItem', { table: 'orders', item: { pk: { S: 'order-9' }, sk: { S: 'order' }, status: { S: 'shipped' } } });
    await page.locator('[data-testid=tb-refresh]').click();
    await page.locator('[data-testid=tb-item][data-key="pk=order-9 · sk=order"]', { hasText: 'shipped' }).waitFor();

    // Another tab and back: the counts are asked for again.
    await rpc.request('dynamodb.putItem', { table: 'orders', item: { pk: { S: 'order-11' }, sk: { S: 'order' } } });
    await page.locator('[data-testid=tab-history]').click();
    await page.locator('[data-testid=tab-tables]').click();
    await table('orders', 2).waitFor();
    await row('pk=order-11 · sk=order').waitFor();
    await rpc.request('dynamodb.deleteItem', { table: 'orders', key: { pk: { S: 'order-11' }, sk: { S: 'order' } } });
    await page.locator('[data-testid=tab-history]').click();
    await page.locator('[data-testid=tab-tables]').click();
    await table('orders', 1).waitFor();
    await page.locator('[data-testid=tb-item]').first().waitFor();
    assert.deepEqual(await rows(), ['pk=order-9 · sk=order']);

    // A narrow column beside the editor: the item below the items, still in view.
    await page.setViewportSize({ width: 700, height: 900 });
    await row('pk=order-9 · sk=order').click();
    const detail = page.locator('[data-testid=tb-detail][data-key="pk=order-9 · sk=order"][data-state=loaded]');
    await detail.waitFor();
    assert.ok(await detail.isVisible());
    const [items, item] = await Promise.all(['.tb-items-pane', '.tb-detail'].map((s) => page.locator(s).boundingBox()));
    assert.ok(items && item && item.y >= items.y + items.height - 1, 'the item is below the items');
    await page.screenshot({ path: join(SCREENSHOTS, 'narrow.png') });
    assert.deepEqual(problems, []);
  });
});
