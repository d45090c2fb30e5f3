import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionInfo } from '../../runtime-host/protocol/functions';
import { memoryHint, percentile, summarizeFunctions } from '../../webview-ui/model/summary';
import { record } from './panel/records';

describe('panel per-function summary', () => {
  it('uses nearest-rank percentiles', () => {
    const values = [100, 10, 90, 20, 80, 30, 70, 40, 60, 50];
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 100);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([], 50), undefined);
  });

  it('counts invocations, errors, cold starts, init and memory per function; skips parents and in-flight records', () => {
    const records = Array.from({ length: 10 }, (_, i) =>
      record({
        id: `g${i}`,
        durationMs: (i + 1) * 10,
        status: i === 3 ? 'error' : i === 7 ? 'timeout' : 'success',
        cold: i < 3,
        initDurationMs: i < 3 ? (i + 1) * 100 : undefined,
        maxMemoryUsedMB: 30 + i,
        memorySizeMB: 1024,
      }),
    );
    records.push(record({ id: 'running', status: 'running', durationMs: undefined }));
    records.push(record({ id: 'pub', kind: 'sns-publish', functionName: 'orders' }));
    records.push(record({ id: 'f0', functionName: 'FailFunction', status: 'outOfMemory', maxMemoryUsedMB: 128, memorySizeMB: 128 }));
    const [greet, fail] = summarizeFunctions(records);
    assert.deepEqual(
      { ...greet, hint: greet.hint?.kind },
      {
        functionName: 'GreetFunction',
        invocations: 10,
        errors: 2,
        errorRate: 0.2,
        p50DurationMs: 50,
        p95DurationMs: 100,
        coldStarts: 3,
        coldStartShare: 0.3,
        averageInitMs: 200,
        maxMemoryUsedMB: 39,
        memorySizeMB: 1024,
        hint: 'too-large',
      },
    );
    assert.equal(fail.functionName, 'FailFunction');
    assert.equal(fail.errorRate, 1);
    assert.equal(fail.hint?.kind, 'too-small');
  });

  it('takes the configured memory size from the catalog and lists functions that never ran', () => {
    const fns = [
      { name: 'GreetFunction', memorySizeMB: 512 },
      { name: 'Idle', memorySizeMB: 128 },
    ] as FunctionInfo[];
    const summaries = summarizeFunctions([record({ id: 'a', memorySizeMB: 128 })], fns);
    assert.deepEqual(
      summaries.map((s) => [s.functionName, s.invocations, s.memorySizeMB]),
      [
        ['GreetFunction', 1, 512],
        ['Idle', 0, 128],
      ],
    );
    assert.equal(summaries[1].p50DurationMs, undefined);
  });

  it("carries what of a function's configuration is not emulated, for the function list to say", () => {
    const fns = [
      { name: 'Nightly', memorySizeMB: 128, notEmulated: ["EphemeralStorage: /tmp is the machine's own temporary folder"] },
      { name: 'Plain', memorySizeMB: 128 },
    ] as FunctionInfo[];
    const summaries = summarizeFunctions([], fns);
    assert.deepEqual(
      summaries.map((s) => [s.functionName, s.notEmulated]),
      [
        ['Nightly', ["EphemeralStorage: /tmp is the machine's own temporary folder"]],
        ['Plain', undefined],
      ],
    );
  });

  it('hints when memory is far too large or nearly exhausted, and stays quiet in between', () => {
    assert.deepEqual(memoryHint(40, 1024), {
      kind: 'too-large',
      suggestedMB: 128,
      message: 'Uses at most 40 of 1024 MB; 128 MB would cost less (CPU scales with memory, so compare durations).',
    });
    assert.deepEqual(memoryHint(120, 128), { kind: 'too-small', suggestedMB: 192, message: 'Uses 120 of 128 MB — close to Runtime.OutOfMemory; try 192 MB.' });
    assert.equal(memoryHint(60, 128), undefined);
    assert.equal(memoryHint(10, 128), undefined, 'cannot go below 128 MB');
    assert.equal(memoryHint(10_000, 10_240)?.kind, undefined, 'cannot go above 10,240 MB');
    assert.equal(memoryHint(undefined, 1024), undefined);
  });
});
