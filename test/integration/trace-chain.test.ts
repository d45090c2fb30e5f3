// The chain, end to end through a real `serve`: function A puts an object with an unmodified
// AWS SDK client → the bucket notification runs B → B reads it and sends it to a queue → the queue's
// mapping runs C; all of it is one trace (getTrace), each SDK call a span on the record that made it.
// It needs the local AWS endpoint (its URL in the ready line as `awsEndpoint`) and the SQS source;
// on a host without them it reports itself skipped, never passed.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceResult } from '../../runtime-host/protocol/methods';
import type { InvocationRecord, InvokeOutput } from '../../runtime-host/protocol/records';
import { repoRoot, servedFixture } from './serve-helpers';

const WAIT_MS = 120_000;
const HEADER = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=[0-9a-f]{16};Sampled=0$/;

describe('one trace for A → S3 → B → SQS → C (real serve, real AWS SDK clients)', { timeout: 300_000 }, () => {
  const fx = servedFixture('trace-chain-project', {
    prepare: (dir) => {
      const template = join(dir, 'template.yaml');
      writeFileSync(template, readFileSync(template, 'utf8').replace('__NODE_PATH__', join(repoRoot, 'node_modules')));
    },
  });

  it('links every record and call of the chain into one trace', async (t) => {
    if (!fx.serve.ready['awsEndpoint']) {
      t.skip('needs the local AWS endpoint (ready line key awsEndpoint) and the SQS source');
      return;
    }
    const out = await fx.client.request<InvokeOutput>('invoke', { function: 'AFunction', event: { key: 'jobs/job-1.json', job: { id: 1 } } });
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    const a = await fx.client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    const traceId = a.traceId!;
    assert.equal(HEADER.exec((out.result as { traceHeader: string }).traceHeader)?.[1], traceId);

    const c = await fx.client.waitFor('invocation.finished', (r) => r.functionName === 'CFunction' && r.kind === 'invocation', WAIT_MS);
    assert.equal(c.status, 'success', JSON.stringify(c.error));
    assert.deepEqual((c.result as { received: string[] }).received, ['{"id":1}']);
    assert.equal(c.traceId, traceId, 'C, two hops away, is in A’s trace');
    assert.equal(HEADER.exec((c.result as { traceHeader: string }).traceHeader)?.[1], traceId, 'and runs with its Root');

    const trace = await fx.client.request<TraceResult>('getTrace', { traceId });
    const invocations = trace.records.filter((r) => r.kind === 'invocation');
    assert.deepEqual(
      invocations.map((r) => r.functionName),
      ['AFunction', 'BFunction', 'CFunction'],
    );
    assert.ok(
      trace.records.every((r) => r.traceId === traceId),
      'every record of the chain shares the Root',
    );
    const calls = (fn: string) => (invocations.find((r) => r.functionName === fn)?.serviceCalls ?? []).map((s) => `${s.service} ${s.operation} ${s.status}`);
    assert.deepEqual(calls('AFunction'), ['s3 PutObject 200']);
    assert.deepEqual(calls('BFunction'), ['s3 GetObject 200', 'sqs GetQueueUrl 200', 'sqs SendMessage 200']);
    // Each hop points back to what caused it: B to the S3 notification of A's put, C to B's send.
    const byId = new Map(trace.records.map((r) => [r.id, r]));
    const causes = (r: InvocationRecord): string[] => {
      const chain: string[] = [];
      for (let p = r.parentId ? byId.get(r.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) chain.push(p.functionName);
      return chain;
    };
    assert.ok(causes(c).includes('BFunction'), `C's causes: ${causes(c).join(' ← ')}`);
    assert.ok(causes(invocations[1]!).includes('AFunction'), `B's causes: ${causes(invocations[1]!).join(' ← ')}`);
  });
});
