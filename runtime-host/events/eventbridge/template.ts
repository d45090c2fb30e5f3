// The EventBridge buses and rules a template declares, read from its resolved resources: the `default`
// bus and `AWS::Events::EventBus` resources; `AWS::Events::Rule` resources (EventPattern and/or
// ScheduleExpression, EventBusName, State, Targets with Input / InputPath / InputTransformer,
// RetryPolicy, DeadLetterConfig, SqsParameters); and a function's SAM `CloudWatchEvent`,
// `EventBridgeRule` and `Schedule` events, which are rules targeting that function. Also the rule-target reading the
// schedules share (events/schedule/template.ts): whether a rule is enabled, its target's input, and
// which template function a target ARN names.
import type { FunctionCatalog, TemplateResource } from '../../host-context';
import type { EventSourceInfo, FunctionInfo } from '../../protocol/functions';
import { isRecord } from '../../util/values';
import type { InputTransformer, TargetInput } from '../schedule/target-input';
import type { TemplateEventParser } from '../template-events';
import { compileEventPattern, type EventPattern } from './event-pattern';

type Props = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const DEFAULT_BUS = 'default';

/** EventBridge's defaults for a target's RetryPolicy: 185 retries within 24 hours. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 });

export interface RetryPolicy {
  /** 0–185. */
  maximumRetryAttempts: number;
  /** 60–86,400. */
  maximumEventAgeSeconds: number;
}

export interface EventBusDefinition {
  name: string;
  description?: string;
  /** `Resources.Bus`, or `(built in)` for the default bus. */
  declaredAt: string;
}

export type TargetKind = 'lambda' | 'sqs' | 'sns' | 'other';

export interface RuleTargetDefinition extends TargetInput {
  id: string;
  /** The target's ARN as the template resolves it (a function target of a SAM event: the function's ARN). */
  arn: string;
  kind: TargetKind;
  /** Lambda targets: the template function (undefined when the ARN names none). */
  fn?: FunctionInfo;
  retryPolicy: RetryPolicy;
  /** `DeadLetterConfig.Arn`: the SQS queue undeliverable events go to. */
  deadLetterArn?: string;
  /** `SqsParameters.MessageGroupId` (FIFO queue targets). */
  messageGroupId?: string;
  /** The target as ListTargetsByRule reports it. */
  described: Record<string, unknown>;
}

export interface RuleDefinition {
  name: string;
  bus: string;
  /** The pattern as written (ListRules / DescribeRule give it back as JSON text). */
  eventPattern?: unknown;
  /** Compiled; absent when the rule has none or it is invalid (`problem` says why). */
  pattern?: EventPattern;
  scheduleExpression?: string;
  enabled: boolean;
  description?: string;
  targets: RuleTargetDefinition[];
  declaredAt: string;
  /** Why the rule never matches locally (an invalid pattern, which PutRule would refuse). */
  problem?: string;
  /** Targets the host does not deliver to (Step Functions, Kinesis, API destinations…), by id and ARN. */
  unsupportedTargets: string[];
  /** Settings the host ignores, said once at load. */
  notes?: string[];
}

export interface EventBridgeTemplate {
  buses: EventBusDefinition[];
  rules: RuleDefinition[];
}

/** `Enabled: false` (SAM Schedule, CloudWatchEvent), `State: DISABLED` (rules, Scheduler, SAM). */
export function isEnabled(p: Props): boolean {
  if (p.Enabled === false || p.Enabled === 'false') return false;
  const state = text(p.State);
  return state === undefined || state.toUpperCase() !== 'DISABLED';
}

/** Input as EventBridge takes it: JSON text (an object in YAML is the same JSON written out). */
export function inputOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Input, InputPath and InputTransformer of an EventBridge rule target (or a SAM Schedule / EventBridgeRule event). */
export function ruleInputs(p: Props): TargetInput {
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
export function targetFunction(arn: unknown, functions: FunctionCatalog): FunctionInfo | undefined {
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

/** `my-bus` or `arn:aws:events:us-east-1:123456789012:event-bus/my-bus` → `my-bus`. */
export function busNameOf(nameOrArn: string): string {
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

export function busArn(name: string, region: string, accountId: string): string {
  return `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
}

/** Rules of the default bus are `rule/<name>`; rules of a custom bus `rule/<bus>/<name>`. */
export function ruleArn(bus: string, name: string, region: string, accountId: string): string {
  return `arn:aws:events:${region}:${accountId}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
}

/** A resolved ARN's service: `arn:aws:sqs:…` → sqs. */
function kindOfArn(arn: string): TargetKind {
  const service = /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];
  return service === 'lambda' ? 'lambda' : service === 'sqs' ? 'sqs' : service === 'sns' ? 'sns' : 'other';
}

/** A target's ARN as text: a function named by `!Ref` (its name) or an unresolved intrinsic gets the function's ARN. */
function arnText(v: unknown, functions: FunctionCatalog, region: string, accountId: string): string {
  if (typeof v === 'string' && v.startsWith('arn:')) return v;
  const fn = targetFunction(v, functions);
  if (fn) return `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName ?? fn.name}`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function retryPolicyOf(v: unknown): RetryPolicy {
  const p = isRecord(v) ? v : {};
  const retries = Number(p.MaximumRetryAttempts);
  const age = Number(p.MaximumEventAgeInSeconds);
  return {
    maximumRetryAttempts:
      p.MaximumRetryAttempts !== undefined && Number.isInteger(retries) && retries >= 0 && retries <= 185 ? retries : DEFAULT_RETRY_POLICY.maximumRetryAttempts,
    maximumEventAgeSeconds:
      p.MaximumEventAgeInSeconds !== undefined && Number.isInteger(age) && age >= 60 && age <= 86_400 ? age : DEFAULT_RETRY_POLICY.maximumEventAgeSeconds,
  };
}

/** One target of a rule: `target` holds Arn, Id and the target settings (a Targets entry, or a SAM event's Properties). */
function ruleTarget(target: Props, id: string, arnValue: unknown, functions: FunctionCatalog, region: string, accountId: string): RuleTargetDefinition {
  const arn = arnText(arnValue, functions, region, accountId);
  const fn = typeof arnValue === 'string' && arnValue.startsWith('arn:') && kindOfArn(arnValue) !== 'lambda' ? undefined : targetFunction(arnValue, functions);
  const kind: TargetKind = fn ? 'lambda' : kindOfArn(arn);
  const dlq = isRecord(target.DeadLetterConfig) ? text(target.DeadLetterConfig.Arn) : undefined;
  const messageGroupId = isRecord(target.SqsParameters) ? text(target.SqsParameters.MessageGroupId) : undefined;
  const inputs = ruleInputs(target);
  const described: Record<string, unknown> = { Id: id, Arn: arn };
  if (inputs.input !== undefined) described.Input = inputs.input;
  if (inputs.inputPath !== undefined) described.InputPath = inputs.inputPath;
  if (inputs.inputTransformer) described.InputTransformer = inputs.inputTransformer;
  if (isRecord(target.RetryPolicy)) described.RetryPolicy = target.RetryPolicy;
  if (dlq !== undefined) described.DeadLetterConfig = { Arn: dlq };
  if (messageGroupId !== undefined) described.SqsParameters = { MessageGroupId: messageGroupId };
  return {
    id,
    arn,
    kind,
    ...(fn ? { fn } : {}),
    ...inputs,
    retryPolicy: retryPolicyOf(target.RetryPolicy),
    ...(dlq !== undefined ? { deadLetterArn: dlq } : {}),
    ...(messageGroupId !== undefined ? { messageGroupId } : {}),
    described,
  };
}

function withPattern(rule: Omit<RuleDefinition, 'pattern' | 'problem'>): RuleDefinition {
  if (rule.eventPattern === undefined) return rule;
  try {
    return { ...rule, pattern: compileEventPattern(rule.eventPattern) };
  } catch (err) {
    return { ...rule, problem: (err as Error).message };
  }
}

export function eventBridgeFromTemplate(functions: FunctionCatalog, region: string, accountId: string): EventBridgeTemplate {
  const resources = functions.resources();
  const buses: EventBusDefinition[] = [{ name: DEFAULT_BUS, declaredAt: '(built in)' }];
  const rules: RuleDefinition[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type === 'AWS::Events::EventBus') {
      const name = text(res.Properties.Name) ?? id;
      if (name === DEFAULT_BUS) continue;
      const description = text(res.Properties.Description);
      buses.push({ name, declaredAt: `Resources.${id}`, ...(description !== undefined ? { description } : {}) });
    } else if (res.Type === 'AWS::Events::Rule') rules.push(templateRule(id, res, functions, region, accountId));
    else if (res.Type === 'AWS::Serverless::Function') rules.push(...functionRules(id, res, functions, region, accountId));
  }
  buses.sort((a, b) => (a.name === DEFAULT_BUS ? -1 : b.name === DEFAULT_BUS ? 1 : a.name.localeCompare(b.name)));
  rules.sort((a, b) => a.bus.localeCompare(b.bus) || a.name.localeCompare(b.name));
  return { buses, rules };
}

function templateRule(id: string, res: TemplateResource, functions: FunctionCatalog, region: string, accountId: string): RuleDefinition {
  const p = res.Properties;
  const targets: RuleTargetDefinition[] = [];
  const unsupportedTargets: string[] = [];
  for (const t of Array.isArray(p.Targets) ? p.Targets : []) {
    if (!isRecord(t)) continue;
    const target = ruleTarget(t, text(t.Id) ?? String(targets.length), t.Arn, functions, region, accountId);
    targets.push(target);
    if (target.kind === 'other' || (target.kind === 'lambda' && !target.fn)) unsupportedTargets.push(`${target.id} (${target.arn})`);
  }
  const description = text(p.Description);
  const scheduleExpression = text(p.ScheduleExpression);
  return withPattern({
    name: text(p.Name) ?? id,
    bus: busNameOf(text(p.EventBusName) ?? DEFAULT_BUS),
    ...(p.EventPattern !== undefined ? { eventPattern: p.EventPattern } : {}),
    ...(scheduleExpression !== undefined ? { scheduleExpression } : {}),
    enabled: isEnabled(p),
    ...(description !== undefined ? { description } : {}),
    targets,
    declaredAt: `Resources.${id}`,
    unsupportedTargets,
  });
}

/** A function's `CloudWatchEvent` / `EventBridgeRule` (and `Schedule`) events: a rule per event whose one target is the function. */
function functionRules(id: string, res: TemplateResource, functions: FunctionCatalog, region: string, accountId: string): RuleDefinition[] {
  const fn = functions.get(id);
  const events = res.Properties.Events;
  if (!fn || !isRecord(events)) return [];
  const out: RuleDefinition[] = [];
  for (const [eventName, ev] of Object.entries(events)) {
    if (!isRecord(ev) || !isRecord(ev.Properties)) continue;
    const p = ev.Properties;
    // A SAM Schedule event is a rule too (ListRules shows it; events/schedule fires it).
    if (ev.Type === 'Schedule' && typeof p.Schedule === 'string') {
      const arn = `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName ?? fn.name}`;
      const description = text(p.Description);
      out.push({
        name: text(p.Name) ?? `${id}${eventName}`,
        bus: DEFAULT_BUS,
        scheduleExpression: p.Schedule,
        enabled: isEnabled(p),
        ...(description !== undefined ? { description } : {}),
        targets: [{ ...ruleTarget(p, `${id}${eventName}LambdaTarget`, arn, functions, region, accountId), fn }],
        declaredAt: `Resources.${id}.Events.${eventName}`,
        unsupportedTargets: [],
      });
      continue;
    }
    if (ev.Type !== 'CloudWatchEvent' && ev.Type !== 'EventBridgeRule') continue;
    // SAM names the rule `<Function><Event>` (CloudFormation makes it unique on deploy) and its target `<Function><Event>LambdaTarget`.
    const name = text(p.RuleName) ?? `${id}${eventName}`;
    const targetId = (isRecord(p.Target) ? text(p.Target.Id) : undefined) ?? `${id}${eventName}LambdaTarget`;
    const target = ruleTarget(p, targetId, `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName ?? fn.name}`, functions, region, accountId);
    // SAM creates the queue of `DeadLetterConfig: {Type: SQS}` on deploy; locally only an Arn names one.
    const dlq = p.DeadLetterConfig;
    const notes =
      isRecord(dlq) && dlq.Type !== undefined && dlq.Arn === undefined
        ? ['DeadLetterConfig Type: SQS is a queue SAM creates on deploy; locally declare an AWS::SQS::Queue and give its Arn']
        : [];
    out.push(
      withPattern({
        name,
        bus: busNameOf(text(p.EventBusName) ?? DEFAULT_BUS),
        ...(p.Pattern !== undefined ? { eventPattern: p.Pattern } : {}),
        enabled: isEnabled(p),
        targets: [{ ...target, fn }],
        declaredAt: `Resources.${id}.Events.${eventName}`,
        unsupportedTargets: [],
        ...(notes.length ? { notes } : {}),
      }),
    );
  }
  return out;
}

/** SAM `CloudWatchEvent` and `EventBridgeRule` events as the function list shows them: the bus and the pattern. */
export const eventBridgeRuleEvent: TemplateEventParser = ({ name, props: p }, h): EventSourceInfo => ({
  type: 'EventBridgeRule',
  name,
  bus: busNameOf(h.text(p.EventBusName) ?? DEFAULT_BUS),
  ...(p.Pattern !== undefined ? { pattern: p.Pattern } : {}),
});
