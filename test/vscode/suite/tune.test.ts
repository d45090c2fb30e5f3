// Tune Memory… with its answers given: the host's tuner runs the function at each size and the
// command returns the TuneResult the panel charts; the tune's invocations stay out of the history.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TuneResult } from '../../../runtime-host/protocol';
import { workbenchApi } from './util';

suite('tune', () => {
  test('Tune Memory… returns every size with its figures, cheapest and fastest marked', async () => {
    const api = await workbenchApi();
    const before = await api.ctx.host.request('listInvocations', { function: 'HelloJs', limit: 500 });
    const result = await vscode.commands.executeCommand<TuneResult>(
      'lambdaWorkbench.tuneMemory',
      { kind: 'function', name: 'HelloJs' },
      { event: { name: 'Tuner' }, memorySizesMB: [256, 128], runs: 2, quiet: true },
    );
    assert.ok(result, 'the command returned no result');
    assert.equal(result.functionName, 'HelloJs');
    assert.deepEqual(
      result.sizes.map((s) => [s.memorySizeMB, s.runs, s.error]),
      [
        [128, 2, undefined],
        [256, 2, undefined],
      ],
    );
    assert.ok(result.cheapestMemorySizeMB === 128 || result.cheapestMemorySizeMB === 256);
    assert.ok(result.fastestMemorySizeMB === 128 || result.fastestMemorySizeMB === 256);
    assert.deepEqual(await api.ctx.host.request('tune.last', undefined), result);
    const after = await api.ctx.host.request('listInvocations', { function: 'HelloJs', limit: 500 });
    assert.equal(after.records.length, before.records.length);
  });
});
