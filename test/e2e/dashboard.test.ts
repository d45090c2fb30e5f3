// The invocations panel in real Chromium against the dashboard of a real `lambda-workbench serve`:
// functions are invoked through the protocol (as the extension and tools do) and the panel must show
// them live, with the host's exact numbers. Screenshots of the themes go to test-output/panel/.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { FunctionSummary } from '../../webview-ui/model/summary';
import { BRIEF_EVENT_LIMIT_BYTES, type InvocationRecord, type InvokeOutput, type ListInvocationsResult } from '../../runtime-host/protocol/index';
import { formatMs } from '../../webview-ui/model/format';
import { copyFixture, repoRoot, RpcClient, startServe, type ServeProcess } from '../integration/serve-helpers';
import { openPage } from './browser';

const SCREENSHOTS = join(repoRoot, 'test-output', 'panel');
/** Generous: two shared cores, real processes, a real browser. */
const WAIT_MS = 60_000;

type Summary = Pick<FunctionSummary, 'functionName' | 'invocations'>;

describe('invocations panel in the browser dashboard (real host, real Chromium)', { timeout: 600_000 }, () => {
  let project: string;
  let serve: ServeProcess;
  let rpc: RpcClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const invoke = (fn: string, event: unknown) => rpc.request<InvokeOutput>('invoke', { function: fn, event });
  const getRecord = (id: string) => rpc.request<InvocationRecord>('getInvocation', { id });
  const row = (id: string) => page.locator(`[data-testid=history-row][data-record-id="${id}"]`);
  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

  async function select(id: string): Promise<void> {
    await row(id).waitFor({ timeout: WAIT_MS });
    await row(id).click();
    await page.locator(`[data-testid=detail][data-record-id="${id}"]`).waitFor({ timeout: WAIT_MS });
  }

  async function rowStatus(id: string, status: string): Promise<void> {
    await page.locator(`[data-testid=history-row][data-record-id="${id}"][data-status="${status}"]`).waitFor({ timeout: WAIT_MS });
  }

  before(async () => {
    project = copyFixture('panel-project');
    serve = await startServe(['--root', project, '--state-dir', join(project, '.state')], { timeoutMs: WAIT_MS });
    rpc = await RpcClient.connect(serve.ready.ws, serve.ready.token);
    ({ browser, page } = await openPage({ width: 1400, height: 900 }, problems, WAIT_MS));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    rpc?.close();
    await serve?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('is announced in the ready line with the session token, and refuses the page without it', async () => {
    const dashboard = serve.ready.dashboard;
    assert.ok(dashboard, `ready line has no dashboard: ${JSON.stringify(serve.ready)}`);
    const url = new URL(dashboard);
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(url.searchParams.get('token'), serve.ready.token);
    url.searchParams.delete('token');
    const refused = await fetch(url);
    assert.equal(refused.status, 401);
  });

  it('loads empty, connected, with no CSP violations or script errors', async () => {
    await page.goto(`${serve.ready.dashboard}&theme=dark`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.getByText('No invocations yet').waitFor();
    assert.equal(await text('[data-testid=count]'), '0 records');
    assert.deepEqual(problems, []);
  });

  let coldId = '';
  let warmId = '';

  it('shows invocations live, newest first: cold then warm, with the host’s billed duration and memory', async () => {
    const cold = await invoke('GreetFunction', { name: 'Ada' });
    const warm = await invoke('GreetFunction', { name: 'Bob' });
    assert.equal(cold.cold, true);
    assert.equal(warm.cold, false);
    coldId = cold.requestId;
    warmId = warm.requestId;
    await rowStatus(coldId, 'success');
    await rowStatus(warmId, 'success');
    const ids = await page.locator('[data-testid=history-row]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.recordId));
    assert.deepEqual(ids, [warmId, coldId]);
    for (const [id, start] of [
      [coldId, 'cold'],
      [warmId, 'warm'],
    ]) {
      const r = await getRecord(id);
      assert.equal(await row(id).locator('[data-col=start]').textContent(), start);
      assert.equal(await row(id).locator('[data-col=billed]').textContent(), `${r.billedDurationMs} ms`);
      assert.equal(await row(id).locator('[data-col=memory]').textContent(), `${r.maxMemoryUsedMB}/256 MB`);
    }
    assert.equal(await text('[data-testid=count]'), '2 records');
  });

  it('details a cold invocation: numbers, timeline to scale, event, result and logs', async () => {
    const r = await getRecord(coldId);
    await select(coldId);
    assert.equal(await text('[data-testid=detail-function]'), 'GreetFunction');
    assert.equal(await text('[data-testid=detail-start]'), 'cold start');
    assert.equal(await text('[data-testid=num-duration]'), formatMs(r.durationMs));
    assert.equal(await text('[data-testid=num-billed]'), `${r.billedDurationMs} ms`);
    assert.equal(await text('[data-testid=num-init]'), formatMs(r.initDurationMs));
    assert.equal(await text('[data-testid=num-memory-text]'), `${r.maxMemoryUsedMB} of 256 MB`);
    // Billed under today's rule: ceil(duration + init).
    assert.equal(r.billedDurationMs, Math.ceil((r.durationMs ?? 0) + (r.initDurationMs ?? 0)));

    // To scale: each phase's width over the track equals its share of the axis.
    // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
    // A row the panel redraws (as pages of history arrive) is detached and measures 0/0: measure its successor.
    let geometry: number[] = [];
    for (let attempt = 0; attempt < 5 && (geometry.length === 0 || geometry.some(Number.isNaN)); attempt++) {
      geometry = await page
        .locator('[data-testid=timeline-row]')
        .first()
        .evaluate((rowEl) =>
          ['[data-phase=init]', '[data-phase=invoke]', '[data-testid=timeline-billed]'].map(
            (sel) => rowEl.querySelector(sel)!.getBoundingClientRect().width / rowEl.querySelector('.tl-track')!.getBoundingClientRect().width,
          ),
        );
    }
    const totalMs = Number(await page.locator('[data-testid=timeline]').getAttribute('data-total-ms'));
    const t = r.timestamps;
    const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 0.01, `${what}: ${actual} vs ${expected}`);
    near(geometry[0]!, (t.initEndAt! - t.initStartAt!) / totalMs, 'init width');
    near(geometry[1]!, (t.invokeEndAt! - t.invokeStartAt!) / totalMs, 'invoke width');
    near(geometry[2]!, r.billedDurationMs! / totalMs, 'billed width');
    assert.equal(await page.locator('[data-testid=timeline-billed]').getAttribute('data-billed-ms'), String(r.billedDurationMs));
    // The legend explains what is drawn: no "paused in debugger" (nor queue wait) for a run never debugged.
    const legend = await page.locator('[data-testid=timeline-legend]').innerText();
    assert.match(legend, /init[\s\S]*invoke[\s\S]*billed/);
    assert.doesNotMatch(legend, /paused in debugger|waiting for an environment/);

    assert.match(await text('[data-testid=detail-event]'), /"name": ?"Ada"/);
    assert.match(await text('[data-testid=detail-result]'), /"message": ?"Hello, Ada!"/);
    const platform = await page.locator('[data-testid=detail-logs] .log.platform').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.platform));
    assert.deepEqual(platform, ['INIT_START', 'START', 'END', 'REPORT']);
    const levels = await page.locator('[data-testid=detail-logs] .log.app').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.level));
    assert.deepEqual(levels, ['INFO', 'WARN']);
    assert.equal(await page.locator('[data-testid=cost-table] tbody tr').count(), 2);
    assert.equal(await page.locator('[data-testid=action-debug]').count(), 0, 'debugging needs the editor: hidden in the browser');
  });

  it('details a warm invocation without an init phase', async () => {
    await select(warmId);
    assert.equal(await text('[data-testid=detail-start]'), 'warm');
    assert.equal(await page.locator('[data-testid=timeline-row] [data-phase=init]').count(), 0);
    assert.equal(await text('[data-testid=num-init]'), 'warm start (no init)');
  });

  let failId = '';
  let slowId = '';

  it('shows an error with its type and message, and a timeout at the configured 1 s', async () => {
    failId = (await invoke('FailFunction', { orderId: 42 })).requestId;
    slowId = (await invoke('SlowFunction', {})).requestId;
    await rowStatus(failId, 'error');
    await rowStatus(slowId, 'timeout');
    await select(failId);
    assert.equal(await text('[data-testid=detail-error] .error-title'), 'OrderRejected: order 42 is not valid');
    assert.equal((await page.locator('[data-testid=detail-logs] .log.app[data-level=ERROR]').count()) >= 1, true);
    await select(slowId);
    const slow = await getRecord(slowId);
    assert.equal(slow.durationMs, 1000);
    assert.equal(await text('[data-testid=num-duration]'), '1000.00 ms');
    assert.equal(await text('[data-testid=num-billed]'), `${slow.billedDurationMs} ms`);
    assert.match(await text('[data-testid=detail-error] .error-title'), /^Sandbox\.Timedout: RequestId: \S+ Error: Task timed out after 1\.00 seconds$/);
    assert.equal(await page.locator('[data-testid=detail-logs] .log.platform[data-platform=TIMEOUT]').count(), 1);
  });

  it('filters by status and function and searches in events and logs', async () => {
    const shownIds = () => page.locator('[data-testid=history-row]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.recordId));
    await page.locator('[data-testid=filter-status]').selectOption('error');
    await page.waitForFunction(
      (id) => [...document.querySelectorAll('[data-testid=history-row]')].map((e) => (e as HTMLElement).dataset.recordId).join() === id,
      failId,
    );
    assert.equal(await text('[data-testid=count]'), '1 of 4');
    await page.locator('[data-testid=filter-status]').selectOption('');
    await page.locator('[data-testid=filter-function]').selectOption('GreetFunction');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-row]').length === 2);
    await page.locator('[data-testid=filter-function]').selectOption('');
    await page.locator('[data-testid=search]').fill('bob');
    await page.waitForFunction(
      (id) => [...document.querySelectorAll('[data-testid=history-row]')].map((e) => (e as HTMLElement).dataset.recordId).join() === id,
      warmId,
    );
    await page.locator('[data-testid=search]').fill('starting slow work');
    await page.waitForFunction(
      (id) => [...document.querySelectorAll('[data-testid=history-row]')].map((e) => (e as HTMLElement).dataset.recordId).join() === id,
      slowId,
    );
    await page.locator('[data-testid=search]').fill('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-row]').length === 4);
    assert.equal((await shownIds()).length, 4);
  });

  it('re-runs an invocation with the same event: a new record appears and is selected', async () => {
    await select(coldId);
    const before = (await rpc.request<ListInvocationsResult>('listInvocations', { function: 'GreetFunction' })).records.length;
    await page.locator('[data-testid=action-rerun]').click();
    await page.waitForFunction((old) => {
      const d = document.querySelector('[data-testid=detail]') as HTMLElement | null;
      return !!d && d.dataset.recordId !== old && d.querySelector('.badge')?.textContent === 'success';
    }, coldId);
    const newId = (await page.locator('[data-testid=detail]').getAttribute('data-record-id'))!;
    const rerun = await getRecord(newId);
    assert.equal(rerun.functionName, 'GreetFunction');
    assert.deepEqual(rerun.event, { name: 'Ada' });
    assert.equal(rerun.trigger, 'manual');
    assert.equal(rerun.cold, false);
    assert.equal((await rpc.request<ListInvocationsResult>('listInvocations', { function: 'GreetFunction' })).records.length, before + 1);
    await rowStatus(newId, 'success');
  });

  it('edits the event and runs it, and saves an event for the function', async () => {
    await select(coldId);
    await page.locator('[data-testid=action-edit]').click();
    await page.locator('[data-testid=editor-event]').fill('{"name": "Grace"}');
    await page.locator('[data-testid=editor-run]').click();
    await page.waitForFunction(() => /Hello, Grace!/.test(document.querySelector('[data-testid=detail-result]')?.textContent ?? ''));
    await page.locator('[data-testid=action-save]').click();
    await page.locator('[data-testid=editor-name]').fill('grace');
    await page.locator('[data-testid=editor-save]').click();
    await page.locator('[data-testid=editor]').waitFor({ state: 'detached' });
    const saved = await rpc.request<unknown>('events.getSaved', { function: 'GreetFunction', name: 'grace' });
    assert.deepEqual(saved, { name: 'Grace' });
  });

  it('lays out an SNS fan-out: the publish and its deliveries on one axis', async () => {
    const published = await rpc.request<{ messageId: string; recordId: string }>('sns.publish', { topic: 'orders', message: 'order-7' });
    await rowStatus(published.recordId, 'success');
    await select(published.recordId);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=timeline-row]').length === 3);
    const labels = await page.locator('[data-testid=timeline-row] .tl-name').evaluateAll((els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, ['orders', 'BillingFunction', 'ShippingFunction']);
    const children = (await rpc.request<ListInvocationsResult>('listInvocations', { parentId: published.recordId })).records;
    assert.deepEqual(children.map((c) => c.functionName).sort(), ['BillingFunction', 'ShippingFunction']);
    for (const c of children) await rowStatus(c.id, 'success');
    // The arm64 subscriber prices arm64 first.
    const shipping = children.find((c) => c.functionName === 'ShippingFunction')!;
    await select(shipping.id);
    assert.equal(await page.locator('[data-testid=cost-table] tbody tr').first().getAttribute('data-arch'), 'arm64');
  });

  it('shows an HTTP API invocation as the request and response a user reads', async () => {
    const httpApi = serve.ready.httpApi;
    assert.ok(httpApi, 'the HTTP API source is running');
    const res = await fetch(`${httpApi}/hello?name=Ada`);
    assert.equal(await res.text(), 'Hello, Ada!');
    const done = await rpc.waitFor('invocation.finished', (r) => r.functionName === 'HelloHttpFunction' && r.http?.response !== undefined, WAIT_MS);
    await rowStatus(done.id, 'success');
    await select(done.id);
    await page.waitForFunction(() => (document.querySelectorAll('[data-testid=detail-http] .http-text')[1]?.textContent ?? '').startsWith('HTTP/1.1 200 OK'));
    const [request, response] = await page.locator('[data-testid=detail-http] .http-text').allTextContents();
    assert.match(request, /^GET \/hello\?name=Ada HTTP\/1\.1\n/);
    assert.match(response, /^HTTP\/1\.1 200 OK\n(.+\n)*content-type: text\/plain\n(.+\n)*\nHello, Ada!$/);
    assert.equal(await row(done.id).locator('.c2').textContent(), 'http');
  });

  it('summarises each function', async () => {
    await page.locator('[data-testid=tab-summary]').click();
    await page.locator('[data-testid=summary]').waitFor();
    const all = (await rpc.request<ListInvocationsResult>('listInvocations', { limit: 500 })).records.filter((r) => r.kind === 'invocation');
    const expected: Summary[] = ['GreetFunction', 'FailFunction', 'SlowFunction', 'HelloHttpFunction'].map((functionName) => ({
      functionName,
      invocations: all.filter((r) => r.functionName === functionName).length,
    }));
    for (const s of expected) {
      assert.equal(await page.locator(`[data-testid=summary] tr[data-function=${s.functionName}] [data-col=invocations]`).textContent(), String(s.invocations));
    }
    assert.equal(await page.locator('[data-testid=summary] tr[data-function=FailFunction] [data-col=errorRate]').textContent(), '100.0% (1)');
    await page.locator('[data-testid=tab-history]').click();
  });

  it('compares two invocations side by side', async () => {
    await select(coldId);
    await page.locator('[data-testid=action-compare]').click();
    await row(warmId).click();
    await page.locator('[data-testid=compare]').waitFor();
    assert.match(await text('[data-testid=compare-event-a]'), /Ada/);
    assert.match(await text('[data-testid=compare-event-b]'), /Bob/);
    await page.locator('[data-testid=compare-close]').click();
    await page.locator(`[data-testid=detail][data-record-id="${coldId}"]`).waitFor();
  });

  it('keeps its state across a reload', async () => {
    await select(failId);
    await page.locator('[data-testid=filter-function]').selectOption('FailFunction');
    await page.reload();
    await page.locator(`[data-testid=detail][data-record-id="${failId}"]`).waitFor();
    assert.equal(await page.locator('[data-testid=filter-function]').inputValue(), 'FailFunction');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-row]').length === 1);
    await page.locator('[data-testid=filter-function]').selectOption('');
  });

  it('renders light, dark and high-contrast themes (screenshots kept as test artefacts)', async () => {
    await select(coldId);
    for (const theme of ['light', 'dark', 'hc']) {
      await page.goto(`${serve.ready.dashboard}&theme=${theme}`);
      await page.locator(`[data-testid=detail][data-record-id="${coldId}"]`).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, { light: 'rgb(255, 255, 255)', dark: 'rgb(31, 31, 31)', hc: 'rgb(0, 0, 0)' }[theme]);
      await page.screenshot({ path: join(SCREENSHOTS, `${theme}.png`) });
    }
    assert.deepEqual(problems, []);
  });
  it('names the sandbox and what it enforced, and warns when background work was frozen', async () => {
    const out = await rpc.request<InvokeOutput>('invoke', { handler: 'src/background.handler', event: {} });
    const record = await getRecord(out.requestId);
    await select(out.requestId);
    assert.equal(await text('[data-testid=num-sandbox-kind]'), record.sandbox?.kind === 'process' ? 'process' : 'cgroup v1');
    assert.match(await text('.num:has([data-testid=num-sandbox]) .num-note'), record.sandbox?.memory === 'kernel' ? /memory: kernel limit/ : /memory: polled/);
    assert.match(await text('[data-testid=sandbox-warning]'), /^Background work was frozen: the function answered with 1 timer still pending\./);
    await select(warmId);
    assert.equal(await page.locator('[data-testid=sandbox-warning]').count(), 0, 'nothing pending, no warning');
  });

  it('lists a large event as its preview, shows it whole once selected, and re-runs it whole', async () => {
    const event = { name: 'Big', pad: 'p'.repeat(BRIEF_EVENT_LIMIT_BYTES), tail: 'end-of-the-event' };
    const bigId = (await invoke('GreetFunction', event)).requestId;
    await rowStatus(bigId, 'success');
    await select(bigId);
    await page.waitForFunction(() => /end-of-the-event/.test(document.querySelector('[data-testid=detail-event]')?.textContent ?? ''));
    assert.equal(await page.locator('[data-testid=detail-event-loading]').count(), 0);
    await page.locator('[data-testid=action-rerun]').click();
    await page.waitForFunction((old) => {
      const d = document.querySelector('[data-testid=detail]') as HTMLElement | null;
      return !!d && d.dataset.recordId !== old && d.querySelector('.badge')?.textContent === 'success';
    }, bigId);
    const again = await getRecord((await page.locator('[data-testid=detail]').getAttribute('data-record-id'))!);
    assert.deepEqual(again.event, event);
    assert.deepEqual(problems, []);
  });
});
