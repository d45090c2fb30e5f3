import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { servedFixture, waitUntil } from './serve-helpers';

describe('SNS topics through a real serve', () => {
  const fx = servedFixture('events-project');

  it('lists the template topic with its subscribers', async () => {
    const topics = await fx.client.request<{ name: string; arn: string; subscribers: string[] }[]>('sns.listTopics');
    assert.deepEqual(topics, [
      {
        name: 'orders-topic',
        arn: 'arn:aws:sns:us-east-1:123456789012:orders-topic',
        subscribers: ['SnsAllFunction', 'SnsFilteredFunction', 'SnsFailingFunction'],
      },
    ]);
  });

  it('fans out to 3 functions, retries the failing one twice, lists the failure, and links every record to the publish', async () => {
    const { messageId, recordId } = await fx.client.request<{ messageId: string; recordId: string }>('sns.publish', {
      topic: 'orders-topic',
      message: 'order 1',
      subject: 'New order',
      messageAttributes: { store: { Type: 'String', Value: 'example_corp' }, price: { Type: 'Number', Value: '150' } },
    });
    const parent = await fx.client.waitFor('invocation.finished', (r) => r.id === recordId, 60_000);
    assert.equal(parent.kind, 'sns-publish');
    assert.equal(parent.status, 'error');
    const children = fx.client.notifications
      .filter((n) => n.method === 'invocation.finished')
      .map((n) => n.params as InvocationRecord)
      .filter((r) => r.parentId === recordId);
    const by = (fn: string) => children.filter((r) => r.functionName === fn).sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
    assert.deepEqual(
      by('SnsAllFunction').map((r) => [r.status, r.attempt]),
      [['success', 0]],
    );
    assert.deepEqual(
      by('SnsFilteredFunction').map((r) => [r.status, r.attempt]),
      [['success', 0]],
    );
    assert.deepEqual(
      by('SnsFailingFunction').map((r) => [r.status, r.attempt]),
      [
        ['error', 0],
        ['error', 1],
        ['error', 2],
      ],
    );
    const event = by('SnsAllFunction')[0]!.event as {
      Records: { EventSource: string; EventVersion: string; EventSubscriptionArn: string; Sns: Record<string, unknown> }[];
    };
    const rec = event.Records[0]!;
    assert.equal(rec.EventSource, 'aws:sns');
    assert.equal(rec.EventVersion, '1.0');
    assert.match(rec.EventSubscriptionArn, /^arn:aws:sns:us-east-1:123456789012:orders-topic:[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(rec.Sns), [
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertUrl',
      'UnsubscribeUrl',
      'MessageAttributes',
    ]);
    assert.equal(rec.Sns['MessageId'], messageId);
    assert.equal(rec.Sns['Message'], 'order 1');
    assert.equal(rec.Sns['Subject'], 'New order');
    assert.deepEqual(rec.Sns['MessageAttributes'], { store: { Type: 'String', Value: 'example_corp' }, price: { Type: 'Number', Value: '150' } });
    assert.match(rec.Sns['Timestamp'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const failures = await fx.client.request<InvocationRecord[]>('sns.listFailures', { topic: 'orders-topic' });
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.functionName, 'SnsFailingFunction');
    const destination = failures[0]!.source!['destination'] as {
      requestContext: { condition: string; approximateInvokeCount: number };
      responseContext: { functionError: string };
    };
    assert.equal(destination.requestContext.condition, 'RetriesExhausted');
    assert.equal(destination.requestContext.approximateInvokeCount, 3);
    assert.equal(destination.responseContext.functionError, 'Unhandled');
  });

  it('applies the filter policy: a cheap order skips the filtered subscription', async () => {
    const { recordId } = await fx.client.request<{ recordId: string }>('sns.publish', {
      topic: 'orders-topic',
      message: 'order 2',
      messageAttributes: { store: { Type: 'String', Value: 'example_corp' }, price: { Type: 'Number', Value: '99.5' } },
    });
    const parent = await fx.client.waitFor('invocation.finished', (r) => r.id === recordId, 60_000);
    assert.deepEqual(parent.source!['subscribers'], ['SnsAllFunction', 'SnsFailingFunction']);
    assert.deepEqual(parent.source!['filteredOut'], ['SnsFilteredFunction']);
    await waitUntil(
      () => fx.client.notifications.some((n) => n.method === 'invocation.finished' && (n.params as InvocationRecord).parentId === recordId),
      30_000,
    );
  });

  it('rejects an empty message as SNS does', async () => {
    await assert.rejects(fx.client.request('sns.publish', { topic: 'orders-topic', message: '' }), /Invalid parameter: Empty message/);
  });
});
