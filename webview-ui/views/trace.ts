// Draws one trace: the waterfall (every record of the chain on one time axis, nested by parent, each
// AWS call a span under the invocation that made it; failures red) and the graph of functions and
// resources as SVG. Geometry goes through attributes and `setStyle`, never a style attribute (CSP).
import { h, icon, setStyle } from '../dom';
import { formatShortMs } from '../model/format';
import { STATUS_LABEL } from '../model/records';
import type { GraphLayout, NodeKind, TraceLayout, TraceRow } from '../model/trace';
import { renderAxis, spanPlacer } from './timeline';

const SVG = 'http://www.w3.org/2000/svg';

const NODE_CAPTION: Record<NodeKind, string> = {
  function: 'function',
  bucket: 'S3 bucket',
  queue: 'SQS queue',
  topic: 'SNS topic',
  stream: 'stream',
  api: 'API',
  table: 'DynamoDB table',
  bus: 'EventBridge bus',
  service: 'AWS service',
  client: 'caller',
};

export function renderTrace(layout: TraceLayout, graph: GraphLayout, selectedId: string, onSelect: (id: string) => void): HTMLElement {
  const summary = h(
    'div',
    { class: 'tr-summary' },
    h('code', { data: { testid: 'trace-id' }, title: 'Trace id (X-Ray Root)' }, layout.traceId),
    ` · ${layout.recordCount} record${layout.recordCount === 1 ? '' : 's'} · ${layout.spanCount} AWS call${layout.spanCount === 1 ? '' : 's'} · ${formatShortMs(layout.totalMs)}`,
    layout.failed ? h('span', { class: 'tr-failed-note' }, ' · ', icon('error'), ' something failed') : null,
  );
  return h(
    'div',
    { class: 'trace', data: { testid: 'trace', traceId: layout.traceId } },
    summary,
    renderWaterfall(layout, selectedId, onSelect),
    graph.nodes.length > 0 ? renderGraph(graph) : null,
  );
}

function renderWaterfall(layout: TraceLayout, selectedId: string, onSelect: (id: string) => void): HTMLElement {
  const pos = spanPlacer(layout.totalMs);
  const axis = renderAxis(layout.ticks, layout.totalMs);
  const rows = layout.rows.map((row) => {
    const track = h('div', { class: 'tl-track' });
    const label = rowLabel(row, onSelect);
    setStyle(label, { 'padding-left': `${row.depth * 14}px` });
    if (row.type === 'record') {
      for (const p of row.phases) {
        track.appendChild(
          pos(
            h('div', { class: `tl-phase tl-${p.kind}`, title: `${p.kind}: ${formatShortMs(p.endMs - p.startMs)} (at +${formatShortMs(p.startMs)})` }),
            p.startMs,
            p.endMs,
          ),
        );
      }
    } else {
      track.appendChild(
        pos(
          h('div', {
            class: `tr-span${row.failed ? ' failed' : ''}`,
            title: `${row.service} ${row.operation}${row.resource ? ` ${row.resource}` : ''} → ${row.status}${row.errorCode ? ` ${row.errorCode}` : ''} · ${formatShortMs(row.endMs - row.startMs)} (at +${formatShortMs(row.startMs)})`,
          }),
          row.startMs,
          row.endMs,
        ),
      );
    }
    const failed = row.type === 'span' ? row.failed : row.status === 'error' || row.status === 'timeout' || row.status === 'outOfMemory';
    return h(
      'div',
      {
        class: `tl-row tr-row tr-${row.type}-row${failed ? ' failed' : ''}${row.type === 'record' && row.recordId === selectedId ? ' selected' : ''}`,
        data: {
          testid: 'trace-row',
          type: row.type,
          recordId: row.recordId,
          failed: failed ? 'true' : 'false',
          ...(row.type === 'span' ? { spanId: row.spanId, operation: row.operation } : { status: row.status }),
        },
      },
      label,
      track,
    );
  });
  return h(
    'div',
    { class: 'timeline tr-waterfall', data: { testid: 'trace-waterfall', totalMs: layout.totalMs } },
    h('div', { class: 'tl-grid' }, h('div', { class: 'tl-label-spacer' }), axis),
    rows,
  );
}

function rowLabel(row: TraceRow, onSelect: (id: string) => void): HTMLElement {
  if (row.type === 'span') {
    return h(
      'div',
      { class: 'tl-label tr-span-label', title: `${row.service} ${row.operation}${row.resource ? ` ${row.resource}` : ''} → ${row.status}` },
      h('span', { class: `tr-service svc-${row.service}` }, row.service),
      ' ',
      h('span', { class: 'tr-op' }, row.operation),
      row.resource ? h('span', { class: 'tr-resource' }, ` ${row.resource}`) : null,
      ' ',
      h('span', { class: `tr-status${row.failed ? ' failed' : ''}` }, row.errorCode ?? String(row.status)),
    );
  }
  return h(
    'button',
    { class: 'tl-label linklike', attrs: { type: 'button' }, title: `${row.label} — ${STATUS_LABEL[row.status]}`, on: { click: () => onSelect(row.recordId) } },
    h('span', { class: `dot status-${row.status}` }),
    h('span', { class: 'tl-name' }, row.attempt > 0 ? `${row.label} (retry ${row.attempt})` : row.label),
    row.kindLabel ? h('span', { class: 'tag' }, row.kindLabel) : null,
    row.cold ? h('span', { class: 'tag cold' }, 'cold') : null,
  );
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function renderGraph(graph: GraphLayout): HTMLElement {
  const markers = svg(
    'defs',
    {},
    svg(
      'marker',
      { id: 'tg-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'tg-arrow' }),
    ),
    svg(
      'marker',
      { id: 'tg-arrow-failed', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'tg-arrow failed' }),
    ),
  );
  const edges = graph.edges.map((e) => {
    const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const label = `${e.labels.join(', ')}${e.count > 1 ? ` ×${e.count}` : ''}`;
    return svg(
      'g',
      { class: `tg-edge${e.failed ? ' failed' : ''}`, 'data-testid': 'trace-edge', 'data-from': e.from, 'data-to': e.to, 'data-failed': String(e.failed) },
      svg('title', {}, `${e.from} → ${e.to}: ${label}`),
      svg('path', { d, 'marker-end': `url(#${e.failed ? 'tg-arrow-failed' : 'tg-arrow'})` }),
      svg('text', { x: e.labelAt.x.toFixed(1), y: e.labelAt.y.toFixed(1), 'text-anchor': 'middle', class: 'tg-edge-label' }, clip(label, 28)),
    );
  });
  const nodes = graph.nodes.map((n) =>
    svg(
      'g',
      {
        class: `tg-node kind-${n.kind}${n.failed ? ' failed' : ''}`,
        'data-testid': 'trace-node',
        'data-node-id': n.id,
        'data-kind': n.kind,
        'data-failed': String(n.failed),
      },
      svg('title', {}, `${NODE_CAPTION[n.kind]} ${n.label}`),
      svg('rect', { x: n.x, y: n.y, width: n.width, height: n.height, rx: n.kind === 'function' ? 4 : 14 }),
      svg('text', { x: n.x + 10, y: n.y + 14, class: 'tg-name' }, clip(n.label, 20)),
      svg('text', { x: n.x + 10, y: n.y + 27, class: 'tg-caption' }, NODE_CAPTION[n.kind]),
    ),
  );
  const root = svg(
    'svg',
    {
      viewBox: `0 0 ${graph.width} ${graph.height}`,
      width: graph.width,
      height: graph.height,
      role: 'img',
      'aria-label': 'Functions and resources of this trace',
    },
    markers,
    ...edges,
    ...nodes,
  );
  return h('div', { class: 'tr-graph', data: { testid: 'trace-graph' } }, root);
}
