// SNS topics beyond the template, MessageBody filter policies and the failure list's persistence,
// through a real `node dist/cli.js serve`. The fan-out, the three attempts of a failing subscriber
// and the failure entry's condition and invoke count are covered by sns.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { RpcClientError, servedFixture } from './serve-helpers';

type Topic = { name: string; arn: string; subscribers: string[] };
type Published = { messageId: string; recordId: string };
type SnsEv = { Records: { EventSubscriptionArn: string; Sns: { MessageId: string; TopicArn: string; Message: string } }[] };
type Destination = {
  requestContext: { condition: string; approximateInvokeCount: number; functionArn: string };
  requestPayload: SnsEv;
  responseContext: { statusCode: number; functionError?: string };
  responsePayload: { errorMessage: string; errorType: string };
};

describe('SNS topics, body filters and the failure list through a real serve', () => {
  const fx = servedFixture('sns-topics-project');
  const finished = () => fx.client.notifications.filter((n) => n.method === 'invocation.finished').map((n) => n.params as InvocationRecord);
  const publish = (params: Record<string, unknown>) => fx.client.request<Published>('sns.publish', params);
  const settled = (recordId: string) => fx.client.waitFor('invocation.finished', (r) => r.id === recordId, 60_000);

  it('a publish to a new topic name creates the topic: it is listed and takes further publishes by name or ARN', async () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:scratch-topic';
    assert.deepEqual(
      (await fx.client.request<Topic[]>('sns.listTopics')).map((t) => t.name),
      ['alerts', 'shipments'],
    );

    const first = await publish({ topic: 'scratch-topic', message: 'hello' });
    assert.match(first.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const parent = await settled(first.recordId);
    // Nobody subscribes to it, so the publish is done at once and invokes nothing.
    assert.deepEqual([parent.kind, parent.status, parent.functionName], ['sns-publish', 'success', 'scratch-topic']);
    assert.deepEqual([parent.source!['topicArn'], parent.source!['messageId'], parent.source!['subscribers']], [arn, first.messageId, []]);
    assert.deepEqual(await fx.client.request<Topic[]>('sns.listTopics'), [
      { name: 'alerts', arn: 'arn:aws:sns:us-east-1:123456789012:alerts', subscribers: ['AlertFailingFunction'] },
      { name: 'scratch-topic', arn, subscribers: [] },
      { name: 'shipments', arn: 'arn:aws:sns:us-east-1:123456789012:shipments', subscribers: ['ShippedFunction'] },
    ]);

    // The ARN names the same topic: no second entry.
    const second = await publish({ topic: arn, message: 'again' });
    assert.notEqual(second.messageId, first.messageId);
    const again = await settled(second.recordId);
    assert.deepEqual([again.status, again.functionName, again.source!['topic']], ['success', 'scratch-topic', 'scratch-topic']);
    assert.equal((await fx.client.request<Topic[]>('sns.listTopics')).filter((t) => t.name === 'scratch-topic').length, 1);
    assert.deepEqual(
      finished().filter((r) => r.kind === 'invocation'),
      [],
    );
  });

  it('a publish to an invalid topic name is a JSON-RPC user error naming the topic, and the host keeps serving', async () => {
    const err = await publish({ topic: 'no such topic!', message: 'x' }).then(
      () => assert.fail('publish to an invalid topic name succeeded'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RpcClientError, String(err));
    assert.equal(err.error.code, -32000);
    assert.equal(err.error.message, "Invalid parameter: Topic Name 'no such topic!'");
    assert.equal(err.error.data?.['code'], 'InvalidParameter');
    assert.equal(fx.serve.proc.exitCode, null);
    assert.deepEqual(
      (await fx.client.request<Topic[]>('sns.listTopics')).map((t) => t.name),
      ['alerts', 'scratch-topic', 'shipments'],
    );
  });

  it('FilterPolicyScope MessageBody: only a publish whose JSON body matches invokes the subscriber', async () => {
    const matching = JSON.stringify({ status: 'shipped', customer: { tier: 'gold', id: 7 }, total: 150 });
    // Would pass an attribute-scoped `status` filter: the body, not the attributes, must decide.
    const nonMatching = JSON.stringify({ status: 'pending', customer: { tier: 'gold', id: 8 }, total: 150 });
    const miss = await publish({ topic: 'shipments', message: nonMatching, messageAttributes: { status: { Type: 'String', Value: 'shipped' } } });
    const hit = await publish({ topic: 'shipments', message: matching });

    const missParent = await settled(miss.recordId);
    const hitParent = await settled(hit.recordId);
    assert.deepEqual([missParent.status, missParent.source!['subscribers'], missParent.source!['filteredOut']], ['success', [], ['ShippedFunction']]);
    assert.deepEqual([hitParent.status, hitParent.source!['subscribers'], hitParent.source!['filteredOut']], ['success', ['ShippedFunction'], []]);

    // A publish record closes only after its deliveries, so this list is complete.
    const calls = finished().filter((r) => r.kind === 'invocation' && r.functionName === 'ShippedFunction');
    assert.deepEqual(
      calls.map((r) => [r.parentId, r.status, r.attempt]),
      [[hit.recordId, 'success', 0]],
    );
    const rec = (calls[0]!.event as SnsEv).Records[0]!;
    assert.deepEqual([rec.Sns.MessageId, rec.Sns.TopicArn, rec.Sns.Message], [hit.messageId, 'arn:aws:sns:us-east-1:123456789012:shipments', matching]);
    assert.deepEqual(calls[0]!.result, { message: matching });
  });

  it('the failure list names the failed message, is filtered by topic and survives a restart', async () => {
    const { messageId, recordId } = await publish({ topic: 'alerts', message: 'disk full' });
    const parent = await settled(recordId);
    assert.equal(parent.status, 'error');
    assert.deepEqual(parent.source!['deliveries'], [{ function: 'AlertFailingFunction', status: 'failed', attempts: 3 }]);

    const check = (list: InvocationRecord[]) => {
      assert.equal(list.length, 1);
      const [f] = list;
      assert.deepEqual([f!.functionName, f!.status, f!.attempt, f!.parentId], ['AlertFailingFunction', 'error', 2, recordId]);
      assert.equal(f!.source!['topic'], 'alerts');
      assert.equal(f!.source!['messageId'], messageId);
      assert.match(f!.source!['subscriptionArn'] as string, /^arn:aws:sns:us-east-1:123456789012:alerts:[0-9a-f-]{36}$/);
      const d = f!.source!['destination'] as Destination;
      assert.deepEqual([d.requestContext.condition, d.requestContext.approximateInvokeCount], ['RetriesExhausted', 3]);
      assert.equal(d.requestContext.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:AlertFailingFunction:$LATEST');
      assert.deepEqual([d.responseContext.statusCode, d.responseContext.functionError], [200, 'Unhandled']);
      assert.deepEqual([d.responsePayload.errorType, d.responsePayload.errorMessage], ['Error', 'alert delivery failed on purpose']);
      assert.equal(d.requestPayload.Records[0]!.Sns.Message, 'disk full');
      assert.equal(d.requestPayload.Records[0]!.EventSubscriptionArn, f!.source!['subscriptionArn']);
    };
    check(await fx.client.request<InvocationRecord[]>('sns.listFailures', { topic: 'alerts' }));
    check(await fx.client.request<InvocationRecord[]>('sns.listFailures', { topic: 'arn:aws:sns:us-east-1:123456789012:alerts' }));
    check(await fx.client.request<InvocationRecord[]>('sns.listFailures'));
    assert.deepEqual(await fx.client.request<InvocationRecord[]>('sns.listFailures', { topic: 'shipments' }), []);

    assert.equal(await fx.restart(), 0);
    check(await fx.client.request<InvocationRecord[]>('sns.listFailures', { topic: 'alerts' }));
  });
});
