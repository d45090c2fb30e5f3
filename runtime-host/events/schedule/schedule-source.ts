// EventSource 'schedules': the template's schedules fire while `serve` runs. Each firing is a parent
// record (kind 'schedule-fire') with the function's asynchronous invocation as its child, as
// EventBridge and Scheduler invoke Lambda asynchronously (with Lambda's retries). A rate schedule
// counts from when it was loaded, as a new rule does on AWS. Firings missed while the machine slept
// are not replayed one by one: the schedule fires once and carries on from now.
import { randomUUID } from 'node:crypto';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { ScheduleInfo } from '../../protocol/methods';
import { UserError } from '../../runtime/types';
import { invalidParams } from '../../server/json-rpc';
import { AsyncInvocationQueue, closeParent, parentRecord, type AsyncInvocationPolicy } from '../async-invocation';
import { isoSeconds } from '../templates/ids';
import { systemClock, type ScheduleClock } from './clock';
import { nextFireTime, parseScheduleExpression, validateTimeZone, type ScheduleExpression } from './cron';
import { rulePayload, schedulerPayload } from './target-input';
import { schedulesFromTemplate, type ScheduleDefinition } from './template';

export interface ScheduleSourceOptions {
  /** Default: the machine's clock. */
  clock?: ScheduleClock;
  /** `serve --schedules off`: nothing fires by itself; "fire now" still works. `schedule.pause` changes it while running. */
  paused?: boolean;
  asyncPolicy?: Partial<AsyncInvocationPolicy>;
}

interface ArmedSchedule {
  definition: ScheduleDefinition;
  parsed?: ScheduleExpression;
  problem?: string;
  nextMs?: number;
  cancel?: () => void;
}

export class ScheduleSource implements EventSource {
  readonly name = 'schedules';
  private context!: HostContext;
  private queue!: AsyncInvocationQueue;
  private readonly clock: ScheduleClock;
  private paused: boolean;
  private schedules = new Map<string, ArmedSchedule>();
  private readonly deliveries = new Set<Promise<void>>();
  private unsubscribe?: () => void;

  constructor(private readonly options: ScheduleSourceOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.paused = options.paused === true;
  }

  async start(context: HostContext): Promise<void> {
    this.context = context;
    this.queue = new AsyncInvocationQueue(context, this.options.asyncPolicy);
    this.refresh();
    this.unsubscribe = context.functions.onDidChange(() => this.refresh());
    if (this.paused && this.schedules.size > 0) context.log.info(`schedules: paused (${this.schedules.size} will fire only when fired by hand)`);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const s of this.schedules.values()) s.cancel?.();
    this.schedules.clear();
    await this.queue?.stop();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Resolves once every firing so far has finished its invocation and retries. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  methods(): MethodHandlers {
    return {
      'schedule.list': async () => ({ paused: this.paused, schedules: this.list() }),
      'schedule.fire': async (p) => this.fireNow(p.name),
      'schedule.pause': async (p) => {
        if (typeof p?.paused !== 'boolean') throw invalidParams('schedule.pause needs "paused"', 'e.g. {"paused": true}');
        this.setPaused(p.paused);
        return { paused: this.paused };
      },
    };
  }

  /** Pauses or resumes every schedule; a resumed rate counts from now, as when `serve` loads it. */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const now = this.clock.now();
    for (const s of this.schedules.values()) this.arm(s, now);
    this.context.log.info(`schedules: ${paused ? 'paused (they fire only when fired by hand)' : 'resumed'}`);
  }

  list(): ScheduleInfo[] {
    return [...this.schedules.values()].map(({ definition: d, nextMs, problem }) => ({
      name: d.name,
      function: d.fn.name,
      expression: d.expression,
      ...(d.timeZone ? { timeZone: d.timeZone } : {}),
      service: d.service,
      enabled: d.enabled,
      ...(nextMs !== undefined ? { nextFireTime: new Date(nextMs).toISOString() } : {}),
      ...(problem ? { problem } : {}),
    }));
  }

  /** Re-reads the template: unchanged schedules keep their timers (a rate does not restart on every save). */
  private refresh(): void {
    const next = new Map<string, ArmedSchedule>();
    for (const definition of schedulesFromTemplate(this.context.functions)) {
      const old = this.schedules.get(definition.name);
      if (old && sameDefinition(old.definition, definition)) {
        old.definition = definition;
        next.set(definition.name, old);
        continue;
      }
      old?.cancel?.();
      const armed: ArmedSchedule = { definition };
      try {
        armed.parsed = parseScheduleExpression(definition.expression);
        if (definition.timeZone) validateTimeZone(definition.timeZone);
      } catch (err) {
        armed.problem = err instanceof UserError ? err.message : String(err);
        this.context.log.warn(`schedules: ${definition.name} (${definition.declaredAt}) never fires: ${armed.problem}`);
      }
      next.set(definition.name, armed);
      this.arm(armed, this.clock.now());
    }
    for (const [name, old] of this.schedules) if (!next.has(name)) old.cancel?.();
    this.schedules = next;
  }

  private arm(s: ArmedSchedule, afterMs: number): void {
    s.cancel?.();
    delete s.cancel;
    delete s.nextMs;
    if (!s.parsed || !s.definition.enabled || this.paused) return;
    const next = nextFireTime(s.parsed, new Date(afterMs), s.definition.timeZone);
    if (!next) return;
    const atMs = next.getTime();
    s.nextMs = atMs;
    s.cancel = this.clock.at(atMs, () => {
      if (this.schedules.get(s.definition.name) !== s) return;
      this.fire(s.definition, atMs);
      this.arm(s, Math.max(atMs, this.clock.now()));
    });
  }

  private fireNow(name: string): { recordId: string } {
    if (typeof name !== 'string' || name === '')
      throw invalidParams('schedule.fire needs "name"', 'e.g. {"name": "NightlyReport"}; schedule.list gives the names');
    const s = this.schedules.get(name);
    if (!s) {
      const known = [...this.schedules.keys()];
      throw new UserError(
        `no schedule named "${name}"`,
        known.length ? `known schedules: ${known.join(', ')}` : 'the template declares no schedules',
        'ResourceNotFound',
      );
    }
    return { recordId: this.fire(s.definition, this.clock.now()) };
  }

  /** One firing at `atMs` (the scheduled time, which is the event's `time`). Returns the parent record's id. */
  private fire(d: ScheduleDefinition, atMs: number): string {
    const { region, accountId } = this.context;
    const arn = scheduleArn(d, region, accountId);
    const scheduled = scheduledEvent(d, arn, atMs, region, accountId);
    const event =
      d.service === 'scheduler'
        ? d.input !== undefined
          ? schedulerPayload(d.input, { scheduleArn: arn, scheduledTime: String(scheduled.time), executionId: String(scheduled.id), attemptNumber: 1 })
          : scheduled
        : rulePayload(scheduled, d, { ruleName: d.ruleName ?? d.name, ruleArn: arn });
    const parent = parentRecord({
      kind: 'schedule-fire',
      trigger: 'schedule',
      functionName: d.name,
      event,
      source: { schedule: d.name, service: d.service, arn, expression: d.expression, scheduledTime: new Date(atMs).toISOString(), function: d.fn.name },
    });
    // A rule's firing names the rule, as a routed EventBridge event names the rules it matched.
    if (d.service === 'rule') parent.rules = [d.ruleName ?? d.name];
    this.context.records.open(parent);
    const handle = this.queue.invoke({
      fn: d.fn,
      event,
      trigger: 'schedule',
      parentId: parent.id,
      source: { schedule: d.name, arn },
    });
    const delivery = handle.done.then(
      (outcome) => {
        const status = outcome.status === 'interrupted' ? 'interrupted' : outcome.status === 'success' ? 'success' : 'error';
        closeParent(this.context.records, parent, status, { attempts: outcome.attempts.length, ...(outcome.sentTo ? { sentTo: outcome.sentTo } : {}) });
      },
      (err: unknown) => {
        this.context.log.error(`schedules: ${d.name}: ${(err as Error).message}`);
        closeParent(this.context.records, parent, 'error');
      },
    );
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return parent.id;
  }
}

function sameDefinition(a: ScheduleDefinition, b: ScheduleDefinition): boolean {
  return a.expression === b.expression && a.timeZone === b.timeZone && a.enabled === b.enabled && a.service === b.service;
}

/** The ARN a schedule's events name: the rule's, or the Scheduler schedule's in its group. */
export function scheduleArn(d: Pick<ScheduleDefinition, 'service' | 'group' | 'name' | 'ruleName'>, region: string, accountId: string): string {
  return d.service === 'scheduler'
    ? `arn:aws:scheduler:${region}:${accountId}:schedule/${d.group ?? 'default'}/${d.name}`
    : `arn:aws:events:${region}:${accountId}:rule/${d.ruleName ?? d.name}`;
}

/**
 * What EventBridge sends a Lambda target with no Input. Scheduler's variant has source
 * `aws.scheduler`, the schedule's ARN, and `detail` as the JSON text "{}" rather than an object.
 */
export function scheduledEvent(d: Pick<ScheduleDefinition, 'service'>, arn: string, atMs: number, region: string, accountId: string): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: d.service === 'scheduler' ? 'aws.scheduler' : 'aws.events',
    account: accountId,
    time: isoSeconds(atMs),
    region,
    resources: [arn],
    detail: d.service === 'scheduler' ? '{}' : {},
  };
}
