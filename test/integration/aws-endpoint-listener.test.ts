// The local AWS endpoint's listener on its own, with handlers that answer what the test decides:
// HTTP/1.1 and HTTP/2 without TLS on one port, a handler that throws becomes the service's
// InternalError shape and one host log line, HEAD answers carry no body.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { AwsServiceHandler } from '../../runtime-host/events/aws-service';
import type { HostLogger } from '../../runtime-host/host-context';
import { AwsEndpoint } from '../../runtime-host/server/aws-endpoint';

const errors: string[] = [];
const log: HostLogger = { info: () => {}, warn: () => {}, debug: () => {}, error: (m) => errors.push(m) };
const echo: AwsServiceHandler = {
  service: 'kinesis',
  targetPrefixes: ['Kinesis_20131202.'],
  handle: async (r) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: r.method, length: r.body.length }),
    call: { operation: 'Echo' },
  }),
};
const broken: AwsServiceHandler = {
  service: 's3',
  handle: async () => {
    throw new Error('disk on fire');
  },
};
const sns: AwsServiceHandler = {
  service: 'sns',
  handle: async () => {
    throw new Error('topic on fire');
  },
};

let endpoint: AwsEndpoint;
before(async () => {
  endpoint = new AwsEndpoint({ handlers: [echo, broken, sns], region: 'us-east-1', log });
  await endpoint.listen();
});
after(() => endpoint.close());

function http1(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(endpoint.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(url.port), method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('AWS endpoint listener', () => {
  it('serves HTTP/2 with prior knowledge and HTTP/1.1 on the same port', async () => {
    const session = connect(endpoint.url);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/',
          'x-amz-target': 'Kinesis_20131202.PutRecord',
          'content-type': 'application/x-amz-json-1.1',
        });
        let status = 0;
        let text = '';
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c: Buffer) => (text += c.toString()));
        stream.on('end', () => resolve({ status, body: text }));
        stream.on('error', reject);
        stream.end('{"a":1}');
      });
      assert.deepEqual(answer, { status: 200, body: JSON.stringify({ method: 'POST', length: 7 }) });
    } finally {
      session.close();
    }
    const h1 = await http1('POST', '/', { 'x-amz-target': 'Kinesis_20131202.PutRecord' }, '{}');
    assert.deepEqual([h1.status, h1.body], [200, JSON.stringify({ method: 'POST', length: 2 })]);
  });

  it('an HTTP/2 request with a foreign :authority is refused with 403', async () => {
    const session = connect(endpoint.url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/', ':authority': 'evil.example', 'x-amz-target': 'Kinesis_20131202.PutRecord' });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', reject);
        stream.end('{}');
      });
      assert.equal(status, 403);
    } finally {
      session.close();
    }
  });

  it('a handler that throws answers in its service’s InternalError shape and logs one line', async () => {
    const before = errors.length;
    const s3 = await http1('GET', '/bucket/key');
    assert.equal(s3.status, 500);
    assert.match(s3.body, /<Code>InternalError<\/Code>/);
    const q = await http1(
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sns/aws4_request' },
      'Action=Publish',
    );
    assert.equal(q.status, 500);
    assert.match(q.body, /<ErrorResponse><Error><Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
    assert.equal(errors.length - before, 2);
    assert.match(errors[before]!, /disk on fire/);
  });

  it('answers an unknown service in JSON with its name, and HEAD without a body', async () => {
    const unknown = await http1(
      'POST',
      '/',
      {
        'x-amz-target': 'DynamoDB_20120810.GetItem',
        'content-type': 'application/x-amz-json-1.0',
        authorization: 'AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/dynamodb/aws4_request',
      },
      '{}',
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers['x-amzn-errortype'], 'UnknownService');
    assert.match(unknown.body, /'dynamodb'/);
    const head = await http1('HEAD', '/bucket/key');
    assert.deepEqual([head.status, head.body], [500, '']);
  });
});
