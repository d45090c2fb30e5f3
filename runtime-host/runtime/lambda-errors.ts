// The errors Lambda reports for what happens to an environment (its payload limit, timeouts, OOM and
// exit kills, init failures) and the END + REPORT lines that close an invocation: built here once.
import type { LambdaError } from '../protocol/records';
import { endLine, reportLine, runtimeExitLines, runtimeExitMessage, timeoutMessage, type LogFormat, type ReportFields, type ReportStatus } from './log-lines';
import { RESPONSE_LIMIT_BYTES } from '../protocol/limits';
import { type PostedBody } from './runtime-api-server';
import type { LineSink } from './output-demux';

export function responseTooLargeError(bytes: number): LambdaError {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).`,
    trace: [],
  };
}

/** Lambda kills an environment past its memory size: the runtime's exit reads `signal: killed`. */
export function outOfMemoryError(requestId: string): LambdaError {
  return { errorType: 'Runtime.OutOfMemory', errorMessage: runtimeExitMessage(requestId, OOM_EXIT_REASON), trace: [] };
}

export const OOM_EXIT_REASON = 'signal: killed';

/** The two log lines of an out-of-memory kill. */
export function outOfMemoryLines(format: LogFormat, requestId: string): string[] {
  return runtimeExitLines(format, requestId, OOM_EXIT_REASON, 'Runtime.OutOfMemory');
}

export function exitError(requestId: string, reason: string | undefined): LambdaError {
  return { errorType: 'Runtime.ExitError', errorMessage: runtimeExitMessage(requestId, reason), trace: [] };
}

export function invokeTimeoutError(requestId: string, timeoutSeconds: number): LambdaError {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: ${timeoutMessage(timeoutSeconds)}`, trace: [] };
}

export function initTimeoutError(requestId: string, initTimeoutMs: number): LambdaError {
  const seconds = initTimeoutMs / 1000;
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Init timed out after ${seconds.toFixed(2)} seconds`, trace: [] };
}

export function interruptedError(during: 'init' | 'invoke'): LambdaError {
  const message = during === 'init' ? 'the invocation was cancelled during init' : 'the invocation was cancelled before it finished';
  return { errorType: 'Host.Interrupted', errorMessage: message, trace: [] };
}

/** END then REPORT, the lines every finished invocation ends with. */
export function closingLines(format: LogFormat, report: ReportFields, sink: LineSink): void {
  sink(endLine(format, report.requestId, report.status, report.errorType));
  sink(reportLine(format, report));
}

export function reportStatusOf(status: 'success' | 'error' | 'timeout' | 'outOfMemory' | 'interrupted'): ReportStatus {
  return status === 'success' ? 'success' : status === 'timeout' ? 'timeout' : 'error';
}

export function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The error body a runtime posted, made into Lambda's `{errorType, errorMessage, trace}`. */
export function parseError(body: PostedBody, fallbackType: string): LambdaError {
  const parsed = parseJson(body.text);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    const trace = Array.isArray(o['trace']) ? o['trace'] : Array.isArray(o['stackTrace']) ? o['stackTrace'] : [];
    return {
      errorType: typeof o['errorType'] === 'string' ? o['errorType'] : (body.errorTypeHeader ?? fallbackType),
      errorMessage: typeof o['errorMessage'] === 'string' ? o['errorMessage'] : String(o['errorMessage'] ?? ''),
      trace: trace.map((t) => String(t)),
      // What a synchronous caller gets, byte for byte (lambda-behaviour §8).
      raw: body.text,
    };
  }
  return { errorType: body.errorTypeHeader ?? fallbackType, errorMessage: body.text, trace: [], raw: body.text };
}
