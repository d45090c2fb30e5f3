// A function's `DurableConfig` (SAM and CloudFormation spell it the same; SAM's Globals may set it for
// every function): ExecutionTimeout, required, 1–31,622,400 seconds; RetentionPeriodInDays, 1–90,
// default 14. A function with it is durable: invocations of it start durable executions.
import type { DurableConfigInfo } from '../protocol/functions';
import { isRecord } from '../util/values';

export const MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400;
export const DEFAULT_RETENTION_DAYS = 14;
export const MAX_RETENTION_DAYS = 90;

/** How a template problem is reported (sam-template.ts's reader): under `DurableConfig`, at `keys`. */
export type DurableConfigProblem = (keys: string[], message: string, severity: 'error' | 'warning') => string;

/**
 * The durable settings of a function, or why it cannot run: a DurableConfig without a usable
 * ExecutionTimeout is refused by Lambda, so the function is refused here too.
 */
export function durableConfigOf(value: unknown, problem: DurableConfigProblem): { config?: DurableConfigInfo; unsupported?: string } {
  if (value === undefined) return {};
  if (!isRecord(value)) return { unsupported: problem([], 'DurableConfig must be a map with ExecutionTimeout (seconds) and RetentionPeriodInDays', 'error') };
  const whole = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    return Number.isInteger(n) ? n : undefined;
  };
  const timeout = whole(value.ExecutionTimeout);
  if (timeout === undefined || timeout < 1 || timeout > MAX_EXECUTION_TIMEOUT_SECONDS) {
    return {
      unsupported: problem(
        value.ExecutionTimeout === undefined ? [] : ['ExecutionTimeout'],
        value.ExecutionTimeout === undefined
          ? 'DurableConfig needs ExecutionTimeout (seconds, 1 to 31622400)'
          : `DurableConfig.ExecutionTimeout must be a whole number of seconds from 1 to ${MAX_EXECUTION_TIMEOUT_SECONDS}, got ${JSON.stringify(value.ExecutionTimeout)}`,
        'error',
      ),
    };
  }
  let retention = DEFAULT_RETENTION_DAYS;
  if (value.RetentionPeriodInDays !== undefined) {
    const n = whole(value.RetentionPeriodInDays);
    if (n === undefined || n < 1 || n > MAX_RETENTION_DAYS) {
      problem(
        ['RetentionPeriodInDays'],
        `DurableConfig.RetentionPeriodInDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(value.RetentionPeriodInDays)}; ${DEFAULT_RETENTION_DAYS} used`,
        'warning',
      );
    } else retention = n;
  }
  return { config: { executionTimeoutSeconds: timeout, retentionPeriodInDays: retention } };
}
