// Draws a TimelineLayout: one row per record, phases to scale, the billed span as a bracket.
import { BILLING_RULE_DESCRIPTIONS } from '../../runtime-host/protocol/billing';
import { h, setStyle } from '../dom';
import { formatShortMs } from '../model/format';
import { STATUS_LABEL } from '../model/records';
import { legendOf, percentOf, type TimelineLayout } from '../model/timeline';

const PHASE_LABEL = {
  waiting: 'waiting for an environment',
  queued: 'queued',
  init: 'init',
  invoke: 'invoke',
  running: 'running',
  paused: 'paused in debugger',
  report: 'report',
} as const;

/** Places an element on a track spanning `totalMs`: from `start` to `end` (ms), at least a sliver wide. */
export function spanPlacer(totalMs: number): (el: HTMLElement, start: number, end: number) => HTMLElement {
  return (el, start, end) => {
    setStyle(el, {
      left: `${percentOf(start, totalMs)}%`,
      width: `${Math.max(0.3, percentOf(end, totalMs) - percentOf(start, totalMs))}%`,
    });
    return el;
  };
}

/** The time axis above a track spanning `totalMs`. */
export function renderAxis(ticks: readonly { atMs: number; label: string }[], totalMs: number): HTMLElement {
  const axis = h('div', { class: 'tl-axis' });
  for (const t of ticks) {
    // Labels near the right edge hang left of their tick so they stay inside the track.
    const tick = h('span', { class: percentOf(t.atMs, totalMs) > 92 ? 'tl-tick end' : 'tl-tick' }, t.label);
    setStyle(tick, { left: `${percentOf(t.atMs, totalMs)}%` });
    axis.appendChild(tick);
  }
  return axis;
}

export function renderTimeline(layout: TimelineLayout, onSelect: (id: string) => void): HTMLElement {
  const pos = spanPlacer(layout.totalMs);
  const axis = renderAxis(layout.ticks, layout.totalMs);
  const rows = layout.rows.map((row) => {
    const track = h('div', { class: 'tl-track' });
    for (const p of row.phases) {
      const duration = p.endMs - p.startMs;
      track.appendChild(
        pos(
          h('div', {
            class: `tl-phase tl-${p.kind}`,
            data: { phase: p.kind },
            title: `${PHASE_LABEL[p.kind]}: ${formatShortMs(duration)} (at +${formatShortMs(p.startMs)})`,
          }),
          p.startMs,
          p.endMs,
        ),
      );
    }
    if (row.billed) {
      track.appendChild(
        pos(
          h('div', {
            class: 'tl-billed',
            data: { testid: 'timeline-billed', billedMs: row.billed.billedMs },
            title: `billed ${row.billed.billedMs} ms — ${BILLING_RULE_DESCRIPTIONS[row.billed.rule]}`,
          }),
          row.billed.startMs,
          row.billed.endMs,
        ),
      );
    }
    return h(
      'div',
      { class: `tl-row depth-${row.depth}`, data: { recordId: row.recordId, testid: 'timeline-row' } },
      h(
        'button',
        {
          class: 'tl-label linklike',
          attrs: { type: 'button' },
          title: `${row.label} — ${STATUS_LABEL[row.status]}`,
          on: { click: () => onSelect(row.recordId) },
        },
        h('span', { class: `dot status-${row.status}` }),
        h('span', { class: 'tl-name' }, row.label),
        row.cold ? h('span', { class: 'tag cold' }, 'cold') : null,
      ),
      track,
    );
  });
  const keys = legendOf(layout);
  const legend = h(
    'div',
    { class: 'tl-legend', data: { testid: 'timeline-legend' } },
    keys.kinds.map((k) => h('span', { class: 'tl-key', data: { phase: k } }, h('span', { class: `tl-swatch tl-${k}` }), PHASE_LABEL[k])),
    keys.billed ? h('span', { class: 'tl-key' }, h('span', { class: 'tl-swatch tl-billed-swatch' }), 'billed') : null,
  );
  return h(
    'div',
    { class: 'timeline', data: { testid: 'timeline', totalMs: layout.totalMs } },
    h('div', { class: 'tl-grid' }, h('div', { class: 'tl-label-spacer' }), axis),
    rows,
    legend,
  );
}
