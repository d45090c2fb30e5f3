// An event that several parts of the host handle — the invoker's payload, the history's lines, the
// size cap, the parent record that shows it — is serialised once: whoever builds it seals it, and
// the others use the bytes sealed with it instead of calling JSON.stringify (and encoding the text)
// again. A 1,000-record stream batch is ~400 KB of JSON; serialising it once instead of five times
// is most of a batch's host work. The seal keeps the UTF-8 bytes, what the runtime is sent and the
// history file holds, so neither copies them. A sealed value must not change afterwards (the bytes
// would no longer be its JSON).
import { randomBytes } from 'node:crypto';

const sealed = new WeakMap<object, Buffer>();

/** Serialises `value` now (or takes `bytes`, its JSON it was parsed from) and remembers its UTF-8 JSON for it; returns the value. */
export function sealJson<T extends object>(value: T, bytes?: Buffer): T {
  if (!sealed.has(value)) sealed.set(value, bytes ?? utf8Bytes(JSON.stringify(value)));
  return value;
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

/** While `stringifySealed` runs: the token its placeholders start with, and the bytes they stand for. */
let splicing: { token: string; parts: Buffer[] } | undefined;

/**
 * For a `toJSON`: within `stringifySealed`, a placeholder that is replaced by `bytes` (the value's JSON)
 * afterwards, so a value kept only as its bytes is neither parsed nor serialised again; anywhere else,
 * `value()` itself.
 */
export function spliceableJson(bytes: Buffer, value: () => unknown): unknown {
  if (!splicing) return value();
  splicing.parts.push(bytes);
  return `${splicing.token}${splicing.parts.length - 1}`;
}

/**
 * JSON.stringify(value), where values offered through `spliceableJson` are copied in from their bytes.
 * The placeholders start with a control character and a random token, which JSON.stringify escapes:
 * no string in the value can look like one.
 */
export function stringifySealed(value: unknown): string | undefined {
  const token = `\u0001${randomBytes(8).toString('hex')}:`;
  const session = { token, parts: [] as Buffer[] };
  splicing = session;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    splicing = undefined;
  }
  if (text === undefined || session.parts.length === 0) return text;
  const escaped = JSON.stringify(token).slice(1, -1).replace(/\\/g, '\\\\');
  return text.replace(new RegExp(`"${escaped}(\\d+)"`, 'g'), (_, i: string) => session.parts[Number(i)]!.toString('utf8'));
}
