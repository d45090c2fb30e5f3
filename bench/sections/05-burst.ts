// A burst: N concurrent Invoke API calls (the real AWS SDK) of a healthy 300 ms function on a
// fresh `serve`, all cold at first. Lambda would start N environments; one machine cannot, and the
// host must queue rather than report its own overload as the function's init timing out.
// Reports successes, init timeouts, other failures, client-side p50/p99 and the peak resident
// memory of the host and every process under it (the environments), sampled from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { percentile } from '../helpers';

const CLI = resolve(__dirname, '../../dist/cli.js');
const BURSTS = [200, 1000];

async function startServe(root: string): Promise<{ invokeApi: string; pid: number; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--root', root], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LAMBDA_WORKBENCH_LOG_LEVEL: 'error' },
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ready = await new Promise<{ invokeApi: string }>((ok, fail) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) ok(JSON.parse(buf.slice(0, nl)) as { invokeApi: string });
    });
    void exited.then(() => fail(new Error('serve exited before ready')));
  });
  return {
    invokeApi: ready.invokeApi,
    pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory (MB) of `root` and all its descendants, from /proc. */
function treeRssMB(root: number): { rssMB: number; processes: number } {
  const parent = new Map<number, number>();
  const rssKB = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)/m.exec(status);
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
      parent.set(Number(entry), ppid ? Number(ppid[1]) : 0);
      rssKB.set(Number(entry), rss ? Number(rss[1]) : 0);
    } catch {
      // ended while we looked
    }
  }
  let kb = 0;
  let processes = 0;
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid; p; p = parent.get(p)) {
      if (p === root) {
        kb += rssKB.get(pid) ?? 0;
        processes++;
        break;
      }
    }
  }
  return { rssMB: kb / 1024, processes };
}

async function burst(n: number): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'lw-bench-burst-'));
  writeFileSync(join(root, 'index.js'), 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return { ok: true }; };\n');
  writeFileSync(
    join(root, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Sleepy:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      CodeUri: .',
      '      Handler: index.handler',
      '      Runtime: nodejs22.x',
      '      MemorySize: 128',
      '      Timeout: 900',
      '',
    ].join('\n'),
  );
  const host = await startServe(root);
  const agent = new Agent({ keepAlive: true, maxSockets: n });
  const lambda = new LambdaClient({
    endpoint: host.invokeApi,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { httpAgent: agent, requestTimeout: 0 },
  });
  let peak = { rssMB: 0, processes: 0 };
  const sampler = setInterval(() => {
    const now = treeRssMB(host.pid);
    if (now.rssMB > peak.rssMB) peak = now;
  }, 100);
  const latencies: number[] = [];
  let ok = 0;
  let initTimeouts = 0;
  let throttled = 0;
  const failures = new Map<string, number>();
  const payload = new TextEncoder().encode('{}');
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: n }, async () => {
        const start = performance.now();
        try {
          const out = await lambda.send(new InvokeCommand({ FunctionName: 'Sleepy', Payload: payload }));
          latencies.push(performance.now() - start);
          const body = new TextDecoder().decode(out.Payload);
          if (!out.FunctionError) ok++;
          else if (/Init timed out/.test(body)) initTimeouts++;
          else {
            const type = (JSON.parse(body) as { errorType?: string }).errorType ?? 'unknown';
            failures.set(type, (failures.get(type) ?? 0) + 1);
          }
        } catch (err) {
          const name = (err as Error).name;
          if (name === 'TooManyRequestsException') throttled++;
          else failures.set(name, (failures.get(name) ?? 0) + 1);
        }
      }),
    );
  } finally {
    clearInterval(sampler);
    lambda.destroy();
    agent.destroy();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const wallS = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const other = [...failures].map(([k, v]) => `${k} ×${v}`).join(', ') || '0';
  return (
    `${String(n).padStart(5)} concurrent: ${ok} ok, ${initTimeouts} init timeouts, ${throttled} throttled, other failures ${other}; ` +
    `p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p99 ${(percentile(latencies, 99) / 1000).toFixed(2)} s, all done in ${wallS.toFixed(1)} s; ` +
    `peak RSS host + environments ${peak.rssMB.toFixed(0)} MB (${peak.processes} processes)`
  );
}

export async function run(): Promise<void> {
  for (const n of BURSTS) console.log(await burst(n));
  console.log('(a fresh serve per burst, every call cold at first; 300 ms handler, 128 MB; 2-core machine shared with the clients)');
}
