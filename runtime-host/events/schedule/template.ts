// The schedules a template declares, read from its resolved resources: a function's SAM `Schedule`
// (an EventBridge rule) and `ScheduleV2` (an EventBridge Scheduler schedule) events, and
// `AWS::Events::Rule` / `AWS::Scheduler::Schedule` resources with a ScheduleExpression whose target
// is a template function. Rules with only an EventPattern are not schedules and are left out (they are
// the EventBridge source's: events/eventbridge/template.ts, which also owns the rule-target reading used here).
import type { FunctionCatalog, TemplateResource } from '../../host-context';
import type { EventSourceInfo, FunctionInfo } from '../../protocol/functions';
import { isRecord } from '../../util/values';
import { inputOf, isEnabled, ruleInputs, targetFunction } from '../eventbridge/template';
import type { TemplateEventParser } from '../template-events';
import type { InputTransformer } from './target-input';

export interface ScheduleDefinition {
  name: string;
  service: 'rule' | 'scheduler';
  fn: FunctionInfo;
  expression: string;
  timeZone?: string;
  enabled: boolean;
  /** The target's `Input`: constant JSON text the function receives instead of the scheduled event. */
  input?: string;
  /** A rule target's `InputPath` (JSONPath into the scheduled event). */
  inputPath?: string;
  /** A rule target's `InputTransformer`. */
  inputTransformer?: InputTransformer;
  /** The rule's own name when it differs from `name` (a rule with several function targets lists each as `rule/target`). */
  ruleName?: string;
  /** Scheduler's group (`default` unless GroupName says otherwise). */
  group?: string;
  /** Where it was declared, for messages: `Resources.Nightly` or `Resources.Fn.Events.Nightly`. */
  declaredAt: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function schedulesFromTemplate(functions: FunctionCatalog): ScheduleDefinition[] {
  const resources = functions.resources();
  const out: ScheduleDefinition[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type === 'AWS::Serverless::Function') out.push(...functionEvents(id, res, functions));
    else if (res.Type === 'AWS::Events::Rule') out.push(...ruleTargets(id, res, functions));
    else if (res.Type === 'AWS::Scheduler::Schedule') {
      const s = schedulerSchedule(id, res, functions);
      if (s) out.push(s);
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function functionEvents(id: string, res: TemplateResource, functions: FunctionCatalog): ScheduleDefinition[] {
  const fn = functions.get(id);
  const events = res.Properties.Events;
  if (!fn || !isRecord(events)) return [];
  const out: ScheduleDefinition[] = [];
  for (const [eventName, ev] of Object.entries(events)) {
    if (!isRecord(ev) || !isRecord(ev.Properties)) continue;
    const p = ev.Properties;
    // SAM names the generated rule or schedule `<Function><Event>` unless Name is given.
    const name = text(p.Name) ?? `${id}${eventName}`;
    const declaredAt = `Resources.${id}.Events.${eventName}`;
    const input = inputOf(p.Input);
    if (ev.Type === 'Schedule') {
      const expression = text(p.Schedule);
      if (expression) out.push({ name, service: 'rule', fn, expression, enabled: isEnabled(p), declaredAt, ...ruleInputs(p) });
    } else if (ev.Type === 'ScheduleV2') {
      const expression = text(p.ScheduleExpression);
      const timeZone = text(p.ScheduleExpressionTimezone);
      if (expression) {
        out.push({
          name,
          service: 'scheduler',
          fn,
          expression,
          enabled: isEnabled(p),
          declaredAt,
          group: text(p.GroupName) ?? 'default',
          ...(timeZone ? { timeZone } : {}),
          ...(input !== undefined ? { input } : {}),
        });
      }
    }
  }
  return out;
}

function ruleTargets(id: string, res: TemplateResource, functions: FunctionCatalog): ScheduleDefinition[] {
  const p = res.Properties;
  const expression = text(p.ScheduleExpression);
  if (!expression || !Array.isArray(p.Targets)) return [];
  const name = text(p.Name) ?? id;
  const out: ScheduleDefinition[] = [];
  for (const target of p.Targets) {
    if (!isRecord(target)) continue;
    const fn = targetFunction(target.Arn, functions);
    if (!fn) continue;
    // A rule with several function targets fires each; the name stays the rule's when there is one.
    const targetName = p.Targets.length > 1 ? `${name}/${text(target.Id) ?? fn.name}` : name;
    out.push({
      name: targetName,
      ...(targetName !== name ? { ruleName: name } : {}),
      service: 'rule',
      fn,
      expression,
      enabled: isEnabled(p),
      declaredAt: `Resources.${id}`,
      ...ruleInputs(target),
    });
  }
  return out;
}

function schedulerSchedule(id: string, res: TemplateResource, functions: FunctionCatalog): ScheduleDefinition | undefined {
  const p = res.Properties;
  const expression = text(p.ScheduleExpression);
  const target = p.Target;
  if (!expression || !isRecord(target)) return undefined;
  const fn = targetFunction(target.Arn, functions);
  if (!fn) return undefined;
  const timeZone = text(p.ScheduleExpressionTimezone);
  const input = inputOf(target.Input);
  return {
    name: text(p.Name) ?? id,
    service: 'scheduler',
    fn,
    expression,
    enabled: isEnabled(p),
    declaredAt: `Resources.${id}`,
    group: text(p.GroupName) ?? 'default',
    ...(timeZone ? { timeZone } : {}),
    ...(input !== undefined ? { input } : {}),
  };
}

/** SAM `Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge Scheduler) events as the function list shows them: the schedule expression. */
export const scheduleEvent: TemplateEventParser = ({ name, type, props: p }, h): EventSourceInfo => ({
  type: 'Schedule',
  name,
  schedule: h.textOrMarker(type === 'Schedule' ? p.Schedule : p.ScheduleExpression),
});
