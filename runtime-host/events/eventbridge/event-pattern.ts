// EventBridge event patterns, read and matched the way EventBridge's engine (aws/event-ruler) does:
// a pattern compiles to a list of sub-rules (one per `$or` alternative, Ruler's "or" form), each a map
// from a dotted field path to the values that match there; a sub-rule matches when every path matches,
// an event matches when any sub-rule does. Within a path the values are OR'd: exact strings, numbers,
// true/false/null, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but` (a value, a
// list, or its prefix / suffix / equals-ignore-case / wildcard forms), `numeric` ranges, `cidr`
// (IPv4 and IPv6) and `exists`. An array in the event matches when any element does, and two fields
// taken from objects inside the same array must come from the same element (Ruler's "array
// consistency"). Pure: no I/O. `compileEventPattern` rejects what PutRule would reject, with Ruler's
// reason, as `InvalidEventPatternException`.
import { UserError } from '../../runtime/types';
import { isRecord } from '../../util/values';

/** What EventBridge answers for a pattern it refuses: `InvalidEventPatternException`, "Event pattern is not valid. Reason: …". */
export class InvalidEventPatternError extends UserError {
  constructor(readonly reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`, 'see "Amazon EventBridge event patterns" for the syntax', 'InvalidParameter');
  }
}

/** One event leaf value, typed as JSON typed it. */
type Leaf = string | number | boolean | null;

/** Where a leaf sits inside the event's arrays: [array id, element index] from the outermost array in. */
type Membership = readonly (readonly [number, number])[];

interface EventLeaf {
  value: Leaf;
  membership: Membership;
}

type ValueMatcher =
  | { kind: 'exact-string'; value: string; ip?: IpAddress }
  | { kind: 'exact-number'; value: number }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; value: RegExp }
  | { kind: 'numeric'; lower?: Bound; upper?: Bound; equals?: number }
  | { kind: 'cidr'; range: IpRange }
  | { kind: 'exists'; value: boolean }
  | { kind: 'anything-but'; strings: Set<string>; numbers: number[] }
  | { kind: 'anything-but-prefix'; values: string[] }
  | { kind: 'anything-but-suffix'; values: string[] }
  | { kind: 'anything-but-ignore-case'; values: string[] }
  | { kind: 'anything-but-wildcard'; values: RegExp[] };

interface Bound {
  value: number;
  open: boolean;
}

interface FieldRule {
  matchers: ValueMatcher[];
  /** `{"exists": false}` is one of the alternatives: the path may be absent. */
  absent: boolean;
}

/** A compiled pattern: match with `matchesEventPattern`. */
export interface EventPattern {
  /** Sub-rules (OR), each a field path → its values (AND across paths), paths in Ruler's order (sorted). */
  readonly subRules: readonly (readonly [string, FieldRule][])[];
}

/** Field names Ruler reserves: none may be a field name inside a `$or` alternative. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function fail(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

/**
 * Compiles a pattern given as JSON text (PutRule's EventPattern) or as the object a template holds.
 * Throws InvalidEventPatternError with Ruler's reason for anything PutRule refuses.
 */
export function compileEventPattern(pattern: unknown): EventPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern) as unknown;
    } catch (err) {
      fail(`Filter is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isRecord(value)) fail('Filter is not an object');
  const rules: Map<string, FieldRule>[] = [];
  parseObject(rules, [], value, false);
  return {
    subRules: rules.map((rule) => [...rule.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

function parseObject(rules: Map<string, FieldRule>[], path: string[], object: Record<string, unknown>, insideOr: boolean): void {
  const keys = Object.keys(object);
  if (keys.length === 0) fail('Empty objects are not allowed');
  for (const key of keys) {
    const value = object[key];
    if (key === '$or') {
      parseOr(rules, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (isRecord(value)) parseObject(rules, [...path, key], value, insideOr);
    else if (Array.isArray(value)) writeRule(rules, [...path, key].join('.'), value);
    else fail(`"${key}" must be an object or an array`);
  }
}

/** `$or`: every rule so far is copied once per alternative, each copy extended by that alternative. */
function parseOr(rules: Map<string, FieldRule>[], path: string[], alternatives: unknown): void {
  if (!Array.isArray(alternatives)) fail('It must be an Array followed with $or.');
  const current = rules.map((r) => new Map(r));
  rules.length = 0;
  for (const alternative of alternatives) {
    if (!isRecord(alternative)) fail('Only JSON object is allowed in array of $or relationship.');
    const copies = current.map((r) => new Map(r));
    if (copies.length === 0) copies.push(new Map());
    parseObject(copies, path, alternative, true);
    rules.push(...copies);
  }
  if (alternatives.length < 2) fail('There must have at least 2 Objects in $or relationship.');
}

function writeRule(rules: Map<string, FieldRule>[], name: string, values: unknown[]): void {
  if (values.length === 0) fail('Empty arrays are not allowed');
  const rule: FieldRule = { matchers: [], absent: false };
  for (const v of values) {
    if (typeof v === 'string') {
      const ip = parseIp(v);
      rule.matchers.push({ kind: 'exact-string', value: v, ...(ip ? { ip } : {}) });
    } else if (typeof v === 'number') rule.matchers.push({ kind: 'exact-number', value: v });
    else if (typeof v === 'boolean' || v === null) rule.matchers.push({ kind: 'literal', value: v });
    else if (isRecord(v)) {
      const m = matchExpression(v);
      if (m.kind === 'exists' && !m.value) rule.absent = true;
      else rule.matchers.push(m);
    } else fail('Match value must be String, number, true, false, or null');
  }
  if (rules.length === 0) rules.push(new Map());
  for (const r of rules) r.set(name, rule);
}

function onlyKey(expression: Record<string, unknown>): [string, unknown] {
  const keys = Object.keys(expression);
  if (keys.length === 0) fail('Match expression name not found');
  if (keys.length > 1) fail('Only one key allowed in match expression');
  return [keys[0]!, expression[keys[0]!]];
}

function matchExpression(expression: Record<string, unknown>): ValueMatcher {
  const [op, arg] = onlyKey(expression);
  switch (op) {
    case 'prefix':
    case 'suffix': {
      if (isRecord(arg)) {
        const [inner, value] = onlyKey(arg);
        if (inner !== 'equals-ignore-case') fail(`Unsupported ${op} pattern: ${inner}`);
        if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string');
        return { kind: op, value, ignoreCase: true };
      }
      if (typeof arg !== 'string') fail(`${op} match pattern must be a string`);
      return { kind: op, value: arg, ignoreCase: false };
    }
    case 'equals-ignore-case':
      if (typeof arg !== 'string') fail('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', value: arg };
    case 'wildcard':
      if (typeof arg !== 'string') fail('wildcard match pattern must be a string');
      return { kind: 'wildcard', value: wildcardRegExp(arg) };
    case 'numeric':
      return numericExpression(arg);
    case 'cidr': {
      if (typeof arg !== 'string') fail('prefix match pattern must be a string');
      const range = parseCidr(arg);
      if (!range) fail(`Nonstandard IP address: ${arg}`);
      return { kind: 'cidr', range };
    }
    case 'exists':
      if (typeof arg !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', value: arg };
    case 'anything-but':
      return anythingBut(arg);
    default:
      fail(`Unrecognized match type ${op}`);
  }
}

function anythingBut(arg: unknown): ValueMatcher {
  if (isRecord(arg)) {
    const [inner, value] = onlyKey(arg);
    if (inner !== 'prefix' && inner !== 'suffix' && inner !== 'equals-ignore-case' && inner !== 'wildcard') fail(`Unsupported anything-but pattern: ${inner}`);
    if (!Array.isArray(value) && typeof value !== 'string' && typeof value !== 'number')
      fail('Value of anything-but must be an array or single string/number value.');
    const strings: string[] = [];
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string') {
        if (inner === 'equals-ignore-case') fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
        fail(inner === 'wildcard' ? 'wildcard match pattern must be a string' : 'prefix/suffix match pattern must be a string');
      }
      if ((inner === 'prefix' || inner === 'suffix') && v === '') fail('Null prefix/suffix not allowed');
      strings.push(v);
    }
    switch (inner) {
      case 'prefix':
        return { kind: 'anything-but-prefix', values: strings };
      case 'suffix':
        return { kind: 'anything-but-suffix', values: strings };
      case 'equals-ignore-case':
        return { kind: 'anything-but-ignore-case', values: strings.map((s) => s.toLowerCase()) };
      case 'wildcard':
        return { kind: 'anything-but-wildcard', values: strings.map(wildcardRegExp) };
    }
  }
  if (typeof arg === 'string') return { kind: 'anything-but', strings: new Set([arg]), numbers: [] };
  if (typeof arg === 'number') return { kind: 'anything-but', strings: new Set(), numbers: [arg] };
  if (!Array.isArray(arg)) fail('Value of anything-but must be an array or single string/number value.');
  if (arg.some((v) => typeof v !== 'string' && typeof v !== 'number')) fail('Inside anything but list, start|null|boolean is not supported.');
  const strings = arg.filter((v): v is string => typeof v === 'string');
  const numbers = arg.filter((v): v is number => typeof v === 'number');
  if (strings.length > 0 === numbers.length > 0) fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  return { kind: 'anything-but', strings: new Set(strings), numbers };
}

function numericExpression(arg: unknown): ValueMatcher {
  if (!Array.isArray(arg)) fail('Value of numeric must be an array.');
  const [op, value, op2, value2, ...rest] = arg as unknown[];
  if (typeof op !== 'string') fail(`Invalid member in numeric match: ${JSON.stringify(op)}`);
  const number = (v: unknown, after: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`Value of ${after} must be numeric`);
    return v;
  };
  switch (op) {
    case '=':
      if (arg.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', equals: number(value, 'equals') };
    case '<':
    case '<=':
      if (arg.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', upper: { value: number(value, op), open: op === '<' } };
    case '>':
    case '>=': {
      const lower = { value: number(value, op), open: op === '>' };
      if (arg.length === 2) return { kind: 'numeric', lower };
      if (typeof op2 !== 'string') fail(`Bad value in numeric range: ${JSON.stringify(op2)}`);
      if (op2 !== '<' && op2 !== '<=') fail(`Bad numeric range operator: ${op2}`);
      const upper = { value: number(value2, op2), open: op2 === '<' };
      if (rest.length > 0) fail('Too many terms in numeric range expression');
      if (lower.value >= upper.value) fail('Bottom must be less than top');
      return { kind: 'numeric', lower, upper };
    }
    default:
      fail(`Unrecognized numeric range operator: ${op}`);
  }
}

/**
 * Ruler's wildcard: `*` is any run of characters (two in a row are refused), `\*` an asterisk, `\\` a
 * backslash; a backslash before anything else is refused.
 */
function wildcardRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${i}`);
      out += next === '*' ? '\\*' : '\\\\';
      i++;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`);
      out += '[\\s\\S]*';
    } else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}

// ---- IP addresses (cidr, and exact strings that are addresses) ----

interface IpAddress {
  v6: boolean;
  value: bigint;
}

interface IpRange {
  v6: boolean;
  low: bigint;
  high: bigint;
}

function parseIpv4(s: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      // An embedded IPv4 tail (::ffff:10.0.0.1) is two groups.
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail].reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function parseIp(s: string): IpAddress | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseIpv6(s);
  return v6 !== undefined ? { v6: true, value: v6 } : undefined;
}

function parseCidr(s: string): IpRange | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash >= 0 ? s.slice(0, slash) : s);
  if (!ip) return undefined;
  const width = ip.v6 ? 128 : 32;
  let bits = width;
  if (slash >= 0) {
    const text = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    bits = Number(text);
    if (bits > width) return undefined;
  }
  const hostBits = BigInt(width - bits);
  const low = (ip.value >> hostBits) << hostBits;
  return { v6: ip.v6, low, high: low + (1n << hostBits) - 1n };
}

// ---- matching ----

/** The event's leaves by dotted path, each with where it sits in the event's arrays. */
export type FlatEvent = Map<string, EventLeaf[]>;

export function flattenEvent(event: unknown): FlatEvent {
  const out: FlatEvent = new Map();
  let arrays = 0;
  const walk = (value: unknown, path: string, membership: Membership): void => {
    if (Array.isArray(value)) {
      const id = arrays++;
      value.forEach((element, index) => walk(element, path, [...membership, [id, index]]));
    } else if (isRecord(value)) {
      for (const [key, v] of Object.entries(value)) walk(v, path === '' ? key : `${path}.${key}`, membership);
    } else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const list = out.get(path);
      if (list) list.push({ value, membership });
      else out.set(path, [{ value, membership }]);
    }
  };
  if (isRecord(event)) walk(event, '', []);
  return out;
}

/** Does the event (a parsed JSON object, or its flattened form) match the pattern? */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  const flat = event instanceof Map ? (event as FlatEvent) : flattenEvent(event);
  return pattern.subRules.some((rule) => matchSubRule(rule, flat, 0, new Map()));
}

function consistent(membership: Membership, constraints: ReadonlyMap<number, number>): boolean {
  for (const [array, index] of membership) {
    const chosen = constraints.get(array);
    if (chosen !== undefined && chosen !== index) return false;
  }
  return true;
}

/** Paths in order; each takes one leaf consistent with the array elements the earlier paths chose. */
function matchSubRule(rule: readonly [string, FieldRule][], flat: FlatEvent, i: number, constraints: ReadonlyMap<number, number>): boolean {
  if (i === rule.length) return true;
  const [path, field] = rule[i]!;
  const leaves = (flat.get(path) ?? []).filter((l) => consistent(l.membership, constraints));
  if (field.absent && leaves.length === 0 && matchSubRule(rule, flat, i + 1, constraints)) return true;
  for (const leaf of leaves) {
    if (!field.matchers.some((m) => matchesValue(m, leaf.value))) continue;
    const next = new Map(constraints);
    for (const [array, index] of leaf.membership) next.set(array, index);
    if (matchSubRule(rule, flat, i + 1, next)) return true;
  }
  return false;
}

function matchesValue(m: ValueMatcher, v: Leaf): boolean {
  switch (m.kind) {
    case 'exact-string':
      if (typeof v !== 'string') return false;
      if (m.ip) {
        const ip = parseIp(v);
        return ip !== undefined && ip.v6 === m.ip.v6 && ip.value === m.ip.value;
      }
      return v === m.value;
    case 'exact-number':
      return typeof v === 'number' && v === m.value;
    case 'literal':
      return v === m.value;
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().startsWith(m.value.toLowerCase()) : v.startsWith(m.value));
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().endsWith(m.value.toLowerCase()) : v.endsWith(m.value));
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === m.value.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && m.value.test(v);
    case 'numeric':
      if (typeof v !== 'number') return false;
      if (m.equals !== undefined) return v === m.equals;
      if (m.lower && (m.lower.open ? v <= m.lower.value : v < m.lower.value)) return false;
      if (m.upper && (m.upper.open ? v >= m.upper.value : v > m.upper.value)) return false;
      return true;
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const ip = parseIp(v);
      return ip !== undefined && ip.v6 === m.range.v6 && ip.value >= m.range.low && ip.value <= m.range.high;
    }
    case 'exists':
      // exists:true: any leaf value at the path (null included).
      return true;
    // Anything-but matches every value it does not exclude, values of another type included.
    case 'anything-but':
      return typeof v === 'string' ? !m.strings.has(v) : typeof v === 'number' ? !m.numbers.includes(v) : true;
    case 'anything-but-prefix':
      return typeof v !== 'string' || !m.values.some((p) => v.startsWith(p));
    case 'anything-but-suffix':
      return typeof v !== 'string' || !m.values.some((s) => v.endsWith(s));
    case 'anything-but-ignore-case':
      return typeof v !== 'string' || !m.values.includes(v.toLowerCase());
    case 'anything-but-wildcard':
      return typeof v !== 'string' || !m.values.some((re) => re.test(v));
  }
}
