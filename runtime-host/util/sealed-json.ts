// An event that several parts of the host handle — the invoker's payload, the history's lines, the
// size cap, the parent record that shows it — is serialised once: whoever builds it seals it, and
// the others read the text sealed with it instead of calling JSON.stringify again. A 1,000-record
// stream batch is ~400 KB of JSON; serialising it once instead of five times is most of a batch's
// host work. A sealed value must not change afterwards (the text would no longer be its JSON).

const sealed = new WeakMap<object, string>();

/** Serialises `value` now and remembers the text for it; returns the value. */
export function sealJson<T extends object>(value: T): T {
  if (!sealed.has(value)) sealed.set(value, JSON.stringify(value));
  return value;
}

/** The text sealed with `value`, when it was sealed. */
export function sealedJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? sealed.get(value) : undefined;
}

/** JSON.stringify(value), read from the seal when there is one. */
export function jsonOf(value: unknown): string | undefined {
  return sealedJson(value) ?? JSON.stringify(value);
}
