// A real handler that uses the real @aws-sdk/client-sqs from inside an execution environment, with
// no endpoint in its code (AWS_ENDPOINT_URL_SQS, as the host will set it): it looks its queue up by
// name (the URL it gets back is local, so the SDK's queue calls come back to the host) and sends a
// message, which Lambda's SQS mapping delivers to a second function. The SQS API is served by the
// test stand-in for the local AWS endpoint (sqs-helpers.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqsSource } from '../../runtime-host/events/sqs';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost } from '../../runtime-host/server/host';
import { serveHandler } from './sqs-helpers';
import { waitUntil } from './serve-helpers';

const HANDLERS = `const { SQSClient, GetQueueUrlCommand, SendMessageCommand } = require(process.env.SQS_CLIENT_MODULE);
const sqs = new SQSClient({});
exports.produce = async (event) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'chain' }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event), MessageAttributes: { from: { DataType: 'String', StringValue: 'producer' } } }));
  return { queueUrl: QueueUrl, messageId: sent.MessageId };
};
exports.consume = async (event) => event.Records.map((r) => ({ body: r.body, from: r.messageAttributes.from.stringValue }));
`;

// Credentials variables are reserved (a template may not set them): the SDK finds placeholder ones in a profile.
function template(endpoint: string, credentialsFile: string): string {
  return `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: .
    Timeout: 20
    Environment:
      Variables:
        AWS_ENDPOINT_URL_SQS: ${endpoint}
        AWS_SHARED_CREDENTIALS_FILE: ${credentialsFile}
        AWS_CONFIG_FILE: ${credentialsFile}
        AWS_PROFILE: local
        SQS_CLIENT_MODULE: ${require.resolve('@aws-sdk/client-sqs')}
Resources:
  ChainQueue:
    Type: AWS::SQS::Queue
    Properties: { QueueName: chain, VisibilityTimeout: 30 }
  Producer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.produce
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.consume
      Events:
        Chain:
          Type: SQS
          Properties: { Queue: !GetAtt ChainQueue.Arn }
`;
}

describe('SQS from inside a function', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sqs-fn-'));
  const sqs = new SqsSource();
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  let host: Awaited<ReturnType<typeof startHost>>;
  let endpoint: Awaited<ReturnType<typeof serveHandler>>;
  const finished: InvocationRecord[] = [];

  before(async () => {
    endpoint = await serveHandler({ service: 'sqs', targetPrefixes: ['AmazonSQS.'], handle: (r) => sqs.awsService().handle(r) });
    writeFileSync(join(dir, 'credentials'), '[local]\naws_access_key_id = local\naws_secret_access_key = local\n');
    writeFileSync(join(dir, 'template.yaml'), template(endpoint.url, join(dir, 'credentials')));
    writeFileSync(join(dir, 'app.js'), HANDLERS);
    host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [sqs] });
    host.context.awsEndpoint = endpoint.url;
    host.context.invoker.on('finished', (r: InvocationRecord) => {
      finished.push(r);
    });
  });
  after(async () => {
    await host?.close();
    await endpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a function's SendMessage reaches the queue and the mapping invokes the consumer with it", async () => {
    const producer = await host.context.invoker.invoke({ fn: host.context.functions.get('Producer')!, event: { order: 42 }, trigger: 'manual' });
    assert.equal(producer.status, 'success', JSON.stringify(producer.error ?? producer.logs));
    const result = producer.result as { queueUrl: string; messageId: string };
    assert.equal(result.queueUrl, `${endpoint.url}/123456789012/chain`);
    await waitUntil(() => finished.some((r) => r.functionName === 'Consumer'), 60_000, 'the consumer invocation');
    const consumer = finished.find((r) => r.functionName === 'Consumer')!;
    assert.equal(consumer.status, 'success');
    assert.deepEqual(consumer.result, [{ body: '{"order":42}', from: 'producer' }]);
    assert.equal((consumer.event as { Records: { messageId: string }[] }).Records[0]!.messageId, result.messageId);
    assert.deepEqual(
      endpoint.calls.filter((c) => c.resource === 'chain').map((c) => c.operation),
      ['GetQueueUrl', 'SendMessage'],
    );
  });

  it('a delivery from another service (context.queues) carries its chain: the batch record points to the caller and shares its trace', async () => {
    const caller = { recordId: 'record-of-the-sender', traceId: '1-5759e988-bd862e3fe1be46a994272793' };
    const { messageId } = await host.context.queues!.sendToQueue('arn:aws:sqs:us-east-1:123456789012:chain', { body: 'from sns', caller });
    await waitUntil(
      () =>
        finished.some((r) => r.functionName === 'Consumer' && (r.event as { Records: { messageId: string }[] }).Records.some((m) => m.messageId === messageId)),
      60_000,
      'the consumer invocation',
    );
    const consumer = finished.find(
      (r) => r.functionName === 'Consumer' && (r.event as { Records: { messageId: string }[] }).Records.some((m) => m.messageId === messageId),
    )!;
    const batch = host.context.records.get(consumer.parentId!);
    assert.equal(batch?.kind, 'sqs-batch');
    assert.equal(batch?.parentId, caller.recordId);
    assert.equal(batch?.traceId, caller.traceId);
    const record = (consumer.event as { Records: { attributes: Record<string, string> }[] }).Records[0]!;
    assert.equal(record.attributes['AWSTraceHeader'], `Root=${caller.traceId}`);
    await assert.rejects(host.context.queues!.sendToQueue('missing', { body: 'x' }), /does not exist/);
  });
});
