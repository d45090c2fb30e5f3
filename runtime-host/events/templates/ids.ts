// Fresh ids in the formats AWS uses, so every generated event looks like a new one.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const uuid = (): string => randomUUID();

export function hex(length: number, upper = false): string {
  const s = randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
  return upper ? s.toUpperCase() : s;
}

export function digits(length: number): string {
  let out = '';
  const bytes = randomBytes(length);
  for (let i = 0; i < length; i++) out += String(bytes[i]! % 10);
  return out;
}

export function base64Id(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** Kinesis sequence numbers: 56 decimal digits, increasing within a process. */
let lastKinesisSequence = 0n;
export function kinesisSequenceNumber(): string {
  let n = BigInt(`4959${digits(52)}`);
  if (n <= lastKinesisSequence) n = lastKinesisSequence + 1n;
  lastKinesisSequence = n;
  return n.toString();
}

/** DynamoDB stream sequence numbers: 21 decimal digits, increasing within a process. */
let lastDynamoSequence = 0n;
export function dynamoSequenceNumber(): string {
  let n = BigInt(`${1 + (randomBytes(1)[0]! % 9)}${digits(20)}`);
  if (n <= lastDynamoSequence) n = lastDynamoSequence + 1n;
  lastDynamoSequence = n;
  return n.toString();
}

/** S3's sequencer: hex, increasing for one key. */
let lastSequencer = 0n;
export function s3Sequencer(): string {
  let n = BigInt(Date.now()) * 0x10000n + BigInt(randomBytes(2).readUInt16BE(0));
  if (n <= lastSequencer) n = lastSequencer + 1n;
  lastSequencer = n;
  return n.toString(16).toUpperCase().padStart(18, '0');
}

/** `2015-06-27T00:48:05.899Z` */
export const isoTime = (ms = Date.now()): string => new Date(ms).toISOString();

/** EventBridge `time`: whole seconds, `2019-03-01T01:23:45Z`. */
export const isoSeconds = (ms = Date.now()): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
