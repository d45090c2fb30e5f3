// New Function…: runtime, name, trigger → the handler file, the template resources (template.yaml made
// when there is none) and a sample event under events/<Name>/; the handler opens with its lens (a static
// read of the new template), and the sample event becomes the one its ▶ Invoke sends.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { type AuthoringRuntime, type AuthoringTrigger, checkFunctionName, planNewFunction, RUNTIMES, TRIGGERS } from '../authoring/new-function';
import { hasAwsLambdaTypes } from '../authoring/project-types';
import type { WorkbenchContext } from '../context';
import { findTemplate } from '../template-read';

/** Answers given up front (tests, other commands) skip their question. */
export interface NewFunctionArgs {
  runtime?: AuthoringRuntime;
  name?: string;
  trigger?: AuthoringTrigger;
}

export interface NewFunctionResult {
  name: string;
  /** Absolute paths. */
  handlerPath: string;
  templatePath: string;
  templateCreated: boolean;
  /** Workspace-relative path of the sample event (undefined when the host could not save it). */
  eventPath?: string;
}

export async function newFunction(ctx: WorkbenchContext, arg?: unknown): Promise<NewFunctionResult | undefined> {
  const given = (arg && typeof arg === 'object' ? arg : {}) as NewFunctionArgs;
  const existing = findTemplate(ctx.root, ctx.config.templatePath);
  const templateRel = existing ? relative(ctx.root, existing) : ctx.config.templatePath || 'template.yaml';
  const templateAbs = isAbsolute(templateRel) ? templateRel : join(ctx.root, templateRel);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === templateAbs);
  if (open?.isDirty) {
    void vscode.window.showWarningMessage(`Save ${basename(templateAbs)} first: New Function adds the function to it.`);
    return undefined;
  }
  const templateText = existing ? readFileSync(existing, 'utf8') : undefined;
  // Start the host now: it saves the sample event at the end, and the first invoke follows.
  ctx.startHostInBackground();

  const runtime =
    given.runtime ??
    (
      await vscode.window.showQuickPick(
        RUNTIMES.map((r) => ({ label: r.label, description: r.description, id: r.id })),
        { title: 'New Function (1/3): runtime', ignoreFocusOut: true },
      )
    )?.id;
  if (!runtime) return undefined;
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'New Function (2/3): name',
      prompt: `The template logical id; the code goes to src/<name>/`,
      placeHolder: 'OrdersApi',
      ignoreFocusOut: true,
      validateInput: (v) => checkFunctionName(v, templateText),
    }));
  if (!name) return undefined;
  const trigger =
    given.trigger ??
    (
      await vscode.window.showQuickPick(
        TRIGGERS.map((t) => ({ label: t.label, description: t.description.replace('<name>', name.toLowerCase()), id: t.id })),
        { title: `New Function (3/3): what invokes ${name}?`, ignoreFocusOut: true },
      )
    )?.id;
  if (!trigger) return undefined;

  const plan = planNewFunction(basename(ctx.root), existing && templateText !== undefined ? { path: templateRel, text: templateText } : undefined, {
    name,
    runtime,
    trigger,
    awsLambdaTypes: runtime === 'typescript' && hasAwsLambdaTypes(ctx.root, ctx.root),
  });
  const handlerAbs = join(ctx.root, plan.handlerPath);
  if (existsSync(handlerAbs)) throw new Error(`${plan.handlerPath} already exists: choose another name`);
  mkdirSync(dirname(handlerAbs), { recursive: true });
  writeFileSync(handlerAbs, plan.handlerText);
  mkdirSync(dirname(templateAbs), { recursive: true });
  writeFileSync(templateAbs, plan.templateText);

  const editor = await vscode.window.showTextDocument(vscode.Uri.file(handlerAbs), { preview: false });
  const at = new vscode.Position(plan.handlerLine, 0);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at));

  const result: NewFunctionResult = { name, handlerPath: handlerAbs, templatePath: templateAbs, templateCreated: plan.templateCreated };
  try {
    const sample = plan.sampleEvent;
    const event = sample.template ? await ctx.host.request('events.generate', { template: sample.template, params: sample.params }) : sample.literal;
    const info = await ctx.host.request('events.save', { function: name, name: sample.name, event });
    await ctx.setEventChoice({ kind: 'function', name }, { kind: 'saved', name: info.name });
    result.eventPath = info.path;
    void vscode.window.showInformationMessage(
      `${name}: ${plan.handlerPath}, added to ${templateRel}${plan.templateCreated ? ' (new)' : ''}, sample event ${info.path}.`,
    );
  } catch (err) {
    // The function is written; only its sample event is missing (the host is not available).
    ctx.log.warn(`New Function: the sample event for ${name} was not saved: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showWarningMessage(`${name} is written; its sample event could not be saved (${err instanceof Error ? err.message : String(err)}).`);
  }
  return result;
}
