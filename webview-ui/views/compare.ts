// Two invocations side by side: numbers, event, result.
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { button, h } from '../dom';
import { recordBilledMs } from '../model/cost';
import { formatMs } from '../model/format';
import { eventBlock, jsonBlock, safeStringify } from './json';
import { statusBadge } from './detail';

export function renderCompare(a: InvocationRecord, b: InvocationRecord, onClose: () => void, onSelect: (id: string) => void): HTMLElement {
  const rows: [string, (r: InvocationRecord) => string][] = [
    ['Function', (r) => r.functionName],
    ['Start', (r) => (r.cold ? 'cold' : 'warm')],
    ['Duration', (r) => formatMs(r.durationMs)],
    [
      'Billed duration',
      (r) => {
        const ms = recordBilledMs(r);
        return ms === undefined ? '—' : `${ms} ms`;
      },
    ],
    ['Init duration', (r) => formatMs(r.initDurationMs)],
    ['Max memory used', (r) => `${r.maxMemoryUsedMB ?? '—'} of ${r.memorySizeMB} MB`],
    ['Trigger', (r) => r.trigger],
    ['Queued at', (r) => new Date(r.timestamps.queuedAt).toISOString()],
  ];
  // A brief record's event is being fetched: its preview says nothing about the rest.
  const sameEvent = !a.omitted && !b.omitted && safeStringify(a.event) === safeStringify(b.event);
  const sameResult = safeStringify(a.result ?? a.error) === safeStringify(b.result ?? b.error);
  const column = (r: InvocationRecord, side: string) =>
    h(
      'div',
      { class: 'compare-col', data: { side } },
      h('button', { class: 'linklike', attrs: { type: 'button' }, on: { click: () => onSelect(r.id) } }, h('code', null, r.id)),
      eventBlock(sameEvent ? 'Event (same)' : 'Event', r, `compare-event-${side}`),
      r.error
        ? jsonBlock(sameResult ? 'Error (same)' : 'Error', r.error, `compare-result-${side}`)
        : jsonBlock(sameResult ? 'Result (same)' : 'Result', r.result ?? null, `compare-result-${side}`),
    );
  return h(
    'div',
    { class: 'compare', data: { testid: 'compare' } },
    h(
      'div',
      { class: 'detail-head' },
      h('div', { class: 'detail-title' }, h('h2', null, 'Compare'), statusBadge(a.status), h('span', null, 'vs'), statusBadge(b.status)),
      button('Close', 'close', onClose, { secondary: true, testId: 'compare-close' }),
    ),
    h(
      'table',
      { class: 'compare-table' },
      h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'A'), h('th', null, 'B'))),
      h(
        'tbody',
        null,
        rows.map(([label, f]) => h('tr', { class: f(a) === f(b) ? '' : 'differs' }, h('th', null, label), h('td', null, f(a)), h('td', null, f(b)))),
      ),
    ),
    h('div', { class: 'compare-cols' }, column(a, 'a'), column(b, 'b')),
  );
}
