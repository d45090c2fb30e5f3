// The events a function's own triggers produce (events.forFunction / events.generateForFunction): read
// from the template, built by the live sources' own builders, asking only for what is the user's to
// choose, and refusing what the trigger would never deliver.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleMatching, generateTriggerEvent, listTriggerEvents, type TriggerContext } from '../../runtime-host/events/trigger-events';
import { parseSamTemplate } from '../../runtime-host/functions/sam-template';
import { UserError } from '../../runtime-host/runtime/types';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: src/
Resources:
  Photos:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: team-photos
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: items
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: n, AttributeType: N }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
        - { AttributeName: n, KeyType: RANGE }
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: orders
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      Name: nightly
      ScheduleExpression: cron(0 3 * * ? *)
      Targets:
        - Id: hello
          Arn: !GetAtt Hello.Arn
          Input: '{"job":"report"}'
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: hello.handler
      Events:
        Greet:
          Type: HttpApi
          Properties:
            Path: /hello/{name}
            Method: get
        Files:
          Type: Api
          Properties:
            Path: /files/{proxy+}
            Method: ANY
  Uploads:
    Type: AWS::Serverless::Function
    Properties:
      Handler: uploads.handler
      Events:
        Jpegs:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: [s3:ObjectCreated:*, s3:ObjectRemoved:*]
            Filter:
              S3Key:
                Rules:
                  - { Name: prefix, Value: incoming/ }
                  - { Name: suffix, Value: .jpg }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            FilterCriteria:
              Filters:
                - Pattern: '{"body":{"kind":["order"],"total":[{"numeric":[">",100]}]}}'
        Topic:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:us-east-1:123456789012:alerts
            FilterPolicy: { severity: [high, critical] }
        Stream:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Items.StreamArn, StartingPosition: LATEST }
        Clicks:
          Type: Kinesis
          Properties: { Stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks, StartingPosition: TRIM_HORIZON }
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Handler: plain.handler
`;

function context(): TriggerContext {
  const t = parseSamTemplate(TEMPLATE, '/project/template.yaml', { region: 'us-east-1', accountId: '123456789012' });
  return {
    region: 'us-east-1',
    accountId: '123456789012',
    functions: {
      list: () => t.functions,
      get: (name) => t.functions.find((f) => f.name === name),
      resources: () => t.resources,
      onDidChange: () => () => {},
    },
  };
}

type Json = Record<string, any>;

describe('trigger events: API routes', () => {
  const ctx = context();

  it('lists each route the function answers, asking only for its path parameters', () => {
    const list = listTriggerEvents('Hello', ctx);
    const greet = list.find((t) => t.source === 'HttpApi')!;
    assert.equal(greet.label, 'GET /hello/{name} (HttpApi)');
    assert.equal(greet.id, 'HttpApi GET /hello/{name}');
    assert.deepEqual(
      greet.params.map((p) => p.name),
      ['name'],
    );
    assert.equal(greet.suggestedName, 'get-hello-name');
    const files = list.find((t) => t.source === 'Api')!;
    assert.equal(files.label, 'ANY /files/{proxy+} (Api)');
    // ANY asks for the method; a greedy parameter and a body too.
    assert.deepEqual(
      files.params.map((p) => p.name),
      ['method', 'proxy', 'body'],
    );
    // The schedule that targets it is one of its triggers as well.
    assert.ok(list.some((t) => t.source === 'Schedule' && t.label === 'nightly fires (Schedule)'));
  });

  it('builds the event API Gateway would send for that route, path parameters filled in', () => {
    const event = generateTriggerEvent('Hello', 'HttpApi GET /hello/{name}', { name: 'Ada Lovelace' }, ctx) as Json;
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'GET /hello/{name}');
    assert.equal(event.rawPath, '/hello/Ada%20Lovelace');
    assert.deepEqual(event.pathParameters, { name: 'Ada Lovelace' });
    assert.equal(event.requestContext.http.method, 'GET');
    assert.equal(event.requestContext.stage, '$default');

    const rest = generateTriggerEvent('Hello', 'Api ANY /files/{proxy+}', { method: 'put', proxy: 'a/b c.txt', body: 'hi' }, ctx) as Json;
    assert.equal(rest.resource, '/files/{proxy+}');
    assert.equal(rest.httpMethod, 'PUT');
    assert.deepEqual(rest.pathParameters, { proxy: 'a/b c.txt' });
    assert.equal(rest.body, 'hi');
    assert.equal(rest.requestContext.stage, 'Prod');
  });

  it('refuses an empty path parameter and parameters the route does not have', () => {
    assert.throws(() => generateTriggerEvent('Hello', 'HttpApi GET /hello/{name}', { name: '' }, ctx), /path parameter 'name' is empty/);
    assert.throws(() => generateTriggerEvent('Hello', 'HttpApi GET /hello/{name}', { nmae: 'x' }, ctx), /has no parameter 'nmae'/);
    assert.throws(
      () => generateTriggerEvent('Hello', 'HttpApi GET /nope', {}, ctx),
      (err: unknown) => err instanceof UserError && /its trigger events: /.test(err.hint ?? ''),
    );
  });

  it('the schedule fires with its target Input, as EventBridge would deliver it', () => {
    assert.deepEqual(generateTriggerEvent('Hello', 'Schedule nightly', {}, ctx), { job: 'report' });
  });
});

describe('trigger events: S3', () => {
  const ctx = context();

  it('offers a put and a delete on the bucket with a key that passes the filters', () => {
    const list = listTriggerEvents('Uploads', ctx);
    assert.deepEqual(
      list.map((t) => t.label),
      ['Put object to team-photos (S3)', 'Delete object from team-photos (S3)'],
    );
    const put = list[0]!;
    assert.equal(put.params.find((p) => p.name === 'key')?.default, 'incoming/example.jpg');
    assert.match(put.description, /prefix incoming\/ · suffix \.jpg/);
    const event = generateTriggerEvent('Uploads', put.id, { key: 'incoming/My Photo.jpg', size: '2048' }, ctx) as Json;
    const record = event.Records[0];
    assert.equal(record.eventName, 'ObjectCreated:Put');
    assert.equal(record.s3.bucket.name, 'team-photos');
    assert.equal(record.s3.object.key, 'incoming/My+Photo.jpg');
    assert.equal(record.s3.object.size, 2048);
    assert.equal(record.s3.configurationId, 'Jpegs');
    const removed = generateTriggerEvent('Uploads', list[1]!.id, {}, ctx) as Json;
    assert.equal(removed.Records[0].eventName, 'ObjectRemoved:Delete');
    assert.equal(removed.Records[0].s3.object.size, undefined);
  });

  it('refuses a key the filter would not let through: S3 would not notify the function', () => {
    const put = listTriggerEvents('Uploads', ctx)[0]!;
    assert.throws(
      () => generateTriggerEvent('Uploads', put.id, { key: 'incoming/notes.txt' }, ctx),
      /does not pass Uploads's Jpegs filter \(prefix incoming\/, suffix \.jpg\)/,
    );
  });
});

describe('trigger events: queue, topic, streams', () => {
  const ctx = context();
  const list = listTriggerEvents('Worker', ctx);
  const byId = (id: string) => list.find((t) => t.id === id)!;

  it('lists the queue, the topic, the table and the stream', () => {
    assert.deepEqual(
      list.map((t) => t.label),
      ['Message on orders (SQS)', 'Notification on alerts (SNS)', 'Change on items (DynamoDB)', 'Record on clicks (Kinesis)'],
    );
  });

  it('SQS: the default body passes the filter criteria; one that does not is refused', () => {
    const sqs = byId('SQS Queue');
    const body = JSON.parse(sqs.params[0]!.default) as Json;
    assert.equal(body.kind, 'order');
    assert.ok(body.total > 100);
    const event = generateTriggerEvent('Worker', sqs.id, {}, ctx) as Json;
    assert.equal(event.Records[0].eventSourceARN, 'arn:aws:sqs:us-east-1:123456789012:orders');
    assert.deepEqual(JSON.parse(event.Records[0].body), body);
    assert.throws(() => generateTriggerEvent('Worker', sqs.id, { body: '{"kind":"refund"}' }, ctx), /does not pass Worker's Queue filter criteria/);
  });

  it('SNS: message attributes that pass the filter policy', () => {
    const event = generateTriggerEvent('Worker', 'SNS Topic', { message: 'disk full' }, ctx) as Json;
    const sns = event.Records[0].Sns;
    assert.equal(sns.TopicArn, 'arn:aws:sns:us-east-1:123456789012:alerts');
    assert.equal(sns.Message, 'disk full');
    assert.deepEqual(sns.MessageAttributes, { severity: { Type: 'String', Value: 'high' } });
  });

  it('DynamoDB: the table key schema gives the keys, the view type shapes the images', () => {
    const ddb = byId('DynamoDB Stream');
    assert.deepEqual(
      ddb.params.map((p) => p.name),
      ['eventName', 'pk', 'n', 'message'],
    );
    const event = generateTriggerEvent('Worker', ddb.id, { pk: 'user#1', n: '7', eventName: 'modify' }, ctx) as Json;
    const r = event.Records[0];
    assert.equal(r.eventName, 'MODIFY');
    assert.deepEqual(r.dynamodb.Keys, { pk: { S: 'user#1' }, n: { N: '7' } });
    assert.equal(r.dynamodb.StreamViewType, 'NEW_IMAGE');
    assert.equal(r.dynamodb.OldImage, undefined);
    assert.equal(r.dynamodb.NewImage.message.S, 'Hello from DynamoDB');
    assert.throws(() => generateTriggerEvent('Worker', ddb.id, { n: 'seven' }, ctx), /'seven' is not a number/);
  });

  it('Kinesis: the data base64-encoded as the stream delivers it', () => {
    const event = generateTriggerEvent('Worker', 'Kinesis Clicks', { data: 'click!' }, ctx) as Json;
    const r = event.Records[0];
    assert.equal(Buffer.from(r.kinesis.data, 'base64').toString(), 'click!');
    assert.equal(r.eventSourceARN, 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks');
  });

  it('a function without events, or one the host does not know, has none', () => {
    assert.deepEqual(listTriggerEvents('Plain', ctx), []);
    assert.deepEqual(listTriggerEvents('Nobody', ctx), []);
  });
});

describe('exampleMatching', () => {
  it('builds a value each kind of condition accepts', () => {
    assert.deepEqual(
      exampleMatching({
        a: ['x', 'y'],
        b: [{ prefix: 'img-' }],
        c: [{ numeric: ['>=', 10, '<', 20] }],
        d: [{ exists: false }],
        e: { nested: [{ 'anything-but': ['example'] }] },
        f: [{ suffix: '.png' }],
      }),
      { a: 'x', b: 'img-example', c: 15, e: { nested: 'example-1' }, f: 'example.png' },
    );
  });
});
