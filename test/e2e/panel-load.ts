// A long history and how the panel opens it, shared by the 10,000-record browser test and the
// `npm run bench` panel section: the records are written to a real host's store before it starts (as if
// they had accumulated over days), and one open of the dashboard is timed from inside the page.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import type { InvocationRecord, InvocationStatus } from '../../runtime-host/protocol/index';
import { copyFixture, startServe, type ServeProcess } from '../integration/serve-helpers';

export const HISTORY_FUNCTIONS = ['GreetFunction', 'FailFunction', 'SlowFunction'];

export function historicStatus(i: number): InvocationStatus {
  return i % 10 === 3 ? 'error' : i % 50 === 7 ? 'timeout' : 'success';
}

/** The i-th record of the history: one a second from 2026-11-01, ids `rec-00000`…, every 25th cold. */
export function historicRecord(i: number): InvocationRecord {
  const queuedAt = Date.UTC(2026, 10, 1) + i * 1000;
  const id = `rec-${String(i).padStart(5, '0')}`;
  const status = historicStatus(i);
  const cold = i % 25 === 0;
  return {
    id,
    kind: 'invocation',
    requestId: id,
    functionName: HISTORY_FUNCTIONS[i % 3],
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

export interface HistoryHost {
  serve: ServeProcess;
  /** Stops the host and removes its project. */
  close(): Promise<void>;
}

/** `serve` on a copy of the panel fixture whose store already holds `count` historic records. */
export async function serveHistory(count: number, timeoutMs: number): Promise<HistoryHost> {
  const project = copyFixture('panel-project');
  try {
    const stateDir = join(project, '.state');
    mkdirSync(stateDir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(JSON.stringify(historicRecord(i)));
    writeFileSync(join(stateDir, 'invocations.jsonl'), lines.join('\n') + '\n');
    const serve = await startServe(['--root', project, '--state-dir', stateDir, '--max-records', String(count)], { timeoutMs });
    return {
      serve,
      async close() {
        await serve.stop();
        rmSync(project, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(project, { recursive: true, force: true });
    throw err;
  }
}

/** One open of the dashboard, in ms from the navigation's start (the page's own clock). */
export interface PanelLoad {
  /** The first history row is in the DOM. */
  firstRowMs: number;
  /** The count says every record is loaded: all rows can be scrolled to, filtered and searched. */
  allRowsMs: number;
  /** CPU time of the page renderer's main thread from navigation to all rows (CDP `Performance.getMetrics` TaskDuration, thread ticks). */
  mainThreadMs: number;
  /** Tasks over 50 ms of wall time (the page did not answer input meanwhile; on a busy machine they include waiting for a core), from a `longtask` PerformanceObserver. */
  longTasks: { count: number; longestMs: number; totalMs: number };
}

interface PageProbe {
  firstRowMs?: number;
  allRowsMs?: number;
  longTasks: number[];
  /** Resolves when all rows are there: waited for from outside without polling the page. */
  allRows: Promise<void>;
}

/**
 * Installed before the page's own scripts: notes when the first row and the full count appear (a
 * MutationObserver answers in the same task as the change) and every long task.
 */
function probe(allText: string): void {
  // No named inner functions: tsx would wrap them in a helper the page does not have.
  const settle: { done?: () => void } = {};
  const state: PageProbe = {
    longTasks: [],
    allRows: new Promise<void>((resolve) => {
      settle.done = resolve;
    }),
  };
  (window as unknown as { __panelLoad: PageProbe }).__panelLoad = state;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const watch = new MutationObserver(() => {
    if (state.firstRowMs === undefined && document.querySelector('[data-testid=history-row]')) state.firstRowMs = performance.now();
    if (state.allRowsMs === undefined && document.querySelector('[data-testid=count]')?.textContent === allText) {
      state.allRowsMs = performance.now();
      watch.disconnect();
      settle.done?.();
    }
  });
  // The document element does not exist yet when init scripts run.
  document.addEventListener('readystatechange', () => watch.observe(document.documentElement, { childList: true, subtree: true, characterData: true }), {
    once: true,
  });
}

const taskSeconds = async (cdp: CDPSession): Promise<number> => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
};

/**
 * Opens `dashboardUrl` in `page` (fresh, nothing loaded yet) and waits until it shows `count` records.
 * The page first visits an empty page of the same origin so that the renderer measured is the dashboard's own;
 * `during` runs between the visit and the open (e.g. to start a CDP profiler on the same session).
 */
export async function measurePanelLoad(
  page: Page,
  dashboardUrl: string,
  count: number,
  during?: { before(cdp: CDPSession): Promise<void>; after(cdp: CDPSession): Promise<void> },
): Promise<PanelLoad> {
  const allText = `${count} records`;
  await page.addInitScript(probe, allText);
  const blank = new URL('/panel-load-blank', dashboardUrl).toString();
  await page.route(blank, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>blank</title>' }));
  await page.goto(blank);
  // A route pauses every request of the page in the browser until this process has looked at it: the
  // dashboard's own HTML, script, styles and font would each wait for a round trip through Node.
  await page.unroute(blank);
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await during?.before(cdp);
    const cpuBefore = await taskSeconds(cdp);
    await page.goto(dashboardUrl);
    // Awaited in the page rather than polled: each poll was a task on the main thread being measured.
    await page.evaluate(() => (window as unknown as { __panelLoad: PageProbe }).__panelLoad.allRows);
    const cpuAfter = await taskSeconds(cdp);
    await during?.after(cdp);
    const seen = await page.evaluate(() => {
      const { firstRowMs, allRowsMs, longTasks } = (window as unknown as { __panelLoad: PageProbe }).__panelLoad;
      return { firstRowMs, allRowsMs, longTasks };
    });
    return {
      firstRowMs: seen.firstRowMs ?? Number.NaN,
      allRowsMs: seen.allRowsMs ?? Number.NaN,
      mainThreadMs: (cpuAfter - cpuBefore) * 1000,
      longTasks: {
        count: seen.longTasks.length,
        longestMs: Math.max(0, ...seen.longTasks),
        totalMs: seen.longTasks.reduce((a, b) => a + b, 0),
      },
    };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
