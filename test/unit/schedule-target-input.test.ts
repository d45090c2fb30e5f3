import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTemplate, readPath, rulePayload, schedulerPayload } from '../../runtime-host/events/schedule/target-input';
import { UserError } from '../../runtime-host/runtime/types';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-02T06:01:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/nightly'],
  detail: { items: [{ sku: 'A-1' }], 'odd key': 7 },
};
const rule = { ruleName: 'nightly', ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/nightly' };

describe('EventBridge target input', () => {
  it('no Input: the event itself', () => {
    assert.deepEqual(rulePayload(event, {}, rule), event);
  });

  it('Input: the constant JSON, or its text when it is not JSON', () => {
    assert.deepEqual(rulePayload(event, { input: '{"job":"report"}' }, rule), { job: 'report' });
    assert.equal(rulePayload(event, { input: 'hello' }, rule), 'hello');
  });

  it('InputPath: $, dotted names, indexes and quoted names', () => {
    assert.deepEqual(rulePayload(event, { inputPath: '$' }, rule), event);
    assert.deepEqual(rulePayload(event, { inputPath: '$.detail' }, rule), event.detail);
    assert.equal(readPath(event, '$.detail.items[0].sku'), 'A-1');
    assert.equal(readPath(event, "$.detail['odd key']"), 7);
    assert.equal(readPath(event, '$.detail.missing.deeper'), undefined);
    assert.equal(rulePayload(event, { inputPath: '$.nothing' }, rule), null);
    assert.throws(() => readPath(event, 'detail'), UserError);
    assert.throws(() => readPath(event, '$..detail'), UserError);
  });

  it('InputTransformer: values in quotes as text, outside as JSON; predefined variables', () => {
    const payload = rulePayload(
      event,
      {
        inputTransformer: {
          InputPathsMap: { sku: '$.detail.items[0].sku', items: '$.detail.items', at: '$.time' },
          InputTemplate: '{"message": "<sku> at <at>", "items": <items>, "rule": "<aws.events.rule-name>", "whole": <aws.events.event>}',
        },
      },
      rule,
    );
    assert.deepEqual(payload, { message: 'A-1 at 2026-12-02T06:01:00Z', items: [{ sku: 'A-1' }], rule: 'nightly', whole: event });
  });

  it('a string template (the documented "\\"<instance> is in state <state>\\"") gives that text', () => {
    assert.equal(fillTemplate('"<instance> is in state <state>"', { instance: 'i-1', state: 'RUNNING' }), 'i-1 is in state RUNNING');
    assert.equal(fillTemplate('"<q>"', { q: 'say "hi"' }), 'say "hi"');
  });

  it("Scheduler's Input gets its context attributes", () => {
    const arn = 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/morning';
    assert.deepEqual(
      schedulerPayload(
        '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","run":"<aws.scheduler.execution-id>","attempt":<aws.scheduler.attempt-number>}',
        {
          scheduleArn: arn,
          scheduledTime: '2026-12-02T08:00:00Z',
          executionId: 'x-1',
          attemptNumber: 1,
        },
      ),
      { arn, at: '2026-12-02T08:00:00Z', run: 'x-1', attempt: 1 },
    );
  });
});
