// What one invocation costs and what a million a month would cost at the same billed duration, on
// both architectures. Prices and rules come from the host's billing module (one price table).
import { BILLING_RULE_DESCRIPTIONS, billedDurationMs, invocationCostUsd, monthlyCostUsd } from '../../runtime-host/protocol/billing';
import type { Architecture, InvocationRecord } from '../../runtime-host/protocol/records';

export const MILLION = 1_000_000;

export interface ArchitectureCost {
  architecture: Architecture;
  /** Cost of this one invocation. */
  invocationUsd: number;
  /** A million invocations a month at this billed duration and memory size, without the free tier. */
  perMillionMonthlyUsd: number;
  /** The same after the monthly free tier. */
  perMillionMonthlyAfterFreeTierUsd: number;
}

export interface CostBreakdown {
  billedMs: number;
  rule: InvocationRecord['billingRule'];
  ruleDescription: string;
  memorySizeMB: number;
  /** The record's own architecture first, then the other one. */
  architectures: [ArchitectureCost, ArchitectureCost];
}

/** Billed ms of a record: the host's number when it has one, else computed from the durations. */
export function recordBilledMs(record: InvocationRecord): number | undefined {
  if (record.billedDurationMs !== undefined) return record.billedDurationMs;
  if (record.durationMs === undefined) return undefined;
  return billedDurationMs(record.billingRule, record.durationMs, record.cold ? record.initDurationMs : undefined);
}

export function costOf(record: InvocationRecord): CostBreakdown | undefined {
  if (record.kind !== 'invocation') return undefined;
  const billedMs = recordBilledMs(record);
  if (billedMs === undefined) return undefined;
  const other: Architecture = record.architecture === 'arm64' ? 'x86_64' : 'arm64';
  const forArch = (architecture: Architecture): ArchitectureCost => {
    const monthly = (freeTier: boolean) =>
      monthlyCostUsd({ invocations: MILLION, billedDurationMs: billedMs, memorySizeMB: record.memorySizeMB, architecture, freeTier }).totalUsd;
    return {
      architecture,
      invocationUsd: invocationCostUsd(record.memorySizeMB, billedMs, architecture),
      perMillionMonthlyUsd: monthly(false),
      perMillionMonthlyAfterFreeTierUsd: monthly(true),
    };
  };
  return {
    billedMs,
    rule: record.billingRule,
    ruleDescription: BILLING_RULE_DESCRIPTIONS[record.billingRule],
    memorySizeMB: record.memorySizeMB,
    architectures: [forArch(record.architecture), forArch(other)],
  };
}
