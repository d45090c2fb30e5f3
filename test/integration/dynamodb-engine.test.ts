// The DynamoDB engine as a child of the host: not started for a project without tables until the first
// DynamoDB call, started again (its data intact) after it dies, and the API the host adds to it
// (streams and TTL on tables created through the API, operations it does not answer).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbSource } from '../../runtime-host/events/dynamodb';
import { StreamsSource } from '../../runtime-host/events/streams';
import { startHost, type RunningHost } from '../../runtime-host/server/host';
import { waitUntil } from '../helpers/wait';

/** Pids of engine processes whose data folder is under `dir`. */
function enginePids(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.includes('dynamodb-engine.js') && cmd.includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('the DynamoDB engine process', () => {
  let dir = '';
  let host: RunningHost;
  let client: DynamoDBClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lw-dynamodb-engine-'));
    writeFileSync(
      join(dir, 'template.yaml'),
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: nodejs22.x, CodeUri: ., Handler: app.handler }\n',
    );
    writeFileSync(join(dir, 'app.js'), 'exports.handler = async () => {};\n');
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    host = await startHost({
      root: dir,
      log: quiet,
      watch: false,
      writeHostFile: false,
      runtimeSdk: 'off',
      eventSources: [new StreamsSource(), new DynamoDbSource()],
    });
    client = new DynamoDBClient({ endpoint: host.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  });

  after(async () => {
    client?.destroy();
    await host?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a project without tables starts no engine until the first DynamoDB call', async () => {
    assert.deepEqual(enginePids(dir), []);
    assert.equal(existsSync(join(dir, '.lambda-workbench', 'dynamodb', 'engine')), false);
    await client.send(
      new CreateTableCommand({
        TableName: 'made',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    assert.equal(enginePids(dir).length, 1);
    assert.ok(existsSync(join(dir, '.lambda-workbench', 'dynamodb', 'engine', 'CURRENT')));
  });

  it('a table created through the API keeps its stream; TTL is set and described; unknown operations get DynamoDB’s error', async () => {
    const table = (await client.send(new DescribeTableCommand({ TableName: 'made' }))).Table!;
    assert.deepEqual(table.StreamSpecification, { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    assert.equal(table.LatestStreamArn, 'arn:aws:dynamodb:us-east-1:123456789012:table/made/stream/1970-01-01T00:00:00.000');
    await assert.rejects(
      client.send(new UpdateTableCommand({ TableName: 'made', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } })),
      (e: Error) => e.name === 'ValidationException' && /already has an enabled stream/.test(e.message),
    );
    await client.send(new UpdateTimeToLiveCommand({ TableName: 'made', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }));
    assert.deepEqual((await client.send(new DescribeTimeToLiveCommand({ TableName: 'made' }))).TimeToLiveDescription, {
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'ttl',
    });
    await assert.rejects(client.send(new DescribeTimeToLiveCommand({ TableName: 'nope' })), (e: Error) => e.name === 'ResourceNotFoundException');
    await assert.rejects(client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM made' })), (e: Error) => e.name === 'UnknownOperationException');
    await client.send(new PutItemCommand({ TableName: 'made', Item: { id: { S: 'x' }, n: { N: '1' } } }));
    await assert.rejects(
      client.send(
        new PutItemCommand({
          TableName: 'made',
          Item: { id: { S: 'x' } },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      (e: Error & { Item?: unknown }) =>
        e.name === 'ConditionalCheckFailedException' && JSON.stringify(e.Item) === JSON.stringify({ id: { S: 'x' }, n: { N: '1' } }),
    );
    const got = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [{ Get: { TableName: 'made', Key: { id: { S: 'x' } } } }, { Get: { TableName: 'made', Key: { id: { S: 'y' } } } }],
      }),
    );
    assert.deepEqual(got.Responses, [{ Item: { id: { S: 'x' }, n: { N: '1' } } }, {}]);
  });

  it('the DynamoDB Streams API reads the same stream: ListStreams, DescribeStream, GetShardIterator, GetRecords', async () => {
    const streams = new DynamoDBStreamsClient({
      endpoint: host.awsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    try {
      const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/made/stream/1970-01-01T00:00:00.000';
      assert.deepEqual((await streams.send(new ListStreamsCommand({}))).Streams, [
        { StreamArn: arn, TableName: 'made', StreamLabel: '1970-01-01T00:00:00.000' },
      ]);
      const description = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
      assert.deepEqual([description.StreamStatus, description.StreamViewType, description.Shards?.length], ['ENABLED', 'KEYS_ONLY', 1]);
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: description.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
      assert.deepEqual(
        page.Records?.map((r) => [r.eventName, r.dynamodb?.Keys, r.dynamodb?.NewImage, r.dynamodb?.StreamViewType]),
        [['INSERT', { id: { S: 'x' } }, undefined, 'KEYS_ONLY']],
      );
      const next = await streams.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator! }));
      assert.deepEqual(next.Records, []);
    } finally {
      streams.destroy();
    }
  });

  it('an engine that dies is started again by the next call, with its data', async () => {
    const [pid] = enginePids(dir);
    process.kill(pid!, 'SIGKILL');
    await waitUntil(async () => !enginePids(dir).includes(pid!), 10_000, 'the engine gone');
    const got = await client.send(new GetItemCommand({ TableName: 'made', Key: { id: { S: 'x' } } }));
    assert.deepEqual(got.Item, { id: { S: 'x' }, n: { N: '1' } });
    assert.equal(enginePids(dir).length, 1);
    assert.notEqual(enginePids(dir)[0], pid);
  });
});
