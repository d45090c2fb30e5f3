// JSON nesting is bounded before parsing: JSON.parse accepts any depth, but every later step that
// walks the value recursively (JSON.stringify for the Runtime API and the store, structured clone)
// overflows the stack on a few thousand levels, which would turn a client's payload into a host failure.

/** Deepest nesting accepted in an event (Python's json module stops near 1,000 too). */
export const MAX_JSON_DEPTH = 1000;

/** True when the JSON text nests objects/arrays deeper than `max` (strings are skipped; the text need not be valid). */
export function jsonNestingExceeds(text: Buffer | string, max = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
