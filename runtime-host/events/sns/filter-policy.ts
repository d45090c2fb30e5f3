// SNS subscription filter policies, as Amazon SNS evaluates them: AND across keys, OR across the
// values of one key, `$or` for alternatives, operators prefix / suffix / equals-ignore-case /
// anything-but / numeric / exists / cidr, scope MessageAttributes (flat) or MessageBody (nested keys).
// Pure: no I/O. `validateFilterPolicy` rejects what SNS would reject at subscribe time.
import { UserError } from '../../runtime/types';
import { isRecord } from '../../util/values';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

export interface SnsMessageAttribute {
  Type: string;
  Value: string;
}

type Leaf = string | number | boolean | null;
type Condition = Leaf | Record<string, unknown>;
type Value = string | number | boolean | null;

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr']);
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

function invalid(message: string): never {
  throw new UserError(`Invalid filter policy: ${message}`, 'see "Amazon SNS message filtering" for the policy syntax');
}

/** Throws a UserError naming the first problem; SNS refuses such a subscription. */
export function validateFilterPolicy(policy: unknown, scope: FilterPolicyScope = 'MessageAttributes'): void {
  if (!isRecord(policy)) invalid('the policy must be a JSON object');
  validateLevel(policy, scope, 0, '');
}

function validateLevel(level: Record<string, unknown>, scope: FilterPolicyScope, depth: number, path: string): void {
  if (Object.keys(level).length === 0) invalid(`${path || 'the policy'} has no keys`);
  for (const [key, value] of Object.entries(level)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isRecord)) invalid(`"$or" must be an array of at least two objects`);
      for (const alt of value) validateLevel(alt as Record<string, unknown>, scope, depth, path);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) invalid(`"${where}" has an empty list of values`);
      for (const c of value) validateCondition(c, where);
    } else if (isRecord(value)) {
      if (scope === 'MessageAttributes') invalid(`"${where}": nested keys are only allowed with FilterPolicyScope MessageBody`);
      validateLevel(value, scope, depth + 1, where);
    } else {
      invalid(`"${where}" must be a list of values${scope === 'MessageBody' ? ' or a nested object' : ''}`);
    }
  }
}

function validateCondition(c: unknown, where: string): void {
  if (c === null || typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean') return;
  if (!isRecord(c)) invalid(`"${where}": a value must be a string, number, boolean, null or an operator object`);
  const keys = Object.keys(c);
  if (keys.length !== 1 || !OPERATORS.has(keys[0]!))
    invalid(`"${where}": unknown operator ${JSON.stringify(keys.join(','))} (allowed: ${[...OPERATORS].join(', ')})`);
  const op = keys[0]!;
  const arg = c[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string') invalid(`"${where}": ${op} takes a string`);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') invalid(`"${where}": exists takes true or false`);
      return;
    case 'cidr':
      if (typeof arg !== 'string' || !parseCidr(arg)) invalid(`"${where}": cidr takes an IPv4 CIDR block such as 10.0.0.0/24`);
      return;
    case 'numeric':
      parseNumeric(arg, where);
      return;
    case 'anything-but': {
      if (typeof arg === 'string' || typeof arg === 'number') return;
      if (Array.isArray(arg) && arg.length > 0 && arg.every((x) => typeof x === 'string' || typeof x === 'number')) return;
      if (isRecord(arg)) {
        const inner = Object.keys(arg);
        if (inner.length === 1 && (inner[0] === 'prefix' || inner[0] === 'suffix') && typeof arg[inner[0]] === 'string') return;
      }
      invalid(`"${where}": anything-but takes a value, a list of values, or {"prefix": …} / {"suffix": …}`);
    }
  }
}

interface NumericRange {
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
  equals?: number;
}

function parseNumeric(arg: unknown, where: string): NumericRange {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) invalid(`"${where}": numeric takes [op, number] or [">", a, "<", b]`);
  const range: NumericRange = {};
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPS.has(op) || typeof n !== 'number' || !Number.isFinite(n)) {
      invalid(`"${where}": numeric takes operators ${[...NUMERIC_OPS].join(' ')} followed by numbers`);
    }
    if (op === '=') {
      if (arg.length !== 2) invalid(`"${where}": "=" cannot be combined with a range`);
      range.equals = n;
    } else if (op === '>' || op === '>=') {
      if (range.lower) invalid(`"${where}": two lower bounds`);
      range.lower = { value: n, inclusive: op === '>=' };
    } else {
      if (range.upper) invalid(`"${where}": two upper bounds`);
      range.upper = { value: n, inclusive: op === '<=' };
    }
  }
  if (arg.length === 4 && (!range.lower || !range.upper || range.lower.value > range.upper.value)) {
    invalid(`"${where}": a numeric range needs a lower bound (> or >=) then an upper bound (< or <=) above it`);
  }
  return range;
}

function parseCidr(s: string): { base: number; mask: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ipv4(octets) & mask) >>> 0, mask };
}

function ipv4(octets: number[]): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  return octets.some((o) => o > 255) ? undefined : ipv4(octets);
}

/**
 * Message attributes as the filter sees them: String → string, Number → number, String.Array →
 * its elements; Binary attributes are not considered by SNS filtering.
 */
export function attributeValues(attributes: Record<string, SnsMessageAttribute> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    if (attr.Type === 'Number' || attr.Type.startsWith('Number.')) {
      const n = Number(attr.Value);
      out[name] = Number.isFinite(n) ? n : attr.Value;
    } else if (attr.Type === 'String.Array') {
      try {
        const parsed: unknown = JSON.parse(attr.Value);
        out[name] = Array.isArray(parsed) ? parsed : attr.Value;
      } catch {
        out[name] = attr.Value;
      }
    } else if (attr.Type === 'String' || attr.Type.startsWith('String.')) {
      out[name] = attr.Value;
    }
  }
  return out;
}

/**
 * Whether a message passes a subscription's filter policy. `message` is the raw message string
 * (parsed as JSON for MessageBody scope: a body that is not a JSON object never matches).
 */
export function matchesFilterPolicy(
  policy: unknown,
  scope: FilterPolicyScope,
  message: { body: string; attributes?: Record<string, SnsMessageAttribute> },
): boolean {
  if (policy === undefined || policy === null) return true;
  if (!isRecord(policy)) return false;
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      return false;
    }
    if (!isRecord(body)) return false;
    return matchLevel(policy, body);
  }
  return matchLevel(policy, attributeValues(message.attributes));
}

function matchLevel(level: Record<string, unknown>, data: Record<string, unknown>): boolean {
  for (const [key, spec] of Object.entries(level)) {
    if (key === '$or') {
      if (!(spec as Record<string, unknown>[]).some((alt) => matchLevel(alt, data))) return false;
      continue;
    }
    const value = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
    if (Array.isArray(spec)) {
      if (!matchKey(spec as Condition[], value)) return false;
    } else if (isRecord(spec)) {
      // Nested body keys: an array of objects matches when any element does.
      const candidates = Array.isArray(value) ? value.filter(isRecord) : isRecord(value) ? [value] : [];
      if (candidates.length === 0) {
        if (!matchLevel(spec, {})) return false;
      } else if (!candidates.some((c) => matchLevel(spec, c))) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchKey(conditions: Condition[], value: unknown): boolean {
  const present = value !== undefined;
  const leaves: Value[] = !present
    ? []
    : Array.isArray(value)
      ? (value.filter((v) => !isRecord(v) && !Array.isArray(v)) as Value[])
      : isRecord(value)
        ? []
        : [value as Value];
  return conditions.some((c) => {
    if (isRecord(c) && 'exists' in c) {
      // exists applies to leaf values only: an object-valued key is not a match for exists:true.
      return c.exists === true ? leaves.length > 0 : !present;
    }
    return leaves.some((v) => matchCondition(c, v));
  });
}

function matchCondition(c: Condition, v: Value): boolean {
  if (c === null) return v === null;
  if (typeof c === 'string') return typeof v === 'string' && v === c;
  if (typeof c === 'number') return typeof v === 'number' && v === c;
  if (typeof c === 'boolean') return v === c;
  const op = Object.keys(c)[0]!;
  const arg = c[op];
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && v.startsWith(arg as string);
    case 'suffix':
      return typeof v === 'string' && v.endsWith(arg as string);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === (arg as string).toLowerCase();
    case 'numeric': {
      if (typeof v !== 'number') return false;
      const r = parseNumeric(arg, '');
      if (r.equals !== undefined) return v === r.equals;
      if (r.lower && (r.lower.inclusive ? v < r.lower.value : v <= r.lower.value)) return false;
      if (r.upper && (r.upper.inclusive ? v > r.upper.value : v >= r.upper.value)) return false;
      return true;
    }
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const ip = parseIp(v);
      const block = parseCidr(arg as string);
      return ip !== undefined && block !== undefined && (ip & block.mask) >>> 0 === block.base;
    }
    case 'anything-but': {
      if (isRecord(arg)) {
        if (typeof v !== 'string') return false;
        if ('prefix' in arg) return !v.startsWith(arg.prefix as string);
        if ('suffix' in arg) return !v.endsWith(arg.suffix as string);
        return false;
      }
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => x === v);
    }
    default:
      return false;
  }
}
