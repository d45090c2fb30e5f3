// 10,000 records in the history of a real host (written to its store before it starts, as if they had
// accumulated over days): the panel loads them all, renders only the rows on screen, and filters
// and searches across all of them. Times are printed for information, never asserted.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InvocationRecord, InvocationStatus } from '../../runtime-host/protocol/index';
import { copyFixture, startServe, type ServeProcess } from '../integration/serve-helpers';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT_MS = 120_000;
const COUNT = 10_000;
const FUNCTIONS = ['GreetFunction', 'FailFunction', 'SlowFunction'];

function statusOf(i: number): InvocationStatus {
  return i % 10 === 3 ? 'error' : i % 50 === 7 ? 'timeout' : 'success';
}

function historicRecord(i: number): InvocationRecord {
  const queuedAt = Date.UTC(2026, 10, 1) + i * 1000;
  const id = `rec-${String(i).padStart(5, '0')}`;
  const status = statusOf(i);
  const cold = i % 25 === 0;
  return {
    id,
    kind: 'invocation',
    requestId: id,
    functionName: FUNCTIONS[i % 3],
    trigger: i % 2 ? 'manual' : 'api',
    status,
    cold,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 256,
    timeoutSeconds: 3,
    timestamps: {
      queuedAt,
      ...(cold ? { initStartAt: queuedAt + 1, initEndAt: queuedAt + 151 } : {}),
      invokeStartAt: queuedAt + (cold ? 151 : 1),
      invokeEndAt: queuedAt + (cold ? 171 : 21),
      finishedAt: queuedAt + (cold ? 172 : 22),
    },
    durationMs: 20,
    ...(cold ? { initDurationMs: 150 } : {}),
    billedDurationMs: cold ? 170 : 20,
    billingRule: 'per-ms-with-init',
    maxMemoryUsedMB: 60,
    event: { orderId: `needle-${i}` },
    ...(status === 'success' ? { result: { ok: true } } : { error: { errorType: 'Error', errorMessage: `failed ${i}`, trace: [] } }),
    logs: [`START RequestId: ${id} Version: $LATEST`, `2026-11-01T00:00:00.000Z\t${id}\tINFO\tprocessing order ${i}`, `END RequestId: ${id}`],
  };
}

describe('invocations panel with 10,000 records (real host, real Chromium)', { timeout: 600_000 }, () => {
  let project: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const rowIds = () => page.locator('[data-testid=history-row]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.recordId));
  const count = async () => ((await page.locator('[data-testid=count]').textContent()) ?? '').trim();

  before(async () => {
    project = copyFixture('panel-project');
    const stateDir = join(project, '.state');
    mkdirSync(stateDir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < COUNT; i++) lines.push(JSON.stringify(historicRecord(i)));
    writeFileSync(join(stateDir, 'invocations.jsonl'), lines.join('\n') + '\n');
    serve = await startServe(['--root', project, '--state-dir', stateDir, '--max-records', String(COUNT)], { timeoutMs: WAIT_MS });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: WAIT_MS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('loads every record, newest first, with only the visible rows in the DOM', async (t) => {
    const started = Date.now();
    await page.goto(serve.ready.dashboard!);
    await page.waitForFunction((n) => document.querySelector('[data-testid=count]')?.textContent === `${n} records`, COUNT);
    t.diagnostic(`loaded ${COUNT} records in ${Date.now() - started} ms (information only)`);
    const ids = await rowIds();
    assert.equal(ids[0], 'rec-09999');
    assert.ok(ids.length > 20 && ids.length <= 60, `${ids.length} rows in the DOM`);
    const spacer = await page.locator('.spacer').evaluate((el) => el.getBoundingClientRect().height);
    assert.equal(spacer, COUNT * 28);
  });

  it('scrolls to the oldest record and back', async () => {
    await page.locator('[data-testid=history]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=history-row]')].some((e) => (e as HTMLElement).dataset.recordId === 'rec-00000'),
    );
    assert.ok((await rowIds()).length <= 60);
    await page.locator('[data-testid=history-row][data-record-id=rec-00000]').click();
    await page.locator('[data-testid=detail][data-record-id=rec-00000]').waitFor();
    await page.locator('[data-testid=history]').evaluate((el) => (el.scrollTop = 0));
    await page.waitForFunction(() => (document.querySelector('[data-testid=history-row]') as HTMLElement | null)?.dataset.recordId === 'rec-09999');
  });

  it('searches and filters across all 10,000', async (t) => {
    let started = Date.now();
    await page.locator('[data-testid=search]').fill('needle-4242');
    await page.waitForFunction(() => document.querySelector('[data-testid=count]')?.textContent === '1 of 10000');
    t.diagnostic(`search over ${COUNT} records answered in ${Date.now() - started} ms including the 120 ms typing debounce (information only)`);
    assert.deepEqual(await rowIds(), ['rec-04242']);
    await page.locator('[data-testid=search]').fill('processing order 777');
    await page.waitForFunction(
      () =>
        /^\d+ of 10000$/.test(document.querySelector('[data-testid=count]')?.textContent ?? '') &&
        document.querySelector('[data-testid=count]')?.textContent !== '1 of 10000',
    );
    // 777 and 7770–7779.
    assert.equal(await count(), '11 of 10000');
    await page.locator('[data-testid=search]').fill('');
    started = Date.now();
    await page.locator('[data-testid=filter-status]').selectOption('error');
    const errors = Array.from({ length: COUNT }, (_, i) => statusOf(i)).filter((s) => s === 'error').length;
    await page.waitForFunction((n) => document.querySelector('[data-testid=count]')?.textContent === `${n} of 10000`, errors);
    t.diagnostic(`status filter over ${COUNT} records in ${Date.now() - started} ms (information only)`);
    await page.locator('[data-testid=filter-function]').selectOption('FailFunction');
    const failErrors = Array.from({ length: COUNT }, (_, i) => i).filter((i) => statusOf(i) === 'error' && FUNCTIONS[i % 3] === 'FailFunction').length;
    await page.waitForFunction((n) => document.querySelector('[data-testid=count]')?.textContent === `${n} of 10000`, failErrors);
    assert.ok((await rowIds()).every((id) => statusOf(Number(id!.slice(4))) === 'error' && Number(id!.slice(4)) % 3 === 1));
  });
});
