// Stream records per second through a Kinesis event source mapping to a trivial handler: records are
// put through the protocol's stream.putRecords handler (500 per call) and timed until the last
// batch has been processed. Two shapes: 1 shard with BatchSize 100, and 4 shards with BatchSize
// 1,000. Wall-clock throughput depends on what else the machine runs, so each line also gives the
// host's CPU time (this process: the puts, the mapping, the invoker, the history) per batch and per
// record, measured with process.cpuUsage() over the same window — the figure to compare runs by.
// The function has 1,769 MB, one full vCPU: at 128 MB the sandbox gives it 7% of a core, as Lambda does, and
// a trivial handler would then be held back by its CPU quota rather than by the host this section measures.
import { StreamsSource } from '../../runtime-host/events/streams';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { benchHost } from '../helpers';

const template = (shards: number, batchSize: number) => `Transform: AWS::Serverless-2016-10-31
Resources:
  BenchStream:
    Type: AWS::Kinesis::Stream
    Properties: { Name: bench, ShardCount: ${shards} }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: app.handler
      MemorySize: 1769
      Events:
        Stream:
          Type: Kinesis
          Properties: { Stream: !GetAtt BenchStream.Arn, BatchSize: ${batchSize}, StartingPosition: TRIM_HORIZON }
`;

interface StreamRun {
  seconds: number;
  batches: number;
  hostCpuMs: number;
  /** Of which in stream.putRecords (its synchronous part). */
  putCpuMs: number;
}

async function streamRun(shards: number, batchSize: number, total: number): Promise<StreamRun> {
  const streams = new StreamsSource();
  const files = { 'template.yaml': template(shards, batchSize), 'app.js': 'exports.handler = async (event) => event.Records.length;\n' };
  const bench = await benchHost('streams', files, [streams]);
  const { host } = bench;
  try {
    const put = streams.methods()['stream.putRecords']!;
    let delivered = 0;
    let batches = 0;
    let done!: () => void;
    let target = Infinity;
    const all = new Promise<void>((r) => (done = r));
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success') return;
      delivered += (record.event as { Records: unknown[] }).Records.length;
      batches++;
      if (delivered >= target) done();
    });
    // Warm an environment per shard first so the number is about the mapping, not cold starts.
    for (let i = 0; i < shards * 8; i++) await put({ stream: 'bench', records: [{ partitionKey: `warm-${i}`, data: 'x' }] });
    while (delivered < shards * 8) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    delivered = 0;
    batches = 0;
    target = total;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let putCpuUs = 0;
    for (let i = 0; i < total; i += 500) {
      const records = Array.from({ length: 500 }, (_, k) => ({ partitionKey: `pk-${(i + k) % 97}`, data: `record ${i + k}` }));
      // The synchronous part of a put (checks, shard placement, sequence numbers, the lines to append) is most of its cost.
      const before = process.cpuUsage();
      const putting = put({ stream: 'bench', records });
      const spent = process.cpuUsage(before);
      putCpuUs += spent.user + spent.system;
      await putting;
    }
    await all;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { seconds, batches, hostCpuMs: (cpu.user + cpu.system) / 1000, putCpuMs: putCpuUs / 1000 };
  } finally {
    await bench.close();
  }
}

export async function run(): Promise<void> {
  const shapes = [
    { shards: 1, batchSize: 100, total: 20_000, goal: 50_000 },
    { shards: 4, batchSize: 1000, total: 100_000, goal: 200_000 },
  ];
  for (const { shards, batchSize, total, goal } of shapes) {
    const r = await streamRun(shards, batchSize, total);
    const perBatch = r.hostCpuMs / r.batches;
    console.log(
      `streams: ${total} Kinesis records, ${shards} shard${shards > 1 ? 's' : ''}, BatchSize ${batchSize}: ${r.seconds.toFixed(2)} s = ${Math.round(total / r.seconds)} records/s (goal ≥ ${goal}); ` +
        `host CPU ${perBatch.toFixed(2)} ms per batch of ${Math.round(total / r.batches)}${batchSize === 100 ? ' (goal ≤ 2 ms)' : ''} ` +
        `(${((r.hostCpuMs - r.putCpuMs) / r.batches).toFixed(2)} ms without the puts), ${((r.hostCpuMs * 1000) / total).toFixed(1)} µs per record`,
    );
  }
}
