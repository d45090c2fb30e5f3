// The one typed view of the `lambdaWorkbench.*` settings. Everything else reads settings through here,
// so a renamed key is a compile error, and listeners hear about changes through one event.
import * as vscode from 'vscode';
import type { BillingRule } from '../runtime-host/protocol';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../runtime-host/protocol/limits';
import type { HostSettings } from '../runtime-host/protocol/settings';

export const SECTION = 'lambdaWorkbench';

/** Settings whose change needs a host restart (they become `serve` flags or its environment). */
const HOST_KEYS = [
  'nodePath',
  'pythonPath',
  'javaHome',
  'templatePath',
  'envFile',
  'region',
  'billingRule',
  'idleReapSeconds',
  'httpApiPort',
  'debug.wallClockTimeout',
  'awsProfile',
  'allowedHosts',
  'localServices',
  'maxHistoryMB',
  'memoryBudgetMB',
  'accountConcurrency',
  'sandbox',
  'durable.skipWaits',
] as const;

// `schedules.enabled` reaches a running host without a restart (schedule.pause); it is a `serve` flag at start.
const ALL_KEYS = [...HOST_KEYS, 'defaultMemorySizeMB', 'defaultTimeoutSeconds', 'codeLens.enabled', 'schedules.enabled'] as const;

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
  /** The JDK for Java functions; empty means JAVA_HOME, then the JDK whose javac is on PATH. */
  get javaHome(): string {
    return this.cfg.get<string>('javaHome', '').trim();
  }
  get defaultMemorySizeMB(): number {
    return this.cfg.get<number>('defaultMemorySizeMB', DEFAULT_MEMORY_MB);
  }
  get defaultTimeoutSeconds(): number {
    return this.cfg.get<number>('defaultTimeoutSeconds', DEFAULT_TIMEOUT_SECONDS);
  }
  get region(): string {
    return this.cfg.get<string>('region', 'us-east-1');
  }
  /** True when the user set the region (anywhere); otherwise AWS_REGION from the environment is kept. */
  get regionSetExplicitly(): boolean {
    const i = this.cfg.inspect<string>('region');
    return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  }
  /** `auto`: a cgroup per environment where the host may manage cgroups, else the process fallback. */
  get sandbox(): 'auto' | 'cgroup' | 'process' {
    return this.cfg.get<'auto' | 'cgroup' | 'process'>('sandbox', 'auto');
  }

  /** Durable executions: waits and step retry delays complete at once (`serve --skip-waits`). */
  get durableSkipWaits(): boolean {
    return this.cfg.get<boolean>('durable.skipWaits', false);
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
  /** Empty: functions get placeholder credentials. */
  get awsProfile(): string {
    return this.cfg.get<string>('awsProfile', '').trim();
  }
  get allowedHosts(): string[] {
    return this.cfg.get<string[]>('allowedHosts', []).filter((h) => typeof h === 'string' && h.trim() !== '');
  }
  get localServices(): string[] {
    return this.cfg.get<string[]>('localServices', []).filter((s) => typeof s === 'string' && s.trim() !== '');
  }
  get idleReapSeconds(): number {
    return this.cfg.get<number>('idleReapSeconds', 300);
  }
  /** 0 means any free port. */
  get httpApiPort(): number {
    return this.cfg.get<number>('httpApiPort', 3000);
  }
  /** MB of invocation history kept (oldest dropped first). */
  get maxHistoryMB(): number {
    return this.cfg.get<number>('maxHistoryMB', 256);
  }
  /** Memory sizes of live environments add up to at most this; 0 means half the machine's memory. */
  get memoryBudgetMB(): number {
    return this.cfg.get<number>('memoryBudgetMB', 0);
  }
  /** Lambda's account concurrency limit: invocations in flight beyond it are throttled. */
  get accountConcurrency(): number {
    return this.cfg.get<number>('accountConcurrency', 1000);
  }
  get codeLensEnabled(): boolean {
    return this.cfg.get<boolean>('codeLens.enabled', true);
  }
  /** When true the timeout clock keeps running while the debugger has the function paused (Lambda's real behaviour). */
  get wallClockTimeoutWhileDebugging(): boolean {
    return this.cfg.get<boolean>('debug.wallClockTimeout', false);
  }

  /** The settings the host reads from its environment (protocol/settings.ts carries them). */
  hostSettings(): HostSettings {
    return {
      billingRule: this.billingRule,
      idleReapMs: this.idleReapSeconds * 1000,
      wallClockTimeoutWhileDebugging: this.wallClockTimeoutWhileDebugging,
      defaultMemoryMB: this.defaultMemorySizeMB,
      defaultTimeoutSeconds: this.defaultTimeoutSeconds,
      ...(this.pythonPath ? { pythonPath: this.pythonPath } : {}),
      ...(this.javaHome ? { javaHome: this.javaHome } : {}),
      ...(this.awsProfile ? { awsProfile: this.awsProfile } : {}),
      ...(this.allowedHosts.length ? { allowedHosts: this.allowedHosts.join(',') } : {}),
      ...(this.localServices.length ? { localServices: this.localServices.join(',') } : {}),
      maxHistoryMB: this.maxHistoryMB,
      accountConcurrency: this.accountConcurrency,
      durableSkipWaits: this.durableSkipWaits,
      ...(this.memoryBudgetMB > 0 ? { memoryBudgetMB: this.memoryBudgetMB } : {}),
      // A port something else holds must not stop the host: it takes a free one (the ready line says which).
      httpPortFallback: true,
    };
  }

  async setNodePath(path: string): Promise<void> {
    await this.cfg.update('nodePath', path, vscode.ConfigurationTarget.Global);
  }

  async setPythonPath(path: string): Promise<void> {
    await this.cfg.update('pythonPath', path, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
