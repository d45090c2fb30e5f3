// Platform log lines to the character (lambda-behaviour §4), compared with golden files so any change in the
// format is visible in review. `UPDATE_GOLDEN=1` rewrites the files after an intended change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  endLine,
  exitReason,
  initReportLine,
  initStartLine,
  logFormatOf,
  reportLine,
  runtimeExitLines,
  runtimeVersionOf,
  startLine,
  timeoutLine,
  type LogFormat,
} from '../../runtime-host/runtime/log-lines';
import { assertGolden } from '../helpers/golden';

const ID = '8f5b1c2a-3d4e-4f60-8a7b-9c0d1e2f3a4b';
const TIME = new Date('2025-03-04T05:06:07.089Z');

function cases(format: LogFormat): Record<string, string> {
  return {
    initStart: initStartLine(format, 'nodejs:22.v48', 'arn:aws:lambda:us-east-1::runtime:0123456789abcdef', TIME),
    start: startLine(format, ID, TIME),
    end: endLine(format, ID, 'success', undefined, TIME),
    endError: endLine(format, ID, 'error', 'TypeError', TIME),
    reportWarm: reportLine(
      format,
      { requestId: ID, durationMs: 12.344, billedDurationMs: 13, memorySizeMB: 128, maxMemoryUsedMB: 18, status: 'success' },
      TIME,
    ),
    reportCold: reportLine(
      format,
      { requestId: ID, durationMs: 2.5, billedDurationMs: 170, memorySizeMB: 256, maxMemoryUsedMB: 67, initDurationMs: 166.616, status: 'success' },
      TIME,
    ),
    reportError: reportLine(
      format,
      { requestId: ID, durationMs: 4, billedDurationMs: 4, memorySizeMB: 128, maxMemoryUsedMB: 60, status: 'error', errorType: 'Runtime.ExitError' },
      TIME,
    ),
    reportTimeout: reportLine(
      format,
      { requestId: ID, durationMs: 3000, billedDurationMs: 3180, memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: 179.2, status: 'timeout' },
      TIME,
    ),
    reportOutOfMemory: reportLine(
      format,
      { requestId: ID, durationMs: 812.09, billedDurationMs: 813, memorySizeMB: 128, maxMemoryUsedMB: 128, status: 'error', errorType: 'Runtime.OutOfMemory' },
      TIME,
    ),
    initReportError: initReportLine(format, { initDurationMs: 81.234, phase: 'init', status: 'error', errorType: 'Runtime.ImportModuleError' }, TIME),
    initReportTimeout: initReportLine(format, { initDurationMs: 10000, phase: 'init', status: 'timeout' }, TIME),
    timeout: timeoutLine(format, ID, 3, TIME),
    exit: runtimeExitLines(format, ID, 'exit status 1', 'Runtime.ExitError', TIME).join('\n'),
    exitClean: runtimeExitLines(format, ID, undefined, 'Runtime.ExitError', TIME).join('\n'),
  };
}

for (const format of ['Text', 'JSON'] as const) {
  test(`platform lines, ${format} format, match the golden file`, () => {
    assertGolden(`log-lines.${format.toLowerCase()}.json`, cases(format));
  });
}

test('text REPORT: tabs between fields, a trailing tab on success, two decimals, integer memory', () => {
  const line = reportLine('Text', { requestId: ID, durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 40, status: 'success' });
  assert.equal(line, `REPORT RequestId: ${ID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`);
  assert.equal(startLine('Text', ID), `START RequestId: ${ID} Version: $LATEST`);
});

test('JSON platform lines are {time, type, record} objects', () => {
  const report = JSON.parse(
    reportLine(
      'JSON',
      {
        requestId: ID,
        durationMs: 2.345,
        billedDurationMs: 3,
        memorySizeMB: 128,
        maxMemoryUsedMB: 50,
        initDurationMs: 100.006,
        status: 'error',
        errorType: 'Error',
      },
      TIME,
    ),
  );
  assert.deepEqual(report, {
    time: '2025-03-04T05:06:07.089Z',
    type: 'platform.report',
    record: {
      requestId: ID,
      status: 'error',
      errorType: 'Error',
      metrics: { durationMs: 2.35, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 50, initDurationMs: 100.01 },
    },
  });
});

test('log format comes from AWS_LAMBDA_LOG_FORMAT', () => {
  assert.equal(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'JSON' }), 'JSON');
  assert.equal(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'json' }), 'JSON');
  assert.equal(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'Text' }), 'Text');
  assert.equal(logFormatOf({}), 'Text');
});

test('exit reasons read as Lambda prints them', () => {
  assert.equal(exitReason(1, null), 'exit status 1');
  assert.equal(exitReason(129, null), 'exit status 129');
  assert.equal(exitReason(null, 'SIGKILL'), 'signal: killed');
  assert.equal(exitReason(null, 'SIGABRT'), 'signal: aborted');
  assert.equal(exitReason(null, 'SIGSEGV'), 'signal: segmentation fault');
  assert.equal(exitReason(0, null), undefined);
});

test('INIT_START per runtime family: what runs locally, marked -local (golden file)', () => {
  const node = { name: 'node', version: '20.20.2' };
  const python = { name: 'python', version: '3.11.7' };
  const debian = { name: 'debian', version: '12' };
  const line = (format: LogFormat, runtime: string, local: { name: string; version: string }) => {
    const v = runtimeVersionOf(runtime, local, 'eu-west-1');
    return initStartLine(format, v.runtimeVersion, v.runtimeVersionArn, TIME);
  };
  const actual = {
    nodejs22: line('Text', 'nodejs22.x', node),
    nodejs18: line('Text', 'nodejs18.x', { name: 'node', version: '18.19.0' }),
    python312: line('Text', 'python3.12', python),
    python39: line('Text', 'python3.9', { name: 'python', version: '3.9.18' }),
    providedAl2023: line('Text', 'provided.al2023', debian),
    providedAl2: line('Text', 'provided.al2', { name: 'ubuntu', version: '24.04' }),
    python312Json: line('JSON', 'python3.12', python),
    providedAl2023Json: line('JSON', 'provided.al2023', debian),
    ruby33: line('Text', 'ruby3.3', { name: 'ruby', version: '3.1.2' }),
    java21: line('Text', 'java21', { name: 'java', version: '17.0.15' }),
  };
  assertGolden('init-start.json', actual);
});
