// Choose Event for Function…, Save Event As…
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import { type EventChoice } from '../targets';
import { openProjectFile, pickEvent, saveEvent } from '../event-picker';
import { chooseFunction } from './pick-function';

export async function pickSampleEvent(ctx: WorkbenchContext, arg?: unknown): Promise<EventChoice | undefined> {
  const target = await chooseFunction(ctx, arg, 'Choose Event for Function');
  return target ? pickEvent(ctx, target) : undefined;
}

/**
 * Saves the JSON in the active editor (an edited event), else the function's current event, and makes
 * it the function's event. An untitled editor it came from is closed without a "save?" prompt: the event
 * now lives in its file, which opens in its place.
 */
export async function saveEventAs(ctx: WorkbenchContext, arg?: unknown): Promise<string | undefined> {
  const target = await chooseFunction(ctx, arg, 'Save Event As');
  if (!target) return undefined;
  let event: unknown;
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document.languageId === 'json' ? editor.document : undefined;
  if (doc) {
    try {
      event = JSON.parse(doc.getText());
    } catch (err) {
      void vscode.window.showErrorMessage(`The active editor is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  } else {
    event = await ctx.resolveEvent(target);
  }
  const suggested = doc && !doc.isUntitled ? (doc.uri.path.split('/').pop() ?? 'event').replace(/\.json$/i, '') : 'event';
  const info = await saveEvent(ctx, target, event, suggested);
  if (!info) return undefined;
  await ctx.setEventChoice(target, { kind: 'saved', name: info.name });
  if (doc?.isUntitled) {
    await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await openProjectFile(ctx, info.path);
  }
  return info.name;
}
