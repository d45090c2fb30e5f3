// Java functions: a cold invoke of examples/hello-java (JVM start, our runtime, the handler's first call) against a
// bare JVM (`java -version` with the same flags), and warm invoke latency through the host. The example is compiled
// with the JDK's javac into a temporary folder first, as `mvn package` would.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { findJdk } from '../../runtime-host/runtime/java-toolchain';
import { javaMemoryFlags } from '../../runtime-host/runtime/launch-java';
import { percentile } from '../helpers';

const repo = join(__dirname, '..', '..');
const f = (n: number) => n.toFixed(2);
const p50 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const p99 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    99,
  );

function bareJvm(java: string, flags: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(java, [...flags, '-version'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - t0));
  });
}

export async function run(): Promise<void> {
  const jdk = findJdk({}, 'java21');
  const dir = mkdtempSync(join(tmpdir(), 'lw-bench-java-'));
  try {
    cpSync(join(repo, 'examples', 'hello-java'), dir, { recursive: true });
    const sources = readdirSync(join(dir, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.java'))
      .map((p) => join(dir, 'src', p));
    const built = spawnSync(jdk.javac, [
      '-implicit:none',
      '-sourcepath',
      join(repo, 'runtime-host', 'runtime', 'java-bootstrap'),
      '-d',
      join(dir, 'target', 'classes'),
      ...sources,
    ]);
    if (built.status !== 0) throw new Error(`javac failed: ${built.stderr}`);

    const fn = functionFromHandler({ handler: 'example.App::handleRequest', root: dir, name: 'bench-java', memory: 512 });
    const event = { pathParameters: { name: 'bench' } };
    const flags = javaMemoryFlags(fn.runtime, fn.memorySizeMB);
    const invoker = new LambdaInvoker();
    // The first cold start may compile our runtime once: not measured.
    await invoker.invoke({ fn, event, trigger: 'manual' });
    const rounds = 10;
    const bare: number[] = [];
    const cold: number[] = [];
    const init: number[] = [];
    const first: number[] = [];
    for (let i = 0; i < rounds; i++) {
      bare.push(await bareJvm(jdk.java, flags));
      invoker.retire(fn.name);
      const t0 = performance.now();
      const record = await invoker.invoke({ fn, event, trigger: 'manual' });
      cold.push(performance.now() - t0);
      if (!record.cold || record.status !== 'success') throw new Error(`cold invoke ${i} was not a cold success: ${record.status}`);
      init.push(record.initDurationMs!);
      first.push(record.durationMs!);
    }
    console.log(`JDK ${jdk.version} (${jdk.home}), ${fn.runtime} flags at ${fn.memorySizeMB} MB`);
    console.log(
      `cold invoke (spawn → result): p50 ${f(p50(cold))} ms  (Init Duration p50 ${f(p50(init))} ms, first invocation's Duration p50 ${f(p50(first))} ms)`,
    );
    console.log(`bare \`java -version\` with the same flags: p50 ${f(p50(bare))} ms`);

    const warmups = 100;
    const n = 500;
    const roundTrip: number[] = [];
    const duration: number[] = [];
    for (let i = 0; i < warmups + n; i++) {
      const t0 = performance.now();
      const record = await invoker.invoke({ fn, event, trigger: 'manual' });
      const t = performance.now() - t0;
      if (record.status !== 'success') throw new Error(`warm invoke failed: ${record.status}`);
      if (i >= warmups) {
        roundTrip.push(t);
        duration.push(record.durationMs!);
      }
    }
    await invoker.shutdown();
    console.log(`warm invoke through the host (${n} sequential): p50 ${f(p50(roundTrip))} ms  p99 ${f(p99(roundTrip))} ms`);
    console.log(`  handler's own time (REPORT Duration): p50 ${f(p50(duration))} ms  p99 ${f(p99(duration))} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
