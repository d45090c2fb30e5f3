// What every runtime family's launcher shares: the launch context, the LaunchSpec shape and the
// Lambda environment variables (docs/lambda-behaviour.md, "Environment").
import { randomBytes } from 'node:crypto';
import { RESERVED_VARIABLES } from '../functions/reserved-variables';
import { distAsset } from './assets';
import { awsEnvironment, isCredentialVariable, localQueueUrls, type AwsAccess } from './aws-environment';
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
  /** The JDK for Java functions (the javaHome setting); before JAVA_HOME and javac on PATH. */
  javaHome?: string;
  /** Debug mode: the inspector (Node) or debug adapter (Python) listens on 127.0.0.1:<debugPort>. */
  debugPort?: number;
  /** Debug mode: the file the host rewrites on each debugger pause/resume (`_LAMBDA_WORKBENCH_PAUSE_FILE`). */
  pauseFile?: string;
  /** Where the TypeScript compile cache goes (`<stateDir>/ts-cache`); default under os.tmpdir(). */
  stateDir?: string;
  /** Replaces the bootstrap script for Node (the conformance test runs aws-lambda-ric's `bin/index.mjs <handler>`). */
  nodeEntry?: string[];
  /** Host variables passed through (PATH); default process.env. The host's AWS credentials never are. */
  hostEnv?: NodeJS.ProcessEnv;
  /** A node_modules folder holding the AWS SDK for JavaScript v3, found after the function's own modules and its layers (Lambda's /var/runtime/node_modules). */
  runtimeSdkDir?: string;
  /** Credentials and endpoints functions get (aws-environment.ts); default placeholder credentials. */
  aws?: AwsAccess;
  /** AWS_LAMBDA_INITIALIZATION_TYPE: `provisioned-concurrency` for environments initialised ahead of invocations. */
  initializationType?: InitializationType;
}

export type InitializationType = 'on-demand' | 'provisioned-concurrency';

/** The launch settings that are the host's (the same for every environment), as opposed to one environment's own. */
export type HostLaunchSettings = Omit<
  LaunchContext,
  'runtimeApi' | 'region' | 'accountId' | 'logStreamName' | 'debugPort' | 'pauseFile' | 'initializationType'
>;

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** What really runs the function locally (`node 20.20.2`, `python 3.11.7`, `debian 12`), for INIT_START. */
  localRuntime?: { name: string; version: string };
  /** Said once per function (with the interpreter version notice) when the local runtime lacks what Lambda's has (boto3). */
  notice?: string;
}

/** Host variables an environment inherits: the PATH to find tools. Credentials come from aws-environment.ts only. */
const PASS_THROUGH = ['PATH'];

/** The environment of lambda-behaviour §2, shared by every runtime family. */
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
    // Lambda refuses credentials in a function's configuration; here they would shadow the policy's.
    if (!RESERVED_VARIABLES.has(k) && !isCredentialVariable(k)) env[k] = String(v);
  }
  Object.assign(env, awsEnvironment(context.region, context.aws), {
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: context.initializationType ?? 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup ?? `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: context.logStreamName,
    AWS_LAMBDA_RUNTIME_API: context.runtimeApi,
    LAMBDA_TASK_ROOT: fn.codeUri,
    LAMBDA_RUNTIME_DIR: distAsset('runtime'),
  });
  // A function's own Environment may send one service elsewhere (AWS_ENDPOINT_URL_SQS…): it wins over the host's routing.
  for (const [k, v] of Object.entries(fn.environment)) if (k.startsWith('AWS_ENDPOINT_URL')) env[k] = String(v);
  localQueueUrls(env, context.region, context.aws);
  return env;
}

export function newLogStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * The runtime's own version against the interpreter that really runs it: `nodejs22.x` on Node 20, `python3.13`
 * on Python 3.11. Undefined when they agree (or the runtime names no version).
 */
export function runtimeVersionNotice(runtime: string, local: { name: string; version: string } | undefined): string | undefined {
  if (!local) return undefined;
  const wanted =
    /^nodejs(\d+)/.exec(runtime)?.[1] ?? /^python(3\.\d+)/.exec(runtime)?.[1] ?? /^ruby(\d+\.\d+)/.exec(runtime)?.[1] ?? /^java(\d+)$/.exec(runtime)?.[1];
  if (wanted === undefined) return undefined;
  const have = local.version.split('.').slice(0, wanted.split('.').length).join('.');
  if (have === wanted) return undefined;
  return `${runtime} runs on the local ${local.name} ${local.version}, not ${local.name} ${wanted}: behaviour that differs between these versions will differ here (install ${local.name} ${wanted}, or set its path in the settings)`;
}
