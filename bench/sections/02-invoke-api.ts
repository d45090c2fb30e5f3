// The Lambda Invoke API: warm `Invoke` round trips per second through a real `serve` (separate
// process, HTTP keep-alive, 1 and 8 concurrent clients), and the same handler under lambda-local
// (npm) in this process, in the same run. lambda-local calls the handler in-process (no HTTP, no
// execution environment, no process boundary), so it is a floor for the overhead, not a peer.
// The function has 1,769 MB, one full vCPU: at 128 MB the sandbox gives it 7% of a core, as Lambda does, and
// back-to-back invokes would measure its CPU quota (each waiting for the next 100 ms period), not the host.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serializeHostSettings } from '../../runtime-host/protocol/settings';

const HANDLER_DIR = resolve(__dirname, '../fixtures/trivial');
const CLI = resolve(__dirname, '../../dist/cli.js');
const MEASURE_MS = 3000;
const WARMUP_MS = 1000;

function invokeOnce(agent: Agent, base: URL): Promise<void> {
  return new Promise((done, fail) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/2015-03-31/functions/Trivial/invocations',
        // The Invoke API wants a SigV4-shaped Authorization (any credentials, the signature is not checked), as the SDKs send.
        headers: {
          'content-type': 'application/json',
          authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200 || body !== '{"ok":true}' || res.headers['x-amz-function-error'])
            fail(new Error(`unexpected answer ${res.statusCode} ${body}`));
          else done();
        });
      },
    );
    req.on('error', fail);
    req.end('{}');
  });
}

/** Runs `clients` loops of `once` for `ms`; returns completed calls per second. */
async function throughput(clients: number, ms: number, once: () => Promise<void>): Promise<number> {
  let count = 0;
  const deadline = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        await once();
        count++;
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

async function startServe(root: string): Promise<{ invokeApi: URL; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--root', root], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...serializeHostSettings({ logLevel: 'error' }) },
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
    invokeApi: new URL(ready.invokeApi),
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'lw-bench-api-'));
  writeFileSync(
    join(root, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Trivial:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      `      CodeUri: ${HANDLER_DIR}`,
      '      Handler: index.handler',
      '      Runtime: nodejs22.x',
      '      MemorySize: 1769',
      '',
    ].join('\n'),
  );
  const host = await startServe(root);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const results: string[] = [];
  try {
    for (const clients of [1, 8]) {
      // Warm-up also starts one environment per concurrent client, so the measurement is all warm.
      await throughput(clients, WARMUP_MS, () => invokeOnce(agent, host.invokeApi));
      const rps = await throughput(clients, MEASURE_MS, () => invokeOnce(agent, host.invokeApi));
      results.push(`Invoke API (warm, HTTP keep-alive, 1,769 MB), ${clients} client${clients > 1 ? 's' : ' '}: ${rps.toFixed(0).padStart(6)} invokes/s`);
    }
  } finally {
    agent.destroy();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  }

  // lambda-local keeps the module in the require cache: warm, in-process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lambdaLocal = require('lambda-local') as { execute(opts: Record<string, unknown>): Promise<unknown>; setLogger?(l: unknown): void };
  const lambdaPath = join(HANDLER_DIR, 'index.js');
  const once = async () => {
    const r = await lambdaLocal.execute({ event: {}, lambdaPath, lambdaHandler: 'handler', timeoutMs: 3000, verboseLevel: 0 });
    if ((r as { ok?: boolean }).ok !== true) throw new Error(`lambda-local returned ${JSON.stringify(r)}`);
  };
  for (const clients of [1, 8]) {
    await throughput(clients, WARMUP_MS, once);
    const rps = await throughput(clients, MEASURE_MS, once);
    results.push(`lambda-local (in-process, no HTTP),              ${clients} client${clients > 1 ? 's' : ' '}: ${rps.toFixed(0).padStart(6)} invokes/s`);
  }
  for (const line of results) console.log(line);
  console.log('(same trivial handler, same run; 2-core machine shared with the clients)');
}
