// The protocol's `tune` on a real `serve`: progress notifications per invocation, the TuneResult,
// -32602 for bad params, and a tune that leaves the host's own environments and history alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcErrorCode, type InvokeOutput, type ListInvocationsResult, type TuneProgress, type TuneResult } from '../../runtime-host/protocol/index';
import { RpcClientError, servedFixture } from './serve-helpers';

describe('tune over the protocol', () => {
  const served = servedFixture('tune-project');

  test('tune reports every size, with one tune.progress per invocation carrying the progress token, then tune.finished', async () => {
    const { client } = served;
    assert.equal(await client.request('tune.last'), null);
    const result = await client.request<TuneResult>('tune', {
      function: 'CpuFunction',
      event: { iterations: 5000 },
      memorySizesMB: [512, 128],
      runs: 2,
      progressToken: 'tune-a',
    });
    assert.equal(result.functionName, 'CpuFunction');
    assert.deepEqual(
      result.sizes.map((s) => [s.memorySizeMB, s.runs, s.error]),
      [
        [128, 2, undefined],
        [512, 2, undefined],
      ],
    );
    assert.ok(result.sizes.every((s) => s.cold?.initDurationMs !== undefined && s.costPerInvocationUsd.x86_64 > 0));
    assert.ok(result.cheapestMemorySizeMB !== undefined && result.fastestMemorySizeMB !== undefined);
    const progress = client.notifications.filter((n) => n.method === 'tune.progress').map((n) => n.params as TuneProgress);
    assert.equal(progress.length, 6);
    assert.ok(progress.every((p) => p.progressToken === 'tune-a' && p.total === 6 && p.functionName === 'CpuFunction'));
    assert.deepEqual(
      progress.map((p) => [p.memorySizeMB, p.run, p.done]),
      [
        [128, 0, 1],
        [128, 1, 2],
        [128, 2, 3],
        [512, 0, 4],
        [512, 1, 5],
        [512, 2, 6],
      ],
    );
    const finished = await client.waitFor('tune.finished');
    assert.equal(finished.progressToken, 'tune-a');
    assert.deepEqual('result' in finished ? finished.result : finished.error, result);
    assert.deepEqual(await client.request('tune.last'), result);
  });

  test("a tune neither takes nor retires the host's warm environment, and its invocations are not in the history", async () => {
    const { client } = served;
    const first = await client.request<InvokeOutput>('invoke', { function: 'ColdFunction' });
    assert.equal(first.cold, true);
    const before = await client.request<ListInvocationsResult>('listInvocations', { function: 'ColdFunction' });
    await client.request<TuneResult>('tune', { function: 'ColdFunction', memorySizesMB: [128], runs: 1 });
    const after = await client.request<ListInvocationsResult>('listInvocations', { function: 'ColdFunction' });
    assert.equal(after.records.length, before.records.length, 'tune invocations are measurements, not history');
    const second = await client.request<InvokeOutput>('invoke', { function: 'ColdFunction' });
    assert.equal(second.cold, false, 'the host environment stayed warm through the tune');
  });

  test('tune.cancel stops a running tune: its request fails as cancelled and the next tune runs', async () => {
    const { client } = served;
    assert.deepEqual(await client.request('tune.cancel'), { cancelled: false });
    const long = client
      .request('tune', { function: 'CpuFunction', event: { iterations: 20000 }, memorySizesMB: [128, 256], runs: 100, progressToken: 'long' })
      .then(
        () => assert.fail('the cancelled tune resolved'),
        (e: unknown) => e as RpcClientError,
      );
    await client.waitFor('tune.progress', (p) => p.progressToken === 'long', 60_000);
    assert.deepEqual(await client.request('tune.cancel'), { cancelled: true });
    const err = await long;
    assert.ok(err instanceof RpcClientError);
    assert.match(err.message, /tuning was cancelled/);
    const ended = await client.waitFor('tune.finished', (f) => f.progressToken === 'long');
    assert.deepEqual(ended, { progressToken: 'long', error: 'tuning was cancelled' });
    const progress = client.notifications.filter((n) => n.method === 'tune.progress' && (n.params as TuneProgress).progressToken === 'long');
    assert.ok(progress.length < 202, 'it stopped before the end');
    const next = await client.request<TuneResult>('tune', { function: 'CpuFunction', event: { iterations: 1000 }, memorySizesMB: [128], runs: 1 });
    assert.equal(next.sizes.length, 1);
  });

  test('bad params are -32602 with a hint; an unknown function is the usual not-found error', async () => {
    const { client } = served;
    for (const [params, hint] of [
      [{ function: 'CpuFunction', memorySizesMB: [64] }, /memory size 64 is out of range/],
      [{ function: 'CpuFunction', memorySizesMB: '128' }, /"memorySizesMB" must be an array/],
      [{ function: 'CpuFunction', runs: 1000 }, /runs must be a whole number from 1 to 100/],
    ] as const) {
      const err = await client.request('tune', params).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e as RpcClientError,
      );
      assert.ok(err instanceof RpcClientError);
      assert.equal(err.error.code, RpcErrorCode.InvalidParams);
      assert.match(String(err.error.data?.hint), hint);
    }
    const missing = await client.request('tune', { function: 'Nope' }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e as RpcClientError,
    );
    assert.equal(missing.error.code, RpcErrorCode.ResourceNotFound);
  });
});
