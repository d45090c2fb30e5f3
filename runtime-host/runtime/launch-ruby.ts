// Ruby execution environments: our stdlib-only bootstrap.rb under the local `ruby`, with Lambda's
// environment. The local Ruby is whatever is installed (Debian's is 3.1); INIT_START says which
// (`ruby:3.3.v3.1-local`) when it differs from the function's runtime.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { distAsset } from './assets';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { onPath } from './launch-python';
import { addLayerPaths } from './layers';
import { UserError, type FunctionConfig } from './types';

const versions = new Map<string, { version: string; abi: string } | null>();

/** `ruby` on PATH and its version (`3.1.2`) and gem ABI folder name (`3.1.0`), asked once per binary. */
export function findRuby(context: Pick<LaunchContext, 'hostEnv' | 'debugPort'>, runtime: string): { command: string; version: string; abi: string } {
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
  if (context.debugPort !== undefined) {
    throw new UserError(`breakpoints in ${runtime} functions are not supported yet`, 'invoke the function without debugging');
  }
  return { command, ...found };
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
  return { command, args: [bootstrap], env, cwd: fn.codeUri, localRuntime: { name: 'ruby', version } };
}
