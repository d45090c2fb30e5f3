// The per-function summary table.
import { h, icon } from '../dom';
import { formatMs, formatPercent } from '../model/format';
import type { FunctionSummary } from '../model/summary';

export function renderSummary(summaries: readonly FunctionSummary[], onFilter: (functionName: string) => void): HTMLElement {
  if (summaries.length === 0) return h('div', { class: 'empty' }, icon('graph'), h('p', null, 'No finished invocations yet.'));
  return h(
    'table',
    { class: 'summary', data: { testid: 'summary' } },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Function', 'Invocations', 'Error rate', 'p50', 'p95', 'Cold starts', 'Avg init', 'Memory high-water'].map((t) => h('th', null, t)),
      ),
    ),
    h(
      'tbody',
      null,
      summaries.map((s) =>
        h(
          'tr',
          { data: { function: s.functionName } },
          h(
            'td',
            null,
            h(
              'button',
              { class: 'linklike', attrs: { type: 'button' }, title: 'Show its invocations', on: { click: () => onFilter(s.functionName) } },
              s.functionName,
            ),
            s.notEmulated
              ? h(
                  'div',
                  { class: 'hint too-small', data: { testid: 'not-emulated' }, title: s.notEmulated.join('\n') },
                  icon('warning'),
                  ` ${s.notEmulated.length} not emulated locally`,
                )
              : null,
          ),
          h('td', { data: { col: 'invocations' } }, String(s.invocations)),
          h('td', { data: { col: 'errorRate' }, class: s.errors ? 'bad' : '' }, s.invocations ? `${formatPercent(s.errorRate, 1)} (${s.errors})` : '—'),
          h('td', { data: { col: 'p50' } }, formatMs(s.p50DurationMs)),
          h('td', { data: { col: 'p95' } }, formatMs(s.p95DurationMs)),
          h('td', { data: { col: 'cold' } }, s.invocations ? `${formatPercent(s.coldStartShare)} (${s.coldStarts})` : '—'),
          h('td', { data: { col: 'init' } }, formatMs(s.averageInitMs)),
          h(
            'td',
            { data: { col: 'memory' } },
            `${s.maxMemoryUsedMB ?? '—'} / ${s.memorySizeMB} MB`,
            s.hint
              ? h(
                  'div',
                  { class: `hint ${s.hint.kind}`, data: { testid: 'memory-hint', hint: s.hint.kind } },
                  icon(s.hint.kind === 'too-small' ? 'warning' : 'lightbulb'),
                  ' ',
                  s.hint.message,
                )
              : null,
          ),
        ),
      ),
    ),
  );
}
