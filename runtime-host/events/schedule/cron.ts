// AWS's schedule expressions as EventBridge rules and EventBridge Scheduler read them: `rate(N unit)`
// and the six-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)`. Pure: no clock, no I/O.
// Day-of-week counts 1-7 from Sunday (not cron's 0-6), and exactly one of the day fields is `?`.
import { UserError } from '../../runtime/types';

export type ScheduleExpression = RateExpression | CronExpression;

export interface RateExpression {
  kind: 'rate';
  periodMs: number;
}

export interface CronExpression {
  kind: 'cron';
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number>;
  days: DayRule;
}

type DayRule =
  | { field: 'month'; values: Set<number>; last: boolean; lastOffset: number; nearestWeekday: number[] }
  | { field: 'week'; values: Set<number>; lastOf?: number; nth?: { weekday: number; n: number } };

const HINT = 'See "Schedule expressions" in the EventBridge documentation: rate(5 minutes) or cron(0 10 * * ? *).';
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

function invalid(expression: string, why: string): UserError {
  return new UserError(`Invalid schedule expression "${expression}": ${why}.`, HINT);
}

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(expression, rate[1]!.trim());
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return parseCron(expression, cron[1]!.trim());
  throw invalid(expression, 'it must be rate(...) or cron(...)');
}

function parseRate(expression: string, body: string): RateExpression {
  const m = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) throw invalid(expression, 'a rate is "rate(value unit)" with unit minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value < 1) throw invalid(expression, 'the rate value must be a positive whole number');
  // AWS refuses "rate(1 minutes)" and "rate(5 minute)".
  const plural = unit.endsWith('s');
  if (value === 1 && plural) throw invalid(expression, `use the singular unit for 1 ("rate(1 ${unit.slice(0, -1)})")`);
  if (value > 1 && !plural) throw invalid(expression, `use the plural unit for values above 1 ("rate(${value} ${unit}s)")`);
  return { kind: 'rate', periodMs: value * UNIT_MS[unit.replace(/s$/, '')]! };
}

function parseCron(expression: string, body: string): CronExpression {
  const fields = body.split(/\s+/);
  if (fields.length !== 6) throw invalid(expression, `cron needs six fields (Minutes Hours Day-of-month Month Day-of-week Year), got ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  const fail = (why: string): UserError => invalid(expression, why);
  if ((dom === '?') === (dow === '?')) throw fail('exactly one of Day-of-month and Day-of-week must be "?"');
  const days: DayRule = dom === '?' ? parseDayOfWeek(dow, fail) : parseDayOfMonth(dom, fail);
  return {
    kind: 'cron',
    minutes: parseList(min, 0, 59, [], 'Minutes', fail),
    hours: parseList(hour, 0, 23, [], 'Hours', fail),
    months: parseList(month, 1, 12, MONTHS, 'Month', fail),
    years: parseList(year, MIN_YEAR, MAX_YEAR, [], 'Year', fail),
    days,
  };
}

/** `*`, `a`, `a-b`, `a/step`, `*\/step`, `a-b/step`, comma-separated; names map to min, min+1… */
function parseList(field: string, min: number, max: number, names: string[], label: string, fail: (why: string) => UserError): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw fail(`"${part}" is not valid in ${label}`);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (step < 1) throw fail(`the increment in "${part}" must be at least 1`);
    let from: number;
    let to: number;
    if (m[1] === '*') {
      if (m[2] !== undefined) throw fail(`"${part}" is not valid in ${label}`);
      from = min;
      to = max;
    } else {
      from = fieldValue(m[1]!, min, max, names, label, fail);
      // "5/15" runs from 5 to the end of the field; "5" alone is just 5.
      to = m[2] !== undefined ? fieldValue(m[2], min, max, names, label, fail) : m[3] !== undefined ? max : from;
    }
    if (to < from) throw fail(`the range "${part}" in ${label} runs backwards`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function fieldValue(token: string, min: number, max: number, names: string[], label: string, fail: (why: string) => UserError): number {
  const named = names.indexOf(token.toUpperCase());
  const value = named >= 0 ? min + named : /^\d+$/.test(token) ? Number(token) : NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    throw fail(`"${token}" is out of range for ${label} (${min}-${max}${names.length ? ` or ${names[0]}-${names[names.length - 1]}` : ''})`);
  return value;
}

function parseDayOfMonth(field: string, fail: (why: string) => UserError): DayRule {
  let last = false;
  let lastOffset = 0;
  const nearestWeekday: number[] = [];
  const plain: string[] = [];
  for (const part of field.split(',')) {
    const lastMatch = /^L(?:-(\d+))?$/i.exec(part);
    const weekday = /^(\d+)W$/i.exec(part);
    if (lastMatch) {
      last = true;
      lastOffset = lastMatch[1] === undefined ? 0 : Number(lastMatch[1]);
      if (lastOffset > 30) throw fail(`"${part}" is out of range for Day-of-month`);
    } else if (weekday) {
      const day = Number(weekday[1]);
      if (day < 1 || day > 31) throw fail(`"${part}" is out of range for Day-of-month (1-31)`);
      nearestWeekday.push(day);
    } else plain.push(part);
  }
  const values = plain.length ? parseList(plain.join(','), 1, 31, [], 'Day-of-month', fail) : new Set<number>();
  return { field: 'month', values, last, lastOffset, nearestWeekday };
}

function parseDayOfWeek(field: string, fail: (why: string) => UserError): DayRule {
  const nth = /^([A-Za-z0-9]+)#(\d)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw fail(`"${field}": the instance after # must be 1-5`);
    return { field: 'week', values: new Set(), nth: { weekday: fieldValue(nth[1]!, 1, 7, WEEKDAYS, 'Day-of-week', fail), n } };
  }
  if (field.includes('#')) throw fail('a Day-of-week with "#" must be a single expression (such as 3#2)');
  const lastOf = /^([A-Za-z0-9]*)L$/i.exec(field);
  // "L" alone is the last day of the week, Saturday; "6L" is the month's last Friday.
  if (lastOf) {
    if (lastOf[1] === '') return { field: 'week', values: new Set([7]) };
    return { field: 'week', values: new Set(), lastOf: fieldValue(lastOf[1]!, 1, 7, WEEKDAYS, 'Day-of-week', fail) };
  }
  return { field: 'week', values: parseList(field, 1, 7, WEEKDAYS, 'Day-of-week', fail) };
}

/** Does this day (a local calendar date) match the day rule? `weekday` is 1 (Sunday) to 7. */
function dayMatches(rule: DayRule, year: number, month: number, day: number, weekday: number): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (rule.field === 'month') {
    if (rule.values.has(day)) return true;
    if (rule.last && day === daysInMonth - rule.lastOffset) return true;
    return rule.nearestWeekday.some((target) => nearestWeekdayOf(year, month, Math.min(target, daysInMonth), daysInMonth) === day);
  }
  if (rule.nth) return weekday === rule.nth.weekday && Math.ceil(day / 7) === rule.nth.n;
  if (rule.lastOf !== undefined) return weekday === rule.lastOf && day + 7 > daysInMonth;
  return rule.values.has(weekday);
}

/** The weekday nearest `day` without leaving the month (1W on a Saturday is Monday the 3rd). */
function nearestWeekdayOf(year: number, month: number, day: number, daysInMonth: number): number {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday === 6) return day === 1 ? 3 : day - 1;
  if (weekday === 0) return day === daysInMonth ? day - 2 : day + 1;
  return day;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a UserError for a time zone Intl does not know (Scheduler takes IANA names). */
export function validateTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new UserError(`Unknown time zone "${timeZone}".`, 'ScheduleExpressionTimezone takes an IANA name such as "Europe/Paris" or "America/New_York".');
  }
}

function localTime(instantMs: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

/** The earliest instant showing this wall-clock minute in the zone, or undefined when a DST jump skips it. */
function instantOf(t: LocalTime, timeZone: string): number | undefined {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  const candidates = new Set<number>();
  // Offsets live within ±14h; probing either side of the wall time finds both offsets around a transition.
  for (const probe of [wall - 14 * 3_600_000, wall, wall + 14 * 3_600_000]) {
    const shown = localTime(probe, timeZone);
    const offset = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute) - Math.floor(probe / 60_000) * 60_000;
    candidates.add(wall - offset);
  }
  const matching = [...candidates].filter((c) => {
    const shown = localTime(c, timeZone);
    return shown.year === t.year && shown.month === t.month && shown.day === t.day && shown.hour === t.hour && shown.minute === t.minute;
  });
  return matching.length ? Math.min(...matching) : undefined;
}

/**
 * The first time strictly after `after` that the schedule fires. A rate fires every period from
 * `after` (the previous firing, or when the schedule was created). Undefined when a cron never
 * fires again (its years are over). Cron fields are read in `timeZone` (default UTC).
 */
export function nextFireTime(expression: string | ScheduleExpression, after: Date, timeZone = 'UTC'): Date | undefined {
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  if (parsed.kind === 'rate') return new Date(after.getTime() + parsed.periodMs);
  validateTimeZone(timeZone);
  const afterMs = after.getTime();
  const start = localTime(afterMs, timeZone);
  const years = [...parsed.years].sort((a, b) => a - b);
  const months = [...parsed.months].sort((a, b) => a - b);
  const hours = [...parsed.hours].sort((a, b) => a - b);
  const minutes = [...parsed.minutes].sort((a, b) => a - b);
  for (const year of years) {
    if (year < start.year) continue;
    for (const month of months) {
      if (year === start.year && month < start.month) continue;
      const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const firstDay = year === start.year && month === start.month ? start.day : 1;
      for (let day = firstDay; day <= daysInMonth; day++) {
        const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
        if (!dayMatches(parsed.days, year, month, day, weekday)) continue;
        const today = year === start.year && month === start.month && day === start.day;
        for (const hour of hours) {
          if (today && hour < start.hour) continue;
          for (const minute of minutes) {
            if (today && hour === start.hour && minute <= start.minute) continue;
            const instant = instantOf({ year, month, day, hour, minute }, timeZone);
            if (instant !== undefined && instant > afterMs) return new Date(instant);
          }
        }
      }
    }
  }
  return undefined;
}
