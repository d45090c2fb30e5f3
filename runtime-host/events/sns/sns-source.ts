// EventSource 'sns': topics from the functions' `SNS` events (and any topic a publish names).
// A publish is a parent record (kind 'sns-publish'); it fans out, after each subscription's filter
// policy, to the subscribed functions as asynchronous invocations with Lambda's retries. A delivery
// that still fails lands in the subscription's failure list (`sns.listFailures`), kept on disk in
// `<stateDir>/sns/failures.jsonl` so it survives a restart.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers, TemplateResource } from '../../host-context';
import { UserError } from '../../runtime/types';
import type { AwsServiceHandler, CallerInvocation, ServiceMessage, TopicDelivery } from '../aws-service';
import type { FunctionInfo } from '../../protocol/functions';
import type { InvocationRecord } from '../../protocol/records';
import { MethodParams } from '../../server/method-params';
import { AsyncInvocationQueue, closeParent, deliverySummary, parentRecord, type AsyncDestinationRecord, type AsyncInvocationPolicy } from '../async-invocation';
import { matchesFilterPolicy, validateFilterPolicy, type FilterPolicyScope, type SnsMessageAttribute } from './filter-policy';
import { SnsApi } from './sns-api';
import { buildSnsEvent, newNotification, sqsEnvelope, subscriptionArn, topicArn, topicName, validatePublish, validateTopicName } from './sns-event';
import { readJsonLines } from '../../util/json-lines';

export interface SnsSourceOptions {
  asyncPolicy?: Partial<AsyncInvocationPolicy>;
}

interface Subscription {
  fn: FunctionInfo;
  eventName: string;
  arn: string;
  filterPolicy?: unknown;
  scope: FilterPolicyScope;
  /** Set when the template's policy is invalid: SNS would refuse the subscription, we deliver nothing. */
  invalid?: string;
}

/** A subscription that delivers into an SQS queue (from the template or the Subscribe API). */
export interface QueueSubscription {
  topic: string;
  arn: string;
  /** The queue: ARN, name or URL, as given. */
  endpoint: string;
  raw: boolean;
  filterPolicy?: unknown;
  scope: FilterPolicyScope;
  origin: 'template' | 'api';
}

/** What survives a restart of the topics and subscriptions the SNS API created. */
interface SavedState {
  topics: string[];
  subscriptions: QueueSubscription[];
}

interface FailureEntry {
  topic: string;
  subscriptionArn: string;
  messageId: string;
  destination: AsyncDestinationRecord;
  record: InvocationRecord;
}

export class SnsSource implements EventSource {
  readonly name = 'sns';
  private context!: HostContext;
  private queue!: AsyncInvocationQueue;
  private subscriptions = new Map<string, Subscription[]>();
  /** Topics created by a publish (SNS CreateTopic is idempotent; publishing to a new name creates it here). */
  private readonly adHocTopics = new Set<string>();
  private failures: FailureEntry[] = [];
  private failuresFile = '';
  private stateFile = '';
  private readonly deliveries = new Set<Promise<void>>();
  private unsubscribe?: () => void;
  private templateQueueSubs: QueueSubscription[] = [];
  private apiQueueSubs: QueueSubscription[] = [];
  /** Topics the template declares (`AWS::SNS::Topic`), whether or not anything subscribes. */
  private templateTopics = new Set<string>();

  constructor(private readonly options: SnsSourceOptions = {}) {}

  get region(): string {
    return this.context.region;
  }

  get accountId(): string {
    return this.context.accountId;
  }

  awsService(): AwsServiceHandler {
    return new SnsApi(this);
  }

  /** How S3 and other services publish to topics. */
  readonly delivery: TopicDelivery = {
    publishToTopic: async (topic, message) => {
      const { messageId } = await this.publish(topic, message.body, message.subject, snsAttributes(message.attributes), {
        requireTopic: true,
        ...(message.caller ? { caller: message.caller } : {}),
      });
      return { messageId };
    },
  };

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.queue = new AsyncInvocationQueue(context, this.options.asyncPolicy);
    const dir = join(context.stateDir, 'sns');
    await mkdir(dir, { recursive: true });
    this.failuresFile = join(dir, 'failures.jsonl');
    this.failures = await readJsonLines<FailureEntry>(this.failuresFile, (m) => this.context.log.warn(`sns: ${m}`));
    this.stateFile = join(dir, 'api-state.json');
    const saved = await readFile(this.stateFile, 'utf8')
      .then((t) => JSON.parse(t) as SavedState)
      .catch(() => ({ topics: [], subscriptions: [] }) as SavedState);
    for (const t of saved.topics) this.adHocTopics.add(t);
    this.apiQueueSubs = saved.subscriptions;
    this.refresh(context.functions.list());
    this.unsubscribe = context.functions.onDidChange((fns) => this.refresh(fns));
    context.topics = this.delivery;
  }

  async stop(): Promise<void> {
    if (this.context?.topics === this.delivery) delete this.context.topics;
    this.unsubscribe?.();
    await this.queue?.stop();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Resolves once every publish so far has finished all deliveries and retries. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  methods(): MethodHandlers {
    return {
      'sns.publish': async (params) => {
        const p = new MethodParams(params, 'sns.publish', '{"topic":"orders","message":"hello"}');
        const topic = p.string('topic', 'a topic name or ARN');
        const message = p.text('message');
        const subject = p.optionalString('subject');
        const attributes = p.optionalObject('messageAttributes', 'an object of {"Type":"String","Value":"…"}');
        for (const [name, value] of Object.entries(attributes ?? {})) {
          const a = value as Record<string, unknown> | null;
          if (typeof a !== 'object' || a === null || typeof a.Type !== 'string' || typeof a.Value !== 'string') {
            p.element(`messageAttributes.${name}`, 'an object {"Type":"String","Value":"…"}', value);
          }
        }
        return this.publish(topic, message, subject, attributes as Record<string, SnsMessageAttribute> | undefined);
      },
      'sns.listTopics': async () => this.listTopics(),
      'sns.listFailures': async (params) => this.listFailures(new MethodParams(params, 'sns.listFailures', '{"topic":"orders"}').optionalString('topic')),
    };
  }

  private refresh(functions: FunctionInfo[]): void {
    const next = new Map<string, Subscription[]>();
    for (const fn of functions) {
      for (const ev of fn.events) {
        if (ev.type !== 'SNS') continue;
        const topic = topicName(ev.topic);
        const arn = topicArn(this.context.region, this.context.accountId, topic);
        const sub: Subscription = {
          fn,
          eventName: ev.name,
          arn: subscriptionArn(arn, fn.name, ev.name),
          scope: ev.filterPolicyScope ?? 'MessageAttributes',
          ...(ev.filterPolicy !== undefined ? { filterPolicy: ev.filterPolicy } : {}),
        };
        if (ev.filterPolicy !== undefined) {
          try {
            validateFilterPolicy(ev.filterPolicy, sub.scope);
          } catch (err) {
            sub.invalid = (err as Error).message;
            this.context.log.warn(`sns: ${fn.name} (${ev.name}) on ${topic}: ${sub.invalid}; this subscription receives nothing`);
          }
        }
        const list = next.get(topic) ?? [];
        list.push(sub);
        next.set(topic, list);
      }
    }
    this.subscriptions = next;
    const resources = this.context.functions.resources();
    this.templateTopics = templateTopicNames(resources);
    this.templateQueueSubs = templateQueueSubscriptions(resources, this.context.region, this.context.accountId);
  }

  /** Every topic there is: the template's, the functions' and the ones the API or a publish created. */
  topicNames(): string[] {
    return [...new Set([...this.templateTopics, ...this.subscriptions.keys(), ...this.adHocTopics])].sort();
  }

  hasTopic(topic: string): boolean {
    const name = topicName(topic);
    return this.templateTopics.has(name) || this.subscriptions.has(name) || this.adHocTopics.has(name);
  }

  async createTopic(name: string): Promise<string> {
    validateTopicName(name);
    if (!this.hasTopic(name)) {
      this.adHocTopics.add(name);
      await this.saveState();
    }
    return topicArn(this.context.region, this.context.accountId, name);
  }

  async deleteTopic(topic: string): Promise<void> {
    const name = topicName(topic);
    this.adHocTopics.delete(name);
    this.apiQueueSubs = this.apiQueueSubs.filter((s) => s.topic !== name);
    await this.saveState();
  }

  /** Every subscription (Lambda and SQS) as the ListSubscriptions API reports it. */
  listSubscriptions(topic?: string): { arn: string; topicArn: string; protocol: string; endpoint: string }[] {
    const { region, accountId } = this.context;
    const out: { arn: string; topicArn: string; protocol: string; endpoint: string }[] = [];
    for (const [name, subs] of [...this.subscriptions].sort(([a], [b]) => a.localeCompare(b))) {
      if (topic !== undefined && name !== topicName(topic)) continue;
      for (const s of subs) {
        out.push({
          arn: s.arn,
          topicArn: topicArn(region, accountId, name),
          protocol: 'lambda',
          endpoint: `arn:aws:lambda:${region}:${accountId}:function:${s.fn.name}`,
        });
      }
    }
    for (const s of [...this.templateQueueSubs, ...this.apiQueueSubs]) {
      if (topic !== undefined && s.topic !== topicName(topic)) continue;
      out.push({ arn: s.arn, topicArn: topicArn(region, accountId, s.topic), protocol: 'sqs', endpoint: s.endpoint });
    }
    return out;
  }

  /** The Subscribe API: an SQS queue (raw or enveloped delivery); Lambda subscriptions come from the functions' SNS events. */
  async subscribe(topic: string, protocol: string, endpoint: string, attributes: Record<string, string>): Promise<string> {
    const name = topicName(topic);
    if (!this.hasTopic(name)) throw new UserError('Topic does not exist', `create it first (CreateTopic) or declare it in the template`, 'ResourceNotFound');
    if (protocol !== 'sqs') {
      throw new UserError(
        `Invalid parameter: Protocol '${protocol}' is not supported by the local SNS API`,
        'subscribe an SQS queue here; Lambda subscriptions come from the functions’ SNS events in the template',
        'InvalidParameter',
      );
    }
    if (!endpoint) throw new UserError('Invalid parameter: Endpoint', 'give the queue ARN', 'InvalidParameter');
    const existing = [...this.templateQueueSubs, ...this.apiQueueSubs].find((s) => s.topic === name && s.endpoint === endpoint);
    if (existing) return existing.arn;
    let filterPolicy: unknown;
    const scope: FilterPolicyScope = attributes['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
    if (attributes['FilterPolicy'] !== undefined) {
      try {
        filterPolicy = JSON.parse(attributes['FilterPolicy']);
      } catch {
        throw new UserError('Invalid parameter: FilterPolicy: failed to parse JSON', undefined, 'InvalidParameter');
      }
      validateFilterPolicy(filterPolicy, scope);
    }
    const sub: QueueSubscription = {
      topic: name,
      arn: `${topicArn(this.context.region, this.context.accountId, name)}:${randomUUID()}`,
      endpoint,
      raw: attributes['RawMessageDelivery'] === 'true',
      scope,
      ...(filterPolicy !== undefined ? { filterPolicy } : {}),
      origin: 'api',
    };
    this.apiQueueSubs.push(sub);
    await this.saveState();
    return sub.arn;
  }

  async removeSubscription(arn: string): Promise<void> {
    this.apiQueueSubs = this.apiQueueSubs.filter((s) => s.arn !== arn);
    await this.saveState();
  }

  private async saveState(): Promise<void> {
    const state: SavedState = { topics: [...this.adHocTopics].sort(), subscriptions: this.apiQueueSubs };
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(tmp, this.stateFile);
  }

  private listTopics(): { name: string; arn: string; subscribers: string[] }[] {
    const names = new Set([...this.subscriptions.keys(), ...this.adHocTopics, ...this.templateTopics]);
    return [...names].sort().map((name) => ({
      name,
      arn: topicArn(this.context.region, this.context.accountId, name),
      subscribers: (this.subscriptions.get(name) ?? []).map((s) => s.fn.name),
    }));
  }

  private listFailures(topic?: string): InvocationRecord[] {
    const wanted = topic === undefined ? undefined : topicName(topic);
    return this.failures
      .filter((f) => wanted === undefined || f.topic === wanted)
      .map((f) => ({
        ...f.record,
        source: { ...(f.record.source ?? {}), topic: f.topic, subscriptionArn: f.subscriptionArn, messageId: f.messageId, destination: f.destination },
      }));
  }

  /**
   * Publishes to every subscription of the topic. `requireTopic`: the topic must exist, as in the SNS
   * API (the protocol's `sns.publish` creates it, a convenience for trying a function); `caller`: the
   * invocation that published, whose trace the deliveries join.
   */
  async publish(
    topicOrArn: string,
    message: string,
    subject: string | undefined,
    messageAttributes: Record<string, SnsMessageAttribute> | undefined,
    options: { requireTopic?: boolean; caller?: CallerInvocation } = {},
  ): Promise<{ messageId: string; recordId: string }> {
    const topic = topicName(String(topicOrArn ?? ''));
    validateTopicName(topic);
    validatePublish({ message, subject, messageAttributes });
    if (options.requireTopic && !this.hasTopic(topic))
      throw new UserError('Topic does not exist', `known topics: ${this.topicNames().join(', ') || 'none'}`, 'ResourceNotFound');
    if (!this.hasTopic(topic)) this.adHocTopics.add(topic);
    const arn = topicArn(this.context.region, this.context.accountId, topic);
    const notification = newNotification({
      topicArn: arn,
      message,
      ...(subject !== undefined ? { subject } : {}),
      ...(messageAttributes !== undefined ? { messageAttributes } : {}),
    });
    const subs = this.subscriptions.get(topic) ?? [];
    const matched = subs.filter(
      (s) =>
        !s.invalid &&
        s.fn.supported !== false &&
        matchesFilterPolicy(s.filterPolicy, s.scope, { body: message, ...(messageAttributes ? { attributes: messageAttributes } : {}) }),
    );
    const caller = options.caller;
    const queueSubs = [...this.templateQueueSubs, ...this.apiQueueSubs].filter(
      (s) =>
        s.topic === topic && matchesFilterPolicy(s.filterPolicy, s.scope, { body: message, ...(messageAttributes ? { attributes: messageAttributes } : {}) }),
    );
    for (const s of queueSubs) this.deliverToQueue(s, notification, caller);
    const parent = parentRecord({
      kind: 'sns-publish',
      trigger: 'sns',
      functionName: topic,
      ...(caller ? { parentId: caller.recordId } : {}),
      event: { TopicArn: arn, Message: message, Subject: subject ?? null, MessageAttributes: messageAttributes ?? {}, MessageId: notification.messageId },
      source: {
        topic,
        topicArn: arn,
        messageId: notification.messageId,
        subscribers: matched.map((s) => s.fn.name),
        ...(queueSubs.length ? { queues: queueSubs.map((s) => s.endpoint) } : {}),
        filteredOut: subs.filter((s) => !matched.includes(s)).map((s) => s.fn.name),
      },
    });
    if (caller) parent.traceId = caller.traceId;
    this.context.records.open(parent);
    const outcomes = matched.map((s) => {
      const handle = this.queue.invoke({
        fn: s.fn,
        event: buildSnsEvent(notification, s.arn, this.context.region),
        trigger: 'sns',
        parentId: parent.id,
        source: { topic, messageId: notification.messageId, subscriptionArn: s.arn },
        onFailure: (destination, last) => this.recordFailure({ topic, subscriptionArn: s.arn, messageId: notification.messageId, destination, record: last }),
      });
      return handle.done;
    });
    const delivery = Promise.all(outcomes).then((results) => {
      const status = results.some((r) => r.status === 'interrupted') ? 'interrupted' : results.every((r) => r.status === 'success') ? 'success' : 'error';
      closeParent(this.context.records, parent, status, {
        deliveries: results.map((r, i) => deliverySummary(matched[i]!.fn.name, r)),
      });
    });
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return { messageId: notification.messageId, recordId: parent.id };
  }

  private deliverToQueue(s: QueueSubscription, notification: ReturnType<typeof newNotification>, caller: CallerInvocation | undefined): void {
    const queues = this.context.queues;
    if (!queues) {
      this.context.log.warn(`sns: ${s.topic} → ${s.endpoint}: no SQS source is running; the message is not delivered`);
      return;
    }
    const attrs = notification.input.messageAttributes ?? {};
    const message: ServiceMessage = s.raw
      ? {
          body: notification.input.message,
          attributes: Object.fromEntries(
            Object.entries(attrs).map(([k, v]) => [
              k,
              v.Type.startsWith('Binary') ? { DataType: v.Type, BinaryValue: v.Value } : { DataType: v.Type, StringValue: v.Value },
            ]),
          ),
        }
      : { body: JSON.stringify(sqsEnvelope(notification, s.arn, this.context.region)) };
    if (caller) message.caller = caller;
    const delivery = queues.sendToQueue(s.endpoint, message).then(
      () => undefined,
      (err: unknown) => this.context.log.warn(`sns: ${s.topic} → ${s.endpoint}: ${(err as Error).message}`),
    );
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  private async recordFailure(entry: FailureEntry): Promise<void> {
    this.failures.push(entry);
    await appendFile(this.failuresFile, `${JSON.stringify(entry)}\n`);
  }
}

/** SQS-style attributes (S3 and EventBridge messages) as SNS message attributes. */
function snsAttributes(attributes: ServiceMessage['attributes']): Record<string, SnsMessageAttribute> | undefined {
  if (!attributes) return undefined;
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue ?? '' }]));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `!Ref Topic` / `!GetAtt Queue.Arn` the loader kept unresolved, read as the resource's name; strings as they are. */
function resourceName(v: unknown, resources: Record<string, TemplateResource>, nameProp: string): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  const getAtt = v['Fn::GetAtt'];
  const ref = v['Ref'];
  const id = Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : typeof ref === 'string' ? ref : undefined;
  if (id === undefined) return undefined;
  const name = resources[id]?.Properties?.[nameProp];
  return typeof name === 'string' ? name : id;
}

function templateTopicNames(resources: Record<string, TemplateResource>): Set<string> {
  const out = new Set<string>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::SNS::Topic') continue;
    const name = r.Properties?.['TopicName'];
    out.add(typeof name === 'string' ? name : id);
  }
  return out;
}

/** `AWS::SNS::Subscription` resources and the topics' own `Subscription` lists with Protocol sqs. */
function templateQueueSubscriptions(resources: Record<string, TemplateResource>, region: string, accountId: string): QueueSubscription[] {
  const out: QueueSubscription[] = [];
  const add = (topic: string, endpoint: string, props: Record<string, unknown>, key: string) => {
    const scope: FilterPolicyScope = props['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
    const policy = typeof props['FilterPolicy'] === 'string' ? safeJson(props['FilterPolicy']) : props['FilterPolicy'];
    out.push({
      topic,
      arn: subscriptionArn(topicArn(region, accountId, topic), endpoint, key),
      endpoint,
      raw: props['RawMessageDelivery'] === true || props['RawMessageDelivery'] === 'true',
      scope,
      ...(policy !== undefined ? { filterPolicy: policy } : {}),
      origin: 'template',
    });
  };
  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    if (r.Type === 'AWS::SNS::Subscription' && String(props['Protocol']).toLowerCase() === 'sqs') {
      const topic = resourceName(props['TopicArn'], resources, 'TopicName');
      const endpoint = resourceName(props['Endpoint'], resources, 'QueueName');
      if (topic && endpoint) add(topicName(topic), endpoint, props, id);
    }
    if (r.Type === 'AWS::SNS::Topic' && Array.isArray(props['Subscription'])) {
      const name = typeof props['TopicName'] === 'string' ? props['TopicName'] : id;
      props['Subscription'].forEach((s: unknown, i) => {
        if (!isObject(s) || String(s['Protocol']).toLowerCase() !== 'sqs') return;
        const endpoint = resourceName(s['Endpoint'], resources, 'QueueName');
        if (endpoint) add(name, endpoint, {}, `${id}#${i}`);
      });
    }
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
