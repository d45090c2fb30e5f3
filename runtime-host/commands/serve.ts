// `lambda-workbench serve`: the long-running host. Its contract (tests outside the repo rely on it):
// exactly one JSON line on stdout when ready — {"event":"ready","ws":…,"token":…,"invokeApi":…, …} —
// everything else on stderr; SIGINT/SIGTERM end it cleanly, killing every environment it started.
import { resolve } from 'node:path';
import type { HostLogger } from '../host-context';
import type { ReadyLine } from '../protocol/index';
import { LOG_LEVELS, parseHostSettings, type HostSettings, type LogLevel } from '../protocol/settings';
import { DEFAULT_MAX_HISTORY_MB } from '../records/invocation-store';
import { sandboxFor, SANDBOX_SETTINGS, type SandboxSetting } from '../runtime/sandbox';
import { UserError } from '../runtime/types';
import { LOCAL_SERVICES, type LocalService } from '../runtime/aws-environment';
import { startHost, type HostOptions } from '../server/host';
import { parseAllowedHosts } from '../server/local-request';
import { integerFlag, keyValueFlags, parseFlags, profileFlag, UsageError } from './args';

const USAGE =
  'lambda-workbench serve [--root DIR] [--template FILE] [--env-file FILE]... [--state-dir DIR] [--port N] [--invoke-port N] [--aws-port N] [--http-port N]\n' +
  '                       [--max-records N] [--max-history-mb N] [--memory-budget-mb N] [--account-concurrency N] [--allow-host NAME]... [--aws-profile NAME] [--local-services S3,SQS…]\n' +
  '                       [--layer ARN=DIR]... [--runtime-sdk auto|off|DIR] [--jwks ISSUER=FILE]... [--skip-jwt-signature] [--iam-auth on|off] [--sandbox auto|cgroup|process] [--schedules on|off] [--skip-waits]';

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
      'aws-port': { type: 'string' },
      'http-port': { type: 'string' },
      'max-records': { type: 'string' },
      'max-history-mb': { type: 'string' },
      'memory-budget-mb': { type: 'string' },
      'account-concurrency': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'aws-profile': { type: 'string' },
      'local-services': { type: 'string' },
      layer: { type: 'string', multiple: true },
      'runtime-sdk': { type: 'string' },
      jwks: { type: 'string', multiple: true },
      'skip-jwt-signature': { type: 'boolean' },
      'iam-auth': { type: 'string' },
      sandbox: { type: 'string' },
      schedules: { type: 'string' },
      'skip-waits': { type: 'boolean' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\nusage: ${USAGE}`);
  const wsPort = integerFlag(values.port, 'port', 0, 65535, 0);
  const invokePort = integerFlag(values['invoke-port'], 'invoke-port', 0, 65535, 0);
  const maxRecords = integerFlag(values['max-records'], 'max-records', 1, 10_000_000, 10_000);
  const awsPort = integerFlag(values['aws-port'], 'aws-port', 0, 65535, 0);
  const settings = parseHostSettings(process.env);
  // A flag wins over the setting the parent passed.
  if (values['http-port'] !== undefined) settings.httpPort = integerFlag(values['http-port'], 'http-port', 0, 65535, 0);
  if (values['max-history-mb'] !== undefined)
    settings.maxHistoryMB = integerFlag(values['max-history-mb'], 'max-history-mb', 1, 1_000_000, DEFAULT_MAX_HISTORY_MB);
  if (values['memory-budget-mb'] !== undefined) settings.memoryBudgetMB = integerFlag(values['memory-budget-mb'], 'memory-budget-mb', 128, 10_000_000, 0);
  if (values['account-concurrency'] !== undefined)
    settings.accountConcurrency = integerFlag(values['account-concurrency'], 'account-concurrency', 1, 1_000_000, 1000);
  if (values['aws-profile'] !== undefined) settings.awsProfile = profileFlag(values['aws-profile']);
  if (values['local-services'] !== undefined) settings.localServices = values['local-services'];
  if (values['runtime-sdk'] !== undefined) settings.runtimeSdk = values['runtime-sdk'];
  if (values['skip-waits']) settings.durableSkipWaits = true;
  const allowedHosts = allowedHostsOf([...(values['allow-host'] ?? []), ...(settings.allowedHosts ? [settings.allowedHosts] : [])]);
  if (values.sandbox !== undefined) settings.sandbox = sandboxSetting(values.sandbox, '--sandbox');
  if (values.schedules !== undefined) settings.schedules = onOff(values.schedules, 'schedules') ? 'on' : 'off';
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
      awsPort,
      maxRecords,
      ...hostOptionsFrom(settings),
      allowedHosts,
      ...(values.layer ? { layerFolders: keyValueFlags(values.layer, 'layer') } : {}),
      authorization: {
        jwks: Object.fromEntries(Object.entries(keyValueFlags(values.jwks, 'jwks')).map(([issuer, file]) => [issuer, resolve(file)])),
        skipJwtSignature: values['skip-jwt-signature'] === true,
        iamAuth: onOff(values['iam-auth'], 'iam-auth'),
      },
      schedulesPaused: settings.schedules === 'off',
      log,
    });
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`lambda-workbench: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
      return 2;
    }
    throw err;
  }

  // The host's invoker chose it (once per setting); the same choice is reported here.
  const sandbox = sandboxFor(settings.sandbox);
  log.info(`sandbox: ${sandbox.kind} (${sandbox.reason})`);
  const ready: ReadyLine & Record<string, string> = {
    event: 'ready',
    ws: host.ws,
    token: host.token,
    invokeApi: host.invokeApi,
    awsEndpoint: host.awsEndpoint,
    sandbox: sandbox.kind,
    ...host.readyInfo,
    ...(host.dashboard ? { dashboard: host.dashboard } : {}),
    ...(host.awsProfile ? { awsProfile: host.awsProfile } : {}),
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
export function hostOptionsFrom(
  settings: HostSettings,
): Pick<HostOptions, 'token' | 'invoker' | 'handlerDefaults' | 'sourceOptions' | 'awsProfile' | 'localServices' | 'maxHistoryMB' | 'runtimeSdk' | 'durable'> {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    ...(settings.token !== undefined ? { token: settings.token } : {}),
    ...(settings.awsProfile !== undefined ? { awsProfile: settings.awsProfile } : {}),
    ...(settings.localServices !== undefined ? { localServices: localServicesOf(settings.localServices) } : {}),
    ...(settings.maxHistoryMB !== undefined ? { maxHistoryMB: settings.maxHistoryMB } : {}),
    ...(settings.durableSkipWaits !== undefined ? { durable: { skipWaits: settings.durableSkipWaits } } : {}),
    runtimeSdk: runtimeSdkChoice(settings.runtimeSdk),
    invoker: defined({
      billingRule: settings.billingRule,
      idleReapMs: settings.idleReapMs,
      wallClockTimeoutWhileDebugging: settings.wallClockTimeoutWhileDebugging,
      pythonPath: settings.pythonPath,
      javaHome: settings.javaHome,
      sandbox: settings.sandbox,
      // 0 means the default (half the machine's memory).
      memoryBudgetMB: settings.memoryBudgetMB || undefined,
      accountConcurrency: settings.accountConcurrency,
    }),
    handlerDefaults: defined({ memory: settings.defaultMemoryMB, timeout: settings.defaultTimeoutSeconds }),
    sourceOptions: defined({ httpPort: settings.httpPort, httpPortFallback: settings.httpPortFallback, bucketsDir: settings.bucketsDir }),
  };
}

function allowedHostsOf(values: string[]): string[] {
  try {
    return parseAllowedHosts(values);
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`--allow-host: ${err.message} (${err.hint ?? ''})`);
    throw err;
  }
}

export function sandboxSetting(value: string, name: string): SandboxSetting {
  if (!SANDBOX_SETTINGS.includes(value as SandboxSetting)) throw new UsageError(`${name} must be one of ${SANDBOX_SETTINGS.join(', ')}, got '${value}'`);
  return value as SandboxSetting;
}

function onOff(value: string | undefined, flag: string): boolean {
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`--${flag} takes on or off, got '${value}'`);
}

function runtimeSdkChoice(value: string | undefined): 'auto' | 'off' | { folder: string } {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'off') return 'off';
  return { folder: resolve(value) };
}

function localServicesOf(value: string): LocalService[] {
  const names = value
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(LOCAL_SERVICES as readonly string[]).includes(n));
  if (unknown.length) throw new UsageError(`--local-services: unknown service ${unknown.join(', ')}; the local endpoint serves ${LOCAL_SERVICES.join(', ')}`);
  return names as LocalService[];
}
