// DynamoDB through the local AWS endpoint: PutItem and GetItem operations per second from inside a 1,769 MB (one vCPU)
// function (the real @aws-sdk/client-dynamodb, 1 and 8 in flight), on a table without a stream and on
// one with a NEW_AND_OLD_IMAGES stream (each write then also reads the item before and after it); and
// stream records per second from write to function: BatchWriteItem from outside into a table whose
// stream a BatchSize 100 mapping delivers to a trivial handler, timed until the last record arrived.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSource } from '../../runtime-host/events/dynamodb';
import { StreamsSource } from '../../runtime-host/events/streams';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { benchHost } from '../helpers';

const TABLE = (name: string, stream: boolean) => `  ${name}:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${name}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
${stream ? '      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }\n' : ''}`;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs22.x, CodeUri: ., MemorySize: 1769, Timeout: 300 }
Resources:
${TABLE('plain', false)}${TABLE('streamed', true)}${TABLE('feed', true)}  Driver:
    Type: AWS::Serverless::Function
    Properties: { Handler: driver.handler }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: consumer.handler
      Events:
        Feed:
          Type: DynamoDB
          Properties: { Stream: !GetAtt feed.StreamArn, StartingPosition: TRIM_HORIZON, BatchSize: 100 }
`;

const DRIVER = `const { DynamoDBClient, PutItemCommand, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
async function run(total, inFlight, op) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < total) await op(next++); }));
  return Math.round(total / ((performance.now() - t0) / 1000));
}
exports.handler = async ({ table, total }) => {
  const item = (i) => ({ id: { S: 'item-' + i }, body: { S: 'x'.repeat(200) }, n: { N: String(i) } });
  for (let i = 0; i < 50; i++) await client.send(new PutItemCommand({ TableName: table, Item: item(i) }));
  const out = {};
  for (const inFlight of [1, 8]) {
    out['put' + inFlight] = await run(total, inFlight, (i) => client.send(new PutItemCommand({ TableName: table, Item: item(i) })));
    out['get' + inFlight] = await run(total, inFlight, (i) => client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'item-' + i } } })));
  }
  return out;
};
`;

export async function run(): Promise<void> {
  const bench = await benchHost(
    'dynamodb',
    { 'template.yaml': TEMPLATE, 'driver.js': DRIVER, 'consumer.js': 'exports.handler = async (event) => event.Records.length;\n' },
    [new StreamsSource(), new DynamoDbSource()],
  );
  const { host } = bench;
  symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(host.context.root, 'node_modules'));
  const client = new DynamoDBClient({ endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  try {
    const fn = host.registry.get('Driver')!;
    // A first pass warms the function's SDK and both tables; its numbers are not kept.
    await host.context.invoker.invoke({ fn, event: { table: 'plain', total: 300 }, trigger: 'manual' });
    for (const table of ['plain', 'streamed']) {
      const record = await host.context.invoker.invoke({ fn, event: { table, total: 2000 }, trigger: 'manual' });
      const r = (record.result ?? {}) as Record<string, number>;
      if (record.status !== 'success') throw new Error(`Driver failed: ${JSON.stringify((record as unknown as InvokeOutput).error ?? record.status)}`);
      console.log(
        `dynamodb: from a function, ${table === 'plain' ? 'table without a stream' : 'table with a NEW_AND_OLD_IMAGES stream'}: PutItem ${r['put1']} / ${r['put8']} ops/s, GetItem ${r['get1']} / ${r['get8']} ops/s (1 / 8 in flight)`,
      );
    }

    const total = 5000;
    let delivered = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success' || record.kind !== 'invocation') return;
      delivered += (record.event as { Records: unknown[] }).Records.length;
      if (delivered >= total) done();
    });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) {
          const start = next;
          next += 25;
          const items = Array.from({ length: Math.min(25, total - start) }, (_, k) => ({
            PutRequest: { Item: { id: { S: `r-${start + k}` }, n: { N: String(start + k) } } },
          }));
          await client.send(new BatchWriteItemCommand({ RequestItems: { feed: items } }));
        }
      }),
    );
    const written = performance.now();
    await all;
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `dynamodb: ${total} stream records (BatchWriteItem, 25 a call, 4 in flight → BatchSize 100 mapping → function) in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} records/s (writes alone ${Math.round(total / ((written - t0) / 1000))} items/s)`,
    );
  } finally {
    client.destroy();
    await bench.close();
  }
}
