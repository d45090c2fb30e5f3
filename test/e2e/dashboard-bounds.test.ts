// The panel in real Chromium for records the history bounded: an event cut to the inline limit says
// "truncated, N bytes", and an invocation that waited in the host's queue (beyond the memory budget)
// shows that wait as its own timeline segment and number.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/index';
import { formatMs } from '../../webview-ui/model/format';
import { copyFixture, RpcClient, startServe, type ServeProcess } from '../integration/serve-helpers';

const WAIT_MS = 60_000;

describe('panel: truncated records and the host queue (real host, real Chromium)', { timeout: 300_000 }, () => {
  let project: string;
  let serve: ServeProcess;
  let rpc: RpcClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const invoke = (fn: string, event: unknown) => rpc.request<InvokeOutput>('invoke', { function: fn, event });

  async function select(id: string): Promise<void> {
    const row = page.locator(`[data-testid=history-row][data-record-id="${id}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    await row.click();
    await page.locator(`[data-testid=detail][data-record-id="${id}"]`).waitFor({ timeout: WAIT_MS });
  }

  before(async () => {
    project = copyFixture('panel-project');
    // Room for one 256 MB environment: a second concurrent call waits for it.
    serve = await startServe(['--root', project, '--state-dir', join(project, '.state'), '--memory-budget-mb', '256'], { timeoutMs: WAIT_MS });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], timeout: WAIT_MS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(serve.ready.dashboard!);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
  });

  after(async () => {
    await browser?.close();
    rpc?.close();
    await serve?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('an event beyond the inline limit shows "truncated, N bytes" and its start', async () => {
    const out = await invoke('GreetFunction', { name: 'Ada', pad: 'x'.repeat(400_000) });
    const record = await rpc.request<InvocationRecord>('getInvocation', { id: out.requestId });
    const bytes = record.truncated?.event;
    assert.equal(bytes, Buffer.byteLength(JSON.stringify({ name: 'Ada', pad: 'x'.repeat(400_000) })));
    await select(out.requestId);
    const tag = page.locator('[data-testid=detail-event-truncated]');
    assert.match((await tag.textContent()) ?? '', new RegExp(`^truncated, ${bytes} bytes \\(390\\.\\d KB\\)$`));
    assert.match((await page.locator('[data-testid=detail-event] .truncated-preview').textContent()) ?? '', /^\{"name":"Ada","pad":"xxx/);
    assert.deepEqual(problems, []);
  });

  it('an invocation that waited for an environment shows the wait as its own segment and number', async () => {
    const outs = await Promise.all([invoke('GreetFunction', { name: 'one' }), invoke('GreetFunction', { name: 'two' })]);
    const records = await Promise.all(outs.map((o) => rpc.request<InvocationRecord>('getInvocation', { id: o.requestId })));
    const waited = records.find((r) => r.timestamps.dequeuedAt !== undefined);
    assert.ok(waited, `no record waited: ${JSON.stringify(records.map((r) => r.timestamps))}`);
    await select(waited.id);
    await page.locator('[data-testid=timeline-row] [data-phase=waiting]').first().waitFor();
    assert.equal(await page.locator('[data-testid=num-queued]').textContent(), formatMs(waited.queuedMs));
    assert.deepEqual(problems, []);
  });
});
