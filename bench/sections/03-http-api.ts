// HTTP API requests per second to a trivial handler at 50 concurrent keep-alive connections:
// `lambda-workbench serve` vs serverless-offline 13.x (+ serverless 3.x) on the same handler, same
// load generator, same run. serverless-offline is installed on first use into .cache/bench-tools/
// (git-ignored), never into package.json. Knobs: BENCH_HTTP_SECONDS (default 5), BENCH_HTTP_CONNECTIONS (50).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../runtime-host/util/ports';

const ROOT = join(__dirname, '..', '..');
const TOOLS = join(ROOT, '.cache', 'bench-tools');
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const WARMUP_MS = 3000;
const WARMUP_TIMEOUT_MS = 120_000;

const HANDLER = "exports.handler = async () => ({ statusCode: 200, body: 'hello' });\n";

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * N connections, each sending its next request as soon as the last answer arrives, for `durationMs`
 * or — when `untilEachDid` is given — until every connection has completed that many requests.
 */
async function load(url: string, connections: number, durationMs: number, untilEachDid?: number): Promise<LoadResult> {
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
        while (performance.now() < deadline) await one();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  return { requests: latencies.length, errors, seconds, p50Ms: pct(50), p99Ms: pct(99) };
}

/**
 * Warm-up first: 50 connections mean up to 50 concurrent environments (workers for
 * serverless-offline), so the measurement starts only once every connection has completed a few
 * requests (every environment is warm), and after at least WARMUP_MS.
 */
async function measure(url: string): Promise<LoadResult> {
  await load(url, CONNECTIONS, WARMUP_TIMEOUT_MS, 5);
  await load(url, CONNECTIONS, WARMUP_MS);
  return load(url, CONNECTIONS, SECONDS * 1000);
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

async function benchWorkbench(): Promise<LoadResult> {
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
    return await measure(`${m[1]}/hello`);
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

async function benchServerlessOffline(): Promise<LoadResult> {
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
    return await measure(`http://127.0.0.1:${httpPort}/hello`);
  } finally {
    await stopGroup(child);
  }
}

function line(name: string, r: LoadResult): string {
  const rps = r.requests / r.seconds;
  return `  ${name.padEnd(28)} ${rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(1)} ms   p99 ${r.p99Ms.toFixed(1)} ms   errors ${r.errors}`;
}

export async function run(): Promise<void> {
  console.log(
    `HTTP API: GET /hello → trivial handler, ${CONNECTIONS} keep-alive connections, ${SECONDS} s after every connection is warm + ${WARMUP_MS / 1000} s`,
  );
  const ours = await benchWorkbench();
  console.log(line('lambda-workbench serve', ours));
  let theirs: LoadResult | undefined;
  try {
    theirs = await benchServerlessOffline();
    console.log(line('serverless-offline 13 (sls 3)', theirs));
  } catch (err) {
    console.log(`  serverless-offline 13 (sls 3)  unavailable: ${(err as Error).message.split('\n')[0]}`);
  }
  if (theirs && theirs.requests > 0) {
    const ratio = ours.requests / ours.seconds / (theirs.requests / theirs.seconds);
    console.log(`  ratio (workbench / serverless-offline): ${ratio.toFixed(2)}x ${ratio >= 1 ? '(ahead)' : '(behind)'}`);
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
