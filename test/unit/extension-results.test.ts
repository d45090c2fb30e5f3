// What the extension shows where the user looks, from text alone: the event parameters as one input
// line and back, the one-line outcome at the end of the handler's line, the log lines worth a hover,
// and the frame of a stack trace that threw in the project's own code (Node, TypeScript, Python).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedValues, formatParams, parseParams } from '../../extension/event-params';
import { lastLogLines, resultLine, throwingFrame } from '../../extension/result-format';
import type { EventTemplateParam, InvocationRecord } from '../../runtime-host/protocol';

const p = (name: string, def: string, advanced = false): EventTemplateParam => ({ name, default: def, description: name, ...(advanced ? { advanced } : {}) });

test('one parameter is its value; several are name=value pairs; advanced ones stay out of the line', () => {
  const one = [p('name', 'world')];
  assert.equal(formatParams(one), 'world');
  assert.deepEqual(parseParams(one, 'Ada & Bob'), { ok: true, values: { name: 'Ada & Bob' } });

  const s3 = [p('bucket', 'b'), p('key', 'a.txt'), p('region', 'us-east-1', true)];
  assert.equal(formatParams(s3, { key: 'x&y%.txt' }), 'bucket=b&key=x%26y%25.txt');
  assert.deepEqual(parseParams(s3, 'bucket=b&key=x%26y%25.txt'), { ok: true, values: { bucket: 'b', key: 'x&y%.txt', region: 'us-east-1' } });
  // An advanced parameter may still be typed.
  assert.deepEqual(parseParams(s3, 'key=k&region=eu-west-1'), { ok: true, values: { bucket: 'b', key: 'k', region: 'eu-west-1' } });
  const bad = parseParams(s3, 'bukcet=x');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.message : '', /no parameter "bukcet" \(parameters: bucket, key, region\)/);
  assert.deepEqual(changedValues(s3, { bucket: 'b', key: 'k', region: 'us-east-1' }), { key: 'k' });
});

function record(over: Partial<InvocationRecord>): InvocationRecord {
  return {
    id: 'r1',
    kind: 'invocation',
    requestId: 'r1',
    functionName: 'Fn',
    trigger: 'manual',
    status: 'success',
    cold: false,
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    memorySizeMB: 256,
    timeoutSeconds: 3,
    timestamps: { queuedAt: 0 },
    billingRule: 'per-ms-with-init',
    event: {},
    logs: [],
    ...over,
  };
}

test('the outcome line: status code of an API result, duration, billed, memory; or the error', () => {
  assert.equal(
    resultLine(record({ result: { statusCode: 200, body: 'hi' }, durationMs: 37.4, billedDurationMs: 278, maxMemoryUsedMB: 41 })),
    '✓ 200 · 37 ms · 278 ms billed · 41/256 MB',
  );
  assert.equal(resultLine(record({ result: 'plain', durationMs: 1.234, billedDurationMs: 2, maxMemoryUsedMB: 40 })), '✓ 1.2 ms · 2 ms billed · 40/256 MB');
  assert.equal(
    resultLine(
      record({
        status: 'error',
        error: { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'foo')", trace: [] },
        durationMs: 5,
        billedDurationMs: 83,
        maxMemoryUsedMB: 42,
      }),
    ),
    "✗ TypeError: Cannot read properties of undefined (reading 'foo') · 5 ms · 83 ms billed · 42/256 MB",
  );
});

test("the hover's log lines: the function's own, without START/END/REPORT, timestamp and request id dropped", () => {
  assert.deepEqual(
    lastLogLines([
      'INIT_START Runtime Version: nodejs:22',
      'START RequestId: 2923d544-5bd6-46b8-a934-01840a913e7e Version: $LATEST',
      '2026-12-02T08:31:13.636Z\t2923d544-5bd6-46b8-a934-01840a913e7e\tINFO\tgreeting Ada',
      '[INFO]\t2026-12-02T08:31:13.636Z\tpython line',
      'END RequestId: 2923d544-5bd6-46b8-a934-01840a913e7e',
      'REPORT RequestId: 2923d544-5bd6-46b8-a934-01840a913e7e\tDuration: 4.61 ms',
    ]),
    ['INFO greeting Ada', '[INFO]\t2026-12-02T08:31:13.636Z\tpython line'],
  );
});

test('the throwing frame is the innermost in the project: Node and TypeScript (source-mapped), ESM URLs, Python', () => {
  const root = '/work/app';
  assert.deepEqual(
    throwingFrame(
      [
        "TypeError: Cannot read properties of undefined (reading 'foo')",
        '    at helper (/work/app/node_modules/lib/index.js:3:9)',
        '    at Runtime.handler (/work/app/src/bad.ts:5:12)',
        '    at Runtime.handleOnce (/opt/lambda-workbench/dist/runtime/node-bootstrap.js:920:27)',
      ],
      root,
    ),
    { file: '/work/app/src/bad.ts', line: 5, column: 12 },
  );
  assert.deepEqual(throwingFrame(['Error: x', '    at file:///work/app/src/esm%20dir/app.mjs:2:7'], root), {
    file: '/work/app/src/esm dir/app.mjs',
    line: 2,
    column: 7,
  });
  assert.deepEqual(
    throwingFrame(
      [
        '  File "/work/app/py/app.py", line 9, in handler\n    return helper(event)\n',
        '  File "/work/app/py/util.py", line 3, in helper\n    return event["x"]\n',
      ],
      root,
    ),
    { file: '/work/app/py/util.py', line: 3 },
  );
  assert.equal(throwingFrame(['Task timed out after 3.00 seconds'], root), undefined);
  assert.equal(throwingFrame(['    at x (/elsewhere/a.js:1:1)'], root), undefined);
});
