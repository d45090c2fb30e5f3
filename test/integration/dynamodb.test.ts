// The local DynamoDB through a real `node dist/cli.js serve`: the template's tables (GSI, stream, TTL,
// a SimpleTable), the real @aws-sdk/client-dynamodb and @aws-sdk/lib-dynamodb from inside a function
// (no endpoint in its code) and from outside, the Host check, stream records of those writes reaching
// the function's DynamoDB event, the item browser's methods, a restart, and a template edit.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbTableInfo, ListInvocationsResult } from '../../runtime-host/protocol/methods';
import type { InvokeOutput } from '../../runtime-host/protocol/records';
import { repoRoot, servedFixture, waitUntil } from './serve-helpers';

type StreamEvent = {
  Records: { eventID: string; eventName: string; eventSourceARN: string; dynamodb: { Keys: Record<string, unknown>; NewImage?: Record<string, unknown> } }[];
};

describe('DynamoDB through a real serve', () => {
  const fx = servedFixture('dynamodb-project', { prepare: (dir) => symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')) });
  const client = () =>
    new DynamoDBClient({ endpoint: fx.serve.ready.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  const changesSeen = async (fn = 'OnOrderChange'): Promise<StreamEvent['Records']> => {
    const page = await fx.client.request<ListInvocationsResult>('listInvocations', { function: fn, limit: 500 });
    // Newest first in the history: delivery order is the reverse.
    return page.records
      .filter((r) => r.kind === 'invocation' && r.status === 'success')
      .reverse()
      .flatMap((r) => (r.event as StreamEvent).Records);
  };

  it('a function uses the template tables with the real client and document client, no endpoint in its code', async () => {
    const out = await fx.client.request<InvokeOutput>('invoke', { function: 'Writer', event: { pk: 'order-1' } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const r = out.result as Record<string, unknown>;
    assert.equal(r.endpoint, fx.serve.ready.awsEndpoint);
    assert.deepEqual(r.item, { pk: 'order-1', sk: 'order', status: 'paid', total: 12.5, lines: ['a', 'b'] });
    assert.deepEqual(r.paid, ['order-1']);
    assert.deepEqual(r.note, { id: 'order-1', text: 'note' });
    assert.equal(r.tableArn, 'arn:aws:dynamodb:us-east-1:123456789012:table/orders');
    assert.equal(r.envTableArn, r.tableArn);
    // !GetAtt OrdersTable.StreamArn, DescribeTable's LatestStreamArn and the records' eventSourceARN are one string.
    assert.equal(r.envStreamArn, r.streamArn);
    assert.match(String(r.streamArn), /^arn:aws:dynamodb:us-east-1:123456789012:table\/orders\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(r.missing, { name: 'ResourceNotFoundException', message: 'Requested resource not found' });

    const writer = (await fx.client.request<ListInvocationsResult>('listInvocations', { function: 'Writer', limit: 5 })).records[0]!;
    const spans = (writer.serviceCalls ?? [])
      .filter((s) => s.service === 'dynamodb')
      .map((s) => `${s.operation} ${s.resource} ${s.status}${s.errorCode ? ` ${s.errorCode}` : ''}`);
    assert.deepEqual(spans, [
      'PutItem orders 200',
      'UpdateItem orders 200',
      'GetItem orders 200',
      'Query orders 200',
      'PutItem NotesTable 200',
      'GetItem NotesTable 200',
      'DescribeTable orders 200',
      'GetItem no-such-table 400 ResourceNotFoundException',
    ]);
  });

  it("the function's writes reach OnOrderChange as INSERT then MODIFY, with the table's stream ARN", async () => {
    await waitUntil(
      async () => (await changesSeen()).filter((c) => JSON.stringify(c.dynamodb.Keys).includes('order-1')).length >= 2,
      60_000,
      'two changes of order-1',
    );
    const changes = (await changesSeen()).filter((c) => JSON.stringify(c.dynamodb.Keys).includes('order-1'));
    assert.deepEqual(
      changes.map((c) => c.eventName),
      ['INSERT', 'MODIFY'],
    );
    assert.deepEqual(changes[1]!.dynamodb.NewImage!['status'], { S: 'paid' });
    assert.equal(changes[0]!.eventSourceARN, 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/1970-01-01T00:00:00.000');
  });

  it('answers outside clients too: the document client, DescribeTable with its stream and TTL, Scan', async () => {
    const c = client();
    try {
      await DynamoDBDocumentClient.from(c).send(new PutCommand({ TableName: 'orders', Item: { pk: 'outside', sk: 'order', status: 'new' } }));
      const table = (await c.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!;
      assert.deepEqual(table.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      assert.deepEqual(
        table.GlobalSecondaryIndexes?.map((i) => i.IndexName),
        ['byStatus'],
      );
      assert.deepEqual((await c.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }))).TimeToLiveDescription, {
        TimeToLiveStatus: 'ENABLED',
        AttributeName: 'expiresAt',
      });
      const notes = (await c.send(new DescribeTableCommand({ TableName: 'NotesTable' }))).Table!;
      assert.deepEqual(notes.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
      assert.equal(notes.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
      const scan = await c.send(new ScanCommand({ TableName: 'orders' }));
      assert.deepEqual(scan.Items?.map((i) => i['pk']!.S).sort(), ['order-1', 'outside']);
    } finally {
      c.destroy();
    }
  });

  it('FilterCriteria: a mapping gets only the records its pattern matches', async () => {
    await waitUntil(
      async () => (await changesSeen('OnNewOrder')).some((c) => JSON.stringify(c.dynamodb.Keys).includes('outside')),
      60_000,
      'the INSERT of outside',
    );
    // order-1's MODIFY (status paid) came between the two INSERTs and was dropped.
    assert.deepEqual(
      (await changesSeen('OnNewOrder')).map((c) => [c.eventName, (c.dynamodb.Keys['pk'] as { S: string }).S]),
      [
        ['INSERT', 'order-1'],
        ['INSERT', 'outside'],
      ],
    );
  });

  it('refuses a request whose Host names another server (DNS rebinding), in DynamoDB’s error shape', async () => {
    const url = new URL(fx.serve.ready.awsEndpoint!);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { host: `attacker.example:${url.port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan' },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ TableName: 'orders' }));
    });
    assert.equal(status, 403);
    assert.equal((JSON.parse(body) as { __type: string }).__type, 'AccessDenied');
  });

  it('the item browser lists tables with item counts, pages a scan, puts and deletes items (the put reaching the stream)', async () => {
    const tables = await fx.client.request<DynamoDbTableInfo[]>('dynamodb.listTables');
    const orders = tables.find((t) => t.name === 'orders')!;
    assert.equal(orders.itemCount, 2);
    assert.equal(orders.streamViewType, 'NEW_AND_OLD_IMAGES');
    assert.equal(orders.ttlAttribute, 'expiresAt');
    assert.deepEqual(orders.keySchema, [
      { name: 'pk', keyType: 'HASH', type: 'S' },
      { name: 'sk', keyType: 'RANGE', type: 'S' },
    ]);
    assert.equal(tables.find((t) => t.name === 'NotesTable')?.itemCount, 1);

    const first = await fx.client.request<{ items: unknown[]; cursor?: string }>('dynamodb.scan', { table: 'orders', limit: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.cursor);
    const second = await fx.client.request<{ items: unknown[]; cursor?: string }>('dynamodb.scan', { table: 'orders', limit: 1, cursor: first.cursor });
    assert.equal(second.items.length, 1);
    assert.notDeepEqual(second.items[0], first.items[0]);

    const item = { pk: { S: 'browser' }, sk: { S: 'order' }, status: { S: 'new' } };
    assert.deepEqual(await fx.client.request('dynamodb.putItem', { table: 'orders', item }), { replaced: false });
    assert.deepEqual(await fx.client.request('dynamodb.getItem', { table: 'orders', key: { pk: { S: 'browser' }, sk: { S: 'order' } } }), { item });
    await waitUntil(
      async () => (await changesSeen()).some((c) => c.eventName === 'INSERT' && JSON.stringify(c.dynamodb.Keys).includes('browser')),
      60_000,
      'INSERT of browser',
    );
    assert.deepEqual(await fx.client.request('dynamodb.deleteItem', { table: 'orders', key: { pk: { S: 'browser' }, sk: { S: 'order' } } }), { deleted: true });
    assert.deepEqual(await fx.client.request('dynamodb.deleteItem', { table: 'orders', key: { pk: { S: 'browser' }, sk: { S: 'order' } } }), {
      deleted: false,
    });
    await assert.rejects(fx.client.request('dynamodb.scan', { table: 'nope' }), /table not found/);
  });

  it('keeps the items and the stream position across a restart', async () => {
    assert.equal(await fx.restart(), 0);
    const c = client();
    try {
      const got = await c.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'order-1' }, sk: { S: 'order' } } }));
      assert.equal(got.Item?.['status']?.S, 'paid');
    } finally {
      c.destroy();
    }
    await fx.client.request('dynamodb.putItem', { table: 'orders', item: { pk: { S: 'after-restart' }, sk: { S: 'order' } } });
    await waitUntil(
      async () => (await changesSeen()).some((ch) => JSON.stringify(ch.dynamodb.Keys).includes('after-restart')),
      60_000,
      'the change after the restart',
    );
    // The restarted mapping resumes after its checkpoint: no record is delivered twice.
    const ids = (await changesSeen()).map((ch) => ch.eventID);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('a serve killed with SIGKILL leaves no engine behind, and the next one finds the data', async () => {
    const engines = () =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            return cmd.includes('dynamodb-engine.js') && cmd.includes(fx.dir);
          } catch {
            return false;
          }
        });
    assert.equal(engines().length, 1);
    await fx.serve.stop('SIGKILL');
    await waitUntil(async () => engines().length === 0, 20_000, 'the engine to end with its host');
    await fx.restart();
    const got = await fx.client.request('dynamodb.getItem', { table: 'orders', key: { pk: { S: 'after-restart' }, sk: { S: 'order' } } });
    assert.deepEqual(got, { item: { pk: { S: 'after-restart' }, sk: { S: 'order' } } });
  });

  it('a changed key schema in the template recreates the table, with a warning', async () => {
    const file = join(fx.dir, 'template.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '    Type: AWS::Serverless::SimpleTable\n',
        '    Type: AWS::Serverless::SimpleTable\n    Properties:\n      PrimaryKey: { Name: noteId, Type: Number }\n',
      ),
    );
    const c = client();
    try {
      await waitUntil(
        async () =>
          // For a moment, between the delete and the create, there is no table.
          (await c.send(new DescribeTableCommand({ TableName: 'NotesTable' })).catch(() => undefined))?.Table?.KeySchema?.[0]?.AttributeName === 'noteId',
        60_000,
        'NotesTable recreated with noteId',
      );
      assert.equal((await c.send(new ScanCommand({ TableName: 'NotesTable' }))).Count, 0);
    } finally {
      c.destroy();
    }
    assert.match(fx.serve.stderr(), /table NotesTable: its key schema changed \(HASH:id:S → HASH:noteId:N\); deleting it and creating it again, empty/);
  });

  it('a new index in the template rebuilds the table with its items', async () => {
    const c = client();
    try {
      const before = (await c.send(new ScanCommand({ TableName: 'orders' }))).Items!.map((i) => i['pk']!.S).sort();
      const file = join(fx.dir, 'template.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '          Projection: { ProjectionType: ALL }\n',
          '          Projection: { ProjectionType: ALL }\n        - IndexName: bySk\n          KeySchema: [{ AttributeName: sk, KeyType: HASH }]\n          Projection: { ProjectionType: KEYS_ONLY }\n',
        ),
      );
      await waitUntil(
        async () => (await c.send(new DescribeTableCommand({ TableName: 'orders' })).catch(() => undefined))?.Table?.GlobalSecondaryIndexes?.length === 2,
        60_000,
        'orders rebuilt with bySk',
      );
      await waitUntil(async () => ((await c.send(new ScanCommand({ TableName: 'orders' }))).Count ?? 0) >= before.length, 30_000, 'the items copied back');
      assert.deepEqual((await c.send(new ScanCommand({ TableName: 'orders' }))).Items!.map((i) => i['pk']!.S).sort(), before);
    } finally {
      c.destroy();
    }
    assert.match(fx.serve.stderr(), /table orders: its indexes changed; rebuilding it with its \d+ item\(s\)/);
  });
});
