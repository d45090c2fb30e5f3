// Where things are in the text of a file: exported functions in JS/TS, top-level functions in Python
// and function resources in a
// template. Pure (no vscode import) so it is unit-tested on its own; which function a file serves is
// decided from the host's FunctionInfo, never re-derived from Lambda rules here.
import { extname, relative, sep } from 'node:path';

export interface ExportedFunction {
  name: string;
  /** 0-based line of the declaration. */
  line: number;
  /** Takes `(event, context)`-like parameters: worth a CodeLens even when no template names it. */
  lambdaLike: boolean;
}

const EXPORT_PATTERNS: RegExp[] = [
  // export async function handler(event, context) {
  /^\s*export\s+(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(([^)]*)/,
  // export default async function main(event) {  — Lambda reaches it as `module.default`
  /^\s*export\s+(default)\s+(?:async\s+)?function\s*\*?\s*(?:[A-Za-z_$][\w$]*)?\s*(?:<[^>]*>)?\s*\(([^)]*)/,
  // export const handler = async (event) => …   |   export const handler: Handler = async function (event) …
  /^\s*export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\s*[\w$]*\s*)?\(([^)]*)/,
  // export const handler = async event => …
  /^\s*export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/,
  // exports.handler = async (event, context) => …   |   module.exports.handler = function (event) …
  /^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\s*[\w$]*\s*)?\(([^)]*)/,
  /^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/,
];

const EVENT_PARAM = /^_?(event|evt|e|payload|input|records?)\b/i;
const CONTEXT_PARAM = /^_?(context|ctx)\b/i;

// def handler(event, context):  — top level only: Lambda imports the module and reads its attribute
const PYTHON_PATTERNS: RegExp[] = [/^def\s+([A-Za-z_]\w*)\s*\(([^)]*)/];

export function findExportedFunctions(text: string, language: 'javascript' | 'python' = 'javascript'): ExportedFunction[] {
  const out: ExportedFunction[] = [];
  const lines = text.split(/\r?\n/);
  const patterns = language === 'python' ? PYTHON_PATTERNS : EXPORT_PATTERNS;
  for (let i = 0; i < lines.length; i++) {
    for (const pattern of patterns) {
      const m = pattern.exec(lines[i]);
      if (!m) continue;
      const params = splitParams(m[2] ?? '');
      const lambdaLike =
        m[1] === 'handler' ||
        (params.length >= 1 && params.length <= 3 && (EVENT_PARAM.test(params[0]) || (params.length >= 2 && CONTEXT_PARAM.test(params[1]))));
      out.push({ name: m[1], line: i, lambdaLike });
      break;
    }
  }
  return out;
}

function splitParams(list: string): string[] {
  return list
    .split(',')
    .map((p) => p.trim().replace(/\s*:.*$/, ''))
    .filter(Boolean);
}

/**
 * 0-based lines of the given logical ids under `Resources:` in a template, found by indentation:
 * the first key level below `Resources:`.
 */
export function findResourceLines(text: string, logicalIds: string[]): Map<string, number> {
  const wanted = new Set(logicalIds);
  const found = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  let inResources = false;
  let childIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?$/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inResources = /^Resources\s*:/.test(line);
      childIndent = -1;
      continue;
    }
    if (!inResources) continue;
    if (childIndent < 0) childIndent = indent;
    if (indent !== childIndent) continue;
    const m = /^\s*["']?([A-Za-z0-9]+)["']?\s*:/.exec(line);
    if (m && wanted.has(m[1]) && !found.has(m[1])) found.set(m[1], i);
  }
  return found;
}

const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const SOURCE_EXTENSIONS = [...NODE_EXTENSIONS, '.py'];

export function isHandlerSourceFile(path: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(path)) && !path.endsWith('.d.ts');
}

export function isPythonFile(path: string): boolean {
  return extname(path) === '.py';
}

/**
 * For a file under a task root, the module path Lambda's handler string uses: `src/app` for
 * `<root>/src/app.ts`. Undefined when the file is outside the root or in node_modules.
 */
export function modulePathIn(root: string, file: string): string | undefined {
  const rel = relative(root, file);
  if (!rel || rel.startsWith('..') || rel.split(sep).some((part) => part === 'node_modules' || part === '.venv' || part === '__pycache__')) return undefined;
  const ext = extname(rel);
  if (!SOURCE_EXTENSIONS.includes(ext)) return undefined;
  return rel.slice(0, -ext.length).split(sep).join('/');
}

/** `src/app.handler` → `{ modulePath: 'src/app', exportName: 'handler' }` (Lambda splits at the last dot). */
export function splitHandler(handler: string): { modulePath: string; exportName: string } | undefined {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return undefined;
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}
