// Billed duration and cost (lambda-behaviour §5). Pure: the panel imports this module too, so no Node imports;
// prices live in prices.json so a price change is a data change.
import prices from './prices.json';
import type { Architecture, BillingRule } from './records';

export const BILLING_RULES: readonly BillingRule[] = ['per-ms-with-init', 'per-ms', 'legacy-100ms'];

/** What each rule means, for the panel and the CLI to show which one applied. */
export const BILLING_RULE_DESCRIPTIONS: Readonly<Record<BillingRule, string>> = {
  'per-ms-with-init': 'ceil(Duration + Init Duration) in 1 ms steps (Lambda since 1 Aug 2025)',
  'per-ms': 'ceil(Duration) in 1 ms steps, init not billed (Dec 2020 – Jul 2025)',
  'legacy-100ms': 'Duration rounded up to 100 ms steps, init not billed (before Dec 2020)',
};

export interface PriceTable {
  computePerGBSecond: Record<Architecture, number>;
  requestsPerMillion: number;
  freeTierPerMonth: { requests: number; computeGBSeconds: number };
}

export const PRICES: PriceTable = prices;

/**
 * Billed Duration as REPORT prints it. `initDurationMs` is only given on cold starts.
 * Lambda never bills less than 1 ms.
 */
export function billedDurationMs(rule: BillingRule, durationMs: number, initDurationMs?: number): number {
  // Round away float noise first so 12.000000001 ms bills as 12, not 13.
  const clean = (ms: number) => Math.round(ms * 1e6) / 1e6;
  switch (rule) {
    case 'per-ms-with-init':
      return Math.max(1, Math.ceil(clean(durationMs + (initDurationMs ?? 0))));
    case 'per-ms':
      return Math.max(1, Math.ceil(clean(durationMs)));
    case 'legacy-100ms':
      return Math.max(100, Math.ceil(clean(durationMs) / 100) * 100);
  }
}

/** Compute GB-seconds for one invocation. */
export function gbSeconds(memorySizeMB: number, billedMs: number): number {
  return (memorySizeMB / 1024) * (billedMs / 1000);
}

/** Estimated cost in USD of one invocation: compute (by architecture) + one request. No free tier. */
export function invocationCostUsd(memorySizeMB: number, billedMs: number, architecture: Architecture, table: PriceTable = PRICES): number {
  return gbSeconds(memorySizeMB, billedMs) * table.computePerGBSecond[architecture] + table.requestsPerMillion / 1_000_000;
}

export interface MonthlyCostInput {
  invocations: number;
  /** Average billed duration per invocation. */
  billedDurationMs: number;
  memorySizeMB: number;
  architecture: Architecture;
  /** Subtract the monthly free tier (1 M requests, 400,000 GB-s). Default false. */
  freeTier?: boolean;
}

export interface MonthlyCost {
  requestsUsd: number;
  computeUsd: number;
  totalUsd: number;
  computeGBSeconds: number;
}

/** Cost of N invocations in a month, optionally after the free tier. */
export function monthlyCostUsd(input: MonthlyCostInput, table: PriceTable = PRICES): MonthlyCost {
  const computeGBSeconds = input.invocations * gbSeconds(input.memorySizeMB, input.billedDurationMs);
  const billableRequests = Math.max(0, input.invocations - (input.freeTier ? table.freeTierPerMonth.requests : 0));
  const billableGBs = Math.max(0, computeGBSeconds - (input.freeTier ? table.freeTierPerMonth.computeGBSeconds : 0));
  const requestsUsd = (billableRequests / 1_000_000) * table.requestsPerMillion;
  const computeUsd = billableGBs * table.computePerGBSecond[input.architecture];
  return { requestsUsd, computeUsd, totalUsd: requestsUsd + computeUsd, computeGBSeconds };
}
