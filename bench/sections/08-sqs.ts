// SQS messages per second through Lambda's SQS mapping with BatchSize 10 to a trivial handler, and
// the latency from send (the message's SentTimestamp) to the start of the invocation that got it,
// p50/p99. Messages are sent through the protocol's sqs.send handler (each acknowledged only once
// durable), 20 at a time, while the mapping drains the queue.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqsSource } from '../../runtime-host/events/sqs';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { startHost } from '../../runtime-host/server/host';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  BenchQueue:
    Type: AWS::SQS::Queue
    Properties: { QueueName: bench }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: app.handler
      Events:
        Queue:
          Type: SQS
          Properties: { Queue: !GetAtt BenchQueue.Arn, BatchSize: 10 }
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-bench-sqs-'));
  writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'app.js'), 'exports.handler = async (event) => event.Records.length;\n');
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const sqs = new SqsSource();
  const host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: [sqs] });
  try {
    const send = sqs.methods()['sqs.send']!;
    const total = 5_000;
    let delivered = 0;
    const latenciesMs: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success') return;
      const records = (record.event as { Records: { attributes: { SentTimestamp: string } }[] }).Records;
      delivered += records.length;
      for (const r of records) latenciesMs.push((record.timestamps.invokeStartAt ?? record.timestamps.queuedAt) - Number(r.attributes.SentTimestamp));
      if (delivered >= total) done();
    });
    // Warm the environments first so the numbers are about the mapping, not cold starts.
    await Promise.all(Array.from({ length: 20 }, (_, i) => send({ queue: 'bench', body: `warm ${i}` })));
    while (delivered < 20) await new Promise((r) => setTimeout(r, 20));
    delivered = 0;
    latenciesMs.length = 0;
    const t0 = performance.now();
    for (let i = 0; i < total; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => send({ queue: 'bench', body: JSON.stringify({ n: i + k }) })));
    }
    await all;
    const seconds = (performance.now() - t0) / 1000;
    latenciesMs.sort((a, b) => a - b);
    console.log(`sqs: ${total} messages through a BatchSize 10 mapping in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} messages/s`);
    console.log(`sqs: send → invoke p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms`);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
