// Stream records from real writes, for every write path and every StreamViewType: the same writes
// (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems through the real
// @aws-sdk/client-dynamodb, and a Time to Live expiry on an injected clock) go to four tables, one per
// view type, each read by a function's DynamoDB event; what the functions receive is compared with
// what DynamoDB Streams would have recorded. Writes that change nothing, and failed conditional writes
// and transactions, must leave no record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbSource } from '../../runtime-host/events/dynamodb';
import { StreamsSource } from '../../runtime-host/events/streams';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { waitUntil } from '../helpers/wait';

const VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;
type ViewType = (typeof VIEW_TYPES)[number];
type Item = Record<string, AttributeValue>;

const tableName = (vt: ViewType) => `t-${vt.toLowerCase().replace(/_/g, '-')}`;
const consumer = (vt: ViewType) => `Consumer${vt.replace(/_/g, '')}`;

function template(): string {
  const lines = ['Transform: AWS::Serverless-2016-10-31', 'Resources:'];
  for (const vt of VIEW_TYPES) {
    lines.push(
      `  Table${vt.replace(/_/g, '')}:`,
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      `      TableName: ${tableName(vt)}`,
      '      BillingMode: PAY_PER_REQUEST',
      '      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }, { AttributeName: sk, AttributeType: N }]',
      '      KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: sk, KeyType: RANGE }]',
      `      StreamSpecification: { StreamViewType: ${vt} }`,
      '      TimeToLiveSpecification: { AttributeName: expires, Enabled: true }',
      `  ${consumer(vt)}:`,
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Runtime: nodejs22.x',
      '      CodeUri: .',
      '      Handler: app.handler',
      '      Events:',
      '        Changes:',
      '          Type: DynamoDB',
      `          Properties: { Stream: !GetAtt Table${vt.replace(/_/g, '')}.StreamArn, StartingPosition: TRIM_HORIZON, BatchSize: 100 }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const key = (pk: string): Item => ({ pk: { S: pk }, sk: { N: '1' } });
const item = (pk: string, extra: Item = {}): Item => ({ ...key(pk), ...extra });
type Change = { eventName: 'INSERT' | 'MODIFY' | 'REMOVE'; Keys: Item; NewImage?: Item; OldImage?: Item; ttl?: true };

describe('DynamoDB stream records from real writes, per write path and view type', () => {
  let dir = '';
  let host: RunningHost;
  let dynamo: DynamoDbSource;
  let client: DynamoDBClient;
  // 2030-01-01: later than any real clock the test runs on, so only the injected clock expires items.
  let clock = Date.UTC(2030, 0, 1);
  const delivered = new Map<string, Record<string, unknown>[]>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-dynamodb-streams-'));
    writeFileSync(join(dir, 'template.yaml'), template());
    writeFileSync(join(dir, 'app.js'), 'exports.handler = async () => {};\n');
    dynamo = new DynamoDbSource({ now: () => clock, ttlSweepMs: 3_600_000 });
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    host = await startHost({
      root: dir,
      log: quiet,
      watch: false,
      writeHostFile: false,
      runtimeSdk: 'off',
      eventSources: [new StreamsSource({ retryDelaysMs: [50] }), dynamo],
    });
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.kind !== 'invocation' || record.status !== 'success') return;
      const list = delivered.get(record.functionName) ?? [];
      list.push(...(record.event as { Records: Record<string, unknown>[] }).Records);
      delivered.set(record.functionName, list);
    });
    client = new DynamoDBClient({ endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  });

  after(async () => {
    client?.destroy();
    await host?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The writes, and the changes DynamoDB Streams records for them (full images; the view type cuts them). */
  async function writeAll(table: string): Promise<Change[]> {
    const send = client.send.bind(client);
    const failsWith = async (p: Promise<unknown>, name: string) =>
      assert.equal(
        await p.then(
          () => 'no error',
          (e: Error) => e.name,
        ),
        name,
      );
    const a1 = item('a', { v: { N: '1' }, tags: { SS: ['x', 'y'] } });
    const a2 = item('a', { v: { N: '2' }, tags: { SS: ['x', 'y'] } });
    const a3 = item('a', { v: { N: '3' }, tags: { SS: ['x', 'y'] } });
    const b1 = item('b', { v: { N: '1' } });
    const c1 = item('c', { m: { M: { deep: { L: [{ S: 'q' }, { BOOL: true }] } } } });
    const c9 = { ...c1, v: { N: '9' } };
    const d1 = item('d', { n: { NULL: true } });
    const e1 = item('e', { bin: { B: new Uint8Array([1, 2, 3]) } });
    const e1Wire = item('e', { bin: { B: 'AQID' } as unknown as AttributeValue });
    const g1 = item('g', { expires: { N: String(clock / 1000 - 60) } });

    await send(new PutItemCommand({ TableName: table, Item: a1 }));
    // The same item again, its set in another order and a number spelled differently: no change, no record.
    await send(new PutItemCommand({ TableName: table, Item: { ...a1, v: { N: '1.0' }, tags: { SS: ['y', 'x'] } } }));
    await send(new PutItemCommand({ TableName: table, Item: a2 }));
    await send(new UpdateItemCommand({ TableName: table, Key: key('a'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '3' } } }));
    await send(new UpdateItemCommand({ TableName: table, Key: key('a'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '3' } } }));
    await send(new UpdateItemCommand({ TableName: table, Key: key('b'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } }));
    await failsWith(
      send(new PutItemCommand({ TableName: table, Item: item('a'), ConditionExpression: 'attribute_not_exists(pk)' })),
      'ConditionalCheckFailedException',
    );
    await failsWith(
      send(
        new UpdateItemCommand({
          TableName: table,
          Key: key('a'),
          UpdateExpression: 'SET v = :v',
          ConditionExpression: 'v = :old',
          ExpressionAttributeValues: { ':v': { N: '4' }, ':old': { N: '0' } },
        }),
      ),
      'ConditionalCheckFailedException',
    );
    await send(new DeleteItemCommand({ TableName: table, Key: key('nobody') }));
    await send(new DeleteItemCommand({ TableName: table, Key: key('b') }));
    await send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: [{ PutRequest: { Item: c1 } }, { PutRequest: { Item: d1 } }, { DeleteRequest: { Key: key('a') } }] },
      }),
    );
    await send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: e1 } },
          {
            Update: {
              TableName: table,
              Key: key('c'),
              UpdateExpression: 'SET v = :v',
              ConditionExpression: 'attribute_exists(m)',
              ExpressionAttributeValues: { ':v': { N: '9' } },
            },
          },
          { Delete: { TableName: table, Key: key('d') } },
          { ConditionCheck: { TableName: table, Key: key('zz'), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    await failsWith(
      send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: item('f') } },
            { ConditionCheck: { TableName: table, Key: key('c'), ConditionExpression: 'v = :wrong', ExpressionAttributeValues: { ':wrong': { N: '0' } } } },
          ],
        }),
      ),
      'TransactionCanceledException',
    );
    await send(new PutItemCommand({ TableName: table, Item: g1 }));
    return [
      { eventName: 'INSERT', Keys: key('a'), NewImage: a1 },
      { eventName: 'MODIFY', Keys: key('a'), OldImage: a1, NewImage: a2 },
      { eventName: 'MODIFY', Keys: key('a'), OldImage: a2, NewImage: a3 },
      { eventName: 'INSERT', Keys: key('b'), NewImage: b1 },
      { eventName: 'REMOVE', Keys: key('b'), OldImage: b1 },
      { eventName: 'INSERT', Keys: key('c'), NewImage: c1 },
      { eventName: 'INSERT', Keys: key('d'), NewImage: d1 },
      { eventName: 'REMOVE', Keys: key('a'), OldImage: a3 },
      { eventName: 'INSERT', Keys: key('e'), NewImage: e1Wire },
      { eventName: 'MODIFY', Keys: key('c'), OldImage: c1, NewImage: c9 },
      { eventName: 'REMOVE', Keys: key('d'), OldImage: d1 },
      { eventName: 'INSERT', Keys: key('g'), NewImage: g1 },
      { eventName: 'REMOVE', Keys: key('g'), OldImage: g1, ttl: true },
    ];
  }

  /** Attribute order is not part of an item. */
  const sorted = (i: Item | undefined): Record<string, unknown> | undefined =>
    i &&
    Object.fromEntries(
      Object.entries(i)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, 'SS' in v ? { SS: [...(v.SS ?? [])].sort() } : v]),
    );

  it('the four tables: every change once, in order, with the images its view type keeps', async () => {
    const expected = new Map<ViewType, Change[]>();
    for (const vt of VIEW_TYPES) expected.set(vt, await writeAll(tableName(vt)));
    clock += 1000;
    assert.equal(await dynamo.sweepExpired(), VIEW_TYPES.length);
    for (const vt of VIEW_TYPES) {
      const want = expected.get(vt)!;
      await waitUntil(async () => (delivered.get(consumer(vt)) ?? []).length >= want.length, 60_000, `${want.length} records for ${consumer(vt)}`);
      const got = delivered.get(consumer(vt))!;
      const streamArn = `arn:aws:dynamodb:us-east-1:123456789012:table/${tableName(vt)}/stream/1970-01-01T00:00:00.000`;
      const withNew = vt === 'NEW_IMAGE' || vt === 'NEW_AND_OLD_IMAGES';
      const withOld = vt === 'OLD_IMAGE' || vt === 'NEW_AND_OLD_IMAGES';
      assert.deepEqual(
        got.map((r) => {
          const d = r['dynamodb'] as Record<string, unknown>;
          return {
            eventName: r['eventName'],
            Keys: d['Keys'],
            NewImage: sorted(d['NewImage'] as Item | undefined),
            OldImage: sorted(d['OldImage'] as Item | undefined),
            userIdentity: r['userIdentity'],
            StreamViewType: d['StreamViewType'],
            eventSourceARN: r['eventSourceARN'],
            eventSource: r['eventSource'],
          };
        }),
        want.map((c) => ({
          eventName: c.eventName,
          Keys: c.Keys,
          NewImage: withNew ? sorted(c.NewImage) : undefined,
          OldImage: withOld ? sorted(c.OldImage) : undefined,
          userIdentity: c.ttl ? { type: 'Service', principalId: 'dynamodb.amazonaws.com' } : undefined,
          StreamViewType: vt,
          eventSourceARN: streamArn,
          eventSource: 'aws:dynamodb',
        })),
        vt,
      );
      const sequence = got.map((r) => BigInt((r['dynamodb'] as { SequenceNumber: string }).SequenceNumber));
      assert.ok(
        sequence.every((s, i) => i === 0 || s > sequence[i - 1]!),
        `${vt}: sequence numbers increase`,
      );
      for (const r of got) {
        const d = r['dynamodb'] as { SizeBytes: number; ApproximateCreationDateTime: number };
        assert.ok(d.SizeBytes > 0, `${vt}: SizeBytes`);
        assert.ok(Number.isInteger(d.ApproximateCreationDateTime) && d.ApproximateCreationDateTime > 1_700_000_000, `${vt}: ApproximateCreationDateTime`);
      }
    }
  });
});
