// SQS's query protocol (form-encoded `Action=SendMessage&MessageAttribute.1.Name=…`, XML answers),
// converted to and from the JSON protocol's shapes so one implementation answers both.
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** Flattened members whose JSON name differs from their query name. */
const LIST_NAMES: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
};

function setPath(target: Json, parts: string[], value: string): void {
  let node: Json = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    node[key] ??= {};
    node = node[key] as Json;
  }
  node[parts[parts.length - 1]!] = value;
}

/** `{1: x, 2: y}` objects (from `Name.1`, `Name.2`) become arrays, recursively. */
function listify(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Json;
  const keys = Object.keys(o);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => listify(o[k]));
  }
  const out: Json = {};
  for (const k of keys) out[k] = listify(o[k]);
  return out;
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v as Json)) {
    if (k === 'MessageAttribute' || k === 'MessageSystemAttribute') {
      const map: Json = {};
      for (const a of Array.isArray(x) ? x : []) {
        const entry = a as { Name?: string; Value?: Json };
        if (typeof entry.Name === 'string') map[entry.Name] = entry.Value ?? {};
      }
      out[`${k}s`] = map;
    } else if (k === 'Attribute' || k === 'Tag') {
      const map: Json = {};
      for (const a of Array.isArray(x) ? x : []) {
        const entry = a as { Name?: string; Key?: string; Value?: string };
        const name = entry.Name ?? entry.Key;
        if (typeof name === 'string') map[name] = entry.Value ?? '';
      }
      out[k === 'Attribute' ? 'Attributes' : 'tags'] = map;
    } else if (k.endsWith('BatchRequestEntry')) {
      out['Entries'] = normalize(x);
    } else if (LIST_NAMES[k]) {
      out[LIST_NAMES[k]] = Array.isArray(x) ? x : [x];
    } else {
      out[k] = normalize(x);
    }
  }
  return out;
}

export function fromQuery(_operation: string, form: URLSearchParams): Json {
  const raw: Json = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(raw, key.split('.'), value);
  }
  return normalize(listify(raw)) as Json;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ENTRY_NAMES: Record<string, string> = {
  SendMessageBatch: 'SendMessageBatchResultEntry',
  DeleteMessageBatch: 'DeleteMessageBatchResultEntry',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibilityBatchResultEntry',
};

function members(operation: string, o: Json): string {
  let xml = '';
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (k === 'Messages') {
      for (const m of v as Json[]) xml += `<Message>${members(operation, m)}</Message>`;
    } else if (k === 'QueueUrls' || k === 'queueUrls') {
      for (const u of v as string[]) xml += `<QueueUrl>${escape(u)}</QueueUrl>`;
    } else if (k === 'Attributes') {
      for (const [name, value] of Object.entries(v as Json))
        xml += `<Attribute><Name>${escape(name)}</Name><Value>${escape(String(value))}</Value></Attribute>`;
    } else if (k === 'MessageAttributes') {
      for (const [name, value] of Object.entries(v as Json))
        xml += `<MessageAttribute><Name>${escape(name)}</Name><Value>${members(operation, value as Json)}</Value></MessageAttribute>`;
    } else if (k === 'Successful') {
      for (const e of v as Json[]) xml += `<${ENTRY_NAMES[operation]}>${members(operation, e)}</${ENTRY_NAMES[operation]}>`;
    } else if (k === 'Failed') {
      for (const e of v as Json[]) xml += `<BatchResultErrorEntry>${members(operation, e)}</BatchResultErrorEntry>`;
    } else {
      xml += `<${k}>${escape(String(v))}</${k}>`;
    }
  }
  return xml;
}

export function toQueryXml(operation: string, output: Json): string {
  return (
    `<?xml version="1.0"?><${operation}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` +
    `<${operation}Result>${members(operation, output)}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`
  );
}
