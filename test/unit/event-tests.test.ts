// Saved events as tests: the response comparison (ignored paths, JSON-string bodies, expected errors),
// the expected-response file's checks, the diff texts, and the text and JUnit reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareResponse, describeDifferences, formatPath, parsePath, readExpected } from '../../runtime-host/events/event-tests/compare';
import { junitReport, textReport, xml, type EventTestResult } from '../../runtime-host/events/event-tests/report';
import type { ExpectedResponseFile } from '../../runtime-host/protocol/event-tests';
import { UserError } from '../../runtime-host/runtime/types';

function compare(file: ExpectedResponseFile, actual: Parameters<typeof compareResponse>[2]) {
  const { ignore, expected } = readExpected(file, 'x.expected.json');
  return compareResponse(expected, ignore, actual);
}

test('paths: dots, indexes, wildcards and quoted keys', () => {
  assert.deepEqual(parsePath('body.timestamp'), [{ key: 'body' }, { key: 'timestamp' }]);
  assert.deepEqual(parsePath('items[0].id'), [{ key: 'items' }, { index: 0 }, { key: 'id' }]);
  assert.deepEqual(parsePath('items[*].id'), [{ key: 'items' }, { any: true }, { key: 'id' }]);
  assert.deepEqual(parsePath('headers.*'), [{ key: 'headers' }, { any: true }]);
  assert.deepEqual(parsePath('headers["x.amz.id"]'), [{ key: 'headers' }, { key: 'x.amz.id' }]);
  assert.deepEqual(parsePath('headers.content-type'), [{ key: 'headers' }, { key: 'content-type' }]);
  for (const bad of ['', 'a..b', 'a.', 'a[', 'a[x]', 'a["b]']) assert.throws(() => parsePath(bad), UserError, bad);
  assert.equal(formatPath(['body', 'items', 0, 'id']), 'body.items[0].id');
  assert.equal(formatPath(['headers', 'x.y']), 'headers["x.y"]');
});

test('equal responses: no differences, whatever the key order', () => {
  const r = compare({ result: { a: 1, b: [1, { c: 'x' }] } }, { result: { b: [1, { c: 'x' }], a: 1 } });
  assert.deepEqual(r.differences, []);
  assert.equal(r.expectedText, r.actualText);
  assert.deepEqual(compare({ result: null }, { result: null }).differences, []);
});

test('changed, missing and unexpected values are named by path', () => {
  const r = compare({ result: { a: 1, b: { c: 'x', d: true }, list: [1, 2, 3] } }, { result: { a: 2, b: { c: 'x', e: 0 }, list: [1, 2] } });
  assert.deepEqual(r.differences, [
    { path: 'a', kind: 'changed', expected: 1, actual: 2 },
    { path: 'b.d', kind: 'missing', expected: true },
    { path: 'b.e', kind: 'unexpected', actual: 0 },
    { path: 'list[2]', kind: 'missing', expected: 3 },
  ]);
  assert.equal(describeDifferences(r.differences, 2), '4 differences: a: expected 1, got 2; b.d: expected true, missing (and 2 more)');
  // A number is not its string, an object is not an array.
  assert.equal(compare({ result: { n: 1 } }, { result: { n: '1' } }).differences.length, 1);
  assert.equal(compare({ result: { v: {} } }, { result: { v: [] } }).differences.length, 1);
});

test('$ignore leaves paths out entirely: present, missing or different, with wildcards', () => {
  const file = {
    $ignore: ['requestId', 'items[*].id', 'meta.*'],
    result: {
      requestId: 'a',
      items: [
        { id: 1, n: 'x' },
        { id: 2, n: 'y' },
      ],
      meta: { t: 1 },
    },
  };
  assert.deepEqual(
    compare(file, {
      result: {
        items: [
          { id: 9, n: 'x' },
          { id: 8, n: 'y' },
        ],
        meta: { t: 2, u: 3 },
      },
    }).differences,
    [],
  );
  assert.deepEqual(
    compare(file, {
      result: {
        requestId: 'b',
        items: [
          { id: 9, n: 'z' },
          { id: 8, n: 'y' },
        ],
        meta: {},
      },
    }).differences,
    [{ path: 'items[0].n', kind: 'changed', expected: 'x', actual: 'z' }],
  );
});

test('a JSON string on both sides (an API Gateway body) is compared as JSON, and paths go into it', () => {
  const file = {
    $ignore: ['body.timestamp'],
    result: { statusCode: 200, body: '{"message":"Hello","timestamp":"2026-01-01T00:00:00Z"}' },
  };
  const same = compare(file, { result: { statusCode: 200, body: '{ "timestamp": "2030-05-05T10:00:00Z", "message": "Hello" }' } });
  assert.deepEqual(same.differences, []);
  const other = compare(file, { result: { statusCode: 200, body: '{"message":"Hi","timestamp":"x"}' } });
  assert.deepEqual(other.differences, [{ path: 'body.message', kind: 'changed', expected: 'Hello', actual: 'Hi' }]);
  // The diff view shows the bodies expanded, the ignored timestamp as the actual one on both sides.
  assert.equal(other.expectedText, '{\n  "body": {\n    "message": "Hello",\n    "timestamp": "x"\n  },\n  "statusCode": 200\n}\n');
  assert.equal(other.actualText, '{\n  "body": {\n    "message": "Hi",\n    "timestamp": "x"\n  },\n  "statusCode": 200\n}\n');
  // A plain string against JSON text stays a string comparison.
  assert.equal(compare({ result: { body: 'plain' } }, { result: { body: '{"a":1}' } }).differences.length, 1);
});

test('expected errors: only the fields the file names are compared; success against an error differs as a whole', () => {
  const typeOnly = { error: { errorType: 'ValidationError' } };
  assert.deepEqual(compare(typeOnly, { error: { errorType: 'ValidationError', errorMessage: 'anything' } }).differences, []);
  assert.deepEqual(compare(typeOnly, { error: { errorType: 'TypeError', errorMessage: 'x' } }).differences, [
    { path: 'errorType', kind: 'changed', expected: 'ValidationError', actual: 'TypeError' },
  ]);
  const ignoredMessage = { $ignore: ['errorMessage'], error: { errorType: 'E', errorMessage: 'at 12:00' } };
  assert.deepEqual(compare(ignoredMessage, { error: { errorType: 'E', errorMessage: 'at 13:00' } }).differences, []);
  const wantedResult = compare({ result: { ok: true } }, { error: { errorType: 'TypeError', errorMessage: 'boom' } });
  assert.equal(wantedResult.differences.length, 1);
  assert.equal(wantedResult.differences[0]!.path, '');
  assert.match(wantedResult.actualText, /"errorType": "TypeError"/);
  assert.equal(compare(typeOnly, { result: 1 }).differences.length, 1);
});

test('the expected-response file: one of result and error, known keys, $ignore a list of valid paths', () => {
  assert.throws(() => readExpected([1], 'f'), /must hold an object/);
  assert.throws(() => readExpected({}, 'f'), /exactly one of "result" and "error"/);
  assert.throws(() => readExpected({ result: 1, error: {} }, 'f'), /exactly one/);
  assert.throws(() => readExpected({ result: 1, extra: 2 }, 'f'), /unknown key "extra"/);
  assert.throws(() => readExpected({ error: 'x' }, 'f'), /"error" must be an object/);
  assert.throws(() => readExpected({ result: 1, $ignore: 'a' }, 'f'), /must be a list of paths/);
  assert.throws(() => readExpected({ result: 1, $ignore: ['a..b'] }, 'f'), /f: invalid \$ignore path 'a\.\.b'/);
  assert.deepEqual(readExpected({ result: null }, 'f').expected, { result: null });
});

function result(over: Partial<EventTestResult>): EventTestResult {
  return { function: 'Fn', name: 'ev', eventPath: 'events/Fn/ev.json', status: 'passed', message: 'ok', durationMs: 12, logs: [], ...over };
}

test('text report: per function, failures with their differences, a summary line', () => {
  const text = textReport(
    [
      result({ name: 'a' }),
      result({
        name: 'b',
        status: 'failed',
        message: '1 difference',
        check: {
          function: 'Fn',
          name: 'b',
          status: 'failed',
          expectedPath: 'events/Fn/b.expected.json',
          hasExpected: true,
          message: '1 difference',
          differences: [{ path: 'x', kind: 'changed', expected: 1, actual: 2 }],
        },
      }),
      result({ function: 'Other', name: 'c', status: 'error', message: "no function 'Other'" }),
    ],
    1500,
  );
  assert.equal(
    text,
    [
      'Fn',
      '  ✓ a 12 ms',
      '  ✗ b 12 ms',
      '      differs from events/Fn/b.expected.json:',
      '        x: expected 1, got 2',
      '',
      'Other',
      '  ! c 12 ms',
      "      no function 'Other'",
      '',
      '1 passed, 1 failed, 1 error (3 events of 2 functions) in 1.50 s',
      '',
    ].join('\n'),
  );
});

test('JUnit report: a testsuite per function, failures and errors with escaped text and the logs', () => {
  const out = junitReport(
    [
      result({ name: 'ok & fine' }),
      result({
        name: 'bad',
        status: 'failed',
        message: 'x: expected "<a>", got "b"',
        logs: ['START RequestId: 1', 'END'],
        check: {
          function: 'Fn',
          name: 'bad',
          status: 'failed',
          expectedPath: 'events/Fn/bad.expected.json',
          hasExpected: true,
          message: '',
          differences: [],
          expectedText: '"<a>"\n',
          actualText: '"b"\n',
        },
      }),
      result({ function: 'G', name: 'e', status: 'error', message: 'no function' }),
    ],
    2000,
  );
  assert.match(out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="lambda-workbench" tests="3" failures="1" errors="1" time="2\.000">/);
  assert.match(out, /<testsuite name="Fn" tests="2" failures="1" errors="0" skipped="0" time="0\.024">/);
  assert.match(out, /<testcase classname="Fn" name="ok &amp; fine" file="events\/Fn\/ev\.json" time="0\.012"\/>/);
  assert.match(
    out,
    /<failure message="x: expected &quot;&lt;a&gt;&quot;, got &quot;b&quot;" type="ResponseMismatch">expected:\n&quot;&lt;a&gt;&quot;\nactual:\n&quot;b&quot;\n<\/failure>/,
  );
  assert.match(out, /<system-out>START RequestId: 1\nEND<\/system-out>/);
  assert.match(
    out,
    /<testsuite name="G" tests="1" failures="0" errors="1"[^>]*>\n {4}<testcase classname="G" name="e"[^>]*>\n {6}<error message="no function" type="TestError">no function<\/error>/,
  );
  assert.equal(xml('a\u0001b\'"'), 'ab&apos;&quot;');
});
