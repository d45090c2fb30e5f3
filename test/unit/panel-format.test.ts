import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHttpRequest, formatHttpResponse } from '../../webview-ui/model/http';
import { classifyLogLine } from '../../webview-ui/model/logs';
import { DEFAULT_UI_STATE, sanitizeUiState, sessionStateStore } from '../../webview-ui/state';

describe('panel log lines', () => {
  it('sets the platform lines apart', () => {
    for (const [line, platform] of [
      ['START RequestId: 8f5e Version: $LATEST', 'START'],
      ['END RequestId: 8f5e', 'END'],
      ['REPORT RequestId: 8f5e\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\t', 'REPORT'],
      ['INIT_START Runtime Version: nodejs:22.v20\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:x', 'INIT_START'],
      ['2026-11-23T01:02:54.273Z 4e69 Task timed out after 1.00 seconds', 'TIMEOUT'],
      ['RequestId: 4e69 Error: Runtime exited with error: signal: killed', 'EXIT'],
      ['{"time":"2026-11-23T01:02:54.273Z","type":"platform.report","record":{}}', 'REPORT'],
    ]) {
      const c = classifyLogLine(line);
      assert.equal(c.kind, 'platform', line);
      assert.equal(c.platform, platform, line);
    }
  });

  it('reads the level, timestamp and message of text and JSON application lines', () => {
    assert.deepEqual(classifyLogLine('2026-11-23T01:02:53.277Z\t4e69\tWARN\tdisk\rnearly full'), {
      kind: 'app',
      level: 'WARN',
      timestamp: '2026-11-23T01:02:53.277Z',
      message: 'disk\rnearly full',
      raw: '2026-11-23T01:02:53.277Z\t4e69\tWARN\tdisk\rnearly full',
    });
    const json = '{"timestamp":"2026-11-23T01:02:53.277Z","level":"ERROR","requestId":"4e69","message":"boom"}';
    assert.deepEqual(classifyLogLine(json), { kind: 'app', level: 'ERROR', timestamp: '2026-11-23T01:02:53.277Z', message: 'boom', raw: json });
    assert.deepEqual(classifyLogLine('plain stdout write'), { kind: 'app', message: 'plain stdout write', raw: 'plain stdout write' });
    assert.equal(classifyLogLine('{not json').level, undefined);
  });
});

describe('panel HTTP exchange', () => {
  it('writes request and response the way people read HTTP', () => {
    const http = {
      api: 'http' as const,
      request: { method: 'POST', path: '/orders', query: 'dry=1', headers: { 'content-type': 'application/json', cookie: ['a=1', 'b=2'] }, body: '{"id":1}' },
      response: { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    };
    assert.equal(formatHttpRequest(http), 'POST /orders?dry=1 HTTP/1.1\ncontent-type: application/json\ncookie: a=1\ncookie: b=2\n\n{"id":1}');
    assert.equal(formatHttpResponse(http), 'HTTP/1.1 201 Created\ncontent-type: application/json\n\n{"ok":true}');
    assert.equal(formatHttpResponse({ ...http, response: undefined }), undefined);
    assert.equal(
      formatHttpResponse({ ...http, response: { statusCode: 200, headers: {}, body: 'aGVsbG8=', bodyBase64: true } }),
      'HTTP/1.1 200 OK\n\n[5 bytes, base64]\naGVsbG8=',
    );
    assert.equal(formatHttpRequest({ ...http, request: { method: 'GET', path: '/', query: '', headers: {} } }), 'GET / HTTP/1.1');
  });
});

describe('panel UI state', () => {
  it('restores a saved state and rejects garbage', () => {
    const saved = {
      version: 1,
      view: 'summary',
      selectedId: 'abc',
      compareIds: ['a', 'b'],
      filter: { functionName: 'F', status: 'error', trigger: 'sns', search: 'x' },
      scrollTopPx: 280,
    };
    assert.deepEqual(sanitizeUiState(saved), saved);
    assert.deepEqual(sanitizeUiState('nonsense'), DEFAULT_UI_STATE);
    assert.deepEqual(sanitizeUiState({ version: 2 }), DEFAULT_UI_STATE);
    assert.deepEqual(sanitizeUiState({ version: 1, view: 'evil', compareIds: ['a'], scrollTopPx: -4, selectedId: 5 }), DEFAULT_UI_STATE);
  });

  it('keeps state in sessionStorage in the browser, surviving a reload', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    } as Storage;
    const store = sessionStateStore(storage);
    assert.deepEqual(store.load(), DEFAULT_UI_STATE);
    store.save({ ...DEFAULT_UI_STATE, selectedId: 'r1', scrollTopPx: 56 });
    assert.deepEqual(sessionStateStore(storage).load(), { ...DEFAULT_UI_STATE, selectedId: 'r1', scrollTopPx: 56 });
    data.set('lambda-workbench.panel', '{torn');
    assert.deepEqual(store.load(), DEFAULT_UI_STATE);
  });
});
