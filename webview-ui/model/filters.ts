// History filtering and search. Search looks in the event, the result or error, and the log lines —
// case-insensitive substring, so what you typed is what is found. The searchable text of a record is
// built once and cached, so filtering 10,000 records while typing stays cheap. A large event the list
// holds as its preview (a brief record, `omitted`) is searched in that preview: its first 1,024 characters.
import type { InvocationRecord, InvocationStatus, Trigger } from '../../runtime-host/protocol/records';
import { truncatedMarker } from './records';

export interface HistoryFilter {
  /** Exact function name, or empty for all. */
  functionName: string;
  status: InvocationStatus | '';
  trigger: Trigger | '';
  search: string;
}

export const EMPTY_FILTER: HistoryFilter = { functionName: '', status: '', trigger: '', search: '' };

export function isFilterActive(filter: HistoryFilter): boolean {
  return !!(filter.functionName || filter.status || filter.trigger || filter.search.trim());
}

/** The text a search looks through, lowercased: event, result, error and logs. */
export function searchableText(record: InvocationRecord): string {
  const parts: string[] = [];
  // A cut or left-out event (a marker with its preview, record.truncated / record.omitted) is searched in its preview's text.
  const marker = record.truncated?.event !== undefined || record.omitted ? truncatedMarker(record.event) : undefined;
  parts.push(marker ? marker.preview : stringify(record.event));
  if (record.result !== undefined) parts.push(stringify(record.result));
  if (record.error) parts.push(record.error.errorType, record.error.errorMessage, ...record.error.trace);
  parts.push(...record.logs);
  if (record.http) parts.push(record.http.request.path, record.http.request.body ?? '', record.http.response?.body ?? '');
  return parts.join('\n').toLowerCase();
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * Keeps each record's searchable text until the record object changes (a record is replaced, never
 * mutated, when a notification updates it — except appended log lines, see `invalidate`).
 */
export class SearchIndex {
  private readonly texts = new WeakMap<InvocationRecord, string>();

  textOf(record: InvocationRecord): string {
    let text = this.texts.get(record);
    if (text === undefined) {
      text = searchableText(record);
      this.texts.set(record, text);
    }
    return text;
  }

  invalidate(record: InvocationRecord): void {
    this.texts.delete(record);
  }
}

export function matchesFilter(record: InvocationRecord, filter: HistoryFilter, index: SearchIndex): boolean {
  if (filter.functionName && record.functionName !== filter.functionName) return false;
  if (filter.status && record.status !== filter.status) return false;
  if (filter.trigger && record.trigger !== filter.trigger) return false;
  const needle = filter.search.trim().toLowerCase();
  if (needle && !index.textOf(record).includes(needle)) return false;
  return true;
}

export function applyFilter(records: readonly InvocationRecord[], filter: HistoryFilter, index: SearchIndex): InvocationRecord[] {
  if (!isFilterActive(filter)) return records.slice();
  return records.filter((r) => matchesFilter(r, filter, index));
}

/** Reads a filter from untrusted saved state, keeping only known values. */
export function sanitizeFilter(value: unknown, statuses: readonly string[], triggers: readonly string[]): HistoryFilter {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const status = str(v.status);
  const trigger = str(v.trigger);
  return {
    functionName: str(v.functionName),
    status: (statuses.includes(status) ? status : '') as HistoryFilter['status'],
    trigger: (triggers.includes(trigger) ? trigger : '') as HistoryFilter['trigger'],
    search: str(v.search),
  };
}
