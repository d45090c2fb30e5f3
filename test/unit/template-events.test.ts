// The table of per-source template parsers: every SAM event type the host knows has its parser, and
// any other type (including names an object inherits, like `toString`) is listed as `Other`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTemplateEvent, TEMPLATE_EVENT_PARSERS, type TemplateValueHelpers } from '../../runtime-host/events/template-events';

const helpers: TemplateValueHelpers = {
  text: (v) => (typeof v === 'string' ? v : undefined),
  textOrMarker: (v) => (typeof v === 'string' ? v : '<unresolved>'),
  refTarget: () => undefined,
  nameFromArn: (v) => String(v),
  batchSize: (_p, fallback) => fallback,
};

describe('template event parsers', () => {
  it('covers the SAM event types the host simulates', () => {
    assert.deepEqual(Object.keys(TEMPLATE_EVENT_PARSERS).sort(), [
      'Api',
      'CloudWatchEvent',
      'DynamoDB',
      'EventBridgeRule',
      'HttpApi',
      'Kinesis',
      'S3',
      'SNS',
      'SQS',
      'Schedule',
      'ScheduleV2',
    ]);
  });

  it('hands each event to its source', () => {
    assert.deepEqual(parseTemplateEvent({ name: 'Q', type: 'SQS', props: { Queue: 'orders' }, rawProps: {} }, helpers), {
      type: 'SQS',
      name: 'Q',
      queue: 'orders',
      batchSize: 10,
    });
    assert.deepEqual(parseTemplateEvent({ name: 'D', type: 'DynamoDB', props: { Stream: 'items' }, rawProps: {} }, helpers), {
      type: 'DynamoDB',
      name: 'D',
      stream: 'items',
      batchSize: 100,
      startingPosition: 'LATEST',
    });
  });

  it('anything else is Other, including names every object inherits', () => {
    for (const type of ['CloudWatchLogs', 'toString', 'constructor', '__proto__']) {
      assert.deepEqual(parseTemplateEvent({ name: 'E', type, props: {}, rawProps: {} }, helpers), { type: 'Other', name: 'E', sourceType: type });
    }
    assert.deepEqual(parseTemplateEvent({ name: 'E', type: '', props: {}, rawProps: {} }, helpers), { type: 'Other', name: 'E', sourceType: '(no Type)' });
  });
});
