// What the history keeps of one record: its event, result, logs and HTTP bodies each capped (256 KB
// inline by default), so one 6 MB event or 50 MB of logs can neither blow up the store nor stall the
// clients the record is broadcast to. What was cut is visible: a marker in place of the value and
// the original size in `record.truncated`.
import type { InvocationRecord, TruncatedFields, TruncatedValue } from '../protocol/records';
import { jsonOf, sealedBytes } from '../util/sealed-json';

export const DEFAULT_INLINE_LIMIT_BYTES = 256 * 1024;
/** How much of a cut value the marker keeps, so the panel still shows what it started with. */
const PREVIEW_CHARS = 1024;

/** A value as the store keeps it: itself when its JSON fits (`bytes` absent), else a marker and the original size. */
export interface CappedValue {
  value: unknown;
  bytes?: number;
}

/** The value as the store would keep it: itself when its JSON fits, else a marker with its size. */
export function capValue(value: unknown, limitBytes: number): CappedValue {
  if (value === undefined) return { value };
  // A sealed value's size is known; otherwise a JSON character is at most 3 UTF-8 bytes: most values are decided without counting bytes.
  const sealed = sealedBytes(value);
  if (sealed !== undefined) return sealed.length <= limitBytes ? { value } : { value: markerOfBytes(sealed), bytes: sealed.length };
  const json = jsonOf(value) ?? 'null';
  if (json.length * 3 <= limitBytes) return { value };
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= limitBytes) return { value };
  const marker: TruncatedValue = { truncated: true, bytes, preview: json.slice(0, PREVIEW_CHARS) };
  return { value: marker, bytes };
}

/** The marker for a value given as its JSON bytes. Only the preview is decoded (a 1,000-record batch is ~550 KB): PREVIEW_CHARS characters take at most 4 bytes each. */
export function markerOfBytes(json: Buffer): TruncatedValue {
  const preview = json
    .subarray(0, PREVIEW_CHARS * 4)
    .toString('utf8')
    .slice(0, PREVIEW_CHARS);
  return { truncated: true, bytes: json.length, preview };
}

function capString(text: string, limitBytes: number): { text: string; bytes?: number } {
  if (text.length * 3 <= limitBytes) return { text };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= limitBytes) return { text };
  return { text: `${text.slice(0, Math.floor(limitBytes / 3))}… [truncated, ${bytes} bytes]`, bytes };
}

/** The first and last lines, up to half the limit each, around one line saying what was left out. */
function capLogs(logs: readonly string[], limitBytes: number): { logs: string[]; bytes?: number } {
  let total = 0;
  for (const line of logs) total += Buffer.byteLength(line, 'utf8') + 1;
  if (total <= limitBytes) return { logs: logs as string[] };
  const half = Math.floor(limitBytes / 2);
  const head: string[] = [];
  let used = 0;
  let i = 0;
  for (; i < logs.length; i++) {
    const line = capString(logs[i]!, half).text;
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (used + size > half) break;
    head.push(line);
    used += size;
  }
  const tail: string[] = [];
  used = 0;
  let j = logs.length - 1;
  for (; j >= i; j--) {
    const line = capString(logs[j]!, half).text;
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (used + size > half) break;
    tail.unshift(line);
    used += size;
  }
  const dropped = j - i + 1;
  return { logs: [...head, `… [truncated, ${total} bytes of logs: ${dropped} line${dropped === 1 ? '' : 's'} left out] …`, ...tail], bytes: total };
}

/**
 * A copy of the record with every oversized part cut (the record itself when nothing is).
 * `event`: the event as already capped for this record (its first line), so it is not measured again.
 */
export function capRecord(
  record: InvocationRecord,
  limitBytes: number = DEFAULT_INLINE_LIMIT_BYTES,
  event: CappedValue = capValue(record.event, limitBytes),
): InvocationRecord {
  const truncated: TruncatedFields = { ...(record.truncated ?? {}) };
  let changed = false;
  const out: InvocationRecord = { ...record };
  if (event.bytes !== undefined) {
    out.event = event.value;
    truncated.event = event.bytes;
    changed = true;
  }
  const result = capValue(record.result, limitBytes);
  if (result.bytes !== undefined) {
    out.result = result.value;
    truncated.result = result.bytes;
    changed = true;
  }
  const logs = capLogs(record.logs ?? [], limitBytes);
  if (logs.bytes !== undefined) {
    out.logs = logs.logs;
    truncated.logs = logs.bytes;
    changed = true;
  }
  const http = record.http;
  if (http) {
    const request = http.request.body !== undefined ? capString(http.request.body, limitBytes) : undefined;
    const response = http.response?.body !== undefined ? capString(http.response.body, limitBytes) : undefined;
    if (request?.bytes !== undefined || response?.bytes !== undefined) {
      out.http = {
        ...http,
        request: { ...http.request, ...(request?.bytes !== undefined ? { body: request.text } : {}) },
        ...(http.response ? { response: { ...http.response, ...(response?.bytes !== undefined ? { body: response.text } : {}) } } : {}),
      };
      if (request?.bytes !== undefined) truncated.httpRequestBody = request.bytes;
      if (response?.bytes !== undefined) truncated.httpResponseBody = response.bytes;
      changed = true;
    }
  }
  if (!changed) return record;
  out.truncated = truncated;
  return out;
}
