// HTTP API requests per second to a trivial handler at 50 concurrent keep-alive connections:
// `lambda-workbench serve` vs serverless-offline 13.x (+ serverless 3.x) on the same handler, same
// load generator, same run. serverless-offline is installed on first use into .cache/bench-tools/
// (git-ignored), never into package.json. Knobs: BENCH_HTTP_SECONDS (default 5), BENCH_HTTP_CONNECTIONS (50).
// Both servers are measured once their pools have stopped growing: 50 connections end up with 50
// environments (serverless-offline: 50 workers), and until then every cold start's process start
// (~100 ms of CPU on this kind of machine) lands in the window.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB_PER_VCPU } from '../../runtime-host/runtime/sandbox/cpu';
import { freePort } from '../../runtime-host/util/ports';

const ROOT = join(__dirname, '..', '..');
const TOOLS = join(ROOT, '.cache', 'bench-tools');
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const WARMUP_MS = 3000;
const WARMUP_TIMEOUT_MS = 120_000;
/** The pool counts as grown once its size has not changed for this long (sampled every STEADY_SAMPLE_MS). */
const STEADY_FOR_MS = 3000;
const STEADY_SAMPLE_MS = 250;
const STEADY_MAX_MS = 60_000;

const HANDLER = "exports.handler = async () => ({ statusCode: 200, body: 'hello' });\n";

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

interface Measured extends LoadResult {
  warmupSeconds: number;
  /** The server's processes and threads once warm (Linux). */
  tasks?: number;
}

/**
 * N connections, each sending its next request as soon as the last answer arrives, for `durationMs`
 * or — when `untilEachDid` is given — until every connection has completed that many requests, or
 * until `done()` says so.
 */
async function load(url: string, connections: number, durationMs: number, untilEachDid?: number, done?: () => boolean): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode === 200 && body === 'hello') latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      if (untilEachDid !== undefined) {
        for (let i = 0; i < untilEachDid && performance.now() < deadline; i++) await one();
      } else {
        while (performance.now() < deadline && !done?.()) await one();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  return { requests: latencies.length, errors, seconds, p50Ms: pct(50), p99Ms: pct(99) };
}

/** Processes and threads under `pid` (itself included), from /proc; undefined where there is no /proc. */
function treeTasks(pid: number): number | undefined {
  const pids = [pid];
  let tasks = 0;
  for (let i = 0; i < pids.length; i++) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      if (i === 0) return undefined;
      continue;
    }
    tasks += tids.length;
    for (const tid of tids) {
      try {
        for (const child of readFileSync(`/proc/${pids[i]}/task/${tid}/children`, 'utf8').split(' ')) if (child.trim()) pids.push(Number(child));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return tasks;
}

/**
 * Warm-up first: 50 connections mean up to 50 concurrent environments (workers for
 * serverless-offline), so the measurement starts only once every connection has completed a few
 * requests (every environment is warm), after at least WARMUP_MS, and once the server's process
 * tree (processes and threads) has kept its size for STEADY_FOR_MS: no more cold starts under way.
 */
async function measure(url: string, serverPid: number): Promise<Measured> {
  const t0 = performance.now();
  await load(url, CONNECTIONS, WARMUP_TIMEOUT_MS, 5);
  await load(url, CONNECTIONS, WARMUP_MS);
  // One continuous load while the tree is sampled: serverless-offline answers "Lambda timeout" to
  // most requests once its connections are dropped and opened again every second.
  let tasks = treeTasks(serverPid);
  if (tasks !== undefined) {
    let steadySince = performance.now();
    const sampler = setInterval(() => {
      const now = treeTasks(serverPid);
      if (now !== tasks) steadySince = performance.now();
      tasks = now;
    }, STEADY_SAMPLE_MS);
    await load(url, CONNECTIONS, Math.max(0, STEADY_MAX_MS - (performance.now() - t0)), undefined, () => performance.now() - steadySince >= STEADY_FOR_MS);
    clearInterval(sampler);
  }
  const warmupSeconds = (performance.now() - t0) / 1000;
  return { ...(await load(url, CONNECTIONS, SECONDS * 1000)), warmupSeconds, ...(tasks !== undefined ? { tasks } : {}) };
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const force = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 10_000);
  return exited.finally(() => clearTimeout(force));
}

/** Resolves with the first output line matching `pattern` (or rejects when the process exits first). */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out.slice(-2000)}`));
    });
  });
}

async function benchWorkbench(memorySizeMB: number): Promise<Measured> {
  const project = mkdtempSync(join(tmpdir(), 'lw-bench-http-'));
  writeFileSync(join(project, 'handler.js'), HANDLER);
  writeFileSync(
    join(project, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  HelloFunction:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: handler.handler',
      '      Runtime: nodejs20.x',
      `      MemorySize: ${memorySizeMB}`,
      '      Events:',
      '        Hello:',
      '          Type: HttpApi',
      '          Properties: { Path: /hello, Method: GET }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'serve', '--root', project, '--state-dir', join(project, '.state')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  try {
    const m = await waitForLine(child, /"httpApi":"(http:\/\/127\.0\.0\.1:\d+)"/, 60_000);
    return await measure(`${m[1]}/hello`, child.pid!);
  } finally {
    await stopGroup(child);
    rmSync(project, { recursive: true, force: true });
  }
}

function ensureServerlessOffline(): void {
  if (existsSync(join(TOOLS, 'node_modules', 'serverless-offline', 'package.json')) && existsSync(join(TOOLS, 'node_modules', 'serverless', 'package.json')))
    return;
  mkdirSync(TOOLS, { recursive: true });
  writeFileSync(join(TOOLS, 'package.json'), '{ "private": true }\n');
  console.log('  (installing serverless@3 and serverless-offline@13 into .cache/bench-tools, first run only)');
  const r = spawnSync('npm', ['install', '--prefix', TOOLS, '--no-audit', '--no-fund', '--loglevel=error', 'serverless@3', 'serverless-offline@13'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`npm install failed (${r.status ?? r.signal})`);
}

async function benchServerlessOffline(): Promise<Measured> {
  ensureServerlessOffline();
  writeFileSync(join(TOOLS, 'handler.js'), HANDLER);
  writeFileSync(
    join(TOOLS, 'serverless.yml'),
    [
      'service: lambda-workbench-bench',
      "frameworkVersion: '3'",
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      'plugins:',
      '  - serverless-offline',
      'functions:',
      '  hello:',
      '    handler: handler.handler',
      '    events:',
      '      - httpApi:',
      '          path: /hello',
      '          method: get',
      '',
    ].join('\n'),
  );
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      join(TOOLS, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    {
      cwd: TOOLS,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        SLS_INTERACTIVE_SETUP_DISABLE: '1',
        CI: '1',
      },
    },
  );
  try {
    await waitForLine(child, /Server ready/, 120_000);
    return await measure(`http://127.0.0.1:${httpPort}/hello`, child.pid!);
  } finally {
    await stopGroup(child);
  }
}

function line(name: string, r: Measured): string {
  const rps = r.requests / r.seconds;
  const warm = `warm after ${r.warmupSeconds.toFixed(0)} s${r.tasks !== undefined ? `, ${r.tasks} processes+threads` : ''}`;
  return `  ${name.padEnd(28)} ${rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(1)} ms   p99 ${r.p99Ms.toFixed(1)} ms   errors ${r.errors}   (${warm})`;
}

export async function run(): Promise<void> {
  console.log(
    `HTTP API: GET /hello → trivial handler, ${CONNECTIONS} keep-alive connections, ${SECONDS} s once every connection is warm, after ${WARMUP_MS / 1000} s at least and the server's pool has stopped growing`,
  );
  // 128 MB (the default) is the headline: Lambda gives it 7% of a vCPU and so does the sandbox. At
  // 1,769 MB (one vCPU) the CPU quota is out of the way, but the host's memory budget (half the
  // machine's memory) then holds 6 or so environments, and the other connections wait for one.
  const ours = await benchWorkbench(128);
  console.log(line('lambda-workbench serve', ours));
  let theirs: Measured | undefined;
  try {
    theirs = await benchServerlessOffline();
    console.log(line('serverless-offline 13 (sls 3)', theirs));
  } catch (err) {
    console.log(`  serverless-offline 13 (sls 3)  unavailable: ${(err as Error).message.split('\n')[0]}`);
  }
  const oneVcpu = await benchWorkbench(MB_PER_VCPU);
  console.log(line('  the same at 1,769 MB', oneVcpu));
  if (theirs && theirs.requests > 0) {
    const rate = (r: LoadResult) => r.requests / r.seconds;
    const ratio = rate(ours) / rate(theirs);
    console.log(
      `  ratio (workbench / serverless-offline): ${ratio.toFixed(2)}x ${ratio >= 1 ? '(ahead)' : '(behind)'}; at 1,769 MB ${(rate(oneVcpu) / rate(theirs)).toFixed(2)}x`,
    );
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
