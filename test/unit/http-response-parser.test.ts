// The bootstrap's HTTP/1.1 response parser (runtime-host/runtime/node-bootstrap/http-connection.ts):
// every framing the Runtime API server could use, fed whole, byte by byte and at every split point.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue, ResponseParser, type HttpResponse } from '../../runtime-host/runtime/node-bootstrap/http-connection';

function parse(chunks: (string | Buffer)[], end = false): HttpResponse[] {
  const out: HttpResponse[] = [];
  const parser = new ResponseParser((r) => out.push(r));
  for (const c of chunks) parser.feed(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
  if (end) parser.end();
  return out;
}

const simple = (r: HttpResponse) => ({ status: r.statusCode, body: r.body.toString('utf8') });

const NEXT =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nLambda-Runtime-Aws-Request-Id: 8476a536\r\n' +
  'Lambda-Runtime-Deadline-Ms: 1700000003000\r\nDate: Tue, 01 Dec 2026 07:00:00 GMT\r\nConnection: keep-alive\r\n\r\n{"key":"v"}';
const ACCEPTED = 'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}';
const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('Runtime API response parser', () => {
  it('reads status, lowercase headers and a Content-Length body', () => {
    const [r] = parse([NEXT]);
    assert.equal(r!.statusCode, 200);
    assert.equal(r!.headers['lambda-runtime-aws-request-id'], '8476a536');
    assert.equal(r!.headers['lambda-runtime-deadline-ms'], '1700000003000');
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.equal(r!.body.toString(), '{"key":"v"}');
  });

  it('gives the same responses however the bytes are split', () => {
    const stream = Buffer.from(ACCEPTED + NEXT + CHUNKED, 'latin1');
    const expected = [
      { status: 202, body: '{"status":"OK"}' },
      { status: 200, body: '{"key":"v"}' },
      { status: 200, body: 'hello world' },
    ];
    assert.deepEqual(parse([stream]).map(simple), expected);
    assert.deepEqual(parse([...stream].map((b) => Buffer.from([b]))).map(simple), expected);
    for (let i = 1; i < stream.length; i++) {
      assert.deepEqual(parse([stream.subarray(0, i), stream.subarray(i)]).map(simple), expected, `split at ${i}`);
    }
  });

  it('keeps multi-byte UTF-8 bodies intact across splits', () => {
    const body = Buffer.from('{"city":"Zürich","emoji":"🦆"}', 'utf8');
    const bytes = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    for (let i = 1; i < bytes.length; i++) {
      const [r] = parse([bytes.subarray(0, i), bytes.subarray(i)]);
      assert.equal(r!.body.toString('utf8'), body.toString('utf8'));
    }
  });

  it('joins repeated headers with ", "', () => {
    const [r] = parse(['HTTP/1.1 202 Accepted\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n']);
    assert.equal(r!.headers['x-a'], '1, 2');
    assert.equal(r!.body.length, 0);
  });

  it('skips an interim 100 Continue and has no body for 204', () => {
    const out = parse(['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n', ACCEPTED]);
    assert.deepEqual(out.map(simple), [
      { status: 204, body: '' },
      { status: 202, body: '{"status":"OK"}' },
    ]);
  });

  it('reads a body without framing until the connection closes', () => {
    assert.deepEqual(parse(['HTTP/1.0 200 OK\r\n\r\npart one, ', 'part two']), []);
    assert.deepEqual(parse(['HTTP/1.0 200 OK\r\n\r\npart one, ', 'part two'], true).map(simple), [{ status: 200, body: 'part one, part two' }]);
  });

  it('rejects what is not HTTP, and a response cut short by the close', () => {
    assert.throws(() => parse(['SSH-2.0-OpenSSH_9.2\r\n\r\n']), /not an HTTP response: 'SSH-2.0-OpenSSH_9.2'/);
    assert.throws(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'], true), /closed in the middle of a response/);
    assert.throws(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n']), /bad content-length '-1'/);
    assert.throws(() => parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']), /bad chunk size 'zz'/);
    assert.doesNotThrow(() => parse([ACCEPTED], true));
  });
});

describe('Runtime API header values', () => {
  it('keeps a header to one printable line (an error name comes from user code)', () => {
    assert.equal(headerValue('Runtime.UserCodeSyntaxError'), 'Runtime.UserCodeSyntaxError');
    assert.equal(headerValue('Bad\r\nX-Injected: yes'), 'BadX-Injected: yes');
    assert.equal(headerValue('Fehler\u00e4\u{1F986}\ttab'), 'Fehler\ttab');
  });
});
