// X-Ray trace ids as Lambda hands them to a function (`_X_AMZN_TRACE_ID`, the Runtime API's
// `Lambda-Runtime-Trace-Id`) and as the AWS SDKs forward them (`X-Amzn-Trace-Id`):
// `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0`.
import { randomHex } from './random-ids';

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT = /^[0-9a-f]{16}$/;

export interface TraceHeader {
  /** `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`: shared by every record and call of one chain. */
  root: string;
  /** The segment that made the call: for our invocations, `segmentOf(requestId)`. */
  parent?: string;
  /** Set by a load balancer that already saw the request. */
  self?: string;
  sampled?: string;
}

/** A new trace root, time-stamped now. */
export function newTraceRoot(nowMs = Date.now()): string {
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomHex(12)}`;
}

/**
 * The segment id an invocation's `Parent=` carries: the first 16 hex digits of its request id, so a
 * call forwarded from `_X_AMZN_TRACE_ID` names the exact invocation that made it.
 */
export function segmentOf(requestId: string): string {
  const hex = requestId.replace(/-/g, '').toLowerCase();
  return SEGMENT.test(hex.slice(0, 16)) ? hex.slice(0, 16) : randomHex(8);
}

/** What the Runtime API sends as `Lambda-Runtime-Trace-Id` for one invocation. */
export function traceHeaderFor(root: string, requestId: string): string {
  return `Root=${root};Parent=${segmentOf(requestId)};Sampled=0`;
}

/**
 * Parses an `X-Amzn-Trace-Id` header (fields in any order, case-insensitive keys, `Self=` included).
 * Undefined when there is no well-formed `Root`.
 */
export function parseTraceHeader(header: string | readonly string[] | undefined): TraceHeader | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (typeof text !== 'string' || text.length > 1024) return undefined;
  const out: Partial<TraceHeader> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'root') out.root = value.toLowerCase();
    else if (key === 'parent') out.parent = value.toLowerCase();
    else if (key === 'self') out.self = value;
    else if (key === 'sampled') out.sampled = value;
  }
  if (!out.root || !ROOT.test(out.root)) return undefined;
  return {
    root: out.root,
    ...(out.parent && SEGMENT.test(out.parent) ? { parent: out.parent } : {}),
    ...(out.self ? { self: out.self } : {}),
    ...(out.sampled ? { sampled: out.sampled } : {}),
  };
}

/** A trace id as a user may give it: a bare root or a whole header. */
export function traceRootOf(text: string): string | undefined {
  const trimmed = text.trim().toLowerCase();
  if (ROOT.test(trimmed)) return trimmed;
  return parseTraceHeader(text)?.root;
}
