import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capValue } from '../../runtime-host/records/record-caps';
import { sealedBytes, sealedFromBytes, stringifySealed } from '../../runtime-host/util/sealed-json';
import { withoutParsing } from './store-fixtures';
import { kinesisEventBytes, kinesisStreamArn, streamEvent, type StoredStreamRecord, type StreamIdentity } from '../../runtime-host/events/streams/stream-event';

const identity: StreamIdentity = {
  kind: 'kinesis',
  name: 'orders',
  arn: kinesisStreamArn('eu-west-1', '123456789012', 'orders'),
  region: 'eu-west-1',
  accountId: '123456789012',
  viewType: 'NEW_AND_OLD_IMAGES',
};

function stored(partitionKey: string, i: number, data: string | undefined = Buffer.from(`record ${i}`).toString('base64')): StoredStreamRecord {
  return {
    sequenceNumber: `4959033827149025660855969253836157109592157598913658${String(8800 + i)}`,
    partitionKey,
    ...(data !== undefined ? { data } : {}),
    arrivalMs: 1_764_770_000_123 + i,
  };
}

/** What the history, the runtime and every client are given must be the event's own JSON. */
function assertSameAsStringify(records: StoredStreamRecord[]): void {
  const bytes = kinesisEventBytes(records, 'shardId-000000000003', identity);
  assert.equal(bytes.toString('utf8'), JSON.stringify(streamEvent(records, 'shardId-000000000003', identity)));
}

describe('Kinesis event bytes', () => {
  it('are the UTF-8 JSON of the event, field for field', () => {
    assertSameAsStringify(Array.from({ length: 50 }, (_, i) => stored(`pk-${i % 7}`, i)));
  });

  it('escape partition keys as JSON.stringify does, and encode a non-ASCII one as UTF-8', () => {
    const keys = ['quote " and \\ backslash', 'tab\tnew\nline\u0001', 'é', '日本語', 'emoji 🦀', 'lone \ud800 surrogate', '</script>'];
    for (const key of keys) assertSameAsStringify([stored('plain', 0), stored(key, 1), stored('plain', 2)]);
    assertSameAsStringify(keys.map((key, i) => stored(key, i)));
  });

  it('write a record without data as empty data, and an empty batch', () => {
    assertSameAsStringify([stored('a', 0, undefined)]);
    assertSameAsStringify([]);
  });
});

describe('an event sealed from its bytes', () => {
  const records = Array.from({ length: 200 }, (_, i) => stored(`pk-${i}`, i));
  const bytes = () => kinesisEventBytes(records, 'shardId-000000000000', identity);

  it('is sent, measured and capped by its bytes without being parsed', () => {
    const event = sealedFromBytes<{ Records: unknown[] }>(bytes(), ['Records']);
    withoutParsing(() => {
      assert.equal(sealedBytes(event)!.length, bytes().length);
      assert.equal(stringifySealed({ event }), `{"event":${bytes().toString('utf8')}}`);
      assert.equal(capValue(event, 1024).bytes, bytes().length);
    }, 'a sealed event is sent, measured and capped by its bytes');
  });

  it('reads as the event it is the JSON of, parsed once, and cannot be changed', () => {
    const event = sealedFromBytes<{ Records: unknown[] }>(bytes(), ['Records']);
    const expected = streamEvent(records, 'shardId-000000000000', identity);
    assert.deepStrictEqual(event, expected);
    assert.deepStrictEqual(Object.keys(event), ['Records']);
    assert.equal(JSON.stringify(event), bytes().toString('utf8'));
    assert.equal(event.Records, event.Records);
    assert.throws(() => {
      event.Records = [];
    }, TypeError);
  });
});
