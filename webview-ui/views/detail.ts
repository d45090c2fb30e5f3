// One invocation in full: header, actions, timeline, numbers, event/result/error, HTTP, logs, children.
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { button, h, icon, setStyle } from '../dom';
import { costOf } from '../model/cost';
import { formatBytes, formatMs, formatPercent, formatShortMs, formatUsd } from '../model/format';
import { formatHttpRequest, formatHttpResponse } from '../model/http';
import { classifyLogLine } from '../model/logs';
import { KIND_LABEL, STATUS_LABEL } from '../model/records';
import { describeSandbox } from '../model/sandbox';
import { layoutTimeline } from '../model/timeline';
import { copyButton, eventBlock, jsonBlock, safeStringify } from './json';
import { renderTimeline } from './timeline';

export interface DetailActions {
  select(id: string): void;
  rerun(record: InvocationRecord): void;
  editAndRun(record: InvocationRecord): void;
  saveEvent(record: InvocationRecord): void;
  /** Absent in the browser: debugging needs the editor. */
  debug?(record: InvocationRecord): void;
  startCompare(record: InvocationRecord): void;
  /** "Tune with this event": the memory tuner on this record's function and event. */
  tune(record: InvocationRecord): void;
  /** A durable execution's record, or one of its invocations: show the execution in the Executions view. */
  openExecution?(arn: string): void;
}

export function statusBadge(status: InvocationRecord['status']): HTMLElement {
  return h('span', { class: `badge status-${status}`, data: { status } }, STATUS_LABEL[status]);
}

/** `trace`: the chain this record belongs to (views/trace.ts), when it has more than this record in it. */
export function renderDetail(
  record: InvocationRecord,
  children: readonly InvocationRecord[],
  actions: DetailActions,
  nowAt: number,
  trace?: HTMLElement,
): HTMLElement {
  const isInvocation = record.kind === 'invocation';
  const header = h(
    'div',
    { class: 'detail-head' },
    h(
      'div',
      { class: 'detail-title' },
      h('h2', { data: { testid: 'detail-function' } }, record.functionName),
      statusBadge(record.status),
      isInvocation
        ? h(
            'span',
            { class: `tag ${record.cold ? 'cold' : 'warm'}`, data: { testid: 'detail-start' } },
            record.cold ? 'cold start' : record.initializationType ? 'warm (provisioned concurrency)' : 'warm',
          )
        : h('span', { class: 'tag', data: { testid: 'detail-kind' } }, KIND_LABEL[record.kind]),
      record.kind === 'provisioned-init' && record.initDurationMs !== undefined
        ? h('span', { class: 'muted', data: { testid: 'detail-init' } }, `Init Duration: ${record.initDurationMs.toFixed(2)} ms`)
        : null,
      h('span', { class: 'tag' }, record.trigger),
      ruleTag(record),
      record.attempt ? h('span', { class: 'tag retry' }, `retry ${record.attempt}`) : null,
    ),
    h(
      'div',
      { class: 'detail-meta' },
      h('span', { title: 'Record id' }, icon('key'), ' ', h('code', { data: { testid: 'detail-id' } }, record.id)),
      h('span', null, icon('clock'), ' ', new Date(record.timestamps.queuedAt).toISOString()),
      record.traceId
        ? h('span', { title: 'Trace id (X-Ray Root)' }, icon('type-hierarchy'), ' ', h('code', { data: { testid: 'detail-trace-id' } }, record.traceId))
        : null,
      isInvocation
        ? h(
            'span',
            null,
            icon('server-process'),
            ` ${record.runtime} · ${record.architecture} · ${record.memorySizeMB} MB · ${record.timeoutSeconds} s timeout`,
          )
        : null,
      record.parentId
        ? h(
            'button',
            { class: 'linklike', attrs: { type: 'button' }, on: { click: () => actions.select(record.parentId as string) } },
            icon('arrow-up'),
            ' parent record',
          )
        : null,
    ),
  );

  const actionBar = isInvocation
    ? h(
        'div',
        { class: 'actions' },
        button('Re-run', 'debug-rerun', () => actions.rerun(record), { testId: 'action-rerun', title: 'Run again with the same event' }),
        button('Edit event & run', 'edit', () => actions.editAndRun(record), { secondary: true, testId: 'action-edit' }),
        button('Save event', 'save', () => actions.saveEvent(record), { secondary: true, testId: 'action-save' }),
        actions.debug ? button('Debug with this event', 'debug-alt', () => actions.debug?.(record), { secondary: true, testId: 'action-debug' }) : null,
        button('Tune with this event', 'dashboard', () => actions.tune(record), {
          secondary: true,
          testId: 'action-tune',
          title: 'Run this function with this event at several memory sizes: duration and cost of each',
        }),
        button('Compare…', 'diff', () => actions.startCompare(record), {
          secondary: true,
          testId: 'action-compare',
          title: 'Pick another invocation to compare side by side',
        }),
      )
    : null;

  const executionArn = typeof record.source?.durableExecutionArn === 'string' ? record.source.durableExecutionArn : undefined;
  const executionBar =
    executionArn && actions.openExecution
      ? h(
          'div',
          { class: 'actions' },
          button('Open execution', 'debug-step-over', () => actions.openExecution?.(executionArn), {
            secondary: !isInvocation,
            testId: 'action-open-execution',
            title: 'This invocation is part of a durable execution: show the execution across its invocations',
          }),
        )
      : null;

  const sections: (HTMLElement | null)[] = [
    section('Timeline', renderTimeline(layoutTimeline(record, children, nowAt), actions.select)),
    trace ? section('Trace', trace) : null,
    isInvocation ? section('Numbers', renderNumbers(record)) : null,
    record.http ? renderHttp(record) : null,
    record.kind === 'provisioned-init' ? null : eventBlock('Event', record, 'detail-event'),
    record.error ? renderError(record) : record.result !== undefined ? jsonBlock('Result', record.result, 'detail-result', record.truncated?.result) : null,
    record.source ? jsonBlock('Source', record.source, 'detail-source') : null,
    children.length ? section(`Caused ${children.length} invocation${children.length === 1 ? '' : 's'}`, renderChildren(children, actions.select)) : null,
    isInvocation || record.logs.length ? renderLogs(record) : null,
  ];
  return h('div', { class: 'detail', data: { testid: 'detail', recordId: record.id } }, header, actionBar, executionBar, sections);
}

/** EventBridge: the rules an event matched, or the rule that delivered an invocation. */
function ruleTag(record: InvocationRecord): HTMLElement | null {
  const rules = record.rules ?? (typeof record.source?.rule === 'string' ? [record.source.rule] : []);
  if (record.kind === 'eventbridge-event' && rules.length === 0)
    return h('span', { class: 'tag', data: { testid: 'detail-rules' }, title: 'No rule of the bus matched this event' }, 'no rule matched');
  if (rules.length === 0) return null;
  return h(
    'span',
    { class: 'tag', data: { testid: 'detail-rules' }, title: 'EventBridge rules that matched' },
    `rule${rules.length > 1 ? 's' : ''}: ${rules.join(', ')}`,
  );
}

function section(title: string, body: HTMLElement): HTMLElement {
  return h('section', { class: 'block' }, h('div', { class: 'block-head' }, h('h3', null, title)), body);
}

function numberCell(label: string, value: string | HTMLElement, testId: string, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'num' },
    h('div', { class: 'num-label' }, label),
    h('div', { class: 'num-value', data: { testid: testId } }, value),
    note ? h('div', { class: 'num-note' }, note) : null,
  );
}

export function renderNumbers(record: InvocationRecord): HTMLElement {
  const cost = costOf(record);
  const used = record.maxMemoryUsedMB;
  const memBar = h('div', { class: 'mem-bar', title: used === undefined ? 'not measured' : `${used} of ${record.memorySizeMB} MB` });
  const fill = h('div', { class: `mem-fill${used !== undefined && used >= record.memorySizeMB * 0.9 ? ' high' : ''}` });
  setStyle(fill, { width: `${used === undefined ? 0 : Math.min(100, (used / record.memorySizeMB) * 100)}%` });
  memBar.appendChild(fill);
  const grid = h(
    'div',
    { class: 'numbers' },
    numberCell(
      'Duration',
      formatMs(record.durationMs),
      'num-duration',
      record.pausedMs ? `+ ${formatShortMs(record.pausedMs)} paused in debugger (not counted)` : undefined,
    ),
    numberCell(
      'Billed duration',
      record.billedDurationMs !== undefined ? `${record.billedDurationMs} ms` : cost ? `${cost.billedMs} ms` : '—',
      'num-billed',
      cost ? `${cost.rule}: ${cost.ruleDescription}` : record.billingRule,
    ),
    record.queuedMs !== undefined
      ? numberCell('Queued', formatMs(record.queuedMs), 'num-queued', 'waited for a free environment in the host; not billed, not part of Init Duration')
      : null,
    record.sandbox ? renderSandboxCell(record) : null,
    record.runtimeNotice
      ? numberCell('Runtime', h('span', { data: { testid: 'num-runtime-notice' } }, 'local interpreter differs'), 'num-runtime', record.runtimeNotice)
      : null,
    record.initPhase === 'invoke'
      ? numberCell(
          'Init duration',
          'inside Duration',
          'num-init',
          'The init phase failed or passed 10 s, so init ran again inside this invocation, under its timeout (a suppressed init).',
        )
      : numberCell(
          'Init duration',
          record.initDurationMs !== undefined ? formatMs(record.initDurationMs) : record.cold ? '—' : 'warm start (no init)',
          'num-init',
        ),
    numberCell(
      'Memory',
      h('div', null, h('span', { data: { testid: 'num-memory-text' } }, `${used ?? '—'} of ${record.memorySizeMB} MB`), memBar),
      'num-memory',
      used !== undefined ? `${formatPercent(used / record.memorySizeMB)} of memory size used at peak` : undefined,
    ),
  );
  const warning = record.sandbox ? describeSandbox(record.sandbox).warning : undefined;
  const note = warning ? h('div', { class: 'sandbox-warning', data: { testid: 'sandbox-warning' } }, icon('warning'), ' ', warning) : null;
  if (!cost) return note ? h('div', null, note, grid) : grid;
  const table = h(
    'table',
    { class: 'cost', data: { testid: 'cost-table' } },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, 'Architecture'), h('th', null, 'This invocation'), h('th', null, '1 M / month'), h('th', null, 'after free tier')),
    ),
    h(
      'tbody',
      null,
      cost.architectures.map((a, i) =>
        h(
          'tr',
          { data: { arch: a.architecture }, class: i === 0 ? 'current' : '' },
          h('td', null, a.architecture, i === 0 ? h('span', { class: 'tag' }, 'this function') : null),
          h('td', { data: { testid: `cost-invocation-${a.architecture}` } }, formatUsd(a.invocationUsd)),
          h('td', { data: { testid: `cost-million-${a.architecture}` } }, formatUsd(a.perMillionMonthlyUsd)),
          h('td', null, formatUsd(a.perMillionMonthlyAfterFreeTierUsd)),
        ),
      ),
    ),
  );
  return h(
    'div',
    null,
    note,
    grid,
    h(
      'div',
      { class: 'cost-wrap' },
      table,
      h('div', { class: 'num-note' }, `At ${cost.billedMs} ms billed and ${cost.memorySizeMB} MB; us-east-1 prices, requests included.`),
    ),
  );
}

/** Which sandbox ran the invocation and what it enforced, so the numbers can be read for what they are. */
function renderSandboxCell(record: InvocationRecord): HTMLElement {
  const summary = describeSandbox(record.sandbox!);
  return numberCell('Sandbox', h('span', { data: { testid: 'num-sandbox-kind' } }, summary.label), 'num-sandbox', summary.limits.join(' · '));
}

function renderError(record: InvocationRecord): HTMLElement {
  const err = record.error!;
  return h(
    'section',
    { class: 'block error-block', data: { testid: 'detail-error' } },
    h(
      'div',
      { class: 'block-head' },
      h('h3', null, 'Error'),
      copyButton(() => safeStringify(err), 'Copy error'),
    ),
    h('div', { class: 'error-title' }, icon('error'), ' ', h('strong', null, err.errorType), ': ', err.errorMessage),
    err.trace.length ? h('pre', { class: 'trace' }, err.trace.join('\n')) : null,
  );
}

function renderHttp(record: InvocationRecord): HTMLElement {
  const http = record.http!;
  const request = formatHttpRequest(http);
  const response = formatHttpResponse(http);
  return h(
    'section',
    { class: 'block', data: { testid: 'detail-http' } },
    h(
      'div',
      { class: 'block-head' },
      h('h3', null, `HTTP (${http.api === 'rest' ? 'REST API, payload 1.0' : http.api === 'http' ? 'HTTP API, payload 2.0' : 'function URL'})`),
    ),
    h(
      'div',
      { class: 'http' },
      h(
        'div',
        null,
        h(
          'div',
          { class: 'block-head' },
          h('h4', null, 'Request'),
          copyButton(() => request, 'Copy request'),
        ),
        h('pre', { class: 'http-text' }, request),
      ),
      h(
        'div',
        null,
        h('div', { class: 'block-head' }, h('h4', null, 'Response'), response ? copyButton(() => response, 'Copy response') : null),
        h('pre', { class: 'http-text' }, response ?? '(no response yet)'),
      ),
    ),
  );
}

function renderChildren(children: readonly InvocationRecord[], select: (id: string) => void): HTMLElement {
  return h(
    'ul',
    { class: 'children' },
    children.map((c) =>
      h(
        'li',
        null,
        h(
          'button',
          { class: 'linklike', attrs: { type: 'button' }, data: { recordId: c.id }, on: { click: () => select(c.id) } },
          statusBadge(c.status),
          ` ${c.functionName}`,
          c.attempt ? ` · retry ${c.attempt}` : '',
          c.durationMs !== undefined ? ` · ${formatShortMs(c.durationMs)}` : '',
        ),
      ),
    ),
  );
}

export function renderLogs(record: InvocationRecord): HTMLElement {
  const lines = record.logs.map((raw) => {
    const line = classifyLogLine(raw);
    if (line.kind === 'platform') {
      return h('div', { class: `log platform p-${(line.platform ?? '').toLowerCase()}`, data: { platform: line.platform } }, line.raw);
    }
    return h(
      'div',
      { class: `log app${line.level ? ` lvl-${line.level.toLowerCase()}` : ''}`, data: { level: line.level } },
      line.timestamp ? h('span', { class: 'log-ts' }, line.timestamp) : null,
      line.level ? h('span', { class: 'log-lvl' }, line.level) : null,
      h('span', { class: 'log-msg' }, line.message),
    );
  });
  return h(
    'section',
    { class: 'block', data: { testid: 'detail-logs' } },
    h(
      'div',
      { class: 'block-head' },
      h('h3', null, `Logs (${record.logs.length})`),
      record.truncated?.logs !== undefined
        ? h(
            'span',
            { class: 'tag truncated', data: { testid: 'detail-logs-truncated' } },
            `truncated, ${record.truncated.logs} bytes (${formatBytes(record.truncated.logs)}): first and last lines kept`,
          )
        : null,
      copyButton(() => record.logs.join('\n'), 'Copy logs'),
    ),
    h(
      'div',
      { class: 'logs' },
      lines.length ? lines : h('div', { class: 'muted' }, record.status === 'running' || record.status === 'queued' ? 'waiting for output…' : 'no log lines'),
    ),
  );
}
