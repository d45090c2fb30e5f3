// The pure parts of Lambda's SQS mapping: the event shape (golden), partial batch responses,
// filter criteria, and the template's queues and SQS events.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SqsMessage } from '../../runtime-host/events/sqs/queue';
import { matchesFilters, readBatchItemFailures, sqsEventRecord } from '../../runtime-host/events/sqs/sqs-event';
import { mappingConfig, templateQueues, templateSqsEvents } from '../../runtime-host/events/sqs/template';

const message: SqsMessage = {
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
  body: '{"kind":"order","total":120}',
  md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  messageAttributes: { source: { DataType: 'String', StringValue: 'web' } },
  md5OfMessageAttributes: '00000000000000000000000000000000',
  sentTimestamp: 1545082649183,
  senderId: '123456789012',
  visibleAt: 0,
  receiveCount: 1,
  firstReceiveTimestamp: 1545082649185,
  receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
};

describe('SQS event shape', () => {
  it('matches the golden record (lambda-behaviour §6)', () => {
    const record = sqsEventRecord(message, 'arn:aws:sqs:us-east-1:123456789012:orders', 'us-east-1');
    const golden = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'golden', 'sqs-event-record.json'), 'utf8')) as unknown;
    assert.deepEqual(record, golden);
  });
});

describe('SQS partial batch responses', () => {
  const ids = ['a', 'b', 'c'];
  it('reads success, partial failure and malformed answers as Lambda does', () => {
    assert.deepEqual(readBatchItemFailures(null, ids), { kind: 'success' });
    assert.deepEqual(readBatchItemFailures({ batchItemFailures: [] }, ids), { kind: 'success' });
    assert.deepEqual(readBatchItemFailures({}, ids), { kind: 'success' });
    assert.deepEqual(readBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids), { kind: 'partial', failedIds: new Set(['b']) });
    assert.equal(readBatchItemFailures({ batchItemFailures: [{ itemIdentifier: '' }] }, ids).kind, 'failure');
    assert.equal(readBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, ids).kind, 'failure');
    assert.equal(readBatchItemFailures({ batchItemFailures: 'b' }, ids).kind, 'failure');
  });
});

describe('SQS filter criteria', () => {
  const record = sqsEventRecord(message, 'arn:aws:sqs:us-east-1:123456789012:orders', 'us-east-1');
  it('matches JSON bodies by key, plain bodies as strings, and any of several patterns', () => {
    assert.equal(matchesFilters([], record), true);
    assert.equal(matchesFilters([{ body: { kind: ['order'] } }], record), true);
    assert.equal(matchesFilters([{ body: { kind: ['refund'] } }], record), false);
    assert.equal(matchesFilters([{ body: { total: [{ numeric: ['>', 100] }] } }], record), true);
    assert.equal(matchesFilters([{ body: { kind: ['refund'] } }, { messageAttributes: { source: { stringValue: ['web'] } } }], record), true);
    const plain = sqsEventRecord({ ...message, body: 'hello world' }, 'arn', 'us-east-1');
    assert.equal(matchesFilters([{ body: [{ prefix: 'hello' }] }], plain), true);
    assert.equal(matchesFilters([{ body: { kind: ['order'] } }], plain), false);
  });
});

describe('SQS in the template', () => {
  const resources = {
    Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders-dlq' } },
    Orders: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'orders',
        VisibilityTimeout: 20,
        RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq', maxReceiveCount: 3 },
      },
    },
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, ContentBasedDeduplication: true } },
    Worker: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Events: {
          FromOrders: {
            Type: 'SQS',
            Properties: {
              Queue: 'arn:aws:sqs:us-east-1:123456789012:orders',
              BatchSize: 5,
              FunctionResponseTypes: ['ReportBatchItemFailures'],
              ScalingConfig: { MaximumConcurrency: 2 },
              FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
            },
          },
          Off: { Type: 'SQS', Properties: { Queue: 'arn:aws:sqs:us-east-1:123456789012:Jobs.fifo', Enabled: false } },
        },
      },
    },
  };

  it('reads queues as SQS attributes, naming a queue without QueueName by its logical id', () => {
    assert.deepEqual(templateQueues(resources), [
      { logicalId: 'Dlq', name: 'orders-dlq', attributes: {} },
      {
        logicalId: 'Orders',
        name: 'orders',
        attributes: { VisibilityTimeout: '20', RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":3}' },
      },
      { logicalId: 'Jobs', name: 'Jobs.fifo', attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } },
    ]);
  });

  it('reads each SQS event with its mapping settings', () => {
    assert.deepEqual(templateSqsEvents(resources), [
      {
        functionName: 'Worker',
        eventName: 'FromOrders',
        queue: 'orders',
        config: {
          batchSize: 5,
          maximumBatchingWindowMs: 0,
          reportBatchItemFailures: true,
          maximumConcurrency: 2,
          filters: [{ body: { kind: ['order'] } }],
          enabled: true,
        },
      },
      {
        functionName: 'Worker',
        eventName: 'Off',
        queue: 'Jobs.fifo',
        config: { batchSize: 10, maximumBatchingWindowMs: 0, reportBatchItemFailures: false, filters: [], enabled: false },
      },
    ]);
  });

  it('refuses what Lambda refuses', () => {
    assert.match(String(mappingConfig({ BatchSize: 20 }, false)), /MaximumBatchingWindowInSeconds/);
    assert.match(String(mappingConfig({ BatchSize: 11 }, true)), /BatchSize/);
    assert.match(String(mappingConfig({ ScalingConfig: { MaximumConcurrency: 1 } }, false)), /MaximumConcurrency/);
    assert.match(String(mappingConfig({ FilterCriteria: { Filters: [{ Pattern: '{nope' }] } }, false)), /not valid JSON/);
    assert.equal(typeof mappingConfig({ BatchSize: 100, MaximumBatchingWindowInSeconds: 2 }, false), 'object');
  });
});
