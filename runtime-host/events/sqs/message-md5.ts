// The digests SQS returns with a message: MD5OfMessageBody (of the UTF-8 body) and
// MD5OfMessageAttributes / MD5OfMessageSystemAttributes, which SQS computes over the attributes
// sorted by name, each as length-prefixed name, length-prefixed data type, a transport byte
// (1 = string, 2 = binary) and the length-prefixed value (lengths 4-byte big-endian).
import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, as the JSON protocol carries it. */
  BinaryValue?: string;
}

export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
}

/** Undefined when there are no attributes (SQS then omits the field). */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attr = attributes![name]!;
    const parts = [...lengthPrefixed(Buffer.from(name, 'utf8')), ...lengthPrefixed(Buffer.from(attr.DataType, 'utf8'))];
    if (attr.BinaryValue !== undefined && attr.StringValue === undefined) {
      parts.push(Buffer.from([2]), ...lengthPrefixed(Buffer.from(attr.BinaryValue, 'base64')));
    } else {
      parts.push(Buffer.from([1]), ...lengthPrefixed(Buffer.from(attr.StringValue ?? '', 'utf8')));
    }
    for (const p of parts) hash.update(p);
  }
  return hash.digest('hex');
}
