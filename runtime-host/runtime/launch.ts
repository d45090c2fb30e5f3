// How an execution environment is started: the command, its arguments, the Lambda environment
// (spec §2) and the working directory. One switch on the runtime family; each family's launcher
// returns the same LaunchSpec shape.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RuntimeFamily } from '../protocol/functions';
import { distAsset } from './assets';
import { pythonLaunchSpec } from './launch-python';
import { providedLaunchSpec } from './launch-provided';
import { UserError, type FunctionConfig } from './types';

export interface LaunchContext {
  /** `127.0.0.1:<port>` — AWS_LAMBDA_RUNTIME_API. */
  runtimeApi: string;
  region: string;
  accountId: string;
  /** `YYYY/MM/DD/[$LATEST]<32 hex>`, one per environment (see `newLogStreamName`). */
  logStreamName: string;
  /** Extra NODE_OPTIONS from the host's settings (Lambda honours NODE_OPTIONS). */
  nodeOptions?: string;
  /** Node binary (default: process.execPath). */
  nodePath?: string;
  pythonPath?: string;
  /** Debug mode: the inspector (Node) or debug adapter (Python) listens on 127.0.0.1:<debugPort>. */
  debugPort?: number;
  /** Debug mode: the file the host rewrites on each debugger pause/resume (`_LAMBDA_WORKBENCH_PAUSE_FILE`). */
  pauseFile?: string;
  /** Where the TypeScript compile cache goes (`<stateDir>/ts-cache`); default under os.tmpdir(). */
  stateDir?: string;
  /** Replaces the bootstrap script for Node (the conformance test runs aws-lambda-ric's `bin/index.mjs <handler>`). */
  nodeEntry?: string[];
  /** Host variables passed through (PATH, AWS credentials); default process.env. */
  hostEnv?: NodeJS.ProcessEnv;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** What really runs the function locally (`node 20.20.2`, `python 3.11.7`, `debian 12`), for INIT_START. */
  localRuntime?: { name: string; version: string };
}

export function runtimeFamilyOf(runtime: string): RuntimeFamily {
  if (/^nodejs/.test(runtime)) return 'nodejs';
  if (/^python3/.test(runtime)) return 'python';
  if (/^provided/.test(runtime)) return 'provided';
  return 'unsupported';
}

export function launchSpec(fn: FunctionConfig, context: LaunchContext): LaunchSpec {
  const family = runtimeFamilyOf(fn.runtime);
  switch (family) {
    case 'nodejs':
      return nodeLaunchSpec(fn, context);
    case 'python':
      return pythonLaunchSpec(fn, context);
    case 'provided':
      return providedLaunchSpec(fn, context);
    case 'unsupported':
      throw new UserError(
        `runtime '${fn.runtime}' is not supported: Lambda Workbench runs Node.js (nodejs18.x–nodejs22.x), Python (python3.x) and custom runtimes (provided.al2023, provided.al2) locally`,
        'Java, .NET, Ruby and Go 1.x functions cannot be run locally; build a custom runtime (provided.al2023) for Go instead',
      );
  }
}

/** Lambda's node flags for a memory size (spec §2, integer division as its bootstrap script does). */
export function nodeMemoryFlags(memorySizeMB: number): string[] {
  const tenth = Math.floor(memorySizeMB / 10);
  return [`--max-semi-space-size=${Math.floor(tenth / 2)}`, `--max-old-space-size=${memorySizeMB - tenth}`];
}

function nodeLaunchSpec(fn: FunctionConfig, context: LaunchContext): LaunchSpec {
  const env = lambdaEnvironment(fn, context);
  const nodeOptions = [context.nodeOptions, fn.environment['NODE_OPTIONS']].filter((s) => s && s.trim()).join(' ');
  if (nodeOptions) env['NODE_OPTIONS'] = nodeOptions;
  else delete env['NODE_OPTIONS'];
  env['_LAMBDA_WORKBENCH_ESBUILD'] = esbuildDir();
  env['_LAMBDA_WORKBENCH_CACHE_DIR'] = join(context.stateDir ?? join(tmpdir(), 'lambda-workbench'), 'ts-cache');
  if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
  const args = ['--expose-gc', '--max-http-header-size', '81920', ...nodeMemoryFlags(fn.memorySizeMB)];
  if (context.debugPort !== undefined) args.push(`--inspect=127.0.0.1:${context.debugPort}`);
  args.push('--require', distAsset('runtime/stdio-preload.js'));
  args.push(...(context.nodeEntry ?? [distAsset('runtime/node-bootstrap.js')]));
  const command = context.nodePath ?? process.execPath;
  return { command, args, env, cwd: fn.codeUri, localRuntime: { name: 'node', version: nodeVersionOf(command) } };
}

const nodeVersions = new Map<string, string>([[process.execPath, process.versions.node]]);
/** The version of a node binary (asked once per binary; this host's own is known). */
function nodeVersionOf(command: string): string {
  let version = nodeVersions.get(command);
  if (version === undefined) {
    const r = spawnSync(command, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 15_000 });
    version = r.status === 0 && /^\d+\.\d+\.\d+/.test(r.stdout) ? r.stdout.trim() : 'unknown';
    nodeVersions.set(command, version);
  }
  return version;
}

let esbuildPath: string | undefined;
function esbuildDir(): string {
  if (!esbuildPath) esbuildPath = dirname(require.resolve('esbuild/package.json'));
  return esbuildPath;
}

/** Variables Lambda sets and a function's configuration cannot override. */
const RESERVED = new Set([
  '_HANDLER',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Host variables an environment inherits: the PATH to find tools, and credentials so AWS SDK calls work as in Lambda. */
const PASS_THROUGH = ['PATH', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

/** The environment of spec §2, shared by every runtime family. */
export function lambdaEnvironment(fn: FunctionConfig, context: LaunchContext): Record<string, string> {
  const host = context.hostEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const v = host[key];
    if (v !== undefined) env[key] = v;
  }
  env['TZ'] = ':UTC';
  env['LANG'] = 'en_US.UTF-8';
  for (const [k, v] of Object.entries(fn.environment)) {
    if (!RESERVED.has(k)) env[k] = String(v);
  }
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_REGION: context.region,
    AWS_DEFAULT_REGION: context.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: context.logStreamName,
    AWS_LAMBDA_RUNTIME_API: context.runtimeApi,
    LAMBDA_TASK_ROOT: fn.codeUri,
    LAMBDA_RUNTIME_DIR: distAsset('runtime'),
  });
  return env;
}

export function newLogStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}
