// Python execution environments: our stdlib-only bootstrap.py under the function's
// interpreter, with Lambda's environment. In debug mode it starts under debugpy, listening on the
// environment's debug port for VS Code to connect to as a debug adapter server.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { distAsset } from './assets';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { addLayerPaths, pythonLayerPath } from './layers';
import { UserError, type FunctionConfig } from './types';

interface Probe {
  ok: boolean;
  version?: string;
  debugpy?: boolean;
  /** Whether it can import boto3, which Lambda's Python runtimes ship (lambda-behaviour §8). */
  boto3?: boolean;
}
const probes = new Map<string, Probe>();

/** Runs the interpreter once (cached): a PATH entry may be a shim that is not usable (pyenv). */
function probe(command: string, env: NodeJS.ProcessEnv, withDebugpy = false): Probe {
  const key = `${command}\0${withDebugpy}`;
  const cached = probes.get(key);
  if (cached) return cached;
  // find_spec looks without importing: boto3's import alone takes ~200 ms.
  const code = [
    'import sys, importlib.util',
    'has = lambda m: 1 if importlib.util.find_spec(m) else 0',
    `print("%d.%d.%d %d %d" % (sys.version_info[0], sys.version_info[1], sys.version_info[2], ${withDebugpy ? 'has("debugpy")' : '0'}, has("boto3")))`,
  ].join('\n');
  const r = spawnSync(command, ['-c', code], { env, encoding: 'utf8', timeout: 15_000 });
  const out = (r.stdout ?? '').trim().split(' ');
  const result: Probe =
    r.status === 0 && /^\d+\.\d+\.\d+$/.test(out[0] ?? '') ? { ok: true, version: out[0], debugpy: out[1] === '1', boto3: out[2] === '1' } : { ok: false };
  probes.set(key, result);
  return result;
}

/** The first executable `name` in the PATH directories. */
export function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The interpreter for a python3.X function: `python3.X` on PATH, then the `pythonPath` setting,
 * then `python3`. In debug mode the first of those that can import debugpy (then Debian's
 * /usr/bin/python3, which python3-debugpy serves).
 */
export function findPythonInterpreter(runtime: string, context: Pick<LaunchContext, 'pythonPath' | 'hostEnv' | 'debugPort'>): string {
  return findPython(runtime, context).command;
}

/** The interpreter and its version (`3.11.7`). */
function findPython(
  runtime: string,
  context: Pick<LaunchContext, 'pythonPath' | 'hostEnv' | 'debugPort'>,
): { command: string; version: string; boto3: boolean } {
  const env = context.hostEnv ?? process.env;
  const versioned = /^python(3\.\d+)$/.exec(runtime)?.[1];
  const looked: string[] = [];
  const candidates: string[] = [];
  if (versioned) {
    looked.push(`python${versioned} on PATH`);
    const p = onPath(`python${versioned}`, env.PATH);
    if (p) candidates.push(p);
  }
  if (context.pythonPath) {
    looked.push(`the pythonPath setting (${context.pythonPath})`);
    candidates.push(context.pythonPath);
  }
  looked.push('python3 on PATH');
  const p3 = onPath('python3', env.PATH);
  if (p3) candidates.push(p3);
  const debug = context.debugPort !== undefined;
  if (debug) {
    looked.push('/usr/bin/python3 (python3-debugpy)');
    candidates.push('/usr/bin/python3');
  }
  for (const candidate of candidates) {
    const found = probe(candidate, env, debug);
    if (!found.ok) continue;
    if (debug && !found.debugpy) continue;
    return { command: candidate, version: found.version!, boto3: found.boto3 === true };
  }
  if (debug) {
    throw new UserError(
      `no Python interpreter with debugpy found for ${runtime} (looked for ${looked.join(', ')})`,
      "install debugpy for your interpreter (pip install debugpy) or Debian's python3-debugpy",
    );
  }
  throw new UserError(
    `no Python interpreter found for ${runtime} (looked for ${looked.join(', ')})`,
    'install Python 3 or set the pythonPath setting to an interpreter',
  );
}

export function pythonLaunchSpec(fn: FunctionConfig, context: LaunchContext): LaunchSpec {
  const { command: python, version, boto3 } = findPython(fn.runtime, context);
  const env = lambdaEnvironment(fn, context);
  // Lambda's Python runtime: unbuffered output, no .pyc files written into the task root.
  env['PYTHONUNBUFFERED'] = '1';
  env['PYTHONDONTWRITEBYTECODE'] = '1';
  addLayerPaths(env, fn);
  const layerPath = pythonLayerPath(fn);
  if (layerPath && fn.environment['PYTHONPATH'] === undefined) env['PYTHONPATH'] = layerPath;
  if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
  const bootstrap = distAsset('runtime/python-bootstrap/bootstrap.py');
  const args = context.debugPort !== undefined ? ['-m', 'debugpy', '--listen', `127.0.0.1:${context.debugPort}`, bootstrap] : [bootstrap];
  const sdkProvided = boto3 || [fn.codeUri, ...(layerPath ?? '').split(delimiter).filter(Boolean)].some((dir) => existsSync(join(dir, 'boto3')));
  return {
    command: python,
    args,
    env,
    cwd: fn.codeUri,
    localRuntime: { name: 'python', version },
    ...(sdkProvided ? {} : { notice: boto3Notice(fn.runtime, python) }),
  };
}

/** Lambda's Python runtimes import boto3 from the runtime; locally it is the interpreter's, when it has it. */
function boto3Notice(runtime: string, python: string): string {
  return (
    `${runtime} on Lambda can import boto3 (the runtime ships it), but ${python} cannot: ` +
    "install it for that interpreter (pip install boto3, or Debian's python3-boto3 for /usr/bin/python3) or set pythonPath to one that has it."
  );
}
