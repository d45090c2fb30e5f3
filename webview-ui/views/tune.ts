// The Tune view: the memory tuner's chart (SVG, coloured by theme variables), its table, and the
// progress of a tune that is running.
import type { TuneProgress, TuneResult } from '../../runtime-host/protocol/tune';
import { h, icon, setStyle } from '../dom';
import { formatShortMs, formatUsd } from '../model/format';
import { layoutTuneChart, type TuneChartLayout } from '../model/tune-chart';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface TuneViewState {
  result?: TuneResult;
  /** The latest progress of a tune still running. */
  progress?: TuneProgress;
}

function svg(tag: string, attrs: Record<string, string | number>, ...children: (SVGElement | string | null)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export function renderTune(state: TuneViewState): HTMLElement {
  const parts: (HTMLElement | null)[] = [];
  if (state.progress) parts.push(renderProgress(state.progress));
  if (state.result) {
    parts.push(
      renderHeading(state.result),
      renderChart(layoutTuneChart(state.result)),
      renderTable(state.result),
      h('p', { class: 'tune-note' }, icon('info'), ' ', state.result.note),
    );
  } else if (!state.progress) {
    parts.push(
      h(
        'div',
        { class: 'empty' },
        icon('dashboard'),
        h('p', null, 'No tune yet. Pick an invocation and choose “Tune with this event”, or run “Lambda Workbench: Tune Memory…”.'),
      ),
    );
  }
  return h('div', { class: 'tune', data: { testid: 'tune-view' } }, parts);
}

function renderProgress(p: TuneProgress): HTMLElement {
  const bar = h('div', { class: 'tune-progress-bar' });
  setStyle(bar, { width: `${Math.round((p.done / Math.max(1, p.total)) * 100)}%` });
  const what = p.run === 0 ? 'cold run' : `run ${p.run}/${p.runs}`;
  return h(
    'div',
    { class: 'tune-progress', data: { testid: 'tune-progress' } },
    h('span', null, `Tuning ${p.functionName}: ${p.memorySizeMB} MB ${what} (${p.done} of ${p.total})`),
    h('div', { class: 'tune-progress-track' }, bar),
  );
}

function renderHeading(r: TuneResult): HTMLElement {
  const best = [
    r.cheapestMemorySizeMB !== undefined ? `cheapest ${r.cheapestMemorySizeMB} MB` : null,
    r.fastestMemorySizeMB !== undefined ? `fastest ${r.fastestMemorySizeMB} MB` : null,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'tune-head' },
    h('h2', { data: { testid: 'tune-function' } }, r.functionName),
    h('span', { class: 'tag' }, r.runtime),
    h('span', { class: 'muted' }, `${r.runsPerSize} measured run(s) per size after one cold run · ${r.pricesRegion} prices`),
    best.length ? h('span', { class: 'tune-best', data: { testid: 'tune-best' } }, best.join(' · ')) : null,
  );
}

function renderChart(layout: TuneChartLayout): HTMLElement {
  const { plot, size } = layout;
  const root = svg('svg', {
    class: 'tune-chart',
    viewBox: `0 0 ${size.width} ${size.height}`,
    role: 'img',
    'aria-label': 'Duration and cost per memory size',
    'data-testid': 'tune-chart',
  });
  for (const t of layout.durationTicks) {
    root.appendChild(svg('line', { class: 'tune-grid', x1: plot.left, x2: plot.right, y1: t.y, y2: t.y }));
    root.appendChild(svg('text', { class: 'tune-axis', x: plot.left - 6, y: t.y + 4, 'text-anchor': 'end' }, t.label));
  }
  for (const t of layout.costTicks) root.appendChild(svg('text', { class: 'tune-axis cost', x: plot.right + 6, y: t.y + 4, 'text-anchor': 'start' }, t.label));
  root.appendChild(svg('text', { class: 'tune-axis-title', x: 4, y: 14 }, 'duration p50 (bar) · p90 (whisker)'));
  root.appendChild(svg('text', { class: 'tune-axis-title cost', x: size.width - 4, y: 14, 'text-anchor': 'end' }, '$ per 1M invocations'));
  root.appendChild(svg('line', { class: 'tune-baseline', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));

  for (const c of layout.columns) {
    const group = svg('g', { class: 'tune-column', 'data-memory': c.memorySizeMB, 'data-marks': c.marks.join(' ') }, svg('title', {}, c.title));
    if (c.p50Y !== undefined && c.p90Y !== undefined) {
      const marked = c.marks.length ? ` ${c.marks.join(' ')}` : '';
      group.appendChild(svg('rect', { class: `tune-bar${marked}`, x: c.barX, y: c.p50Y, width: c.barWidth, height: Math.max(1, plot.bottom - c.p50Y), rx: 2 }));
      group.appendChild(svg('line', { class: 'tune-whisker', x1: c.x, x2: c.x, y1: c.p50Y, y2: c.p90Y }));
      group.appendChild(svg('line', { class: 'tune-whisker', x1: c.x - 6, x2: c.x + 6, y1: c.p90Y, y2: c.p90Y }));
      const top = Math.min(c.p90Y, c.p50Y);
      c.marks.forEach((mark, i) =>
        group.appendChild(
          svg(
            'text',
            { class: `tune-mark ${mark}`, x: c.x, y: Math.max(plot.top - 4, top - 8 - i * 13), 'text-anchor': 'middle', 'data-testid': `tune-mark-${mark}` },
            mark,
          ),
        ),
      );
    } else {
      group.appendChild(svg('text', { class: 'tune-failed', x: c.x, y: plot.bottom - 8, 'text-anchor': 'middle' }, `✕ ${c.failed ?? 'failed'}`));
    }
    group.appendChild(svg('text', { class: 'tune-axis size', x: c.x, y: plot.bottom + 18, 'text-anchor': 'middle' }, `${c.memorySizeMB} MB`));
    root.appendChild(group);
  }

  for (const arch of ['x86_64', 'arm64'] as const) {
    const points = layout.costLines[arch];
    if (points.length === 0) continue;
    root.appendChild(svg('polyline', { class: `tune-cost ${arch}`, points: points.map((p) => `${p.x},${p.y}`).join(' ') }));
    for (const p of points)
      root.appendChild(
        svg('circle', { class: `tune-cost-point ${arch}`, cx: p.x, cy: p.y, r: 3.5 }, svg('title', {}, `${arch}: $${p.usd.toFixed(2)} per million`)),
      );
  }
  const legendY = size.height - 8;
  const legend = (x: number, cls: string, text: string) => [
    svg('rect', { class: `tune-legend ${cls}`, x, y: legendY - 9, width: 14, height: 9, rx: 1 }),
    svg('text', { class: 'tune-axis', x: x + 18, y: legendY }, text),
  ];
  for (const el of [
    ...legend(plot.left, 'duration', 'duration'),
    ...legend(plot.left + 100, 'x86_64', 'cost x86_64'),
    ...legend(plot.left + 210, 'arm64', 'cost arm64'),
  ])
    root.appendChild(el);
  const wrap = h('div', { class: 'tune-chart-wrap' });
  wrap.appendChild(root);
  return wrap;
}

function renderTable(r: TuneResult): HTMLElement {
  return h(
    'table',
    { class: 'summary tune-table', data: { testid: 'tune-table' } },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Memory', 'p50', 'p90', 'Billed (mean)', 'x86 $/invocation', 'x86 $/1M', 'arm $/invocation', 'arm $/1M', 'Max memory', 'Cold run', ''].map((t) =>
          h('th', null, t),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      r.sizes.map((s) => {
        const marks = [s.memorySizeMB === r.cheapestMemorySizeMB ? 'cheapest' : '', s.memorySizeMB === r.fastestMemorySizeMB ? 'fastest' : ''].filter(Boolean);
        const ran = s.runs > 0;
        return h(
          'tr',
          { data: { memory: s.memorySizeMB, marks: marks.join(' ') } },
          h('td', null, `${s.memorySizeMB} MB`),
          h('td', { data: { col: 'p50' } }, ran ? formatShortMs(s.durationP50Ms) : '—'),
          h('td', { data: { col: 'p90' } }, ran ? formatShortMs(s.durationP90Ms) : '—'),
          h('td', { data: { col: 'billed' } }, ran ? `${s.billedDurationMs} ms` : '—'),
          h('td', { data: { col: 'x86' } }, ran ? formatUsd(s.costPerInvocationUsd.x86_64) : '—'),
          h('td', { data: { col: 'x86m' } }, ran ? `$${s.costPerMillionUsd.x86_64.toFixed(2)}` : '—'),
          h('td', { data: { col: 'arm' } }, ran ? formatUsd(s.costPerInvocationUsd.arm64) : '—'),
          h('td', { data: { col: 'armm' } }, ran ? `$${s.costPerMillionUsd.arm64.toFixed(2)}` : '—'),
          h('td', null, `${s.maxMemoryUsedMB} MB`),
          h('td', null, s.cold ? `${formatShortMs(s.cold.durationMs)} + init ${formatShortMs(s.cold.initDurationMs)}` : '—'),
          h(
            'td',
            { class: s.error ? 'bad' : '' },
            marks.map((m) => h('span', { class: `tag ${m}` }, m)),
            s.error ? `${s.error.failedRuns} failed: ${s.error.errorType}` : null,
          ),
        );
      }),
    ),
  );
}
