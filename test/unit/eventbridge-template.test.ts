// The buses and rules a template declares, as the EventBridge source reads them: AWS::Events::EventBus,
// AWS::Events::Rule (pattern, bus, state, targets and their settings), and a function's SAM
// EventBridgeRule / CloudWatchEvent events.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventBridgeFromTemplate } from '../../runtime-host/events/eventbridge/template';
import type { FunctionCatalog } from '../../runtime-host/host-context';
import { parseSamTemplate } from '../../runtime-host/functions/sam-template';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs22.x, CodeUri: ., Handler: app.handler }
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: orders, Description: Orders }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-fn
      Events:
        Tick:
          Type: Schedule
          Properties: { Schedule: rate(5 minutes), Name: tick }
        Legacy:
          Type: CloudWatchEvent
          Properties: { Pattern: { source: [aws.ec2] }, Enabled: false }
        Routed:
          Type: EventBridgeRule
          Properties:
            EventBusName: !GetAtt Bus.Arn
            Pattern: '{"source":["shop"]}'
            Target: { Id: my-target }
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 }
            DeadLetterConfig: { Arn: !GetAtt Dlq.Arn }
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: { detail: { n: [{ numeric: ['>', 1, '>', 2] }] } }
      Targets:
        - { Id: q, Arn: !GetAtt Q.Arn, SqsParameters: { MessageGroupId: g } }
        - { Id: flow, Arn: arn:aws:states:us-east-1:123456789012:stateMachine:flow }
        - { Id: by-ref, Arn: !Ref Fn }
  Nightly:
    Type: AWS::Events::Rule
    Properties: { ScheduleExpression: rate(1 day), Targets: [{ Id: fn, Arn: !GetAtt Fn.Arn }] }
  Q: { Type: AWS::SQS::Queue, Properties: { QueueName: q.fifo, FifoQueue: true } }
  Dlq: { Type: AWS::SQS::Queue }
`;

function catalog(): FunctionCatalog {
  const t = parseSamTemplate(TEMPLATE, join(tmpdir(), 'template.yaml'), { region: 'us-east-1', accountId: '123456789012' });
  return {
    list: () => t.functions,
    get: (name) => t.functions.find((f) => f.name === name || f.functionName === name),
    onDidChange: () => () => undefined,
    resources: () => t.resources,
  };
}

describe('EventBridge template: buses and rules', () => {
  const { buses, rules } = eventBridgeFromTemplate(catalog(), 'us-east-1', '123456789012');
  const byName = Object.fromEntries(rules.map((r) => [r.name, r]));

  it('has the default bus and the declared ones', () => {
    assert.deepEqual(buses, [
      { name: 'default', declaredAt: '(built in)' },
      { name: 'orders', declaredAt: 'Resources.Bus', description: 'Orders' },
    ]);
  });

  it('reads SAM events as rules whose target is the function, with their bus, state, retry policy and dead-letter queue', () => {
    assert.deepEqual(Object.keys(byName).sort(), ['FnLegacy', 'FnRouted', 'Nightly', 'Rule', 'tick']);
    assert.deepEqual([byName.tick!.scheduleExpression, byName.tick!.targets[0]!.id], ['rate(5 minutes)', 'FnTickLambdaTarget']);
    const legacy = byName.FnLegacy!;
    assert.deepEqual([legacy.bus, legacy.enabled, legacy.targets[0]!.id, legacy.targets[0]!.kind], ['default', false, 'FnLegacyLambdaTarget', 'lambda']);
    const routed = byName.FnRouted!;
    assert.equal(routed.bus, 'orders');
    assert.equal(routed.enabled, true);
    assert.ok(routed.pattern, 'a pattern given as JSON text compiles');
    const target = routed.targets[0]!;
    assert.deepEqual(
      [target.id, target.arn, target.fn?.name, target.retryPolicy, target.deadLetterArn],
      [
        'my-target',
        'arn:aws:lambda:us-east-1:123456789012:function:orders-fn',
        'Fn',
        { maximumRetryAttempts: 3, maximumEventAgeSeconds: 120 },
        'arn:aws:sqs:us-east-1:123456789012:Dlq',
      ],
    );
  });

  it('reads a rule resource: an invalid pattern is a problem, targets of every kind are kept, the unsupported ones named', () => {
    const rule = byName.Rule!;
    assert.equal(rule.bus, 'orders');
    assert.equal(rule.pattern, undefined);
    assert.match(rule.problem ?? '', /^Event pattern is not valid\. Reason: Bad numeric range operator: >/);
    assert.deepEqual(
      rule.targets.map((t) => [t.id, t.kind, t.messageGroupId, t.retryPolicy.maximumRetryAttempts]),
      [
        ['q', 'sqs', 'g', 185],
        ['flow', 'other', undefined, 185],
        ['by-ref', 'lambda', undefined, 185],
      ],
    );
    assert.equal(rule.targets[2]!.arn, 'arn:aws:lambda:us-east-1:123456789012:function:orders-fn');
    assert.deepEqual(rule.unsupportedTargets, ['flow (arn:aws:states:us-east-1:123456789012:stateMachine:flow)']);
    // A schedule rule is a rule too (ListRules shows it); it routes no events.
    assert.deepEqual([byName.Nightly!.scheduleExpression, byName.Nightly!.pattern], ['rate(1 day)', undefined]);
  });
});
