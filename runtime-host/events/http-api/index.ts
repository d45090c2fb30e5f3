// EventSource 'http-api': the local API Gateway (REST and HTTP APIs) and function URLs, started by
// `serve`. Port: the `port` option (`serve --http-port` or its setting), else any free port; with
// `anyPortIfBusy` (the VS Code extension's choice) a port something else holds gives way to a free one.
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import { UserError } from '../../runtime/types';
import type { AuthorizationOptions } from './authorize';
import { MethodParams } from '../../server/method-params';
import { HttpApiServer } from './server';

export class HttpApiSource implements EventSource {
  readonly name = 'http-api';
  private server?: HttpApiServer;

  constructor(private readonly options: { port?: number; anyPortIfBusy?: boolean; authorization?: AuthorizationOptions } = {}) {}

  async start(context: HostContext): Promise<void> {
    const server = new HttpApiServer(context, this.options.authorization);
    this.server = server;
    const port = this.options.port ?? 0;
    try {
      await server.start(port);
    } catch (err) {
      if (!(err instanceof UserError) || !this.options.anyPortIfBusy || port === 0) throw err;
      context.log.warn(`HTTP API port ${port} is in use; the local API Gateway takes a free port instead (see the ready line)`);
      await server.start(0);
    }
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
