// The invocations panel opening a 10,000-record history (issue 18): the browser dashboard of a real
// `serve` in headless Chromium, each open in a fresh browser context (nothing cached). Goals: open →
// all rows available under 1 s, and the page never blocked meanwhile (no task over 50 ms).
// BENCH_PANEL_CPUPROFILE=<file.cpuprofile> adds one open under the CDP Profiler (not counted) and
// writes its profile, to read in Chrome DevTools or VS Code.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { CDPSession } from 'playwright-core';
import { openPage } from '../../test/e2e/browser';
import { measurePanelLoad, serveHistory, type PanelLoad } from '../../test/e2e/panel-load';
import { percentile } from '../helpers';

const RECORDS = 10_000;
const OPENS = 5;
const WAIT_MS = 120_000;
const GOAL_MS = 1000;
const LONG_TASK_MS = 50;

const f = (n: number) => `${Math.round(n)} ms`;

async function openOnce(dashboard: string, profile?: string): Promise<PanelLoad> {
  const problems: string[] = [];
  const { browser, page } = await openPage({ width: 1400, height: 900 }, problems, WAIT_MS);
  try {
    let during: Parameters<typeof measurePanelLoad>[3];
    if (profile) {
      during = {
        async before(cdp: CDPSession) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
          await cdp.send('Profiler.start');
        },
        async after(cdp: CDPSession) {
          const { profile: data } = await cdp.send('Profiler.stop');
          writeFileSync(profile, JSON.stringify(data));
        },
      };
    }
    const load = await measurePanelLoad(page, dashboard, RECORDS, during);
    if (problems.length) throw new Error(`the panel reported problems while loading: ${problems.join('; ')}`);
    return load;
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  const history = await serveHistory(RECORDS, WAIT_MS);
  try {
    const dashboard = history.serve.ready.dashboard!;
    // One open to warm the host (its first page answers read the store) and the OS file cache for Chromium.
    await openOnce(dashboard);
    const loads: PanelLoad[] = [];
    for (let i = 0; i < OPENS; i++) loads.push(await openOnce(dashboard));
    const line = (label: string, values: number[], goal: string) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${label} p50 ${f(percentile(sorted, 50))}  (each: ${values.map(f).join(', ')})  goal ${goal}`;
    };
    console.log(
      `dashboard of a real serve, ${RECORDS} records in its store, headless Chromium 1400×900; ${OPENS} opens, each in a fresh context; load average ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log(
      line(
        'open → first rows:                   ',
        loads.map((l) => l.firstRowMs),
        `< ${GOAL_MS} ms`,
      ),
    );
    console.log(
      line(
        'open → all rows available:           ',
        loads.map((l) => l.allRowsMs),
        `< ${GOAL_MS} ms`,
      ),
    );
    console.log(
      line(
        'longest task while loading:          ',
        loads.map((l) => l.longTasks.longestMs),
        `≤ ${LONG_TASK_MS} ms (not blocking)`,
      ),
    );
    console.log(`  tasks over ${LONG_TASK_MS} ms per open: ${loads.map((l) => `${l.longTasks.count} (${f(l.longTasks.totalMs)})`).join(', ')}`);
    console.log(`  page main-thread CPU while loading: ${loads.map((l) => f(l.mainThreadMs)).join(', ')}`);
    const profile = process.env.BENCH_PANEL_CPUPROFILE;
    if (profile) {
      await openOnce(dashboard, profile);
      console.log(`  CPU profile of one more open: ${profile}`);
    }
  } finally {
    await history.close();
  }
}
