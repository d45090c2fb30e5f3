// The invocations panel opening a 10,000-record history (issue 18): the browser dashboard of a real
// `serve` in headless Chromium, each open in a fresh browser context (nothing cached). Goals: open →
// all rows available under 1 s, and the page never blocked meanwhile (no task over 50 ms).
// One more open is traced, for the longest task in CPU time: on a busy machine a task's wall time also
// counts the time it waited for a core. BENCH_PANEL_CPUPROFILE=<file.cpuprofile> adds one open under
// the CDP Profiler (not counted) and writes its profile, to read in Chrome DevTools or VS Code.
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

/** What one open under Chrome's tracing says of the page's main-thread tasks: the longest by CPU and by wall. */
interface TracedTasks {
  longestCpuMs: number;
  longestWallMs: number;
  overLimitByCpu: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * The renderer main thread with the most tasks is the dashboard's. CPU time (`tdur`) tells the page's own
 * work apart from waiting for a core, which the wall time of a task includes on a busy machine.
 */
function mainThreadTasks(traceJson: Buffer): TracedTasks {
  const parsed = JSON.parse(traceJson.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const key = (e: TraceEvent) => `${e.pid}:${e.tid}`;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map(key));
  const tasks = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !mains.has(key(e))) continue;
    tasks.set(key(e), [...(tasks.get(key(e)) ?? []), e]);
  }
  const busiest = [...tasks.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const cpu = busiest.map((e) => (e.tdur ?? 0) / 1000);
  return {
    longestCpuMs: Math.max(0, ...cpu),
    longestWallMs: Math.max(0, ...busiest.map((e) => (e.dur ?? 0) / 1000)),
    overLimitByCpu: cpu.filter((ms) => ms > LONG_TASK_MS).length,
  };
}

interface Extra {
  /** Write the CDP Profiler's profile of this open here. */
  profile?: string;
  /** Trace this open and read its main-thread tasks. */
  trace?: (tasks: TracedTasks) => void;
}

async function openOnce(dashboard: string, extra: Extra = {}): Promise<PanelLoad> {
  const problems: string[] = [];
  const { browser, page } = await openPage({ width: 1400, height: 900 }, problems, WAIT_MS);
  try {
    const { profile, trace } = extra;
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
    } else if (trace) {
      during = {
        before: () => browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline'] }),
        after: async () => trace(mainThreadTasks(await browser.stopTracing())),
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
    let traced: TracedTasks | undefined;
    await openOnce(dashboard, { trace: (t) => (traced = t) });
    if (traced)
      console.log(
        `longest main-thread task (one more open, traced): ${f(traced.longestCpuMs)} of CPU (longest by wall ${f(traced.longestWallMs)}); tasks over ${LONG_TASK_MS} ms of CPU: ${traced.overLimitByCpu}  goal ≤ ${LONG_TASK_MS} ms`,
      );
    const profile = process.env.BENCH_PANEL_CPUPROFILE;
    if (profile) {
      await openOnce(dashboard, { profile });
      console.log(`  CPU profile of one more open: ${profile}`);
    }
  } finally {
    await history.close();
  }
}
