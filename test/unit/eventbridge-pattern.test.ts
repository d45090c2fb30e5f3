// Event patterns against the examples of the EventBridge user guide ("Creating event patterns",
// "Content filtering", "Matching on arrays") and event-ruler's documented semantics: each example
// event with the patterns that match it and the near misses that must not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileEventPattern, InvalidEventPatternError, matchesEventPattern } from '../../runtime-host/events/eventbridge/event-pattern';

const matches = (pattern: unknown, event: unknown) => matchesEventPattern(compileEventPattern(pattern), event);

// The user guide's EC2 state-change example event.
const ec2 = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

describe('event patterns: exact values, arrays and nesting', () => {
  it('matches exact values, AND across fields and OR within a field’s list', () => {
    assert.equal(
      matches({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['initializing', 'running'] } }, ec2),
      true,
    );
    assert.equal(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } }, ec2), false);
    assert.equal(matches({ source: ['aws.s3'], detail: { state: ['running'] } }, ec2), false);
    // Field names are case-sensitive; a field the event lacks never matches a value.
    assert.equal(matches({ Source: ['aws.ec2'] }, ec2), false);
    assert.equal(matches({ detail: { missing: ['x'] } }, ec2), false);
  });

  it('an array in the event matches when any element is in the pattern’s list', () => {
    // "Matching on arrays": resources holds three ARNs, the pattern lists others plus one of them.
    const event = { ...ec2, resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560e'] };
    assert.equal(
      matches({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560g'] }, event),
      true,
    );
    assert.equal(matches({ resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560g'] }, event), false);
  });

  it('types must agree: a number matches numbers (300 is 3.0e2), a string strings, null and booleans themselves', () => {
    assert.equal(matches({ detail: { n: [300] } }, { detail: { n: 3.0e2 } }), true);
    assert.equal(matches({ detail: { n: [300] } }, { detail: { n: '300' } }), false);
    assert.equal(matches({ detail: { n: ['300'] } }, { detail: { n: 300 } }), false);
    assert.equal(matches({ detail: { b: [true] } }, { detail: { b: true } }), true);
    assert.equal(matches({ detail: { b: ['true'] } }, { detail: { b: true } }), false);
    // "Empty values": "" and null are values like any other.
    const autoscaling = { source: 'aws.autoscaling', detail: { eventVersion: '', responseElements: null } };
    assert.equal(matches({ detail: { eventVersion: [''], responseElements: [null] } }, autoscaling), true);
    assert.equal(matches({ detail: { responseElements: [''] } }, autoscaling), false);
  });

  it('fields of objects inside one array must come from the same element', () => {
    const event = {
      detail: {
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      },
    };
    assert.equal(matches({ detail: { employees: { firstName: ['Anna'] } } }, event), true);
    assert.equal(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, event), true);
    assert.equal(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, event), false);
  });
});

describe('event patterns: content filters', () => {
  it('prefix, suffix and equals-ignore-case (plain and with prefix / suffix)', () => {
    assert.equal(matches({ time: [{ prefix: '2017-10-02' }] }, ec2), true);
    assert.equal(matches({ time: [{ prefix: '2017-10-03' }] }, ec2), false);
    assert.equal(matches({ source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, { source: 'aws.autoscaling', region: 'eu-west-1' }), true);
    assert.equal(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventbridge' } }), true);
    assert.equal(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }), true);
    assert.equal(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' }), false);
    assert.equal(matches({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'image.PNG' } }), true);
    assert.equal(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2), true);
    // Only strings: a number never has a prefix.
    assert.equal(matches({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2), false);
  });

  it('anything-but: a value, a list, prefix, suffix, equals-ignore-case and wildcard; never a missing field', () => {
    assert.equal(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2), true);
    assert.equal(matches({ detail: { state: [{ 'anything-but': 'running' }] } }, ec2), false);
    assert.equal(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2), true);
    assert.equal(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2), true);
    assert.equal(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 301.8] }] } }, ec2), false);
    assert.equal(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2), true);
    assert.equal(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, ec2), false);
    assert.equal(matches({ detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, { detail: { FileName: 'notes.txt' } }), false);
    assert.equal(
      matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, { detail: { state: 'STOPPED' } }),
      false,
    );
    assert.equal(matches({ detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, { detail: { FilePath: 'dir/lib/file' } }), false);
    assert.equal(matches({ detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, { detail: { FilePath: 'dir/bin/file' } }), true);
    assert.equal(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: {} }), false);
    // Every value it does not exclude matches, null and other types included.
    assert.equal(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: null } }), true);
    // An array matches when any element is not excluded.
    assert.equal(matches({ detail: { state: [{ 'anything-but': 'a' }] } }, { detail: { state: ['a', 'b'] } }), true);
  });

  it('numeric ranges and equality, on JSON numbers only', () => {
    assert.equal(
      matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ec2),
      true,
    );
    assert.equal(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, ec2), false);
    assert.equal(matches({ detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, ec2), true);
    assert.equal(matches({ number: [{ numeric: ['>', 100] }] }, { number: 101.0 }), true);
    assert.equal(matches({ number: [{ numeric: ['>', 100] }] }, { number: '101' }), false);
  });

  it('cidr for IPv4 and IPv6 addresses', () => {
    assert.equal(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2), true);
    assert.equal(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2), false);
    assert.equal(matches({ detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } }, { detail: { sourceIPAddress: '2001:db8::2a' } }), true);
    assert.equal(matches({ detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } }, { detail: { sourceIPAddress: '2001:db9::2a' } }), false);
    assert.equal(matches({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: 123 } }), false);
  });

  it('exists true and false, on leaf values only', () => {
    assert.equal(matches({ detail: { state: [{ exists: true }] } }, ec2), true);
    assert.equal(matches({ detail: { state: [{ exists: false }] } }, ec2), false);
    assert.equal(matches({ detail: { 'c-count': [{ exists: false }] } }, { detail: { state: 'x', 'c-count': { c1: 100 } } }), true);
    assert.equal(matches({ resources: [{ exists: true }] }, { resources: [] }), false);
    assert.equal(matches({ detail: { state: [{ exists: true }] } }, { detail: { state: null } }), true);
  });

  it('wildcard: * for any run of characters, \\* for an asterisk', () => {
    const bus = { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' };
    assert.equal(matches({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, bus), true);
    assert.equal(matches({ EventBusArn: [{ wildcard: 'arn:aws:events:eu-*:*:event-bus/*' }] }, bus), false);
    assert.equal(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' }), true);
    assert.equal(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' }), false);
  });

  it('$or: any alternative, nested, alongside other fields', () => {
    const or = {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] },
    };
    assert.equal(matches(or, ec2), true);
    assert.equal(matches(or, { detail: { 'c-count': 9, 'd-count': 10, 'x-limit': 1 } }), false);
    const nested = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }],
    };
    assert.equal(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }), true);
    assert.equal(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 }), false);
    assert.equal(matches(nested, { source: 'aws.ec2', metricName: 'CPUUtilization' }), false);
  });
});

describe('event patterns: what PutRule refuses', () => {
  const refused = (pattern: unknown, reason: RegExp) =>
    assert.throws(
      () => compileEventPattern(pattern),
      (err: unknown) => err instanceof InvalidEventPatternError && /^Event pattern is not valid\. Reason: /.test(err.message) && reason.test(err.reason),
    );

  it('names the reason as EventBridge does', () => {
    refused('{"source": ', /not valid JSON/);
    refused([], /Filter is not an object/);
    refused({}, /Empty objects are not allowed/);
    refused({ source: 'aws.ec2' }, /"source" must be an object or an array/);
    refused({ source: [] }, /Empty arrays are not allowed/);
    refused({ source: [{ Prefix: 'a' }] }, /Unrecognized match type Prefix/);
    refused({ n: [{ numeric: ['>', 0, '>', 5] }] }, /Bad numeric range operator: >/);
    refused({ n: [{ numeric: 10 }] }, /Value of numeric must be an array/);
    refused({ n: [{ numeric: ['>', 5, '<', 1] }] }, /Bottom must be less than top/);
    refused({ s: [{ 'anything-but': null }] }, /Value of anything-but must be an array or single string\/number value/);
    refused({ s: [{ 'anything-but': ['a', 1] }] }, /mixed type is not supported/);
    refused({ s: [{ 'anything-but': { prefix: '' } }] }, /Null prefix\/suffix not allowed/);
    refused({ s: [{ 'equals-ignore-case': ['a'] }] }, /equals-ignore-case match pattern must be a string/);
    refused({ s: [{ wildcard: 'a**b' }] }, /Consecutive wildcard characters/);
    refused({ ip: [{ cidr: '10.0.0.0/33' }] }, /Nonstandard IP address/);
    refused({ s: [{ exists: 'yes' }] }, /exists match pattern must be either true or false/);
    refused({ $or: [{ a: [1] }] }, /at least 2 Objects in \$or/);
    refused({ $or: [{ prefix: [1] }, { b: [2] }] }, /prefix is Ruler reserved fieldName/);
  });

  it('takes the pattern as JSON text, as PutRule and CloudFormation give it', () => {
    assert.equal(matchesEventPattern(compileEventPattern('{"source":["aws.ec2"]}'), ec2), true);
  });
});
