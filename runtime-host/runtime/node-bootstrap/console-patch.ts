// console.* as Lambda's Node runtime formats it (lambda-behaviour §4): one line per call on stdout,
// `<ISO ts>\t<requestId>\t<LEVEL>\t<util.format(...)>` with newlines turned into `\r`, or JSON
// when AWS_LAMBDA_LOG_FORMAT=JSON; AWS_LAMBDA_LOG_LEVEL silences the methods below it.
import { format } from 'node:util';
import { intoError, toFormatted } from './errors';

interface Level {
  name: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  priority: number;
}

const LEVELS: Record<Level['name'], Level> = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
};

// The same global slots Lambda's runtime uses, so libraries that read them (Powertools) see the id.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');
type Slots = Record<symbol, string | undefined>;

export function setCurrentRequestId(id: string | undefined): void {
  (globalThis as unknown as Slots)[REQUEST_ID] = id;
}
export function setCurrentTenantId(id: string | undefined): void {
  (globalThis as unknown as Slots)[TENANT_ID] = id;
}
function currentRequestId(): string | undefined {
  return (globalThis as unknown as Slots)[REQUEST_ID];
}
function currentTenantId(): string | undefined {
  return (globalThis as unknown as Slots)[TENANT_ID];
}

type LogFn = (level: Level, message?: unknown, ...params: unknown[]) => void;

function errorTypeOf(err: Error): string {
  return err?.constructor?.name ?? 'UnknownError';
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: errorTypeOf(value),
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function formatJsonMessage(requestId: string | undefined, timestamp: string, level: Level, tenantId: string | undefined, params: unknown[]): string {
  const result: Record<string, unknown> = { timestamp, level: level.name, requestId };
  if (tenantId !== undefined && tenantId !== null) result.tenantId = tenantId;
  if (params.length === 1) {
    result.message = params[0];
    try {
      return JSON.stringify(result, jsonErrorReplacer);
    } catch {
      result.message = format(result.message);
      return JSON.stringify(result);
    }
  }
  result.message = format(...params);
  for (const param of params) {
    if (param instanceof Error) {
      result.errorType = errorTypeOf(param);
      result.errorMessage = param.message;
      result.stackTrace = typeof param.stack === 'string' ? param.stack.split('\n') : [];
      break;
    }
  }
  return JSON.stringify(result);
}

const logText: LogFn = (level, message, ...params) => {
  const line = `${new Date().toISOString()}\t${currentRequestId()}\t${level.name}\t${format(message, ...params)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
};

const logJson: LogFn = (level, message, ...params) => {
  const line = formatJsonMessage(currentRequestId(), new Date().toISOString(), level, currentTenantId(), [message, ...params]);
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
};

/** Logs a runtime-detected error (`Invoke Error`, `Uncaught Exception`, …) the way Lambda does. */
export let logError: (message: string, error: unknown) => void = () => {};

export function patchConsole(): void {
  const json = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const log = json ? logJson : logText;
  const threshold = LEVELS[process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() as Level['name']] ?? LEVELS.TRACE;
  const method = (level: Level) => (level.priority >= threshold.priority ? (msg?: unknown, ...params: unknown[]) => log(level, msg, ...params) : () => {});
  const c = console as unknown as Record<string, unknown>;
  c.trace = method(LEVELS.TRACE);
  c.debug = method(LEVELS.DEBUG);
  c.info = method(LEVELS.INFO);
  c.log = c.info;
  c.warn = method(LEVELS.WARN);
  c.error = method(LEVELS.ERROR);
  c.fatal = (msg?: unknown, ...params: unknown[]) => log(LEVELS.FATAL, msg, ...params);
  logError = json ? (_message, err) => console.error(intoError(err)) : (message, err) => console.error(message, toFormatted(intoError(err)));
}
