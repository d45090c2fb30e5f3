// Choose Event for Function…, Save Event As…
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import { type EventChoice } from '../targets';
import { pickEvent, saveEvent } from '../event-picker';
import { chooseFunction } from './pick-function';

export async function pickSampleEvent(ctx: WorkbenchContext, arg?: unknown): Promise<EventChoice | undefined> {
  const target = await chooseFunction(ctx, arg, 'Choose Event for Function');
  return target ? pickEvent(ctx, target) : undefined;
}

/** Saves the JSON in the active editor (an edited event), else the function's current event. */
export async function saveEventAs(ctx: WorkbenchContext, arg?: unknown): Promise<string | undefined> {
  const target = await chooseFunction(ctx, arg, 'Save Event As');
  if (!target) return undefined;
  let event: unknown;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId === 'json') {
    try {
      event = JSON.parse(doc.getText());
    } catch (err) {
      void vscode.window.showErrorMessage(`The active editor is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  } else {
    event = await ctx.resolveEvent(target);
  }
  const info = await saveEvent(ctx, target, event, 'event');
  if (!info) return undefined;
  await ctx.setEventChoice(target, { kind: 'saved', name: info.name });
  return info.name;
}
