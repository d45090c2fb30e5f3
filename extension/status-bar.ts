// Host state and the last invocation's outcome with its billed duration; a click opens the panel
// on that invocation.
import * as vscode from 'vscode';
import type { InvocationRecord } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import type { HostState } from './host/supervisor';

const STATUS_ICON: Record<InvocationRecord['status'], string> = {
  queued: '$(clock)',
  running: '$(loading~spin)',
  success: '$(pass)',
  error: '$(error)',
  timeout: '$(watch)',
  outOfMemory: '$(flame)',
  throttled: '$(circle-slash)',
  interrupted: '$(debug-disconnect)',
};

export class WorkbenchStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: WorkbenchContext) {
    this.item = vscode.window.createStatusBarItem('lambdaWorkbench.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Lambda Workbench';
    this.subscriptions = [ctx.host.onDidChangeState(() => this.render()), ctx.onDidFinishInvocation(() => this.render())];
    this.render();
    this.item.show();
  }

  /** The text shown, e.g. `$(zap) Lambda $(pass) HelloJs 12 ms billed`. */
  render(): void {
    const state = this.ctx.host.state;
    const last = this.ctx.lastRecord;
    const host = hostText(state);
    const outcome = last
      ? ` ${STATUS_ICON[last.status]} ${last.functionName}${last.billedDurationMs !== undefined ? ` ${last.billedDurationMs} ms billed` : ` ${last.status}`}`
      : '';
    this.item.text = `${host}${outcome}`;
    this.item.tooltip = tooltip(state, last);
    this.item.backgroundColor = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = { title: 'Open Invocations Panel', command: 'lambdaWorkbench.openPanel', arguments: [last ? { select: last.id } : {}] };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

function hostText(state: HostState): string {
  switch (state.kind) {
    case 'stopped':
      return '$(zap) Lambda';
    case 'starting':
      return '$(sync~spin) Lambda';
    case 'ready':
      return '$(zap) Lambda';
    case 'error':
      return '$(warning) Lambda';
  }
}

function tooltip(state: HostState, last: InvocationRecord | undefined): string {
  const lines: string[] = [];
  switch (state.kind) {
    case 'stopped':
      lines.push('Runtime host: not started (starts on first use)');
      break;
    case 'starting':
      lines.push('Runtime host: starting…');
      break;
    case 'ready':
      lines.push('Runtime host: ready');
      break;
    case 'error':
      lines.push(`Runtime host: ${state.message}${state.restartInMs ? ` — restarting in ${Math.round(state.restartInMs / 1000)} s` : ''}`);
      break;
  }
  if (last) {
    lines.push(`Last invocation: ${last.functionName} — ${last.status}${last.cold ? ' (cold)' : ''}`);
    if (last.durationMs !== undefined) lines.push(`Duration ${last.durationMs.toFixed(2)} ms, billed ${last.billedDurationMs ?? '?'} ms`);
  }
  lines.push('Click to open the invocations panel');
  return lines.join('\n');
}
