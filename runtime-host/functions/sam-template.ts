// An AWS SAM template → the functions it declares (FunctionInfo) and its resources with Globals,
// parameters and pseudo parameters applied. Mistakes in the template are reported with file:line,
// never as a stack; what needs a real AWS account stays visible as unresolved.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { TemplateResource } from '../host-context';
import type { Architecture } from '../protocol/records';
import { LOCAL_STREAM_LABEL } from '../events/streams/stream-event';
import { cloudFormationEvents, parseTemplateEvent, type TemplateValueHelpers } from '../events/template-events';
import { functionAsyncConfig } from '../events/async-destinations';
import type { EventSourceInfo, FunctionInfo, RuntimeFamily, TemplateProblem } from '../protocol/functions';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../protocol/limits';
import { runtimeFamilyOf } from '../runtime/launch';
import { MAX_LAYERS } from '../runtime/layers';
import { UserError } from '../runtime/types';
import { reservedMessage, reservedNames } from './reserved-variables';
import { cloudFormationTags, describeIntrinsic, intrinsicKey, IntrinsicResolver, type ResourceLike } from './intrinsics';
import { isRecord } from '../util/values';
import { durableConfigOf } from '../durable/template';

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml'];

export interface TemplateOptions {
  region: string;
  accountId: string;
  /** Default `lambda-workbench`. */
  stackName?: string;
  /** `ParameterKey=Value` overrides, as `sam --parameter-overrides` takes them. */
  parameterOverrides?: Record<string, string>;
  /** Paths in messages are shown relative to this folder. */
  displayRoot?: string;
  /** Local folders for layer ARNs the template names (`--layer ARN=DIR`, the `layers` setting). */
  layerFolders?: Record<string, string>;
  /** Where inline code (`InlineCode`, `Code.ZipFile`) is written, one folder per function; default under the OS temp folder. */
  inlineCodeDir?: string;
}

export type { TemplateProblem } from '../protocol/functions';

export interface LoadedTemplate {
  templatePath: string;
  functions: FunctionInfo[];
  resources: Record<string, TemplateResource>;
  /** Things that do not stop the template from loading (a function without Handler, a bad MemorySize …). */
  problems: TemplateProblem[];
  /** Inline code by function logical id: the file to write into the function's `codeUri` (see writeInlineCode). */
  inlineCode: Record<string, InlineCode>;
}

/** A function's inline source, written where Lambda would put it (index.js / index.py in the task root). */
export interface InlineCode {
  codeUri: string;
  fileName: string;
  text: string;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/** `template.yaml` or `template.yml` in `root`, or the explicit file; undefined when there is none. */
export function findTemplate(root: string, explicit?: string): string | undefined {
  if (explicit) {
    const p = isAbsolute(explicit) ? explicit : resolve(root, explicit);
    if (!existsSync(p)) throw new UserError(`template not found: ${explicit}`, 'pass --template with the path of a SAM template (template.yaml)');
    return p;
  }
  for (const name of TEMPLATE_NAMES) {
    const p = resolve(root, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function loadSamTemplate(templatePath: string, options: TemplateOptions): LoadedTemplate {
  let text: string;
  try {
    text = readFileSync(templatePath, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read template ${templatePath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSamTemplate(text, templatePath, options);
}

function displayPath(file: string, root: string | undefined): string {
  if (!root) return file;
  const rel = relative(root, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * SAM's Globals merge (samtranslator's globals plugin): maps merge key by key with the resource
 * winning, lists are the global items followed by the resource's, anything else (scalars,
 * intrinsics, mismatched types) is the resource's value.
 */
export function mergeGlobals(globalValue: unknown, localValue: unknown): unknown {
  if (localValue === undefined) return globalValue;
  if (Array.isArray(globalValue) && Array.isArray(localValue)) return [...globalValue, ...localValue];
  if (isRecord(globalValue) && isRecord(localValue) && !intrinsicKey(globalValue) && !intrinsicKey(localValue)) {
    const out: Record<string, unknown> = { ...globalValue };
    for (const [k, v] of Object.entries(localValue)) out[k] = mergeGlobals(globalValue[k], v);
    return out;
  }
  return localValue;
}

/** The family decides how an environment is launched (one definition, in runtime/launch.ts). */
function runtimeFamily(runtime: string): { family: RuntimeFamily; reason?: string } {
  const family = runtimeFamilyOf(runtime);
  if (family !== 'unsupported') return { family };
  return {
    family: 'unsupported',
    reason: `${runtime || 'a missing Runtime'} is not supported: the host runs nodejs*, python3.*, ruby3.*, java11/17/21/25 and provided* (custom) runtimes`,
  };
}

class TemplateReader {
  readonly problems: TemplateProblem[] = [];
  private readonly file: string;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly templatePath: string,
    options: TemplateOptions,
  ) {
    this.file = displayPath(templatePath, options.displayRoot);
  }

  /** Line and column (1-based) of a key path in the template, e.g. ['Resources', 'Fn', 'Properties', 'Handler']. */
  position(path: string[]): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let offset = 0;
    for (const key of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      const range = isScalar(pair.key) ? pair.key.range : undefined;
      if (range) offset = range[0];
      node = pair.value;
    }
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  problem(path: string[], message: string, severity: TemplateProblem['severity'] = 'error'): string {
    const { line, column } = this.position(path);
    this.problems.push({ file: this.file, path: this.templatePath, line, column, message, severity });
    return `${this.file}:${line}: ${message}`;
  }

  /** Something the template uses that the host does not emulate: said once at load, never a failure later. */
  notEmulated(path: string[], message: string): string {
    this.problem(path, message, 'warning');
    return message;
  }
}

export function parseSamTemplate(text: string, templateFile: string, options: TemplateOptions): LoadedTemplate {
  const templatePath = resolve(templateFile);
  const lines = new LineCounter();
  const doc = parseDocument(text, { customTags: cloudFormationTags(), lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const file = displayPath(templatePath, options.displayRoot);
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new UserError(
      `${file}:${pos.line}:${pos.col}: ${message}`,
      'fix the YAML syntax of the template (CloudFormation short forms like !Ref and !Sub are supported)',
    );
  }
  const raw = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!isRecord(raw)) {
    throw new UserError(`${file}:1:1: the template is not a YAML mapping`, 'a SAM template has top-level keys such as Transform, Globals and Resources');
  }
  const reader = new TemplateReader(doc, lines, templatePath, options);
  const rawResources = isRecord(raw.Resources) ? raw.Resources : {};
  if (!isRecord(raw.Resources)) reader.problem(['Resources'], 'the template has no Resources section');
  const globals = isRecord(raw.Globals) ? raw.Globals : {};

  const parameters: Record<string, unknown> = {};
  if (isRecord(raw.Parameters)) {
    for (const [name, def] of Object.entries(raw.Parameters)) {
      const override = options.parameterOverrides?.[name];
      const value = override ?? (isRecord(def) && 'Default' in def ? def.Default : undefined);
      if (value === undefined) continue;
      const type = isRecord(def) && typeof def.Type === 'string' ? def.Type : 'String';
      const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
      parameters[name] = isList
        ? Array.isArray(value)
          ? value.map(String)
          : String(value)
              .split(',')
              .map((s) => s.trim())
        : String(value);
    }
  }
  const partition = options.region.startsWith('cn-') ? 'aws-cn' : options.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const stackName = options.stackName ?? 'lambda-workbench';
  const pseudo: Record<string, unknown> = {
    'AWS::Region': options.region,
    'AWS::AccountId': options.accountId,
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:${partition}:cloudformation:${options.region}:${options.accountId}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    'AWS::Partition': partition,
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    'AWS::NotificationARNs': [],
  };

  // Globals first (SAM applies them to the raw template), then implicit APIs SAM would create.
  const merged: Record<string, ResourceLike> = {};
  const globalFor: Record<string, string> = {
    'AWS::Serverless::Function': 'Function',
    'AWS::Serverless::Api': 'Api',
    'AWS::Serverless::HttpApi': 'HttpApi',
    'AWS::Serverless::SimpleTable': 'SimpleTable',
    'AWS::Serverless::StateMachine': 'StateMachine',
  };
  for (const [id, res] of Object.entries(rawResources)) {
    if (!isRecord(res)) {
      reader.problem(['Resources', id], `resource ${id} is not a mapping`);
      continue;
    }
    const g = typeof res.Type === 'string' ? globals[globalFor[res.Type] ?? ''] : undefined;
    merged[id] = isRecord(g) ? { ...res, Properties: mergeGlobals(g, isRecord(res.Properties) ? res.Properties : {}) } : res;
  }
  addImplicitApis(merged, globals);

  const resolver: IntrinsicResolver = new IntrinsicResolver(
    { parameters, pseudo, resources: merged, conditions: isRecord(raw.Conditions) ? raw.Conditions : {}, mappings: isRecord(raw.Mappings) ? raw.Mappings : {} },
    (id) => refOf(id),
    (id, att) => attOf(id, att),
  );
  const nameProps: Record<string, string> = {
    'AWS::S3::Bucket': 'BucketName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::Kinesis::Stream': 'Name',
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::Serverless::SimpleTable': 'TableName',
    'AWS::Events::EventBus': 'Name',
    'AWS::Events::Rule': 'Name',
  };
  /** The physical name a resource gets locally: its name property when set, else its logical id. */
  const naming = new Set<string>();
  function physicalName(id: string): string | undefined {
    const res = merged[id];
    if (!res || typeof res.Type !== 'string') return undefined;
    const prop = FUNCTION_TYPES.has(res.Type) ? 'FunctionName' : nameProps[res.Type];
    if (!prop) return undefined;
    const props = isRecord(res.Properties) ? res.Properties : {};
    // Names that refer to each other in a circle fall back to the logical id instead of recursing forever.
    if (props[prop] === undefined || naming.has(id)) return id;
    naming.add(id);
    try {
      const v = resolver.resolve(props[prop], new Set());
      return typeof v === 'string' ? v : id;
    } finally {
      naming.delete(id);
    }
  }
  const arnBase = (service: string) => `arn:${partition}:${service}:${options.region}:${options.accountId}`;
  function refOf(id: string): string | undefined {
    const type = merged[id]?.Type;
    const name = physicalName(id);
    if (name === undefined) return undefined;
    if (type === 'AWS::SQS::Queue') return `https://sqs.${options.region}.${pseudo['AWS::URLSuffix'] as string}/${options.accountId}/${name}`;
    if (type === 'AWS::SNS::Topic') return `${arnBase('sns')}:${name}`;
    return name;
  }
  function attOf(id: string, att: string): string | undefined {
    const type = merged[id]?.Type;
    const name = physicalName(id);
    if (name === undefined || typeof type !== 'string') return undefined;
    if (FUNCTION_TYPES.has(type) && att === 'Arn') return `${arnBase('lambda')}:function:${name}`;
    switch (`${type}.${att}`) {
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${name}`;
      case 'AWS::S3::Bucket.DomainName':
        return `${name}.s3.amazonaws.com`;
      case 'AWS::SQS::Queue.Arn':
        return `${arnBase('sqs')}:${name}`;
      case 'AWS::SQS::Queue.QueueName':
        return name;
      case 'AWS::SQS::Queue.QueueUrl':
        return refOf(id);
      case 'AWS::SNS::Topic.TopicArn':
        return `${arnBase('sns')}:${name}`;
      case 'AWS::SNS::Topic.TopicName':
        return name;
      case 'AWS::Kinesis::Stream.Arn':
        return `${arnBase('kinesis')}:stream/${name}`;
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::Serverless::SimpleTable.Arn':
        return `${arnBase('dynamodb')}:table/${name}`;
      case 'AWS::Events::EventBus.Arn':
        return `${arnBase('events')}:event-bus/${name}`;
      case 'AWS::Events::EventBus.Name':
        return name;
      case 'AWS::Events::Rule.Arn': {
        const bus = ruleBusOf(id);
        return `${arnBase('events')}:rule/${bus === undefined || bus === 'default' ? '' : `${bus}/`}${name}`;
      }
      case 'AWS::DynamoDB::Table.StreamArn':
        return `${arnBase('dynamodb')}:table/${name}/stream/${LOCAL_STREAM_LABEL}`;
      default:
        return undefined;
    }
  }

  /** The bus a rule is on (its EventBusName, a name or an ARN), for the rule's ARN. */
  function ruleBusOf(id: string): string | undefined {
    const props = merged[id]?.Properties;
    const bus = isRecord(props) && props.EventBusName !== undefined ? resolver.resolve(props.EventBusName, new Set()) : undefined;
    return typeof bus === 'string' ? bus.replace(/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//, '') : undefined;
  }

  const resources: Record<string, TemplateResource> = {};
  const resolvedUnresolved: Record<string, Set<string>> = {};
  for (const [id, res] of Object.entries(merged)) {
    if (typeof res.Condition === 'string' && resolver.condition(res.Condition) === false) continue;
    const unresolved = new Set<string>();
    const props = resolver.resolve(isRecord(res.Properties) ? res.Properties : {}, unresolved);
    resources[id] = { Type: typeof res.Type === 'string' ? res.Type : '', Properties: isRecord(props) ? props : {} };
    resolvedUnresolved[id] = unresolved;
  }

  // CloudFormation's own wiring of sources to functions becomes those functions' events (events/template-events.ts).
  const functionIds = new Map<string, string>();
  for (const [id, res] of Object.entries(resources)) {
    if (FUNCTION_TYPES.has(res.Type)) functionIds.set(typeof res.Properties.FunctionName === 'string' ? res.Properties.FunctionName : id, id);
  }
  for (const wired of cloudFormationEvents(resources, functionIds)) {
    if ('problem' in wired) {
      reader.notEmulated(wired.path, wired.problem);
      continue;
    }
    const props = resources[wired.functionId]!.Properties;
    props.Events = { ...(isRecord(props.Events) ? props.Events : {}), [wired.name]: wired.event };
  }

  const templateDir = dirname(templatePath);
  const functions: FunctionInfo[] = [];
  const inlineCode: Record<string, InlineCode> = {};
  const urlTargets = functionUrlTargets(resources, merged);
  for (const [id, res] of Object.entries(resources)) {
    if (!FUNCTION_TYPES.has(res.Type)) continue;
    const inline = inlineCodeOf(id, res, templatePath, options);
    if (inline && typeof inline !== 'string') inlineCode[id] = inline;
    const info = functionInfo(id, res, merged[id]!, resolvedUnresolved[id]!, reader, templateDir, templatePath, urlTargets.get(id), inline);
    const layers = functionLayers(id, res, merged, resources, reader, templateDir, options);
    if (layers.folders.length > 0) info.layers = layers.folders;
    // SAM's build instruction (`Metadata: BuildMethod: go1.x`): the host builds such functions itself.
    const metadata = merged[id]!.Metadata;
    if (isRecord(metadata) && typeof metadata.BuildMethod === 'string') info.buildMethod = metadata.BuildMethod;
    // A `!Ref` to a layer of the template is wiring the host resolves itself, not a value left unresolved.
    if (info.unresolved) {
      info.unresolved = info.unresolved.filter((u) => !LAYER_TYPES.has(resources[/^!Ref (\S+)$/.exec(u)?.[1] ?? '']?.Type ?? ''));
      if (info.unresolved.length === 0) delete info.unresolved;
    }
    if (layers.problem) {
      info.supported = false;
      info.unsupportedReason ??= layers.problem;
    }
    const notEmulated = functionNotEmulated(id, merged[id]!, reader);
    // Asynchronous destinations the local services cannot take (events/async-destinations.ts reads them, resolved).
    for (const note of functionAsyncConfig(resources, id, info.functionName ?? id).notes) notEmulated.push(reader.notEmulated(note.path, note.message));
    if (notEmulated.length > 0) info.notEmulated = notEmulated;
    functions.push(info);
  }
  reportResourcesNotEmulated(merged, reader);
  return { templatePath, functions, resources, problems: reader.problems, inlineCode };
}

/** SAM creates `ServerlessRestApi` / `ServerlessHttpApi` for events without an explicit API; Globals apply to them too. */
function addImplicitApis(resources: Record<string, ResourceLike>, globals: Record<string, unknown>): void {
  let rest = false;
  let http = false;
  for (const res of Object.values(resources)) {
    if (res.Type !== 'AWS::Serverless::Function' || !isRecord(res.Properties) || !isRecord(res.Properties.Events)) continue;
    for (const ev of Object.values(res.Properties.Events)) {
      if (!isRecord(ev)) continue;
      const p = isRecord(ev.Properties) ? ev.Properties : {};
      if (ev.Type === 'Api' && p.RestApiId === undefined) rest = true;
      if (ev.Type === 'HttpApi' && p.ApiId === undefined) http = true;
    }
  }
  if (rest && !resources.ServerlessRestApi) {
    resources.ServerlessRestApi = { Type: 'AWS::Serverless::Api', Properties: mergeGlobals(globals.Api ?? {}, { StageName: 'Prod' }) };
  }
  if (http && !resources.ServerlessHttpApi) {
    resources.ServerlessHttpApi = { Type: 'AWS::Serverless::HttpApi', Properties: mergeGlobals(globals.HttpApi ?? {}, {}) };
  }
}

/** `AWS::Lambda::Url` resources → the function each one serves, with its AuthType. */
function functionUrlTargets(resources: Record<string, TemplateResource>, raw: Record<string, ResourceLike>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::Lambda::Url') continue;
    const rawProps = raw[id]?.Properties;
    const target = isRecord(rawProps) ? refTarget(rawProps.TargetFunctionArn) : undefined;
    if (target) out.set(target, typeof res.Properties.AuthType === 'string' ? res.Properties.AuthType : 'NONE');
  }
  return out;
}

/** The logical id behind `{Ref: X}` or `{Fn::GetAtt: [X, …]}`. */
function refTarget(v: unknown): string | undefined {
  if (!isRecord(v)) return typeof v === 'string' ? v : undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A value for a place that needs a string: the resolved text, or a visible marker for an intrinsic. */
function textOrMarker(v: unknown): string {
  return text(v) ?? `<unresolved ${describeIntrinsic(v)}>`;
}

/** The resource name at the end of an ARN/URL (`arn:…:stream/orders` → `orders`, DynamoDB stream → table). */
function nameFromArn(v: unknown): string {
  if (typeof v !== 'string') return refTarget(v) ?? textOrMarker(v);
  const table = /:table\/([^/]+)/.exec(v);
  if (table) return table[1]!;
  const stream = /:stream\/([^/]+)/.exec(v);
  if (stream) return stream[1]!;
  if (v.startsWith('arn:')) return v.slice(v.lastIndexOf(':') + 1);
  if (/^https?:\/\//.test(v)) return v.slice(v.lastIndexOf('/') + 1);
  return v;
}

function numberProp(
  props: Record<string, unknown>,
  key: string,
  fallback: number,
  reader: TemplateReader,
  path: string[],
  unresolved: Set<string>,
): number | undefined {
  const v = props[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isFinite(n)) return n;
  if (intrinsicKey(v)) {
    unresolved.add(`${key}: ${describeIntrinsic(v)}`);
    return fallback;
  }
  reader.problem([...path, key], `${key} must be a number, got ${JSON.stringify(v)}`, 'warning');
  return fallback;
}

function functionInfo(
  id: string,
  res: TemplateResource,
  raw: ResourceLike,
  unresolvedSet: Set<string>,
  reader: TemplateReader,
  templateDir: string,
  templatePath: string,
  urlAuthType: string | undefined,
  inline: InlineCode | string | undefined,
): FunctionInfo {
  const props = res.Properties;
  const path = ['Resources', id, 'Properties'];
  const isSam = res.Type === 'AWS::Serverless::Function';
  const runtime = text(props.Runtime) ?? '';
  const fam = runtimeFamily(runtime);
  let unsupportedReason = fam.reason;

  // The task root: SAM's CodeUri, or a plain Lambda function's Code given as a local path.
  const code = isSam ? props.CodeUri : props.Code;
  const asset = cdkAssetFolder(raw);
  let codeUri = templateDir;
  if (typeof inline === 'string') unsupportedReason ??= inline;
  else if (inline) codeUri = inline.codeUri;
  else if (typeof code === 'string') codeUri = resolve(templateDir, code);
  else if (asset !== undefined) codeUri = resolve(templateDir, asset);
  else if (code !== undefined) {
    unsupportedReason ??=
      isRecord(code) && ('Bucket' in code || 'S3Bucket' in code)
        ? `${isSam ? 'CodeUri' : 'Code'} points to S3; the host runs local code only (give a folder path)`
        : `${isSam ? 'CodeUri' : 'Code'} could not be resolved to a local folder (${describeIntrinsic(code)})`;
  } else if (!isSam) {
    unsupportedReason ??= 'Code is missing; give the local folder of the code';
  }
  if (props.PackageType === 'Image') unsupportedReason ??= 'container image functions (PackageType: Image) are not supported';
  if (!runtime && props.PackageType !== 'Image') unsupportedReason = reader.problem([...path], `function ${id} has no Runtime`);

  let handler = text(props.Handler) ?? '';
  if (!handler && props.PackageType !== 'Image') {
    if (fam.family === 'provided') handler = 'bootstrap';
    else {
      const msg = reader.problem(
        props.Handler === undefined ? ['Resources', id] : [...path, 'Handler'],
        `function ${id} has no Handler (e.g. Handler: app.handler)`,
      );
      unsupportedReason ??= msg;
    }
  }

  const memorySizeMB = numberProp(props, 'MemorySize', DEFAULT_MEMORY_MB, reader, path, unresolvedSet) ?? DEFAULT_MEMORY_MB;
  const timeoutSeconds = numberProp(props, 'Timeout', DEFAULT_TIMEOUT_SECONDS, reader, path, unresolvedSet) ?? DEFAULT_TIMEOUT_SECONDS;
  const archs = Array.isArray(props.Architectures) ? props.Architectures : [];
  const architecture: Architecture = archs[0] === 'arm64' ? 'arm64' : 'x86_64';
  const reserved = props.ReservedConcurrentExecutions === undefined ? undefined : Number(props.ReservedConcurrentExecutions);
  const provisioned = provisionedConcurrency(props, isSam, reserved, reader, path, unresolvedSet);

  const environment: Record<string, string> = {};
  const env = isRecord(props.Environment) && isRecord(props.Environment.Variables) ? props.Environment.Variables : {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) continue;
    environment[k] = textOrMarker(v);
  }
  const { logGroup, systemLogLevel } = loggingConfig(props.LoggingConfig, environment, reader, [...path, 'LoggingConfig']);
  const reservedVariables = reservedNames(environment);
  if (reservedVariables.length > 0) {
    const variablesPath = [...path, 'Environment', 'Variables'];
    unsupportedReason ??= reader.problem([...variablesPath, reservedVariables[0]!], reservedMessage(reservedVariables, `function ${id}`));
    for (const k of reservedVariables) delete environment[k];
  }

  const durable = durableConfigOf(props.DurableConfig, (keys, message, severity) => reader.problem([...path, 'DurableConfig', ...keys], message, severity));
  unsupportedReason ??= durable.unsupported;

  const events = functionEvents(props, raw);
  if (urlAuthType && !events.some((e) => e.type === 'FunctionUrl')) events.push({ type: 'FunctionUrl', authType: urlAuthType });

  const functionName = text(props.FunctionName);
  const info: FunctionInfo = {
    name: id,
    ...(functionName !== undefined && functionName !== id ? { functionName } : {}),
    ...(logGroup !== undefined ? { logGroup } : {}),
    ...(systemLogLevel !== undefined ? { systemLogLevel } : {}),
    handler,
    codeUri,
    runtime,
    runtimeFamily: fam.family,
    supported: unsupportedReason === undefined,
    ...(unsupportedReason !== undefined ? { unsupportedReason } : {}),
    memorySizeMB,
    timeoutSeconds,
    architecture,
    ...(reserved !== undefined && Number.isFinite(reserved) ? { reservedConcurrency: reserved } : {}),
    ...(provisioned !== undefined ? { provisionedConcurrency: provisioned } : {}),
    environment,
    ...(durable.config ? { durableConfig: durable.config } : {}),
    events,
    origin: { kind: 'template', templatePath },
  };
  // Refs to APIs in events are wiring, not values the function needs: not worth a warning.
  const unresolved = [...unresolvedSet].filter((u) => !/^!Ref \S+$/.test(u) || !isApiRef(u, raw));
  if (unresolved.length > 0) info.unresolved = unresolved.sort();
  return info;
}

/**
 * `ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions`. SAM applies it to the alias that
 * `AutoPublishAlias` publishes and refuses it without one; Lambda refuses more than the reserved concurrency.
 */
function provisionedConcurrency(
  props: Record<string, unknown>,
  isSam: boolean,
  reserved: number | undefined,
  reader: TemplateReader,
  path: string[],
  unresolved: Set<string>,
): number | undefined {
  const config = props.ProvisionedConcurrencyConfig;
  if (config === undefined) return undefined;
  const configPath = [...path, 'ProvisionedConcurrencyConfig'];
  if (!isSam) {
    reader.problem(
      configPath,
      'ProvisionedConcurrencyConfig belongs to AWS::Serverless::Function (plain Lambda functions set it on an alias or version); ignored',
    );
    return undefined;
  }
  if (!isRecord(config)) {
    reader.problem(configPath, 'ProvisionedConcurrencyConfig must be a map with ProvisionedConcurrentExecutions; ignored');
    return undefined;
  }
  if (config.ProvisionedConcurrentExecutions === undefined) {
    reader.problem(configPath, 'ProvisionedConcurrencyConfig needs ProvisionedConcurrentExecutions; ignored');
    return undefined;
  }
  // NaN: an unresolved intrinsic (already listed) or not a number (already reported).
  const n = numberProp(config, 'ProvisionedConcurrentExecutions', Number.NaN, reader, configPath, unresolved) ?? Number.NaN;
  if (Number.isNaN(n)) return undefined;
  if (!Number.isInteger(n) || n < 1) {
    reader.problem(
      [...configPath, 'ProvisionedConcurrentExecutions'],
      `ProvisionedConcurrentExecutions must be a whole number of at least 1, got ${n}; ignored`,
    );
    return undefined;
  }
  if (props.AutoPublishAlias === undefined) {
    reader.problem(configPath, 'ProvisionedConcurrencyConfig needs AutoPublishAlias on the function (SAM applies it to that alias); ignored');
    return undefined;
  }
  if (reserved !== undefined && Number.isFinite(reserved) && n > reserved) {
    reader.problem(
      [...configPath, 'ProvisionedConcurrentExecutions'],
      `ProvisionedConcurrentExecutions (${n}) exceeds ReservedConcurrentExecutions (${reserved}); Lambda refuses that, ${reserved} kept initialised`,
    );
    return reserved;
  }
  return n;
}

function isApiRef(description: string, raw: ResourceLike): boolean {
  const target = description.slice('!Ref '.length);
  const events = isRecord(raw.Properties) && isRecord(raw.Properties.Events) ? Object.values(raw.Properties.Events) : [];
  return events.some(
    (ev) => isRecord(ev) && isRecord(ev.Properties) && (refTarget(ev.Properties.RestApiId) === target || refTarget(ev.Properties.ApiId) === target),
  );
}

function batchSize(p: Record<string, unknown>, fallback: number): number {
  const n = Number(p.BatchSize);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const VALUE_HELPERS: TemplateValueHelpers = { text, textOrMarker, refTarget, nameFromArn, batchSize };

/** Each entry of `Events`, parsed by its event source (events/template-events.ts), then the function URL. */
function functionEvents(props: Record<string, unknown>, raw: ResourceLike): EventSourceInfo[] {
  const out: EventSourceInfo[] = [];
  const events = isRecord(props.Events) ? props.Events : {};
  const rawEvents = isRecord(raw.Properties) && isRecord(raw.Properties.Events) ? raw.Properties.Events : {};
  for (const [name, ev] of Object.entries(events)) {
    if (!isRecord(ev)) continue;
    const rawEv = rawEvents[name];
    out.push(
      parseTemplateEvent(
        {
          name,
          type: text(ev.Type) ?? '',
          props: isRecord(ev.Properties) ? ev.Properties : {},
          rawProps: isRecord(rawEv) && isRecord(rawEv.Properties) ? rawEv.Properties : {},
        },
        VALUE_HELPERS,
      ),
    );
  }
  if (isRecord(props.FunctionUrlConfig)) out.push({ type: 'FunctionUrl', authType: text(props.FunctionUrlConfig.AuthType) ?? 'NONE' });

  return out;
}

/**
 * `InlineCode` (SAM) or `Code.ZipFile` (CloudFormation): Lambda writes the text into the task root as
 * `index.js` for Node.js and `index.py` for Python (so the handler is `index.<function>`). A string is the
 * reason it cannot run; undefined when the function has no inline code.
 */
function inlineCodeOf(id: string, res: TemplateResource, templatePath: string, options: TemplateOptions): InlineCode | string | undefined {
  const props = res.Properties;
  const source = res.Type === 'AWS::Serverless::Function' ? props.InlineCode : isRecord(props.Code) ? props.Code.ZipFile : undefined;
  if (source === undefined) return undefined;
  if (typeof source !== 'string') return `inline code could not be resolved locally (${describeIntrinsic(source)})`;
  const family = runtimeFamilyOf(text(props.Runtime) ?? '');
  const fileName = family === 'nodejs' ? 'index.js' : family === 'python' ? 'index.py' : undefined;
  if (!fileName) return `inline code runs on Node.js and Python runtimes only (Lambda's rule), not ${text(props.Runtime) ?? 'a missing Runtime'}`;
  const base = options.inlineCodeDir ?? join(tmpdir(), 'lambda-workbench-inline-code', createHash('sha256').update(templatePath).digest('hex').slice(0, 12));
  return { codeUri: join(base, id), fileName, text: source };
}

/** Writes each function's inline code where its codeUri says (only when the text changed, so a reload does not touch it). */
export function writeInlineCode(inline: Record<string, InlineCode>): void {
  for (const code of Object.values(inline)) {
    const file = join(code.codeUri, code.fileName);
    if (existsSync(file) && readFileSync(file, 'utf8') === code.text) continue;
    mkdirSync(code.codeUri, { recursive: true, mode: 0o700 });
    writeFileSync(file, code.text, { mode: 0o600 });
  }
}

const LOG_LEVELS = {
  ApplicationLogLevel: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
  SystemLogLevel: ['DEBUG', 'INFO', 'WARN'],
} as const;

/**
 * `LoggingConfig` as Lambda applies it: the format and application log level reach the runtime as
 * AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL, the system log level filters the host's platform lines
 * (lambda-behaviour §4); log levels need the JSON format. Returns the custom log group and system level.
 */
function loggingConfig(
  value: unknown,
  environment: Record<string, string>,
  reader: TemplateReader,
  path: string[],
): { logGroup?: string; systemLogLevel?: 'DEBUG' | 'INFO' | 'WARN' } {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    reader.problem(path, 'LoggingConfig must be a mapping (LogFormat, ApplicationLogLevel, SystemLogLevel, LogGroup)', 'warning');
    return {};
  }
  let systemLogLevel: 'DEBUG' | 'INFO' | 'WARN' | undefined;
  const format = text(value.LogFormat);
  if (format !== undefined && format !== 'JSON' && format !== 'Text')
    reader.problem([...path, 'LogFormat'], `LogFormat must be JSON or Text, got ${format}`, 'warning');
  else if (format !== undefined) environment['AWS_LAMBDA_LOG_FORMAT'] = format;
  for (const key of ['ApplicationLogLevel', 'SystemLogLevel'] as const) {
    const level = text(value[key])?.toUpperCase();
    if (level === undefined) continue;
    const levels: readonly string[] = LOG_LEVELS[key];
    if (!levels.includes(level)) reader.problem([...path, key], `${key} must be one of ${levels.join(', ')}, got ${level}`, 'warning');
    else if (format !== 'JSON') reader.problem([...path, key], `${key} needs LogFormat: JSON (Lambda refuses it with the Text format)`, 'warning');
    else if (key === 'ApplicationLogLevel') environment['AWS_LAMBDA_LOG_LEVEL'] = level;
    else systemLogLevel = level as 'DEBUG' | 'INFO' | 'WARN';
  }
  const logGroup = text(value.LogGroup);
  return { ...(logGroup !== undefined ? { logGroup } : {}), ...(systemLogLevel !== undefined ? { systemLogLevel } : {}) };
}

const LAYER_TYPES = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);

/**
 * A function's `Layers` (Globals' first, as SAM merges lists) → local folders, in order: a `!Ref` to a
 * layer of the template gives its `ContentUri` / `Content` folder; an ARN gives the folder the user mapped
 * it to. What cannot be found locally is a problem at load (the function still runs, without it); more
 * than five layers is refused, as Lambda does.
 */
function functionLayers(
  id: string,
  res: TemplateResource,
  merged: Record<string, ResourceLike>,
  resources: Record<string, TemplateResource>,
  reader: TemplateReader,
  templateDir: string,
  options: TemplateOptions,
): { folders: string[]; problem?: string } {
  const rawProps = merged[id]?.Properties;
  const raw = isRecord(rawProps) ? rawProps.Layers : undefined;
  if (raw === undefined) return { folders: [] };
  const path = ['Resources', id, 'Properties', 'Layers'];
  if (!Array.isArray(raw)) return { folders: [], problem: reader.problem(path, 'Layers must be a list') };
  if (raw.length > MAX_LAYERS)
    return { folders: [], problem: reader.problem(path, `function ${id} has ${raw.length} layers; Lambda allows at most ${MAX_LAYERS}`) };
  const resolved = Array.isArray(res.Properties.Layers) ? res.Properties.Layers : [];
  const folders: string[] = [];
  raw.forEach((entry, i) => {
    const target = isRecord(entry) ? refTarget(entry) : undefined;
    const layer = target ? resources[target] : undefined;
    if (target && layer && LAYER_TYPES.has(layer.Type)) {
      const content = layer.Type === 'AWS::Serverless::LayerVersion' ? layer.Properties.ContentUri : layer.Properties.Content;
      const asset = cdkAssetFolder(merged[target]);
      if (typeof content === 'string') folders.push(resolve(templateDir, content));
      else if (asset !== undefined) folders.push(resolve(templateDir, asset));
      else
        reader.notEmulated(
          ['Resources', target, 'Properties'],
          `layer ${target} has no local content folder (${layer.Type === 'AWS::Serverless::LayerVersion' ? 'ContentUri' : 'Content'}), so ${id} runs without it`,
        );
      return;
    }
    const arn = text(resolved[i]) ?? (typeof entry === 'string' ? entry : undefined);
    const mapped = arn !== undefined ? options.layerFolders?.[arn] : undefined;
    if (mapped) folders.push(resolve(templateDir, mapped));
    else
      reader.notEmulated(
        path,
        `layer ${arn ?? describeIntrinsic(entry)} of ${id} is not in the template and no local folder is set for it, so ${id} runs without it (map it: serve --layer ARN=DIR, or the lambdaWorkbench.layers setting)`,
      );
  });
  return { folders };
}

/**
 * A CDK template's asset folder for a function's code or a layer's content (`cdk synth` writes the code to
 * `cdk.out/asset.<hash>` and points `Code` / `Content` at S3, naming the folder in `Metadata`, as SAM CLI
 * reads it), relative to the template.
 */
function cdkAssetFolder(resource: ResourceLike | undefined): string | undefined {
  const metadata = resource?.Metadata;
  if (!isRecord(metadata) || typeof metadata['aws:asset:path'] !== 'string') return undefined;
  const property = metadata['aws:asset:property'];
  return property === undefined || property === 'Code' || property === 'Content' || property === 'CodeUri' || property === 'ContentUri'
    ? metadata['aws:asset:path']
    : undefined;
}

/** Resource types the host runs, serves or reads (or that have no local meaning, like IAM): anything else is named at load. */
const EMULATED_RESOURCE_TYPES = new Set([
  'AWS::Serverless::Function',
  'AWS::Lambda::Function',
  'AWS::Serverless::Api',
  'AWS::Serverless::HttpApi',
  'AWS::Serverless::LayerVersion',
  'AWS::Lambda::LayerVersion',
  'AWS::Lambda::Url',
  'AWS::Lambda::Permission',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::EventSourceMapping',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::Kinesis::Stream',
  'AWS::DynamoDB::Table',
  'AWS::Serverless::SimpleTable',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Logs::LogGroup',
  'AWS::Serverless::Application',
  'AWS::CloudFormation::Interface',
  'AWS::CDK::Metadata',
  'AWS::Scheduler::Schedule',
  'AWS::Events::Rule',
  'AWS::Events::EventBus',
  'AWS::Events::EventBusPolicy',
]);

/** Why a resource type the host does not emulate matters to a function, when there is more to say than its name. */
const NOT_EMULATED_NOTES: Record<string, string> = {
  'AWS::StepFunctions::StateMachine': 'state machines do not run locally',
  'AWS::Serverless::StateMachine': 'state machines do not run locally',
};

function reportResourcesNotEmulated(resources: Record<string, ResourceLike>, reader: TemplateReader): void {
  for (const [id, res] of Object.entries(resources)) {
    const type = typeof res.Type === 'string' ? res.Type : '';
    if (!type || EMULATED_RESOURCE_TYPES.has(type) || type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') continue;
    const note = NOT_EMULATED_NOTES[type];
    reader.notEmulated(['Resources', id, 'Type'], `${id} (${type}) is not emulated locally${note ? `: ${note}` : ''}`);
  }
}

/** Event types whose events the host delivers (the others are listed, and the function runs only when invoked directly). */
const EMULATED_EVENT_TYPES = new Set([
  'Api',
  'HttpApi',
  'S3',
  'Kinesis',
  'DynamoDB',
  'SQS',
  'SNS',
  'Schedule',
  'ScheduleV2',
  'CloudWatchEvent',
  'EventBridgeRule',
]);

/** Function properties that change nothing locally or are not emulated, with what the user should know. */
const PROPERTIES_NOT_EMULATED: Record<string, string> = {
  EphemeralStorage: "/tmp is the machine's own temporary folder; its size is not limited",
  SnapStart: 'SnapStart snapshots are not taken; every cold start runs init',
  FileSystemConfigs: 'EFS file systems are not mounted',
  ImageConfig: 'container image functions do not run locally',
  CodeSigningConfigArn: 'code signing is not checked',
  RuntimeManagementConfig: 'the local interpreter is used whatever the runtime version setting says',
  VpcConfig: "the function reaches whatever this machine reaches: the VPC's subnets and security groups do not limit it",
};

function functionNotEmulated(id: string, raw: ResourceLike, reader: TemplateReader): string[] {
  const out: string[] = [];
  const props = isRecord(raw.Properties) ? raw.Properties : {};
  const path = ['Resources', id, 'Properties'];
  for (const [key, note] of Object.entries(PROPERTIES_NOT_EMULATED)) {
    if (props[key] !== undefined) out.push(reader.notEmulated([...path, key], `${id}: ${key} is not emulated: ${note}`));
  }
  const events = isRecord(props.Events) ? props.Events : {};
  for (const [name, ev] of Object.entries(events)) {
    const type = isRecord(ev) && typeof ev.Type === 'string' ? ev.Type : '(no Type)';
    if (EMULATED_EVENT_TYPES.has(type)) continue;
    out.push(
      reader.notEmulated(
        [...path, 'Events', name, 'Type'],
        `${id}: event ${name} (${type}) is not delivered locally; invoke ${id} with a sample event instead`,
      ),
    );
  }
  return out;
}
