// How an execution environment is started: the command, its arguments, the Lambda environment
// (lambda-behaviour §2) and the working directory. One switch on the runtime family; each family's launcher
// returns the same LaunchSpec shape.
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeFamily } from '../protocol/functions';
import type { DebugTargetKind } from '../protocol/methods';
import { distAsset } from './assets';
import { javaLaunchSpec } from './launch-java';
import { pythonLaunchSpec } from './launch-python';
import { providedLaunchSpec } from './launch-provided';
import { rubyLaunchSpec } from './launch-ruby';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { addLayerPaths, nodeLayerPath } from './layers';
import { esbuildPackageDir, precompileTypeScript } from './typescript-compiler';
import { UserError, type FunctionConfig } from './types';

export { lambdaEnvironment, newLogStreamName, type HostLaunchSettings, type LaunchContext, type LaunchSpec } from './launch-environment';

export function runtimeFamilyOf(runtime: string): RuntimeFamily {
  if (/^nodejs/.test(runtime)) return 'nodejs';
  if (/^python3/.test(runtime)) return 'python';
  if (/^ruby3\.\d+$/.test(runtime)) return 'ruby';
  if (/^java(11|17|21|25)$/.test(runtime)) return 'java';
  if (/^provided/.test(runtime)) return 'provided';
  return 'unsupported';
}

/**
 * How a debugger reaches a debug environment of this runtime; each family's launch spec starts the
 * matching server when `debugPort` is set (a new family adds its kind here and in DebugTargetKind).
 */
export function debugTargetKindOf(fn: Pick<FunctionConfig, 'runtime'>): DebugTargetKind {
  switch (runtimeFamilyOf(fn.runtime)) {
    case 'python':
      return 'debugpy';
    case 'ruby':
      return 'rdbg';
    case 'java':
      return 'jdwp';
    case 'provided':
      return 'delve';
    default:
      return 'node-inspector';
  }
}

/** Async because a Go function may first be built (go-build.ts). */
export async function launchSpec(fn: FunctionConfig, context: LaunchContext): Promise<LaunchSpec> {
  const family = runtimeFamilyOf(fn.runtime);
  switch (family) {
    case 'nodejs':
      return nodeLaunchSpec(fn, context, await precompiled(fn, context));
    case 'python':
      return pythonLaunchSpec(fn, context);
    case 'ruby':
      return rubyLaunchSpec(fn, context);
    case 'java':
      return javaLaunchSpec(fn, context);
    case 'provided':
      return providedLaunchSpec(fn, context);
    case 'unsupported':
      throw new UserError(
        `runtime '${fn.runtime}' is not supported: Lambda Workbench runs Node.js (nodejs18.x–nodejs22.x), Python (python3.x), Ruby (ruby3.x), Java (java11, java17, java21, java25) and custom runtimes (provided.al2023, provided.al2, Go with BuildMethod go1.x) locally`,
        '.NET and Java 8 functions cannot be run locally yet; for Go use provided.al2023 with a go.mod in CodeUri',
      );
  }
}

/** Lambda's node flags for a memory size (lambda-behaviour §2, integer division as its bootstrap script does). */
export function nodeMemoryFlags(memorySizeMB: number): string[] {
  const tenth = Math.floor(memorySizeMB / 10);
  return [`--max-semi-space-size=${Math.floor(tenth / 2)}`, `--max-old-space-size=${memorySizeMB - tenth}`];
}

/** The TypeScript cache, filled ahead of the environment when the compiler would not fit in it (runtime/typescript-compiler.ts). */
async function precompiled(fn: FunctionConfig, context: LaunchContext): Promise<string> {
  const cacheDir = join(context.stateDir ?? join(tmpdir(), 'lambda-workbench'), 'ts-cache');
  await precompileTypeScript(fn.codeUri, nodeVersionOf(context.nodePath ?? process.execPath), cacheDir);
  return cacheDir;
}

function nodeLaunchSpec(fn: FunctionConfig, context: LaunchContext, tsCacheDir: string): LaunchSpec {
  const env = lambdaEnvironment(fn, context);
  addLayerPaths(env, fn);
  const nodePath = nodeLayerPath(fn, context.runtimeSdkDir ? [context.runtimeSdkDir] : []);
  if (nodePath && fn.environment['NODE_PATH'] === undefined) env['NODE_PATH'] = nodePath;
  const nodeOptions = [context.nodeOptions, fn.environment['NODE_OPTIONS']].filter((s) => s && s.trim()).join(' ');
  if (nodeOptions) env['NODE_OPTIONS'] = nodeOptions;
  else delete env['NODE_OPTIONS'];
  env['_LAMBDA_WORKBENCH_ESBUILD'] = esbuildPackageDir();
  env['_LAMBDA_WORKBENCH_CACHE_DIR'] = tsCacheDir;
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
