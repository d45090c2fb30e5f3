// What every runtime family's launcher shares: the launch context, the LaunchSpec shape and the
// Lambda environment variables (docs/lambda-behaviour.md, "Environment").
import { randomBytes } from 'node:crypto';
import { distAsset } from './assets';
import { awsEndpointEnvironment, REAL_CREDENTIAL_VARIABLES } from './aws-endpoint-env';
import type { FunctionConfig } from './types';

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
  /** The host's local AWS endpoint (`http://127.0.0.1:<port>`): SDK clients are pointed at it. */
  awsEndpointUrl?: string;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** What really runs the function locally (`node 20.20.2`, `python 3.11.7`, `debian 12`), for INIT_START. */
  localRuntime?: { name: string; version: string };
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
const PASS_THROUGH = [
  'PATH',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
];

/** The environment of spec §2, shared by every runtime family. */
export function lambdaEnvironment(fn: FunctionConfig, context: LaunchContext): Record<string, string> {
  const host = context.hostEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const v = host[key];
    if (v !== undefined) env[key] = v;
  }
  // With a local endpoint, the SDK talks to the host with placeholder keys; the template's own Environment may still send a service elsewhere.
  if (context.awsEndpointUrl) for (const key of REAL_CREDENTIAL_VARIABLES) delete env[key];
  Object.assign(env, awsEndpointEnvironment(context.awsEndpointUrl));
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
