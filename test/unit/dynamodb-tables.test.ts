// The pure parts of the local DynamoDB: the template's tables as CreateTable requests, and what a
// write changed (the stream record, or none).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalNumber, changeOf, expressionAttributes, sameItem, type KeyElement } from '../../runtime-host/events/dynamodb/item-changes';
import { indexSignature, keySignature, templateTables } from '../../runtime-host/events/dynamodb/template';

describe('templateTables', () => {
  it('a SimpleTable: `id` String by default, PAY_PER_REQUEST without ProvisionedThroughput, named by its logical id', () => {
    const { tables, problems } = templateTables({ Notes: { Type: 'AWS::Serverless::SimpleTable', Properties: {} } });
    assert.deepEqual(problems, []);
    assert.deepEqual(tables, [
      {
        logicalId: 'Notes',
        name: 'Notes',
        create: {
          TableName: 'Notes',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      },
    ]);
    const numbered = templateTables({
      N: {
        Type: 'AWS::Serverless::SimpleTable',
        Properties: { TableName: 'n', PrimaryKey: { Name: 'no', Type: 'Number' }, ProvisionedThroughput: { ReadCapacityUnits: '2', WriteCapacityUnits: 3 } },
      },
    }).tables[0]!;
    assert.deepEqual(numbered.create, {
      TableName: 'n',
      KeySchema: [{ AttributeName: 'no', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'no', AttributeType: 'N' }],
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
    });
  });

  it('an AWS::DynamoDB::Table with indexes, stream and TTL', () => {
    const { tables, problems } = templateTables({
      Orders: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'orders',
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'N' },
            { AttributeName: 'gs', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'byGs', KeySchema: [{ AttributeName: 'gs', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
          LocalSecondaryIndexes: [
            {
              IndexName: 'byGsLocal',
              KeySchema: [
                { AttributeName: 'pk', KeyType: 'HASH' },
                { AttributeName: 'gs', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
          TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
        },
      },
    });
    assert.deepEqual(problems, []);
    const t = tables[0]!;
    assert.equal(t.stream, 'NEW_IMAGE');
    assert.equal(t.ttlAttribute, 'expires');
    // A provisioned table's GSI without throughput gets some: DynamoDB refuses it otherwise.
    assert.deepEqual(t.create.GlobalSecondaryIndexes, [
      {
        IndexName: 'byGs',
        KeySchema: [{ AttributeName: 'gs', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      },
    ]);
    assert.equal(t.create.LocalSecondaryIndexes?.length, 1);
    assert.equal(keySignature(t.create.KeySchema, t.create.AttributeDefinitions), 'HASH:pk:S,RANGE:sk:N');
    assert.notEqual(indexSignature(t.create), indexSignature({ ...t.create, GlobalSecondaryIndexes: [] }));
  });

  it('says why a table cannot be created as declared', () => {
    const { tables, problems } = templateTables({
      NoKeys: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'orders-table', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } } },
      NoThroughput: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
      },
    });
    assert.deepEqual(
      tables.map((t) => [t.name, t.create.BillingMode]),
      [['NoThroughput', 'PAY_PER_REQUEST']],
    );
    assert.match(problems[0]!, /^NoKeys: KeySchema is missing/);
    assert.match(problems[1]!, /^NoThroughput: PROVISIONED billing \(the default\) needs ProvisionedThroughput/);
  });
});

describe('changeOf: the stream record a write makes', () => {
  const keys: KeyElement[] = [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ];
  const a = { pk: { S: 'a' }, sk: { N: '1' }, v: { N: '1' } };

  it('INSERT, MODIFY and REMOVE with their images and the key attributes only in Keys', () => {
    const b = { ...a, v: { N: '2' } };
    assert.deepEqual(changeOf(undefined, a, keys), { eventName: 'INSERT', Keys: { pk: { S: 'a' }, sk: { N: '1' } }, NewImage: a });
    assert.deepEqual(changeOf(a, b, keys), { eventName: 'MODIFY', Keys: { pk: { S: 'a' }, sk: { N: '1' } }, OldImage: a, NewImage: b });
    assert.deepEqual(changeOf(a, undefined, keys), { eventName: 'REMOVE', Keys: { pk: { S: 'a' }, sk: { N: '1' } }, OldImage: a });
    assert.equal(changeOf(undefined, undefined, keys), undefined);
  });

  it('no record when the data is the same: attribute order, set order and number spelling aside', () => {
    assert.equal(changeOf(a, { v: { N: '1.00' }, sk: { N: '1' }, pk: { S: 'a' } }, keys), undefined);
    assert.ok(sameItem({ s: { SS: ['x', 'y'] }, n: { NS: ['1', '2.50'] } }, { n: { NS: ['2.5', '1'] }, s: { SS: ['y', 'x'] } }));
    assert.ok(!sameItem({ l: { L: [{ S: 'x' }, { S: 'y' }] } }, { l: { L: [{ S: 'y' }, { S: 'x' }] } }), 'lists keep their order');
    assert.ok(!sameItem({ v: { N: '1' } }, { v: { S: '1' } }), 'types differ');
    assert.ok(!sameItem({ m: { M: { a: { BOOL: true } } } }, { m: { M: { a: { BOOL: true }, b: { NULL: true } } } }));
  });

  it('canonicalNumber spells numbers as DynamoDB returns them', () => {
    assert.deepEqual(['1.50', '0001', '-0.0', '1e3', '1.5E-2', '+7', '100', '0.000'].map(canonicalNumber), ['1.5', '1', '0', '1000', '0.015', '7', '100', '0']);
  });

  it('expressionAttributes keeps only the placeholders an expression uses', () => {
    assert.deepEqual(
      expressionAttributes(
        { ExpressionAttributeNames: { '#s': 'status', '#t': 'total' }, ExpressionAttributeValues: { ':s': { S: 'x' }, ':n': { N: '1' } } },
        'attribute_exists(#s) AND #s = :s',
      ),
      { ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'x' } } },
    );
    assert.deepEqual(expressionAttributes({ ExpressionAttributeValues: { ':v': { N: '1' } } }, 'attribute_exists(pk)'), {});
  });
});
