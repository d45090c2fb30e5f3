import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFireTime, parseScheduleExpression } from '../../runtime-host/events/schedule/cron';
import { UserError } from '../../runtime-host/runtime/types';

/** The next `count` firings after `from`, as ISO strings. */
function firings(expression: string, from: string, count: number, timeZone?: string): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(expression, at, timeZone);
    if (!next) break;
    out.push(next.toISOString());
    at = next;
  }
  return out;
}

// 2026-12-02 is a Wednesday.
const WED = '2026-12-02T06:40:00.000Z';

describe('schedule expressions: the EventBridge documentation examples', () => {
  it('cron(0 10 * * ? *): 10:00 UTC every day', () => {
    assert.deepEqual(firings('cron(0 10 * * ? *)', WED, 2), ['2026-12-02T10:00:00.000Z', '2026-12-03T10:00:00.000Z']);
  });

  it('cron(15 12 * * ? *): 12:15 UTC every day', () => {
    assert.deepEqual(firings('cron(15 12 * * ? *)', WED, 1), ['2026-12-02T12:15:00.000Z']);
  });

  it('cron(0 18 ? * MON-FRI *): 18:00 UTC every weekday', () => {
    assert.deepEqual(firings('cron(0 18 ? * MON-FRI *)', WED, 4), [
      '2026-12-02T18:00:00.000Z',
      '2026-12-03T18:00:00.000Z',
      '2026-12-04T18:00:00.000Z',
      '2026-12-07T18:00:00.000Z',
    ]);
  });

  it('cron(0 8 1 * ? *): 08:00 UTC on the first day of every month', () => {
    assert.deepEqual(firings('cron(0 8 1 * ? *)', WED, 2), ['2027-01-01T08:00:00.000Z', '2027-02-01T08:00:00.000Z']);
  });

  it('cron(0/15 * * * ? *): every 15 minutes', () => {
    assert.deepEqual(firings('cron(0/15 * * * ? *)', WED, 3), ['2026-12-02T06:45:00.000Z', '2026-12-02T07:00:00.000Z', '2026-12-02T07:15:00.000Z']);
  });

  it('cron(0/10 * ? * MON-FRI *): every 10 minutes, Monday to Friday', () => {
    assert.deepEqual(firings('cron(0/10 * ? * MON-FRI *)', '2026-12-04T23:45:00.000Z', 2), ['2026-12-04T23:50:00.000Z', '2026-12-07T00:00:00.000Z']);
  });

  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes from 08:00 to 17:55, weekdays', () => {
    assert.deepEqual(firings('cron(0/5 8-17 ? * MON-FRI *)', '2026-12-02T17:50:00.000Z', 2), ['2026-12-02T17:55:00.000Z', '2026-12-03T08:00:00.000Z']);
  });

  it('cron(0 9 ? * 2#1 *): 09:00 on the first Monday of every month', () => {
    assert.deepEqual(firings('cron(0 9 ? * 2#1 *)', WED, 2), ['2026-12-07T09:00:00.000Z', '2027-01-04T09:00:00.000Z']);
  });

  it('1/10 in Minutes is the 1st, 11th, 21st… minute', () => {
    assert.deepEqual(firings('cron(1/10 * * * ? *)', WED, 3), ['2026-12-02T06:41:00.000Z', '2026-12-02T06:51:00.000Z', '2026-12-02T07:01:00.000Z']);
  });

  it('3#2 is the second Tuesday (day-of-week counts from Sunday = 1)', () => {
    assert.deepEqual(firings('cron(0 0 ? * 3#2 *)', WED, 2), ['2026-12-08T00:00:00.000Z', '2027-01-12T00:00:00.000Z']);
  });

  it('day names, month names, lists and ranges', () => {
    assert.deepEqual(firings('cron(30 6 ? JAN,MAR SUN *)', WED, 2), ['2027-01-03T06:30:00.000Z', '2027-01-10T06:30:00.000Z']);
    assert.deepEqual(firings('cron(0 0 ? * 1 *)', WED, 1), ['2026-12-06T00:00:00.000Z']);
    assert.deepEqual(firings('cron(0 0 10-11 FEB-MAR ? *)', WED, 3), ['2027-02-10T00:00:00.000Z', '2027-02-11T00:00:00.000Z', '2027-03-10T00:00:00.000Z']);
  });

  it('L in Day-of-month: the last day of the month (leap years included)', () => {
    assert.deepEqual(firings('cron(0 12 L * ? *)', '2027-12-31T13:00:00.000Z', 3), [
      '2028-01-31T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
      '2028-03-31T12:00:00.000Z',
    ]);
  });

  it('6L in Day-of-week: the last Friday of the month; L alone is Saturday', () => {
    assert.deepEqual(firings('cron(0 0 ? * 6L *)', WED, 2), ['2026-12-25T00:00:00.000Z', '2027-01-29T00:00:00.000Z']);
    assert.deepEqual(firings('cron(0 0 ? * L *)', WED, 1), ['2026-12-05T00:00:00.000Z']);
  });

  it('3W: the weekday nearest the 3rd, never leaving the month', () => {
    // 2026-12-03 is a Thursday; 2027-01-03 a Sunday → Monday the 4th; 2027-04-03 a Saturday → Friday the 2nd.
    assert.deepEqual(firings('cron(0 0 3W * ? *)', WED, 2), ['2026-12-03T00:00:00.000Z', '2027-01-04T00:00:00.000Z']);
    assert.deepEqual(firings('cron(0 0 3W * ? *)', '2027-03-31T00:00:00.000Z', 1), ['2027-04-02T00:00:00.000Z']);
    // 2027-05-01 is a Saturday: 1W moves forward to Monday the 3rd, not back into April.
    assert.deepEqual(firings('cron(0 0 1W * ? *)', '2027-04-30T00:00:00.000Z', 1), ['2027-05-03T00:00:00.000Z']);
  });

  it('the Year field bounds the schedule; a finished schedule has no next fire time', () => {
    assert.deepEqual(firings('cron(0 0 1 1 ? 2027-2028)', WED, 3), ['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']);
    assert.equal(nextFireTime('cron(0 0 1 1 ? 2020)', new Date(WED)), undefined);
  });

  it('time zones (Scheduler): cron fields read in the zone, across daylight saving', () => {
    // 09:00 in New York is 14:00Z in winter (EST) and 13:00Z in summer (EDT, from 2027-03-14).
    assert.deepEqual(firings('cron(0 9 * * ? *)', '2027-03-12T15:00:00.000Z', 3, 'America/New_York'), [
      '2027-03-13T14:00:00.000Z',
      '2027-03-14T13:00:00.000Z',
      '2027-03-15T13:00:00.000Z',
    ]);
    assert.deepEqual(firings('cron(30 8 ? * MON *)', WED, 1, 'Asia/Kolkata'), ['2026-12-07T03:00:00.000Z']);
    // 02:30 does not exist in New York on 2027-03-14: that day is skipped.
    assert.deepEqual(firings('cron(30 2 * * ? *)', '2027-03-13T12:00:00.000Z', 2, 'America/New_York'), [
      '2027-03-15T06:30:00.000Z',
      '2027-03-16T06:30:00.000Z',
    ]);
  });

  it('rate(): every period from the previous firing', () => {
    assert.deepEqual(firings('rate(1 minute)', WED, 2), ['2026-12-02T06:41:00.000Z', '2026-12-02T06:42:00.000Z']);
    assert.deepEqual(firings('rate(5 minutes)', WED, 1), ['2026-12-02T06:45:00.000Z']);
    assert.deepEqual(firings('rate(1 hour)', WED, 1), ['2026-12-02T07:40:00.000Z']);
    assert.deepEqual(firings('rate(12 hours)', WED, 1), ['2026-12-02T18:40:00.000Z']);
    assert.deepEqual(firings('rate(7 days)', WED, 1), ['2026-12-09T06:40:00.000Z']);
  });
});

describe('schedule expressions: what AWS refuses', () => {
  const refused = [
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(5 seconds)',
    'rate(minutes)',
    'cron(0 10 * * * *)',
    'cron(0 10 ? * ? *)',
    'cron(0 10 * * ?)',
    'cron(60 10 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 0 32 * ? *)',
    'cron(0 0 ? * 8 *)',
    'cron(0 0 ? * 3#1,6#3 *)',
    'cron(0 0 ? * 3#6 *)',
    'cron(0 0 * FOO ? *)',
    'cron(0 0 * * ? 1969)',
    'cron(0 0 20-10 * ? *)',
    'every 5 minutes',
  ];
  for (const expression of refused) {
    it(expression, () => {
      assert.throws(
        () => parseScheduleExpression(expression),
        (err: unknown) => err instanceof UserError && err.message.includes(expression) && typeof err.hint === 'string',
      );
    });
  }

  it('an unknown time zone is a UserError', () => {
    assert.throws(() => nextFireTime('cron(0 0 * * ? *)', new Date(WED), 'Mars/Olympus'), UserError);
  });
});
