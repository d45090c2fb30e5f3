// "New Function…": the handler file, the template resources (the function and what its trigger needs) and
// the sample event for a runtime, a name and a trigger. Pure (no vscode import): the command asks and
// writes, this decides what. The template keeps its text: the new resources are spliced in after the
// last line of `Resources:`, so comments, quoting and blank lines elsewhere stay byte for byte.
import { basename } from 'node:path';
import { Document, isMap, parseDocument, Scalar } from 'yaml';
import { handlerSource } from './handler-templates';

export type AuthoringRuntime = 'javascript' | 'typescript' | 'python';
export type AuthoringTrigger = 'http' | 's3' | 'sqs' | 'schedule' | 'none';

export const RUNTIMES: { id: AuthoringRuntime; label: string; description: string }[] = [
  { id: 'javascript', label: 'Node.js (JavaScript)', description: 'nodejs22.x, an ES module (.mjs)' },
  { id: 'typescript', label: 'Node.js (TypeScript)', description: 'nodejs22.x, compiled on the fly here, by esbuild at sam build' },
  { id: 'python', label: 'Python', description: 'python3.12' },
];

export const TRIGGERS: { id: AuthoringTrigger; label: string; description: string }[] = [
  { id: 'http', label: 'HTTP API', description: 'an HttpApi route: GET /<name>' },
  { id: 's3', label: 'S3', description: 'objects created in a new bucket' },
  { id: 'sqs', label: 'SQS', description: 'messages from a new queue, with partial batch failures' },
  { id: 'schedule', label: 'Schedule', description: 'EventBridge, every hour' },
  { id: 'none', label: 'None', description: 'invoked directly (SDK, Step Functions, another function)' },
];

export const RUNTIME_IDS: Record<AuthoringRuntime, string> = { javascript: 'nodejs22.x', typescript: 'nodejs22.x', python: 'python3.12' };
const EXTENSIONS: Record<AuthoringRuntime, string> = { javascript: '.mjs', typescript: '.ts', python: '.py' };

export interface NewFunctionSpec {
  /** Logical id in the template, e.g. `OrdersApi`. */
  name: string;
  runtime: AuthoringRuntime;
  trigger: AuthoringTrigger;
  /** The project has @types/aws-lambda: TypeScript handlers import its types. */
  awsLambdaTypes: boolean;
}

export interface NewFunctionPlan {
  /** Paths relative to the project root. */
  handlerPath: string;
  handlerText: string;
  templatePath: string;
  templateText: string;
  templateCreated: boolean;
  /** 0-based line of the `handler` export in the handler file (the CodeLens sits there). */
  handlerLine: number;
  /** The saved event to write (`events/<name>/<eventName>.json`), from the host's sample-event library. */
  sampleEvent: { name: string; template?: string; params: Record<string, string>; literal?: unknown };
}

/** `OrdersApi` → `orders-api`. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Why a name cannot be the new function's logical id (undefined when it can). */
export function checkFunctionName(name: string, templateText: string | undefined): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) return 'A template logical id: letters and digits, starting with a letter (e.g. OrdersApi)';
  const taken = templateText ? resourceIds(templateText) : [];
  for (const id of [name, `${name}Bucket`, `${name}Queue`]) if (taken.includes(id)) return `The template already has a resource named ${id}`;
  return undefined;
}

function resourceIds(templateText: string): string[] {
  const doc = parseDocument(templateText, { logLevel: 'silent', prettyErrors: false });
  const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  return isMap(resources) ? resources.items.map((p) => String((p.key as Scalar).value)) : [];
}

/** The template's global runtime (`Globals.Function.Runtime`), when it has one. */
function globalRuntime(templateText: string): string | undefined {
  const doc = parseDocument(templateText, { logLevel: 'silent', prettyErrors: false });
  const value = doc.getIn(['Globals', 'Function', 'Runtime']);
  return typeof value === 'string' ? value : undefined;
}

function tagged(tag: string, value: string): Scalar {
  const s = new Scalar(value);
  s.tag = tag;
  return s;
}

/** The resources a function with this trigger needs, in template order (the function last). */
export function resourcesFor(spec: NewFunctionSpec, templateText: string | undefined): Record<string, unknown> {
  const folder = kebab(spec.name);
  const props: Record<string, unknown> = { CodeUri: `src/${folder}/`, Handler: 'app.handler' };
  const global = templateText ? globalRuntime(templateText) : undefined;
  const runtime = RUNTIME_IDS[spec.runtime];
  const family = (r: string) => r.replace(/[\d.]+x?$/, '');
  if (!global || family(global) !== family(runtime)) props.Runtime = runtime;
  const extra: Record<string, unknown> = {};
  switch (spec.trigger) {
    case 'http':
      props.Events = { Api: { Type: 'HttpApi', Properties: { Path: `/${folder}`, Method: 'get' } } };
      break;
    case 's3':
      extra[`${spec.name}Bucket`] = { Type: 'AWS::S3::Bucket' };
      props.Events = { Upload: { Type: 'S3', Properties: { Bucket: tagged('!Ref', `${spec.name}Bucket`), Events: 's3:ObjectCreated:*' } } };
      break;
    case 'sqs':
      extra[`${spec.name}Queue`] = { Type: 'AWS::SQS::Queue' };
      props.Events = {
        Queue: {
          Type: 'SQS',
          Properties: { Queue: tagged('!GetAtt', `${spec.name}Queue.Arn`), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] },
        },
      };
      break;
    case 'schedule':
      props.Events = { Hourly: { Type: 'Schedule', Properties: { Schedule: 'rate(1 hour)' } } };
      break;
    case 'none':
      break;
  }
  const fn: Record<string, unknown> = { Type: 'AWS::Serverless::Function', Properties: props };
  // What `sam build` needs to bundle a TypeScript handler (the host compiles it on the fly without it).
  if (spec.runtime === 'typescript') fn.Metadata = { BuildMethod: 'esbuild', BuildProperties: { Target: 'es2022', EntryPoints: ['app.ts'] } };
  return { ...extra, [spec.name]: fn };
}

export function sampleEventFor(spec: NewFunctionSpec): NewFunctionPlan['sampleEvent'] {
  const folder = kebab(spec.name);
  switch (spec.trigger) {
    case 'http':
      return { name: `get-${folder}`, template: 'http-api', params: { method: 'GET', path: `/${folder}`, routeKey: `GET /${folder}` } };
    case 's3':
      return { name: 's3-put', template: 's3-put', params: { bucket: `${spec.name}Bucket` } };
    case 'sqs':
      return { name: 'sqs-message', template: 'sqs', params: { queue: `${spec.name}Queue` } };
    case 'schedule':
      return { name: 'hourly', template: 'eventbridge-schedule', params: { rule: `${spec.name}Hourly` } };
    case 'none':
      return { name: 'sample', params: {}, literal: { name: 'world' } };
  }
}

export function planNewFunction(projectName: string, existingTemplate: { path: string; text: string } | undefined, spec: NewFunctionSpec): NewFunctionPlan {
  const problem = checkFunctionName(spec.name, existingTemplate?.text);
  if (problem) throw new Error(problem);
  const handlerPath = `src/${kebab(spec.name)}/app${EXTENSIONS[spec.runtime]}`;
  const { text: handlerText, line: handlerLine } = handlerSource(spec.runtime, spec.trigger, spec.awsLambdaTypes, spec.name);
  const resources = resourcesFor(spec, existingTemplate?.text);
  const templateText = existingTemplate ? addResources(existingTemplate.text, resources) : newTemplate(projectName, resources);
  return {
    handlerPath,
    handlerText,
    handlerLine,
    templatePath: existingTemplate?.path ?? 'template.yaml',
    templateText,
    templateCreated: !existingTemplate,
    sampleEvent: sampleEventFor(spec),
  };
}

function newTemplate(projectName: string, resources: Record<string, unknown>): string {
  const head = ["AWSTemplateFormatVersion: '2010-09-09'", 'Transform: AWS::Serverless-2016-10-31', `Description: ${basename(projectName)}`, '', 'Resources:'];
  return `${head.join('\n')}\n${resourceBlocks(resources, { childIndent: 2, unit: 2, indentSeq: true, spaced: true })}`;
}

interface Layout {
  /** Indentation of the keys under `Resources:`. */
  childIndent: number;
  /** One level of indentation inside a resource. */
  unit: number;
  /** `- item` indented under its key (true) or at the key's column. */
  indentSeq: boolean;
  /** Resources separated by a blank line. */
  spaced: boolean;
}

function resourceBlocks(resources: Record<string, unknown>, layout: Layout): string {
  return Object.entries(resources)
    .map(([id, value]) => {
      // Rendered two spaces a level (where yaml's indentSeq is exact), then each level widened to the file's unit.
      const text = new Document({ [id]: value }).toString({ indent: 2, lineWidth: 0, indentSeq: layout.indentSeq });
      return text
        .trimEnd()
        .split('\n')
        .map((l) => {
          const levels = (l.length - l.trimStart().length) / 2;
          return `${' '.repeat(layout.childIndent + levels * layout.unit)}${l.trimStart()}`;
        })
        .join('\n');
    })
    .join(layout.spaced ? '\n\n' : '\n')
    .concat('\n');
}

const TOP_LEVEL_KEY = /^[^\s#][^:]*:/;

/**
 * Adds resources at the end of the template's `Resources:` section (creating the section if there is
 * none), indented like the resources already there. Everything else in the text is left as it was.
 */
export function addResources(text: string, resources: Record<string, unknown>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^Resources\s*:\s*(#.*)?$/.test(l));
  let out: string;
  if (start < 0) {
    if (lines.some((l) => /^Resources\s*:/.test(l))) return addWithDocument(text, resources);
    const body = text.replace(/\s*$/, '');
    out = `${body}${body ? '\n\n' : ''}Resources:\n${resourceBlocks(resources, { childIndent: 2, unit: 2, indentSeq: true, spaced: true })}`;
  } else {
    let end = lines.length;
    for (let i = start + 1; i < lines.length; i++) {
      if (TOP_LEVEL_KEY.test(lines[i]!)) {
        end = i;
        break;
      }
    }
    const section = lines.slice(start + 1, end);
    let last = -1;
    section.forEach((l, i) => {
      if (/^\s+\S/.test(l)) last = i;
    });
    const layout = layoutOf(section, lines);
    const block = resourceBlocks(resources, layout).replace(/\n$/, '').split('\n');
    const insertAt = start + 1 + last + 1;
    const before = lines.slice(0, insertAt);
    const after = lines.slice(insertAt);
    out = [...before, ...(last >= 0 && layout.spaced ? [''] : []), ...block, ...after].join('\n');
  }
  const result = eol === '\n' ? out : out.replace(/\r?\n/g, eol);
  const check = parseDocument(result, { logLevel: 'silent', prettyErrors: false });
  const ok = check.errors.length === 0 && Object.keys(resources).every((id) => check.getIn(['Resources', id, 'Type']) !== undefined);
  return ok ? result : addWithDocument(text, resources);
}

function layoutOf(section: string[], all: string[]): Layout {
  const content = section.filter((l) => /^\s+[^\s#]/.test(l));
  const indentOf = (l: string) => l.length - l.trimStart().length;
  const childIndent = content.length ? indentOf(content[0]!) : 2;
  const deeper = content.find((l) => indentOf(l) > childIndent);
  const unit = deeper ? indentOf(deeper) - childIndent : childIndent;
  // A sequence item at its key's column anywhere in the file: the file does not indent sequences.
  let indentSeq = true;
  for (let i = 1; i < all.length; i++) {
    const m = /^(\s*)- /.exec(all[i]!);
    if (!m) continue;
    const prev = all
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (prev && /:\s*$/.test(prev) && indentOf(prev) === m[1]!.length) indentSeq = false;
    break;
  }
  const keys = section.map((l, i) => ({ l, i })).filter(({ l }) => indentOf(l) === childIndent && /^\s+[^\s#-][^:]*:/.test(l));
  const spaced = keys.length < 2 || keys.slice(1).some(({ i }) => section[i - 1]!.trim() === '' || section[i - 1]!.trim().startsWith('#'));
  return { childIndent, unit, indentSeq, spaced };
}

/** The fallback for shapes the splice does not handle (`Resources: {}` in flow style): the yaml Document API, which keeps comments. */
function addWithDocument(text: string, resources: Record<string, unknown>): string {
  const doc = parseDocument(text);
  for (const [id, value] of Object.entries(resources)) doc.setIn(['Resources', id], doc.createNode(value));
  return doc.toString({ lineWidth: 0 });
}
