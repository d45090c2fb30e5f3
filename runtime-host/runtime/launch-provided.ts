// Custom runtimes (`provided.al2023`, `provided.al2`): Lambda runs the executable `bootstrap` in
// the code folder with its environment; that program speaks the Runtime API itself.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch';
import { UserError, type FunctionConfig } from './types';

export function providedLaunchSpec(fn: FunctionConfig, context: LaunchContext): LaunchSpec {
  const bootstrap = join(fn.codeUri, 'bootstrap');
  let isFile = false;
  try {
    isFile = statSync(bootstrap).isFile();
  } catch {
    throw new UserError(`runtime ${fn.runtime} needs an executable named 'bootstrap' in ${fn.codeUri}, and there is none`, 'build your runtime into <code folder>/bootstrap');
  }
  try {
    if (!isFile) throw new Error('not a file');
    accessSync(bootstrap, constants.X_OK);
  } catch {
    throw new UserError(`${bootstrap} is not an executable file`, `make it executable: chmod +x ${bootstrap}`);
  }
  const env = lambdaEnvironment(fn, context);
  if (context.pauseFile) env['_LAMBDA_WORKBENCH_PAUSE_FILE'] = context.pauseFile;
  return { command: bootstrap, args: [], env, cwd: fn.codeUri };
}
