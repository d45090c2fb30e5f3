// 10,000 records in the history of a real host (written to its store before it starts, as if they had
// accumulated over days): the panel loads them all, renders only the rows on screen, and filters
// and searches across all of them. Times are printed for information, never asserted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openPage } from './browser';
import { HISTORY_FUNCTIONS, historicStatus, measurePanelLoad, serveHistory, type HistoryHost } from './panel-load';

const WAIT_MS = 120_000;
const COUNT = 10_000;

describe('invocations panel with 10,000 records (real host, real Chromium)', { timeout: 600_000 }, () => {
  let history: HistoryHost;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const rowIds = () => page.locator('[data-testid=history-row]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.recordId));
  const count = async () => ((await page.locator('[data-testid=count]').textContent()) ?? '').trim();

  before(async () => {
    history = await serveHistory(COUNT, WAIT_MS);
    ({ browser, page } = await openPage({ width: 1400, height: 900 }, problems, WAIT_MS));
  });

  after(async () => {
    await browser?.close();
    await history?.close();
  });

  it('loads every record, newest first, with only the visible rows in the DOM', async (t) => {
    const load = await measurePanelLoad(page, history.serve.ready.dashboard!, COUNT);
    t.diagnostic(
      `open → first rows ${Math.round(load.firstRowMs)} ms, all ${COUNT} records ${Math.round(load.allRowsMs)} ms; ` +
        `page main thread ${Math.round(load.mainThreadMs)} ms, longest task ${Math.round(load.longTasks.longestMs)} ms (information only: npm run bench 12-panel)`,
    );
    const ids = await rowIds();
    assert.equal(ids[0], 'rec-09999');
    assert.ok(ids.length > 20 && ids.length <= 60, `${ids.length} rows in the DOM`);
    const spacer = await page.locator('.spacer').evaluate((el) => el.getBoundingClientRect().height);
    assert.equal(spacer, COUNT * 28);
    assert.deepEqual(problems, []);
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
    const errors = Array.from({ length: COUNT }, (_, i) => historicStatus(i)).filter((s) => s === 'error').length;
    await page.waitForFunction((n) => document.querySelector('[data-testid=count]')?.textContent === `${n} of 10000`, errors);
    t.diagnostic(`status filter over ${COUNT} records in ${Date.now() - started} ms (information only)`);
    await page.locator('[data-testid=filter-function]').selectOption('FailFunction');
    const failErrors = Array.from({ length: COUNT }, (_, i) => i).filter(
      (i) => historicStatus(i) === 'error' && HISTORY_FUNCTIONS[i % 3] === 'FailFunction',
    ).length;
    await page.waitForFunction((n) => document.querySelector('[data-testid=count]')?.textContent === `${n} of 10000`, failErrors);
    assert.ok((await rowIds()).every((id) => historicStatus(Number(id!.slice(4))) === 'error' && Number(id!.slice(4)) % 3 === 1));
  });
});
