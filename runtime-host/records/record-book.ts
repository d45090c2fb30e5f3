// The hub between whatever produces records (the Invoker, event sources through RecordBook) and what
// consumes them (the durable store, the WebSocket broadcast): every record is persisted and
// announced the same way, whoever made it. Clients are sent the record as the store keeps it (cut to
// its inline limit), and the invoker's `finished` waits for the store's write, so an invocation is
// answered only once its final record is in the file.
import type { RecordBook } from '../host-context';
import type { Notifications } from '../protocol/methods';
import type { InvocationRecord } from '../protocol/records';
import type { Invoker } from '../runtime/types';
import type { InvocationStore } from './invocation-store';
import { inheritTrace } from './trace-book';

export type NotificationSink = <N extends keyof Notifications>(method: N, params: Notifications[N]) => void;

const FINAL = new Set(['success', 'error', 'timeout', 'outOfMemory', 'throttled', 'interrupted']);

export class InvocationHub implements RecordBook {
  private readonly sinks = new Set<NotificationSink>();
  /** Log characters streamed per running invocation: beyond the store's inline limit the rest waits for the final record. */
  private readonly streamedLogChars = new Map<string, number>();
  private detach: (() => void) | undefined;

  constructor(private readonly store: InvocationStore) {}

  /** Subscribes to the invoker's events (once). */
  attach(invoker: Invoker): void {
    this.detach?.();
    const started = (r: InvocationRecord) => this.open(r);
    // Still running, now known to be cold or warm: announced again as started (clients replace the record by id).
    const updated = (r: InvocationRecord) => this.notify('invocation.started', this.store.put(r));
    const log = (id: string, line: string) => this.streamLog(id, line);
    const finished = (r: InvocationRecord): Promise<void> => {
      this.streamedLogChars.delete(r.id);
      this.close(r);
      return this.store.written();
    };
    invoker.on('started', started).on('updated', updated).on('log', log).on('finished', finished);
    this.detach = () => {
      invoker.off('started', started).off('updated', updated).off('log', log).off('finished', finished);
    };
  }

  /** Adds a notification consumer (the WebSocket server); returns an unsubscribe. */
  subscribe(sink: NotificationSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  open(record: InvocationRecord): void {
    inheritTrace(record, (id) => this.store.get(id));
    const stored = this.store.put(record);
    this.notify(FINAL.has(record.status) ? 'invocation.finished' : 'invocation.started', stored);
  }

  close(record: InvocationRecord): void {
    const stored = this.store.put(record);
    this.notify('invocation.finished', stored);
  }

  written(): Promise<void> {
    return this.store.written();
  }

  get(id: string): InvocationRecord | undefined {
    return this.store.get(id);
  }

  dispose(): void {
    this.detach?.();
    this.detach = undefined;
    this.sinks.clear();
  }

  private streamLog(id: string, line: string): void {
    const sent = this.streamedLogChars.get(id) ?? 0;
    const limit = this.store.inlineLimitBytes;
    if (sent > limit) return;
    const next = sent + line.length + 1;
    this.streamedLogChars.set(id, next);
    if (next <= limit) this.notify('invocation.log', { id, line });
    else
      this.notify('invocation.log', {
        id,
        line: `… [log lines beyond ${Math.round(limit / 1024)} KB are not streamed: the finished record keeps the first and last ones] …`,
      });
  }

  private notify<N extends keyof Notifications>(method: N, params: Notifications[N]): void {
    for (const sink of this.sinks) sink(method, params);
  }
}
