// The panel's copy of the record history: newest first, updated in place by notifications.
import type { InvocationRecord, ServiceCallSpan } from '../../runtime-host/protocol/records';
import { compareNewestFirst, isFinal } from './records';

export class HistoryModel {
  private readonly byId = new Map<string, InvocationRecord>();
  /** Newest first. */
  private ordered: InvocationRecord[] = [];

  get size(): number {
    return this.ordered.length;
  }

  all(): readonly InvocationRecord[] {
    return this.ordered;
  }

  get(id: string): InvocationRecord | undefined {
    return this.byId.get(id);
  }

  /** Records caused by `parentId` (an SNS publish's deliveries and their retries), oldest first. */
  childrenOf(parentId: string): InvocationRecord[] {
    return this.ordered.filter((r) => r.parentId === parentId).reverse();
  }

  /** Adds or replaces records. Returns true when anything changed. */
  upsert(records: readonly InvocationRecord[]): boolean {
    if (records.length === 0) return false;
    let needsSort = false;
    for (const record of records) {
      const previous = this.byId.get(record.id);
      this.byId.set(record.id, record);
      if (previous) {
        const i = this.ordered.indexOf(previous);
        if (i >= 0) this.ordered[i] = record;
        if (previous.timestamps.queuedAt !== record.timestamps.queuedAt) needsSort = true;
      } else if (this.ordered.length === 0 || compareNewestFirst(record, this.ordered[0]) <= 0) {
        // The live case: a new record is the newest one.
        this.ordered.unshift(record);
      } else if (compareNewestFirst(record, this.ordered[this.ordered.length - 1]) >= 0) {
        // The loading case: a page of history is older than everything so far.
        this.ordered.push(record);
      } else {
        this.ordered.push(record);
        needsSort = true;
      }
    }
    if (needsSort) this.ordered.sort(compareNewestFirst);
    return true;
  }

  /**
   * Applies a record from a notification unless it would move a finished record back to running
   * (notifications from different sources can arrive out of order). Returns true when applied.
   */
  applyNotification(record: InvocationRecord): boolean {
    return this.merge([record]);
  }

  /**
   * Like `upsert`, but skips records that would move a finished record back to running, and keeps an
   * event already held whole when a brief copy of the record comes (a record's event never changes).
   */
  merge(records: readonly InvocationRecord[]): boolean {
    const merged: InvocationRecord[] = [];
    for (const record of records) {
      const current = this.byId.get(record.id);
      if (current && isFinal(current.status) && !isFinal(record.status)) continue;
      merged.push(record.omitted && current && !current.omitted ? withEventOf(record, current) : record);
    }
    return this.upsert(merged);
  }

  /** Records of one trace (every record sharing its root), newest first. */
  inTrace(traceId: string): InvocationRecord[] {
    return this.ordered.filter((r) => r.traceId === traceId);
  }

  /** Adds an announced AWS call to the record that made it (once; replacing the object so caches see the change). */
  appendSpan(span: ServiceCallSpan): InvocationRecord | undefined {
    const record = span.recordId !== undefined ? this.byId.get(span.recordId) : undefined;
    if (!record || record.serviceCalls?.some((s) => s.id === span.id)) return undefined;
    const updated = { ...record, serviceCalls: [...(record.serviceCalls ?? []), span] };
    this.upsert([updated]);
    return updated;
  }

  /** Appends a streamed log line to a running record (replacing the object so caches see the change). */
  appendLog(id: string, line: string): InvocationRecord | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    const updated = { ...record, logs: [...record.logs, line] };
    this.upsert([updated]);
    return updated;
  }
}

/** A brief record with the whole event of an earlier copy. */
function withEventOf(brief: InvocationRecord, whole: InvocationRecord): InvocationRecord {
  const { omitted: _omitted, ...rest } = brief;
  return { ...rest, event: whole.event };
}
