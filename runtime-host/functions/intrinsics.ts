// CloudFormation intrinsic functions: the YAML short forms (`!Ref`, `!Sub`, …) turned into their long
// forms while parsing, and the local resolver that evaluates what can be known without AWS
// (parameters, pseudo parameters, names of resources in the same template). Whatever cannot be
// resolved stays in its long form and is reported, never thrown.
import { Pair, Scalar, YAMLMap, type Tags, type YAMLSeq } from 'yaml';
import { isRecord } from '../util/values';

/** Every `Fn::` name CloudFormation (and its language extensions) defines a short form for. */
const FN_NAMES = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'RefAll',
  'ValueOf',
  'ValueOfAll',
  'Length',
  'ToJsonString',
  'ForEach',
] as const;

function longName(short: string): string {
  return short === 'Ref' || short === 'Condition' ? short : `Fn::${short}`;
}

function wrap(key: string, node: YAMLMap.Parsed | YAMLSeq.Parsed): YAMLMap {
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), node));
  return map;
}

/** customTags for the `yaml` package: scalar, sequence and mapping forms of every short form. */
export function cloudFormationTags(): Tags {
  const tags: Tags = [];
  for (const short of ['Ref', 'Condition', ...FN_NAMES]) {
    const key = longName(short);
    tags.push({
      tag: `!${short}`,
      // `!GetAtt Resource.Attribute` is the dotted scalar form of `[Resource, Attribute]`.
      resolve: (value: string) => {
        if (short === 'GetAtt') {
          const dot = value.indexOf('.');
          return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
        }
        return { [key]: value };
      },
    });
    tags.push({ tag: `!${short}`, collection: 'seq', resolve: (node) => wrap(key, node) });
    tags.push({ tag: `!${short}`, collection: 'map', resolve: (node) => wrap(key, node) });
  }
  return tags;
}

/** `AWS::NoValue`: the property (or list item) disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type Json = unknown;

export interface ResourceLike {
  Type?: unknown;
  Properties?: unknown;
  Condition?: unknown;
  Metadata?: unknown;
}

export interface ResolveScope {
  parameters: Record<string, Json>;
  pseudo: Record<string, Json>;
  resources: Record<string, ResourceLike>;
  conditions: Record<string, Json>;
  mappings: Record<string, Json>;
}

/** The single key of an intrinsic function object (`Ref`, `Fn::Sub`, `Condition`), or undefined. */
export function intrinsicKey(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  return k === 'Ref' || k === 'Condition' || k.startsWith('Fn::') ? k : undefined;
}

/** A short, readable form of an intrinsic, e.g. `!GetAtt Table.Arn`, for `FunctionInfo.unresolved`. */
export function describeIntrinsic(v: unknown): string {
  const key = intrinsicKey(v);
  if (!key) return JSON.stringify(v) ?? String(v);
  const arg = (v as Record<string, unknown>)[key];
  const tag = key === 'Ref' || key === 'Condition' ? `!${key}` : `!${key.slice(4)}`;
  if (key === 'Fn::GetAtt' && Array.isArray(arg)) return `${tag} ${arg.map((a) => (typeof a === 'string' ? a : describeIntrinsic(a))).join('.')}`;
  if (typeof arg === 'string') return `${tag} ${arg === '' ? '""' : arg}`;
  if (key === 'Fn::Sub' && Array.isArray(arg) && typeof arg[0] === 'string') return `${tag} ${arg[0]}`;
  return `${tag} ${JSON.stringify(arg)}`;
}

function isPrimitive(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Evaluates intrinsics over a template fragment. Results are plain JSON; an intrinsic that cannot be
 * resolved locally stays as its long-form object and its description is added to `unresolved`.
 */
export class IntrinsicResolver {
  constructor(
    private readonly scope: ResolveScope,
    /** Ref / GetAtt of a resource in this template: its local value, or undefined when unknown. */
    private readonly resourceRef: (logicalId: string) => string | undefined,
    private readonly resourceAtt: (logicalId: string, attribute: string) => string | undefined,
  ) {}

  resolve(value: Json, unresolved: Set<string>): Json {
    const out = this.walk(value, unresolved);
    return out === NO_VALUE ? undefined : out;
  }

  /** A named condition from the `Conditions` section: true/false, or undefined when it depends on unknowns. */
  condition(name: string, seen: Set<string> = new Set()): boolean | undefined {
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (!(name in this.scope.conditions)) return undefined;
    const v = this.walk(this.scope.conditions[name], new Set(), seen);
    return typeof v === 'boolean' ? v : undefined;
  }

  private walk(value: Json, unresolved: Set<string>, seen: Set<string> = new Set()): Json | typeof NO_VALUE {
    if (Array.isArray(value)) {
      const items = value.map((v) => this.walk(v, unresolved, seen));
      return items.filter((v) => v !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const key = intrinsicKey(value);
    if (key) return this.intrinsic(key, value[key], value, unresolved, seen);
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = this.walk(v, unresolved, seen);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private keep(original: Json, unresolved: Set<string>): Json {
    unresolved.add(describeIntrinsic(original));
    return original;
  }

  private intrinsic(key: string, arg: Json, original: Record<string, Json>, unresolved: Set<string>, seen: Set<string>): Json | typeof NO_VALUE {
    const sub = (v: Json) => this.walk(v, unresolved, seen);
    switch (key) {
      case 'Ref': {
        if (typeof arg !== 'string') return this.keep(original, unresolved);
        const v = this.ref(arg);
        return v === undefined ? this.keep(original, unresolved) : v;
      }
      case 'Condition': {
        if (typeof arg !== 'string') return this.keep(original, unresolved);
        const c = this.condition(arg, new Set(seen));
        return c === undefined ? this.keep(original, unresolved) : c;
      }
      case 'Fn::Sub':
        return this.fnSub(arg, original, unresolved, seen);
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : Array.isArray(arg) ? arg.map(sub) : [];
        if (parts.length === 2 && typeof parts[0] === 'string' && typeof parts[1] === 'string') {
          const v = this.resourceAtt(parts[0], parts[1]);
          if (v !== undefined) return v;
        }
        return this.keep(original, unresolved);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) return this.keep(original, unresolved);
        const delimiter = sub(arg[0]);
        const list = sub(arg[1]);
        if (typeof delimiter === 'string' && Array.isArray(list) && list.every(isPrimitive)) return list.map(String).join(delimiter);
        return this.keep(original, unresolved);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return this.keep(original, unresolved);
        const index = Number(sub(arg[0]));
        const list = sub(arg[1]);
        if (Array.isArray(list) && Number.isInteger(index) && index >= 0 && index < list.length && intrinsicKey(list[index]) === undefined) return list[index];
        return this.keep(original, unresolved);
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) return this.keep(original, unresolved);
        const delimiter = sub(arg[0]);
        const text = sub(arg[1]);
        if (typeof delimiter === 'string' && delimiter !== '' && typeof text === 'string') return text.split(delimiter);
        return this.keep(original, unresolved);
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return this.keep(original, unresolved);
        const c = this.condition(arg[0], new Set(seen));
        if (c === undefined) return this.keep(original, unresolved);
        return sub(c ? arg[1] : arg[2]);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) return this.keep(original, unresolved);
        const a = sub(arg[0]);
        const b = sub(arg[1]);
        if (isPrimitive(a) && isPrimitive(b)) return String(a) === String(b);
        return this.keep(original, unresolved);
      }
      case 'Fn::Not': {
        const list = Array.isArray(arg) ? arg.map(sub) : [];
        if (list.length === 1 && typeof list[0] === 'boolean') return !list[0];
        return this.keep(original, unresolved);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const list = Array.isArray(arg) ? arg.map(sub) : [];
        const bools = list.filter((v): v is boolean => typeof v === 'boolean');
        const isAnd = key === 'Fn::And';
        // A decided operand can settle the result even when another one is unknown.
        if (isAnd && bools.includes(false)) return false;
        if (!isAnd && bools.includes(true)) return true;
        if (list.length > 0 && bools.length === list.length) return isAnd;
        return this.keep(original, unresolved);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3) return this.keep(original, unresolved);
        const [map, top, second] = arg.slice(0, 3).map(sub);
        if (typeof map === 'string' && isPrimitive(top) && isPrimitive(second)) {
          const table = this.scope.mappings[map];
          const row = isRecord(table) ? table[String(top)] : undefined;
          const v = isRecord(row) ? row[String(second)] : undefined;
          if (v !== undefined) return sub(v);
        }
        // Language extensions: a fourth element `{DefaultValue: …}`.
        const fallback = arg[3];
        if (isRecord(fallback) && 'DefaultValue' in fallback) return sub(fallback.DefaultValue);
        return this.keep(original, unresolved);
      }
      case 'Fn::Base64': {
        const text = sub(arg);
        if (typeof text === 'string') return Buffer.from(text, 'utf8').toString('base64');
        return this.keep(original, unresolved);
      }
      case 'Fn::ToJsonString': {
        const inner = new Set<string>();
        const v = this.walk(arg, inner, seen);
        if (inner.size === 0) return JSON.stringify(v);
        inner.forEach((u) => unresolved.add(u));
        return this.keep(original, unresolved);
      }
      case 'Fn::Length': {
        const list = sub(arg);
        if (Array.isArray(list)) return list.length;
        return this.keep(original, unresolved);
      }
      default:
        // Fn::GetAZs, Fn::ImportValue, Fn::Cidr, Fn::Transform …: need the AWS account.
        return this.keep(original, unresolved);
    }
  }

  private ref(name: string): Json | typeof NO_VALUE | undefined {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in this.scope.parameters) return this.scope.parameters[name];
    if (name in this.scope.pseudo) return this.scope.pseudo[name];
    if (name in this.scope.resources) return this.resourceRef(name);
    return undefined;
  }

  private fnSub(arg: Json, original: Record<string, Json>, unresolved: Set<string>, seen: Set<string>): Json {
    let template: string;
    let rawVars: Record<string, Json> | undefined;
    const vars: Record<string, Json> = {};
    if (typeof arg === 'string') template = arg;
    else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && isRecord(arg[1])) {
      template = arg[0];
      rawVars = arg[1];
      for (const [k, v] of Object.entries(rawVars)) vars[k] = this.walk(v, new Set(), seen);
    } else return this.keep(original, unresolved);
    let missing = false;
    const text = template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let v: Json | typeof NO_VALUE | undefined;
      if (name in vars) v = vars[name];
      else if (name.includes('.') && !name.startsWith('AWS::')) {
        const dot = name.indexOf('.');
        v = this.resourceAtt(name.slice(0, dot), name.slice(dot + 1));
      } else v = this.ref(name);
      if (isPrimitive(v)) return String(v);
      missing = true;
      return whole;
    });
    if (!missing) return text;
    // Keep the parts that did resolve, so the marker shows only what is really unknown.
    const partial = { 'Fn::Sub': rawVars ? [text, rawVars] : text };
    unresolved.add(`!Sub ${text}`);
    return partial;
  }
}
