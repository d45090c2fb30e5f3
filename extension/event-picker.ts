// The sample-event QuickPick: the function's saved events first, then the host's template library
// grouped by source. A template asks for its parameters (defaults filled in) and offers to save the
// result; "Edit…" opens the JSON. The choice is remembered per function and shown in the CodeLens.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { EventTemplateInfo, SavedEventInfo } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import { type EventChoice, type FunctionTarget, keyOf } from './targets';

type PickItem = vscode.QuickPickItem & { choice?: EventChoice; saved?: SavedEventInfo; template?: EventTemplateInfo };

const EDIT_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Edit…' };

/** Shows the picker; resolves with the new choice (already remembered), or undefined when dismissed. */
export async function pickEvent(ctx: WorkbenchContext, target: FunctionTarget): Promise<EventChoice | undefined> {
  const [saved, templates] = await Promise.all([
    ctx.host.request('events.listSaved', { function: keyOf(target) }),
    ctx.host.request('events.listTemplates', undefined),
  ]);
  const current = ctx.eventChoice(target);
  const items: PickItem[] = [];
  if (saved.length) items.push({ label: `Saved for ${target.name}`, kind: vscode.QuickPickItemKind.Separator });
  for (const s of saved) {
    items.push({
      label: `$(bookmark) ${s.name}`,
      description: s.error ? `invalid JSON: ${s.error}` : s.path,
      choice: { kind: 'saved', name: s.name },
      saved: s,
      buttons: [EDIT_BUTTON],
      picked: current?.kind === 'saved' && current.name === s.name,
    });
  }
  items.push({ label: 'Empty', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '{}', description: 'an empty JSON object', choice: { kind: 'empty' } });
  const bySource = new Map<string, EventTemplateInfo[]>();
  for (const t of templates) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);
  for (const [source, list] of bySource) {
    items.push({ label: source, kind: vscode.QuickPickItemKind.Separator });
    for (const t of list) {
      items.push({ label: t.name, description: t.description, template: t, buttons: [EDIT_BUTTON] });
    }
  }

  const picked = await new Promise<{ item: PickItem; edit: boolean } | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<PickItem>();
    qp.title = `Event for ${target.name}`;
    qp.placeholder = 'Saved events first, then sample events by source';
    qp.matchOnDescription = true;
    qp.items = items;
    const active = items.find((i) => i.picked);
    if (active) qp.activeItems = [active];
    let done = false;
    const finish = (value: { item: PickItem; edit: boolean } | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
      qp.hide();
    };
    qp.onDidAccept(() => finish(qp.selectedItems[0] ? { item: qp.selectedItems[0], edit: false } : undefined));
    qp.onDidTriggerItemButton((e) => finish({ item: e.item, edit: true }));
    qp.onDidHide(() => {
      finish(undefined);
      qp.dispose();
    });
    qp.show();
  });
  if (!picked) return undefined;
  const { item, edit } = picked;

  if (item.saved) {
    if (edit) await openJson(ctx, item.saved.path);
    const choice: EventChoice = { kind: 'saved', name: item.saved.name };
    await ctx.setEventChoice(target, choice);
    return choice;
  }
  if (item.template) {
    const params = await askParams(item.template);
    if (!params) return undefined;
    const event = await ctx.host.request('events.generate', { template: item.template.name, params });
    if (edit) {
      await showUntitledJson(event);
      const choice: EventChoice = { kind: 'template', template: item.template.name, params };
      await ctx.setEventChoice(target, choice);
      return choice;
    }
    const save = await vscode.window.showQuickPick(
      [
        { label: 'Use once', description: 'remember the template and its parameters', save: false },
        { label: 'Save as…', description: `save it with ${target.name}'s events`, save: true },
      ],
      { title: `${item.template.name}: save this event?` },
    );
    if (!save) return undefined;
    if (save.save) {
      const info = await saveEvent(ctx, target, event, item.template.name);
      if (!info) return undefined;
      const choice: EventChoice = { kind: 'saved', name: info.name };
      await ctx.setEventChoice(target, choice);
      return choice;
    }
    const choice: EventChoice = { kind: 'template', template: item.template.name, params };
    await ctx.setEventChoice(target, choice);
    return choice;
  }
  const choice = item.choice ?? { kind: 'empty' };
  await ctx.setEventChoice(target, choice);
  return choice;
}

/**
 * The template's parameters as a list with their values (defaults first): pick one to change it,
 * or accept them all. Resolves undefined when dismissed.
 */
async function askParams(template: EventTemplateInfo): Promise<Record<string, string> | undefined> {
  const params: Record<string, string> = Object.fromEntries(template.params.map((p) => [p.name, p.default]));
  if (template.params.length === 0) return params;
  type ParamItem = vscode.QuickPickItem & { param?: string };
  for (;;) {
    const items: ParamItem[] = [
      { label: '$(check) Generate with these values', description: template.name },
      { label: 'Parameters', kind: vscode.QuickPickItemKind.Separator },
      ...template.params.map((p) => ({ label: `${p.name} = ${params[p.name]}`, description: p.description, param: p.name })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `${template.name}: parameters`,
      placeHolder: 'Pick a parameter to change it, or generate the event',
    });
    if (!picked) return undefined;
    if (!picked.param) return params;
    const p = template.params.find((x) => x.name === picked.param)!;
    const value = await vscode.window.showInputBox({
      title: `${template.name}: ${p.name}`,
      prompt: p.description,
      value: params[p.name],
      ignoreFocusOut: true,
    });
    if (value !== undefined) params[p.name] = value;
  }
}

/** Asks for a name and saves the event with the function's events; returns what the host saved. */
export async function saveEvent(ctx: WorkbenchContext, target: FunctionTarget, event: unknown, suggestedName: string): Promise<SavedEventInfo | undefined> {
  const name = await vscode.window.showInputBox({
    title: `Save event for ${target.name}`,
    prompt: 'Name of the saved event',
    value: suggestedName,
    ignoreFocusOut: true,
    validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, dot, dash and underscore only'),
  });
  if (!name) return undefined;
  const info = await ctx.host.request('events.save', { function: keyOf(target), name, event });
  void vscode.window.showInformationMessage(`Saved event "${info.name}" for ${target.name} (${info.path}).`);
  return info;
}

async function openJson(ctx: WorkbenchContext, path: string): Promise<void> {
  const abs = isAbsolute(path) ? path : join(ctx.root, path);
  await vscode.window.showTextDocument(vscode.Uri.file(abs), { preview: false });
}

async function showUntitledJson(value: unknown): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: `${JSON.stringify(value, null, 2)}\n` });
  await vscode.window.showTextDocument(doc, { preview: false });
}
