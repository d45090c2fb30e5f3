// Custom runtimes (`provided.al2023`, `provided.al2`): Lambda runs the executable `bootstrap` in
// the code folder with its environment; that program speaks the Runtime API itself. Go sources
// are built into that bootstrap first (go-build.ts).
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { goBootstrap, isGoFunction } from './go-build';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { addLayerPaths, layerBootstrap } from './layers';
import { UserError, type FunctionConfig } from './types';

export async function providedLaunchSpec(fn: FunctionConfig, context: LaunchContext): Promise<LaunchSpec> {
  if (isGoFunction(fn)) {
    if (context.debugPort !== undefined) {
      throw new UserError(`breakpoints in Go functions (${fn.name}) are not supported yet`, 'invoke the function without debugging');
    }
    const env = lambdaEnvironment(fn, context);
    addLayerPaths(env, fn);
    if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
    return { command: await goBootstrap(fn, context), args: [], env, cwd: fn.codeUri, localRuntime: hostOs() };
  }
  const own = join(fn.codeUri, 'bootstrap');
  // Lambda runs the function's own bootstrap, else one a layer brought (/opt/bootstrap).
  const bootstrap = existsSync(own) ? own : (layerBootstrap(fn) ?? own);
  let isFile = false;
  try {
    isFile = statSync(bootstrap).isFile();
  } catch {
    throw new UserError(
      `runtime ${fn.runtime} needs an executable named 'bootstrap' in ${fn.codeUri} or in one of its layers, and there is none`,
      'build your runtime into <code folder>/bootstrap',
    );
  }
  try {
    if (!isFile) throw new Error('not a file');
    accessSync(bootstrap, constants.X_OK);
  } catch {
    throw new UserError(`${bootstrap} is not an executable file`, `make it executable: chmod +x ${bootstrap}`);
  }
  const env = lambdaEnvironment(fn, context);
  addLayerPaths(env, fn);
  if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
  return { command: bootstrap, args: [], env, cwd: fn.codeUri, localRuntime: hostOs() };
}

let os: { name: string; version: string } | undefined;
/**
 * What a custom runtime really runs on locally: the host's OS (`ID` and `VERSION_ID` of
 * /etc/os-release, e.g. debian 12), where Lambda's provided.al2023 is Amazon Linux 2023.
 */
function hostOs(): { name: string; version: string } {
  if (!os) {
    let text = '';
    try {
      text = readFileSync('/etc/os-release', 'utf8');
    } catch {
      // not a systemd-style Linux
    }
    const value = (key: string) => new RegExp(`^${key}="?([^"\n]*)"?$`, 'm').exec(text)?.[1]?.trim() || undefined;
    os = { name: value('ID') ?? process.platform, version: value('VERSION_ID') ?? 'unknown' };
  }
  return os;
}
