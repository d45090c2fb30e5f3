import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamoDbItem, DynamoDbTableInfo } from '../../runtime-host/protocol/methods';
import {
  attributeProblem,
  cellText,
  columnsOf,
  ItemPages,
  keyId,
  keyLabel,
  keyOf,
  newItemTemplate,
  parseItem,
  plainItem,
  plainNumber,
} from '../../webview-ui/model/tables';
import { DEFAULT_UI_STATE, sanitizeUiState } from '../../webview-ui/state';

const orders: DynamoDbTableInfo = {
  name: 'orders',
  arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
  itemCount: 0,
  keySchema: [
    { name: 'pk', keyType: 'HASH', type: 'S' },
    { name: 'sk', keyType: 'RANGE', type: 'N' },
  ],
};
const order = (pk: string, sk: number, extra: DynamoDbItem = {}): DynamoDbItem => ({ pk: { S: pk }, sk: { N: String(sk) }, ...extra });

describe('panel tables model', () => {
  it('renders every attribute type as plain JSON', () => {
    const item: DynamoDbItem = {
      s: { S: 'text' },
      n: { N: '12.5' },
      big: { N: '12345678901234567890' },
      b: { B: 'aGVsbG8=' },
      t: { BOOL: true },
      z: { NULL: true },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2.25'] },
      bs: { BS: ['AA=='] },
      l: { L: [{ S: 'x' }, { N: '3' }, { M: { deep: { BOOL: false } } }] },
      m: { M: { a: { S: 'b' }, list: { L: [] } } },
    };
    assert.deepEqual(plainItem(item), {
      s: 'text',
      n: 12.5,
      big: '12345678901234567890',
      b: 'aGVsbG8=',
      t: true,
      z: null,
      ss: ['a', 'b'],
      ns: [1, 2.25],
      bs: ['AA=='],
      l: ['x', 3, { deep: false }],
      m: { a: 'b', list: [] },
    });
  });

  it('keeps numbers a double cannot hold exactly as their string', () => {
    assert.equal(plainNumber('42'), 42);
    assert.equal(plainNumber('-0.001'), -0.001);
    assert.equal(plainNumber('1e3'), 1000);
    assert.equal(plainNumber('123456789012345'), 123456789012345);
    assert.equal(plainNumber('1234567890123456'), '1234567890123456');
    assert.equal(plainNumber('0.12345678901234567'), '0.12345678901234567');
    assert.equal(plainNumber('1000000000000000000000'), 1e21);
  });

  it('shows cells bare, compact and cut; keys in the table’s order', () => {
    assert.equal(cellText({ S: 'plain' }), 'plain');
    assert.equal(cellText({ M: { a: { N: '1' } } }), '{"a":1}');
    assert.equal(cellText(undefined), '');
    assert.equal(cellText({ S: 'x'.repeat(100) }, 10), `${'x'.repeat(9)}…`);
    const item = order('o-1', 7, { total: { N: '3' } });
    assert.deepEqual(keyOf(orders, { total: { N: '3' }, sk: { N: '7' }, pk: { S: 'o-1' } }), { pk: { S: 'o-1' }, sk: { N: '7' } });
    assert.equal(keyLabel(orders, item), 'pk=o-1 · sk=7');
    assert.equal(keyId(orders, item), keyId(orders, { sk: { N: '7' }, pk: { S: 'o-1' } }));
    assert.notEqual(keyId(orders, item), keyId(orders, order('o-1', 8)));
  });

  it('lists the key columns first, then the others as they first appear, capped', () => {
    const items = [order('a', 1, { status: { S: 'new' } }), order('b', 2, { total: { N: '1' }, status: { S: 'paid' } })];
    assert.deepEqual(columnsOf(orders, items), { columns: ['pk', 'sk', 'status', 'total'], more: false });
    assert.deepEqual(columnsOf(orders, items, 1), { columns: ['pk', 'sk', 'status'], more: true });
    assert.deepEqual(columnsOf(orders, []), { columns: ['pk', 'sk'], more: false });
  });

  it('holds the scanned pages without duplicates and applies the panel’s own writes', () => {
    const pages = new ItemPages(orders);
    assert.equal(pages.loaded, false);
    pages.addPage({ items: [order('a', 1), order('b', 1)], cursor: 'c1' });
    assert.equal(pages.cursor, 'c1');
    assert.equal(pages.loaded, true);
    // Put by the panel before its page came: on top, and not again when the page brings it.
    pages.upsert(order('z', 1, { v: { S: 'new' } }));
    pages.addPage({ items: [order('c', 1), order('z', 1)] });
    assert.deepEqual(
      pages.items.map((i) => i.pk),
      [{ S: 'z' }, { S: 'a' }, { S: 'b' }, { S: 'c' }],
    );
    assert.equal(pages.cursor, undefined);
    // A put over an existing item replaces it where it is.
    pages.upsert(order('b', 1, { v: { S: 'changed' } }));
    assert.deepEqual(pages.find(keyId(orders, order('b', 1)))?.v, { S: 'changed' });
    assert.deepEqual(pages.items[2]!.pk, { S: 'b' });
    assert.equal(pages.remove(keyId(orders, order('a', 1))), true);
    assert.equal(pages.remove(keyId(orders, order('a', 1))), false);
    // A page scanned before the delete does not bring it back.
    pages.addPage({ items: [order('a', 1)] });
    assert.equal(pages.find(keyId(orders, order('a', 1))), undefined);
    assert.equal(pages.items.length, 3);
  });

  it('accepts a typed item with its key', () => {
    const text = JSON.stringify(order('o-9', 3, { tags: { SS: ['x', 'y'] }, meta: { M: { ok: { BOOL: true }, none: { NULL: true } } } }));
    const parsed = parseItem(text, orders);
    assert.deepEqual(parsed, { ok: true, item: JSON.parse(text) });
  });

  it('says what is wrong with an item, naming the attribute and what to write instead', () => {
    const error = (text: string) => {
      const p = parseItem(text, orders);
      assert.equal(p.ok, false, text);
      return (p as { error: string }).error;
    };
    assert.match(error('{"pk": '), /^Not valid JSON: /);
    assert.match(error('[1]'), /An item is a JSON object of attributes/);
    assert.equal(error('{"pk": "o-1", "sk": {"N": "1"}}'), '"pk": "o-1" is not a DynamoDB attribute value: write {"S": "o-1"}.');
    assert.equal(error('{"pk": {"S": "a"}, "sk": {"N": 1}}'), '"sk": N takes a number written as a string, e.g. {"N": "1"}.');
    assert.equal(error('{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": 5}'), '"n": 5 is not a DynamoDB attribute value: write {"N": "5"}.');
    assert.match(error('{"pk": {"S": "a", "N": "1"}, "sk": {"N": "1"}}'), /^"pk": an attribute value has exactly one type key/);
    assert.equal(error('{"sk": {"N": "1"}}'), '"pk" is missing: it is the table\'s partition key (type S).');
    assert.equal(error('{"pk": {"S": "a"}, "sk": {"S": "1"}}'), '"sk" is the table\'s sort key: it must be {"N": …}, not {"S": …}.');
    assert.equal(error('{"pk": {"S": ""}, "sk": {"N": "1"}}'), '"pk" is the table\'s partition key: it cannot be empty.');
    assert.equal(
      error('{"pk": {"S": "a"}, "sk": {"N": "1"}, "m": {"M": {"inner": {"L": [{"S": "ok"}, {"BOOL": "yes"}]}}}}'),
      '"m": "inner": [1]: BOOL takes true or false.',
    );
  });

  it('checks every attribute type', () => {
    assert.equal(attributeProblem({ S: 'a' }), undefined);
    assert.equal(attributeProblem({ N: '-1.5e3' }), undefined);
    assert.match(attributeProblem({ N: 'twelve' })!, /^N takes a number/);
    assert.equal(attributeProblem({ B: 'aGVsbG8=' }), undefined);
    assert.match(attributeProblem({ B: 'not base64!' })!, /^B takes base64/);
    assert.match(attributeProblem({ NULL: false })!, /^NULL takes true/);
    assert.match(attributeProblem({ SS: [] })!, /non-empty array of strings/);
    assert.match(attributeProblem({ SS: ['a', 'a'] })!, /is a set: its values must differ/);
    assert.match(attributeProblem({ NS: ['1', 'x'] })!, /^NS takes an array of numbers/);
    assert.equal(attributeProblem({ BS: ['AA=='] }), undefined);
    assert.match(attributeProblem({ L: {} })!, /^L takes an array/);
    assert.match(attributeProblem({ M: [] })!, /^M takes an object/);
    assert.match(attributeProblem({ X: 1 })!, /exactly one type key/);
    assert.match(attributeProblem(null)!, /write \{"NULL": true\}/);
    assert.match(attributeProblem(true)!, /write \{"BOOL": true\}/);
  });

  it('starts a new item from the key attributes', () => {
    assert.deepEqual(JSON.parse(newItemTemplate(orders)), { pk: { S: '' }, sk: { N: '0' } });
  });

  it('keeps the Tables tab across a reload', () => {
    assert.equal(sanitizeUiState({ ...DEFAULT_UI_STATE, view: 'tables' }).view, 'tables');
  });
});
