// SAM template loading: short-form tags, local resolution, Globals merge rules, events, runtimes,
// and template mistakes reported with file:line.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSamTemplate, mergeGlobals, parseSamTemplate } from '../../runtime-host/functions/sam-template';
import { applyOverrides, parseDotEnv, parseEnvJson } from '../../runtime-host/functions/env-overrides';
import { UserError } from '../../runtime-host/runtime/types';

const dir = join(__dirname, '..', 'fixtures', 'templates');
const opts = { region: 'eu-west-1', accountId: '111122223333', displayRoot: dir };

function load(name: string, extra: Partial<typeof opts> & { parameterOverrides?: Record<string, string> } = {}) {
  return loadSamTemplate(join(dir, name), { ...opts, ...extra });
}

describe('sam-template: intrinsics', () => {
  const t = load('intrinsics.yaml');
  const fn = t.functions.find((f) => f.name === 'Fn')!;

  it('resolves parameters, pseudo parameters, resource refs and attributes locally', () => {
    assert.deepEqual(fn.environment, {
      REF_PARAM: 'dev',
      REF_BUCKET: 'uploads-dev',
      REF_QUEUE: 'https://sqs.eu-west-1.amazonaws.com/111122223333/Jobs',
      REF_FUNCTION: 'Other',
      PSEUDO: 'eu-west-1 111122223333 lambda-workbench aws amazonaws.com',
      SUB_LIST: 'hi, dev! ${Literal}',
      SUB_ATT: 'arn:aws:s3:::uploads-dev',
      GETATT_DOT: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders',
      GETATT_SEQ: 'arn:aws:sqs:eu-west-1:111122223333:Jobs',
      JOIN: 'a-b-c',
      SELECT: 'c',
      SPLIT_SELECT: 'left',
      IF_TRUE: 'dev-value',
      IF_NESTED: 'dev-both',
      IF_UNKNOWN: '<unresolved !If ["Either","yes","no"]>',
      EQUALS: 'true',
      BASE64: 'aGVsbG8=',
      NUMBER: '42',
      BOOL: 'true',
      IMPORT: '<unresolved !ImportValue shared-vpc-id>',
      AZS: '<unresolved !Select [0,{"Fn::GetAZs":""}]>',
      CIDR: '<unresolved !Select [0,{"Fn::Cidr":["10.0.0.0/16",4,8]}]>',
      UNKNOWN_ATT: '<unresolved !GetAtt Missing.Thing>',
      NO_DEFAULT: '<unresolved !Ref NoDefault>',
    });
  });

  it('lists what could not be resolved', () => {
    assert.deepEqual(fn.unresolved, [
      '!Cidr ["10.0.0.0/16",4,8]',
      '!GetAZs ""',
      '!GetAtt Missing.Thing',
      '!If ["Either","yes","no"]',
      '!ImportValue shared-vpc-id',
      '!Ref NoDefault',
      '!Select [0,{"Fn::Cidr":["10.0.0.0/16",4,8]}]',
      '!Select [0,{"Fn::GetAZs":""}]',
    ]);
  });

  it('uses Mappings and numeric strings for MemorySize/Timeout', () => {
    assert.equal(fn.memorySizeMB, 256);
    assert.equal(fn.timeoutSeconds, 30);
  });

  it('applies parameter overrides (and conditions follow them)', () => {
    const prod = load('intrinsics.yaml', { parameterOverrides: { Stage: 'prod', NoDefault: 'y' } }).functions.find((f) => f.name === 'Fn')!;
    assert.equal(prod.memorySizeMB, 1024);
    assert.equal(prod.environment.IF_TRUE, 'prod-value');
    assert.equal(prod.environment.GONE, 'here');
    assert.equal(prod.environment.IF_UNKNOWN, 'yes');
    assert.equal(prod.environment.NO_DEFAULT, 'y');
    assert.equal(prod.environment.REF_BUCKET, 'uploads-prod');
  });

  it('drops AWS::NoValue properties and resources whose Condition is false', () => {
    assert.equal('GONE' in fn.environment, false);
    assert.equal('ProdOnly' in t.resources, false);
    assert.equal('ProdOnly' in load('intrinsics.yaml', { parameterOverrides: { Stage: 'prod' } }).resources, true);
  });

  it('keeps unresolvable intrinsics in long form in resources()', () => {
    assert.deepEqual((t.resources.Fn!.Properties.Environment as { Variables: Record<string, unknown> }).Variables.IMPORT, {
      'Fn::ImportValue': 'shared-vpc-id',
    });
    assert.equal(t.resources.Uploads!.Properties.BucketName, 'uploads-dev');
  });

  it('parses every short form into its long form', () => {
    const text = [
      'Resources:',
      '  X:',
      '    Type: AWS::Test::Thing',
      '    Properties:',
      '      A: !GetAZs us-east-1',
      '      B: !Cidr [10.0.0.0/16, 2, 8]',
      '      C: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }',
      '      D: !Contains [[a], a]',
      '      E: !GetAtt [Thing, Attr.With.Dots]',
      '      F: !GetAtt Thing.Attr.With.Dots',
      '      G: !Condition SomeCondition',
      '      H: !FindInMap [M, K, V]',
      '      I: !Sub [x, {}]',
    ].join('\n');
    const r = parseSamTemplate(text, join(dir, 'inline.yaml'), opts).resources.X!.Properties;
    assert.deepEqual(r, {
      A: { 'Fn::GetAZs': 'us-east-1' },
      B: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] },
      C: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } },
      D: { 'Fn::Contains': [['a'], 'a'] },
      E: { 'Fn::GetAtt': ['Thing', 'Attr.With.Dots'] },
      F: { 'Fn::GetAtt': ['Thing', 'Attr.With.Dots'] },
      G: { Condition: 'SomeCondition' },
      H: { 'Fn::FindInMap': ['M', 'K', 'V'] },
      I: 'x',
    });
  });
});

describe('sam-template: Globals', () => {
  const t = load('globals.yaml');
  const by = (name: string) => t.functions.find((f) => f.name === name)!;

  it('merges Environment.Variables, resource wins; scalars override', () => {
    const fn = by('Overrides');
    assert.deepEqual(fn.environment, { SHARED: 'from-function', ONLY_GLOBAL: 'g', ONLY_LOCAL: 'l' });
    assert.equal(fn.timeoutSeconds, 20);
    assert.equal(fn.memorySizeMB, 512);
    assert.equal(fn.architecture, 'arm64');
    assert.equal(fn.runtime, 'nodejs20.x');
  });

  it('concatenates lists (globals first) and merges maps in resources()', () => {
    const p = t.resources.Overrides!.Properties;
    assert.deepEqual(p.Layers, ['arn:aws:lambda:us-east-1:123456789012:layer:global:1', 'arn:aws:lambda:us-east-1:123456789012:layer:local:1']);
    assert.deepEqual(p.Tags, { team: 'platform', tier: 'local' });
  });

  it('gives implicit APIs the Api / HttpApi globals', () => {
    assert.deepEqual(t.resources.ServerlessRestApi, {
      Type: 'AWS::Serverless::Api',
      Properties: { Cors: "'*'", BinaryMediaTypes: ['image~1png'], StageName: 'Prod' },
    });
    assert.deepEqual(t.resources.ServerlessHttpApi, { Type: 'AWS::Serverless::HttpApi', Properties: { CorsConfiguration: { AllowOrigins: ['*'] } } });
  });

  it('does not apply Globals.Function to AWS::Lambda::Function', () => {
    const fn = by('RawLambda');
    assert.equal(fn.codeUri, join(dir, 'build', 'raw'));
    assert.equal(fn.timeoutSeconds, 3);
    assert.equal(fn.memorySizeMB, 256);
    assert.deepEqual(fn.environment, {});
    assert.equal(fn.supported, true);
  });

  it('marks runtimes and code it cannot run as unsupported, with the reason', () => {
    assert.deepEqual(
      [by('Java').runtimeFamily, by('Java').supported, by('Java').unsupportedReason],
      ['unsupported', false, 'java8.al2 is not supported: the host runs nodejs*, python3.*, ruby3.*, java11/17/21/25 and provided* (custom) runtimes'],
    );
    assert.equal(by('FromS3').unsupportedReason, 'Code points to S3; the host runs local code only (give a folder path)');
    assert.deepEqual([by('Custom').runtimeFamily, by('Custom').handler, by('Custom').supported], ['provided', 'bootstrap', true]);
  });

  it('merge rules', () => {
    assert.deepEqual(mergeGlobals({ a: 1, m: { x: 1, y: 1 }, l: [1] }, { m: { y: 2 }, l: [2], s: 's' }), { a: 1, m: { x: 1, y: 2 }, l: [1, 2], s: 's' });
    assert.deepEqual(mergeGlobals({ Ref: 'A' }, { Ref: 'B' }), { Ref: 'B' });
    assert.equal(mergeGlobals(5, undefined), 5);
  });
});

describe('sam-template: events', () => {
  const fn = load('events.yaml').functions[0]!;
  it('maps every event type to EventSourceInfo', () => {
    assert.deepEqual(fn.events, [
      { type: 'S3', name: 'PhotoPut', bucket: 'photo-uploads', events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], prefix: 'incoming/', suffix: '.jpg' },
      { type: 'S3', name: 'InboxPut', bucket: 'Inbox', events: ['s3:ObjectCreated:Put'] },
      { type: 'SNS', name: 'Alert', topic: 'alerts-topic', filterPolicy: { severity: ['high'] }, filterPolicyScope: 'MessageAttributes' },
      { type: 'Kinesis', name: 'ClickStream', stream: 'click-stream', batchSize: 25, startingPosition: 'TRIM_HORIZON' },
      { type: 'DynamoDB', name: 'OrderChanges', stream: 'orders-table', batchSize: 100, startingPosition: 'LATEST' },
      { type: 'SQS', name: 'JobQueue', queue: 'Jobs', batchSize: 5 },
      { type: 'Schedule', name: 'Nightly', schedule: 'cron(0 3 * * ? *)' },
      { type: 'Schedule', name: 'Hourly', schedule: 'rate(1 hour)' },
      { type: 'Api', name: 'RestGet', method: 'GET', path: '/users/{id}', restApiId: 'MyApi' },
      { type: 'HttpApi', name: 'HttpPost', method: 'POST', path: '/orders', apiId: 'MyHttpApi' },
      { type: 'EventBridgeRule', name: 'Bus', bus: 'default', pattern: { source: ['my.app'] } },
      { type: 'FunctionUrl', authType: 'NONE' },
    ]);
    assert.equal(fn.unresolved, undefined);
  });
});

describe('sam-template: mistakes', () => {
  it('bad YAML is a UserError with file:line:column, not a stack', () => {
    assert.throws(
      () => load('bad-yaml.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /^bad-yaml\.yaml:7:\d+: /);
        assert.doesNotMatch(err.message, /\n/);
        assert.match(err.hint ?? '', /YAML/);
        return true;
      },
    );
  });

  it('a function without Handler is listed as unsupported with file:line; the others load', () => {
    const t = load('missing-handler.yaml');
    assert.deepEqual(
      t.functions.map((f) => [f.name, f.supported]),
      [
        ['Good', true],
        ['NoHandler', false],
      ],
    );
    assert.equal(t.functions[1]!.unsupportedReason, 'missing-handler.yaml:8: function NoHandler has no Handler (e.g. Handler: app.handler)');
    const path = join(dir, 'missing-handler.yaml');
    assert.deepEqual(t.problems, [
      { file: 'missing-handler.yaml', path, line: 8, column: 3, message: 'function NoHandler has no Handler (e.g. Handler: app.handler)', severity: 'error' },
      { file: 'missing-handler.yaml', path, line: 12, column: 7, message: 'MemorySize must be a number, got "lots"', severity: 'warning' },
    ]);
  });

  it('never crashes on odd but parseable input', () => {
    for (const text of [
      '',
      'just a string',
      '- a\n- b',
      'Resources: 5',
      'Resources:\n  X: 1\n  Y: { Type: AWS::Serverless::Function, Properties: 7 }',
      'Resources:\n  Z: { Type: AWS::Serverless::Function, Properties: { Handler: !Ref Z, Runtime: !Sub "${Nope}" } }',
      'Resources:\n  A: { Type: AWS::S3::Bucket, Properties: { BucketName: !Ref B } }\n  B: { Type: AWS::S3::Bucket, Properties: { BucketName: !Sub "${A}-x" } }',
      'Conditions:\n  C1: !Condition C2\n  C2: !Not [!Condition C1]\nResources:\n  F: { Type: AWS::Serverless::Function, Properties: { Handler: !If [C1, a.b, c.d], Runtime: nodejs22.x } }',
      'Resources:\n  F: { Type: AWS::Serverless::Function, Properties: { Handler: a.b, Runtime: nodejs22.x, Environment: { Variables: !Ref X } } }',
    ]) {
      try {
        parseSamTemplate(text, join(dir, 'odd.yaml'), opts);
      } catch (err) {
        assert.ok(err instanceof UserError, `${JSON.stringify(text)} threw ${String(err)}`);
      }
    }
  });
});

describe('env overrides', () => {
  const fn = load('globals.yaml').functions.find((f) => f.name === 'Plain')!;
  it('env.json: Parameters for all, the function section wins, new variables allowed', () => {
    const o = parseEnvJson(
      JSON.stringify({ Parameters: { SHARED: 'param', ADDED: 1 }, Plain: { SHARED: 'fn', ONLY_GLOBAL: true }, Other: { X: 'y' } }),
      'env.json',
    );
    assert.deepEqual(applyOverrides(fn, [o]).environment, { SHARED: 'fn', ONLY_GLOBAL: 'true', ADDED: '1' });
  });
  it('env.json mistakes are UserErrors with a position', () => {
    assert.throws(() => parseEnvJson('{\n "Plain": {"A": }\n}', 'env.json'), /^UserError: env\.json(:2:\d+)?: not valid JSON/);
    assert.throws(() => parseEnvJson('{"Plain": {"A": {"nested": 1}}}', 'env.json'), /^UserError: env\.json: Plain\.A must be a string, number or boolean/);
  });
  it('.env: comments, export, quotes', () => {
    assert.deepEqual(parseDotEnv('# comment\nA=1\nexport B="two words"\nC=\'single # not comment\'\nD=plain # trailing\nE="line\\nbreak"\n  \nbad line\n'), {
      A: '1',
      B: 'two words',
      C: 'single # not comment',
      D: 'plain',
      E: 'line\nbreak',
    });
  });
});

describe('sam-template: LoggingConfig', () => {
  const template = (logging: string) => `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    LoggingConfig:
${logging}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs22.x, Handler: app.handler, CodeUri: . }
`;

  it('from Globals: the format and application level become AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL, the group logGroup', () => {
    const t = parseSamTemplate(template('      LogFormat: JSON\n      ApplicationLogLevel: debug\n      LogGroup: /team/app'), join(dir, 't.yaml'), opts);
    const fn = t.functions[0]!;
    assert.equal(fn.environment.AWS_LAMBDA_LOG_FORMAT, 'JSON');
    assert.equal(fn.environment.AWS_LAMBDA_LOG_LEVEL, 'DEBUG');
    assert.equal(fn.logGroup, '/team/app');
    assert.deepEqual(t.problems, []);
  });

  it('SystemLogLevel is DEBUG, INFO or WARN; it stays with the host (the runtime never sees it)', () => {
    const t = parseSamTemplate(template('      LogFormat: JSON\n      SystemLogLevel: warn'), join(dir, 't.yaml'), opts);
    assert.equal(t.functions[0]!.systemLogLevel, 'WARN');
    assert.equal(Object.keys(t.functions[0]!.environment).filter((k) => k.includes('LEVEL')).length, 0);
    const bad = parseSamTemplate(template('      LogFormat: JSON\n      SystemLogLevel: TRACE'), join(dir, 't.yaml'), opts);
    assert.equal(bad.functions[0]!.systemLogLevel, undefined);
    assert.deepEqual(
      bad.problems.map((p) => p.message),
      ['SystemLogLevel must be one of DEBUG, INFO, WARN, got TRACE'],
    );
  });

  it('a log level with the Text format is a problem at the function it applies to, as Lambda refuses it', () => {
    const t = parseSamTemplate(template('      LogFormat: Text\n      ApplicationLogLevel: INFO'), join(dir, 't.yaml'), opts);
    assert.equal(t.functions[0]!.environment.AWS_LAMBDA_LOG_LEVEL, undefined);
    assert.deepEqual(
      t.problems.map((p) => [p.line, p.message]),
      [[10, 'ApplicationLogLevel needs LogFormat: JSON (Lambda refuses it with the Text format)']],
    );
  });
});

describe('sam-template: provisioned concurrency', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    Handler: app.handler
Resources:
  Warm:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 3
  NoAlias:
    Type: AWS::Serverless::Function
    Properties:
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
  OverReserved:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      ReservedConcurrentExecutions: 1
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 4
  Zero:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 0
  Plain:
    Type: AWS::Serverless::Function
`;
  const t = parseSamTemplate(template, join(dir, 'provisioned.yaml'), opts);
  const byName = (name: string) => t.functions.find((f) => f.name === name)!;

  it('ProvisionedConcurrentExecutions with AutoPublishAlias becomes provisionedConcurrency', () => {
    assert.equal(byName('Warm').provisionedConcurrency, 3);
    assert.equal(byName('Plain').provisionedConcurrency, undefined);
    assert.ok(!('provisionedConcurrency' in byName('Plain')));
  });

  it('without AutoPublishAlias, above the reserved concurrency or below 1 it is reported with file:line', () => {
    assert.equal(byName('NoAlias').provisionedConcurrency, undefined);
    assert.equal(byName('OverReserved').provisionedConcurrency, 1);
    assert.equal(byName('Zero').provisionedConcurrency, undefined);
    assert.deepEqual(
      t.problems.map((p) => `${p.line}: ${p.message}`),
      [
        '16: ProvisionedConcurrencyConfig needs AutoPublishAlias on the function (SAM applies it to that alias); ignored',
        '24: ProvisionedConcurrentExecutions (4) exceeds ReservedConcurrentExecutions (1); Lambda refuses that, 1 kept initialised',
        '30: ProvisionedConcurrentExecutions must be a whole number of at least 1, got 0; ignored',
      ],
    );
  });
});

describe('sam-template: schedules and EventBridge rules are emulated', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: app.handler
      CodeUri: .
      Events:
        Tick: { Type: Schedule, Properties: { Schedule: rate(5 minutes) } }
        Tock: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 hour) } }
        Routed: { Type: EventBridgeRule, Properties: { Pattern: { source: [shop] } } }
  Timer:
    Type: AWS::Events::Rule
    Properties: { ScheduleExpression: rate(1 day), Targets: [{ Id: fn, Arn: !GetAtt Fn.Arn }] }
  Router:
    Type: AWS::Events::Rule
    Properties: { EventPattern: { source: [shop] }, Targets: [{ Id: fn, Arn: !GetAtt Fn.Arn }] }
  Later:
    Type: AWS::Scheduler::Schedule
    Properties: { ScheduleExpression: rate(1 day), FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: !GetAtt Fn.Arn, RoleArn: r } }
`;

  it('no schedule, EventBridgeRule event or event-pattern rule is named as not emulated', () => {
    const t = parseSamTemplate(template, join(dir, 't.yaml'), opts);
    const messages = t.problems.map((p) => p.message).join('\n');
    assert.doesNotMatch(messages, /Tick|Tock|Timer|Later|Routed|Router/);
  });

  it('a bus and a rule resolve as CloudFormation resolves them: Ref is the name, GetAtt Arn the ARN', () => {
    const t = parseSamTemplate(
      `${template}  Orders:
    Type: AWS::Events::EventBus
    Properties: { Name: orders-bus }
  OnOrders:
    Type: AWS::Events::Rule
    Properties: { EventBusName: !Ref Orders, EventPattern: { source: [shop] }, Targets: [{ Id: fn, Arn: !GetAtt Fn.Arn }] }
  Refs:
    Type: AWS::SSM::Parameter
    Properties: { Value: !Join [' ', [!Ref Orders, !GetAtt Orders.Arn, !GetAtt Orders.Name, !GetAtt OnOrders.Arn, !GetAtt Router.Arn]] }
`,
      join(dir, 't.yaml'),
      opts,
    );
    assert.equal(
      t.resources.Refs?.Properties.Value,
      'orders-bus arn:aws:events:eu-west-1:111122223333:event-bus/orders-bus orders-bus arn:aws:events:eu-west-1:111122223333:rule/orders-bus/OnOrders arn:aws:events:eu-west-1:111122223333:rule/Router',
    );
  });
});

describe('sam-template: DurableConfig', () => {
  const text = [
    'Transform: AWS::Serverless-2016-10-31',
    'Globals:',
    '  Function:',
    '    Runtime: nodejs22.x',
    '    Handler: app.handler',
    '    DurableConfig:',
    '      ExecutionTimeout: 3600',
    'Resources:',
    '  FromGlobals:',
    '    Type: AWS::Serverless::Function',
    '  Own:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      DurableConfig:',
    '        ExecutionTimeout: 31622400',
    '        RetentionPeriodInDays: 90',
    '  NotDurable:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      DurableConfig: !Ref AWS::NoValue',
    '  BadRetention:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      DurableConfig:',
    '        ExecutionTimeout: 60',
    '        RetentionPeriodInDays: 365',
    '  NoTimeout:',
    '    Type: AWS::Lambda::Function',
    '    Properties:',
    '      Runtime: nodejs22.x',
    '      Handler: app.handler',
    '      Code: .',
    '      DurableConfig:',
    '        RetentionPeriodInDays: 3',
    '',
  ].join('\n');
  const t = parseSamTemplate(text, join(dir, 'durable.yaml'), opts);
  const fn = (name: string) => t.functions.find((f) => f.name === name)!;

  it('makes functions durable from the function or the Globals, retention 14 days unless set', () => {
    assert.deepEqual(fn('FromGlobals').durableConfig, { executionTimeoutSeconds: 3600, retentionPeriodInDays: 14 });
    assert.deepEqual(fn('Own').durableConfig, { executionTimeoutSeconds: 31_622_400, retentionPeriodInDays: 90 });
    assert.equal(fn('NotDurable').durableConfig, undefined);
    assert.equal(fn('FromGlobals').notEmulated, undefined, 'DurableConfig is emulated');
  });

  it('reports values Lambda refuses: a retention out of range (kept at 14), a missing ExecutionTimeout (not runnable)', () => {
    assert.deepEqual(fn('BadRetention').durableConfig, { executionTimeoutSeconds: 60, retentionPeriodInDays: 14 });
    assert.equal(fn('NoTimeout').supported, false);
    assert.match(fn('NoTimeout').unsupportedReason!, /DurableConfig needs ExecutionTimeout/);
    assert.deepEqual(
      t.problems.map((p) => [p.line, p.severity, p.message.replace(/ from 1 to .*/, '')]),
      [
        [26, 'warning', 'DurableConfig.RetentionPeriodInDays must be a whole number of days'],
        [33, 'error', 'DurableConfig needs ExecutionTimeout (seconds, 1 to 31622400)'],
      ],
    );
  });
});

describe('sam-template: a CDK template (cdk synth)', () => {
  // As `cdk synth` writes it: code and layer content in S3, the local asset folder named in Metadata.
  const template = {
    Resources: {
      DepsLayer: {
        Type: 'AWS::Lambda::LayerVersion',
        Properties: { Content: { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: 'b2c.zip' } },
        Metadata: { 'aws:cdk:path': 'Stack/Deps/Resource', 'aws:asset:path': 'asset.b2c', 'aws:asset:is-bundled': false, 'aws:asset:property': 'Content' },
      },
      OrdersFn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: 'a1b.zip' },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: { 'Fn::GetAtt': ['OrdersFnServiceRole', 'Arn'] },
          Layers: [{ Ref: 'DepsLayer' }],
        },
        Metadata: { 'aws:cdk:path': 'Stack/OrdersFn/Resource', 'aws:asset:path': 'asset.a1b', 'aws:asset:is-bundled': true, 'aws:asset:property': 'Code' },
      },
      FromS3: {
        Type: 'AWS::Lambda::Function',
        Properties: { Code: { S3Bucket: 'deployments', S3Key: 'fn.zip' }, Handler: 'index.handler', Runtime: 'nodejs22.x' },
      },
      Uploads1A2B3C4D: { Type: 'AWS::S3::Bucket', Properties: {} },
      // bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { suffix: '.csv' })
      Uploads1A2B3C4DNotifications: {
        Type: 'Custom::S3BucketNotifications',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['BucketNotificationsHandler', 'Arn'] },
          BucketName: { Ref: 'Uploads1A2B3C4D' },
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [
              {
                Events: ['s3:ObjectCreated:*'],
                Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }] } },
                LambdaFunctionArn: { 'Fn::GetAtt': ['OrdersFn', 'Arn'] },
              },
            ],
          },
          Managed: true,
        },
      },
      CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:H4sI' } },
    },
  };
  const t = parseSamTemplate(JSON.stringify(template, null, 1), join(dir, 'cdk.out', 'Stack.template.json'), opts);
  const fn = (name: string) => t.functions.find((f) => f.name === name)!;

  it("runs a function's code and a layer's content from their asset folders next to the template", () => {
    assert.equal(fn('OrdersFn').supported, true, fn('OrdersFn').unsupportedReason);
    assert.equal(fn('OrdersFn').codeUri, join(dir, 'cdk.out', 'asset.a1b'));
    assert.deepEqual(fn('OrdersFn').layers, [join(dir, 'cdk.out', 'asset.b2c')]);
  });

  it("reads CDK's bucket notifications as the function's S3 event, and says nothing of CDKMetadata", () => {
    assert.deepEqual(fn('OrdersFn').events, [
      { type: 'S3', name: 'Uploads1A2B3C4DNotifications1', bucket: 'Uploads1A2B3C4D', events: ['s3:ObjectCreated:*'], suffix: '.csv' },
    ]);
    assert.deepEqual(
      t.problems.filter((p) => !p.message.includes('FromS3')).map((p) => p.message),
      [],
    );
  });

  it('still says so for code that is only in S3', () => {
    assert.equal(fn('FromS3').supported, false);
    assert.match(fn('FromS3').unsupportedReason!, /Code points to S3; the host runs local code only/);
  });
});
