// The tune chart's geometry: columns in order, bars to scale on a round axis, the p90 whisker above
// the p50, cost lines for both architectures, marks on the cheapest and fastest, failed sizes without bars.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TuneResult, TuneSizeResult } from '../../runtime-host/protocol/tune';
import { layoutTuneChart, niceCeil } from '../../webview-ui/model/tune-chart';

function size(memorySizeMB: number, p50: number, p90: number, perMillion: number, failed = false): TuneSizeResult {
  return {
    memorySizeMB,
    runs: failed ? 0 : 5,
    durationP50Ms: p50,
    durationP90Ms: p90,
    durationMinMs: p50,
    durationMaxMs: p90,
    billedDurationMs: p50,
    maxMemoryUsedMB: 50,
    costPerInvocationUsd: { x86_64: perMillion / 1e6, arm64: (perMillion * 0.8) / 1e6 },
    costPerMillionUsd: { x86_64: perMillion, arm64: perMillion * 0.8 },
    ...(failed ? { error: { errorType: 'Runtime.OutOfMemory', errorMessage: 'x', failedRuns: 1 } } : {}),
  };
}

const result: TuneResult = {
  functionName: 'Fn',
  runtime: 'nodejs22.x',
  architecture: 'x86_64',
  billingRule: 'per-ms-with-init',
  pricesRegion: 'us-east-1',
  runsPerSize: 5,
  sizes: [size(128, 0, 0, 0, true), size(512, 400, 440, 3.5), size(1769, 100, 180, 3.2)],
  cheapestMemorySizeMB: 1769,
  fastestMemorySizeMB: 1769,
  machine: { cpus: 2, cpuModel: 'x' },
  note: 'n',
  startedAt: 0,
  finishedAt: 1,
};

test('niceCeil rounds up to 1, 2, 2.5 or 5 × a power of ten', () => {
  assert.deepEqual([0.3, 1, 1.2, 2.2, 3, 7, 440, 0.011, 0].map(niceCeil), [0.5, 1, 2, 2.5, 5, 10, 500, 0.02, 1]);
});

test('columns, bars to scale, whiskers above bars, failed sizes without a bar', () => {
  const l = layoutTuneChart(result, { width: 640, height: 300 });
  const { plot } = l;
  assert.deepEqual(plot, { left: 60, right: 570, top: 34, bottom: 260 });
  assert.deepEqual(
    l.columns.map((c) => c.memorySizeMB),
    [128, 512, 1769],
  );
  assert.deepEqual(
    l.columns.map((c) => c.x),
    [60 + 85, 60 + 255, 60 + 425],
  );
  const [failed, mid, fast] = l.columns;
  assert.equal(failed!.p50Y, undefined);
  assert.equal(failed!.failed, 'Runtime.OutOfMemory');
  // Axis maximum 500 ms: 400 ms is 80 % of the plot height.
  assert.equal(mid!.p50Y, plot.bottom - 0.8 * (plot.bottom - plot.top));
  assert.ok(mid!.p90Y! < mid!.p50Y!);
  assert.equal(fast!.p50Y, plot.bottom - 0.2 * (plot.bottom - plot.top));
  assert.deepEqual(fast!.marks, ['cheapest', 'fastest']);
  assert.deepEqual(mid!.marks, []);
  assert.deepEqual(
    l.durationTicks.map((t) => t.label),
    ['0 ms', '100 ms', '200 ms', '300 ms', '400 ms', '500 ms'],
  );
});

test('cost lines for x86 and arm skip failed sizes, on a round right axis', () => {
  const l = layoutTuneChart(result, { width: 640, height: 300 });
  assert.deepEqual(
    l.costLines.x86_64.map((p) => p.usd),
    [3.5, 3.2],
  );
  assert.deepEqual(
    l.costLines.arm64.map((p) => p.usd),
    [2.8000000000000003, 2.5600000000000005],
  );
  assert.deepEqual(
    l.costTicks.map((t) => t.label),
    ['$0.00', '$1.00', '$2.00', '$3.00', '$4.00', '$5.00'],
  );
  assert.ok(l.costLines.arm64[0]!.y > l.costLines.x86_64[0]!.y, 'arm is cheaper, so lower');
});
