import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildS3Event,
  decodeS3EventKey,
  encodeS3EventKey,
  s3RequestIds,
  Sequencer,
  subscriptionMatches,
  validateBucketName,
  validateObjectKey,
  type S3Subscription,
} from '../../runtime-host/events/s3/s3-event';
import { UserError } from '../../runtime-host/runtime/types';
import { assertGolden } from '../helpers/golden';

const GOLDEN = join(__dirname, '..', 'fixtures', 'golden', 's3');

function golden(name: string, actual: unknown): void {
  assertGolden(join(GOLDEN, name), actual);
}

const fixed = {
  region: 'eu-west-1',
  configurationId: 'PhotoUpload',
  requestId: 'C3D13FE58DE4C810',
  hostId: 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
};

describe('S3 event shape', () => {
  it('ObjectCreated:Put matches the golden file field for field', () => {
    const content = Buffer.from('hello world\n');
    const event = buildS3Event(
      {
        eventName: 'ObjectCreated:Put',
        bucket: 'photos',
        key: 'uploads/My Cat (1).jpg',
        size: content.length,
        eTag: createHash('md5').update(content).digest('hex'),
        sequencer: '0062F5A1B2C3D4E5F6',
        eventTime: new Date('2026-11-23T01:02:03.456Z'),
      },
      fixed,
    );
    golden('put-event.json', event);
  });

  it('ObjectRemoved:Delete has no size or eTag', () => {
    const event = buildS3Event(
      { eventName: 'ObjectRemoved:Delete', bucket: 'photos', key: 'a/b.txt', sequencer: '0062F5A1B2C3D4E5F7', eventTime: new Date('2026-11-23T01:02:04.000Z') },
      fixed,
    );
    golden('delete-event.json', event);
    const object = (event.Records[0]!['s3'] as { object: Record<string, unknown> }).object;
    assert.deepEqual(Object.keys(object), ['key', 'sequencer']);
  });

  it('fresh request ids have S3 formats', () => {
    const ids = s3RequestIds();
    assert.match(ids.requestId, /^[0-9A-F]{16}$/);
    assert.match(ids.hostId, /^[A-Za-z0-9+/]{76}$/);
  });
});

describe('S3 key encoding', () => {
  const cases: [string, string][] = [
    ['HappyFace.jpg', 'HappyFace.jpg'],
    ['my file.txt', 'my+file.txt'],
    ['a/b/c.txt', 'a/b/c.txt'],
    ['year=2026/month=11/x.csv', 'year%3D2026/month%3D11/x.csv'],
    ['My Cat (1).jpg', 'My+Cat+%281%29.jpg'],
    ['plus+sign.txt', 'plus%2Bsign.txt'],
    ['café.txt', 'caf%C3%A9.txt'],
    ['a:b&c?d#e~f', 'a%3Ab%26c%3Fd%23e%7Ef'],
    ['star*_dash-dot.', 'star*_dash-dot.'],
  ];
  for (const [key, encoded] of cases) {
    it(`${JSON.stringify(key)} → ${encoded}`, () => {
      assert.equal(encodeS3EventKey(key), encoded);
      assert.equal(decodeS3EventKey(encoded), key);
    });
  }
});

describe('S3 subscription matching', () => {
  const sub = (over: Partial<S3Subscription>): S3Subscription => ({ type: 'S3', name: 'Ev', bucket: 'photos', events: ['s3:ObjectCreated:*'], ...over });
  const put = (key: string, bucket = 'photos') => ({ bucket, key, eventName: 'ObjectCreated:Put' as const });
  const del = (key: string) => ({ bucket: 'photos', key, eventName: 'ObjectRemoved:Delete' as const });

  it('bucket must match', () => {
    assert.equal(subscriptionMatches(sub({}), put('x.jpg')), true);
    assert.equal(subscriptionMatches(sub({}), put('x.jpg', 'other')), false);
  });

  it('event types: wildcard and exact', () => {
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectCreated:*'] }), del('x')), false);
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectRemoved:*'] }), del('x')), true);
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectRemoved:Delete'] }), del('x')), true);
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectCreated:Put'] }), put('x')), true);
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectCreated:Post'] }), put('x')), false);
    assert.equal(subscriptionMatches(sub({ events: ['s3:ObjectCreated:Copy', 's3:ObjectRemoved:*'] }), del('x')), true);
  });

  it('prefix and suffix rules, compared with the URL-encoded key', () => {
    const s = sub({ prefix: 'uploads/', suffix: '.jpg' });
    assert.equal(subscriptionMatches(s, put('uploads/a.jpg')), true);
    assert.equal(subscriptionMatches(s, put('uploads/a.png')), false);
    assert.equal(subscriptionMatches(s, put('other/a.jpg')), false);
    assert.equal(subscriptionMatches(sub({ prefix: 'my+folder/' }), put('my folder/a')), true);
    assert.equal(subscriptionMatches(sub({ prefix: 'my folder/' }), put('my folder/a')), false);
  });
});

describe('S3 names and keys', () => {
  it('bucket names', () => {
    for (const ok of ['abc', 'my-bucket.1', 'a'.repeat(63)]) validateBucketName(ok);
    for (const bad of ['ab', 'UPPER', '-start', 'end-', 'a..b', '192.168.1.1', 'a'.repeat(64), 'under_score']) {
      assert.throws(
        () => validateBucketName(bad),
        (e: unknown) => e instanceof UserError && e.code === 'InvalidBucketName',
        bad,
      );
    }
  });

  it('keys never escape the bucket folder', () => {
    for (const ok of ['a', 'a/b/c.txt', 'with space', '..hidden', 'a/.b']) validateObjectKey(ok);
    for (const bad of ['', '../x', 'a/../../x', '/abs', 'a//b', 'a/', './a', 'a\\b', 'nul\0']) {
      assert.throws(() => validateObjectKey(bad), UserError, JSON.stringify(bad));
    }
    assert.throws(
      () => validateObjectKey('k'.repeat(1025)),
      (e: unknown) => e instanceof UserError && e.code === 'KeyTooLong',
    );
  });

  it('sequencers are 18 upper-case hex digits and strictly increase', () => {
    const s = new Sequencer();
    const a = s.next(1_763_856_000_000);
    const b = s.next(1_763_856_000_000);
    const c = s.next(1_763_855_000_000);
    assert.match(a, /^[0-9A-F]{18}$/);
    assert.ok(a < b && b < c, `${a} ${b} ${c}`);
  });
});
