// SQS messages per second through Lambda's SQS mapping with BatchSize 10 to a trivial handler, and
// the latency from send (the message's SentTimestamp) to the start of the invocation that got it,
// p50/p99. Messages are sent through the protocol's sqs.send handler (each acknowledged only once
// durable), 20 at a time, while the mapping drains the queue.
import { SqsSource } from '../../runtime-host/events/sqs';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { benchHost, percentile } from '../helpers';

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

export async function run(): Promise<void> {
  const sqs = new SqsSource();
  const bench = await benchHost('sqs', { 'template.yaml': TEMPLATE, 'app.js': 'exports.handler = async (event) => event.Records.length;\n' }, [sqs]);
  const { host } = bench;
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
    await bench.close();
  }
}
