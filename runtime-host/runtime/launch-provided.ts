// Custom runtimes (`provided.al2023`, `provided.al2`): Lambda runs the executable `bootstrap` in
// the code folder with its environment; that program speaks the Runtime API itself. Go sources
// are built into that bootstrap first (go-build.ts); in debug mode that build runs under Delve's
// headless server, which VS Code connects to as a debug adapter.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { goBootstrap, isGoFunction } from './go-build';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { onPath } from './launch-python';
import { addLayerPaths, layerBootstrap } from './layers';
import { UserError, type FunctionConfig } from './types';

export async function providedLaunchSpec(fn: FunctionConfig, context: LaunchContext): Promise<LaunchSpec> {
  if (isGoFunction(fn)) {
    const debug = context.debugPort !== undefined;
    // Before the build: a missing debugger is said at once, not after a minute of compiling.
    const dlv = debug ? findDelve(fn, context.hostEnv ?? process.env) : undefined;
    const env = lambdaEnvironment(fn, context);
    addLayerPaths(env, fn);
    if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
    const binary = await goBootstrap(fn, context, debug);
    if (!dlv) return { command: binary, args: [], env, cwd: fn.codeUri, localRuntime: hostOs() };
    // Delve starts the bootstrap and lets it run (--continue); VS Code connects to its DAP server later
    // (attach, mode remote) and may disconnect and come back (--accept-multiclient). Its own notices stay
    // out of the function's log (--log-dest).
    const args = [
      'exec',
      binary,
      '--headless',
      `--listen=127.0.0.1:${context.debugPort}`,
      '--accept-multiclient',
      '--api-version=2',
      '--continue',
      '--log-dest=/dev/null',
    ];
    return { command: dlv, args, env, cwd: fn.codeUri, localRuntime: hostOs(), debuggerWrapsRuntime: true };
  }
  if (context.debugPort !== undefined) {
    throw new UserError(
      `breakpoints in custom runtimes work for Go functions only: '${fn.name}' runs its own bootstrap`,
      'invoke it without debugging, or build it from Go sources (Metadata: BuildMethod: go1.x) to debug it with Delve',
    );
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

/** Delve: on PATH, else where `go install` puts it ($GOBIN, $GOPATH/bin, ~/go/bin); a user error that says how to install it otherwise. */
export function findDelve(fn: Pick<FunctionConfig, 'name'>, hostEnv: NodeJS.ProcessEnv): string {
  const onPathDlv = onPath('dlv', hostEnv.PATH);
  if (onPathDlv) return onPathDlv;
  const installDirs = [hostEnv.GOBIN, hostEnv.GOPATH && join(hostEnv.GOPATH.split(delimiter)[0] ?? '', 'bin'), hostEnv.HOME && join(hostEnv.HOME, 'go', 'bin')];
  const installed = onPath('dlv', installDirs.filter((d): d is string => !!d).join(delimiter));
  if (installed) return installed;
  throw new UserError(
    `debugging the Go function '${fn.name}' needs Delve (dlv), which is not installed (not on PATH, nor in Go's install folder)`,
    'install Delve: apt install delve (Debian, Ubuntu), or go install github.com/go-delve/delve/cmd/dlv@latest',
  );
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
