// The sandbox: a CPU-bound handler's duration at 128 / 512 / 1,769 MB (the cgroup's CPU quota follows
// the memory size; the process sandbox does not limit CPU), warm latency with freezing between
// invocations, and how long a SIGKILLed host's environments and setsid orphans outlive it.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { sandboxFor, type SandboxSetting } from '../../runtime-host/runtime/sandbox';

const CPU_ROOT = join(__dirname, '../fixtures/cpu-arith');
const TRIVIAL_ROOT = join(__dirname, '../fixtures/trivial');
const ITERATIONS = 30_000_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function cgroupsUsable(): boolean {
  try {
    sandboxFor('cgroup');
    return true;
  } catch {
    return false;
  }
}

async function cpuDurations(setting: SandboxSetting): Promise<Map<number, number>> {
  const invoker = new LambdaInvoker({ sandbox: setting });
  const out = new Map<number, number>();
  try {
    for (const memory of [128, 512, 1769]) {
      const fn = functionFromHandler({ handler: 'index.handler', root: CPU_ROOT, name: `bench-cpu-${memory}`, memory, timeout: 120 });
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const record = await invoker.invoke({ fn, event: { iterations: ITERATIONS }, trigger: 'manual' });
        if (record.status !== 'success') throw new Error(`cpu run at ${memory} MB: ${record.status} ${JSON.stringify(record.error)}`);
        runs.push(record.durationMs!);
      }
      out.set(memory, median(runs));
    }
  } finally {
    await invoker.shutdown();
  }
  return out;
}

async function warmP50(setting: SandboxSetting): Promise<number> {
  const invoker = new LambdaInvoker({ sandbox: setting });
  const fn = functionFromHandler({ handler: 'index.handler', root: TRIVIAL_ROOT, name: 'bench-warm-sandbox', memory: 1769 });
  const times: number[] = [];
  try {
    for (let i = 0; i < 600; i++) {
      const t0 = performance.now();
      await invoker.invoke({ fn, event: {}, trigger: 'manual' });
      if (i >= 100) times.push(performance.now() - t0);
    }
  } finally {
    await invoker.shutdown();
  }
  return median(times);
}

/** Starts a host with two environments (one frozen, one busy) and setsid orphans, SIGKILLs it, times until all are gone. */
async function orphanAfterKill(setting: SandboxSetting): Promise<number> {
  const tag = `${process.pid}9${Math.floor(Math.random() * 1e6)}`;
  const script = join(__dirname, '../../test/integration/sandbox-host-script.ts');
  const host = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify({ sandbox: setting, tag, fork: setting !== 'process' })], {
    cwd: join(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ pids: number[] }>((resolve, reject) => {
    let out = '';
    host.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { pids: number[] });
    });
    host.once('exit', (code) => reject(new Error(`host exited ${code}`)));
  });
  const t0 = performance.now();
  host.kill('SIGKILL');
  for (;;) {
    const left = [...ready.pids.filter(alive), ...tagged(tag)];
    if (left.length === 0) return performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error(`still alive 30 s after the host's SIGKILL: ${left.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function tagged(tag: string): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => {
      if (!(pid > 0)) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(`.${tag}`) && alive(pid);
      } catch {
        return false;
      }
    });
}

export async function run(): Promise<void> {
  const settings: SandboxSetting[] = cgroupsUsable() ? ['cgroup', 'process'] : ['process'];
  console.log(`sandbox here: ${sandboxFor('auto').kind} (${sandboxFor('auto').reason})`);
  for (const setting of settings) {
    const d = await cpuDurations(setting);
    const [a, b, c] = [d.get(128)!, d.get(512)!, d.get(1769)!];
    console.log(
      `CPU-bound handler, ${setting} sandbox: 128 MB ${a.toFixed(0)} ms, 512 MB ${b.toFixed(0)} ms, 1,769 MB ${c.toFixed(0)} ms ` +
        `(128/1769 ×${(a / c).toFixed(1)}, 512/1769 ×${(b / c).toFixed(1)}; Lambda's ratio: ×13.8, ×3.5)`,
    );
  }
  for (const setting of settings) console.log(`warm invoke p50 with freezing, ${setting} sandbox: ${(await warmP50(setting)).toFixed(2)} ms`);
  for (const setting of settings) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await orphanAfterKill(setting));
    console.log(
      `host SIGKILL → its environments and setsid orphans gone, ${setting} sandbox: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')} (goal < 2,000 ms)`,
    );
  }
}
