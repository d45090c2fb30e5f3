// The protocol's `tune`: the memory tuner run by the host for VS Code and the dashboard, with a
// `tune.progress` notification per invocation. Each tune gets an invoker of its own, so its
// environments are fresh, never take a warm environment from the host's pool, never retire the
// host's, and its invocations stay out of the history (they are measurements, not the user's calls).
import type { FunctionInfo } from '../protocol/functions';
import type { Notifications } from '../protocol/methods';
import type { BillingRule } from '../protocol/records';
import { MAX_TUNE_SIZES, TUNE_RUNS_RANGE, type TuneParams, type TuneResult } from '../protocol/tune';
import type { LambdaInvoker } from '../runtime/invoker';
import { UserError } from '../runtime/types';
import { invalidParams } from '../server/json-rpc';
import { tune, validateTuneInput } from './tuner';

export interface TuneMethodOptions {
  /** Resolves `function` / `handler` + `root` exactly as `invoke` does. */
  resolveFunction(params: TuneParams): FunctionInfo;
  /** A new invoker configured like the host's (sandbox, paths, credentials policy). */
  createInvoker(): LambdaInvoker;
  billingRule: BillingRule;
  notify<N extends 'tune.progress' | 'tune.finished'>(method: N, params: Notifications[N]): void;
}

export interface TuneMethod {
  run(params: TuneParams): Promise<TuneResult>;
  /** The most recent result, or null. */
  last(): TuneResult | null;
  /** Stops a running tune (a client's cancel, host shutdown): its environments are killed. Resolves true when one was running. */
  stop(): Promise<boolean>;
}

export function createTuneMethod(options: TuneMethodOptions): TuneMethod {
  // One at a time: two tunes sharing this machine's CPU would each measure the other.
  let running: { invoker: LambdaInvoker; controller: AbortController } | undefined;
  let last: TuneResult | null = null;
  return {
    last: () => last,
    async run(params) {
      const p = (params ?? {}) as TuneParams & Record<string, unknown>;
      if (typeof p !== 'object' || Array.isArray(p))
        throw invalidParams('Invalid params', 'tune takes an object, e.g. {"function":"HelloFunction","event":{}}');
      const sizes = p.memorySizesMB;
      if (sizes !== undefined && (!Array.isArray(sizes) || sizes.some((s) => typeof s !== 'number'))) {
        throw invalidParams('Invalid params', `tune: "memorySizesMB" must be an array of up to ${MAX_TUNE_SIZES} sizes in MB, e.g. [128, 512, 1769]`);
      }
      if (p.runs !== undefined && typeof p.runs !== 'number') {
        throw invalidParams('Invalid params', `tune: "runs" must be a whole number from ${TUNE_RUNS_RANGE[0]} to ${TUNE_RUNS_RANGE[1]}`);
      }
      if (p.progressToken !== undefined && typeof p.progressToken !== 'string') throw invalidParams('Invalid params', 'tune: "progressToken" must be a string');
      try {
        validateTuneInput(sizes, p.runs);
      } catch (err) {
        if (err instanceof UserError) throw invalidParams('Invalid params', `tune: ${err.message}${err.hint ? `; ${err.hint}` : ''}`);
        throw err;
      }
      const fn = options.resolveFunction(p);
      if (running)
        throw new UserError('a tune is already running', 'wait for it to finish: two tunes at once would measure each other’s CPU use', 'TooManyRequests');
      const current = { invoker: options.createInvoker(), controller: new AbortController() };
      running = current;
      try {
        const result = await tune({
          fn,
          event: p.event === undefined ? {} : p.event,
          ...(sizes !== undefined ? { memorySizesMB: sizes } : {}),
          ...(p.runs !== undefined ? { runs: p.runs } : {}),
          invoker: current.invoker,
          billingRule: options.billingRule,
          signal: current.controller.signal,
          onProgress: (progress) =>
            options.notify('tune.progress', { ...progress, ...(p.progressToken !== undefined ? { progressToken: p.progressToken } : {}) }),
        });
        last = result;
        options.notify('tune.finished', { result, ...(p.progressToken !== undefined ? { progressToken: p.progressToken } : {}) });
        return result;
      } catch (err) {
        // Clients showing its progress learn it ended (cancelled, or the host failed).
        options.notify('tune.finished', {
          error: err instanceof Error ? err.message : String(err),
          ...(p.progressToken !== undefined ? { progressToken: p.progressToken } : {}),
        });
        throw err;
      } finally {
        if (running === current) running = undefined;
        await current.invoker.shutdown();
      }
    },
    async stop() {
      const current = running;
      if (!current) return false;
      current.controller.abort();
      await current.invoker.shutdown();
      return true;
    },
  };
}
