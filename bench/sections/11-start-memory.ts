// What a user waits for and what an idle setup holds: `serve` from spawn to its ready line (one
// function), and the resident memory of the host and of one idle Node execution environment, each
// beside its anchor — a bare `node` doing the same much (printing a line; idling on a timer). On a
// busy machine the wall-clock times stretch, so the host's CPU time at the ready line (from /proc)
// is given too. The same start with a long history (10,000 records, and ~100 MB, most of the byte
// budget) shows that loading it does not hold the ready line back.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { serializeHostSettings } from '../../runtime-host/protocol/settings';
import { InvocationStore } from '../../runtime-host/records/invocation-store';
import { percentile } from '../helpers';

// LW_BENCH_CLI runs another build (e.g. a copy of dist/ from before a change) for a before/after on one machine.
const CLI = process.env.LW_BENCH_CLI ?? join(__dirname, '..', '..', 'dist', 'cli.js');
const RUNS = 9;
const HISTORY_RUNS = 5;
const HISTORY_RECORDS = 10_000;
const TICK_MS = 10;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: app.handler
`;

/** CPU time (user + system, all threads) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function statusOf(pid: number): { ppid: number; rssKB: number; cmd: string } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      rssKB: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0),
      cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/** Resident MB of `pid` alone. */
function rssMB(pid: number): number {
  return (statusOf(pid)?.rssKB ?? 0) / 1024;
}

/** Resident MB of the environments below `host` (their bootstrap's processes), and how many there are. */
function environmentsRssMB(host: number): { mb: number; count: number } {
  let kb = 0;
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statusOf(Number(entry));
    if (s && s.ppid === host && s.cmd.includes('node-bootstrap')) {
      kb += s.rssKB;
      count++;
    }
  }
  return { mb: kb / 1024, count };
}

/**
 * Writes a history of `records` finished records, one line each as a compacted file holds them,
 * each about `recordBytes` long (an event, logs and a result, as an invocation leaves them).
 */
function writeHistory(stateDir: string, records: number, recordBytes: number): number {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'invocations.jsonl');
  const fd = openSync(file, 'w', 0o600);
  let bytes = 0;
  try {
    const lines: string[] = [];
    for (let i = 0; i < records; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const queuedAt = 1_760_000_000_000 + i * 1000;
      const record = {
        id,
        kind: 'invocation',
        requestId: id,
        functionName: i % 3 ? 'Hello' : 'Other',
        trigger: 'manual',
        status: i % 10 ? 'success' : 'error',
        cold: i % 50 === 0,
        runtime: 'nodejs22.x',
        architecture: 'x86_64',
        memorySizeMB: 128,
        timeoutSeconds: 3,
        timestamps: { queuedAt, invokeStartAt: queuedAt + 1, finishedAt: queuedAt + 12 },
        durationMs: 11.2,
        billedDurationMs: 12,
        billingRule: 'per-ms-with-init',
        maxMemoryUsedMB: 70,
        event: { body: JSON.stringify({ order: i, items: 'x'.repeat(Math.floor(recordBytes / 4)) }), headers: { 'content-type': 'application/json' } },
        result: { statusCode: 200, body: 'r'.repeat(Math.floor(recordBytes / 4)) },
        logs: [
          `START RequestId: ${id} Version: $LATEST`,
          ...Array.from({ length: 8 }, (_, k) => `2026-01-01T00:00:00.000Z\t${id}\tINFO\tstep ${k} ${'l'.repeat(Math.floor(recordBytes / 20))}`),
          `END RequestId: ${id}`,
          `REPORT RequestId: ${id}\tDuration: 11.20 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB`,
        ],
      };
      lines.push(JSON.stringify(record) + '\n');
      if (lines.length === 500) {
        bytes += writeSync(fd, lines.join(''));
        lines.length = 0;
      }
    }
    if (lines.length) bytes += writeSync(fd, lines.join(''));
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** Spawns `args`, resolves with the first stdout line and the time to it. */
async function untilFirstLine(args: string[], env?: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; line: string; ms: number }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], ...(env ? { env } : {}) });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before its first line`)));
  });
  return { proc, line, ms: performance.now() - t0 };
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  await exited;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'lw-bench-start-'));
  writeFileSync(join(root, 'template.yaml'), TEMPLATE);
  writeFileSync(join(root, 'app.js'), 'exports.handler = async () => "hi";\n');
  const env = { ...process.env, ...serializeHostSettings({ logLevel: 'error' }) };
  const serveArgs = [CLI, 'serve', '--root', root, '--runtime-sdk', 'off'];
  try {
    const ready: number[] = [];
    const readyCpu: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const node = await untilFirstLine(['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
      bare.push(node.ms);
      await stop(node.proc);
      const serve = await untilFirstLine(serveArgs, env);
      ready.push(serve.ms);
      const cpu = cpuMs(serve.proc.pid!);
      if (cpu !== undefined) readyCpu.push(cpu);
      await stop(serve.proc);
    }
    const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
    const cpuText = readyCpu.length ? `, CPU at ready p50 ${percentile(sorted(readyCpu), 50)} ms` : '';
    const readyP50 = percentile(sorted(ready), 50);
    const bareP50 = percentile(sorted(bare), 50);
    // The goal counts Node's own start, which this machine may take most of: what is the host's own is the difference.
    console.log(
      `serve start → ready line, one function: p50 ${readyP50.toFixed(0)} ms (goal < 150 ms)${cpuText}; ` +
        `a bare node printing one line: p50 ${bareP50.toFixed(0)} ms; the host's own part: ${(readyP50 - bareP50).toFixed(0)} ms`,
    );

    // With a history: the store must not read all of it before the ready line.
    for (const [label, recordBytes] of [
      ['10,000-record', 1_700],
      ['~100 MB', 10_000],
    ] as const) {
      const historyRoot = mkdtempSync(join(tmpdir(), 'lw-bench-start-history-'));
      try {
        writeFileSync(join(historyRoot, 'template.yaml'), TEMPLATE);
        writeFileSync(join(historyRoot, 'app.js'), 'exports.handler = async () => "hi";\n');
        const bytes = writeHistory(join(historyRoot, '.lambda-workbench'), HISTORY_RECORDS, recordBytes);
        const wall: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i < HISTORY_RUNS; i++) {
          const serve = await untilFirstLine([CLI, 'serve', '--root', historyRoot, '--runtime-sdk', 'off'], env);
          wall.push(serve.ms);
          const ms = cpuMs(serve.proc.pid!);
          if (ms !== undefined) cpu.push(ms);
          await stop(serve.proc);
        }
        console.log(
          `serve start → ready line, one function, a ${label} history (${HISTORY_RECORDS} records, ${(bytes / 1024 / 1024).toFixed(0)} MB): ` +
            `p50 ${percentile(sorted(wall), 50).toFixed(0)} ms (goal < 150 ms)${cpu.length ? `, CPU at ready p50 ${percentile(sorted(cpu), 50)} ms` : ''}`,
        );
        // The same history in this process (this tree's store, so only without LW_BENCH_CLI): what the load
        // takes before ready, how long the rest takes in the background, and the longest the event loop is held.
        if (process.env.LW_BENCH_CLI) continue;
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const t0 = performance.now();
        const store = new InvocationStore({ stateDir: join(historyRoot, '.lambda-workbench') });
        const newestMs = performance.now() - t0;
        await store.loaded();
        const allMs = performance.now() - t0;
        delay.disable();
        console.log(
          `  store load, in process: the newest records ${newestMs.toFixed(0)} ms (before ready), all ${store.size()} after ${allMs.toFixed(0)} ms ` +
            `in the background, the event loop held at most ${(delay.max / 1e6).toFixed(1)} ms at a time (goal: a few ms)`,
        );
        await store.close();
      } finally {
        rmSync(historyRoot, { recursive: true, force: true });
      }
    }

    // Memory: an idle bare node, the host after start, one idle Node environment after one invoke.
    const idleNode = await untilFirstLine(['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
    await new Promise((r) => setTimeout(r, 300));
    const bareMB = rssMB(idleNode.proc.pid!);
    await stop(idleNode.proc);
    const serve = await untilFirstLine(serveArgs, env);
    try {
      const { invokeApi } = JSON.parse(serve.line) as { invokeApi: string };
      await new Promise((r) => setTimeout(r, 300));
      const hostStartMB = rssMB(serve.proc.pid!);
      // A SigV4-shaped Authorization, as the SDKs send (the signature is not checked).
      const authorization = 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0';
      const res = await fetch(`${invokeApi}/2015-03-31/functions/Hello/invocations`, { method: 'POST', body: '{}', headers: { authorization } });
      if (res.status !== 200) throw new Error(`invoke: ${res.status} ${await res.text()}`);
      await res.text();
      await new Promise((r) => setTimeout(r, 300));
      const envs = environmentsRssMB(serve.proc.pid!);
      console.log(
        `RSS: host after start ${hostStartMB.toFixed(1)} MB, after one invoke ${rssMB(serve.proc.pid!).toFixed(1)} MB; ` +
          `one idle Node environment ${envs.mb.toFixed(1)} MB (${envs.count} found); a bare idle node ${bareMB.toFixed(1)} MB (goal: what is ours, measured and cut)`,
      );
    } finally {
      await stop(serve.proc);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
