// EventSource 'sns': topics from the functions' `SNS` events (and any topic a publish names).
// A publish is a parent record (kind 'sns-publish'); it fans out, after each subscription's filter
// policy, to the subscribed functions as asynchronous invocations with Lambda's retries. A delivery
// that still fails lands in the subscription's failure list (`sns.listFailures`), kept on disk in
// `<stateDir>/sns/failures.jsonl` so it survives a restart.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { FunctionInfo } from '../../protocol/functions';
import type { InvocationRecord } from '../../protocol/records';
import {
  AsyncInvocationQueue,
  asyncPolicyFromTemplate,
  closeParent,
  parentRecord,
  type AsyncDestinationRecord,
  type AsyncInvocationPolicy,
} from '../async-invocation';
import { matchesFilterPolicy, validateFilterPolicy, type FilterPolicyScope, type SnsMessageAttribute } from './filter-policy';
import { buildSnsEvent, newNotification, subscriptionArn, topicArn, topicName, validatePublish, validateTopicName } from './sns-event';
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
  private readonly deliveries = new Set<Promise<void>>();
  private unsubscribe?: () => void;

  constructor(private readonly options: SnsSourceOptions = {}) {}

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.queue = new AsyncInvocationQueue(context, this.options.asyncPolicy);
    const dir = join(context.stateDir, 'sns');
    await mkdir(dir, { recursive: true });
    this.failuresFile = join(dir, 'failures.jsonl');
    this.failures = await readJsonLines<FailureEntry>(this.failuresFile, (m) => context.log.warn(`sns: ${m}`));
    this.refresh(context.functions.list());
    this.unsubscribe = context.functions.onDidChange((fns) => this.refresh(fns));
  }

  async stop(): Promise<void> {
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
      'sns.publish': async (p) => this.publish(p.topic, p.message, p.subject, p.messageAttributes),
      'sns.listTopics': async () => this.listTopics(),
      'sns.listFailures': async (p) => this.listFailures(p?.topic),
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
  }

  private listTopics(): { name: string; arn: string; subscribers: string[] }[] {
    const names = new Set([...this.subscriptions.keys(), ...this.adHocTopics]);
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

  private async publish(
    topicOrArn: string,
    message: string,
    subject: string | undefined,
    messageAttributes: Record<string, SnsMessageAttribute> | undefined,
  ): Promise<{ messageId: string; recordId: string }> {
    const topic = topicName(String(topicOrArn ?? ''));
    validateTopicName(topic);
    validatePublish({ message, subject, messageAttributes });
    if (!this.subscriptions.has(topic)) this.adHocTopics.add(topic);
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
    const parent = parentRecord({
      kind: 'sns-publish',
      trigger: 'sns',
      functionName: topic,
      event: { TopicArn: arn, Message: message, Subject: subject ?? null, MessageAttributes: messageAttributes ?? {}, MessageId: notification.messageId },
      source: {
        topic,
        topicArn: arn,
        messageId: notification.messageId,
        subscribers: matched.map((s) => s.fn.name),
        filteredOut: subs.filter((s) => !matched.includes(s)).map((s) => s.fn.name),
      },
    });
    this.context.records.open(parent);
    const resources = this.context.functions.resources();
    const outcomes = matched.map((s) => {
      const handle = this.queue.invoke({
        fn: s.fn,
        event: buildSnsEvent(notification, s.arn, this.context.region),
        trigger: 'sns',
        parentId: parent.id,
        source: { topic, messageId: notification.messageId, subscriptionArn: s.arn },
        policy: asyncPolicyFromTemplate(resources, s.fn.name),
        onFailure: (destination, last) => this.recordFailure({ topic, subscriptionArn: s.arn, messageId: notification.messageId, destination, record: last }),
      });
      return handle.done;
    });
    const delivery = Promise.all(outcomes).then((results) => {
      const status = results.some((r) => r.status === 'interrupted') ? 'interrupted' : results.every((r) => r.status === 'success') ? 'success' : 'error';
      closeParent(this.context.records, parent, status, {
        deliveries: results.map((r, i) => ({ function: matched[i]!.fn.name, status: r.status, attempts: r.attempts.length })),
      });
    });
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return { messageId: notification.messageId, recordId: parent.id };
  }

  private async recordFailure(entry: FailureEntry): Promise<void> {
    this.failures.push(entry);
    await appendFile(this.failuresFile, `${JSON.stringify(entry)}\n`);
  }
}
