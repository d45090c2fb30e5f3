// Ruby execution environments: our stdlib-only bootstrap.rb under the local `ruby`, with Lambda's
// environment. The local Ruby is whatever is installed (Debian's is 3.1); INIT_START says which
// (`ruby:3.3.v3.1-local`) when it differs from the function's runtime. In debug mode the debug gem's
// DAP server (rdbg) runs in the process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { distAsset } from './assets';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { onPath } from './launch-python';
import { addLayerPaths } from './layers';
import { UserError, type FunctionConfig } from './types';

const versions = new Map<string, { version: string; abi: string } | null>();

/** `ruby` on PATH and its version (`3.1.2`) and gem ABI folder name (`3.1.0`), asked once per binary. */
export function findRuby(context: Pick<LaunchContext, 'hostEnv'>, runtime: string): { command: string; version: string; abi: string } {
  const env = context.hostEnv ?? process.env;
  const command = onPath('ruby', env.PATH);
  let found = command ? versions.get(command) : null;
  if (command && found === undefined) {
    const r = spawnSync(command, ['-e', 'print RUBY_VERSION, " ", RbConfig::CONFIG["ruby_version"]'], { env, encoding: 'utf8', timeout: 15_000 });
    const [version, abi] = (r.stdout ?? '').trim().split(' ');
    found = r.status === 0 && /^\d+\.\d+\.\d+$/.test(version ?? '') ? { version: version!, abi: abi ?? version! } : null;
    versions.set(command, found);
  }
  if (!command || !found) {
    throw new UserError(
      `no Ruby interpreter found for ${runtime} (looked for ruby on PATH)`,
      'install Ruby (on Debian: apt-get install ruby) and make sure `ruby` is on PATH',
    );
  }
  return { command, ...found };
}

const debugGems = new Map<string, { version: string; loadPaths: string[] } | null>();

/**
 * The debug gem (rdbg) the local Ruby finds without the function's GEM_PATH (bundled with Ruby since
 * 3.1): its version and load paths (lib and the compiled extension), asked once per binary.
 */
export function findDebugGem(
  command: string,
  fn: Pick<FunctionConfig, 'name' | 'runtime'>,
  hostEnv: NodeJS.ProcessEnv,
): { version: string; loadPaths: string[] } {
  let found = debugGems.get(command);
  if (found === undefined) {
    const probe = 'spec = Gem::Specification.find_by_name("debug"); print spec.version, "\n", spec.full_require_paths.join("\n")';
    const r = spawnSync(command, ['-e', probe], { env: hostEnv, encoding: 'utf8', timeout: 15_000 });
    const [version, ...loadPaths] = (r.stdout ?? '').trim().split('\n');
    found = r.status === 0 && /^\d+\.\d+/.test(version ?? '') && loadPaths.length > 0 ? { version: version!, loadPaths } : null;
    debugGems.set(command, found);
  }
  if (!found) {
    throw new UserError(
      `debugging the Ruby function '${fn.name}' needs the debug gem (rdbg), which ${command} does not find`,
      'install it: gem install debug (it comes with Ruby 3.1 and later)',
    );
  }
  return found;
}

export function rubyLaunchSpec(fn: FunctionConfig, context: LaunchContext): LaunchSpec {
  const { command, version, abi } = findRuby(context, fn.runtime);
  const env = lambdaEnvironment(fn, context);
  addLayerPaths(env, fn);
  // Lambda's GEM_PATH: gems vendored with the function (bundle install --path vendor/bundle), then layers' /opt/ruby/gems.
  if (fn.environment['GEM_PATH'] === undefined) {
    const gemDirs = [join(fn.codeUri, 'vendor', 'bundle', 'ruby', abi), ...[...(fn.layers ?? [])].reverse().map((l) => join(l, 'ruby', 'gems', abi))];
    env['GEM_PATH'] = gemDirs.join(':');
  }
  // Lambda's RUBYLIB ends with /opt/ruby/lib: each layer's ruby/lib, a later layer first.
  const layerLibs = [...(fn.layers ?? [])].reverse().map((l) => join(l, 'ruby', 'lib'));
  if (layerLibs.length > 0 && fn.environment['RUBYLIB'] === undefined) env['RUBYLIB'] = layerLibs.join(':');
  if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
  const bootstrap = distAsset('runtime/ruby-bootstrap/bootstrap.rb');
  if (context.debugPort === undefined) return { command, args: [bootstrap], env, cwd: fn.codeUri, localRuntime: { name: 'ruby', version } };
  // Debug mode: the debug gem's server opens a TCP port and lets the program run (open_nonstop); VS Code
  // connects to it over DAP. Our bootstrap's frames stay out of the way (skip path); the bootstrap removes
  // these settings from ENV once read, so the function sees Lambda's environment.
  const gem = findDebugGem(command, fn, context.hostEnv ?? process.env);
  env['RUBY_DEBUG_HOST'] = '127.0.0.1';
  env['RUBY_DEBUG_PORT'] = String(context.debugPort);
  env['RUBY_DEBUG_SKIP_PATH'] = dirname(bootstrap);
  env['RUBY_DEBUG_NO_RC'] = 'true';
  const args = [...gem.loadPaths.flatMap((p) => ['-I', p]), '-r', 'debug/open_nonstop', bootstrap];
  return { command, args, env, cwd: fn.codeUri, localRuntime: { name: 'ruby', version } };
}
