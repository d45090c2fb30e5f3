// S3 PutObject and GetObject through the local AWS endpoint with the real @aws-sdk/client-s3 (1 KB
// objects into a bucket folder, the metadata sidecar written beside in the state folder): operations
// per second and p50/p99 latency, one request at a time and with 8 in flight.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Source } from '../../runtime-host/events/s3';
import { benchHost, percentile } from '../helpers';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  BenchBucket:
    Type: AWS::S3::Bucket
    Properties: { BucketName: bench }
`;

async function measure(label: string, total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const start = performance.now();
        await op(i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `aws-s3: ${label}, ${concurrency} in flight: ${Math.round(total / seconds)} ops/s, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
}

export async function run(): Promise<void> {
  const bench = await benchHost('s3', { 'template.yaml': TEMPLATE }, [new S3Source()]);
  const { host } = bench;
  const s3 = new S3Client({
    endpoint: host.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  try {
    const body = Buffer.alloc(1024, 'x');
    const total = 2000;
    // Warm-up: the SDK's first request builds its signer and connection.
    for (let i = 0; i < 50; i++) await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `warm/${i}`, Body: body }));
    for (const concurrency of [1, 8]) {
      await measure('PutObject 1 KB', total, concurrency, (i) =>
        s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `c${concurrency}/obj-${i}`, Body: body })),
      );
      await measure('GetObject 1 KB', total, concurrency, async (i) => {
        const out = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `c${concurrency}/obj-${i}` }));
        await out.Body!.transformToByteArray();
      });
    }
  } finally {
    s3.destroy();
    await bench.close();
  }
}
