// An event that several parts of the host handle — the invoker's payload, the history's lines, the
// size cap, the parent record that shows it — is serialised once: whoever builds it seals it, and
// the others use the bytes sealed with it instead of calling JSON.stringify (and encoding the text)
// again. A 1,000-record stream batch is ~400 KB of JSON; serialising it once instead of five times
// is most of a batch's host work. The seal keeps the UTF-8 bytes, what the runtime is sent and the
// history file holds, so neither copies them; serialised for clients (stringifySealedParts), a sealed
// value is its bytes too. A sealed value must not change afterwards (the bytes would no longer be its JSON).
import { randomBytes } from 'node:crypto';

const sealed = new WeakMap<object, Buffer>();

/** Serialises `value` now (or takes `bytes`, its JSON it was parsed from) and remembers its UTF-8 JSON for it; returns the value. */
export function sealJson<T extends object>(value: T, bytes?: Buffer): T {
  if (sealed.has(value)) return value;
  const json = bytes ?? utf8Bytes(JSON.stringify(value));
  sealed.set(value, json);
  // Serialised for clients (stringifySealedParts: answers and notifications), the bytes are copied in.
  Object.defineProperty(value, 'toJSON', {
    enumerable: false,
    configurable: true,
    writable: true,
    value(this: T): unknown {
      return spliceableJson(json, () => this);
    },
  });
  return value;
}

/**
 * A sealed object made from its JSON bytes alone, for a value built to be sent rather than read (a stream
 * batch's event, whose bytes are written from templates): each of its top-level `keys` reads from one
 * parse of the bytes, made when one is first read. The host itself only sends, stores and measures such a
 * value, through its seal; built as objects, a 1,000-record event was ~3,000 allocations living as long
 * as its invocation, copied by every young-generation GC that met them (about a sixth of the host's CPU
 * at 200,000 records/s). `keys` must be the JSON object's keys, in its order.
 */
export function sealedFromBytes<T extends object>(bytes: Buffer, keys: readonly (keyof T & string)[]): T {
  let parsed: Record<string, unknown> | undefined;
  const value = {};
  for (const key of keys) {
    Object.defineProperty(value, key, {
      enumerable: true,
      get: () => (parsed ??= JSON.parse(bytes.toString('utf8')) as Record<string, unknown>)[key],
    });
  }
  return sealJson(value as T, bytes);
}

/**
 * `Buffer.from(text, 'utf8')`, faster for the large, mostly ASCII texts sealed here: Buffer.from takes
 * ~3x as long for a 55 KB event (measured in Node 20) as an unpooled buffer of the counted size written
 * in place, and an ASCII text (byte count equal to its length) is copied as Latin-1, its fastest path.
 */
export function utf8Bytes(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  if (length < 4096) return Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafeSlow(length);
  if (length === text.length) bytes.write(text, 0, length, 'latin1');
  else bytes.write(text, 0, length, 'utf8');
  return bytes;
}

/** The JSON bytes sealed with `value`, when it was sealed. */
export function sealedBytes(value: unknown): Buffer | undefined {
  return typeof value === 'object' && value !== null ? sealed.get(value) : undefined;
}

/** JSON.stringify(value), read from the seal when there is one. */
export function jsonOf(value: unknown): string | undefined {
  return sealedBytes(value)?.toString('utf8') ?? JSON.stringify(value);
}

/** The UTF-8 JSON of `value` (`null` for undefined): the sealed bytes themselves when it was sealed. */
export function encodedJson(value: unknown): Buffer {
  return sealedBytes(value) ?? utf8Bytes(JSON.stringify(value) ?? 'null');
}

/** Random per process, so that no data can hold a placeholder; numbered per call. */
const PLACEHOLDER_NONCE = randomBytes(8).toString('hex');
let placeholderCalls = 0;

/** While `stringifySealedParts` runs: the token its placeholders start with, and the bytes they stand for. */
let splicing: { token: string; parts: Buffer[] } | undefined;

/**
 * For a `toJSON`: within `stringifySealedParts`, a placeholder that is replaced by `bytes` (the value's JSON)
 * afterwards, so a value kept only as its bytes is neither parsed nor serialised again; anywhere else,
 * `value()` itself.
 */
export function spliceableJson(bytes: Buffer, value: () => unknown): unknown {
  if (!splicing) return value();
  splicing.parts.push(bytes);
  return `${splicing.token}${splicing.parts.length - 1}`;
}

/**
 * JSON.stringify(value) as the parts of its UTF-8 text: the text around the values offered through
 * `spliceableJson` (a sealed value's own `toJSON` does), and those values' bytes themselves (neither
 * decoded nor copied). A placeholder is a control character, which JSON.stringify escapes, then this
 * process's random nonce: no string in the value can look like one.
 */
export function stringifySealedParts(value: unknown): (string | Buffer)[] | undefined {
  const token = `\u0001${PLACEHOLDER_NONCE}${++placeholderCalls}:`;
  const session = { token, parts: [] as Buffer[] };
  splicing = session;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    splicing = undefined;
  }
  if (text === undefined) return undefined;
  if (session.parts.length === 0) return [text];
  // As JSON.stringify wrote it: `"\u0001<nonce><call>:<index>"`. Found with indexOf: a RegExp made per call is compiled per call.
  const opening = `"${JSON.stringify(token).slice(1, -1)}`;
  const out: (string | Buffer)[] = [];
  let from = 0;
  for (let at = text.indexOf(opening); at !== -1; at = text.indexOf(opening, from)) {
    const close = text.indexOf('"', at + opening.length);
    out.push(text.slice(from, at), session.parts[Number(text.slice(at + opening.length, close))]!);
    from = close + 1;
  }
  out.push(text.slice(from));
  return out;
}

/** The text the parts of `stringifySealedParts` make up. */
export function joinParts(parts: readonly (string | Buffer)[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}

/** JSON.stringify(value), with the values offered through `spliceableJson` copied in from their bytes. */
export function stringifySealed(value: unknown): string | undefined {
  const parts = stringifySealedParts(value);
  return parts && joinParts(parts);
}
