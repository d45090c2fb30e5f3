// Invoke Function (Last Event), Invoke with Event…, Debug Function (Last Event): pick a function (unless given), take the
// remembered event (or pick one), run it on the host, report the outcome.
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../runtime-host/protocol';
import type { WorkbenchContext } from '../context';
import type { DebugLauncher } from '../debug/launcher';
import { pickEvent } from '../event-picker';
import type { FunctionTarget } from '../targets';
import { chooseFunction } from './pick-function';

/** Extra arguments tests and the panel pass: an explicit event skips the remembered one. */
export interface InvokeOptions {
  event?: unknown;
  /** Do not show the outcome as a notification (tests, bulk runs). */
  quiet?: boolean;
}

export async function invokeFunction(ctx: WorkbenchContext, arg?: unknown, options: InvokeOptions = {}): Promise<InvokeOutput | undefined> {
  const target = await chooseFunction(ctx, arg, 'Invoke Function');
  if (!target) return undefined;
  if ('event' in options) return run(ctx, target, options.event, options.quiet === true);
  // The first invoke of a function asks for its event; later ones reuse the remembered choice.
  const choice = ctx.eventChoice(target) ?? (await pickEvent(ctx, target));
  if (!choice) return undefined;
  return run(ctx, target, await ctx.resolveEvent(target, choice), options.quiet === true);
}

export async function invokeWithEvent(ctx: WorkbenchContext, arg?: unknown): Promise<InvokeOutput | undefined> {
  const target = await chooseFunction(ctx, arg, 'Invoke with Event');
  if (!target) return undefined;
  const choice = await pickEvent(ctx, target);
  if (!choice) return undefined;
  return run(ctx, target, await ctx.resolveEvent(target, choice), false);
}

export async function debugFunction(ctx: WorkbenchContext, debug: DebugLauncher, arg?: unknown, options: InvokeOptions = {}): Promise<boolean> {
  const target = await chooseFunction(ctx, arg, 'Debug Function');
  if (!target) return false;
  if ('event' in options) return debug.start(target, options.event);
  const choice = ctx.eventChoice(target) ?? (await pickEvent(ctx, target));
  if (!choice) return false;
  return debug.start(target, await ctx.resolveEvent(target, choice));
}

async function run(ctx: WorkbenchContext, target: FunctionTarget, event: unknown, quiet: boolean): Promise<InvokeOutput> {
  const output = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Invoking ${target.name}…` }, () =>
    ctx.invoke(target, event),
  );
  // The outcome shows at the end of the handler's line when an editor shows it; otherwise as a notification.
  if (!quiet && !ctx.handlerVisible(target.name)) showOutcome(output);
  return output;
}

function showOutcome(output: InvokeOutput): void {
  const r = output.report;
  const numbers = `${r.durationMs.toFixed(2)} ms, billed ${r.billedDurationMs} ms, ${r.maxMemoryUsedMB}/${r.memorySizeMB} MB${output.cold ? ', cold' : ''}`;
  const open = (choice: string | undefined): void => {
    if (choice === 'Open Panel') void vscode.commands.executeCommand('lambdaWorkbench.openPanel', { select: output.requestId });
    if (choice === 'Show Result') void vscode.commands.executeCommand('lambdaWorkbench.showResult', output.requestId);
  };
  if (output.error) {
    void vscode.window
      .showWarningMessage(
        `${output.functionName}: ${r.status} — ${output.error.errorType}: ${output.error.errorMessage} (${numbers})`,
        'Show Result',
        'Open Panel',
      )
      .then(open);
  } else {
    void vscode.window.showInformationMessage(`${output.functionName}: ${r.status} (${numbers})`, 'Show Result', 'Open Panel').then(open);
  }
}
