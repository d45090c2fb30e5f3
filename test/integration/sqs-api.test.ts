// The SQS API with the real @aws-sdk/client-sqs (JSON protocol), through a test stand-in for the
// local AWS endpoint (sqs-helpers.ts): send/receive with attributes and digests the SDK checks,
// visibility timeout, long polling, DLQ, FIFO order and deduplication, batches, SQS-shaped errors,
// the query protocol, and queues that survive a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { localSqs, type LocalSqs } from './sqs-helpers';

async function sqsError(p: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SQSServiceException) return err;
    throw err;
  }
  throw new Error('expected an SQS error');
}

describe('SQS API with the real SDK', () => {
  let sqs: LocalSqs;
  before(async () => {
    sqs = await localSqs();
  });
  after(async () => {
    await sqs.close();
  });

  it('creates a queue with a local URL, sends with attributes and receives them with their digests', async () => {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '30' } }));
    assert.equal(QueueUrl, `${sqs.url}/123456789012/orders`);
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'derp',
        MessageAttributes: {
          timestamp: { DataType: 'Number', StringValue: '1493147359900' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    assert.equal(sent.MD5OfMessageBody, '58fd9edd83341c29f1aebba81c31e257');
    const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['timestamp'], MessageSystemAttributeNames: ['All'] }));
    const [m] = received.Messages ?? [];
    assert.equal(m?.MessageId, sent.MessageId);
    assert.equal(m?.Body, 'derp');
    assert.equal(m?.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
    assert.deepEqual(Object.keys(m?.MessageAttributes ?? {}), ['timestamp']);
    assert.equal(m?.Attributes?.ApproximateReceiveCount, '1');
    assert.equal(m?.Attributes?.SenderId, '123456789012');
    assert.ok(Number(m?.Attributes?.SentTimestamp) > 0);
    await sqs.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m!.ReceiptHandle! }));
    const attrs = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, '0');
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '0');
    assert.equal(attrs.Attributes?.QueueArn, 'arn:aws:sqs:us-east-1:123456789012:orders');
    assert.deepEqual(
      sqs.calls.slice(-4).map((c) => c.operation),
      ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'],
    );
    assert.equal(sqs.calls[sqs.calls.length - 1]!.resource, 'orders');
  });

  it('makes an undeleted message visible again after the visibility timeout, with a new receipt handle', async () => {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'visibility', Attributes: { VisibilityTimeout: '1' } }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const first = (await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages![0]!;
    const hidden = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(hidden.Messages, undefined);
    // Long poll until it comes back (the visibility timeout is 1 s).
    const second = (
      await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))
    ).Messages![0]!;
    assert.equal(second.MessageId, first.MessageId);
    assert.equal(second.Attributes?.ApproximateReceiveCount, '2');
    assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
    await sqs.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second.ReceiptHandle!, VisibilityTimeout: 0 }));
    const third = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(third.Messages?.[0]?.MessageId, first.MessageId);
    const stale = await sqsError(sqs.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 5 })));
    assert.equal(stale.name, 'MessageNotInflight');
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'long-poll' }));
    let answered = false;
    const poll = sqs.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).finally(() => (answered = true));
    // The poll is still waiting while the queue is empty.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false);
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    const got = await poll;
    assert.equal(got.Messages?.[0]?.Body, 'wake up');
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await sqs.client.send(new CreateQueueCommand({ QueueName: 'dead' }));
    const { QueueUrl } = await sqs.client.send(
      new CreateQueueCommand({
        QueueName: 'redriven',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dead', maxReceiveCount: 2 }),
        },
      }),
    );
    const { MessageId } = await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    assert.equal((await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.length, 1);
    assert.equal((await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.length, 1);
    assert.equal((await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    const dead = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageSystemAttributeNames: ['All'] }));
    assert.equal(dead.Messages?.[0]?.MessageId, MessageId);
    assert.equal(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, 'arn:aws:sqs:us-east-1:123456789012:redriven');
  });

  it('keeps FIFO groups in order, one batch in flight per group, and drops duplicates', async () => {
    const { QueueUrl } = await sqs.client.send(
      new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
    );
    const batch = await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: ['a1', 'b1', 'a2', 'b2', 'a3'].map((body) => ({ Id: body, MessageBody: body, MessageGroupId: body[0]! })),
      }),
    );
    assert.equal(batch.Successful?.length, 5);
    const dup = await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a1', MessageGroupId: 'a' }));
    assert.equal(dup.MessageId, batch.Successful?.find((e) => e.Id === 'a1')?.MessageId);
    const first = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(
      first.Messages?.map((m) => m.Body),
      ['a1', 'b1', 'a2', 'b2', 'a3'],
    );
    assert.equal((await sqs.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages, undefined);
    const deleted = await sqs.client.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: first.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
    );
    assert.equal(deleted.Successful?.length, 5);
    const missingGroup = await sqsError(sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    assert.equal(missingGroup.name, 'MissingParameter');
  });

  it("answers with SQS's errors: a missing queue, a bad batch, an unsupported operation", async () => {
    const missing = await sqsError(sqs.client.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    assert.equal(missing.name, 'QueueDoesNotExist');
    assert.equal(missing.$metadata.httpStatusCode, 400);
    const { QueueUrl } = await sqs.client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const tooMany = await sqsError(
      sqs.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) })),
    );
    assert.equal(tooMany.name, 'TooManyEntriesInBatchRequest');
    const repeated = await sqsError(
      sqs.client.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'same', MessageBody: 'x' },
            { Id: 'same', MessageBody: 'y' },
          ],
        }),
      ),
    );
    assert.equal(repeated.name, 'BatchEntryIdsNotDistinct');
    const res = await fetch(sqs.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueueTags' },
      body: JSON.stringify({ QueueUrl }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.UnsupportedOperation;Sender');
    const body = (await res.json()) as { __type: string; message: string };
    assert.equal(body.__type, 'com.amazonaws.sqs#UnsupportedOperation');
    assert.match(body.message, /ListQueueTags/);
  });

  it('speaks the query protocol (form in, XML out) for older clients', async () => {
    const { QueueUrl } = await sqs.client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const form = new URLSearchParams({
      Action: 'SendMessage',
      QueueUrl: QueueUrl!,
      MessageBody: 'from the query protocol',
      'MessageAttribute.1.Name': 'timestamp',
      'MessageAttribute.1.Value.DataType': 'Number',
      'MessageAttribute.1.Value.StringValue': '1493147359900',
    });
    const res = await fetch(QueueUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const xml = await res.text();
    assert.equal(res.status, 200);
    assert.match(
      xml,
      /<SendMessageResponse[^>]*><SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>235c5c510d26fb653d073faed50ae77c</,
    );
    const received = await fetch(QueueUrl!, {
      method: 'POST',
      body: new URLSearchParams({
        Action: 'ReceiveMessage',
        QueueUrl: QueueUrl!,
        MaxNumberOfMessages: '10',
        'AttributeName.1': 'All',
        'MessageAttributeName.1': 'All',
      }),
    });
    const receivedXml = await received.text();
    assert.match(
      receivedXml,
      /<Message><MessageId>[0-9a-f-]{36}<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>[0-9a-f]{32}<\/MD5OfBody><Body>from the query protocol<\/Body>/,
    );
    assert.match(receivedXml, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    assert.match(
      receivedXml,
      /<MessageAttribute><Name>timestamp<\/Name><Value><DataType>Number<\/DataType><StringValue>1493147359900<\/StringValue><\/Value><\/MessageAttribute>/,
    );
    const missing = await fetch(sqs.url, { method: 'POST', body: new URLSearchParams({ Action: 'GetQueueUrl', QueueName: 'nope' }) });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /<Code>AWS.SimpleQueueService.NonExistentQueue<\/Code>/);
    await sqs.client.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it('keeps queues and messages, in-flight state included, across a restart', async () => {
    const { QueueUrl } = await sqs.client.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '600' } }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight' }));
    const dir = sqs.dir;
    // Receive the oldest, leaving the other visible.
    const got = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(got.Messages?.[0]?.Body, 'kept');
    await sqs.stop();
    sqs = await localSqs(dir);
    const url = (await sqs.client.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl;
    const attrs = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.VisibilityTimeout, '600');
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, '1');
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '1');
    const list = await sqs.client.send(new ListQueuesCommand({ QueueNamePrefix: 'dur' }));
    assert.deepEqual(list.QueueUrls, [url]);
  });
});
