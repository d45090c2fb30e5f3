// `lambda-workbench invoke <handler> …` — one invocation, as Lambda would run it (the README's CLI
// contract, kept exactly): logs to stderr and the result to stdout, or one JSON object with --json;
// exit 0 success, 1 function error, 2 usage error (one line).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { functionFromHandler } from '../functions/handler-function';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, MEMORY_RANGE_MB, TIMEOUT_RANGE_SECONDS } from '../protocol/limits';
import { LambdaInvoker, toInvokeOutput } from '../runtime/invoker';
import { resolveProfileCredentials, type AwsAccess } from '../runtime/aws-environment';
import { MAX_LAYERS } from '../runtime/layers';
import { defaultRuntimeSdkFolder, installedRuntimeSdk } from '../runtime/runtime-sdk';
import { UserError } from '../runtime/types';
import { integerFlag, keyValueFlags, parseFlags, profileFlag, UsageError } from './args';
import { loadEvent } from './event-argument';
import { HOST_SETTINGS } from '../protocol/settings';
import { errorPayload } from '../protocol/records';
import { sandboxSetting } from './serve';

export const USAGE =
  'lambda-workbench invoke <handler> [--root DIR] [--event FILE|-|TEMPLATE|JSON] [--memory MB] [--timeout SECONDS] [--env KEY=VALUE]... [--layer DIR]... [--runtime-sdk off|DIR] [--name FUNCTION_NAME] [--aws-profile NAME] [--sandbox auto|cgroup|process] [--json]';

const FLAGS = {
  root: { type: 'string' },
  event: { type: 'string' },
  memory: { type: 'string' },
  timeout: { type: 'string' },
  env: { type: 'string', multiple: true },
  layer: { type: 'string', multiple: true },
  'runtime-sdk': { type: 'string' },
  name: { type: 'string' },
  'aws-profile': { type: 'string' },
  sandbox: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, FLAGS, USAGE);
  } catch (err) {
    // The contract wants one line: fold the usage hint into it.
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/\nusage: /, ' (usage: ') + (err.message.includes('\nusage: ') ? ')' : ''));
    throw err;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError(`missing <handler>, e.g. src/app.handler (usage: ${USAGE})`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': give one <handler> (usage: ${USAGE})`);
  const cwd = process.cwd();
  const root = resolve(cwd, values.root ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--root: '${values.root ?? '.'}' is not a directory`);
  const memory = integerFlag(values.memory, 'memory', MEMORY_RANGE_MB[0], MEMORY_RANGE_MB[1], DEFAULT_MEMORY_MB);
  const timeout = integerFlag(values.timeout, 'timeout', TIMEOUT_RANGE_SECONDS[0], TIMEOUT_RANGE_SECONDS[1], DEFAULT_TIMEOUT_SECONDS);
  const env = keyValueFlags(values.env, 'env');
  const layers = (values.layer ?? []).map((dir) => {
    const folder = resolve(cwd, dir);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--layer: '${dir}' is not a directory`);
    return folder;
  });
  if (layers.length > MAX_LAYERS) throw new UsageError(`--layer: at most ${MAX_LAYERS} layers, as Lambda allows, got ${layers.length}`);
  const event = await loadEvent(values.event, cwd);

  let fn;
  try {
    fn = functionFromHandler({ handler: positionals[0]!, root, memory, timeout, env, ...(values.name !== undefined ? { name: values.name } : {}) });
    if (layers.length > 0) fn = { ...fn, layers };
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }

  const profileName = profileFlag(values['aws-profile']);
  let aws: AwsAccess = {};
  try {
    if (profileName) aws = { profile: resolveProfileCredentials(profileName) };
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
  if (aws.profile) {
    process.stderr.write(
      `lambda-workbench: WARNING the function gets the credentials of AWS profile '${aws.profile.profile}': its AWS calls reach real AWS as that profile\n`,
    );
  }

  const json = values.json === true;
  // The runtime's SDK when the machine has it (serve installs it once); a one-shot invoke never waits for an install.
  const sdkChoice = values['runtime-sdk'] ?? process.env[HOST_SETTINGS.runtimeSdk.env] ?? 'auto';
  const runtimeSdkDir = sdkChoice === 'off' ? undefined : installedRuntimeSdk(sdkChoice === 'auto' ? defaultRuntimeSdkFolder() : resolve(cwd, sdkChoice));
  const sandbox = values.sandbox !== undefined ? sandboxSetting(values.sandbox, '--sandbox') : undefined;
  let invoker: LambdaInvoker;
  try {
    invoker = new LambdaInvoker({
      region: process.env['AWS_REGION'] ?? 'us-east-1',
      aws,
      ...(sandbox ? { sandbox } : {}),
      ...(process.env['NODE_OPTIONS'] ? { nodeOptions: process.env['NODE_OPTIONS'] } : {}),
      ...(runtimeSdkDir ? { runtimeSdkDir } : {}),
    });
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
  if (!json) invoker.on('log', (_id, line) => process.stderr.write(`${line}\n`));
  // Ctrl-C: the environment goes with us.
  const onSignal = () => void invoker.shutdown().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const record = await invoker.invoke({ fn, event, trigger: 'manual' });
    const output = toInvokeOutput(record);
    if (json) process.stdout.write(`${JSON.stringify(output)}\n`);
    // What a synchronous caller gets: the runtime's error post byte for byte, or the result.
    else process.stdout.write(`${output.error ? errorPayload(record.error ?? output.error) : JSON.stringify(output.result ?? null)}\n`);
    return record.status === 'success' ? 0 : 1;
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await invoker.shutdown();
  }
}
