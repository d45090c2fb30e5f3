// `lambda-workbench test`: every saved event (`events/<Fn>/<name>.json`) invoked on its template function
// and judged as the Test Explorer judges it (events/event-tests): against `<name>.expected.json` when
// there is one, else "the function succeeded". A summary or JUnit XML on stdout, progress on stderr.
// Exit 0 when all pass, 1 when one failed, 2 for a usage error (flags, no such function, no saved events).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkSavedEvent, responseOf } from '../events/event-tests';
import { junitReport, textReport, type EventTestResult } from '../events/event-tests/report';
import { SavedEvents } from '../events/saved-events';
import { FunctionRegistry } from '../functions/function-registry';
import type { SavedEventInfo } from '../protocol/methods';
import { HOST_SETTINGS } from '../protocol/settings';
import { LambdaInvoker, toInvokeOutput } from '../runtime/invoker';
import { defaultRuntimeSdkFolder, installedRuntimeSdk } from '../runtime/runtime-sdk';
import { UserError } from '../runtime/types';
import { parseFlags, UsageError } from './args';

export const USAGE = 'lambda-workbench test [--root DIR] [--template FILE] [--function NAME]... [--reporter text|junit]';

const FLAGS = {
  root: { type: 'string' },
  template: { type: 'string' },
  function: { type: 'string', multiple: true },
  reporter: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageFrom(err: unknown): never {
  if (err instanceof UserError) throw new UsageError(`${err.message}${err.hint ? ` (${err.hint})` : ''}`);
  throw err;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (give functions with --function)\nusage: ${USAGE}`);
  const reporter = values.reporter ?? 'text';
  if (reporter !== 'text' && reporter !== 'junit') throw new UsageError(`--reporter must be text or junit, got '${reporter}'\nusage: ${USAGE}`);
  const cwd = process.cwd();
  const root = resolve(cwd, values.root ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--root: '${values.root ?? '.'}' is not a directory`);
  const region = process.env['AWS_REGION'] ?? 'us-east-1';

  let registry: FunctionRegistry;
  try {
    registry = new FunctionRegistry({
      root,
      ...(values.template !== undefined ? { templatePath: resolve(cwd, values.template) } : {}),
      region,
      accountId: '123456789012',
      watch: false,
    });
  } catch (err) {
    usageFrom(err);
  }
  registry.close();

  let events: SavedEventInfo[];
  try {
    events = await new SavedEvents(root).list();
  } catch (err) {
    usageFrom(err);
  }
  const wanted = values.function ?? [];
  for (const name of wanted) {
    if (events.some((e) => e.function === name)) continue;
    if (registry.get(name)) throw new UsageError(`function '${name}' has no saved events (save one under events/${name}/)`);
    const known = registry.list().map((f) => f.name);
    throw new UsageError(`no function '${name}' in the template and no events/${name}/ folder${known.length ? ` (functions: ${known.join(', ')})` : ''}`);
  }
  if (wanted.length) events = events.filter((e) => wanted.includes(e.function));
  if (events.length === 0) throw new UsageError(`no saved events under ${resolve(root, 'events')} (an event is events/<Function>/<name>.json)`);

  const sdkChoice = process.env[HOST_SETTINGS.runtimeSdk.env] ?? 'auto';
  const runtimeSdkDir = sdkChoice === 'off' ? undefined : installedRuntimeSdk(sdkChoice === 'auto' ? defaultRuntimeSdkFolder() : resolve(cwd, sdkChoice));
  const invoker = new LambdaInvoker({
    region,
    stateDir: resolve(root, '.lambda-workbench'),
    ...(process.env['NODE_OPTIONS'] ? { nodeOptions: process.env['NODE_OPTIONS'] } : {}),
    ...(runtimeSdkDir ? { runtimeSdkDir } : {}),
  });
  const onSignal = () => void invoker.shutdown().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const store = new SavedEvents(root);
  const results: EventTestResult[] = [];
  const started = performance.now();
  try {
    for (const [i, saved] of events.entries()) {
      const result = await runOne(root, saved, registry, store, invoker);
      results.push(result);
      process.stderr.write(`test: [${i + 1}/${events.length}] ${saved.function} ${saved.name}: ${result.status} (${Math.round(result.durationMs)} ms)\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await invoker.shutdown();
  }
  const elapsed = performance.now() - started;
  process.stdout.write(reporter === 'junit' ? junitReport(results, elapsed) : textReport(results, elapsed));
  return results.every((r) => r.status === 'passed') ? 0 : 1;
}

async function runOne(root: string, saved: SavedEventInfo, registry: FunctionRegistry, store: SavedEvents, invoker: LambdaInvoker): Promise<EventTestResult> {
  const base = { function: saved.function, name: saved.name, eventPath: saved.path, durationMs: 0, logs: [] as string[] };
  const fail = (message: string): EventTestResult => ({ ...base, status: 'error', message });
  if (saved.error) return fail(`${saved.path} is not valid JSON: ${saved.error}`);
  const fn = registry.get(saved.function);
  if (!fn) return fail(`no function '${saved.function}' in the template (events/${saved.function}/ names one)`);
  if (!fn.supported) return fail(`${fn.name} cannot run locally: ${fn.unsupportedReason ?? 'unsupported runtime'}`);
  const t0 = performance.now();
  try {
    const event = await store.get(saved.function, saved.name);
    const record = await invoker.invoke({ fn, event, trigger: 'manual' });
    const output = toInvokeOutput(record);
    const check = await checkSavedEvent(root, saved.function, saved.name, responseOf(output));
    return { ...base, status: check.status, message: check.message, durationMs: performance.now() - t0, check, logs: output.logs };
  } catch (err) {
    return {
      ...fail(err instanceof UserError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : err instanceof Error ? err.message : String(err)),
      durationMs: performance.now() - t0,
    };
  }
}
