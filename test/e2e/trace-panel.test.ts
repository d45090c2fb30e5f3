// The Trace view in real Chromium against the dashboard of a real host: a function makes AWS calls
// (through the test-only stand-in for the local AWS endpoint, test/integration/trace-probe.ts), one of
// which causes another function that fails, and an SNS publish fans out to two functions. The panel
// must show each chain as one waterfall and one graph, with the failures red. Screenshots go to
// test-output/trace/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { S3Source } from '../../runtime-host/events/s3';
import { SnsSource } from '../../runtime-host/events/sns';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { copyFixture, removeDir, repoRoot, RpcClient } from '../integration/serve-helpers';
import { startTraceProbe, type ProbeCall, type TraceProbe } from '../integration/trace-probe';
import { elementScreenshot, openPage } from './browser';

const SCREENSHOTS = join(repoRoot, 'test-output', 'trace');
const WAIT_MS = 60_000;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('trace view in the browser dashboard (real host, real Chromium)', { timeout: 600_000 }, () => {
  let dir: string;
  let host: RunningHost;
  let rpc: RpcClient;
  let probe: TraceProbe;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const row = (id: string) => page.locator(`[data-testid=history-row][data-record-id="${id}"]`);
  const attr = (selector: string, name: string) =>
    page.locator(selector).evaluateAll((els, n) => els.map((e) => (e as HTMLElement).getAttribute(n) ?? ''), `data-${name}`);

  async function select(id: string): Promise<void> {
    await row(id).waitFor({ timeout: WAIT_MS });
    await row(id).click();
    await page.locator(`[data-testid=detail][data-record-id="${id}"]`).waitFor({ timeout: WAIT_MS });
  }

  before(async () => {
    dir = copyFixture('trace-project');
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [new S3Source({ stableMs: 80 }), new SnsSource()] });
    rpc = await RpcClient.connect(host.ws, host.token);
    probe = await startTraceProbe(host);
    ({ browser, page } = await openPage({ width: 1400, height: 1000 }, problems, WAIT_MS));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.goto(`${host.dashboard!}&theme=dark`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
  });

  after(async () => {
    await browser?.close();
    rpc?.close();
    await probe?.close();
    await host?.close();
    if (dir) removeDir(dir);
  });

  it('draws a chain with AWS calls as one waterfall and one graph, failures red, and updates it live', async () => {
    const calls: ProbeCall[] = [
      { service: 's3', operation: 'PutObject', resource: 'drops/report.json', invoke: 'OnDropFunction' },
      { service: 's3', operation: 'GetObject', resource: 'drops/missing.json', status: 404, errorCode: 'NoSuchKey' },
      { service: 'sqs', operation: 'SendMessage', resource: 'jobs', invoke: 'FailFunction' },
    ];
    const out = await rpc.request<InvokeOutput>('invoke', { function: 'CallerFunction', event: { probe: probe.url, calls } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const caller = await rpc.request<InvocationRecord>('getInvocation', { id: out.requestId });
    await select(out.requestId);
    await page.locator(`[data-testid=trace][data-trace-id="${caller.traceId}"]`).waitFor();
    assert.equal(await page.locator('[data-testid=detail-trace-id]').textContent(), caller.traceId);

    // Waterfall: the caller, its three calls, and the two invocations they caused, under it in time order
    // (each call starts before the invocation it causes is queued).
    await page.locator('[data-testid=trace-row]').nth(5).waitFor();
    const types = await attr('[data-testid=trace-row]', 'type');
    const operations = await attr('[data-testid=trace-row]', 'operation');
    const failed = await attr('[data-testid=trace-row]', 'failed');
    const recordIds = await attr('[data-testid=trace-row]', 'record-id');
    const children = (await rpc.request<{ records: InvocationRecord[] }>('listInvocations', { parentId: out.requestId })).records;
    const idOf = (fn: string) => children.find((c) => c.functionName === fn)!.id;
    assert.deepEqual(
      types.map((t, i) => [t, operations[i] || recordIds[i], failed[i]]),
      [
        ['record', out.requestId, 'false'],
        ['span', 'PutObject', 'false'],
        ['record', idOf('OnDropFunction'), 'false'],
        ['span', 'GetObject', 'true'],
        ['span', 'SendMessage', 'false'],
        ['record', idOf('FailFunction'), 'true'],
      ],
    );
    // A failed span and a failed invocation are drawn in the error colour (the theme's red).
    const red = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-red').trim());
    const toRgb = await page.evaluate((c) => {
      const probeEl = document.createElement('span');
      probeEl.style.color = c;
      document.body.appendChild(probeEl);
      const rgb = getComputedStyle(probeEl).color;
      probeEl.remove();
      return rgb;
    }, red);
    const failedSpanColour = await page
      .locator('[data-testid=trace-row][data-type=span][data-failed=true] .tr-span')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(failedSpanColour, toRgb);

    // Graph: CallerFunction → drops (PutObject, GetObject failed), → jobs, and → the two functions its calls caused.
    const nodes = await page
      .locator('[data-testid=trace-node]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-node-id'), e.getAttribute('data-failed')]));
    assert.deepEqual(nodes.sort(), [
      ['bucket:drops', 'true'],
      ['function:CallerFunction', 'false'],
      ['function:FailFunction', 'true'],
      ['function:OnDropFunction', 'false'],
      ['queue:jobs', 'false'],
    ]);
    const edges = await page
      .locator('[data-testid=trace-edge]')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-from')} → ${e.getAttribute('data-to')}${e.getAttribute('data-failed') === 'true' ? ' (failed)' : ''}`),
      );
    assert.deepEqual(edges.sort(), [
      'function:CallerFunction → bucket:drops (failed)',
      'function:CallerFunction → function:FailFunction (failed)',
      'function:CallerFunction → function:OnDropFunction',
      'function:CallerFunction → queue:jobs',
    ]);
    const nodeStroke = await page.locator('[data-testid=trace-node][data-node-id="function:FailFunction"] rect').evaluate((el) => getComputedStyle(el).stroke);
    assert.equal(nodeStroke, toRgb);

    // Clicking a record of the chain opens it, with the same trace.
    await page.locator(`[data-testid=trace-row][data-record-id="${idOf('FailFunction')}"] button`).click();
    await page.locator(`[data-testid=detail][data-record-id="${idOf('FailFunction')}"]`).waitFor();
    await page.locator(`[data-testid=trace][data-trace-id="${caller.traceId}"]`).waitFor();
    await select(out.requestId);
    await page.locator('[data-testid=trace-graph]').waitFor();
    await elementScreenshot(page.locator('[data-testid=trace]'), join(SCREENSHOTS, 'chain-dark.png'));
    await page.screenshot({ path: join(SCREENSHOTS, 'chain-panel-dark.png') });
    assert.deepEqual(problems, []);
  });

  it('shows an SNS fan-out as one trace: the publish, both deliveries, and the topic delivering to both functions', async () => {
    const { recordId } = await rpc.request<{ recordId: string }>('sns.publish', { topic: 'fanout', message: 'hello' });
    await rpc.waitFor('invocation.finished', (r) => r.id === recordId, WAIT_MS);
    await select(recordId);
    await page.locator('[data-testid=trace-row][data-type=record]').nth(2).waitFor();
    const labels = await page.locator('[data-testid=trace-row] .tl-name').allTextContents();
    assert.deepEqual(labels.slice(0, 1), ['fanout']);
    assert.deepEqual(labels.slice(1).sort(), ['FanAFunction', 'FanBFunction']);
    const edges = await page
      .locator('[data-testid=trace-edge]')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')} → ${e.getAttribute('data-to')}`));
    assert.deepEqual(edges.sort(), ['topic:fanout → function:FanAFunction', 'topic:fanout → function:FanBFunction']);
    await page.goto(`${host.dashboard!}&theme=light`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await select(recordId);
    await page.locator('[data-testid=trace-graph]').waitFor();
    await elementScreenshot(page.locator('[data-testid=trace]'), join(SCREENSHOTS, 'sns-fanout-light.png'));
    assert.deepEqual(problems, []);
  });
});
