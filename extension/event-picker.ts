// The event picker: one QuickPick with the events the function's own triggers produce first (its route,
// its bucket, queue, topic, stream, table, schedule — derived by the host from the template), then its
// saved events and the project's other event files, then `{}` and the sample library by source.
// Enter uses an item (parameters, if any, in one input); the item buttons edit or delete a saved event,
// and turn a trigger or sample into a real file under events/<Fn>/ ("Generate", opened to edit) or save
// it under a name. The choice is remembered per function and shown in the CodeLens.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { EventFileInfo, EventTemplateInfo, EventTemplateParam, SavedEventInfo, TriggerEventInfo } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import { changedValues, formatParams, parseParams, shownParams } from './event-params';
import { type EventChoice, type FunctionTarget, keyOf } from './targets';

type Entry =
  | { kind: 'trigger'; info: TriggerEventInfo }
  | { kind: 'saved'; info: SavedEventInfo }
  | { kind: 'file'; info: EventFileInfo }
  | { kind: 'template'; info: EventTemplateInfo }
  | { kind: 'empty' };

type PickItem = vscode.QuickPickItem & { entry?: Entry };
type Action = 'use' | 'edit' | 'save' | 'delete';

const BUTTONS: Record<Exclude<Action, 'use'>, vscode.QuickInputButton> = {
  edit: { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Edit' },
  save: { iconPath: new vscode.ThemeIcon('save'), tooltip: 'Save As…' },
  delete: { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete' },
};
const GENERATE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('new-file'), tooltip: 'Generate a file under events/ and edit it' };

/** Shows the picker; resolves with the new choice (already remembered), or undefined when dismissed. */
export async function pickEvent(ctx: WorkbenchContext, target: FunctionTarget): Promise<EventChoice | undefined> {
  const [events, templates] = await Promise.all([
    ctx.host.request('events.forFunction', { function: keyOf(target), ...(target.kind === 'handler' ? { root: target.root } : {}) }),
    ctx.host.request('events.listTemplates', undefined),
  ]);
  const current = ctx.eventChoice(target);
  let items = pickItems(target, events.triggers, events.saved, events.files, templates, current);

  const picked = await new Promise<{ item: PickItem; action: Action } | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<PickItem>();
    qp.title = `Event for ${target.name}`;
    qp.placeholder = 'Enter uses the event; its buttons edit (or generate a file), save as, delete';
    qp.matchOnDescription = true;
    qp.items = items;
    const active = items.find((i) => i.picked) ?? items.find((i) => i.entry);
    if (active) qp.activeItems = [active];
    let done = false;
    const finish = (value: { item: PickItem; action: Action } | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
      qp.hide();
    };
    qp.onDidAccept(() => finish(qp.selectedItems[0]?.entry ? { item: qp.selectedItems[0], action: 'use' } : undefined));
    qp.onDidTriggerItemButton((e) => {
      const action = e.button === BUTTONS.delete ? 'delete' : e.button === BUTTONS.save ? 'save' : 'edit';
      if (action !== 'delete' || e.item.entry?.kind !== 'saved') return finish({ item: e.item, action });
      // Deleting keeps the picker open, without the deleted event.
      const saved = e.item.entry.info;
      void confirmDelete(ctx, target, saved).then((deleted) => {
        if (!deleted || done) return;
        items = items.filter((i) => i !== e.item);
        qp.items = items;
      });
    });
    qp.onDidHide(() => {
      finish(undefined);
      qp.dispose();
    });
    qp.show();
  });
  if (!picked?.item.entry) return undefined;
  return act(ctx, target, picked.item.entry, picked.action, events.saved);
}

function pickItems(
  target: FunctionTarget,
  triggers: TriggerEventInfo[],
  saved: SavedEventInfo[],
  files: EventFileInfo[],
  templates: EventTemplateInfo[],
  current: EventChoice | undefined,
): PickItem[] {
  const items: PickItem[] = [];
  const asks = (params: EventTemplateParam[]): string =>
    params.length
      ? ` · asks for ${shownParams(params)
          .map((p) => p.name)
          .join(', ')}`
      : '';
  if (triggers.length) items.push({ label: `Triggers of ${target.name}`, kind: vscode.QuickPickItemKind.Separator });
  for (const t of triggers) {
    items.push({
      label: `$(zap) ${t.label}`,
      description: `${t.description}${t.params.length && !t.description.includes('asks for') ? asks(t.params) : ''}`,
      entry: { kind: 'trigger', info: t },
      buttons: [GENERATE_BUTTON, BUTTONS.save],
      picked: current?.kind === 'trigger' && current.trigger === t.id,
    });
  }
  if (saved.length || files.length) items.push({ label: 'Saved events', kind: vscode.QuickPickItemKind.Separator });
  for (const s of saved) {
    items.push({
      label: `$(bookmark) ${s.name}`,
      description: s.error ? `invalid JSON: ${s.error}` : s.path,
      entry: { kind: 'saved', info: s },
      buttons: [BUTTONS.edit, BUTTONS.delete],
      picked: current?.kind === 'saved' && current.name === s.name,
    });
  }
  for (const f of files) {
    items.push({
      label: `$(json) ${f.name}`,
      description: f.error ? `invalid JSON: ${f.error}` : f.path,
      entry: { kind: 'file', info: f },
      buttons: [BUTTONS.edit],
      picked: current?.kind === 'file' && current.path === f.path,
    });
  }
  items.push({ label: 'Empty', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '{}', description: 'an empty JSON object', entry: { kind: 'empty' }, picked: current?.kind === 'empty' });
  const bySource = new Map<string, EventTemplateInfo[]>();
  for (const t of templates) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);
  for (const [source, list] of bySource) {
    items.push({ label: `Samples: ${source}`, kind: vscode.QuickPickItemKind.Separator });
    for (const t of list) {
      items.push({
        label: t.name,
        description: `${t.description}${asks(t.params)}`,
        entry: { kind: 'template', info: t },
        buttons: [GENERATE_BUTTON, BUTTONS.save],
        picked: current?.kind === 'template' && current.template === t.name,
      });
    }
  }
  return items;
}

async function act(ctx: WorkbenchContext, target: FunctionTarget, entry: Entry, action: Action, saved: SavedEventInfo[]): Promise<EventChoice | undefined> {
  let choice: EventChoice | undefined;
  // A file to open once the choice is remembered (so the lens already names it when the editor shows).
  let open: string | undefined;
  let generated: string | undefined;
  switch (entry.kind) {
    case 'empty':
      choice = { kind: 'empty' };
      break;
    case 'saved':
      if (action === 'edit') open = entry.info.path;
      choice = { kind: 'saved', name: entry.info.name };
      break;
    case 'file':
      if (action === 'edit') open = entry.info.path;
      choice = { kind: 'file', name: entry.info.name, path: entry.info.path };
      break;
    case 'trigger':
    case 'template': {
      const title = entry.kind === 'trigger' ? entry.info.label : entry.info.name;
      const params = entry.info.params;
      const values = await askParams(title, params);
      if (!values) return undefined;
      const generate = (): Promise<unknown> =>
        entry.kind === 'trigger'
          ? ctx.host.request('events.generateForFunction', { function: keyOf(target), trigger: entry.info.id, params: values })
          : ctx.host.request('events.generate', { template: entry.info.name, params: changedValues(params, values) });
      const suggested = entry.kind === 'trigger' ? entry.info.suggestedName : entry.info.name;
      if (action === 'use') {
        // Fail now, in the picker, for values the trigger would refuse (a key its filter does not pass).
        await generate();
        choice =
          entry.kind === 'trigger'
            ? { kind: 'trigger', trigger: entry.info.id, label: entry.info.label.replace(/ \([^)]*\)$/, ''), params: changedValues(params, values) }
            : { kind: 'template', template: entry.info.name, params: changedValues(params, values) };
      } else if (action === 'edit') {
        // Generate: a real file, saved and chosen, open to edit.
        const info = await ctx.host.request('events.save', { function: keyOf(target), name: uniqueName(suggested, saved), event: await generate() });
        open = generated = info.path;
        choice = { kind: 'saved', name: info.name };
      } else {
        const info = await saveEvent(ctx, target, await generate(), uniqueName(suggested, saved), saved);
        if (!info) return undefined;
        choice = { kind: 'saved', name: info.name };
      }
      break;
    }
  }
  await ctx.setEventChoice(target, choice);
  if (open) await openProjectFile(ctx, open);
  if (generated) void vscode.window.showInformationMessage(`Generated ${generated} for ${target.name}: edit it there; ▶ Invoke sends it.`);
  return choice;
}

/** All parameters in one input, prefilled with the defaults; undefined when dismissed. */
async function askParams(title: string, params: EventTemplateParam[]): Promise<Record<string, string> | undefined> {
  const defaults = Object.fromEntries(params.map((p) => [p.name, p.default]));
  if (params.length === 0) return defaults;
  const shown = shownParams(params);
  const advanced = params.filter((p) => !shown.includes(p));
  const text = await vscode.window.showInputBox({
    title,
    prompt:
      shown.length === 1
        ? `${shown[0]!.name}: ${shown[0]!.description}`
        : `${shown.map((p) => `${p.name} (${p.description})`).join(' · ')}${advanced.length ? ` — also: ${advanced.map((p) => p.name).join(', ')}` : ''}`,
    value: formatParams(params),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const parsed = parseParams(params, v);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseParams(params, text);
  return parsed.ok ? parsed.values : undefined;
}

function uniqueName(base: string, saved: SavedEventInfo[]): string {
  const taken = new Set(saved.map((s) => s.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

async function confirmDelete(ctx: WorkbenchContext, target: FunctionTarget, saved: SavedEventInfo): Promise<boolean> {
  const answer = await vscode.window.showWarningMessage(
    `Delete the saved event "${saved.name}" of ${target.name}?`,
    { modal: true, detail: saved.path },
    'Delete',
  );
  if (answer !== 'Delete') return false;
  await ctx.host.request('events.delete', { function: keyOf(target), name: saved.name });
  const current = ctx.eventChoice(target);
  if (current?.kind === 'saved' && current.name === saved.name) await ctx.setEventChoice(target, { kind: 'empty' });
  return true;
}

/** Asks for a name and saves the event with the function's events; confirms with where it went. */
export async function saveEvent(
  ctx: WorkbenchContext,
  target: FunctionTarget,
  event: unknown,
  suggestedName: string,
  existing?: SavedEventInfo[],
): Promise<SavedEventInfo | undefined> {
  const taken = new Set((existing ?? (await ctx.host.request('events.listSaved', { function: keyOf(target) }))).map((s) => s.name));
  const name = await vscode.window.showInputBox({
    title: `Save event for ${target.name}`,
    prompt: `Saved as events/${keyOf(target)}/<name>.json`,
    value: suggestedName,
    ignoreFocusOut: true,
    validateInput: (v) =>
      !/^[\w.-]+$/.test(v) || v.startsWith('.')
        ? 'Letters, digits, dot, dash and underscore only'
        : taken.has(v.replace(/\.json$/i, ''))
          ? { message: `Replaces the saved event "${v}"`, severity: vscode.InputBoxValidationSeverity.Warning }
          : undefined,
  });
  if (!name) return undefined;
  const info = await ctx.host.request('events.save', { function: keyOf(target), name, event });
  void vscode.window.showInformationMessage(`Saved event "${info.name}" for ${target.name} (${info.path}).`);
  return info;
}

export async function openProjectFile(ctx: WorkbenchContext, path: string): Promise<vscode.TextEditor> {
  const abs = isAbsolute(path) ? path : join(ctx.root, path);
  return vscode.window.showTextDocument(vscode.Uri.file(abs), { preview: false });
}
