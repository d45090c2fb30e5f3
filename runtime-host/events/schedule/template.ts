// The schedules a template declares, read from its resolved resources: a function's SAM `Schedule`
// (an EventBridge rule) and `ScheduleV2` (an EventBridge Scheduler schedule) events, and
// `AWS::Events::Rule` / `AWS::Scheduler::Schedule` resources with a ScheduleExpression whose target
// is a template function. Rules with only an EventPattern are not schedules and are left out.
import type { FunctionCatalog, TemplateResource } from '../../host-context';
import type { EventSourceInfo, FunctionInfo } from '../../protocol/functions';
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

type Props = Record<string, unknown>;

const isRecord = (v: unknown): v is Props => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `Enabled: false` (SAM Schedule), `State: DISABLED` (rules, Scheduler, SAM). */
function isEnabled(p: Props): boolean {
  if (p.Enabled === false || p.Enabled === 'false') return false;
  const state = text(p.State);
  return state === undefined || state.toUpperCase() !== 'DISABLED';
}

/** Input as EventBridge takes it: JSON text (an object in YAML is the same JSON written out). */
function inputOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Input, InputPath and InputTransformer of an EventBridge rule target (or a SAM Schedule event). */
function ruleInputs(p: Props): Pick<ScheduleDefinition, 'input' | 'inputPath' | 'inputTransformer'> {
  const input = inputOf(p.Input);
  const inputPath = text(p.InputPath);
  const t = p.InputTransformer;
  const inputTransformer: InputTransformer | undefined =
    isRecord(t) && typeof t.InputTemplate === 'string'
      ? { InputTemplate: t.InputTemplate, ...(isRecord(t.InputPathsMap) ? { InputPathsMap: stringValues(t.InputPathsMap) } : {}) }
      : undefined;
  return {
    ...(input !== undefined ? { input } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
    ...(inputTransformer ? { inputTransformer } : {}),
  };
}

function stringValues(o: Props): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The function a target ARN (or an unresolved `!GetAtt Fn.Arn` / `!Ref Fn`) names. */
function targetFunction(arn: unknown, functions: FunctionCatalog): FunctionInfo | undefined {
  if (typeof arn === 'string') {
    const m = /:function:([^:]+)(?::[^:]+)?$/.exec(arn);
    return functions.get(m ? m[1]! : arn);
  }
  if (isRecord(arn)) {
    const getAtt = arn['Fn::GetAtt'];
    const id = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : arn.Ref;
    return typeof id === 'string' ? functions.get(id) : undefined;
  }
  return undefined;
}

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
