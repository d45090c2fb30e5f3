// A test-only stand-in for the local AWS endpoint, on 127.0.0.1 (and a minimal path-style S3 for a
// real SDK client: every request answers 200 with an empty body): it reads the `X-Amzn-Trace-Id` a
// function forwards from its own `_X_AMZN_TRACE_ID`, asks the host's trace book which invocation sent
// it (`callerOf`), does what the call asks (optionally invoking a function as the call's consequence,
// with the caller as parent, as a bucket notification would), and hands the answered call to the
// trace book as a span (`record`) — the same two steps the endpoint takes.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AsyncInvocationQueue } from '../../runtime-host/events/async-invocation';
import type { RunningHost } from '../../runtime-host/server/host';
import { recordNow } from '../../runtime-host/util/record-clock';

/** What the fixture's `caller` handler posts for each call it makes. */
export interface ProbeCall {
  service: string;
  operation: string;
  resource?: string;
  status?: number;
  errorCode?: string;
  /** A function the call causes an invocation of (its record's parent is the calling invocation). */
  invoke?: string;
  /** A function the call invokes asynchronously (Invoke with InvocationType Event): an 'async-invoke' record caused by the caller. */
  invokeAsync?: string;
  /** Hold the answer until this many calls with the same trace Root are waiting (so their invocations are surely in flight together). */
  together?: number;
}

export interface TraceProbe {
  url: string;
  close(): Promise<void>;
}

export async function startTraceProbe(host: RunningHost): Promise<TraceProbe> {
  const recorder = host.context.serviceCalls;
  if (!recorder) throw new Error('the host has no trace book (context.serviceCalls)');
  const asyncQueue = new AsyncInvocationQueue({
    invoker: host.context.invoker,
    records: host.context.records,
    region: host.context.region,
    accountId: host.context.accountId,
  });
  const waiting = new Map<string, (() => void)[]>();
  const gather = (header: string, count: number) =>
    new Promise<void>((resolve) => {
      const root = /Root=([^;]+)/.exec(header)?.[1] ?? '';
      const group = [...(waiting.get(root) ?? []), resolve];
      waiting.set(root, group);
      if (group.length >= count) {
        waiting.delete(root);
        for (const release of group) release();
      }
    });
  const server = createServer((req, res) => {
    const startAt = recordNow();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      void (async () => {
        // A path-style S3 request from a real SDK client (`/<bucket>/<key>`), or one of the fixture's own calls (`/`).
        const path = (req.url ?? '/').split('?')[0]!;
        const call: ProbeCall =
          path === '/'
            ? (JSON.parse(body || '{}') as ProbeCall)
            : {
                service: 's3',
                operation: req.method === 'PUT' ? 'PutObject' : req.method === 'GET' ? 'GetObject' : `${req.method ?? ''}Object`,
                resource: decodeURIComponent(path.slice(1)),
              };
        const header = req.headers['x-amzn-trace-id'];
        const caller = recorder.callerOf(typeof header === 'string' ? header : undefined);
        if (call.invoke) {
          const fn = host.context.functions.get(call.invoke);
          if (fn) await host.context.invoker.invoke({ fn, event: { from: call.operation }, trigger: 's3', ...(caller ? { parentId: caller.recordId } : {}) });
        }
        if (call.together) await gather(typeof header === 'string' ? header : '', call.together);
        if (call.invokeAsync) {
          const fn = host.context.functions.get(call.invokeAsync);
          if (fn) asyncQueue.invoke({ fn, event: { from: call.operation }, trigger: 'api', ...(caller ? { causedBy: caller.recordId } : {}) });
        }
        const status = call.status ?? 200;
        recorder.record({
          id: randomUUID(),
          ...(caller ? { recordId: caller.recordId, traceId: caller.traceId } : {}),
          service: call.service,
          operation: call.operation,
          ...(call.resource !== undefined ? { resource: call.resource } : {}),
          status,
          ...(call.errorCode !== undefined ? { errorCode: call.errorCode } : {}),
          startAt,
          durationMs: recordNow() - startAt,
        });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ caller: caller ?? null }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: async () => {
      await asyncQueue.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
