// EventBridge events per second from PutEvents to a Lambda target: the real @aws-sdk/client-eventbridge
// puts 10 entries per request on a custom bus through the local AWS endpoint, a rule with a content
// filter routes them to a trivial function (asynchronous invocations), at most 40 events in flight;
// timed until the last invocation finished, with the put → invoke-start latency p50/p99.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgeSource } from '../../runtime-host/events/eventbridge';
import type { InvocationRecord } from '../../runtime-host/protocol/records';
import { benchHost, percentile } from '../helpers';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  BenchBus:
    Type: AWS::Events::EventBus
    Properties: { Name: bench }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: .
      Handler: app.handler
      Events:
        Orders:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref BenchBus
            Pattern: { source: [{ prefix: bench. }], detail: { total: [{ numeric: ['>', 0] }] } }
`;

export async function run(): Promise<void> {
  const eventBridge = new EventBridgeSource();
  const bench = await benchHost('eventbridge', { 'template.yaml': TEMPLATE, 'app.js': 'exports.handler = async (event) => event.detail.total;\n' }, [
    eventBridge,
  ]);
  const { host } = bench;
  const client = new EventBridgeClient({
    endpoint: host.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
  });
  try {
    const total = 2_000;
    const window = 40;
    let delivered = 0;
    const latenciesMs: number[] = [];
    host.context.invoker.on('finished', (record: InvocationRecord) => {
      if (record.functionName !== 'Consumer' || record.status !== 'success') return;
      delivered++;
      const put = record.parentId !== undefined ? host.store.get(record.parentId) : undefined;
      if (put) latenciesMs.push((record.timestamps.invokeStartAt ?? record.timestamps.queuedAt) - put.timestamps.queuedAt);
    });
    const putBatch = (from: number) =>
      client.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, (_, k) => ({
            Source: 'bench.shop',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ id: from + k, total: 1 + ((from + k) % 50) }),
            EventBusName: 'bench',
          })),
        }),
      );
    const until = async (test: () => boolean) => {
      while (!test()) await new Promise((r) => setTimeout(r, 2));
    };
    // Warm the environments first so the number is about routing, not cold starts.
    await putBatch(total);
    await until(() => delivered >= 10);
    delivered = 0;
    latenciesMs.length = 0;
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += 10) {
      await until(() => sent - delivered < window);
      await putBatch(sent);
    }
    await until(() => delivered >= total);
    const seconds = (performance.now() - t0) / 1000;
    latenciesMs.sort((a, b) => a - b);
    console.log(
      `eventbridge: ${total} events PutEvents (10 per request) → rule → Lambda target in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s`,
    );
    console.log(`eventbridge: put → invoke p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms`);
  } finally {
    client.destroy();
    await eventBridge.idle();
    await bench.close();
  }
}
