// EventSource 'http-api': the local API Gateway (REST and HTTP APIs) and function URLs, started by
// `serve`. Port: the `port` option, else LAMBDA_WORKBENCH_HTTP_PORT (set by `serve --http-port`), else 0.
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import { UserError } from '../../runtime/types';
import type { AuthorizationOptions } from './authorize';
import { MethodParams } from '../../server/method-params';
import { HttpApiServer } from './server';

export const HTTP_PORT_ENV = 'LAMBDA_WORKBENCH_HTTP_PORT';

export function httpPortFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[HTTP_PORT_ENV];
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new UserError(`${HTTP_PORT_ENV} must be a port from 0 to 65535, got '${raw}'`);
  return n;
}

export class HttpApiSource implements EventSource {
  readonly name = 'http-api';
  private server?: HttpApiServer;

  constructor(private readonly options: { port?: number; authorization?: AuthorizationOptions } = {}) {}

  async start(context: HostContext): Promise<void> {
    this.server = new HttpApiServer(context, this.options.authorization);
    await this.server.start(this.options.port ?? httpPortFromEnv());
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  readyInfo(): Record<string, string> {
    const url = this.server?.address;
    return url ? { httpApi: url } : {};
  }

  methods(): MethodHandlers {
    return {
      'httpApi.status': async () => {
        const server = this.requireServer();
        return {
          running: server.running,
          ...(server.address ? { url: server.address } : {}),
          routes: server.listRoutes().map((r) => ({
            method: r.method,
            path: r.api === 'url' ? `/lambda-url/${r.functionName}/` : r.path,
            function: r.functionName,
            api: r.api,
          })),
        };
      },
      'httpApi.start': async (params) => {
        const port = new MethodParams(params, 'httpApi.start', '{"port":3000}').optionalInteger('port', 0, 65535) ?? 0;
        return { url: await this.requireServer().start(port) };
      },
      'httpApi.stop': async () => ({ stopped: await this.requireServer().stop() }),
    };
  }

  private requireServer(): HttpApiServer {
    if (!this.server) throw new Error('http-api source used before start()');
    return this.server;
  }
}
