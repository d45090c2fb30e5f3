import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HASH_KEY_SPACE,
  hashKeyOf,
  nextDynamoDbSequenceNumber,
  nextKinesisSequenceNumber,
  shardIdOf,
  shardIndexFor,
  shardRanges,
} from '../../runtime-host/events/streams/sharding';

describe('Kinesis sharding', () => {
  it('hash key = MD5 of the partition key as an unsigned 128-bit integer', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e, md5("a") = 0cc175b9c0f1b6a831c399e269772661
    assert.equal(hashKeyOf(''), 0xd41d8cd98f00b204e9800998ecf8427en);
    assert.equal(hashKeyOf('a'), 0x0cc175b9c0f1b6a831c399e269772661n);
    assert.equal(hashKeyOf('a').toString(), '16955237001963240173058271559858726497');
  });

  it('hashes the UTF-8 bytes of the key', () => {
    // md5 of the UTF-8 bytes c3 a9 ("é")
    assert.equal(hashKeyOf('é'), 0x66ddcd97cfdeabb2f6fb8a999b4bc76fn);
  });

  it('splits the key space into equal ranges as CreateStream does', () => {
    const two = shardRanges(2);
    assert.deepEqual(
      two.map((r) => [r.shardId, r.startingHashKey.toString(), r.endingHashKey.toString()]),
      [
        ['shardId-000000000000', '0', '170141183460469231731687303715884105727'],
        ['shardId-000000000001', '170141183460469231731687303715884105728', '340282366920938463463374607431768211455'],
      ],
    );
    const three = shardRanges(3);
    assert.deepEqual(
      three.map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()]),
      [
        ['0', '113427455640312821154458202477256070484'],
        ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
        ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
      ],
    );
    const one = shardRanges(1);
    assert.equal(one[0]!.endingHashKey, HASH_KEY_SPACE - 1n);
  });

  it('ranges are contiguous and cover everything for any shard count', () => {
    for (const n of [1, 2, 3, 4, 7, 10, 64]) {
      const ranges = shardRanges(n);
      assert.equal(ranges.length, n);
      assert.equal(ranges[0]!.startingHashKey, 0n);
      assert.equal(ranges[n - 1]!.endingHashKey, HASH_KEY_SPACE - 1n);
      for (let i = 1; i < n; i++) assert.equal(ranges[i]!.startingHashKey, ranges[i - 1]!.endingHashKey + 1n);
    }
  });

  it('places keys in the shard whose range holds their hash', () => {
    // md5("a") starts 0x0c… → lowest quarter; md5("") starts 0xd4… → last quarter.
    assert.equal(shardIndexFor(hashKeyOf('a'), 4), 0);
    assert.equal(shardIndexFor(hashKeyOf(''), 4), 3);
    assert.equal(shardIndexFor(hashKeyOf(''), 2), 1);
    assert.equal(shardIndexFor(hashKeyOf('anything'), 1), 0);
    // boundaries
    assert.equal(shardIndexFor(170141183460469231731687303715884105727n, 2), 0);
    assert.equal(shardIndexFor(170141183460469231731687303715884105728n, 2), 1);
    assert.throws(() => shardIndexFor(HASH_KEY_SPACE, 2), RangeError);
  });

  it('spreads many keys over all shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardIndexFor(hashKeyOf(`key-${i}`), 4)]!++;
    for (const c of counts) assert.ok(c > 800 && c < 1200, `uneven spread ${counts.join(',')}`);
  });

  it('names shards with 12 digits', () => {
    assert.equal(shardIdOf(0), 'shardId-000000000000');
    assert.equal(shardIdOf(12), 'shardId-000000000012');
  });

  it('sequence numbers are 56 digits and strictly increase, even with a frozen or backwards clock', () => {
    const t = 1_763_856_000_000;
    const a = nextKinesisSequenceNumber(undefined, 1, t);
    assert.equal(a.toString().length, 56);
    assert.match(a.toString(), /^49/);
    const b = nextKinesisSequenceNumber(a, 1, t);
    assert.equal(b, a + 1n);
    const c = nextKinesisSequenceNumber(b, 1, t - 5000);
    assert.equal(c, b + 1n);
    const d = nextKinesisSequenceNumber(c, 1, t + 1);
    assert.ok(d > c);
    const ddb = nextDynamoDbSequenceNumber(undefined, t);
    assert.equal(ddb.toString().length, 21);
    assert.equal(nextDynamoDbSequenceNumber(ddb, t), ddb + 1n);
  });
});
