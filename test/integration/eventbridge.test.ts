// EventBridge on the local AWS endpoint, driven with the real @aws-sdk/client-eventbridge from outside
// (this test) and from inside a function (Publisher): PutEvents answered as AWS answers it, events
// routed by the template's rules to a function (a SAM EventBridgeRule event), a queue and a topic, a
// disabled rule that takes nothing, a missing target whose events go to the dead-letter queue with
// EventBridge's attributes, the read-only API, and the trace that shows which rule matched.
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { repoRoot, servedFixture, waitUntil } from './serve-helpers';

const fixture = servedFixture('eventbridge-project', {
  prepare: (dir) => symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')),
});

let events: EventBridgeClient;
let sqs: SQSClient;
// Inside a describe, so it runs after the fixture's own before hook has started serve.
const clients = () => {
  if (events) return;
  const config = {
    endpoint: fixture.serve.ready.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
};
after(() => {
  events?.destroy();
  sqs?.destroy();
});

const queueUrl = (name: string) => `${fixture.serve.ready.awsEndpoint}/123456789012/${name}`;

/** Receives (and deletes) messages until `count` have come. */
async function receive(queue: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  await waitUntil(
    async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(queue), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      for (const m of out.Messages ?? []) {
        got.push(m);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(queue), ReceiptHandle: m.ReceiptHandle! }));
      }
      return got.length >= count;
    },
    60_000,
    `${count} message(s) in ${queue}`,
  );
  return got;
}

async function records(fn: string): Promise<InvocationRecord[]> {
  return (await fixture.client.request<ListInvocationsResult>('listInvocations', { function: fn, limit: 100 })).records;
}

const order = (id: number, total: number, country = 'FR') => ({
  Source: 'shop',
  DetailType: 'OrderPlaced',
  Detail: JSON.stringify({ id, total, country }),
  EventBusName: 'orders',
});

describe('EventBridge: PutEvents from outside, routed by the template’s rules', () => {
  before(clients);
  it('answers with an EventId per entry and delivers to the function, the queue and the topic', async () => {
    const out = await events.send(new PutEventsCommand({ Entries: [order(1, 250), order(2, 20)] }));
    assert.equal(out.FailedEntryCount, 0);
    assert.equal(out.Entries?.length, 2);
    for (const e of out.Entries!) assert.match(String(e.EventId), /^[0-9a-f-]{36}$/);

    // The queue gets both events, whole, as EventBridge sends them.
    const queued = (await receive('order-queue', 2)).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    const first = queued.find((e) => (e.detail as { id: number }).id === 1)!;
    assert.deepEqual(Object.keys(first), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    assert.deepEqual(
      { ...first, time: '<time>' },
      {
        version: '0',
        id: out.Entries![0]!.EventId,
        'detail-type': 'OrderPlaced',
        source: 'shop',
        account: '123456789012',
        time: '<time>',
        region: 'us-east-1',
        resources: [],
        detail: { id: 1, total: 250, country: 'FR' },
      },
    );
    assert.match(String(first.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // The topic target's InputTransformer makes the SNS message; the topic's queue subscription gets the envelope.
    const notices = (await receive('notices-queue', 2)).map((m) => JSON.parse(m.Body!) as { Message: string; TopicArn: string });
    assert.deepEqual(notices.map((n) => n.Message).sort(), ['"order 1 placed"', '"order 2 placed"']);
    assert.equal(notices[0]!.TopicArn, 'arn:aws:sns:us-east-1:123456789012:order-notices');

    // Only the 250 order is big: the function gets the transformed input, asynchronously.
    await waitUntil(async () => (await records('BigOrders')).some((r) => r.status === 'success'), 60_000, 'BigOrders invoked');
    const invocations = await records('BigOrders');
    assert.equal(invocations.length, 1);
    const big = invocations[0]!;
    assert.deepEqual(big.event, { order: 1, total: 250, rule: 'big-orders' });
    assert.equal(big.trigger, 'eventbridge');
    assert.equal(big.source?.rule, 'big-orders');

    // The disabled rule took nothing.
    assert.equal((await records('Paused2')).length, 0);

    // Each event is a record naming the rules it matched, the invocation its child, the deliveries its spans.
    const parent = await fixture.client.request<InvocationRecord>('getInvocation', { id: big.parentId! });
    assert.equal(parent.kind, 'eventbridge-event');
    assert.deepEqual(parent.rules, ['all-orders', 'big-orders']);
    assert.equal((parent.event as { id: string }).id, out.Entries![0]!.EventId);
    // The PutEvents call from outside is a record of its own, in the same trace as its events.
    const calls = (await fixture.client.request<ListInvocationsResult>('listInvocations', { limit: 100 })).records.filter(
      (r) => r.kind === 'service-call' && r.source?.operation === 'PutEvents',
    );
    assert.ok(
      calls.some((c) => c.traceId === parent.traceId),
      'the PutEvents call and its events share a trace',
    );
    await waitUntil(
      async () => (await fixture.client.request<InvocationRecord>('getInvocation', { id: big.parentId! })).status === 'success',
      30_000,
      'the event record closes',
    );
    const closed = await fixture.client.request<InvocationRecord>('getInvocation', { id: big.parentId! });
    assert.deepEqual(closed.serviceCalls?.map((s) => `${s.service} ${s.operation} ${s.resource} ${s.status}`).sort(), [
      'lambda Invoke BigOrders 202',
      'sns Publish order-notices 200',
      'sqs SendMessage order-queue 200',
      'sqs SendMessage orders.fifo 200',
    ]);
    // A FIFO queue target: the target's message group, in the order put, deduplicated by the event id.
    const fifo = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl('orders.fifo'),
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    assert.deepEqual(
      fifo.Messages?.map((m) => [m.Attributes?.MessageGroupId, m.Attributes?.MessageDeduplicationId]),
      [
        ['orders', out.Entries![0]!.EventId],
        ['orders', out.Entries![1]!.EventId],
      ],
    );
    const small = (await fixture.client.request<ListInvocationsResult>('listInvocations', { limit: 100 })).records.find(
      (r) => r.kind === 'eventbridge-event' && (r.event as { id: string }).id === out.Entries![1]!.EventId,
    );
    assert.deepEqual(small?.rules, ['all-orders']);
  });

  it('validates each entry as EventBridge does and counts the failures', async () => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: 'x', Detail: '{}' },
          { Source: 'shop', Detail: '{}' },
          { Source: 'shop', DetailType: 'x' },
          { Source: 'shop', DetailType: 'x', Detail: '[1, 2]' },
          { Source: 'shop', DetailType: 'x', Detail: '{not json' },
          { Source: 'shop', DetailType: 'x', Detail: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}` },
          { Source: 'aws.s3', DetailType: 'x', Detail: '{}' },
          { Source: 'shop', DetailType: 'x', Detail: '{}', EventBusName: 'no-such-bus' },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 7);
    assert.deepEqual(out.Entries!.slice(0, 7), [
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    // EventBridge accepts an event for a bus that does not exist, and drops it.
    assert.match(String(out.Entries![7]!.EventId), /^[0-9a-f-]{36}$/);
  });

  it('refuses more than 10 entries and more than 256 KB in one request', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => order(100 + i, 1));
    await assert.rejects(events.send(new PutEventsCommand({ Entries: eleven })), (err: Error) => {
      assert.equal(err.name, 'ValidationException');
      assert.match(err.message, /at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/);
      return true;
    });
    const big = JSON.stringify({ blob: 'x'.repeat(200 * 1024) });
    await assert.rejects(
      events.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'shop', DetailType: 'x', Detail: big },
            { Source: 'shop', DetailType: 'x', Detail: JSON.stringify({ blob: 'y'.repeat(60 * 1024) }) },
          ],
        }),
      ),
      (err: Error) => err.name === 'ValidationException' && err.message === 'Total size of the entries in the request is over the limit.',
    );
  });

  it('an event whose target does not exist goes to the dead-letter queue at once, with EventBridge’s attributes', async () => {
    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: 'audit', DetailType: 'Checked', Detail: '{"who":"me"}' }] }));
    const [dead] = await receive('eventbridge-dlq', 1);
    const body = JSON.parse(dead!.Body!) as { id: string; detail: unknown };
    assert.equal(body.id, out.Entries![0]!.EventId);
    assert.deepEqual(body.detail, { who: 'me' });
    const attributes = Object.fromEntries(Object.entries(dead!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    assert.deepEqual(
      { ...attributes, ERROR_MESSAGE: attributes.ERROR_MESSAGE ? '<message>' : undefined },
      {
        RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/to-nowhere',
        TARGET_ARN: 'arn:aws:sqs:us-east-1:123456789012:no-such-queue',
        ERROR_CODE: 'NO_RESOURCE',
        ERROR_MESSAGE: '<message>',
        RETRY_ATTEMPTS: '0',
      },
    );
  });
});

describe('EventBridge: PutEvents from inside a function', () => {
  before(clients);
  it('an unmodified client in a function puts the event; its record is the event’s parent in one trace', async () => {
    const out = await fixture.client.request<InvokeOutput>('invoke', { function: 'Publisher', event: { entries: [order(7, 700)] } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const result = out.result as { failed: number; entries: { EventId: string }[] };
    assert.equal(result.failed, 0);
    await waitUntil(async () => (await records('BigOrders')).some((r) => (r.event as { order?: number }).order === 7), 60_000, 'BigOrders got order 7');
    const invocation = (await records('BigOrders')).find((r) => (r.event as { order?: number }).order === 7)!;
    const eventRecord = await fixture.client.request<InvocationRecord>('getInvocation', { id: invocation.parentId! });
    assert.equal(eventRecord.parentId, out.requestId);
    const publisher = await fixture.client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.equal(eventRecord.traceId, publisher.traceId);
    assert.equal(invocation.traceId, publisher.traceId);
    assert.deepEqual(
      publisher.serviceCalls?.map((s) => [s.service, s.operation, s.resource, s.status]),
      [['events', 'PutEvents', 'orders', 200]],
    );
    await receive('order-queue', 1);
    await receive('notices-queue', 1);
  });
});

describe('EventBridge: the read-only API', () => {
  before(clients);
  it('lists and describes the template’s buses, rules and targets', async () => {
    const buses = await events.send(new ListEventBusesCommand({}));
    assert.deepEqual(buses.EventBuses, [
      { Name: 'default', Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      { Name: 'orders', Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders', Description: 'Orders placed in the shop' },
    ]);
    const bus = await events.send(new DescribeEventBusCommand({ Name: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }));
    assert.equal(bus.Name, 'orders');

    const rules = await events.send(new ListRulesCommand({ EventBusName: 'orders' }));
    assert.deepEqual(
      rules.Rules?.map((r) => [r.Name, r.State, r.Arn]),
      [
        ['all-orders', 'ENABLED', 'arn:aws:events:us-east-1:123456789012:rule/orders/all-orders'],
        ['big-orders', 'ENABLED', 'arn:aws:events:us-east-1:123456789012:rule/orders/big-orders'],
        ['paused-rule', 'DISABLED', 'arn:aws:events:us-east-1:123456789012:rule/orders/paused-rule'],
      ],
    );
    const rule = await events.send(new DescribeRuleCommand({ Name: 'all-orders', EventBusName: 'orders' }));
    assert.equal(rule.Description, 'Every order');
    assert.deepEqual(JSON.parse(rule.EventPattern!), { source: [{ prefix: 'sho' }], 'detail-type': [{ 'equals-ignore-case': 'orderplaced' }] });

    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: 'all-orders', EventBusName: 'orders' }));
    assert.deepEqual(
      targets.Targets?.map((t) => [t.Id, t.Arn]),
      [
        ['queue', 'arn:aws:sqs:us-east-1:123456789012:order-queue'],
        ['fifo', 'arn:aws:sqs:us-east-1:123456789012:orders.fifo'],
        ['topic', 'arn:aws:sns:us-east-1:123456789012:order-notices'],
      ],
    );
    assert.deepEqual(targets.Targets?.[1]?.SqsParameters, { MessageGroupId: 'orders' });
    assert.deepEqual(targets.Targets?.[2]?.InputTransformer, { InputPathsMap: { id: '$.detail.id' }, InputTemplate: '"order <id> placed"' });

    await assert.rejects(events.send(new DescribeRuleCommand({ Name: 'all-orders' })), (err: Error) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, 'Rule all-orders does not exist on EventBus default.');
      return true;
    });
    await assert.rejects(
      events.send(new ListRulesCommand({ EventBusName: 'nope' })),
      (err: Error) => err.name === 'ResourceNotFoundException' && err.message === 'Event bus nope does not exist.',
    );
  });

  it('tests a pattern against an event, and names an operation it does not support', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '1',
      source: 'shop',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'x',
      detail: { n: 5 },
    });
    const yes = await events.send(new TestEventPatternCommand({ Event: event, EventPattern: JSON.stringify({ detail: { n: [{ numeric: ['>', 1] }] } }) }));
    assert.equal(yes.Result, true);
    await assert.rejects(
      events.send(new TestEventPatternCommand({ Event: event, EventPattern: JSON.stringify({ detail: { n: [{ numeric: ['>', 1, '>', 2] }] } }) })),
      (err: Error) => err.name === 'InvalidEventPatternException' && /^Event pattern is not valid\. Reason: Bad numeric range operator: >/.test(err.message),
    );
    await assert.rejects(events.send(new PutRuleCommand({ Name: 'new-rule', EventPattern: '{"source":["x"]}' })), (err: Error) => {
      assert.equal(err.name, 'UnknownOperationException');
      assert.match(err.message, /does not support PutRule: buses and rules come from the template/);
      return true;
    });
  });
});
