// `lambda-workbench tune <handler|function> --event FILE --memory 128,256,…`: the memory tuner from the
// command line. Progress on stderr; the table (or, with --json, one TuneResult object) on stdout.
// Exit 0 when at least one size ran cleanly, 1 when every size failed, 2 for a usage error.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FunctionRegistry } from '../functions/function-registry';
import { functionFromHandler } from '../functions/handler-function';
import { DEFAULT_TIMEOUT_SECONDS, TIMEOUT_RANGE_SECONDS } from '../protocol/limits';
import type { FunctionInfo } from '../protocol/functions';
import { DEFAULT_TUNE_RUNS, DEFAULT_TUNE_SIZES_MB, TUNE_RUNS_RANGE } from '../protocol/tune';
import { LambdaInvoker } from '../runtime/invoker';
import { UserError } from '../runtime/types';
import { formatTuneTable } from '../tuning/table';
import { tune, validateTuneInput } from '../tuning/tuner';
import { integerFlag, parseFlags, UsageError } from './args';
import { loadEvent } from './event-argument';

export const USAGE = `lambda-workbench tune <handler|function> [--event FILE|-|TEMPLATE|JSON] [--memory ${DEFAULT_TUNE_SIZES_MB.join(',')}] [--runs N] [--timeout SECONDS] [--root DIR] [--template FILE] [--json]`;

const FLAGS = {
  root: { type: 'string' },
  template: { type: 'string' },
  event: { type: 'string' },
  memory: { type: 'string' },
  runs: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const BILLING_RULE = 'per-ms-with-init';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  if (positionals.length === 0) throw new UsageError(`missing <handler|function>, e.g. src/app.handler or HelloFunction\nusage: ${USAGE}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': give one <handler|function>\nusage: ${USAGE}`);
  const cwd = process.cwd();
  const root = resolve(cwd, values.root ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--root: '${values.root ?? '.'}' is not a directory`);
  const sizes = memoryList(values.memory);
  const runs = integerFlag(values.runs, 'runs', TUNE_RUNS_RANGE[0], TUNE_RUNS_RANGE[1], DEFAULT_TUNE_RUNS);
  const timeout = values.timeout === undefined ? undefined : integerFlag(values.timeout, 'timeout', TIMEOUT_RANGE_SECONDS[0], TIMEOUT_RANGE_SECONDS[1], 0);
  try {
    validateTuneInput(sizes, runs);
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`--memory: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
  const event = await loadEvent(values.event, cwd);
  const region = process.env['AWS_REGION'] ?? 'us-east-1';
  const fn = resolveTarget(positionals[0]!, root, values.template === undefined ? undefined : resolve(cwd, values.template), region, timeout);

  const json = values.json === true;
  const invoker = new LambdaInvoker({
    region,
    billingRule: BILLING_RULE,
    ...(process.env['NODE_OPTIONS'] ? { nodeOptions: process.env['NODE_OPTIONS'] } : {}),
  });
  const controller = new AbortController();
  const onSignal = () => {
    controller.abort();
    void invoker.shutdown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`tune: ${fn.name} at ${sizes.join(', ')} MB, 1 cold + ${runs} measured run(s) each\n`);
  try {
    const result = await tune({
      fn,
      event,
      memorySizesMB: sizes,
      runs,
      invoker,
      billingRule: BILLING_RULE,
      signal: controller.signal,
      onProgress: (p) => {
        const what = p.run === 0 ? 'cold run' : `run ${p.run}/${p.runs}`;
        const took = p.durationMs !== undefined ? `${p.durationMs.toFixed(2)} ms` : '';
        process.stderr.write(
          `tune: [${p.done}/${p.total}] ${p.memorySizeMB} MB ${what}: ${[took, p.status === 'success' ? '' : p.status].filter(Boolean).join(' ')}\n`,
        );
      },
    });
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatTuneTable(result));
    return result.sizes.some((s) => !s.error) ? 0 : 1;
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await invoker.shutdown();
  }
}

/** `128,256,512` → [128, 256, 512]. */
function memoryList(value: string | undefined): number[] {
  if (value === undefined) return [...DEFAULT_TUNE_SIZES_MB];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p)))
    throw new UsageError(`--memory takes sizes in MB separated by commas, e.g. ${DEFAULT_TUNE_SIZES_MB.join(',')}; got '${value}'`);
  return parts.map(Number);
}

/** A template function by logical id, else a handler string relative to --root. */
function resolveTarget(target: string, root: string, templatePath: string | undefined, region: string, timeout: number | undefined): FunctionInfo {
  let registry: FunctionRegistry;
  try {
    registry = new FunctionRegistry({ root, ...(templatePath ? { templatePath } : {}), region, accountId: '123456789012', watch: false });
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
  const known = registry.get(target);
  registry.close();
  if (known) {
    if (!known.supported) throw new UsageError(`function '${target}' cannot run locally: ${known.unsupportedReason ?? 'unsupported runtime'}`);
    return timeout === undefined ? known : { ...known, timeoutSeconds: timeout };
  }
  if (!target.includes('.')) {
    const names = registry.list().map((f) => f.name);
    throw new UsageError(
      `'${target}' is neither a function of the template nor a handler string (${names.length ? `functions: ${names.join(', ')}` : 'no template functions found'}; a handler looks like src/app.handler)`,
    );
  }
  try {
    return functionFromHandler({ handler: target, root, timeout: timeout ?? DEFAULT_TIMEOUT_SECONDS });
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
}
