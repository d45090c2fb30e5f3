// The comparison behind saved-event tests: an invocation's response against an expected-response file,
// with `$ignore` paths left out. Pure (no I/O) so the CLI, the host and the unit tests share it.
import type { ExpectedResponseFile, ResponseDifference, ResponseUnderTest } from '../../protocol/event-tests';
import { UserError } from '../../runtime/types';

/** One step of a path: an object key, an array index, or `*` (any key or index). */
export type PathSegment = { key: string } | { index: number } | { any: true };

const MAX_DIFFERENCES = 50;

/**
 * `body.items[0].id`, `headers.*`, `items[*].id`, `headers["x.y"]` → segments. A plain segment is any run
 * of characters other than `.` and `[`; brackets take an index, `*`, or a double-quoted key (JSON string).
 */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new UserError(`invalid $ignore path '${path}': ${why}`, 'paths look like body.timestamp, items[*].id or headers["x-amz-request-id"]');
  };
  if (path.trim() === '') fail('it is empty');
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path[i + 1] === '"' ? closingQuote(path, i + 1) + 1 : path.indexOf(']', i);
      if (close < 0 || path[close] !== ']') fail(`no closing ] after position ${i}`);
      const inner = path.slice(i + 1, close);
      if (inner === '*') out.push({ any: true });
      else if (/^\d+$/.test(inner)) out.push({ index: Number(inner) });
      else if (inner.startsWith('"')) out.push({ key: JSON.parse(inner) as string });
      else fail(`[${inner}] is neither an index, * nor a "quoted key"`);
      i = close + 1;
    } else {
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const name = path.slice(i, end);
      if (name === '') fail(`an empty segment at position ${i}`);
      out.push(name === '*' ? { any: true } : { key: name });
      i = end;
    }
    if (path[i] === '.') {
      i++;
      if (i === path.length) fail('it ends with a dot');
    }
  }
  return out;
}

function closingQuote(path: string, open: number): number {
  for (let i = open + 1; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '"') return i;
  }
  return -1;
}

/** A concrete location while walking: keys and indexes. */
type Location = (string | number)[];

export function formatPath(location: Location): string {
  let out = '';
  for (const step of location) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (step === '' || /[.[\]"]/.test(step) || step === '*') out += `[${JSON.stringify(step)}]`;
    else out += out === '' ? step : `.${step}`;
  }
  return out;
}

function segmentMatches(segment: PathSegment, step: string | number): boolean {
  if ('any' in segment) return true;
  if ('index' in segment) return String(segment.index) === String(step);
  return segment.key === String(step);
}

function ignored(patterns: PathSegment[][], location: Location): boolean {
  return patterns.some((p) => p.length === location.length && p.every((segment, i) => segmentMatches(segment, location[i]!)));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string that holds a JSON object or array (an API Gateway body): parsed, else undefined. */
function jsonInString(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function walk(expected: unknown, actual: unknown, location: Location, patterns: PathSegment[][], out: ResponseDifference[]): void {
  if (out.length >= MAX_DIFFERENCES || ignored(patterns, location)) return;
  const expectedJson = jsonInString(expected);
  const actualJson = jsonInString(actual);
  if (expectedJson !== undefined && actualJson !== undefined) return walk(expectedJson, actualJson, location, patterns, out);
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const at = [...location, i];
      if (i >= actual.length) {
        if (!ignored(patterns, at)) out.push({ path: formatPath(at), kind: 'missing', expected: expected[i] });
      } else if (i >= expected.length) {
        if (!ignored(patterns, at)) out.push({ path: formatPath(at), kind: 'unexpected', actual: actual[i] });
      } else walk(expected[i], actual[i], at, patterns, out);
      if (out.length >= MAX_DIFFERENCES) return;
    }
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      const at = [...location, key];
      if (!(key in actual)) {
        if (!ignored(patterns, at)) out.push({ path: formatPath(at), kind: 'missing', expected: expected[key] });
      } else if (!(key in expected)) {
        if (!ignored(patterns, at)) out.push({ path: formatPath(at), kind: 'unexpected', actual: actual[key] });
      } else walk(expected[key], actual[key], at, patterns, out);
      if (out.length >= MAX_DIFFERENCES) return;
    }
    return;
  }
  // Scalars are equal or not; containers of different kinds (or a container and a scalar) differ.
  if (expected !== actual) out.push({ path: formatPath(location), kind: 'changed', expected, actual });
}

/** The checked form of an expected-response file's content; a UserError says what is wrong with it. */
export function readExpected(content: unknown, file: string): { ignore: PathSegment[][]; ignoreText: string[]; expected: ExpectedResponseFile } {
  if (!isObject(content)) {
    throw new UserError(
      `${file} must hold an object with "result" or "error"`,
      'e.g. {"result": {"statusCode": 200}} — use "Accept Result as Expected" to write one',
    );
  }
  const unknownKeys = Object.keys(content).filter((k) => k !== 'result' && k !== 'error' && k !== '$ignore');
  if (unknownKeys.length)
    throw new UserError(`${file}: unknown key ${unknownKeys.map((k) => `"${k}"`).join(', ')}`, 'the keys are "result" or "error", and "$ignore"');
  const hasResult = 'result' in content;
  const hasError = 'error' in content;
  if (hasResult === hasError)
    throw new UserError(
      `${file} must have exactly one of "result" and "error"`,
      'a success is {"result": …}, a function error {"error": {"errorType": …, "errorMessage": …}}',
    );
  if (hasError && !isObject(content.error))
    throw new UserError(`${file}: "error" must be an object`, 'e.g. {"errorType": "ValidationError", "errorMessage": "name is required"}');
  const ignoreText = content.$ignore ?? [];
  if (!Array.isArray(ignoreText) || ignoreText.some((p) => typeof p !== 'string')) {
    throw new UserError(`${file}: "$ignore" must be a list of paths`, 'e.g. "$ignore": ["body.timestamp", "headers.Date"]');
  }
  const ignore = (ignoreText as string[]).map((p) => {
    try {
      return parsePath(p);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${file}: ${err.message}`, err.hint);
      throw err;
    }
  });
  return { ignore, ignoreText: ignoreText as string[], expected: content as ExpectedResponseFile };
}

export interface Comparison {
  differences: ResponseDifference[];
  /** Pretty JSON of both sides for a diff view (see EventCheck). */
  expectedText: string;
  actualText: string;
}

/** Compares a response with the expected one; `ignore` paths are rooted at the result (or the error object). */
export function compareResponse(expected: ExpectedResponseFile, ignore: PathSegment[][], actual: ResponseUnderTest): Comparison {
  const differences: ResponseDifference[] = [];
  let left: unknown;
  let right: unknown;
  if ('error' in expected) {
    const want = expected.error ?? {};
    if (actual.error) {
      const got: Record<string, unknown> = { errorType: actual.error.errorType, errorMessage: actual.error.errorMessage };
      // Only the fields the file names: an expected error may pin just its type.
      left = want;
      right = Object.fromEntries(Object.keys(want).map((k) => [k, got[k]]));
      walk(left, right, [], ignore, differences);
    } else {
      left = { error: want };
      right = { result: actual.result ?? null };
      differences.push({ path: '', kind: 'changed', expected: { error: want }, actual: { result: actual.result ?? null } });
    }
  } else if (actual.error) {
    left = { result: expected.result };
    right = { error: { errorType: actual.error.errorType, errorMessage: actual.error.errorMessage } };
    differences.push({ path: '', kind: 'changed', expected: left, actual: right });
  } else {
    left = expected.result;
    right = actual.result ?? null;
    walk(left, right, [], ignore, differences);
  }
  const shown = display(left, right, [], ignore);
  return { differences, expectedText: pretty(shown.expected), actualText: pretty(shown.actual) };
}

/** Both sides as a diff view shows them: JSON strings expanded where both hold JSON, ignored values taken from the actual side. */
function display(expected: unknown, actual: unknown, location: Location, patterns: PathSegment[][]): { expected: unknown; actual: unknown } {
  if (location.length > 0 && ignored(patterns, location)) return { expected: actual, actual };
  const expectedJson = jsonInString(expected);
  const actualJson = jsonInString(actual);
  if (expectedJson !== undefined && actualJson !== undefined) return display(expectedJson, actualJson, location, patterns);
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const e: unknown[] = [];
    const a: unknown[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) a.push(actual[i]);
      else if (i >= actual.length) e.push(expected[i]);
      else {
        const pair = display(expected[i], actual[i], [...location, i], patterns);
        e.push(pair.expected);
        a.push(pair.actual);
      }
    }
    return { expected: e, actual: a };
  }
  if (isObject(expected) && isObject(actual)) {
    const e: Record<string, unknown> = {};
    const a: Record<string, unknown> = {};
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
      const at = [...location, key];
      if (!(key in expected)) {
        a[key] = actual[key];
        if (ignored(patterns, at)) e[key] = actual[key];
      } else if (!(key in actual)) {
        if (!ignored(patterns, at)) e[key] = expected[key];
      } else {
        const pair = display(expected[key], actual[key], at, patterns);
        e[key] = pair.expected;
        a[key] = pair.actual;
      }
    }
    return { expected: e, actual: a };
  }
  return { expected, actual };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value === undefined ? null : sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  return value;
}

/** One line naming the first differences: `body.message: expected "Hi", got "Hello"; statusCode: …`. */
export function describeDifferences(differences: ResponseDifference[], shown = 3): string {
  const parts = differences.slice(0, shown).map((d) => {
    const where = d.path || 'response';
    if (d.kind === 'missing') return `${where}: expected ${brief(d.expected)}, missing`;
    if (d.kind === 'unexpected') return `${where}: not expected, got ${brief(d.actual)}`;
    return `${where}: expected ${brief(d.expected)}, got ${brief(d.actual)}`;
  });
  const more = differences.length > shown ? ` (and ${differences.length - shown} more${differences.length >= MAX_DIFFERENCES ? '+' : ''})` : '';
  return `${differences.length} difference${differences.length === 1 ? '' : 's'}: ${parts.join('; ')}${more}`;
}

function brief(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
