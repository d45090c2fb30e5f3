// Which function a command is about: the argument it was given (CodeLens, tree item, test, debug
// config), else a QuickPick of the host's functions with the active file's functions first.
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import { modulePathIn, splitHandler } from '../handler-discovery';
import { type FunctionTarget, isFunctionTarget, targetOf } from '../targets';

/** Targets from every caller shape: a FunctionTarget, a functions-view node `{target}`, or a function name. */
export function targetFromArgument(arg: unknown): FunctionTarget | undefined {
  if (isFunctionTarget(arg)) return arg;
  if (arg && typeof arg === 'object' && isFunctionTarget((arg as { target?: unknown }).target)) return (arg as { target: FunctionTarget }).target;
  if (typeof arg === 'string' && arg) return { kind: 'function', name: arg };
  return undefined;
}

export async function chooseFunction(ctx: WorkbenchContext, arg: unknown, title: string): Promise<FunctionTarget | undefined> {
  const given = targetFromArgument(arg);
  if (given) return given;
  const functions = await ctx.functions();
  if (functions.length === 0) {
    void vscode.window.showInformationMessage('Lambda Workbench found no functions: add a template.yaml, or open a handler file and use its CodeLens.');
    return undefined;
  }
  const activeFile = vscode.window.activeTextEditor?.document.uri.fsPath;
  const inActiveFile = (handler: string, codeUri: string): boolean => {
    if (!activeFile) return false;
    const m = modulePathIn(codeUri, activeFile);
    return m !== undefined && splitHandler(handler)?.modulePath === m;
  };
  const items = functions
    .map((fn) => ({
      label: fn.name,
      description: `${fn.handler} · ${fn.runtime}${inActiveFile(fn.handler, fn.codeUri) ? ' · current file' : ''}`,
      detail: fn.supported ? undefined : fn.unsupportedReason,
      fn,
      current: inActiveFile(fn.handler, fn.codeUri),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Function to use', matchOnDescription: true });
  return picked ? targetOf(picked.fn) : undefined;
}
