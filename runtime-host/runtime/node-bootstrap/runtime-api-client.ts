// The Runtime API as a runtime sees it (spec §7). One keep-alive socket: the warm path is a
// POST and a GET on an open connection. Idle keep-alive sockets are unref'd by node, so they
// never hold the event loop open (callbackWaitsForEmptyEventLoop depends on that).
import * as http from 'node:http';
import { toErrorBody } from './errors';

const API = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

export interface NextInvocation {
  bodyJson: string;
  headers: http.IncomingHttpHeaders;
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
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly hostname: string;
  private readonly port: number;

  constructor(hostPort: string) {
    const [hostname, port] = hostPort.split(':');
    this.hostname = hostname;
    this.port = parseInt(port, 10);
  }

  nextInvocation(): Promise<NextInvocation> {
    return new Promise((resolve, reject) => {
      const req = http.request({ hostname: this.hostname, port: this.port, path: `${API}/invocation/next`, method: 'GET', agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ bodyJson: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Serializes synchronously (so a stringify failure throws to the caller), then posts. */
  postInvocationResponse(result: unknown, id: string, done: () => void): void {
    const body = serializeResponse(result);
    this.post(`${API}/invocation/${encodeURIComponent(id)}/response`, body, {}, done);
  }

  postInvocationError(error: unknown, id: string, done: () => void): void {
    const response = toErrorBody(error);
    this.post(`${API}/invocation/${encodeURIComponent(id)}/error`, serializeResponse(response), { [ERROR_TYPE_HEADER]: response.errorType }, done);
  }

  postInitError(error: unknown, done: () => void): void {
    const response = toErrorBody(error);
    this.post(`${API}/init/error`, serializeResponse(response), { [ERROR_TYPE_HEADER]: response.errorType }, done);
  }

  private post(path: string, body: string, headers: Record<string, string>, done: () => void): void {
    const req = http.request(
      {
        hostname: this.hostname,
        port: this.port,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers },
        agent: this.agent,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', done);
      },
    );
    // The host went away: nothing left to report to, and no reason to keep running.
    req.on('error', () => process.exit(1));
    req.end(body, 'utf8');
  }
}
