// The Runtime API as a runtime sees it (lambda-behaviour §7), over one keep-alive connection: the warm path is a
// POST and a GET on an open socket, which never holds the event loop open while idle
// (callbackWaitsForEmptyEventLoop depends on that).
import { headerValue, HttpConnection } from './http-connection';
import { toErrorBody } from './errors';

const API = '/2018-06-01/runtime';
const JSON_CONTENT = 'Content-Type: application/json';

/**
 * What the runtime does once the host has accepted a post: go on to the next invocation, whose
 * GET /next then goes out with the post (pipelined on the same connection), or end the process
 * with a code, without asking for more work (the host must not take a dying runtime for a ready one).
 */
export type AfterPost = { next: () => void } | { exit: number };

export interface NextInvocation {
  bodyJson: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
}

/** Lambda serializes `undefined` as null and turns a stringify failure into this exact error. */
export function serializeResponse(body: unknown): string {
  try {
    return JSON.stringify(body === undefined ? null : body);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

export class RuntimeApiClient {
  private readonly connection: HttpConnection;
  /** The GET /next sent along with the last post, for the nextInvocation() that follows. */
  private pipelinedNext: Promise<NextInvocation> | undefined;
  /** What was pending (timers, sockets…) when the handler was called: only what it adds is its background work. */
  private pendingBefore: string[] | undefined;

  /** Called right before the handler runs. */
  noteHandlerStart(): void {
    this.pendingBefore = process.getActiveResourcesInfo();
  }

  constructor(hostPort: string) {
    const [hostname, port] = hostPort.split(':');
    this.connection = new HttpConnection(hostname ?? '', parseInt(port ?? '', 10));
  }

  nextInvocation(): Promise<NextInvocation> {
    const next = this.pipelinedNext ?? this.requestNext();
    this.pipelinedNext = undefined;
    return next;
  }

  private requestNext(): Promise<NextInvocation> {
    return new Promise((resolve, reject) => {
      this.connection.request('GET', `${API}/invocation/next`, [], undefined, (err, res) => {
        if (err || !res) reject(err);
        else resolve({ bodyJson: res.body.toString('utf8'), headers: res.headers });
      });
    });
  }

  /** Serializes synchronously (so a stringify failure throws to the caller), then posts. */
  postInvocationResponse(result: unknown, id: string, after: AfterPost): void {
    const body = serializeResponse(result);
    this.post(`${API}/invocation/${encodeURIComponent(id)}/response`, body, undefined, after);
  }

  postInvocationError(error: unknown, id: string, after: AfterPost): void {
    const response = toErrorBody(error);
    this.post(`${API}/invocation/${encodeURIComponent(id)}/error`, serializeResponse(response), response.errorType, after);
  }

  /** Init failed: the runtime always exits after this one. */
  postInitError(error: unknown, exitCode: number): void {
    const response = toErrorBody(error);
    this.post(`${API}/init/error`, serializeResponse(response), response.errorType, { exit: exitCode });
  }

  private post(path: string, body: string, errorType: string | undefined, after: AfterPost): void {
    const headers = errorType === undefined ? [JSON_CONTENT] : [JSON_CONTENT, `Lambda-Runtime-Function-Error-Type: ${headerValue(String(errorType))}`];
    const background = 'next' in after ? this.backgroundWork() : [];
    // The host freezes the environment once it asks for the next event: tell it what that will stop
    // (an empty list too: with nothing left running, the host need not hurry the freeze).
    if ('next' in after) headers.push(`Lambda-Workbench-Background: ${headerValue(background.join(','))}`);
    this.connection.request('POST', path, headers, body, (err) => {
      // The host went away: nothing left to report to, and no reason to keep running.
      if (err) process.exit(1);
      else if ('exit' in after) process.exit(after.exit);
      else after.next();
    });
    if ('next' in after) {
      const next = this.requestNext();
      // Whoever asks for it sees a failure; until then it must not count as an unhandled rejection.
      next.catch(() => undefined);
      this.pipelinedNext = next;
    }
  }

  /** The kinds of resource (Timeout, TCPSocketWrap…) the handler left active, each as often as it left it. */
  private backgroundWork(): string[] {
    const before = this.pendingBefore;
    this.pendingBefore = undefined;
    if (!before) return [];
    const left = new Map<string, number>();
    for (const kind of before) left.set(kind, (left.get(kind) ?? 0) + 1);
    const added: string[] = [];
    for (const kind of process.getActiveResourcesInfo()) {
      const n = left.get(kind) ?? 0;
      if (n > 0) left.set(kind, n - 1);
      else added.push(kind);
    }
    return added;
  }
}
