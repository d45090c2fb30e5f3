// The Tables view's model: DynamoDB items (typed AttributeValue JSON) shown as plain JSON, their keys as the
// table defines them, the pages of a scan held without duplicates, and the put dialog's validation, which
// names the attribute and says what to write instead of passing DynamoDB's terse error through.
import type { DynamoDbAttributeValue, DynamoDbItem, DynamoDbTableInfo } from '../../runtime-host/protocol/methods';

/** Rows a scan page asks for (as the functions view's Tables node does). */
export const SCAN_PAGE = 50;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'] as const;

/**
 * A number as JSON when a double holds it exactly (at most 15 significant digits), else its string: DynamoDB
 * keeps 38 digits, and showing `12345678901234567890` as `12345678901234567000` would be a lie.
 */
export function plainNumber(n: string): number | string {
  const digits = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  const x = Number(n);
  return Number.isFinite(x) && digits.length <= 15 ? x : n;
}

/** An attribute value as plain JSON, as the document client would give it (binary as base64, sets as arrays). */
export function plainValue(v: DynamoDbAttributeValue): unknown {
  if ('S' in v) return v.S;
  if ('N' in v) return plainNumber(v.N);
  if ('B' in v) return v.B;
  if ('BOOL' in v) return v.BOOL;
  if ('NULL' in v) return null;
  if ('SS' in v) return [...v.SS];
  if ('NS' in v) return v.NS.map(plainNumber);
  if ('BS' in v) return [...v.BS];
  if ('L' in v) return v.L.map(plainValue);
  if ('M' in v) return plainItem(v.M);
  return v;
}

export function plainItem(item: DynamoDbItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plainValue(v)]));
}

/** One table cell: strings bare, everything else as compact JSON, cut at `max` characters. */
export function cellText(v: DynamoDbAttributeValue | undefined, max = 60): string {
  if (v === undefined) return '';
  const p = plainValue(v);
  const text = typeof p === 'string' ? p : JSON.stringify(p);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The item's key attributes, in the table's key order. */
export function keyOf(table: DynamoDbTableInfo, item: DynamoDbItem): DynamoDbItem {
  return Object.fromEntries(table.keySchema.filter((k) => item[k.name] !== undefined).map((k) => [k.name, item[k.name]!]));
}

/** A stable identity of the item within its table. */
export function keyId(table: DynamoDbTableInfo, item: DynamoDbItem): string {
  return JSON.stringify(table.keySchema.map((k) => item[k.name] ?? null));
}

/** `pk=order-1 · sk=2026`. */
export function keyLabel(table: DynamoDbTableInfo, item: DynamoDbItem): string {
  return table.keySchema.map((k) => `${k.name}=${item[k.name] ? cellText(item[k.name], 40) : '?'}`).join(' · ');
}

/** Columns: the key attributes, then the others in order of first appearance, at most `max` of those. */
export function columnsOf(table: DynamoDbTableInfo, items: readonly DynamoDbItem[], max = 6): { columns: string[]; more: boolean } {
  const keys = table.keySchema.map((k) => k.name);
  const others: string[] = [];
  const seen = new Set(keys);
  for (const item of items) {
    for (const name of Object.keys(item)) {
      if (seen.has(name)) continue;
      seen.add(name);
      others.push(name);
    }
  }
  return { columns: [...keys, ...others.slice(0, max)], more: others.length > max };
}

export function countText(n: number): string {
  return `${n} item${n === 1 ? '' : 's'}`;
}

/** The items of a table as scanned so far, page by page; the panel's own writes applied in place. */
export class ItemPages {
  private list: DynamoDbItem[] = [];
  private ids = new Set<string>();
  cursor: string | undefined;
  /** At least one page came back. */
  loaded = false;

  constructor(readonly table: DynamoDbTableInfo) {}

  get items(): readonly DynamoDbItem[] {
    return this.list;
  }

  /** Adds a page; an item already shown (put by the panel before its page came) is not shown twice. */
  addPage(page: { items: DynamoDbItem[]; cursor?: string }): void {
    for (const item of page.items) {
      const id = keyId(this.table, item);
      if (this.ids.has(id)) continue;
      this.ids.add(id);
      this.list.push(item);
    }
    this.cursor = page.cursor;
    this.loaded = true;
  }

  find(id: string): DynamoDbItem | undefined {
    return this.list.find((i) => keyId(this.table, i) === id);
  }

  /** After a put: replaced where it is, or a new item on top (where the user looks for it). */
  upsert(item: DynamoDbItem): void {
    const id = keyId(this.table, item);
    const i = this.list.findIndex((x) => keyId(this.table, x) === id);
    if (i >= 0) this.list[i] = item;
    else {
      this.list.unshift(item);
      this.ids.add(id);
    }
  }

  remove(id: string): boolean {
    const i = this.list.findIndex((x) => keyId(this.table, x) === id);
    if (i < 0) return false;
    this.list.splice(i, 1);
    // Kept in `ids`: a later page holding it (scanned before the delete) must not bring it back.
    return true;
  }
}

export type ParsedItem = { ok: true; item: DynamoDbItem } | { ok: false; error: string };

/** The put dialog's text as an item of `table`: valid JSON, typed attribute values, the key present and typed. */
export function parseItem(text: string, table: DynamoDbTableInfo): ParsedItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, error: 'An item is a JSON object of attributes, e.g. {"id": {"S": "a"}}.' };
  for (const [name, v] of Object.entries(value)) {
    const problem = attributeProblem(v);
    if (problem) return { ok: false, error: `"${name}": ${problem}` };
  }
  const item = value as DynamoDbItem;
  for (const k of table.keySchema) {
    const role = k.keyType === 'HASH' ? 'partition key' : 'sort key';
    const v = item[k.name];
    if (!v) return { ok: false, error: `"${k.name}" is missing: it is the table's ${role} (type ${k.type}).` };
    const type = Object.keys(v)[0];
    if (type !== k.type) return { ok: false, error: `"${k.name}" is the table's ${role}: it must be {"${k.type}": …}, not {"${type}": …}.` };
    if ((k.type === 'S' || k.type === 'B') && (v as { S?: string; B?: string })[k.type] === '') {
      return { ok: false, error: `"${k.name}" is the table's ${role}: it cannot be empty.` };
    }
  }
  return { ok: true, item };
}

/** What is wrong with one attribute value (nested ones too), or undefined. */
export function attributeProblem(v: unknown): string | undefined {
  if (!isObject(v)) return `${JSON.stringify(v)} is not a DynamoDB attribute value: write ${suggest(v)}.`;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !(TYPES as readonly string[]).includes(keys[0]!)) {
    return `an attribute value has exactly one type key (${TYPES.join(', ')}), e.g. {"S": "text"} or {"M": {…}}; got {${keys.map((k) => JSON.stringify(k)).join(', ')}}.`;
  }
  const type = keys[0] as (typeof TYPES)[number];
  const x = v[type];
  const isNumber = (s: unknown) => typeof s === 'string' && NUMBER.test(s);
  const isBase64 = (s: unknown) => typeof s === 'string' && BASE64.test(s) && s.length % 4 === 0;
  const set = (ok: (s: unknown) => boolean, what: string): string | undefined => {
    if (!Array.isArray(x) || x.length === 0) return `${type} takes a non-empty array of ${what}.`;
    if (!x.every(ok)) return `${type} takes an array of ${what}.`;
    if (new Set(x).size !== x.length) return `${type} is a set: its values must differ.`;
    return undefined;
  };
  switch (type) {
    case 'S':
      return typeof x === 'string' ? undefined : `S takes a string, e.g. {"S": ${JSON.stringify(String(x))}}.`;
    case 'N':
      return isNumber(x) ? undefined : `N takes a number written as a string, e.g. {"N": "${typeof x === 'number' ? x : 42}"}.`;
    case 'B':
      return isBase64(x) ? undefined : 'B takes base64 text, e.g. {"B": "aGVsbG8="}.';
    case 'BOOL':
      return typeof x === 'boolean' ? undefined : 'BOOL takes true or false.';
    case 'NULL':
      return x === true ? undefined : 'NULL takes true: {"NULL": true}.';
    case 'SS':
      return set((s) => typeof s === 'string', 'strings');
    case 'NS':
      return set(isNumber, 'numbers written as strings');
    case 'BS':
      return set(isBase64, 'base64 strings');
    case 'L': {
      if (!Array.isArray(x)) return 'L takes an array of attribute values, e.g. {"L": [{"S": "a"}]}.';
      for (const [i, e] of x.entries()) {
        const p = attributeProblem(e);
        if (p) return `[${i}]: ${p}`;
      }
      return undefined;
    }
    case 'M': {
      if (!isObject(x)) return 'M takes an object of attribute values, e.g. {"M": {"a": {"S": "b"}}}.';
      for (const [k, e] of Object.entries(x)) {
        const p = attributeProblem(e);
        if (p) return `"${k}": ${p}`;
      }
      return undefined;
    }
  }
}

/** The typed form of a plain JSON value, for the error that says what to write. */
function suggest(v: unknown): string {
  if (typeof v === 'string') return `{"S": ${JSON.stringify(v)}}`;
  if (typeof v === 'number') return `{"N": "${v}"}`;
  if (typeof v === 'boolean') return `{"BOOL": ${v}}`;
  if (v === null) return '{"NULL": true}';
  if (Array.isArray(v)) return '{"L": [ … ]} with each element typed';
  return '{"S": "text"}';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The put dialog's starting text for a new item: the key attributes to fill in. */
export function newItemTemplate(table: DynamoDbTableInfo): string {
  const example = { S: '', N: '0', B: '' } as const;
  return JSON.stringify(Object.fromEntries(table.keySchema.map((k) => [k.name, { [k.type]: example[k.type] }])), null, 2);
}
