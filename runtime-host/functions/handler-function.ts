// A function described only by a handler string (`invoke src/app.handler`, the protocol's
// `{handler, root}` invokes): Lambda's defaults, validated limits, a name derived from the handler.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Architecture } from '../protocol/records';
import { refuseReserved } from './reserved-variables';
import type { FunctionInfo } from '../protocol/functions';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, MEMORY_RANGE_MB, TIMEOUT_RANGE_SECONDS } from '../protocol/limits';
import { runtimeFamilyOf } from '../runtime/launch';
import { UserError } from '../runtime/types';

export const DEFAULT_RUNTIME = 'nodejs22.x';
/** The runtime a handler string gets when its module is a `.py` file. */
export const DEFAULT_PYTHON_RUNTIME = 'python3.12';
/** The runtime a handler string gets when its file is a `.rb` file (`app.handler`, `app.Module::Class.method`). */
export const DEFAULT_RUBY_RUNTIME = 'ruby3.3';
/** The runtime a handler string gets when it names a Java class (`com.example.Handler::handleRequest`) of a Java project. */
export const DEFAULT_JAVA_RUNTIME = 'java21';
/** The runtime a handler string gets when the folder holds only an executable `bootstrap`. */
export const DEFAULT_PROVIDED_RUNTIME = 'provided.al2023';

export interface HandlerFunctionInput {
  handler: string;
  /** Task root; relative paths resolve against the current directory. */
  root: string;
  name?: string;
  memory?: number;
  timeout?: number;
  env?: Record<string, string>;
  runtime?: string;
  architecture?: Architecture;
}

export function functionFromHandler(input: HandlerFunctionInput): FunctionInfo {
  const handler = input.handler.trim();
  if (!handler) throw new UserError('the handler is empty', 'give a Lambda handler string such as src/app.handler');
  const memorySizeMB = input.memory ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memorySizeMB) || memorySizeMB < MEMORY_RANGE_MB[0] || memorySizeMB > MEMORY_RANGE_MB[1]) {
    throw new UserError(
      `memory must be a whole number of MB from ${MEMORY_RANGE_MB[0]} to ${MEMORY_RANGE_MB[1]}, got ${memorySizeMB}`,
      'Lambda allows 128–10,240 MB in 1 MB steps',
    );
  }
  const timeoutSeconds = input.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_RANGE_SECONDS[0] || timeoutSeconds > TIMEOUT_RANGE_SECONDS[1]) {
    throw new UserError(
      `timeout must be a whole number of seconds from ${TIMEOUT_RANGE_SECONDS[0]} to ${TIMEOUT_RANGE_SECONDS[1]}, got ${timeoutSeconds}`,
      'Lambda allows 1–900 seconds',
    );
  }
  const name = input.name ?? nameFromHandler(handler);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new UserError(`function name '${name}' is not valid`, 'use 1–64 letters, digits, hyphens or underscores (as Lambda does)');
  }
  if (input.env) refuseReserved(input.env, 'the environment (--env / "env")');
  const runtime = input.runtime ?? inferRuntime(handler, resolve(input.root));
  const runtimeFamily = runtimeFamilyOf(runtime);
  return {
    name,
    handler,
    codeUri: resolve(input.root),
    runtime,
    runtimeFamily,
    supported: runtimeFamily !== 'unsupported',
    ...(runtimeFamily === 'unsupported' ? { unsupportedReason: `runtime ${runtime} cannot run locally` } : {}),
    memorySizeMB,
    timeoutSeconds,
    architecture: input.architecture ?? 'x86_64',
    environment: { ...(input.env ?? {}) },
    events: [],
    origin: { kind: 'handler' },
  };
}

/** `src/app.handler` → `app-handler`: the module basename and the export path, as a valid function name. */
export function nameFromHandler(handler: string): string {
  const base = handler.split('/').pop() ?? handler;
  const name = base
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return name || 'function';
}

const NODE_MODULE_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/**
 * Without a template the runtime follows the code: a Node module named by the handler → Node;
 * otherwise a Python module (`pkg/mod.fn` or `pkg.mod.fn` → pkg/mod.py) → Python; otherwise a Ruby
 * file (`lib/app.handler` or `app.Module::Class.method` → lib/app.rb, app.rb) → Ruby; otherwise a Java
 * class name (`pkg.Class::method`, or `pkg.Class` in a Maven/Gradle project or a jar) → Java; otherwise
 * a go.mod or an executable `bootstrap` in the root → a custom runtime; otherwise Node (whose errors then explain).
 */
export function inferRuntime(handler: string, root: string): string {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const base = handler.slice(slash + 1);
  const nodeModule = join(root, dir, base.split('.')[0] ?? '');
  if (base.includes('.') && NODE_MODULE_EXTENSIONS.some((ext) => isFile(nodeModule + ext))) return DEFAULT_RUNTIME;
  const dot = handler.lastIndexOf('.');
  if (dot > 0) {
    const pythonModule = join(root, handler.slice(0, dot).replace(/\./g, '/'));
    if (isFile(`${pythonModule}.py`) || isFile(join(pythonModule, '__init__.py'))) return DEFAULT_PYTHON_RUNTIME;
  }
  if (base.includes('.') && isFile(join(root, dir, `${base.split('.')[0]}.rb`))) return DEFAULT_RUBY_RUNTIME;
  if (JAVA_HANDLER.test(handler) && (handler.includes('::') || isJavaCode(root))) return DEFAULT_JAVA_RUNTIME;
  if (isFile(join(root, 'go.mod'))) return DEFAULT_PROVIDED_RUNTIME;
  const bootstrap = join(root, 'bootstrap');
  if (isFile(bootstrap)) {
    try {
      accessSync(bootstrap, constants.X_OK);
      return DEFAULT_PROVIDED_RUNTIME;
    } catch {
      // not executable: not a custom runtime
    }
  }
  return DEFAULT_RUNTIME;
}

/** `package.Class` or `package.Class::method`, as Lambda's Java runtime reads `_HANDLER`. */
const JAVA_HANDLER = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?$/;

function isJavaCode(root: string): boolean {
  return (
    /\.jar$/.test(root) ||
    ['pom.xml', 'build.gradle', 'build.gradle.kts'].some((f) => isFile(join(root, f))) ||
    existsSync(join(root, 'target', 'classes')) ||
    existsSync(join(root, 'build', 'classes'))
  );
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
