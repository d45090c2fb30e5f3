// EventBridge's retries and dead-letter queues per target, with the real SQS source behind the targets
// and the dead-letter queue. The back-off is injected (a virtual clock that moves by each wait), so a
// retry schedule of minutes runs at once; the queue delivery in front of two target queues fails the
// way a host-side fault would (a thrown error, which EventBridge retries).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { EventBridgeSource } from '../../runtime-host/events/eventbridge';
import { SqsSource } from '../../runtime-host/events/sqs';
import type { EventSource, HostContext } from '../../runtime-host/host-context';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { waitUntil } from '../helpers/wait';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Flaky:
    Type: AWS::Events::Rule
    Properties:
      Name: flaky
      EventPattern: { source: [flaky] }
      Targets:
        - { Id: q, Arn: !GetAtt TargetQueue.Arn, DeadLetterConfig: { Arn: !GetAtt Dlq.Arn } }
  Exhausted:
    Type: AWS::Events::Rule
    Properties:
      Name: exhausted
      EventPattern: { source: [exhausted] }
      Targets:
        - Id: broken
          Arn: !GetAtt BrokenQueue.Arn
          RetryPolicy: { MaximumRetryAttempts: 2 }
          DeadLetterConfig: { Arn: !GetAtt Dlq.Arn }
  TooOld:
    Type: AWS::Events::Rule
    Properties:
      Name: too-old
      EventPattern: { source: [too-old] }
      Targets:
        - Id: broken
          Arn: !GetAtt BrokenQueue.Arn
          RetryPolicy: { MaximumEventAgeInSeconds: 60 }
          DeadLetterConfig: { Arn: !GetAtt Dlq.Arn }
  NoDlq:
    Type: AWS::Events::Rule
    Properties:
      Name: no-dlq
      EventPattern: { source: [no-dlq] }
      Targets:
        - { Id: broken, Arn: !GetAtt BrokenQueue.Arn, RetryPolicy: { MaximumRetryAttempts: 0 } }
  TargetQueue: { Type: AWS::SQS::Queue, Properties: { QueueName: target-q } }
  BrokenQueue: { Type: AWS::SQS::Queue, Properties: { QueueName: broken-q } }
  Dlq: { Type: AWS::SQS::Queue, Properties: { QueueName: dlq } }
`;

/** Sits in front of the SQS source's delivery: target-q fails twice then works, broken-q always fails. */
class FaultyQueues implements EventSource {
  readonly name = 'faulty-queues';
  private targetFailures = 2;
  async start(context: HostContext): Promise<void> {
    const real = context.queues!;
    context.queues = {
      sendToQueue: async (queue, message) => {
        if (queue.endsWith(':broken-q')) throw new Error('EIO: the queue file could not be written');
        if (queue.endsWith(':target-q') && this.targetFailures-- > 0) throw new Error('ENOSPC: no space left on device');
        return real.sendToQueue(queue, message);
      },
    };
  }
  async stop(): Promise<void> {}
}

const START = Date.UTC(2026, 11, 2, 9, 0, 0);
let now = START;
const waits: number[] = [];
const eventBridge = new EventBridgeSource({
  timing: {
    now: () => now,
    wait: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    backoffMs: (retry) => 1000 * 2 ** (retry - 1),
  },
});

let dir = '';
let host: RunningHost;
let events: EventBridgeClient;
let sqs: SQSClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-eventbridge-retries-'));
  writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  host = await startHost({
    root: dir,
    log: quiet,
    watch: false,
    writeHostFile: false,
    runtimeSdk: 'off',
    eventSources: [new SqsSource(), new FaultyQueues(), eventBridge],
  });
  const config = { endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
});

after(async () => {
  events?.destroy();
  sqs?.destroy();
  await host?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function put(source: string): Promise<{ eventId: string; record: InvocationRecord }> {
  waits.length = 0;
  now = START;
  const out = await events.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'Test', Detail: '{"n":1}' }] }));
  const eventId = out.Entries![0]!.EventId!;
  await eventBridge.idle();
  const record = (await host.store.page({ limit: 500 })).records.find((r) => r.kind === 'eventbridge-event' && (r.event as { id: string }).id === eventId)!;
  return { eventId, record };
}

async function receiveOne(queue: string): Promise<Message> {
  let message: Message | undefined;
  await waitUntil(
    async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${host.awsEndpoint}/123456789012/${queue}`, MessageAttributeNames: ['All'], VisibilityTimeout: 300 }),
      );
      message = out.Messages?.[0];
      return message !== undefined;
    },
    30_000,
    `a message in ${queue}`,
  );
  return message!;
}

const attributesOf = (m: Message) => Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));

describe('EventBridge retries and dead-letter queues (injected back-off)', () => {
  it('retries a failing target with exponential back-off until it takes the event', async () => {
    const { eventId, record } = await put('flaky');
    assert.deepEqual(waits, [1000, 2000]);
    assert.equal(record.status, 'success');
    assert.deepEqual(record.source?.deliveries, [
      { rule: 'flaky', target: 'q', arn: 'arn:aws:sqs:us-east-1:123456789012:target-q', status: 'delivered', attempts: 3 },
    ]);
    // Each call to the target is a span on the event's record: two failures, then the delivery.
    assert.deepEqual(
      record.serviceCalls?.map((s) => [s.operation, s.resource, s.status, s.errorCode]),
      [
        ['SendMessage', 'target-q', 500, 'INTERNAL_ERROR'],
        ['SendMessage', 'target-q', 500, 'INTERNAL_ERROR'],
        ['SendMessage', 'target-q', 200, undefined],
      ],
    );
    assert.equal((JSON.parse((await receiveOne('target-q')).Body!) as { id: string }).id, eventId);
  });

  it('after MaximumRetryAttempts the event goes to the dead-letter queue, saying which limit ended it', async () => {
    const { eventId, record } = await put('exhausted');
    assert.deepEqual(waits, [1000, 2000]);
    assert.equal(record.status, 'error');
    const dead = await receiveOne('dlq');
    assert.equal((JSON.parse(dead.Body!) as { id: string }).id, eventId);
    assert.deepEqual(attributesOf(dead), {
      RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/exhausted',
      TARGET_ARN: 'arn:aws:sqs:us-east-1:123456789012:broken-q',
      ERROR_CODE: 'INTERNAL_ERROR',
      ERROR_MESSAGE: 'EIO: the queue file could not be written',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${host.awsEndpoint}/123456789012/dlq`, WaitTimeSeconds: 0 }));
  });

  it('an event older than MaximumEventAgeInSeconds is not retried again: 1+2+4+8+16 s waited, the next 32 s would pass 60 s', async () => {
    const { record } = await put('too-old');
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000]);
    const deliveries = record.source?.deliveries as { status: string; attempts: number; exhaustedRetryCondition: string }[];
    assert.deepEqual(
      deliveries.map((d) => [d.status, d.attempts, d.exhaustedRetryCondition]),
      [['dead-lettered', 6, 'MaximumEventAgeInSeconds']],
    );
    const dead = await receiveOne('dlq');
    assert.equal(attributesOf(dead).EXHAUSTED_RETRY_CONDITION, 'MaximumEventAgeInSeconds');
    assert.equal(attributesOf(dead).RETRY_ATTEMPTS, '5');
  });

  it('without a dead-letter queue an undeliverable event is dropped (and said so on its record)', async () => {
    const { record } = await put('no-dlq');
    assert.deepEqual(waits, []);
    const deliveries = record.source?.deliveries as { status: string; errorCode: string }[];
    assert.deepEqual(
      deliveries.map((d) => [d.status, d.errorCode]),
      [['dropped', 'INTERNAL_ERROR']],
    );
  });
});
