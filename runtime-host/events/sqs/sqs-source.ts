// EventSource 'sqs': the template's queues (AWS::SQS::Queue and the queues functions' SQS events
// name), kept in `<stateDir>/sqs/` so they survive a restart; the SQS API on the local AWS
// endpoint; one SqsMapping per SQS event; `sqs.send` / `sqs.list` / `sqs.purge`; and
// `context.queues`, through which SNS, S3 and EventBridge deliver into queues.
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { SqsQueueInfo, SqsSendParams, SqsSendResult } from '../../protocol/methods';
import type { AwsServiceHandler, QueueDelivery } from '../aws-service';
import { queueConfigFromAttributes } from './queue-config';
import { queueNameOf, QueueStore } from './queue-store';
import { localQueueUrl, SqsApi, sendToQueue } from './sqs-api';
import { SqsError } from './sqs-errors';
import { SqsMapping } from './sqs-mapping';
import { templateQueues, templateSqsEvents, type SqsMappingConfig } from './template';

export class SqsSource implements EventSource {
  readonly name = 'sqs';
  private context!: HostContext;
  private store!: QueueStore;
  private api!: SqsApi;
  private readonly stopping = new AbortController();
  private readonly mappings = new Map<string, { mapping: SqsMapping; signature: string }>();
  private unsubscribe?: () => void;
  private reconcile: Promise<void> = Promise.resolve();

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.store = await QueueStore.open(join(context.stateDir, 'sqs'), {
      region: context.region,
      accountId: context.accountId,
      warn: (m) => context.log.warn(m),
    });
    this.api = new SqsApi({
      store: this.store,
      region: context.region,
      accountId: context.accountId,
      endpoint: () => this.endpoint(),
      stopping: this.stopping.signal,
    });
    const delivery: QueueDelivery = {
      sendToQueue: async (queue, message) => {
        const m = sendToQueue(
          this.store.find(queue),
          {
            body: message.body,
            ...(message.attributes ? { messageAttributes: message.attributes } : {}),
            ...(message.messageGroupId !== undefined ? { groupId: message.messageGroupId } : {}),
            ...(message.deduplicationId !== undefined ? { deduplicationId: message.deduplicationId } : {}),
            ...(message.caller ? { caller: message.caller, awsTraceHeader: `Root=${message.caller.traceId}` } : {}),
          },
          context.accountId,
        );
        await this.store.flush();
        return { messageId: m.messageId };
      },
    };
    context.queues = delivery;
    await this.apply();
    this.unsubscribe = context.functions.onDidChange(() => {
      this.reconcile = this.reconcile.then(() => this.apply()).catch((err: unknown) => context.log.error(`sqs: ${(err as Error).message}`));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.reconcile;
    this.stopping.abort();
    await Promise.all([...this.mappings.values()].map((m) => m.mapping.stop()));
    this.mappings.clear();
    await this.store?.close();
  }

  awsService(): AwsServiceHandler {
    return this.api;
  }

  methods(): MethodHandlers {
    return {
      'sqs.send': async (p) => this.send(p),
      'sqs.list': async () => this.list(),
      'sqs.purge': async (p) => {
        if (typeof p?.queue !== 'string' || p.queue === '') throw new SqsError('MissingParameter', 'A queue name is required.');
        const purged = this.store.find(p.queue).purge();
        await this.store.flush();
        return { purged };
      },
    };
  }

  /** Until the local AWS endpoint listens, queue URLs name a host that answers nothing rather than real AWS. */
  private endpoint(): string {
    return this.context.awsEndpoint ?? `http://sqs.${this.context.region}.localhost`;
  }

  private async send(p: SqsSendParams): Promise<SqsSendResult> {
    if (typeof p?.queue !== 'string' || p.queue === '') throw new SqsError('MissingParameter', 'A queue name is required.', 'sqs.send takes {queue, body}');
    const m = sendToQueue(
      this.store.find(p.queue),
      {
        body: p.body,
        delaySeconds: p.delaySeconds,
        messageAttributes: p.messageAttributes,
        groupId: p.groupId,
        deduplicationId: p.deduplicationId,
      },
      this.context.accountId,
    );
    await this.store.flush();
    return {
      messageId: m.messageId,
      md5OfBody: m.md5OfBody,
      ...(m.sequenceNumber !== undefined ? { sequenceNumber: m.sequenceNumber } : {}),
      ...(m.duplicate ? { duplicate: true } : {}),
    };
  }

  private list(): SqsQueueInfo[] {
    return [...this.store.queues.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((q) => {
        const counts = q.counts();
        const redrive = q.config.redrivePolicy;
        return {
          name: q.name,
          url: localQueueUrl(this.endpoint(), this.context.accountId, q.name),
          arn: q.arn,
          fifo: q.config.fifo,
          ...counts,
          functions: [...this.mappings.values()].filter((m) => m.mapping.queue === q).map((m) => m.mapping.fn.name),
          ...(redrive ? { deadLetterQueue: queueNameOf(redrive.deadLetterTargetArn), maxReceiveCount: redrive.maxReceiveCount } : {}),
        };
      });
  }

  /** Creates or updates the template's queues and (re)starts the mappings whose configuration changed. */
  private async apply(): Promise<void> {
    const resources = this.context.functions.resources();
    const now = this.store.now();
    for (const tq of templateQueues(resources)) {
      try {
        this.store.put(queueConfigFromAttributes(tq.name, tq.attributes, now));
      } catch (err) {
        this.context.log.warn(`sqs: queue ${tq.logicalId} (${tq.name}): ${(err as Error).message}; the queue is not created`);
      }
    }
    const functions = new Map(this.context.functions.list().map((f) => [f.name, f]));
    const wanted: { id: string; fnName: string; eventName: string; queue: string; config: SqsMappingConfig }[] = [];
    for (const ev of templateSqsEvents(resources)) {
      const fn = functions.get(ev.functionName);
      if (!fn || fn.supported === false) continue;
      if (typeof ev.config === 'string') {
        this.context.log.warn(`sqs: ${ev.functionName}/${ev.eventName}: ${ev.config}; the mapping is not started`);
        continue;
      }
      if (!this.store.queues.has(ev.queue)) {
        // A queue named only by an event (an ARN of a queue made elsewhere) exists locally with SQS's defaults.
        try {
          this.store.put(queueConfigFromAttributes(ev.queue, ev.queue.endsWith('.fifo') ? { FifoQueue: 'true' } : {}, now));
        } catch (err) {
          this.context.log.warn(`sqs: ${ev.functionName}/${ev.eventName}: ${(err as Error).message}; the mapping is not started`);
          continue;
        }
      }
      const queue = this.store.queues.get(ev.queue)!;
      if (queue.config.visibilityTimeoutSeconds < fn.timeoutSeconds) {
        this.context.log.warn(
          `sqs: ${ev.functionName}/${ev.eventName}: queue ${ev.queue}'s visibility timeout (${queue.config.visibilityTimeoutSeconds} s) is less than the function's timeout (${fn.timeoutSeconds} s); Lambda refuses such a mapping`,
        );
      }
      wanted.push({ id: `${ev.queue}:${ev.functionName}/${ev.eventName}`, fnName: fn.name, eventName: ev.eventName, queue: ev.queue, config: ev.config });
    }
    await this.store.flush();
    for (const [id, entry] of [...this.mappings]) {
      const w = wanted.find((x) => x.id === id);
      if (!w || JSON.stringify(w.config) !== entry.signature || this.store.queues.get(w.queue) !== entry.mapping.queue) {
        // Let the batch in flight finish: a code edit must not re-deliver it.
        await entry.mapping.stop(false);
        this.mappings.delete(id);
      } else {
        entry.mapping.fn = functions.get(w.fnName)!;
      }
    }
    for (const w of wanted) {
      if (this.mappings.has(w.id)) continue;
      const mapping = new SqsMapping(w.id, functions.get(w.fnName)!, w.eventName, w.config, this.store.queues.get(w.queue)!, this.context);
      this.mappings.set(w.id, { mapping, signature: JSON.stringify(w.config) });
      mapping.start();
    }
  }
}
