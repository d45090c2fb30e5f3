// One trace (every record sharing a trace root) as the panel draws it: a waterfall of every record on
// one time axis, nested by parent, with each AWS call an invocation made as a span under it; and a
// small graph of the functions and resources involved (nodes) and the calls and deliveries between
// them (edges), laid out in columns from cause to effect. Pure: times are epoch ms in, axis ms out.
import type { InvocationRecord, ServiceCallSpan } from '../../runtime-host/protocol/records';
import { KIND_LABEL } from './records';
import { axisTicks, timelineRow, type PhaseSpan, type TimelineTick } from './timeline';

export interface TraceRecordRow {
  type: 'record';
  recordId: string;
  label: string;
  /** What the record is when it is not an invocation (`S3 event`, `SNS publish`…). */
  kindLabel?: string;
  depth: number;
  status: InvocationRecord['status'];
  cold: boolean;
  attempt: number;
  phases: PhaseSpan[];
}

export interface TraceSpanRow {
  type: 'span';
  spanId: string;
  /** The record that made the call (selecting the row selects it). */
  recordId: string;
  depth: number;
  service: string;
  operation: string;
  resource?: string;
  status: number;
  errorCode?: string;
  failed: boolean;
  startMs: number;
  endMs: number;
}

export type TraceRow = TraceRecordRow | TraceSpanRow;

export interface TraceLayout {
  traceId: string;
  /** Epoch ms of the axis origin (the earliest thing in the trace). */
  originAt: number;
  totalMs: number;
  rows: TraceRow[];
  ticks: TimelineTick[];
  /** Records and calls in the trace (a count line above the waterfall). */
  recordCount: number;
  spanCount: number;
  failed: boolean;
}

const byStart = (a: { at: number; tie: string }, b: { at: number; tie: string }) => a.at - b.at || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0);

export function spanFailed(span: ServiceCallSpan): boolean {
  return span.status >= 400 || span.errorCode !== undefined;
}

/**
 * @param nowAt epoch ms used as the end of records still running.
 */
export function layoutTrace(traceId: string, records: readonly InvocationRecord[], nowAt: number): TraceLayout {
  const inTrace = records.filter((r) => r.traceId === traceId);
  const ids = new Set(inTrace.map((r) => r.id));
  const children = new Map<string, InvocationRecord[]>();
  const roots: InvocationRecord[] = [];
  for (const r of inTrace) {
    if (r.parentId !== undefined && ids.has(r.parentId) && r.parentId !== r.id) {
      const list = children.get(r.parentId) ?? [];
      list.push(r);
      children.set(r.parentId, list);
    } else roots.push(r);
  }
  let originAt = Number.POSITIVE_INFINITY;
  for (const r of inTrace) {
    originAt = Math.min(originAt, r.timestamps.queuedAt);
    for (const s of r.serviceCalls ?? []) originAt = Math.min(originAt, s.startAt);
  }
  if (!Number.isFinite(originAt)) originAt = nowAt;

  const rows: TraceRow[] = [];
  const seen = new Set<string>();
  let spanCount = 0;
  let failed = false;
  const visit = (r: InvocationRecord, depth: number) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    const base = timelineRow(r, 0, originAt, nowAt);
    rows.push({
      type: 'record',
      recordId: r.id,
      // An EventBridge event names the rules it matched.
      label: r.rules?.length ? `${r.functionName} → ${r.rules.join(', ')}` : r.functionName,
      ...(r.kind !== 'invocation' ? { kindLabel: KIND_LABEL[r.kind] ?? r.kind } : {}),
      depth,
      status: r.status,
      cold: r.cold,
      attempt: r.attempt ?? 0,
      phases: base.phases,
    });
    if (r.status === 'error' || r.status === 'timeout' || r.status === 'outOfMemory') failed = true;
    // A service-call record is its call: its one span would only repeat the row.
    const spans = r.kind === 'service-call' ? [] : (r.serviceCalls ?? []);
    const next: { at: number; tie: string; span?: ServiceCallSpan; record?: InvocationRecord }[] = [
      ...spans.map((span) => ({ at: span.startAt, tie: `0${span.id}`, span })),
      ...(children.get(r.id) ?? []).map((record) => ({ at: record.timestamps.queuedAt, tie: `1${record.id}`, record })),
    ].sort(byStart);
    for (const item of next) {
      if (item.span) {
        const span = item.span;
        spanCount++;
        if (spanFailed(span)) failed = true;
        rows.push({
          type: 'span',
          spanId: span.id,
          recordId: r.id,
          depth: depth + 1,
          service: span.service,
          operation: span.operation,
          ...(span.resource !== undefined ? { resource: span.resource } : {}),
          status: span.status,
          ...(span.errorCode !== undefined ? { errorCode: span.errorCode } : {}),
          failed: spanFailed(span),
          startMs: span.startAt - originAt,
          endMs: span.startAt - originAt + Math.max(0, span.durationMs),
        });
      } else if (item.record) visit(item.record, depth + 1);
    }
  };
  for (const r of [...roots].sort((a, b) => byStart({ at: a.timestamps.queuedAt, tie: a.id }, { at: b.timestamps.queuedAt, tie: b.id }))) visit(r, 0);

  let endMs = 0;
  for (const row of rows) {
    if (row.type === 'span') endMs = Math.max(endMs, row.endMs);
    else for (const p of row.phases) endMs = Math.max(endMs, p.endMs);
  }
  const totalMs = Math.max(endMs, 1);
  return { traceId, originAt, totalMs, rows, ticks: axisTicks(totalMs), recordCount: inTrace.length, spanCount, failed };
}

// --- the graph -------------------------------------------------------------------------------

export type NodeKind = 'function' | 'bucket' | 'queue' | 'topic' | 'stream' | 'api' | 'table' | 'bus' | 'service' | 'client';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** A failed invocation of this function, or a failed call to this resource. */
  failed: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The operations (`PutObject`) or deliveries (`S3 event`) along this edge, each once, in order. */
  labels: string[];
  count: number;
  failed: boolean;
}

export interface TraceGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const lastSegment = (text: string, sep: string) => text.slice(text.lastIndexOf(sep) + 1);

/** The resource node an AWS call acts on. */
export function resourceOfSpan(span: ServiceCallSpan): { kind: NodeKind; name: string } {
  const resource = span.resource ?? '';
  switch (span.service) {
    case 's3':
      return { kind: 'bucket', name: resource.split('/')[0] || 's3' };
    case 'sqs':
      return { kind: 'queue', name: lastSegment(lastSegment(resource, '/'), ':') || 'sqs' };
    case 'sns':
      return { kind: 'topic', name: lastSegment(resource, ':') || 'sns' };
    case 'kinesis':
      return { kind: 'stream', name: lastSegment(resource, '/') || 'kinesis' };
    case 'lambda':
      return { kind: 'function', name: lastSegment(resource, ':') || 'lambda' };
    case 'dynamodb':
      return { kind: 'table', name: lastSegment(resource, '/') || 'dynamodb' };
    case 'events':
      return { kind: 'bus', name: resource || 'default' };
    default:
      return { kind: 'service', name: resource ? `${span.service}:${resource}` : span.service };
  }
}

const TRIGGER_KIND: Partial<Record<InvocationRecord['trigger'], NodeKind>> = {
  s3: 'bucket',
  sqs: 'queue',
  sns: 'topic',
  stream: 'stream',
  http: 'api',
  eventbridge: 'bus',
};

/** What a record's `source` calls its resource of this kind (`queue`, `queueName`, `queueUrl`, `queueArn`…), as a bare name. */
function sourceName(r: InvocationRecord, kind: NodeKind): string | undefined {
  for (const key of [kind, `${kind}Name`, `${kind}Url`, `${kind}Arn`]) {
    const value = r.source?.[key];
    if (typeof value === 'string' && value !== '') return lastSegment(lastSegment(value, '/'), ':');
  }
  return undefined;
}

/** The resource a parent record stands for (the bucket of an S3 event, the topic of a publish…); undefined for records that are not a resource. */
function resourceOfRecord(r: InvocationRecord): { kind: NodeKind; name: string } | undefined {
  switch (r.kind) {
    case 'invocation':
    case 'async-invoke':
    case 'service-call':
      return undefined;
    case 's3-event':
      return { kind: 'bucket', name: sourceName(r, 'bucket') ?? r.functionName };
    case 'sns-publish':
      return { kind: 'topic', name: sourceName(r, 'topic') ?? r.functionName };
    case 'stream-batch':
      return { kind: 'stream', name: sourceName(r, 'stream') ?? r.functionName };
    case 'http-request':
      return { kind: 'api', name: sourceName(r, 'api') ?? r.functionName };
    case 'eventbridge-event':
      return { kind: 'bus', name: sourceName(r, 'bus') ?? r.functionName };
    default: {
      // A kind this panel does not know yet (a new event source, e.g. an SQS batch): named by what its source says.
      const kind = TRIGGER_KIND[r.trigger] ?? 'service';
      return { kind, name: sourceName(r, kind) ?? r.functionName };
    }
  }
}

/** The resource an invocation says it was delivered from (`source.queue` of an SQS delivery…), by its trigger. */
function deliveredFrom(r: InvocationRecord): { kind: NodeKind; name: string } | undefined {
  const kind = TRIGGER_KIND[r.trigger];
  if (!kind || kind === 'api') return undefined;
  const name = sourceName(r, kind);
  return name !== undefined ? { kind, name } : undefined;
}

const RECORD_FAILED = new Set<InvocationRecord['status']>(['error', 'timeout', 'outOfMemory']);

export function traceGraph(records: readonly InvocationRecord[]): TraceGraph {
  const byId = new Map(records.map((r) => [r.id, r]));
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const node = (kind: NodeKind, name: string): string => {
    const id = `${kind}:${name}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind, label: name, failed: false });
    return id;
  };
  const edge = (from: string, to: string, label: string, failed: boolean) => {
    const key = `${from}\u0000${to}`;
    const e = edges.get(key) ?? { from, to, labels: [], count: 0, failed: false };
    if (!e.labels.includes(label)) e.labels.push(label);
    e.count++;
    e.failed ||= failed;
    edges.set(key, e);
  };
  /** The node a record is drawn as: its function, its resource, or (async invoke) whatever caused it. */
  const nodeOf = (r: InvocationRecord, depth = 0): string | undefined => {
    if (r.kind === 'invocation') return node('function', r.functionName);
    const resource = resourceOfRecord(r);
    if (resource) return node(resource.kind, resource.name);
    if (r.kind === 'service-call') return node('client', 'outside a function');
    const parent = r.parentId !== undefined ? byId.get(r.parentId) : undefined;
    return parent && depth < 32 ? nodeOf(parent, depth + 1) : undefined;
  };

  const ordered = [...records].sort((a, b) => a.timestamps.queuedAt - b.timestamps.queuedAt);
  for (const r of ordered) {
    const self = nodeOf(r);
    if (r.kind === 'invocation' && RECORD_FAILED.has(r.status)) nodes.get(self!)!.failed = true;
    for (const span of r.serviceCalls ?? []) {
      // An EventBridge event's spans are the bus calling its targets.
      const from = r.kind === 'invocation' || r.kind === 'eventbridge-event' ? self! : node('client', 'outside a function');
      const target = resourceOfSpan(span);
      const to = node(target.kind, target.name);
      const failed = spanFailed(span);
      if (failed) nodes.get(to)!.failed = true;
      edge(from, to, span.operation, failed);
    }
  }
  for (const r of ordered) {
    const parent = r.parentId !== undefined ? byId.get(r.parentId) : undefined;
    if (!parent) continue;
    const from = nodeOf(parent);
    const to = nodeOf(r);
    if (!from || !to || from === to) continue;
    const key = `${from}\u0000${to}`;
    if (r.kind === 'invocation') {
      const delivered = parent.kind === 'invocation' ? deliveredFrom(r) : undefined;
      if (delivered) {
        // A queue or stream delivery the caller's send caused: the resource delivers, not the caller.
        const via = node(delivered.kind, delivered.name);
        if (via !== to) edge(via, to, 'delivers', RECORD_FAILED.has(r.status));
        continue;
      }
      edge(from, to, parent.kind === 'invocation' ? 'invokes' : parent.kind === 'async-invoke' ? 'invokes (Event)' : 'delivers', RECORD_FAILED.has(r.status));
    } else if (!edges.has(key)) {
      // What a call caused, when the call itself is not in the trace (made before spans were recorded).
      edge(from, to, KIND_LABEL[r.kind] ?? r.kind, false);
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

// --- graph layout ----------------------------------------------------------------------------

export interface PlacedNode extends GraphNode {
  column: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends GraphEdge {
  /** Path from the right side of `from` to the left side of `to` (or looping back), in the SVG's units. */
  points: { x: number; y: number }[];
  /** Where the label goes. */
  labelAt: { x: number; y: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const GRAPH = { nodeWidth: 150, nodeHeight: 34, columnGap: 150, rowGap: 22, margin: 12, bend: 18 } as const;

/**
 * Columns from cause to effect: a node's column is its longest path from where the chain starts.
 * Edges that close a cycle (B reads back the object it was notified about, a function invoking
 * itself) are found by a depth-first walk from the nodes nothing points at and left out of the
 * columns; they are drawn looping back. Rows in first-seen order.
 */
export function layoutGraph(graph: TraceGraph): GraphLayout {
  const outgoing = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  const pointedAt = new Set<string>();
  for (const e of graph.edges) {
    outgoing.get(e.from)?.push(e.to);
    if (e.from !== e.to) pointedAt.add(e.to);
  }
  const backEdges = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const walk = (id: string) => {
    state.set(id, 'open');
    for (const to of outgoing.get(id) ?? []) {
      const s = state.get(to);
      if (s === 'open') backEdges.add(`${id}\u0000${to}`);
      else if (s === undefined) walk(to);
    }
    state.set(id, 'done');
  };
  for (const n of graph.nodes) if (!pointedAt.has(n.id)) walk(n.id);
  for (const n of graph.nodes) if (!state.has(n.id)) walk(n.id);
  const incoming = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) if (!backEdges.has(`${e.from}\u0000${e.to}`) && e.from !== e.to) incoming.get(e.to)?.push(e.from);
  const column = new Map<string, number>();
  const columnOf = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    column.set(id, 0);
    let c = 0;
    for (const from of incoming.get(id) ?? []) c = Math.max(c, columnOf(from) + 1);
    column.set(id, c);
    return c;
  };
  const rowsPerColumn: number[] = [];
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const c = columnOf(n.id);
    const row = rowsPerColumn[c] ?? 0;
    rowsPerColumn[c] = row + 1;
    return {
      ...n,
      column: c,
      x: GRAPH.margin + c * (GRAPH.nodeWidth + GRAPH.columnGap),
      y: GRAPH.margin + row * (GRAPH.nodeHeight + GRAPH.rowGap),
      width: GRAPH.nodeWidth,
      height: GRAPH.nodeHeight,
    };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: PlacedEdge[] = graph.edges.map((e) => {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    let points: { x: number; y: number }[];
    if (a === b || b.column <= a.column) {
      // Backwards (or to itself): out of the bottom of one, into the bottom of the other, below the row.
      const below = Math.max(a.y, b.y) + GRAPH.nodeHeight + GRAPH.rowGap / 2;
      points = [
        { x: a.x + a.width * 0.66, y: a.y + a.height },
        { x: a.x + a.width * 0.66, y: below },
        { x: b.x + b.width * 0.33, y: below },
        { x: b.x + b.width * 0.33, y: b.y + b.height },
      ];
    } else {
      const start = { x: a.x + a.width, y: a.y + a.height / 2 };
      const end = { x: b.x, y: b.y + b.height / 2 };
      // Bend close to the source so the last leg, which carries the label, is long and one per target row.
      const bendX = start.x + GRAPH.bend;
      points = [start, { x: bendX, y: start.y }, { x: bendX, y: end.y }, end];
    }
    const from = points[points.length - 2]!;
    const to = points[points.length - 1]!;
    const labelAt = to.y === from.y ? { x: (from.x + to.x) / 2, y: to.y - 5 } : { x: (from.x + to.x) / 2, y: from.y - 4 };
    return { ...e, points, labelAt };
  });
  const width = Math.max(...nodes.map((n) => n.x + n.width), 0) + GRAPH.margin;
  const height = Math.max(...nodes.map((n) => n.y + n.height), ...edges.flatMap((e) => e.points.map((p) => p.y)), 0) + GRAPH.margin;
  return { width, height, nodes, edges };
}
