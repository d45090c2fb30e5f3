import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { billedDurationMs, gbSeconds, invocationCostUsd, monthlyCostUsd, PRICES } from '../../runtime-host/protocol/billing';

test('per-ms-with-init bills ceil(duration + init), init only when given', () => {
  assert.equal(billedDurationMs('per-ms-with-init', 12.34, 166.62), 179);
  assert.equal(billedDurationMs('per-ms-with-init', 12.34), 13);
  assert.equal(billedDurationMs('per-ms-with-init', 12, 100), 112);
});

test('per-ms bills ceil(duration) and ignores init', () => {
  assert.equal(billedDurationMs('per-ms', 12.34, 166.62), 13);
  assert.equal(billedDurationMs('per-ms', 3000), 3000);
  assert.equal(billedDurationMs('per-ms', 0.3), 1);
  // Float noise from summing does not add a millisecond.
  assert.equal(billedDurationMs('per-ms', 0.1 + 0.2 + 11.7), 12);
});

test('legacy-100ms rounds up to 100 ms steps, minimum 100', () => {
  assert.equal(billedDurationMs('legacy-100ms', 12.34, 500), 100);
  assert.equal(billedDurationMs('legacy-100ms', 100), 100);
  assert.equal(billedDurationMs('legacy-100ms', 100.01), 200);
  assert.equal(billedDurationMs('legacy-100ms', 0.5), 100);
});

test('prices come from prices.json (data, not code)', () => {
  const data = JSON.parse(readFileSync(join(__dirname, '../../runtime-host/protocol/prices.json'), 'utf8'));
  assert.equal(PRICES.computePerGBSecond.x86_64, data.computePerGBSecond.x86_64);
  assert.equal(PRICES.computePerGBSecond.arm64, data.computePerGBSecond.arm64);
  assert.equal(PRICES.computePerGBSecond.x86_64, 0.0000166667);
  assert.equal(PRICES.computePerGBSecond.arm64, 0.0000133334);
  assert.equal(PRICES.requestsPerMillion, 0.2);
});

test('cost of one invocation: GB-s × price by architecture + one request', () => {
  assert.equal(gbSeconds(1024, 1000), 1);
  assert.equal(gbSeconds(128, 100), 0.0125);
  // 1 GB for 1 s on x86_64: 0.0000166667 + 0.0000002
  assert.ok(Math.abs(invocationCostUsd(1024, 1000, 'x86_64') - 0.0000168667) < 1e-15);
  assert.ok(Math.abs(invocationCostUsd(1024, 1000, 'arm64') - 0.0000135334) < 1e-15);
  assert.ok(invocationCostUsd(128, 13, 'arm64') < invocationCostUsd(128, 13, 'x86_64'));
});

test('monthly cost for N invocations, with and without the free tier', () => {
  // 3 M invocations of 512 MB × 200 ms on x86_64: 300,000 GB-s.
  const m = monthlyCostUsd({ invocations: 3_000_000, billedDurationMs: 200, memorySizeMB: 512, architecture: 'x86_64' });
  assert.equal(m.computeGBSeconds, 300_000);
  assert.ok(Math.abs(m.requestsUsd - 0.6) < 1e-12);
  assert.ok(Math.abs(m.computeUsd - 300_000 * 0.0000166667) < 1e-9);
  assert.ok(Math.abs(m.totalUsd - (m.requestsUsd + m.computeUsd)) < 1e-12);
  const free = monthlyCostUsd({ invocations: 3_000_000, billedDurationMs: 200, memorySizeMB: 512, architecture: 'x86_64', freeTier: true });
  assert.ok(Math.abs(free.requestsUsd - 0.4) < 1e-12);
  assert.equal(free.computeUsd, 0);
  assert.equal(monthlyCostUsd({ invocations: 10, billedDurationMs: 1, memorySizeMB: 128, architecture: 'arm64', freeTier: true }).totalUsd, 0);
});
