// Helpers shared by the suites that run inside the real VS Code extension host.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../../../extension/main';
import type { InvocationRecord } from '../../../runtime-host/protocol';
import { waitUntil } from '../../helpers/wait';

export const EXTENSION_ID = 'lambda-workbench.lambda-workbench';

/** The extension's exports (activating it if the workspace did not already). */
export async function workbenchApi(): Promise<WorkbenchApi> {
  const ext = vscode.extensions.getExtension<WorkbenchApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api) throw new Error('the extension activated without a workspace folder');
  return api;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the sample project open as the workspace folder');
  return folder.uri.fsPath;
}

export function projectFile(relative: string): string {
  return join(workspaceRoot(), relative);
}

/** 0-based line of the first line containing `marker`. */
export function lineOf(relative: string, marker: string): number {
  const line = readFileSync(projectFile(relative), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker));
  if (line < 0) throw new Error(`${marker} not found in ${relative}`);
  return line;
}

/** Polls until `check` returns a value other than undefined/false (errors count as not yet); fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  let found: { value: T } | undefined;
  let lastError: unknown;
  const holds = async (): Promise<boolean> => {
    try {
      const value = await check();
      if (value !== undefined && value !== false) found = { value };
    } catch (err) {
      lastError = err;
    }
    return found !== undefined;
  };
  await waitUntil(holds, timeoutMs, what, 100).catch(() => {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
  });
  return found!.value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the first finished record that matches. Subscribe before causing the invocation. */
export function nextFinished(api: WorkbenchApi, match: (r: InvocationRecord) => boolean): Promise<InvocationRecord> {
  return new Promise((resolve) => {
    const sub = api.ctx.onDidFinishInvocation((r) => {
      if (match(r)) {
        sub.dispose();
        resolve(r);
      }
    });
  });
}

/** Resolves with the first started record that matches. */
export function nextStarted(api: WorkbenchApi, match: (r: InvocationRecord) => boolean): Promise<InvocationRecord> {
  return new Promise((resolve) => {
    const sub = api.ctx.host.on('invocation.started', (r) => {
      if (match(r)) {
        sub.dispose();
        resolve(r);
      }
    });
  });
}

/**
 * A screenshot of the whole workbench as `<test output>/<name>.png`, taken by the driver outside the
 * extension host (harness `serveScreenshots`); resolves once it is written, or after 15 s when no
 * driver serves requests (the electron runner), so a suite never depends on it.
 */
export async function screenshot(name: string): Promise<void> {
  const output = process.env.LAMBDA_WORKBENCH_TEST_OUTPUT;
  if (!output) return;
  const png = join(output, `${name}.png`);
  const requests = join(output, '.screenshot-requests');
  rmSync(png, { force: true });
  mkdirSync(requests, { recursive: true });
  const request = join(requests, name);
  writeFileSync(request, '');
  await waitFor(`screenshot ${name}`, () => !existsSync(request) && existsSync(png), 15_000).catch(() => undefined);
}

export interface Stop {
  session: vscode.DebugSession;
  threadId: number;
  reason: string;
}

/** Collects the `stopped` events of every debug session, in order (js-debug reports them on the session it attached). */
export class StopWatcher implements vscode.Disposable {
  readonly stops: Stop[] = [];
  private readonly registration: vscode.Disposable;
  /** `timeoutMs`: how long `next` waits (a Go build and Delve's start take longer than a Node attach). */
  constructor(private readonly timeoutMs = 90_000) {
    this.registration = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
          if (m.type === 'event' && m.event === 'stopped') this.stops.push({ session, threadId: m.body?.threadId ?? 0, reason: m.body?.reason ?? '' });
        },
      }),
    });
  }
  next(count: number): Promise<Stop> {
    return waitFor(`debugger stop #${count}`, () => this.stops[count - 1], this.timeoutMs);
  }
  dispose(): void {
    this.registration.dispose();
  }
}
