// The one typed view of the `lambdaWorkbench.*` settings. Everything else reads settings through here,
// so a renamed key is a compile error, and listeners hear about changes through one event.
import * as vscode from 'vscode';
import type { BillingRule } from '../runtime-host/protocol';

export const SECTION = 'lambdaWorkbench';

/** Settings whose change needs a host restart (they become `serve` flags or its environment). */
const HOST_KEYS = [
  'nodePath',
  'pythonPath',
  'templatePath',
  'envFile',
  'region',
  'billingRule',
  'idleReapSeconds',
  'httpApiPort',
  'debug.wallClockTimeout',
  'schedules.enabled',
] as const;

const ALL_KEYS = [...HOST_KEYS, 'defaultMemorySizeMB', 'defaultTimeoutSeconds', 'codeLens.enabled'] as const;

export class Config {
  private readonly changed = new vscode.EventEmitter<{ hostAffected: boolean; keys: string[] }>();
  /** Fires after any `lambdaWorkbench.*` setting changed; `hostAffected` when the host must restart to see it. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const keys = ALL_KEYS.filter((k) => e.affectsConfiguration(`${SECTION}.${k}`));
      this.changed.fire({ hostAffected: keys.some((k) => (HOST_KEYS as readonly string[]).includes(k)), keys });
    });
  }

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** Node used to run the host; empty means `node` on PATH. */
  get nodePath(): string {
    return this.cfg.get<string>('nodePath', '').trim();
  }
  get pythonPath(): string {
    return this.cfg.get<string>('pythonPath', '').trim();
  }
  get defaultMemorySizeMB(): number {
    return this.cfg.get<number>('defaultMemorySizeMB', 128);
  }
  get defaultTimeoutSeconds(): number {
    return this.cfg.get<number>('defaultTimeoutSeconds', 3);
  }
  get region(): string {
    return this.cfg.get<string>('region', 'us-east-1');
  }
  /** True when the user set the region (anywhere); otherwise AWS_REGION from the environment is kept. */
  get regionSetExplicitly(): boolean {
    const i = this.cfg.inspect<string>('region');
    return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  }
  /** false: the template's schedules fire only when fired by hand (`serve --schedules off`). */
  get schedulesEnabled(): boolean {
    return this.cfg.get<boolean>('schedules.enabled', true);
  }
  get billingRule(): BillingRule {
    return this.cfg.get<BillingRule>('billingRule', 'per-ms-with-init');
  }
  /** Template path relative to the workspace folder; empty means template.yaml / template.yml at its root. */
  get templatePath(): string {
    return this.cfg.get<string>('templatePath', '').trim();
  }
  get envFile(): string {
    return this.cfg.get<string>('envFile', '').trim();
  }
  get idleReapSeconds(): number {
    return this.cfg.get<number>('idleReapSeconds', 300);
  }
  /** 0 means any free port. */
  get httpApiPort(): number {
    return this.cfg.get<number>('httpApiPort', 3000);
  }
  get codeLensEnabled(): boolean {
    return this.cfg.get<boolean>('codeLens.enabled', true);
  }
  /** When true the timeout clock keeps running while the debugger has the function paused (Lambda's real behaviour). */
  get wallClockTimeoutWhileDebugging(): boolean {
    return this.cfg.get<boolean>('debug.wallClockTimeout', false);
  }

  async setNodePath(path: string): Promise<void> {
    await this.cfg.update('nodePath', path, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
