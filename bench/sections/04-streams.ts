// Stream records per second through a Kinesis event source mapping to a trivial handler. Two shapes:
// 1 shard with BatchSize 100, and 4 shards with BatchSize 1,000; each measured two ways:
// - end to end: records are put through the protocol's stream.putRecords handler (500 per call) and
//   timed until the last batch has been processed; the puts run in this process, sharing its CPU;
// - the mapping alone, which the goals are about: the records are put while the mapping is disabled
//   (`Enabled: false`), then a host with it enabled drains them, timed from its first batch (after the
//   cold start) to the last; for 1 shard also with a WebSocket client subscribed to the host's
//   notifications, as the extension is (each batch's records are announced to it as they start and finish,
//   as brief records: a batch's event is left out; BENCH_WHOLE_RECORDS=1 subscribes for whole ones).
// Wall-clock throughput depends on what else the machine runs, so each line also gives the
// host's CPU time (this process: the puts, the mapping, the invoker, the history) per batch and per
// record, measured with process.cpuUsage() over the same window — the figure to compare runs by.
// The function has 1,769 MB, one full vCPU: at 128 MB the sandbox gives it 7% of a core, as Lambda does, and
// a trivial handler would then be held back by its CPU quota rather than by the host this section measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { StreamsSource } from '../../runtime-host/events/streams';
import type { MethodHandler } from '../../runtime-host/host-context';
import { BRIEF_RECORDS_QUERY, TOKEN_QUERY_PARAM } from '../../runtime-host/protocol/index';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import type { RunningHost } from '../../runtime-host/server/host';
import { benchHost } from '../helpers';

const template = (shards: number, batchSize: number, enabled = true) => `Transform: AWS::Serverless-2016-10-31
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
          Properties: { Stream: !GetAtt BenchStream.Arn, BatchSize: ${batchSize}, StartingPosition: TRIM_HORIZON, Enabled: ${enabled} }
`;

// The handler returns its batch's size, which the bench counts by: reading a record's event in this process
// would parse it (a Kinesis batch's event is kept as its JSON bytes: util/sealed-json.ts sealedFromBytes).
const handler = 'exports.handler = async (event) => event.Records.length;\n';

/** `total` records for the bench stream, in calls of 500. */
async function putAll(put: MethodHandler<'stream.putRecords'>, total: number): Promise<void> {
  for (let i = 0; i < total; i += 500) {
    await put({ stream: 'bench', records: Array.from({ length: 500 }, (_, k) => ({ partitionKey: `pk-${(i + k) % 97}`, data: `record ${i + k}` })) });
  }
}

interface StreamRun {
  seconds: number;
  batches: number;
  hostCpuMs: number;
  /** Of which in stream.putRecords (its synchronous part). */
  putCpuMs: number;
}

async function streamRun(shards: number, batchSize: number, total: number): Promise<StreamRun> {
  const streams = new StreamsSource();
  const files = { 'template.yaml': template(shards, batchSize), 'app.js': handler };
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
      delivered += record.result as number;
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

interface DrainRun {
  records: number;
  batches: number;
  seconds: number;
  hostCpuMs: number;
}

/**
 * A WebSocket client of the host in its own process, subscribed to every notification and parsing each
 * as the extension is (with brief records); resolves once connected.
 */
async function subscribedClient(host: RunningHost): Promise<ChildProcess> {
  const script = `const W = require(${JSON.stringify(require.resolve('ws'))}); new W(process.argv[1]).on('open', () => console.log('open')).on('message', (d) => JSON.parse(String(d)));`;
  const url = new URL(host.ws);
  url.searchParams.set(TOKEN_QUERY_PARAM, host.token);
  if (process.env.BENCH_WHOLE_RECORDS !== '1') url.searchParams.set(BRIEF_RECORDS_QUERY.name, BRIEF_RECORDS_QUERY.value);
  const child = spawn(process.execPath, ['-e', script, url.toString()], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout!.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`the WebSocket client exited (${code})`)));
  });
  return child;
}

/**
 * The mapping alone: `total` records put while it is disabled, then drained by a host with it enabled,
 * from its first batch on (with `withClient`, its first batch once a client is subscribed).
 */
async function drainRun(shards: number, batchSize: number, total: number, withClient = false): Promise<DrainRun> {
  const loading = new StreamsSource();
  const bench = await benchHost('streams-drain', { 'template.yaml': template(shards, batchSize, false), 'app.js': handler }, [loading]);
  let client: ChildProcess | undefined;
  try {
    await putAll(loading.methods()['stream.putRecords']!, total);
    let first: { delivered: number; batches: number; at: number; cpu: NodeJS.CpuUsage } | undefined;
    let measuring = !withClient;
    let delivered = 0;
    let batches = 0;
    let done!: (at: number) => void;
    const all = new Promise<number>((r) => (done = r));
    const host = await bench.restart({ 'template.yaml': template(shards, batchSize, true) }, [new StreamsSource()]);
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success') return;
      delivered += record.result as number;
      batches++;
      // The window opens after the first batch, once its environment's cold start is behind it.
      if (measuring) first ??= { delivered, batches, at: performance.now(), cpu: process.cpuUsage() };
      if (first && delivered >= total) done(performance.now());
    });
    if (withClient) {
      client = await subscribedClient(host);
      measuring = true;
    }
    const end = await all;
    const cpu = process.cpuUsage(first!.cpu);
    return {
      records: delivered - first!.delivered,
      batches: batches - first!.batches,
      seconds: (end - first!.at) / 1000,
      hostCpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    client?.kill();
    await bench.close();
  }
}

export async function run(): Promise<void> {
  const shapes = [
    { shards: 1, batchSize: 100, total: 20_000, drained: 60_000, goal: 50_000 },
    { shards: 4, batchSize: 1000, total: 100_000, drained: 200_000, goal: 200_000 },
  ];
  for (const { shards, batchSize, total, drained, goal } of shapes) {
    const shape = `${shards} shard${shards > 1 ? 's' : ''}, BatchSize ${batchSize}`;
    const r = await streamRun(shards, batchSize, total);
    const perBatch = r.hostCpuMs / r.batches;
    console.log(
      `streams: ${total} Kinesis records, ${shape}, end to end with the puts: ${r.seconds.toFixed(2)} s = ${Math.round(total / r.seconds)} records/s; ` +
        `host CPU ${perBatch.toFixed(2)} ms per batch of ${Math.round(total / r.batches)} ` +
        `(${((r.hostCpuMs - r.putCpuMs) / r.batches).toFixed(2)} ms without the puts), ${((r.hostCpuMs * 1000) / total).toFixed(1)} µs per record`,
    );
    const describe = (d: DrainRun) =>
      `${d.seconds.toFixed(2)} s = ${Math.round(d.records / d.seconds)} records/s (goal ≥ ${goal}); host CPU ${(d.hostCpuMs / d.batches).toFixed(2)} ms per batch of ` +
      `${Math.round(d.records / d.batches)}${batchSize === 100 ? ' (goal ≤ 2 ms)' : ''}, ${((d.hostCpuMs * 1000) / d.records).toFixed(1)} µs per record`;
    console.log(
      `streams: ${drained} Kinesis records, ${shape}, the mapping alone (records already in the stream): ${describe(await drainRun(shards, batchSize, drained))}`,
    );
    if (shards === 1) {
      // What a user with the extension open sees: each batch's records are announced to it (started, finished).
      console.log(
        `streams: ${drained} Kinesis records, ${shape}, the same with a WebSocket client subscribed: ${describe(await drainRun(shards, batchSize, drained, true))}`,
      );
    }
  }
}
