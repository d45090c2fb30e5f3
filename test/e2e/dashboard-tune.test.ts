// The Tune view in real Chromium against a real `serve`: "Tune with this event" on a record runs the
// host's tuner, progress shows while it runs, then the SVG chart (cheapest and fastest marked) and
// the table with the host's exact figures. A tune started by another client shows up too.
// Screenshots go to test-output/tune/.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { InvokeOutput, TuneResult } from '../../runtime-host/protocol/index';
import { formatShortMs } from '../../webview-ui/model/format';
import { copyFixture, repoRoot, RpcClient, startServe, type ServeProcess } from '../integration/serve-helpers';
import { openPage } from './browser';

const SCREENSHOTS = join(repoRoot, 'test-output', 'tune');
const WAIT_MS = 120_000;

describe('the Tune view in the browser dashboard (real host, real Chromium)', { timeout: 600_000 }, () => {
  let project: string;
  let serve: ServeProcess;
  let rpc: RpcClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    project = copyFixture('tune-project');
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

  it('"Tune with this event" runs the tuner and draws the chart and table with the host’s figures', async () => {
    await page.goto(serve.ready.dashboard!);
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'CpuFunction', event: { iterations: 4000 } });
    const row = page.locator(`[data-testid=history-row][data-record-id="${out.requestId}"]`);
    await row.waitFor();
    await row.click();
    await page.locator('[data-testid=action-tune]').click();
    await page.locator('[data-testid=tune-sizes]').fill('512, 128');
    await page.locator('[data-testid=tune-runs]').fill('2');
    await page.locator('[data-testid=tune-start]').click();

    await page.locator('[data-testid=tune-view]').waitFor();
    await page.locator('[data-testid=tune-chart]').waitFor();
    const result = await rpc.request<TuneResult | null>('tune.last');
    assert.ok(result, 'the host kept the result');
    assert.deepEqual(
      result.sizes.map((s) => s.memorySizeMB),
      [128, 512],
    );

    assert.equal(await page.locator('[data-testid=tune-function]').textContent(), 'CpuFunction');
    assert.equal(await page.locator('.tune-chart .tune-column').count(), 2);
    assert.equal(await page.locator('.tune-chart .tune-bar').count(), 2);
    assert.equal(await page.locator('.tune-chart polyline.tune-cost').count(), 2, 'x86 and arm cost lines');
    const cheapest = page.locator('[data-testid=tune-mark-cheapest]');
    const fastest = page.locator('[data-testid=tune-mark-fastest]');
    assert.equal(await cheapest.count(), 1);
    assert.equal(await fastest.count(), 1);
    assert.equal(await page.locator(`.tune-column[data-memory="${result.cheapestMemorySizeMB}"] [data-testid=tune-mark-cheapest]`).count(), 1);
    assert.equal(await page.locator(`.tune-column[data-memory="${result.fastestMemorySizeMB}"] [data-testid=tune-mark-fastest]`).count(), 1);
    for (const s of result.sizes) {
      const tr = page.locator(`[data-testid=tune-table] tr[data-memory="${s.memorySizeMB}"]`);
      assert.equal(await tr.locator('[data-col=p50]').textContent(), formatShortMs(s.durationP50Ms));
      assert.equal(await tr.locator('[data-col=x86m]').textContent(), `$${s.costPerMillionUsd.x86_64.toFixed(2)}`);
      assert.equal(await tr.locator('[data-col=armm]').textContent(), `$${s.costPerMillionUsd.arm64.toFixed(2)}`);
    }
    // The chart is drawn with theme colours (CSS variables), not fixed ones.
    const fill = await page
      .locator('.tune-chart .tune-bar')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    assert.equal(fill, 'rgb(26, 133, 255)');
    assert.match((await page.locator('.tune-note').textContent()) ?? '', /this machine/);
    await page.screenshot({ path: join(SCREENSHOTS, 'light.png') });
  });

  it('a tune another client starts shows its progress and result; the dark theme recolours the chart', async () => {
    await page.goto(`${serve.ready.dashboard}&theme=dark`);
    await page.locator('[data-testid=tab-history]').waitFor();
    await page.locator('[data-testid=tab-history]').click();
    const finished = rpc.request<TuneResult>('tune', { function: 'HungryFunction', memorySizesMB: [128, 512], runs: 1, progressToken: 'other' });
    await page.locator('[data-testid=tune-view]').waitFor();
    const result = await finished;
    await page.locator('[data-testid=tune-function]', { hasText: 'HungryFunction' }).waitFor();
    assert.equal(result.sizes[0]!.error?.errorType, 'Runtime.OutOfMemory');
    assert.match((await page.locator('.tune-column[data-memory="128"] .tune-failed').textContent()) ?? '', /Runtime\.OutOfMemory/);
    assert.equal(await page.locator('.tune-column[data-memory="512"] [data-testid=tune-mark-cheapest]').count(), 1);
    const fill = await page
      .locator('.tune-chart .tune-bar')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    assert.equal(fill, 'rgb(55, 148, 255)');
    await page.screenshot({ path: join(SCREENSHOTS, 'dark.png') });
    assert.deepEqual(problems, []);
  });

  it('a provisioned environment’s INIT is a record of its own; its invocations show as provisioned, without init', async () => {
    await page.goto(serve.ready.dashboard!);
    await page.locator('[data-testid=tab-history]').click();
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'WarmFunction' });
    assert.equal(out.cold, false);
    const row = page.locator(`[data-testid=history-row][data-record-id="${out.requestId}"][data-status=success]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-col=start]').textContent(), 'provisioned');
    await row.click();
    // The detail pane is redrawn for the clicked record: read it once it shows that record.
    await page.locator('[data-testid=detail-id]', { hasText: out.requestId }).waitFor();
    assert.equal(await page.locator('[data-testid=detail-start]').textContent(), 'warm (provisioned concurrency)');

    const init = page.locator('[data-testid=history-row][data-function=WarmFunction]', { hasText: 'provisioned init' }).first();
    await init.click();
    await page.locator('[data-testid=detail-kind]').waitFor();
    assert.equal(await page.locator('[data-testid=detail-kind]').textContent(), 'provisioned init');
    assert.match((await page.locator('[data-testid=detail-init]').textContent()) ?? '', /^Init Duration: \d+\.\d\d ms$/);
    await page.locator('[data-testid=detail]', { hasText: 'INIT_START Runtime Version' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'provisioned-init.png') });
    assert.deepEqual(problems, []);
  });
});
