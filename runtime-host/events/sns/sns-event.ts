// The SNS notification Lambda receives (PascalCase keys), the publish request checks SNS makes, and
// stable subscription ARNs. Pure apart from random ids.
//
// Decision: `Signature` is random base64 of an RSA-2048 signature's length and `SigningCertUrl`
// a fixed placeholder; nothing local can sign as SNS does, and handlers that verify signatures
// must be told they run locally.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UserError } from '../../runtime/types';
import type { SnsMessageAttribute } from './filter-policy';

export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const SNS_MAX_ATTRIBUTES = 10;
const CERT_ID = '9c6465fa7f48f5cacd23014631ec1136';

export interface SnsPublishInput {
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes?: Record<string, SnsMessageAttribute>;
}

export interface SnsNotification {
  messageId: string;
  timestamp: string;
  input: SnsPublishInput;
}

export function topicArn(region: string, accountId: string, topic: string): string {
  return `arn:aws:sns:${region}:${accountId}:${topic}`;
}

/** A topic given by name or ARN → its name. */
export function topicName(topicOrArn: string): string {
  return topicOrArn.startsWith('arn:') ? topicOrArn.slice(topicOrArn.lastIndexOf(':') + 1) : topicOrArn;
}

export function validateTopicName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name) || name.length > 256) {
    throw new UserError(`Invalid parameter: Topic Name '${name}'`, 'topic names are 1–256 letters, digits, hyphens and underscores', 'InvalidParameter');
  }
}

/** Subscription ARNs end in a UUID; ours is derived from topic + function + event so it survives restarts. */
export function subscriptionArn(arn: string, functionName: string, eventName: string): string {
  const h = createHash('sha1').update(`${arn}\0${functionName}\0${eventName}`).digest('hex');
  return `${arn}:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What SNS checks in Publish before accepting a message (its error texts). */
export function validatePublish(input: { message: unknown; subject?: unknown; messageAttributes?: unknown }): void {
  if (typeof input.message !== 'string' || input.message.length === 0) {
    throw new UserError('Invalid parameter: Empty message', 'publish a non-empty message', 'InvalidParameter');
  }
  if (input.subject !== undefined) {
    if (
      typeof input.subject !== 'string' ||
      input.subject.length === 0 ||
      input.subject.length > 100 ||
      /[\r\n]/.test(input.subject) ||
      !/^[\x20-\x7e]+$/.test(input.subject)
    ) {
      throw new UserError('Invalid parameter: Subject', 'a subject is 1–100 printable ASCII characters without line breaks', 'InvalidParameter');
    }
  }
  let size = Buffer.byteLength(input.message, 'utf8');
  const attrs = input.messageAttributes;
  if (attrs !== undefined) {
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
      throw new UserError('Invalid parameter: MessageAttributes', 'message attributes are an object of {Type, Value}', 'InvalidParameter');
    }
    const entries = Object.entries(attrs as Record<string, unknown>);
    if (entries.length > SNS_MAX_ATTRIBUTES) {
      throw new UserError(
        `Number of message attributes [${entries.length}] exceeds the allowed maximum [${SNS_MAX_ATTRIBUTES}].`,
        undefined,
        'InvalidParameter',
      );
    }
    for (const [name, raw] of entries) {
      const where = `Invalid parameter: MessageAttributes entry '${name}'`;
      if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || /^(AWS\.|Amazon\.)/i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
        throw new UserError(`${where}: invalid name`, 'names are letters, digits, _ - . (not starting with AWS. or Amazon.)', 'InvalidParameter');
      }
      const a = raw as Partial<SnsMessageAttribute>;
      if (typeof a !== 'object' || a === null || typeof a.Type !== 'string' || typeof a.Value !== 'string') {
        throw new UserError(
          `${where} must be {"Type": …, "Value": …}`,
          'Type is String, Number, Binary or String.Array; Value is a string',
          'InvalidParameter',
        );
      }
      const base = a.Type.split('.')[0];
      if (a.Type !== 'String.Array' && base !== 'String' && base !== 'Number' && base !== 'Binary') {
        throw new UserError(`${where} has an invalid Type '${a.Type}'`, 'Type is String, Number, Binary or String.Array', 'InvalidParameter');
      }
      if (base === 'Number' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(a.Value.trim())) {
        throw new UserError(`${where}: '${a.Value}' is not a number`, undefined, 'InvalidParameter');
      }
      if (a.Type === 'String.Array') {
        let ok = false;
        try {
          ok = Array.isArray(JSON.parse(a.Value));
        } catch {
          ok = false;
        }
        if (!ok) throw new UserError(`${where}: a String.Array value must be a JSON array`, undefined, 'InvalidParameter');
      }
      size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.Type, 'utf8') + Buffer.byteLength(a.Value, 'utf8');
    }
  }
  if (size > SNS_MAX_MESSAGE_BYTES) {
    throw new UserError(
      `Invalid parameter: Message too long`,
      `messages (with attributes) are at most ${SNS_MAX_MESSAGE_BYTES} bytes; this one is ${size}`,
      'InvalidParameter',
    );
  }
}

export function newNotification(input: SnsPublishInput, now = new Date()): SnsNotification {
  return { messageId: randomUUID(), timestamp: now.toISOString(), input };
}

/** The event one subscribed function receives. */
export function buildSnsEvent(n: SnsNotification, subscription: string, region: string): { Records: Record<string, unknown>[] } {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription,
        Sns: {
          Type: 'Notification',
          MessageId: n.messageId,
          TopicArn: n.input.topicArn,
          Subject: n.input.subject ?? null,
          Message: n.input.message,
          Timestamp: n.timestamp,
          SignatureVersion: '1',
          Signature: randomBytes(256).toString('base64'),
          SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-${CERT_ID}.pem`,
          UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription}`,
          MessageAttributes: Object.fromEntries(Object.entries(n.input.messageAttributes ?? {}).map(([k, v]) => [k, { Type: v.Type, Value: v.Value }])),
        },
      },
    ],
  };
}

/** The JSON envelope an SQS queue receives from a subscription without raw message delivery. */
export function sqsEnvelope(n: SnsNotification, subscription: string, region: string): Record<string, unknown> {
  const sns = buildSnsEvent(n, subscription, region).Records[0]!['Sns'] as Record<string, unknown>;
  const { SigningCertUrl, UnsubscribeUrl, ...rest } = sns;
  // SQS receives SigningCertURL/UnsubscribeURL spelled in capitals, unlike the Lambda event.
  const envelope: Record<string, unknown> = { ...rest, SigningCertURL: SigningCertUrl, UnsubscribeURL: UnsubscribeUrl };
  if (n.input.subject === undefined) delete envelope['Subject'];
  if (!n.input.messageAttributes || Object.keys(n.input.messageAttributes).length === 0) delete envelope['MessageAttributes'];
  return envelope;
}
