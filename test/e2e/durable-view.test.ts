// The Executions view in real Chromium against the dashboard of a real host running the real durable SDK
// (test/fixtures/durable-project): an execution with retried steps, a child context and a skipped day-long
// wait drawn across its four invocations (attempts, the skipped wait, replays marked), and an execution
// waiting for a callback that the test completes from the view's dialog. Screenshots go to test-output/durable/.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Browser, Page } from 'playwright-core';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { copyFixture, removeDir, repoRoot } from '../integration/serve-helpers';
import { openPage } from './browser';

const SCREENSHOTS = join(repoRoot, 'test-output', 'durable');
const WAIT_MS = 60_000;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('durable execution view in the browser dashboard (real host, real SDK, real Chromium)', { timeout: 600_000 }, () => {
  let dir: string;
  let host: RunningHost;
  let client: LambdaClient;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const attrs = (selector: string, name: string) =>
    page.locator(selector).evaluateAll((els, n) => els.map((e) => (e as HTMLElement).getAttribute(n) ?? ''), `data-${name}`);

  before(async () => {
    dir = copyFixture('durable-project');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [], runtimeSdk: 'off', durable: { skipWaits: true } });
    client = new LambdaClient({ endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    ({ browser, page } = await openPage({ width: 1500, height: 1000 }, problems, WAIT_MS));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    client?.destroy();
    await host?.close();
    if (dir) removeDir(dir);
  });

  it('draws one execution across its invocations: attempts, the skipped wait, replays', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'OrderFlow:$LATEST', Payload: Buffer.from(JSON.stringify({ sku: 'A-1' })), DurableExecutionName: 'order-1' }),
    );
    assert.equal(out.FunctionError, undefined);
    await page.goto(`${host.dashboard!}&theme=dark`);
    await page.locator('[data-testid=connection][data-state=open]').waitFor();
    await page.locator('[data-testid=tab-executions]').click();
    await page.locator('[data-testid=durable-item][data-name=order-1][data-status=SUCCEEDED]').click();
    const detail = page.locator('[data-testid=durable-detail][data-status=SUCCEEDED]');
    await detail.waitFor();

    assert.deepEqual(await attrs('[data-testid=dx-invocation]', 'outcome'), ['PENDING', 'PENDING', 'PENDING', 'SUCCEEDED']);
    // Every sleep was skipped: two retry delays of 2 s, then the day.
    assert.deepEqual(await attrs('[data-testid=dx-gap]', 'skipped'), ['true', 'true', 'true']);
    assert.match((await page.locator('[data-testid=dx-gap]').nth(2).textContent()) ?? '', /24(\.0)? h/);
    assert.deepEqual(await attrs('[data-testid=dx-row]', 'name'), ['reserve', 'pricing', 'base-price', 'tax', 'cool-off', 'ship']);
    const reserve = page.locator('[data-testid=dx-row][data-name=reserve]');
    assert.deepEqual(await reserve.locator('[data-testid=dx-span]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), [
      'retry',
      'delay',
      'retry',
      'delay',
      'succeeded',
    ]);
    assert.deepEqual(await reserve.locator('[data-testid=dx-replay]').evaluateAll((els) => els.map((e) => e.getAttribute('data-seq'))), ['4']);
    assert.equal(await page.locator('[data-testid=dx-row][data-name=cool-off] [data-testid=dx-span]').getAttribute('data-kind'), 'skipped');
    assert.equal(await page.locator('[data-testid=dx-row][data-name=base-price] [data-testid=dx-replay]').count(), 0);

    // An operation's attempts, with their errors.
    await reserve.locator('.dx-label').click();
    await page.locator('[data-testid=dx-op][data-name=reserve]').waitFor();
    assert.deepEqual(await attrs('[data-testid=dx-attempt]', 'outcome'), ['retry', 'retry', 'succeeded']);
    assert.match((await page.locator('[data-testid=dx-op]').textContent()) ?? '', /inventory busy \(attempt 1\)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'execution-timeline.png'), fullPage: true });

    // An invocation column opens its record in the History view.
    await page.locator('[data-testid=dx-invocation][data-seq="4"]').click();
    await page.locator('[data-testid=detail]').waitFor();
    assert.equal(await page.locator('[data-testid=tab-history]').getAttribute('class'), 'tab active');
    // …and the record leads back to its execution.
    await page.locator('[data-testid=action-open-execution]').click();
    await page.locator('[data-testid=durable-detail][data-status=SUCCEEDED]').waitFor();
    assert.equal(await page.locator('[data-testid=tab-executions]').getAttribute('class'), 'tab active');
    assert.equal(await page.locator('[data-testid=durable-item][aria-pressed=true]').getAttribute('data-name'), 'order-1');
  });

  it('completes a pending callback from the view with a JSON result', async () => {
    const started = await client.send(
      new InvokeCommand({
        FunctionName: 'Approval:$LATEST',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ amount: 42 })),
        DurableExecutionName: 'approve-ui',
      }),
    );
    await page.locator('[data-testid=tab-executions]').click();
    await page.locator('[data-testid=durable-item][data-name=approve-ui]').click();
    await page.locator(`[data-testid=durable-detail][data-arn="${started.DurableExecutionArn}"] [data-testid=dx-callback]`).waitFor();
    assert.equal(await page.locator('[data-testid=durable-item][data-name=approve-ui]').getAttribute('data-status'), 'RUNNING');
    await page.screenshot({ path: join(SCREENSHOTS, 'execution-waiting-for-callback.png'), fullPage: true });
    await page.locator('[data-testid=dx-complete]').click();
    await page.locator('[data-testid=dx-result]').fill('{"approved": true, "by": "the panel"}');
    await page.locator('[data-testid=dx-succeed]').click();
    await page.locator('[data-testid=durable-detail][data-status=SUCCEEDED]').waitFor();
    assert.match((await page.locator('.dx-result-text').textContent()) ?? '', /the panel/);
    assert.equal(await page.locator('[data-testid=durable-item][data-name=approve-ui]').getAttribute('data-status'), 'SUCCEEDED');
    await page.screenshot({ path: join(SCREENSHOTS, 'execution-callback-completed.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
