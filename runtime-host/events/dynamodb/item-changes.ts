// What a table write changed, as DynamoDB Streams reports it: INSERT (no item before), MODIFY (the
// item differs), REMOVE (no item after), and nothing at all when the item is the same before and after
// (a PutItem or UpdateItem that changed no data writes no stream record). Pure: no I/O.
import type { DynamoDbAttributeValue, DynamoDbChangeInput } from '../../protocol/methods';

export type Item = Record<string, DynamoDbAttributeValue>;

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

/** The key attributes of an item (or of a Key map), or undefined when one is missing. */
export function keyOf(item: Item | undefined, keySchema: readonly KeyElement[]): Item | undefined {
  if (!item) return undefined;
  const key: Item = {};
  for (const k of keySchema) {
    const v = item[k.AttributeName];
    if (v === undefined) return undefined;
    key[k.AttributeName] = v;
  }
  return key;
}

/** DynamoDB's canonical form of a number: no leading or trailing zeros, no exponent, no `+`. */
export function canonicalNumber(n: string): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(n);
  if (!m) return n;
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  let point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return '0';
  const trimmed = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${trimmed}`;
  else if (point >= trimmed.length) text = `${trimmed}${'0'.repeat(point - trimmed.length)}`;
  else text = `${trimmed.slice(0, point)}.${trimmed.slice(point)}`;
  return `${m[1] === '-' ? '-' : ''}${text}`;
}

function sameValue(a: DynamoDbAttributeValue, b: DynamoDbAttributeValue): boolean {
  const [ta] = Object.keys(a);
  const [tb] = Object.keys(b);
  if (ta !== tb) return false;
  const va = (a as Record<string, unknown>)[ta!];
  const vb = (b as Record<string, unknown>)[tb!];
  switch (ta) {
    case 'N':
      return canonicalNumber(va as string) === canonicalNumber(vb as string);
    case 'SS':
    case 'BS':
    case 'NS': {
      // Sets have no order.
      const norm = (s: string[]) => [...new Set(ta === 'NS' ? s.map(canonicalNumber) : s)].sort();
      const x = norm(va as string[]);
      const y = norm(vb as string[]);
      return x.length === y.length && x.every((v, i) => v === y[i]);
    }
    case 'L': {
      const x = va as DynamoDbAttributeValue[];
      const y = vb as DynamoDbAttributeValue[];
      return x.length === y.length && x.every((v, i) => sameValue(v, y[i]!));
    }
    case 'M':
      return sameItem(va as Item, vb as Item);
    default:
      return va === vb;
  }
}

/** Whether two items hold the same data (attribute order, set order and number spelling aside). */
export function sameItem(a: Item, b: Item): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && sameValue(a[k]!, b[k]!));
}

/** The stream change one item's write made, or undefined when it changed nothing. */
export function changeOf(before: Item | undefined, after: Item | undefined, keySchema: readonly KeyElement[]): DynamoDbChangeInput | undefined {
  if (!before && !after) return undefined;
  if (before && after && sameItem(before, after)) return undefined;
  const Keys = keyOf(after ?? before, keySchema);
  if (!Keys) return undefined;
  if (!before) return { eventName: 'INSERT', Keys, NewImage: after! };
  if (!after) return { eventName: 'REMOVE', Keys, OldImage: before };
  return { eventName: 'MODIFY', Keys, OldImage: before, NewImage: after };
}

/** The `#name` and `:value` placeholders an expression uses. */
export function placeholdersOf(...expressions: (string | undefined)[]): { names: Set<string>; values: Set<string> } {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const e of expressions) {
    if (!e) continue;
    for (const m of e.matchAll(/#[A-Za-z0-9_]+/g)) names.add(m[0]);
    for (const m of e.matchAll(/:[A-Za-z0-9_]+/g)) values.add(m[0]);
  }
  return { names, values };
}

/**
 * ExpressionAttributeNames/Values cut down to what `expressions` use: DynamoDB refuses unused ones, and a
 * transaction's condition is checked on its own, apart from the update it guards.
 */
export function expressionAttributes(
  input: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item },
  ...expressions: (string | undefined)[]
): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } {
  const used = placeholdersOf(...expressions);
  const pick = <V>(all: Record<string, V> | undefined, keep: Set<string>): Record<string, V> | undefined => {
    if (!all) return undefined;
    const out = Object.fromEntries(Object.entries(all).filter(([k]) => keep.has(k)));
    return Object.keys(out).length ? out : undefined;
  };
  const names = pick(input.ExpressionAttributeNames, used.names);
  const values = pick(input.ExpressionAttributeValues, used.values);
  return { ...(names ? { ExpressionAttributeNames: names } : {}), ...(values ? { ExpressionAttributeValues: values } : {}) };
}
