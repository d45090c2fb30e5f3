// Test-only stand-in for the local AWS endpoint (server/aws-endpoint.ts): a 127.0.0.1 HTTP server
// that builds an AwsRequest exactly as the endpoint does and hands it to the SQS handler, so the
// real @aws-sdk/client-sqs can be pointed at the handler before the endpoint exists.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsRequest, AwsServiceHandler, ServiceCallDescription } from '../../runtime-host/events/aws-service';
import { QueueStore } from '../../runtime-host/events/sqs/queue-store';
import { SqsApi } from '../../runtime-host/events/sqs/sqs-api';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** Serves one AwsServiceHandler on 127.0.0.1; `calls` collects what the handler said about each call. */
export async function serveHandler(
  handler: AwsServiceHandler,
): Promise<{ url: string; server: Server; calls: ServiceCallDescription[]; close(): Promise<void> }> {
  const calls: ServiceCallDescription[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: AwsRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        rawPath: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
        region: REGION,
      };
      handler.handle(request).then(
        (answer) => {
          calls.push(answer.call);
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LocalSqs {
  dir: string;
  store: QueueStore;
  api: SqsApi;
  url: string;
  client: SQSClient;
  calls: ServiceCallDescription[];
  /** Closes the store and the server (the state folder stays, for restart tests). */
  stop(): Promise<void>;
  /** stop() and remove the state folder. */
  close(): Promise<void>;
}

/** A QueueStore in `dir` (a new temp folder by default) with the SQS API served and a real SQS client pointed at it. */
export async function localSqs(dir = mkdtempSync(join(tmpdir(), 'lw-sqs-'))): Promise<LocalSqs> {
  const store = await QueueStore.open(join(dir, 'sqs'), { region: REGION, accountId: ACCOUNT });
  const stopping = new AbortController();
  let base = '';
  const api = new SqsApi({ store, region: REGION, accountId: ACCOUNT, endpoint: () => base, stopping: stopping.signal });
  const served = await serveHandler(api);
  base = served.url;
  const client = new SQSClient({ region: REGION, endpoint: served.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const stop = async () => {
    stopping.abort();
    client.destroy();
    await served.close();
    await store.close();
  };
  return {
    dir,
    store,
    api,
    url: served.url,
    client,
    calls: served.calls,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
