// The one object that owns the host connection and the extension's state; every command, provider
// and view receives it. Lambda logic stays in the host: this only caches what the host says.
import * as vscode from 'vscode';
import type { FunctionInfo, InvocationRecord, InvokeOutput, InvokeParams } from '../runtime-host/protocol';
import { Config } from './config';
import { RpcError } from '../runtime-host/protocol';
import { HostConnection, HostUnavailableError } from './host/supervisor';
import { type EventChoice, type FunctionTarget, invokeParamsOf, keyOf } from './targets';

const CHOICE_KEY = 'lambdaWorkbench.eventChoice';
const OVERRIDES_KEY = 'lambdaWorkbench.overrides';
const RECENT_PER_FUNCTION = 10;

export interface FunctionOverrides {
  memorySizeMB?: number;
  timeoutSeconds?: number;
}

export class WorkbenchContext implements vscode.Disposable {
  readonly config = new Config();
  readonly log: vscode.LogOutputChannel;
  readonly host: HostConnection;
  private readonly disposables: vscode.Disposable[] = [];
  private functionsCache: FunctionInfo[] | undefined;
  private announcedJson: string | undefined;
  private functionsLoading: Promise<FunctionInfo[]> | undefined;
  private readonly functionsChanged = new vscode.EventEmitter<FunctionInfo[]>();
  readonly onDidChangeFunctions = this.functionsChanged.event;
  private readonly choicesChanged = new vscode.EventEmitter<string>();
  /** Fires with the function's name when its remembered event or overrides change (CodeLens titles follow). */
  readonly onDidChangeChoice = this.choicesChanged.event;
  private readonly recordsChanged = new vscode.EventEmitter<InvocationRecord>();
  /** Every record the host finished (and interrupted ones the extension saw fail with the host). */
  readonly onDidFinishInvocation = this.recordsChanged.event;
  /** Newest first, per function: for the functions view and the status bar. */
  private readonly recent = new Map<string, InvocationRecord[]>();
  lastRecord: InvocationRecord | undefined;
  private readonly loggedLive = new Set<string>();

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly root: string,
  ) {
    this.log = vscode.window.createOutputChannel('Lambda Workbench', { log: true });
    if (process.env.LAMBDA_WORKBENCH_LOG_TO_CONSOLE === '1') mirrorToConsole(this.log);
    this.host = new HostConnection({ extensionPath: extension.extensionPath, root, config: this.config, log: this.log });
    this.disposables.push(
      this.config,
      this.log,
      this.host,
      this.functionsChanged,
      this.choicesChanged,
      this.recordsChanged,
      this.host.on('functions.changed', ({ functions }) => this.setFunctions(functions)),
      this.host.on('invocation.log', ({ id, line }) => {
        this.loggedLive.add(id);
        this.log.appendLine(line);
      }),
      this.host.on('invocation.finished', (record) => this.onFinished(record)),
      this.host.onDidChangeState((state) => {
        // A restarted host may have a different function list (template edited while it was down).
        if (state.kind === 'ready' && this.functionsCache) void this.refreshFunctions();
      }),
      this.config.onDidChange(({ hostAffected, keys }) => {
        if (hostAffected && this.host.state.kind !== 'stopped') {
          this.log.info('settings changed; restarting the host');
          void this.host.restart().catch((err) => this.showError(err));
        } else if (keys.includes('schedules.enabled') && this.host.state.kind === 'ready') {
          void this.host.request('schedule.pause', { paused: !this.config.schedulesEnabled }).catch((err) => this.showError(err));
        }
      }),
    );
  }

  /** Functions known to the host; starts the host on first use. */
  async functions(): Promise<FunctionInfo[]> {
    if (this.functionsCache) return this.functionsCache;
    this.functionsLoading ??= this.host
      .request('listFunctions', undefined)
      .then((list) => {
        this.setFunctions(list);
        return list;
      })
      .finally(() => {
        this.functionsLoading = undefined;
      });
    return this.functionsLoading;
  }

  /** Starts the host (and its function list) without waiting; failures show in the status bar. */
  startHostInBackground(): void {
    if (this.functionsCache || this.functionsLoading || this.host.state.kind !== 'stopped') return;
    this.functions().catch((err: unknown) => this.log.debug(`host start in the background failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Cached functions without starting anything (views that must stay cheap). */
  get knownFunctions(): FunctionInfo[] | undefined {
    return this.functionsCache;
  }

  async refreshFunctions(): Promise<FunctionInfo[]> {
    this.functionsCache = undefined;
    return this.functions();
  }

  async functionInfo(target: FunctionTarget): Promise<FunctionInfo | undefined> {
    const list = await this.functions();
    return list.find((f) => f.name === target.name || (target.kind === 'handler' && f.handler === target.handler && f.codeUri === target.root));
  }

  private setFunctions(list: FunctionInfo[]): void {
    // Listeners hear only real changes; the first list is one (views drawn from the static read refine).
    const json = JSON.stringify(list);
    const changed = this.announcedJson !== json;
    this.announcedJson = json;
    this.functionsCache = list;
    if (changed) this.functionsChanged.fire(list);
  }

  eventChoice(target: FunctionTarget): EventChoice | undefined {
    const all = this.extension.workspaceState.get<Record<string, EventChoice>>(CHOICE_KEY, {});
    return all[keyOf(target)];
  }

  async setEventChoice(target: FunctionTarget, choice: EventChoice): Promise<void> {
    const all = { ...this.extension.workspaceState.get<Record<string, EventChoice>>(CHOICE_KEY, {}) };
    all[keyOf(target)] = choice;
    await this.extension.workspaceState.update(CHOICE_KEY, all);
    this.choicesChanged.fire(keyOf(target));
  }

  overrides(target: FunctionTarget): FunctionOverrides {
    return this.extension.workspaceState.get<Record<string, FunctionOverrides>>(OVERRIDES_KEY, {})[keyOf(target)] ?? {};
  }

  async setOverrides(target: FunctionTarget, overrides: FunctionOverrides): Promise<void> {
    const all = { ...this.extension.workspaceState.get<Record<string, FunctionOverrides>>(OVERRIDES_KEY, {}) };
    all[keyOf(target)] = overrides;
    await this.extension.workspaceState.update(OVERRIDES_KEY, all);
    this.choicesChanged.fire(keyOf(target));
  }

  /** The event the remembered choice stands for (the host generates templates and reads saved files). */
  async resolveEvent(target: FunctionTarget, choice = this.eventChoice(target)): Promise<unknown> {
    if (!choice || choice.kind === 'empty') return {};
    if (choice.kind === 'saved') return this.host.request('events.getSaved', { function: keyOf(target), name: choice.name });
    if (choice.kind === 'file') return this.host.request('events.getFile', { path: choice.path });
    if (choice.kind === 'trigger')
      return this.host.request('events.generateForFunction', { function: keyOf(target), trigger: choice.trigger, params: choice.params });
    return this.host.request('events.generate', { template: choice.template, params: choice.params });
  }

  /** Invoke params for a target with its overrides (Set Memory and Timeout…) applied. */
  invokeParams(target: FunctionTarget, event: unknown, extra: Partial<InvokeParams> = {}): InvokeParams {
    const o = this.overrides(target);
    return {
      ...invokeParamsOf(target),
      event,
      ...(o.memorySizeMB ? { memory: o.memorySizeMB } : {}),
      ...(o.timeoutSeconds ? { timeout: o.timeoutSeconds } : {}),
      ...extra,
    };
  }

  /** Set by the debug launcher: while a debug session for the function lives, invokes go to its environment. */
  beforeInvoke: (target: FunctionTarget, params: InvokeParams) => Promise<InvokeParams> = async (_target, params) => params;

  /** Set by the results view: whether an editor on screen shows the function's handler (its result then shows there, not in a notification). */
  handlerVisible: (functionName: string) => boolean = () => false;

  /** Targets invoked in this window, by name: where a handler-only function's results belong. */
  private readonly invokedTargets = new Map<string, FunctionTarget>();

  invokedTarget(name: string): FunctionTarget | undefined {
    return this.invokedTargets.get(name);
  }

  async invoke(target: FunctionTarget, event: unknown): Promise<InvokeOutput> {
    this.invokedTargets.set(target.name, target);
    const params = await this.beforeInvoke(target, this.invokeParams(target, event));
    return this.host.request('invoke', params);
  }

  recentInvocations(functionName: string): InvocationRecord[] {
    return this.recent.get(functionName) ?? [];
  }

  private onFinished(record: InvocationRecord): void {
    if (record.kind === 'invocation') {
      // Lines normally arrive live; a host without live logs still gets them into the channel.
      if (!this.loggedLive.delete(record.id)) for (const line of record.logs) this.log.appendLine(line);
      const list = [record, ...(this.recent.get(record.functionName) ?? []).filter((r) => r.id !== record.id)];
      this.recent.set(record.functionName, list.slice(0, RECENT_PER_FUNCTION));
      this.lastRecord = record;
    }
    this.recordsChanged.fire(record);
  }

  /** Errors at the edge: user mistakes become a message with the hint, host failures point at the log. */
  showError(err: unknown): void {
    if (err instanceof vscode.CancellationError) return;
    if (err instanceof HostUnavailableError) {
      const actions = err.action === 'setNodePath' ? ['Set path'] : [];
      void vscode.window.showErrorMessage(`${err.message} ${err.hint}`, ...actions).then((choice) => {
        if (choice === 'Set path') void vscode.commands.executeCommand('lambdaWorkbench.setNodePath');
      });
      return;
    }
    if (err instanceof RpcError) {
      void vscode.window.showErrorMessage(err.hint ? `${err.message} — ${err.hint}` : err.message);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(message);
    void vscode.window.showErrorMessage(`Lambda Workbench: ${message}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show(true);
    });
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) d.dispose();
  }
}

/** Test runs read the extension host's console (the harness forwards it); the channel itself is not visible there. */
function mirrorToConsole(log: vscode.LogOutputChannel): void {
  for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'appendLine'] as const) {
    const original = log[level].bind(log) as (message: string) => void;
    (log as unknown as Record<string, (message: string) => void>)[level] = (message: string) => {
      console.log(`[lambda-workbench ${level}] ${message}`);
      original(message);
    };
  }
}
