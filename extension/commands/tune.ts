// Tune Memory…: pick a function, its event (the usual event picker), the sizes and the runs, then the
// host's tuner runs with a progress notification; the panel opens on its Tune view with the chart.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { DEFAULT_TUNE_RUNS, DEFAULT_TUNE_SIZES_MB, MAX_TUNE_SIZES, TUNE_RUNS_RANGE, type TuneResult } from '../../runtime-host/protocol';
import type { WorkbenchContext } from '../context';
import { pickEvent } from '../event-picker';
import type { InvocationsPanel } from '../panel';
import { invokeParamsOf } from '../targets';
import { chooseFunction } from './pick-function';

/** What tests (and other commands) may pass instead of answering the prompts. */
export interface TuneOptions {
  event?: unknown;
  memorySizesMB?: number[];
  runs?: number;
  /** Do not show the outcome as a notification. */
  quiet?: boolean;
}

export async function tuneMemory(ctx: WorkbenchContext, panel: InvocationsPanel, arg?: unknown, options: TuneOptions = {}): Promise<TuneResult | undefined> {
  const target = await chooseFunction(ctx, arg, 'Tune Memory');
  if (!target) return undefined;
  let event: unknown;
  if ('event' in options) event = options.event;
  else {
    const choice = await pickEvent(ctx, target);
    if (!choice) return undefined;
    event = await ctx.resolveEvent(target, choice);
  }
  const memorySizesMB = options.memorySizesMB ?? (await askSizes(target.name));
  if (!memorySizesMB) return undefined;
  const runs = options.runs ?? (await askRuns(target.name));
  if (runs === undefined) return undefined;

  // Open first, so the panel follows the progress and switches to the chart when it is done.
  panel.show();
  const progressToken = `vscode-${randomBytes(6).toString('hex')}`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tuning ${target.name}`, cancellable: true },
    async (progress, token) => {
      let reported = 0;
      const subscription = ctx.host.on('tune.progress', (p) => {
        if (p.progressToken !== progressToken) return;
        const percent = (p.done / p.total) * 100;
        progress.report({
          message: `${p.memorySizeMB} MB, ${p.run === 0 ? 'cold run' : `run ${p.run}/${p.runs}`} (${p.done}/${p.total})`,
          increment: percent - reported,
        });
        reported = percent;
      });
      // Cancelling stops the host's tune too, not only the wait for it.
      const cancel = token.onCancellationRequested(() => void ctx.host.request('tune.cancel', undefined).catch(() => undefined));
      try {
        return await ctx.host.request('tune', { ...invokeParamsOf(target), event, memorySizesMB, runs, progressToken }, token);
      } finally {
        cancel.dispose();
        subscription.dispose();
      }
    },
  );
  // The panel opened at the start may have been loading when the tune finished: it shows the chart all the same.
  panel.showTune();
  if (!options.quiet) {
    const best = `cheapest ${result.cheapestMemorySizeMB ?? '—'} MB, fastest ${result.fastestMemorySizeMB ?? '—'} MB`;
    void vscode.window.showInformationMessage(`${result.functionName}: ${best} (durations are this machine's)`, 'Open Panel').then((choice) => {
      if (choice === 'Open Panel') panel.show();
    });
  }
  return result;
}

async function askSizes(name: string): Promise<number[] | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Tune ${name}: memory sizes (MB)`,
    value: DEFAULT_TUNE_SIZES_MB.join(','),
    prompt: 'Sizes to try, separated by commas (128–10240 MB)',
    ignoreFocusOut: true,
    validateInput: (v) => (parseSizes(v) ? undefined : `Up to ${MAX_TUNE_SIZES} whole numbers from 128 to 10240, separated by commas`),
  });
  return text === undefined ? undefined : parseSizes(text);
}

async function askRuns(name: string): Promise<number | undefined> {
  const [min, max] = TUNE_RUNS_RANGE;
  const text = await vscode.window.showInputBox({
    title: `Tune ${name}: measured runs per size`,
    value: String(DEFAULT_TUNE_RUNS),
    prompt: 'Each size also gets one cold run first, reported apart',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `A whole number from ${min} to ${max}`),
  });
  return text === undefined ? undefined : Number(text);
}

export function parseSizes(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > MAX_TUNE_SIZES || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const sizes = parts.map(Number);
  return sizes.every((n) => n >= 128 && n <= 10_240) ? sizes : undefined;
}
