// A host for the kill -9 tests: starts environments (one idle and frozen, one hanging in an invocation,
// each with a setsid orphan), prints `{"pids":[…]}` once all are running, then waits to be killed.
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import type { SandboxSetting } from '../../runtime-host/runtime/sandbox';
import { fixtureFunction } from './runtime-helpers';

interface Args {
  sandbox: SandboxSetting;
  tag: string;
  fork: boolean;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const invoker = new LambdaInvoker({ sandbox: args.sandbox });
  const idle = fixtureFunction('sandbox/app.orphan', { name: 'idle-one', timeout: 60 });
  const busy = fixtureFunction('sandbox/app.orphan', { name: 'busy-one', timeout: 600 });
  const first = await invoker.invoke({ fn: idle, event: { tag: args.tag, fork: args.fork }, trigger: 'manual' });
  if (first.status !== 'success') throw new Error(`the idle environment failed: ${JSON.stringify(first.error)}`);
  let started = false;
  invoker.on('log', (_id, line) => {
    if (line.includes('orphan started')) started = true;
  });
  void invoker.invoke({ fn: busy, event: { tag: args.tag, fork: args.fork, then: 'hang' }, trigger: 'manual' });
  while (!started) await new Promise((resolve) => setTimeout(resolve, 20));
  process.stdout.write(JSON.stringify({ pids: invoker.environmentPids(), sandbox: invoker.sandbox.kind }) + '\n');
  await new Promise(() => setInterval(() => undefined, 60_000));
}

void main();
