// Deliveries between simulated services through the shared contract (events/aws-service.ts):
// S3 bucket notifications to a queue and a topic, and SNS subscriptions of protocol sqs (enveloped
// and raw), declared in the template and driven through the local AWS endpoint with the real SDK
// clients. The queue side is a recording QueueDelivery (the SQS source implements the same contract).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ServiceMessage } from '../../runtime-host/events/aws-service';
import type { ServiceCallSpan } from '../../runtime-host/protocol/records';
import { S3Source } from '../../runtime-host/events/s3';
import { SnsSource } from '../../runtime-host/events/sns';
import type { EventSource, HostContext, HostLogger } from '../../runtime-host/host-context';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { copyFixture, removeDir, waitUntil } from './serve-helpers';

const quiet: HostLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

class RecordingQueues implements EventSource {
  readonly name = 'recording-queues';
  readonly sent: { queue: string; message: ServiceMessage }[] = [];
  async start(context: HostContext): Promise<void> {
    context.queues = {
      sendToQueue: async (queue, message) => {
        this.sent.push({ queue, message });
        return { messageId: String(this.sent.length) };
      },
    };
  }
  async stop(): Promise<void> {}
}

let dir: string;
let host: RunningHost;
let queues: RecordingQueues;
let s3: S3Client;
let sns: SNSClient;

before(async () => {
  dir = copyFixture('aws-delivery-project');
  queues = new RecordingQueues();
  host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [queues, new S3Source(), new SnsSource()] });
  const config = { endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  sns = new SNSClient(config);
});

after(async () => {
  s3?.destroy();
  sns?.destroy();
  await host?.close();
  removeDir(dir);
});

const to = (queue: string) => queues.sent.filter((s) => s.queue.endsWith(queue));

describe('AWS endpoint: deliveries between services', () => {
  it('the SNS source offers topics to the other services', () => {
    assert.equal(typeof host.context.topics?.publishToTopic, 'function');
  });

  it('SNS → SQS: an enveloped subscription gets the SNS JSON, a raw one the message and its attributes', async () => {
    const out = await sns.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:events',
        Message: 'hello queues',
        Subject: 'Hi',
        MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
      }),
    );
    await waitUntil(() => to('audit').length === 1 && to('raw').length === 1, 30_000, 'both queues got the message');
    const envelope = JSON.parse(to('audit')[0]!.message.body) as Record<string, unknown>;
    assert.equal(envelope.Type, 'Notification');
    assert.equal(envelope.MessageId, out.MessageId);
    assert.equal(envelope.TopicArn, 'arn:aws:sns:us-east-1:123456789012:events');
    assert.equal(envelope.Message, 'hello queues');
    assert.equal(envelope.Subject, 'Hi');
    assert.deepEqual(envelope.MessageAttributes, { a: { Type: 'String', Value: 'b' } });
    assert.match(String(envelope.UnsubscribeURL), /Action=Unsubscribe/);
    const raw = to('raw')[0]!.message;
    assert.equal(raw.body, 'hello queues');
    assert.deepEqual(raw.attributes, { a: { DataType: 'String', StringValue: 'b' } });
  });

  it('S3 → SQS and S3 → SNS → SQS: the bucket’s NotificationConfiguration with its filters', async () => {
    const before = queues.sent.length;
    await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'q1/data.csv', Body: 'a,b' }));
    await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'q1/notes.txt', Body: 'not csv' }));
    await waitUntil(() => to('ingest').length === 1, 30_000, 'the csv put reached the ingest queue');
    const event = JSON.parse(to('ingest')[0]!.message.body) as {
      Records: { eventName: string; s3: { configurationId: string; object: { key: string; size: number } } }[];
    };
    assert.equal(event.Records[0]!.eventName, 'ObjectCreated:Put');
    assert.equal(event.Records[0]!.s3.configurationId, 'csv-to-queue');
    assert.deepEqual([event.Records[0]!.s3.object.key, event.Records[0]!.s3.object.size], ['q1/data.csv', 3]);

    await s3.send(new DeleteObjectCommand({ Bucket: 'reports', Key: 'q1/notes.txt' }));
    await waitUntil(() => to('audit').length === 2 && to('raw').length === 2, 30_000, 'the removal reached the topic’s queues');
    const viaTopic = JSON.parse(to('audit')[1]!.message.body) as { Subject: string; Message: string };
    assert.equal(viaTopic.Subject, 'Amazon S3 Notification');
    const s3Event = JSON.parse(viaTopic.Message) as { Records: { eventName: string; s3: { object: { key: string } } }[] };
    assert.deepEqual([s3Event.Records[0]!.eventName, s3Event.Records[0]!.s3.object.key], ['ObjectRemoved:Delete', 'q1/notes.txt']);
    // The .txt put matched no configuration: exactly three deliveries since the first put.
    assert.equal(queues.sent.length - before, 3);
  });
});

describe('AWS endpoint: service calls for the trace', () => {
  it('records each answered call with the caller found from X-Amzn-Trace-Id, and passes the caller on to deliveries and invocations', async () => {
    const spans: ServiceCallSpan[] = [];
    const traceHeader = 'Root=1-5f84c7a1-0123456789abcdef01234567;Parent=1111111111111111;Sampled=0;Lineage=a:0';
    host.context.serviceCalls = {
      callerOf: (h) => (h === traceHeader ? { recordId: 'caller-record', traceId: '1-5f84c7a1-0123456789abcdef01234567' } : undefined),
      record: (span) => spans.push(span),
    };
    try {
      const url = new URL(host.awsEndpoint);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: Number(url.port),
            method: 'PUT',
            path: '/reports/traced/t.csv',
            headers: { 'x-amzn-trace-id': traceHeader, 'content-type': 'text/csv' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end('x,y');
      });
      assert.equal(status, 200);
      await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'traced/none.csv' })).catch(() => undefined);
      const put = spans.find((s) => s.operation === 'PutObject');
      assert.ok(put, JSON.stringify(spans));
      assert.deepEqual(
        [put.service, put.resource, put.status, put.recordId, put.traceId],
        ['s3', 'reports/traced/t.csv', 200, 'caller-record', '1-5f84c7a1-0123456789abcdef01234567'],
      );
      const miss = spans.find((s) => s.operation === 'GetObject');
      assert.deepEqual([miss?.status, miss?.errorCode, miss?.recordId], [404, 'NoSuchKey', undefined]);
      const invoked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: Number(url.port),
            method: 'POST',
            path: '/2015-03-31/functions/Echo/invocations',
            headers: { 'x-amzn-trace-id': traceHeader },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end('{"n":1}');
      });
      assert.deepEqual(invoked, { status: 200, body: JSON.stringify({ echoed: { n: 1 } }) });
      const echo = (await host.store.page({ function: 'Echo' })).records[0];
      assert.equal(echo?.parentId, 'caller-record');
      const invokeSpan = spans.find((s) => s.service === 'lambda');
      assert.deepEqual([invokeSpan?.operation, invokeSpan?.resource, invokeSpan?.status], ['Invoke', 'Echo', 200]);
      await waitUntil(() => to('ingest').some((m) => m.message.body.includes('traced/t.csv')), 30_000, 'the traced put reached the queue');
      assert.deepEqual(to('ingest').find((m) => m.message.body.includes('traced/t.csv'))!.message.caller, {
        recordId: 'caller-record',
        traceId: '1-5f84c7a1-0123456789abcdef01234567',
      });
    } finally {
      delete host.context.serviceCalls;
    }
  });
});
