// Where an asynchronous invocation's outcome goes, through a real serve and the real AWS SDK clients: a
// failed event's record to the SQS on-failure destination and the event itself to the SNS dead-letter
// queue (with Lambda's attributes), a success to an EventBridge bus, a success to another function
// (CloudFormation's own AWS::Lambda::EventInvokeConfig), nothing for a synchronous invoke, and a warning
// at load for each destination the local services cannot take.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { localAwsConfig, servedFixture, waitUntil } from './serve-helpers';

const fixture = servedFixture('async-destinations-project');

let lambda: LambdaClient;
let sqs: SQSClient;
let sns: SNSClient;
let s3: S3Client;
let events: EventBridgeClient;
const clients = () => {
  if (lambda) return;
  const config = localAwsConfig(fixture.serve.ready.awsEndpoint!);
  lambda = new LambdaClient(config);
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  events = new EventBridgeClient(config);
};
after(() => {
  lambda?.destroy();
  sqs?.destroy();
  sns?.destroy();
  s3?.destroy();
  events?.destroy();
});

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

async function invokeAsync(functionName: string, event: unknown): Promise<string> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  assert.equal(out.StatusCode, 202);
  return out.$metadata.requestId!;
}

/** Receives (and deletes) messages until `count` have come. */
async function receive(queue: string, count: number): Promise<Message[]> {
  const queueUrl = `${fixture.serve.ready.awsEndpoint}/123456789012/${queue}`;
  const got: Message[] = [];
  await waitUntil(
    async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      for (const m of out.Messages ?? []) {
        got.push(m);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      return got.length >= count;
    },
    30_000,
    `${count} message(s) in ${queue}`,
  );
  return got;
}

/** The async-invoke parent record of a request, once it has finished. */
function finishedParent(asyncRequestId: string): Promise<InvocationRecord> {
  return fixture.client.waitFor(
    'invocation.finished',
    (r) => r.kind === 'async-invoke' && (r.source as { asyncRequestId?: string } | undefined)?.asyncRequestId === asyncRequestId,
    30_000,
  );
}

describe('asynchronous invocation destinations', () => {
  it('a failed event: its record to the on-failure queue, the event itself to the dead-letter topic', async () => {
    clients();
    const event = { order: 7, note: 'é' };
    const requestId = await invokeAsync('Fails', event);
    const parent = await finishedParent(requestId);
    assert.equal(parent.status, 'error');

    const [failure] = await receive('failures', 1);
    const record = JSON.parse(failure!.Body!) as Record<string, unknown>;
    assert.equal(record.version, '1.0');
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(record.requestContext, { requestId, functionArn: `${ARN}:Fails:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    assert.deepEqual(record.requestPayload, event);
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    // The error body a synchronous caller gets, as the runtime posted it.
    const body = record.responsePayload as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
    assert.deepEqual([body.errorType, body.errorMessage, body.trace[0]], ['Error', 'boom', 'Error: boom']);

    const [dead] = await receive('dead-letter-copies', 1);
    assert.deepEqual(JSON.parse(dead!.Body!), event, 'the dead-letter queue gets the event unchanged');
    assert.deepEqual(dead!.MessageAttributes?.RequestID, { DataType: 'String', StringValue: requestId });
    assert.deepEqual(dead!.MessageAttributes?.ErrorCode, { DataType: 'Number', StringValue: '200' });
    assert.deepEqual(dead!.MessageAttributes?.ErrorMessage, { DataType: 'String', StringValue: 'boom' });

    assert.deepEqual((parent.source as { sentTo?: unknown }).sentTo, [
      { as: 'on-failure', arn: 'arn:aws:sqs:us-east-1:123456789012:failures' },
      { as: 'dead-letter', arn: 'arn:aws:sns:us-east-1:123456789012:dead-letters' },
    ]);
  });

  it('a success: its record on the EventBridge bus, as Lambda puts it', async () => {
    clients();
    const requestId = await invokeAsync('Succeeds', { n: 1 });
    const [message] = await receive('results', 1);
    const put = JSON.parse(message!.Body!) as Record<string, unknown>;
    assert.equal(put.source, 'lambda');
    assert.equal(put['detail-type'], 'Lambda Function Invocation Result - Success');
    assert.deepEqual(put.resources, ['arn:aws:events:us-east-1:123456789012:event-bus/results', `${ARN}:Succeeds:$LATEST`]);
    const detail = put.detail as Record<string, unknown>;
    assert.deepEqual(detail.requestContext, { requestId, functionArn: `${ARN}:Succeeds:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
    assert.deepEqual(detail.responsePayload, { handled: { n: 1 } });
    assert.deepEqual(detail.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
  });

  it('a success to another function (AWS::Lambda::EventInvokeConfig): it runs with the record, in the same trace', async () => {
    clients();
    const requestId = await invokeAsync('Chained', { step: 1 });
    const parent = await finishedParent(requestId);
    let recorded: InvocationRecord | undefined;
    await waitUntil(
      async () => {
        const { records } = await fixture.client.request<ListInvocationsResult>('listInvocations', { function: 'Recorder', limit: 10 });
        recorded = records.find((r) => r.kind === 'invocation' && r.status === 'success');
        return recorded !== undefined;
      },
      30_000,
      'the Recorder invocation',
    );
    const event = (recorded!.result as { handled: Record<string, unknown> }).handled;
    assert.deepEqual(event.requestContext, { requestId, functionArn: `${ARN}:Chained:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
    assert.deepEqual(event.requestPayload, { step: 1 });
    assert.equal(recorded!.traceId, parent.traceId, 'the destination joins the chain that caused it');
  });

  it('a function with reserved concurrency 0: its events go to the failure destination and the dead-letter queue at once, throttled', async () => {
    clients();
    const requestId = await invokeAsync('Disabled', { off: true });
    const [failure] = await receive('failures', 1);
    const record = JSON.parse(failure!.Body!) as { requestContext: Record<string, unknown>; responseContext: Record<string, unknown> };
    assert.deepEqual(record.requestContext, { requestId, functionArn: `${ARN}:Disabled:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    assert.deepEqual(record.responseContext, { statusCode: 429, executedVersion: '$LATEST' });
    const [dead] = await receive('disabled-dead-letters', 1);
    assert.deepEqual(JSON.parse(dead!.Body!), { off: true });
    assert.deepEqual(dead!.MessageAttributes?.ErrorCode, { DataType: 'Number', StringValue: '429' });
  });

  it("an SNS delivery that fails: its record to the function's on-failure queue, and the publish record says so", async () => {
    clients();
    const published = fixture.client.waitFor(
      'invocation.finished',
      (r) => r.kind === 'sns-publish' && (r.source as { topic?: string } | undefined)?.topic === 'alarms',
      30_000,
    );
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms', Message: 'disk full' }));
    const [failure] = await receive('alarm-failures', 1);
    const record = JSON.parse(failure!.Body!) as { requestContext: Record<string, unknown>; requestPayload: { Records: { Sns: { MessageId: string } }[] } };
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.equal(record.requestContext.functionArn, `${ARN}:FailsOnAlarm:$LATEST`);
    assert.equal(record.requestPayload.Records[0]!.Sns.MessageId, MessageId);
    const parent = await published;
    assert.deepEqual((parent.source as { deliveries?: unknown }).deliveries, [
      { function: 'FailsOnAlarm', status: 'failed', attempts: 1, sentTo: [{ as: 'on-failure', arn: 'arn:aws:sqs:us-east-1:123456789012:alarm-failures' }] },
    ]);
  });

  it('a failed event to an S3 bucket: its record as an object named as Lambda names it', async () => {
    clients();
    await invokeAsync('FailsToBucket', { archived: true });
    let keys: string[] = [];
    await waitUntil(
      async () => {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'failed-invocations', Prefix: 'aws/lambda/async/' }));
        keys = (listed.Contents ?? []).map((o) => o.Key!);
        return keys.length > 0;
      },
      30_000,
      'the record in the bucket',
    );
    assert.equal(keys.length, 1);
    assert.match(
      keys[0]!,
      /^aws\/lambda\/async\/FailsToBucket\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: 'failed-invocations', Key: keys[0]! }));
    const record = JSON.parse(await object.Body!.transformToString()) as { requestContext: Record<string, unknown>; requestPayload: unknown };
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.deepEqual(record.requestPayload, { archived: true });
  });

  it("an EventBridge rule's function that fails: its record to the on-failure queue, and the event's record says so", async () => {
    clients();
    const routed = fixture.client.waitFor(
      'invocation.finished',
      (r) => r.kind === 'eventbridge-event' && r.rules?.includes('FailsOnEventAudit') === true,
      30_000,
    );
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'audit', DetailType: 'Login', Detail: '{"user":"ada"}' }] }));
    assert.equal(put.FailedEntryCount, 0);
    const [failure] = await receive('event-failures', 1);
    assert.equal((JSON.parse(failure!.Body!) as { requestContext: { functionArn: string } }).requestContext.functionArn, `${ARN}:FailsOnEvent:$LATEST`);
    const record = await routed;
    const [delivery] = (record.source as { deliveries: { invocation?: string; sentTo?: unknown }[] }).deliveries;
    assert.equal(delivery!.invocation, 'failed');
    assert.deepEqual(delivery!.sentTo, [{ as: 'on-failure', arn: 'arn:aws:sqs:us-east-1:123456789012:event-failures' }]);
  });

  it('a synchronous invoke sends nothing anywhere', async () => {
    clients();
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'Fails', Payload: new TextEncoder().encode('{"sync":true}') }));
    assert.equal(out.FunctionError, 'Unhandled');
    // An asynchronous one after it: the only messages that come are its own.
    const requestId = await invokeAsync('Fails', { after: true });
    const [failure] = await receive('failures', 1);
    assert.equal((JSON.parse(failure!.Body!) as { requestContext: { requestId: string } }).requestContext.requestId, requestId);
    const [dead] = await receive('dead-letter-copies', 1);
    assert.deepEqual(JSON.parse(dead!.Body!), { after: true });
  });

  it('what cannot be delivered locally is named once at load, at its line', () => {
    const log = fixture.serve.stderr();
    for (const what of [
      /template\.yaml:\d+.*Unsent: DeadLetterQueue: SAM creates this queue on deploy; locally, declare it in the template and give its ARN here/,
      /template\.yaml:\d+.*Unsent: EventInvokeConfig\.DestinationConfig\.OnSuccess: an S3 bucket takes failures only \(Lambda's rule\); nothing is sent there/,
      /template\.yaml:\d+.*Unsent: EventInvokeConfig\.DestinationConfig\.OnFailure: Lambda does not send to a FIFO queue \(arn:aws:sqs:us-east-1:123456789012:failures\.fifo\); nothing is sent there/,
      /template\.yaml:\d+.*Unsent: VpcConfig is not emulated: the function reaches whatever this machine reaches/,
    ]) {
      assert.equal(log.split('\n').filter((l) => what.test(l)).length, 1, `${what}\n${log}`);
    }
  });
});
