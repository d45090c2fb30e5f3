// What an EventBridge target receives: the event itself, or the target's `Input` (constant JSON),
// `InputPath` (a JSONPath into the event) or `InputTransformer` (an InputTemplate filled from
// InputPathsMap). Scheduler has only Input, in which it fills its context attributes
// (`<aws.scheduler.scheduled-time>`…). Pure: no I/O.
import { UserError } from '../../runtime/types';

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInput {
  input?: string;
  inputPath?: string;
  inputTransformer?: InputTransformer;
}

export interface RuleContext {
  ruleName: string;
  ruleArn: string;
}

/** `$`, `$.a.b`, `$.a[0]`, `$['a b']`: the subset of JSONPath EventBridge accepts in InputPath. */
export function readPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new UserError(`InputPath "${path}" must start with $`, 'e.g. $.detail or $.detail.id');
  const steps: (string | number)[] = [];
  const re = /\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new UserError(`InputPath "${path}" is not a JSONPath EventBridge reads`, "e.g. $.detail, $.detail.items[0] or $.detail['key name']");
    steps.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4])!);
  }
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** Fills `<name>` placeholders: inside a JSON string as text, elsewhere as a JSON value; the result is JSON when it parses. */
export function fillTemplate(template: string, values: Record<string, unknown>): unknown {
  const out = fillTemplateText(template, values);
  try {
    return JSON.parse(out) as unknown;
  } catch {
    // A template that is not JSON (a plain sentence) reaches the target as that text.
    return out;
  }
}

/** The filled InputTemplate as text, exactly as a queue or topic target receives it. */
export function fillTemplateText(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '"' && template[i - 1] !== '\\') inString = !inString;
    if (ch === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && Object.hasOwn(values, name)) {
        const v = values[name];
        if (inString)
          out += v === undefined || v === null ? '' : typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : JSON.stringify(JSON.stringify(v)).slice(1, -1);
        else out += v === undefined ? 'null' : JSON.stringify(v);
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** The payload an EventBridge rule hands its target for `event`. */
export function rulePayload(event: Record<string, unknown>, target: TargetInput, rule: RuleContext): unknown {
  if (target.input !== undefined) return parseJsonText(target.input);
  if (target.inputPath !== undefined) return readPath(event, target.inputPath) ?? null;
  if (target.inputTransformer) return fillTemplate(target.inputTransformer.InputTemplate, transformerValues(event, target.inputTransformer, rule));
  return event;
}

/** The same payload as text, as a queue (the message body) or a topic (the message) receives it. */
export function rulePayloadText(event: Record<string, unknown>, target: TargetInput, rule: RuleContext): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(readPath(event, target.inputPath) ?? null);
  if (target.inputTransformer) return fillTemplateText(target.inputTransformer.InputTemplate, transformerValues(event, target.inputTransformer, rule));
  return JSON.stringify(event);
}

function transformerValues(event: Record<string, unknown>, transformer: InputTransformer, rule: RuleContext): Record<string, unknown> {
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.ruleArn,
    'aws.events.rule-name': rule.ruleName,
    'aws.events.event': event,
    'aws.events.event.json': event,
    'aws.events.event.ingestion-time': event.time,
  };
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values[name] = readPath(event, path);
  return values;
}

/** Scheduler's Input with its context attributes filled in. */
export function schedulerPayload(input: string, context: { scheduleArn: string; scheduledTime: string; executionId: string; attemptNumber: number }): unknown {
  const filled = input
    .replaceAll('<aws.scheduler.schedule-arn>', context.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', context.scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', context.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(context.attemptNumber));
  return parseJsonText(filled);
}

/** Input is JSON text; text that is not JSON reaches the function as a string. */
function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
