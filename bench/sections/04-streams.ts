// Stream records per second through a Kinesis event source mapping with BatchSize 100 to a trivial
// handler: records are put through the protocol's stream.putRecords handler (500 per call) into a
// 1-shard stream and timed until the last batch has been processed.
import { StreamsSource } from '../../runtime-host/events/streams';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { benchHost } from '../helpers';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  BenchStream:
    Type: AWS::Kinesis::Stream
    Properties: { Name: bench, ShardCount: 1 }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: app.handler
      Events:
        Stream:
          Type: Kinesis
          Properties: { Stream: !GetAtt BenchStream.Arn, BatchSize: 100, StartingPosition: TRIM_HORIZON }
`;

export async function run(): Promise<void> {
  const streams = new StreamsSource();
  const bench = await benchHost('streams', { 'template.yaml': TEMPLATE, 'app.js': 'exports.handler = async (event) => event.Records.length;\n' }, [streams]);
  const { host } = bench;
  try {
    const put = streams.methods()['stream.putRecords']!;
    const total = 10_000;
    let delivered = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success') return;
      delivered += (record.event as { Records: unknown[] }).Records.length;
      if (delivered >= total) done();
    });
    // Warm the environment first so the number is about the mapping, not one cold start.
    await put({ stream: 'bench', records: [{ partitionKey: 'warm', data: 'x' }] });
    while (delivered < 1) await new Promise((r) => setTimeout(r, 20));
    delivered = 0;
    const t0 = performance.now();
    for (let i = 0; i < total; i += 500) {
      await put({ stream: 'bench', records: Array.from({ length: 500 }, (_, k) => ({ partitionKey: `pk-${(i + k) % 97}`, data: `record ${i + k}` })) });
    }
    await all;
    const seconds = (performance.now() - t0) / 1000;
    console.log(`streams: ${total} Kinesis records through a BatchSize 100 mapping in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} records/s`);
  } finally {
    await bench.close();
  }
}
