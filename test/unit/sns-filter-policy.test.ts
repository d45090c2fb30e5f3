import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeValues, matchesFilterPolicy, validateFilterPolicy, type SnsMessageAttribute } from '../../runtime-host/events/sns/filter-policy';
import { UserError } from '../../runtime-host/runtime/types';

function attrs(spec: Record<string, string | number | string[]>): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (typeof v === 'number') out[k] = { Type: 'Number', Value: String(v) };
    else if (Array.isArray(v)) out[k] = { Type: 'String.Array', Value: JSON.stringify(v) };
    else out[k] = { Type: 'String', Value: v };
  }
  return out;
}

const byAttrs = (policy: unknown, a: Record<string, string | number | string[]>) =>
  matchesFilterPolicy(policy, 'MessageAttributes', { body: 'hello', attributes: attrs(a) });
const byBody = (policy: unknown, body: unknown) => matchesFilterPolicy(policy, 'MessageBody', { body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('SNS filter policy: MessageAttributes scope', () => {
  it('exact string match, OR across values', () => {
    const p = { store: ['example_corp', 'other_corp'] };
    assert.equal(byAttrs(p, { store: 'example_corp' }), true);
    assert.equal(byAttrs(p, { store: 'other_corp' }), true);
    assert.equal(byAttrs(p, { store: 'Example_corp' }), false);
    assert.equal(byAttrs(p, {}), false);
  });

  it('AND across keys', () => {
    const p = { store: ['example_corp'], event: ['order_placed'] };
    assert.equal(byAttrs(p, { store: 'example_corp', event: 'order_placed' }), true);
    assert.equal(byAttrs(p, { store: 'example_corp', event: 'order_cancelled' }), false);
    assert.equal(byAttrs(p, { store: 'example_corp' }), false);
  });

  it('no policy matches everything', () => {
    assert.equal(matchesFilterPolicy(undefined, 'MessageAttributes', { body: 'x' }), true);
  });

  it('prefix and suffix', () => {
    assert.equal(byAttrs({ customer: [{ prefix: 'bin' }] }, { customer: 'binary' }), true);
    assert.equal(byAttrs({ customer: [{ prefix: 'bin' }] }, { customer: 'cabin' }), false);
    assert.equal(byAttrs({ image: [{ suffix: '.png' }] }, { image: 'cat.png' }), true);
    assert.equal(byAttrs({ image: [{ suffix: '.png' }] }, { image: 'cat.png.jpg' }), false);
  });

  it('equals-ignore-case', () => {
    assert.equal(byAttrs({ color: [{ 'equals-ignore-case': 'RED' }] }, { color: 'rEd' }), true);
    assert.equal(byAttrs({ color: [{ 'equals-ignore-case': 'RED' }] }, { color: 'reds' }), false);
  });

  it('anything-but: single value, list, numbers and prefix/suffix; requires presence', () => {
    assert.equal(byAttrs({ store: [{ 'anything-but': 'example_corp' }] }, { store: 'other' }), true);
    assert.equal(byAttrs({ store: [{ 'anything-but': 'example_corp' }] }, { store: 'example_corp' }), false);
    assert.equal(byAttrs({ store: [{ 'anything-but': ['a', 'b'] }] }, { store: 'b' }), false);
    assert.equal(byAttrs({ store: [{ 'anything-but': ['a', 'b'] }] }, { store: 'c' }), true);
    assert.equal(byAttrs({ store: [{ 'anything-but': ['a', 'b'] }] }, {}), false);
    assert.equal(byAttrs({ price: [{ 'anything-but': [100, 200] }] }, { price: 100 }), false);
    assert.equal(byAttrs({ price: [{ 'anything-but': [100, 200] }] }, { price: 150 }), true);
    assert.equal(byAttrs({ event: [{ 'anything-but': { prefix: 'order-' } }] }, { event: 'order-cancelled' }), false);
    assert.equal(byAttrs({ event: [{ 'anything-but': { prefix: 'order-' } }] }, { event: 'refund' }), true);
    assert.equal(byAttrs({ file: [{ 'anything-but': { suffix: '.tmp' } }] }, { file: 'a.tmp' }), false);
    assert.equal(byAttrs({ file: [{ 'anything-but': { suffix: '.tmp' } }] }, { file: 'a.txt' }), true);
  });

  it('numeric: equals and every comparison, ranges with inclusive/exclusive bounds', () => {
    assert.equal(byAttrs({ price: [{ numeric: ['=', 301.5] }] }, { price: 301.5 }), true);
    assert.equal(byAttrs({ price: [{ numeric: ['=', 301.5] }] }, { price: 301.6 }), false);
    assert.equal(byAttrs({ price: [{ numeric: ['<', 0] }] }, { price: -1 }), true);
    assert.equal(byAttrs({ price: [{ numeric: ['<', 0] }] }, { price: 0 }), false);
    assert.equal(byAttrs({ price: [{ numeric: ['<=', 0] }] }, { price: 0 }), true);
    assert.equal(byAttrs({ price: [{ numeric: ['>', 10] }] }, { price: 10 }), false);
    assert.equal(byAttrs({ price: [{ numeric: ['>=', 10] }] }, { price: 10 }), true);
    const range = { price: [{ numeric: ['>', 0, '<=', 150] }] };
    assert.equal(byAttrs(range, { price: 0 }), false);
    assert.equal(byAttrs(range, { price: 0.01 }), true);
    assert.equal(byAttrs(range, { price: 150 }), true);
    assert.equal(byAttrs(range, { price: 150.01 }), false);
    // Numeric conditions apply to Number attributes only, not to numeric-looking strings.
    assert.equal(byAttrs(range, { price: '100' }), false);
  });

  it('a bare number matches a Number attribute exactly, not a String one', () => {
    assert.equal(byAttrs({ code: [404] }, { code: 404 }), true);
    assert.equal(byAttrs({ code: [404] }, { code: '404' }), false);
    assert.equal(byAttrs({ code: ['404'] }, { code: 404 }), false);
  });

  it('exists true/false', () => {
    assert.equal(byAttrs({ store: [{ exists: true }] }, { store: 'x' }), true);
    assert.equal(byAttrs({ store: [{ exists: true }] }, {}), false);
    assert.equal(byAttrs({ store: [{ exists: false }] }, {}), true);
    assert.equal(byAttrs({ store: [{ exists: false }] }, { store: 'x' }), false);
  });

  it('String.Array matches when any element matches', () => {
    assert.equal(byAttrs({ interests: ['rugby'] }, { interests: ['football', 'rugby'] }), true);
    assert.equal(byAttrs({ interests: ['tennis'] }, { interests: ['football', 'rugby'] }), false);
  });

  it('Binary attributes are ignored', () => {
    const a = { blob: { Type: 'Binary', Value: 'AAEC' } };
    assert.deepEqual(attributeValues(a), {});
    assert.equal(matchesFilterPolicy({ blob: [{ exists: true }] }, 'MessageAttributes', { body: '', attributes: a }), false);
  });

  it('cidr', () => {
    assert.equal(byAttrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }), true);
    assert.equal(byAttrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' }), false);
  });

  it('$or combines with the other keys by AND', () => {
    const p = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] };
    assert.equal(byAttrs(p, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' }), true);
    assert.equal(byAttrs(p, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }), true);
    assert.equal(byAttrs(p, { source: 'aws.cloudwatch', namespace: 'AWS/RDS' }), false);
    assert.equal(byAttrs(p, { source: 'other', metricName: 'CPUUtilization' }), false);
  });
});

describe('SNS filter policy: MessageBody scope', () => {
  it('nested keys', () => {
    const p = { store: { city: ['Seattle'], type: [{ prefix: 'retail' }] } };
    assert.equal(byBody(p, { store: { city: 'Seattle', type: 'retail-outlet' } }), true);
    assert.equal(byBody(p, { store: { city: 'Boston', type: 'retail-outlet' } }), false);
    assert.equal(byBody(p, { store: 'Seattle' }), false);
  });

  it('arrays in the body: any element', () => {
    assert.equal(byBody({ tags: ['b'] }, { tags: ['a', 'b'] }), true);
    assert.equal(byBody({ items: { sku: ['x1'] } }, { items: [{ sku: 'y' }, { sku: 'x1' }] }), true);
    assert.equal(byBody({ items: { sku: ['x1'] } }, { items: [{ sku: 'y' }] }), false);
  });

  it('numbers, booleans and null in the body', () => {
    assert.equal(byBody({ price: [{ numeric: ['>=', 10] }] }, { price: 10 }), true);
    assert.equal(byBody({ price: [{ numeric: ['>=', 10] }] }, { price: '10' }), false);
    assert.equal(byBody({ paid: [true] }, { paid: true }), true);
    assert.equal(byBody({ paid: [true] }, { paid: false }), false);
    assert.equal(byBody({ note: [null] }, { note: null }), true);
    assert.equal(byBody({ note: [null] }, { note: 'x' }), false);
  });

  it('exists in nested keys, including an absent parent', () => {
    assert.equal(byBody({ a: { b: [{ exists: false }] } }, { c: 1 }), true);
    assert.equal(byBody({ a: { b: [{ exists: true }] } }, { a: { b: 1 } }), true);
    assert.equal(byBody({ a: { b: [{ exists: true }] } }, { a: {} }), false);
  });

  it('nested $or', () => {
    const p = { order: { $or: [{ status: ['paid'] }, { total: [{ numeric: ['>', 100] }] }] } };
    assert.equal(byBody(p, { order: { status: 'paid', total: 5 } }), true);
    assert.equal(byBody(p, { order: { status: 'open', total: 500 } }), true);
    assert.equal(byBody(p, { order: { status: 'open', total: 5 } }), false);
  });

  it('a body that is not a JSON object never matches', () => {
    assert.equal(byBody({ a: ['x'] }, 'plain text'), false);
    assert.equal(byBody({ a: ['x'] }, '["x"]'), false);
  });
});

describe('SNS filter policy validation', () => {
  const bad: [unknown, 'MessageAttributes' | 'MessageBody', RegExp][] = [
    [[], 'MessageAttributes', /must be a JSON object/],
    [{ a: [] }, 'MessageAttributes', /"a" has an empty list of values/],
    [{ a: 'x' }, 'MessageAttributes', /"a" must be a list of values$/],
    [{ a: { b: ['x'] } }, 'MessageAttributes', /nested keys are only allowed with FilterPolicyScope MessageBody/],
    [{ a: [{ contains: 'x' }] }, 'MessageAttributes', /unknown operator "contains"/],
    [{ a: [{ numeric: ['>', 10, '<', 5] }] }, 'MessageAttributes', /needs a lower bound/],
    [{ a: [{ numeric: ['~', 10] }] }, 'MessageAttributes', /numeric takes operators/],
    [{ a: [{ exists: 'yes' }] }, 'MessageAttributes', /exists takes true or false/],
    [{ $or: [{ a: ['x'] }] }, 'MessageAttributes', /"\$or" must be an array of at least two objects/],
    [{ a: [{ 'anything-but': { contains: 'x' } }] }, 'MessageBody', /anything-but takes/],
  ];
  for (const [policy, scope, message] of bad) {
    it(`rejects ${JSON.stringify(policy)} (${scope})`, () => {
      assert.throws(
        () => validateFilterPolicy(policy, scope),
        (err: unknown) => err instanceof UserError && /^Invalid filter policy: /.test(err.message) && message.test(err.message),
      );
    });
  }

  it('accepts a policy using every operator', () => {
    validateFilterPolicy(
      {
        a: ['x', 1, { prefix: 'p' }, { suffix: 's' }, { 'equals-ignore-case': 'E' }, { 'anything-but': ['q'] }],
        b: [{ numeric: ['>=', 0, '<', 10] }, { exists: false }, { cidr: '192.168.0.0/16' }],
        $or: [{ c: ['1'] }, { d: ['2'] }],
      },
      'MessageAttributes',
    );
  });
});
