import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOf, recordBilledMs } from '../../webview-ui/model/cost';
import { formatMs, formatPercent, formatShortMs, formatUsd } from '../../webview-ui/model/format';
import { record } from './panel/records';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * 1e-12, `${actual} ≠ ${expected}`);

describe('panel cost view-model', () => {
  it('prices one invocation and a million a month on both architectures, own architecture first', () => {
    const cost = costOf(record({ id: 'x', memorySizeMB: 128, billedDurationMs: 100 }));
    assert.ok(cost);
    assert.equal(cost.billedMs, 100);
    assert.equal(cost.rule, 'per-ms-with-init');
    assert.match(cost.ruleDescription, /ceil\(Duration \+ Init Duration\)/);
    const [x86, arm] = cost.architectures;
    assert.equal(x86.architecture, 'x86_64');
    assert.equal(arm.architecture, 'arm64');
    // 0.125 GB × 0.1 s = 0.0125 GB-s; plus $0.20 per million requests.
    close(x86.invocationUsd, 0.0125 * 0.0000166667 + 0.2 / 1e6);
    close(arm.invocationUsd, 0.0125 * 0.0000133334 + 0.2 / 1e6);
    close(x86.perMillionMonthlyUsd, 12_500 * 0.0000166667 + 0.2);
    assert.equal(x86.perMillionMonthlyAfterFreeTierUsd, 0);
  });

  it('lists arm64 first for an arm64 function', () => {
    const cost = costOf(record({ id: 'x', architecture: 'arm64', memorySizeMB: 1024, billedDurationMs: 1000 }));
    assert.deepEqual(
      cost?.architectures.map((a) => a.architecture),
      ['arm64', 'x86_64'],
    );
    close(cost!.architectures[0].invocationUsd, 0.0000133334 + 0.2 / 1e6);
  });

  it('computes billed ms by the record rule when the host did not give one', () => {
    const base = { id: 'x', cold: true, durationMs: 12.3, initDurationMs: 150.2, billedDurationMs: undefined };
    assert.equal(recordBilledMs(record({ ...base, billingRule: 'per-ms-with-init' })), 163);
    assert.equal(recordBilledMs(record({ ...base, billingRule: 'per-ms' })), 13);
    assert.equal(recordBilledMs(record({ ...base, billingRule: 'legacy-100ms' })), 100);
    assert.equal(recordBilledMs(record({ ...base, durationMs: undefined })), undefined);
  });

  it('has no cost for parent records or unfinished invocations', () => {
    assert.equal(costOf(record({ id: 'p', kind: 'sns-publish' })), undefined);
    assert.equal(costOf(record({ id: 'r', status: 'running', durationMs: undefined, billedDurationMs: undefined })), undefined);
  });

  it('formats dollars with enough significant digits for tiny costs', () => {
    assert.equal(formatUsd(0.0125 * 0.0000166667 + 0.2 / 1e6), '$0.0000004083');
    assert.equal(formatUsd(0.40833375), '$0.4083');
    assert.equal(formatUsd(5.96), '$5.96');
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(undefined), '—');
  });

  it('formats durations as REPORT does and short forms for cells', () => {
    assert.equal(formatMs(12.3456), '12.35 ms');
    assert.equal(formatMs(undefined), '—');
    assert.equal(formatShortMs(3.5), '3.5 ms');
    assert.equal(formatShortMs(850.4), '850 ms');
    assert.equal(formatShortMs(1000), '1 s');
    assert.equal(formatShortMs(1234), '1.23 s');
    assert.equal(formatShortMs(125_000), '2 min 5 s');
    assert.equal(formatPercent(0.125, 1), '12.5%');
  });
});
