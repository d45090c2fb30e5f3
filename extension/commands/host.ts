// Restart Host, Set Memory and Timeout…, Set Node.js Path… / Set Python Path…, open the panel.
import * as vscode from 'vscode';
import type { WorkbenchContext } from '../context';
import type { InvocationsPanel } from '../panel';
import { chooseFunction } from './pick-function';

export async function restartHost(ctx: WorkbenchContext): Promise<boolean> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the Lambda Workbench host…' }, () => ctx.host.restart());
  await ctx.refreshFunctions();
  return true;
}

export async function setNodePath(ctx: WorkbenchContext): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title: 'Node.js binary for Lambda Workbench', canSelectMany: false, openLabel: 'Use this node' });
  const path = picked?.[0]?.fsPath;
  if (!path) return undefined;
  await ctx.config.setNodePath(path);
  return path;
}

/** Writes `lambdaWorkbench.pythonPath` (user settings); a path given as the argument skips the dialog. */
export async function setPythonPath(ctx: WorkbenchContext, arg?: unknown): Promise<string | undefined> {
  let path = typeof arg === 'string' && arg ? arg : undefined;
  if (!path) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Python interpreter for Lambda Workbench',
      canSelectMany: false,
      openLabel: 'Use this python',
    });
    path = picked?.[0]?.fsPath;
  }
  if (!path) return undefined;
  await ctx.config.setPythonPath(path);
  return path;
}

const MEMORY_CHOICES_MB = [128, 256, 512, 1024, 1536, 2048, 3008, 4096, 10240];

export async function setMemoryAndTimeout(ctx: WorkbenchContext, arg?: unknown, values?: { memorySizeMB?: number; timeoutSeconds?: number }): Promise<boolean> {
  const target = await chooseFunction(ctx, arg, 'Set Memory and Timeout');
  if (!target) return false;
  if (values) {
    await ctx.setOverrides(target, values);
    return true;
  }
  const fn = await ctx.functionInfo(target);
  const current = { ...{ memorySizeMB: fn?.memorySizeMB, timeoutSeconds: fn?.timeoutSeconds }, ...ctx.overrides(target) };
  const memory = await vscode.window.showQuickPick(
    [
      { label: 'From the template', description: fn ? `${fn.memorySizeMB} MB` : '', value: undefined as number | undefined },
      ...MEMORY_CHOICES_MB.map((mb) => ({ label: `${mb} MB`, description: mb === current.memorySizeMB ? 'current' : '', value: mb as number | undefined })),
    ],
    { title: `Memory for ${target.name}` },
  );
  if (!memory) return false;
  const timeoutText = await vscode.window.showInputBox({
    title: `Timeout for ${target.name} (seconds, 1–900; empty = from the template)`,
    value: current.timeoutSeconds !== undefined ? String(current.timeoutSeconds) : '',
    ignoreFocusOut: true,
    validateInput: (v) => (v === '' || /^\d+$/.test(v) ? undefined : 'A whole number of seconds'),
  });
  if (timeoutText === undefined) return false;
  await ctx.setOverrides(target, { memorySizeMB: memory.value, timeoutSeconds: timeoutText ? Number(timeoutText) : undefined });
  return true;
}

export function openPanel(panel: InvocationsPanel, arg?: unknown): boolean {
  const select = arg && typeof arg === 'object' && typeof (arg as { select?: unknown }).select === 'string' ? (arg as { select: string }).select : undefined;
  panel.show(select);
  return true;
}
