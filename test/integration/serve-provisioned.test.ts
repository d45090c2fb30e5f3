// Provisioned concurrency from the template on a real `serve`: environments initialised from start
// (their INIT phase in provisioned-init records of the history), invocations without Init Duration,
// and a template edit that changes the count.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FunctionInfo, InvocationRecord, InvokeOutput, ListInvocationsResult } from '../../runtime-host/protocol/index';
import { servedFixture, waitUntil } from './serve-helpers';

describe('provisioned concurrency under serve', () => {
  const served = servedFixture('tune-project');

  const inits = async (): Promise<InvocationRecord[]> => {
    const page = await served.client.request<ListInvocationsResult>('listInvocations', { function: 'WarmFunction' });
    return page.records.filter((r) => r.kind === 'provisioned-init');
  };

  test('ProvisionedConcurrentExecutions environments initialise at start, each with its own record; invocations show no Init Duration', async () => {
    const { client } = served;
    const functions = await client.request<FunctionInfo[]>('listFunctions');
    assert.equal(functions.find((f) => f.name === 'WarmFunction')?.provisionedConcurrency, 2);
    assert.equal(functions.find((f) => f.name === 'ColdFunction')?.provisionedConcurrency, undefined);

    await waitUntil(async () => (await inits()).filter((r) => r.status === 'success').length === 2, 60_000, 'two provisioned-init records');
    const records = await inits();
    for (const r of records) {
      assert.equal(r.trigger, 'provisioned');
      assert.ok(r.initDurationMs! > 0);
      assert.match(r.logs[0]!, /^INIT_START /);
    }

    const out = await client.request<InvokeOutput>('invoke', { function: 'WarmFunction' });
    assert.equal(out.cold, false);
    assert.equal(out.report.initDurationMs, undefined);
    assert.doesNotMatch(out.logs.at(-1)!, /Init Duration/);
    assert.equal((out.result as { initType: string }).initType, 'provisioned-concurrency');
    const record = await client.request<InvocationRecord>('getInvocation', { id: out.requestId });
    assert.equal(record.initializationType, 'provisioned-concurrency');
    assert.ok(records.some((r) => r.environmentId === record.environmentId));

    const cold = await client.request<InvokeOutput>('invoke', { function: 'ColdFunction' });
    assert.equal(cold.cold, true);
    assert.equal((cold.result as { initType: string }).initType, 'on-demand');
  });

  test('raising the count in the template initialises one more environment and keeps the two warm ones', async () => {
    const original = (await inits()).map((r) => r.environmentId);
    assert.equal(original.length, 2);
    const template = join(served.dir, 'template.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('ProvisionedConcurrentExecutions: 2', 'ProvisionedConcurrentExecutions: 3'));
    await waitUntil(async () => (await inits()).filter((r) => r.status === 'success').length >= 3, 120_000, 'a third provisioned-init record');
    // Three invocations at once each take one provisioned environment: the two original ones and the new one.
    const outs = await Promise.all([1, 2, 3].map(() => served.client.request<InvokeOutput>('invoke', { function: 'WarmFunction', event: { waitMs: 3000 } })));
    assert.ok(
      outs.every((o) => !o.cold),
      'all three ran on provisioned environments',
    );
    const used = await Promise.all(outs.map(async (o) => (await served.client.request<InvocationRecord>('getInvocation', { id: o.requestId })).environmentId));
    const live = (await inits()).map((r) => r.environmentId);
    assert.equal(live.length, 3, 'exactly one more init');
    assert.deepEqual(new Set(used), new Set(live));
    for (const id of original) assert.ok(used.includes(id), 'an original environment kept serving');
  });
});
