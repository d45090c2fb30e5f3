// The platform's own log lines (lambda-behaviour §4), to the character: INIT_START, START, END, REPORT,
// INIT_REPORT, the timeout line and the runtime-exit lines, in the text format and in the JSON
// format (`AWS_LAMBDA_LOG_FORMAT=JSON`). Pure functions; golden files in test/fixtures/golden/.

export type LogFormat = 'Text' | 'JSON';

export function logFormatOf(environment: Record<string, string> | undefined): LogFormat {
  return environment?.['AWS_LAMBDA_LOG_FORMAT']?.toUpperCase() === 'JSON' ? 'JSON' : 'Text';
}

export type ReportStatus = 'success' | 'error' | 'timeout';

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** Cold starts only. */
  initDurationMs?: number;
  status: ReportStatus;
  /** With status 'error'. */
  errorType?: string;
}

export interface InitReportFields {
  initDurationMs: number;
  phase: 'init' | 'invoke';
  status: 'error' | 'timeout';
  errorType?: string;
}

const ms = (n: number) => n.toFixed(2);
/** JSON metrics carry two decimals as numbers, as Lambda's do. */
const ms2 = (n: number) => Math.round(n * 100) / 100;
const iso = (time: Date) => time.toISOString();

/**
 * A sink without Lambda's platform lines when the function's system log level is WARN: they are all
 * INFO events (lambda-behaviour §4). Only the JSON format has levels.
 */
export function systemLogLevelFilter(format: LogFormat, level: string | undefined, sink: (line: string) => void): (line: string) => void {
  if (format !== 'JSON' || level !== 'WARN') return sink;
  return (line) => {
    if (!(line.startsWith('{"time":"') && line.includes('","type":"platform.'))) sink(line);
  };
}

function platform(time: Date, type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: iso(time), type, record });
}

export function initStartLine(format: LogFormat, runtimeVersion: string, runtimeVersionArn: string, time = new Date()): string {
  if (format === 'JSON') {
    return platform(time, 'platform.initStart', { initializationType: 'on-demand', phase: 'init', runtimeVersion, runtimeVersionArn });
  }
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${runtimeVersionArn}`;
}

/**
 * INIT_START's runtime version and ARN. Lambda prints e.g. `nodejs:22.v48`, `python:3.12.v36`,
 * `provided:al2023.v39` (family:version.v<release>) and an ARN ending in a hash. Locally the release
 * says what really runs, marked `-local`: the node or Java major (`nodejs:22.v20-local`, `java:21.v17-local`), the Python
 * or Ruby major.minor (`python:3.12.v3.11-local`, `ruby:3.3.v3.1-local`), the host OS for custom runtimes
 * (`provided:al2023.vdebian12-local`); the ARN carries the full local version.
 */
export function runtimeVersionOf(
  runtime: string,
  local: { name: string; version: string },
  region: string,
): { runtimeVersion: string; runtimeVersionArn: string } {
  const m = /^(nodejs|python|ruby|provided|[a-z]+)\.?(.*?)(\.x)?$/.exec(runtime);
  const family = m?.[1] ?? runtime;
  const version = m?.[2] ?? '';
  const parts = local.version.split('.');
  const release =
    local.name === 'node' || local.name === 'java'
      ? parts[0]!
      : local.name === 'python' || local.name === 'ruby'
        ? parts.slice(0, 2).join('.')
        : `${local.name}${local.version}`.replace(/[^A-Za-z0-9.]/g, '');
  return {
    runtimeVersion: `${family}:${version ? `${version}.` : ''}v${release}-local`,
    runtimeVersionArn: `arn:aws:lambda:${region}::runtime:lambda-workbench-local-${local.name}-${local.version}`.replace(/[^A-Za-z0-9:.\-_/]/g, '_'),
  };
}

export function startLine(format: LogFormat, requestId: string, time = new Date()): string {
  if (format === 'JSON') return platform(time, 'platform.start', { requestId, version: '$LATEST' });
  return `START RequestId: ${requestId} Version: $LATEST`;
}

export function endLine(format: LogFormat, requestId: string, status: ReportStatus, errorType?: string, time = new Date()): string {
  if (format === 'JSON') {
    return platform(time, 'platform.runtimeDone', { requestId, status, ...(status === 'error' && errorType ? { errorType } : {}) });
  }
  return `END RequestId: ${requestId}`;
}

export function reportLine(format: LogFormat, r: ReportFields, time = new Date()): string {
  if (format === 'JSON') {
    return platform(time, 'platform.report', {
      requestId: r.requestId,
      status: r.status,
      ...(r.status === 'error' && r.errorType ? { errorType: r.errorType } : {}),
      metrics: {
        durationMs: ms2(r.durationMs),
        billedDurationMs: r.billedDurationMs,
        memorySizeMB: r.memorySizeMB,
        maxMemoryUsedMB: r.maxMemoryUsedMB,
        ...(r.initDurationMs !== undefined ? { initDurationMs: ms2(r.initDurationMs) } : {}),
      },
    });
  }
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${ms(r.durationMs)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
    `Memory Size: ${r.memorySizeMB} MB\tMax Memory Used: ${r.maxMemoryUsedMB} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${ms(r.initDurationMs)} ms\t`;
  if (r.status === 'timeout') line += 'Status: timeout';
  else if (r.status === 'error') line += `Status: error\tError Type: ${r.errorType ?? 'Unknown'}`;
  return line;
}

export function initReportLine(format: LogFormat, r: InitReportFields, time = new Date()): string {
  if (format === 'JSON') {
    return platform(time, 'platform.initReport', {
      initializationType: 'on-demand',
      phase: r.phase,
      status: r.status,
      ...(r.errorType ? { errorType: r.errorType } : {}),
      metrics: { durationMs: ms2(r.initDurationMs) },
    });
  }
  return `INIT_REPORT Init Duration: ${ms(r.initDurationMs)} ms\tPhase: ${r.phase}\tStatus: ${r.status}` + (r.errorType ? `\tError Type: ${r.errorType}` : '');
}

/** `Task timed out after 3.00 seconds` — the text the response message and the log line share. */
export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function timeoutLine(format: LogFormat, requestId: string, timeoutSeconds: number, time = new Date()): string {
  if (format === 'JSON') {
    return JSON.stringify({ timestamp: iso(time), level: 'ERROR', requestId, message: timeoutMessage(timeoutSeconds) });
  }
  return `${iso(time)} ${requestId} ${timeoutMessage(timeoutSeconds)}`;
}

/** The error message Lambda reports when the runtime process dies during an invocation. */
export function runtimeExitMessage(requestId: string, reason: string | undefined): string {
  return reason === undefined
    ? `RequestId: ${requestId} Error: Runtime exited without providing a reason`
    : `RequestId: ${requestId} Error: Runtime exited with error: ${reason}`;
}

/** The two lines Lambda logs when the runtime exits mid-invocation: the message, then the error type. */
export function runtimeExitLines(format: LogFormat, requestId: string, reason: string | undefined, errorType: string, time = new Date()): string[] {
  const message = runtimeExitMessage(requestId, reason);
  if (format === 'JSON') {
    return [JSON.stringify({ timestamp: iso(time), level: 'ERROR', requestId, message: `${message} ${errorType}` })];
  }
  return [message, errorType];
}

/** `exit status 1`, `signal: killed` — how Lambda (Go's os/exec) describes a process end. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal) return `signal: ${SIGNAL_NAMES[signal] ?? signal.toLowerCase().replace(/^sig/, '')}`;
  if (code === 0 || code === null) return undefined;
  return `exit status ${code}`;
}

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGILL: 'illegal instruction',
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGTRAP: 'trace/breakpoint trap',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
};
