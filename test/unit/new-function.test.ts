// New Function…'s plan: names, the resources each trigger needs, and the template splice that leaves the
// rest of the file byte for byte (comments, blank lines, CRLF, sections after Resources, 4-space indents,
// sequences at their key's column), with the yaml Document API only for shapes it cannot splice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { addResources, checkFunctionName, kebab, planNewFunction } from '../../extension/authoring/new-function';

const FN = { Type: 'AWS::Serverless::Function', Properties: { Handler: 'app.handler', Layers: ['arn:x'] } };

test('names: a logical id, not taken (nor its bucket or queue); folders in kebab case', () => {
  const template = 'Resources:\n  Orders:\n    Type: X\n  PhotosBucket:\n    Type: AWS::S3::Bucket\n';
  assert.equal(checkFunctionName('NewOne', template), undefined);
  assert.match(checkFunctionName('Orders', template)!, /already has a resource named Orders/);
  assert.match(checkFunctionName('Photos', template)!, /already has a resource named PhotosBucket/);
  for (const bad of ['', '1abc', 'with-dash', 'a b', 'x'.repeat(65)]) assert.ok(checkFunctionName(bad, undefined), bad);
  assert.equal(kebab('OrdersApi'), 'orders-api');
  assert.equal(kebab('S3Thumbnails'), 's3-thumbnails');
  assert.equal(kebab('HTTPHandler'), 'http-handler');
});

test('the splice: after the last line of Resources, before the next section and its comment; the rest unchanged', () => {
  const before = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    '# the functions',
    'Resources:',
    '  # first',
    '  A:',
    '    Type: X # inline comment',
    '',
    '  B:',
    '    Type: "Y"',
    '',
    '# outputs follow',
    'Outputs:',
    '  Url:',
    '    Value: !Sub "https://${A}"',
    '',
  ].join('\n');
  const after = addResources(before, { New: FN });
  assert.equal(
    after,
    [
      "AWSTemplateFormatVersion: '2010-09-09'",
      '# the functions',
      'Resources:',
      '  # first',
      '  A:',
      '    Type: X # inline comment',
      '',
      '  B:',
      '    Type: "Y"',
      '',
      '  New:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      Layers:',
      '        - arn:x',
      '',
      '# outputs follow',
      'Outputs:',
      '  Url:',
      '    Value: !Sub "https://${A}"',
      '',
    ].join('\n'),
  );
});

test('the splice follows the file: 4-space indents, sequences at their key, no blank lines between resources, CRLF', () => {
  const before = 'Resources:\r\n    A:\r\n        Type: X\r\n        L:\r\n        - 1\r\n    B:\r\n        Type: Y\r\n';
  const after = addResources(before, { New: FN });
  assert.ok(after.startsWith(before.trimEnd()));
  assert.equal(
    after.slice(before.trimEnd().length),
    '\r\n    New:\r\n        Type: AWS::Serverless::Function\r\n        Properties:\r\n            Handler: app.handler\r\n            Layers:\r\n            - arn:x\r\n',
  );
});

test('no Resources section: one is added at the end; flow style goes through the yaml Document API, comments kept', () => {
  assert.equal(addResources('# top\nTransform: X\n', { N: { Type: 'T' } }), '# top\nTransform: X\n\nResources:\n  N:\n    Type: T\n');
  const flow = addResources('# keep me\nResources: { A: { Type: X } }\n', { N: { Type: 'T' } });
  assert.match(flow, /^# keep me\n/);
  assert.deepEqual(parseDocument(flow).toJS(), { Resources: { A: { Type: 'X' }, N: { Type: 'T' } } });
});

test('each trigger adds what it needs; intrinsics are written as YAML tags', () => {
  const template = 'Globals:\n  Function:\n    Runtime: nodejs20.x\nResources:\n  A:\n    Type: X\n';
  const sqs = planNewFunction('p', { path: 'template.yaml', text: template }, { name: 'Jobs', runtime: 'javascript', trigger: 'sqs', awsLambdaTypes: false });
  assert.match(sqs.templateText, /\n {2}JobsQueue:\n {4}Type: AWS::SQS::Queue\n\n {2}Jobs:\n/);
  assert.match(sqs.templateText, /Queue: !GetAtt JobsQueue\.Arn\n {12}BatchSize: 10\n {12}FunctionResponseTypes:\n {14}- ReportBatchItemFailures/);
  assert.doesNotMatch(sqs.templateText, /Runtime:.*\n.*Jobs/, 'the Globals runtime is Node: none of its own');
  assert.equal(sqs.handlerPath, 'src/jobs/app.mjs');
  assert.deepEqual(sqs.sampleEvent, { name: 'sqs-message', template: 'sqs', params: { queue: 'JobsQueue' } });

  const py = planNewFunction(
    'p',
    { path: 'template.yaml', text: template },
    { name: 'Nightly', runtime: 'python', trigger: 'schedule', awsLambdaTypes: false },
  );
  assert.match(py.templateText, /Runtime: python3\.12\n {6}Events:\n {8}Hourly:\n {10}Type: Schedule\n {10}Properties:\n {12}Schedule: rate\(1 hour\)/);
  assert.equal(
    py.handlerLine,
    py.handlerText.split('\n').findIndex((l) => l.startsWith('def handler(')),
  );

  const created = planNewFunction('my-project', undefined, { name: 'Api', runtime: 'typescript', trigger: 'http', awsLambdaTypes: true });
  assert.equal(created.templateCreated, true);
  assert.match(
    created.templateText,
    /^AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: my-project\n\nResources:\n {2}Api:\n/,
  );
  assert.match(created.handlerText, /^import type \{ APIGatewayProxyHandlerV2 \} from 'aws-lambda';$/m);
  assert.equal(created.handlerText.split('\n')[created.handlerLine], 'export const handler: APIGatewayProxyHandlerV2 = async (event) => {');
  assert.throws(
    () => planNewFunction('p', { path: 'template.yaml', text: template }, { name: 'A', runtime: 'python', trigger: 'none', awsLambdaTypes: false }),
    /already has a resource named A/,
  );
});
