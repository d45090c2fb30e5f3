// `lambda-workbench serve`: the long-running host. Its contract (tests outside the repo rely on it):
// exactly one JSON line on stdout when ready — {"event":"ready","ws":…,"token":…,"invokeApi":…, …} —
// everything else on stderr; SIGINT/SIGTERM end it cleanly, killing every environment it started.
import { resolve } from 'node:path';
import { HTTP_PORT_ENV } from '../events/http-api';
import type { HostLogger } from '../host-context';
import type { BillingRule, ReadyLine } from '../protocol/index';
import type { LambdaInvokerOptions } from '../runtime/invoker';
import { UserError } from '../runtime/types';
import { startHost, type HostOptions } from '../server/host';
import { integerFlag, keyValueFlags, parseFlags, UsageError } from './args';

const USAGE =
  'lambda-workbench serve [--root DIR] [--template FILE] [--env-file FILE]... [--state-dir DIR] [--port N] [--invoke-port N] [--http-port N] [--max-records N] [--layer ARN=DIR]... [--runtime-sdk auto|off|DIR] [--jwks ISSUER=FILE]... [--skip-jwt-signature] [--iam-auth on|off] [--schedules on|off]';

/** Set by a parent (the VS Code extension) that wants to choose the session token itself. */
export const TOKEN_ENV = 'LAMBDA_WORKBENCH_TOKEN';
export const LOG_LEVEL_ENV = 'LAMBDA_WORKBENCH_LOG_LEVEL';
/** `off` pauses every schedule, as `--schedules off` does (the extension's setting passes it this way). */
export const SCHEDULES_ENV = 'LAMBDA_WORKBENCH_SCHEDULES';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function stderrLogger(level: string = process.env[LOG_LEVEL_ENV] ?? 'info'): HostLogger {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const write = (lvl: (typeof LEVELS)[number], message: string) => {
    if (LEVELS.indexOf(lvl) < min) return;
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
      layer: { type: 'string', multiple: true },
      'runtime-sdk': { type: 'string' },
      jwks: { type: 'string', multiple: true },
      'skip-jwt-signature': { type: 'boolean' },
      'iam-auth': { type: 'string' },
      schedules: { type: 'string' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'\nusage: ${USAGE}`);
  const wsPort = integerFlag(values.port, 'port', 0, 65535, 0);
  const invokePort = integerFlag(values['invoke-port'], 'invoke-port', 0, 65535, 0);
  const maxRecords = integerFlag(values['max-records'], 'max-records', 1, 10_000_000, 10_000);
  if (values['http-port'] !== undefined) process.env[HTTP_PORT_ENV] = String(integerFlag(values['http-port'], 'http-port', 0, 65535, 0));
  const token = process.env[TOKEN_ENV] || undefined;
  if (token !== undefined && !/^[A-Za-z0-9._~-]{16,256}$/.test(token)) {
    throw new UsageError(`${TOKEN_ENV} must be 16–256 URL-safe characters (letters, digits, . _ ~ -)`);
  }
  const settings = settingsFromEnvironment(process.env);
  const log = stderrLogger();
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
      ...(values.layer ? { layerFolders: keyValueFlags(values.layer, 'layer') } : {}),
      runtimeSdk: runtimeSdkChoice(values['runtime-sdk'] ?? process.env[RUNTIME_SDK_ENV]),
      authorization: {
        jwks: Object.fromEntries(Object.entries(keyValueFlags(values.jwks, 'jwks')).map(([issuer, file]) => [issuer, resolve(file)])),
        skipJwtSignature: values['skip-jwt-signature'] === true,
        iamAuth: onOff(values['iam-auth'], 'iam-auth'),
      },
      schedulesPaused: onOff(values.schedules ?? process.env[SCHEDULES_ENV], 'schedules') === false,
      wsPort,
      invokePort,
      maxRecords,
      ...(token ? { token } : {}),
      ...settings,
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
  process.stdout.write(JSON.stringify(ready) + '\n');
  const fns = host.registry.list();
  log.info(`serving ${fns.length} function${fns.length === 1 ? '' : 's'}${fns.length ? `: ${fns.map((f) => f.name).join(', ')}` : ''}`);

  return new Promise<number>((resolve) => {
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
}

/**
 * Settings a parent process (the VS Code extension) passes through the environment, validated here
 * at the edge: a bad value is a usage error naming what is allowed.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): Pick<HostOptions, 'invoker' | 'handlerDefaults'> {
  const invoker: LambdaInvokerOptions = {};
  const rule = env.LAMBDA_WORKBENCH_BILLING_RULE;
  if (rule) {
    if (!BILLING_RULES.includes(rule as BillingRule)) {
      throw new UsageError(`LAMBDA_WORKBENCH_BILLING_RULE must be one of ${BILLING_RULES.join(', ')}, got '${rule}'`);
    }
    invoker.billingRule = rule as BillingRule;
  }
  const idle = env.LAMBDA_WORKBENCH_IDLE_REAP_MS;
  if (idle) invoker.idleReapMs = integerVariable(env, 'LAMBDA_WORKBENCH_IDLE_REAP_MS', 1000, 86_400_000);
  const wallClock = env.LAMBDA_WORKBENCH_WALL_CLOCK_TIMEOUT_WHILE_DEBUGGING;
  if (wallClock) invoker.wallClockTimeoutWhileDebugging = wallClock === '1' || wallClock === 'true';
  if (env.LAMBDA_WORKBENCH_PYTHON) invoker.pythonPath = env.LAMBDA_WORKBENCH_PYTHON;
  const memory = env.LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB;
  const timeout = env.LAMBDA_WORKBENCH_DEFAULT_TIMEOUT_SECONDS;
  return {
    invoker,
    handlerDefaults: {
      ...(memory ? { memory: integerVariable(env, 'LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB', 128, 10_240) } : {}),
      ...(timeout ? { timeout: integerVariable(env, 'LAMBDA_WORKBENCH_DEFAULT_TIMEOUT_SECONDS', 1, 900) } : {}),
    },
  };
}

function integerVariable(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const value = env[name] ?? '';
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

/** Where the runtime's AWS SDK comes from when no --runtime-sdk is given (the test suite sets it to off). */
export const RUNTIME_SDK_ENV = 'LAMBDA_WORKBENCH_RUNTIME_SDK';

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

const BILLING_RULES: readonly BillingRule[] = ['per-ms-with-init', 'per-ms', 'legacy-100ms'];
