// `lambda-workbench serve`: the long-running host. Its contract (tests outside the repo rely on it):
// exactly one JSON line on stdout when ready — {"event":"ready","ws":…,"token":…,"invokeApi":…, …} —
// everything else on stderr; SIGINT/SIGTERM end it cleanly, killing every environment it started.
import { resolve } from 'node:path';
import type { HostLogger } from '../host-context';
import type { ReadyLine } from '../protocol/index';
import { LOG_LEVELS, parseHostSettings, type HostSettings, type LogLevel } from '../protocol/settings';
import { UserError } from '../runtime/types';
import { startHost, type HostOptions } from '../server/host';
import { integerFlag, parseFlags, UsageError } from './args';

const USAGE =
  'lambda-workbench serve [--root DIR] [--template FILE] [--env-file FILE]... [--state-dir DIR] [--port N] [--invoke-port N] [--http-port N] [--max-records N]';

export function stderrLogger(level: LogLevel = 'info'): HostLogger {
  const min = LOG_LEVELS.indexOf(level);
  const write = (lvl: LogLevel, message: string) => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${message}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      root: { type: 'string' },
      template: { type: 'string' },
      'env-file': { type: 'string', multiple: true },
      'state-dir': { type: 'string' },
      port: { type: 'string' },
      'invoke-port': { type: 'string' },
      'http-port': { type: 'string' },
      'max-records': { type: 'string' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\nusage: ${USAGE}`);
  const wsPort = integerFlag(values.port, 'port', 0, 65535, 0);
  const invokePort = integerFlag(values['invoke-port'], 'invoke-port', 0, 65535, 0);
  const maxRecords = integerFlag(values['max-records'], 'max-records', 1, 10_000_000, 10_000);
  const settings = parseHostSettings(process.env);
  if (values['http-port'] !== undefined) settings.httpPort = integerFlag(values['http-port'], 'http-port', 0, 65535, 0);
  const log = stderrLogger(settings.logLevel);
  // stdout carries exactly one line (the ready line): any stray console output goes to stderr.
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;

  let host;
  try {
    host = await startHost({
      // Paths on the command line are relative to where the command runs, as in `sam local`.
      root: resolve(values.root ?? '.'),
      ...(values.template ? { templatePath: resolve(values.template) } : {}),
      ...(values['env-file'] ? { envFiles: values['env-file'].map((f) => resolve(f)) } : {}),
      ...(values['state-dir'] ? { stateDir: resolve(values['state-dir']) } : {}),
      wsPort,
      invokePort,
      maxRecords,
      ...hostOptionsFrom(settings),
      log,
    });
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`lambda-workbench: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
      return 2;
    }
    throw err;
  }

  const ready: ReadyLine & Record<string, string> = {
    event: 'ready',
    ws: host.ws,
    token: host.token,
    invokeApi: host.invokeApi,
    ...host.readyInfo,
    ...(host.dashboard ? { dashboard: host.dashboard } : {}),
  };
  // The handlers go in before the ready line: a parent may stop the host the moment it reads it, and
  // a signal with no handler would end the process without closing what it started.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: stopping`);
      const done = (code: number) => {
        // Whatever handle a misbehaving source left open must not keep a stopped host alive.
        setTimeout(() => process.exit(code), 2000).unref();
        resolve(code);
      };
      host.close().then(
        () => done(0),
        (err: unknown) => {
          log.error(`shutdown failed: ${(err as Error).message}`);
          done(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write(JSON.stringify(ready) + '\n');
  const fns = host.registry.list();
  log.info(`serving ${fns.length} function${fns.length === 1 ? '' : 's'}${fns.length ? `: ${fns.map((f) => f.name).join(', ')}` : ''}`);
  return stopped;
}

/** Each setting to the part of the host it configures. */
export function hostOptionsFrom(settings: HostSettings): Pick<HostOptions, 'token' | 'invoker' | 'handlerDefaults' | 'sourceOptions'> {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    ...(settings.token !== undefined ? { token: settings.token } : {}),
    invoker: defined({
      billingRule: settings.billingRule,
      idleReapMs: settings.idleReapMs,
      wallClockTimeoutWhileDebugging: settings.wallClockTimeoutWhileDebugging,
      pythonPath: settings.pythonPath,
    }),
    handlerDefaults: defined({ memory: settings.defaultMemoryMB, timeout: settings.defaultTimeoutSeconds }),
    sourceOptions: defined({ httpPort: settings.httpPort, httpPortFallback: settings.httpPortFallback, bucketsDir: settings.bucketsDir }),
  };
}
