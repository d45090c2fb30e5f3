// The SNS query protocol (form-encoded `Action=…` requests, XML answers), as @aws-sdk/client-sns and
// boto3 send it: Publish, PublishBatch, CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes,
// Subscribe, Unsubscribe, ListSubscriptions(ByTopic) over the SNS source's topics. Errors are SNS's
// `<ErrorResponse>`; an action the local SNS does not have is `InvalidAction` naming it.
import { randomUUID } from 'node:crypto';
import { UserError } from '../../runtime/types';
import type { AwsRequest, AwsResponse, AwsServiceHandler, ServiceCallDescription } from '../aws-service';
import type { SnsMessageAttribute } from './filter-policy';
import { topicArn, topicName } from './sns-event';
import type { SnsSource } from './sns-source';

type Answer = AwsResponse & { call: ServiceCallDescription };

const XMLNS = 'https://sns.amazonaws.com/doc/2010-03-31/';
const MAX_BATCH = 10;

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const el = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;

class SnsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue|BinaryValue` under `prefix`. */
export function queryAttributes(params: URLSearchParams, prefix: string): Record<string, SnsMessageAttribute> | undefined {
  const out: Record<string, SnsMessageAttribute> = {};
  for (let i = 1; params.has(`${prefix}.entry.${i}.Name`); i++) {
    const at = `${prefix}.entry.${i}`;
    out[params.get(`${at}.Name`)!] = {
      Type: params.get(`${at}.Value.DataType`) ?? 'String',
      Value: params.get(`${at}.Value.StringValue`) ?? params.get(`${at}.Value.BinaryValue`) ?? '',
    };
  }
  return Object.keys(out).length ? out : undefined;
}

/** `Attributes.entry.N.key` / `.value` (Subscribe, CreateTopic). */
function queryMap(params: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; params.has(`${prefix}.entry.${i}.key`); i++) out[params.get(`${prefix}.entry.${i}.key`)!] = params.get(`${prefix}.entry.${i}.value`) ?? '';
  return out;
}

export class SnsApi implements AwsServiceHandler {
  readonly service = 'sns';

  constructor(private readonly source: SnsSource) {}

  async handle(request: AwsRequest): Promise<Answer> {
    const params = new URLSearchParams(request.body.toString('utf8'));
    for (const [k, v] of request.query) if (!params.has(k)) params.set(k, v);
    const action = params.get('Action') ?? '';
    const resource = params.get('TopicArn') ?? params.get('Name') ?? params.get('SubscriptionArn') ?? undefined;
    const call = (errorCode?: string): ServiceCallDescription => ({
      operation: action || 'Unknown',
      ...(resource ? { resource: topicName(resource) } : {}),
      ...(errorCode ? { errorCode } : {}),
    });
    try {
      const result = await this.run(action, params, request);
      return { ...respond(action, result), call: call() };
    } catch (err) {
      const e =
        err instanceof SnsError
          ? err
          : err instanceof UserError
            ? new SnsError(err.code === 'ResourceNotFound' ? 404 : 400, err.code === 'ResourceNotFound' ? 'NotFound' : 'InvalidParameter', err.message)
            : undefined;
      if (!e) throw err;
      return { ...errorResponse(e), call: call(e.code) };
    }
  }

  private async run(action: string, p: URLSearchParams, request: AwsRequest): Promise<string> {
    const caller = request.caller ? { caller: request.caller } : {};
    switch (action) {
      case 'Publish': {
        const topic = p.get('TopicArn') ?? p.get('TargetArn');
        if (!topic) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
        const subject = p.get('Subject') ?? undefined;
        const { messageId } = await this.source.publish(topic, p.get('Message') ?? '', subject, queryAttributes(p, 'MessageAttributes'), {
          requireTopic: true,
          ...caller,
        });
        return el('MessageId', messageId);
      }
      case 'PublishBatch': {
        const topic = p.get('TopicArn') ?? '';
        if (!this.source.hasTopic(topic)) throw new SnsError(404, 'NotFound', 'Topic does not exist');
        const entries: { id: string; message: string; subject?: string; attrs?: Record<string, SnsMessageAttribute> }[] = [];
        for (let i = 1; p.has(`PublishBatchRequestEntries.member.${i}.Id`); i++) {
          const at = `PublishBatchRequestEntries.member.${i}`;
          const subject = p.get(`${at}.Subject`) ?? undefined;
          const attrs = queryAttributes(p, `${at}.MessageAttributes`);
          entries.push({ id: p.get(`${at}.Id`)!, message: p.get(`${at}.Message`) ?? '', ...(subject ? { subject } : {}), ...(attrs ? { attrs } : {}) });
        }
        if (entries.length === 0) throw new SnsError(400, 'EmptyBatchRequest', 'The batch request doesn\u2019t contain any entries.');
        if (entries.length > MAX_BATCH)
          throw new SnsError(400, 'TooManyEntriesInBatchRequest', `The batch request contains more entries than permissible (${MAX_BATCH}).`);
        if (new Set(entries.map((e) => e.id)).size !== entries.length)
          throw new SnsError(400, 'BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
        const ok: string[] = [];
        const failed: string[] = [];
        for (const e of entries) {
          try {
            const { messageId } = await this.source.publish(topic, e.message, e.subject, e.attrs, { requireTopic: true, ...caller });
            ok.push(`<member>${el('Id', e.id)}${el('MessageId', messageId)}</member>`);
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            failed.push(
              `<member>${el('Id', e.id)}${el('Code', err.code ?? 'InvalidParameter')}${el('Message', err.message)}<SenderFault>true</SenderFault></member>`,
            );
          }
        }
        return `<Successful>${ok.join('')}</Successful><Failed>${failed.join('')}</Failed>`;
      }
      case 'CreateTopic':
        return el('TopicArn', await this.source.createTopic(p.get('Name') ?? ''));
      case 'DeleteTopic':
        await this.source.deleteTopic(p.get('TopicArn') ?? '');
        return '';
      case 'ListTopics':
        return `<Topics>${this.source
          .topicNames()
          .map((t) => `<member>${el('TopicArn', topicArn(this.source.region, this.source.accountId, t))}</member>`)
          .join('')}</Topics>`;
      case 'GetTopicAttributes': {
        const topic = p.get('TopicArn') ?? '';
        if (!this.source.hasTopic(topic)) throw new SnsError(404, 'NotFound', 'Topic does not exist');
        const arn = topicArn(this.source.region, this.source.accountId, topicName(topic));
        const subs = this.source.listSubscriptions(topic).length;
        const attrs: Record<string, string> = {
          TopicArn: arn,
          Owner: this.source.accountId,
          DisplayName: '',
          SubscriptionsConfirmed: String(subs),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
        };
        return `<Attributes>${Object.entries(attrs)
          .map(([k, v]) => `<entry>${el('key', k)}${el('value', v)}</entry>`)
          .join('')}</Attributes>`;
      }
      case 'Subscribe': {
        const arn = await this.source.subscribe(p.get('TopicArn') ?? '', p.get('Protocol') ?? '', p.get('Endpoint') ?? '', queryMap(p, 'Attributes'));
        return el('SubscriptionArn', arn);
      }
      case 'Unsubscribe':
        await this.source.removeSubscription(p.get('SubscriptionArn') ?? '');
        return '';
      case 'ListSubscriptions':
      case 'ListSubscriptionsByTopic': {
        const topic = action === 'ListSubscriptionsByTopic' ? (p.get('TopicArn') ?? '') : undefined;
        if (topic !== undefined && !this.source.hasTopic(topic)) throw new SnsError(404, 'NotFound', 'Topic does not exist');
        const members = this.source
          .listSubscriptions(topic)
          .map(
            (s) =>
              `<member>${el('SubscriptionArn', s.arn)}${el('Owner', this.source.accountId)}${el('Protocol', s.protocol)}${el('Endpoint', s.endpoint)}${el('TopicArn', s.topicArn)}</member>`,
          );
        return `<Subscriptions>${members.join('')}</Subscriptions>`;
      }
      default:
        throw new SnsError(
          400,
          'InvalidAction',
          `${action || 'The request (no Action)'} is not supported by the local SNS (supported: Publish, PublishBatch, CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, Subscribe, Unsubscribe, ListSubscriptions, ListSubscriptionsByTopic)`,
        );
    }
  }
}

function respond(action: string, result: string): AwsResponse {
  const body = `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata>${el('RequestId', randomUUID())}</ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

function errorResponse(e: SnsError): AwsResponse {
  const requestId = randomUUID();
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type>${el('Code', e.code)}${el('Message', e.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
  };
}
