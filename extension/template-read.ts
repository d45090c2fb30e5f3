// The functions of a SAM template read straight from its text, without the host: enough for
// CodeLenses and the functions view to appear the moment a file opens (the host, which owns every
// Lambda rule, starts in the background and refines the view when it is ready). Pure (no vscode import).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, dirname } from 'node:path';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';

export type StaticRuntimeFamily = 'nodejs' | 'python' | 'other';

export interface StaticFunction {
  /** Template logical id. */
  name: string;
  handler: string;
  /** Absolute task root (CodeUri, relative to the template's folder). */
  codeUri: string;
  /** As written, or guessed from the handler's file when neither the function nor Globals set it. */
  runtime: string;
  runtimeFamily: StaticRuntimeFamily;
  templatePath: string;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/** The template the host would read: the setting (relative to the root), else template.yaml / template.yml. */
export function findTemplate(root: string, setting: string): string | undefined {
  if (setting) {
    const path = isAbsolute(setting) ? setting : join(root, setting);
    return existsSync(path) ? path : undefined;
  }
  return ['template.yaml', 'template.yml'].map((name) => join(root, name)).find((path) => existsSync(path));
}

/** Function resources of a template's text; a template that does not parse yields none (the host reports why). */
export function functionsInTemplate(text: string, templatePath: string): StaticFunction[] {
  // Unknown tags (!Ref, !Sub, !GetAtt…) only warn; the values read here are plain strings in practice.
  const doc = parseDocument(text, { logLevel: 'silent', prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const root = doc.contents;
  const globals = mapAt(mapAt(root, 'Globals'), 'Function');
  const resources = mapAt(root, 'Resources');
  if (!resources) return [];
  const folder = dirname(templatePath);
  const out: StaticFunction[] = [];
  for (const pair of resources.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const resource = isMap(pair.value) ? pair.value : undefined;
    if (!name || !resource || !FUNCTION_TYPES.has(stringAt(resource, 'Type') ?? '')) continue;
    const props = mapAt(resource, 'Properties');
    const handler = stringAt(props, 'Handler') ?? stringAt(globals, 'Handler');
    if (!handler) continue; // container images have no handler to put a lens on
    const codeUri = resolve(folder, stringAt(props, 'CodeUri') ?? stringAt(globals, 'CodeUri') ?? '.');
    const written = stringAt(props, 'Runtime') ?? stringAt(globals, 'Runtime');
    const runtime = written ?? guessRuntime(codeUri, handler);
    out.push({ name, handler, codeUri, runtime, runtimeFamily: familyOf(runtime), templatePath });
  }
  return out;
}

const cache = new Map<string, { mtimeMs: number; functions: StaticFunction[] }>();

/** The template's functions from disk, re-read only when the file changed. */
export function readTemplateFunctions(templatePath: string): StaticFunction[] {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(templatePath).mtimeMs;
  } catch {
    cache.delete(templatePath);
    return [];
  }
  const cached = cache.get(templatePath);
  if (cached?.mtimeMs === mtimeMs) return cached.functions;
  const functions = functionsInTemplate(readFileSync(templatePath, 'utf8'), templatePath);
  cache.set(templatePath, { mtimeMs, functions });
  return functions;
}

function familyOf(runtime: string): StaticRuntimeFamily {
  if (runtime.startsWith('nodejs')) return 'nodejs';
  if (runtime.startsWith('python')) return 'python';
  return 'other';
}

function guessRuntime(codeUri: string, handler: string): string {
  const modulePath = handler.slice(0, Math.max(handler.lastIndexOf('.'), 0));
  return existsSync(join(codeUri, `${modulePath.replace(/\./g, '/')}.py`)) ? 'python' : 'nodejs';
}

function mapAt(map: YAMLMap | undefined, key: string): YAMLMap | undefined {
  const value = map?.get(key, true);
  return isMap(value) ? value : undefined;
}

function stringAt(map: YAMLMap | undefined, key: string): string | undefined {
  const value = map?.get(key, true);
  return isScalar(value) && (typeof value.value === 'string' || typeof value.value === 'number') ? String(value.value) : undefined;
}
