// The host's functions: those of the SAM template plus handler-only ones, with env overrides applied.
// Watches the template, the env files and every function's code; a change re-resolves the functions,
// retires the warm environments of the ones that changed (the next invoke is cold) and tells listeners.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { FunctionCatalog, HostLogger, TemplateResource } from '../host-context';
import type { FunctionInfo, TemplateProblem } from '../protocol/functions';
import type { Invoker } from '../runtime/types';
import { TreeWatcher } from './code-watcher';
import { applyOverrides, loadEnvFile, type EnvOverrides } from './env-overrides';
import { parseFunctionName } from './function-reference';
import { findTemplate, loadSamTemplate, TEMPLATE_NAMES, writeInlineCode, type LoadedTemplate } from './sam-template';

export interface FunctionRegistryOptions {
  root: string;
  /** Never watched (it changes on every invocation). */
  stateDir?: string;
  /** `--template`; default template.yaml / template.yml in root. */
  templatePath?: string;
  /** env.json or .env files, in order (later wins). `<root>/.env` is added first when it exists and none is given. */
  envFiles?: string[];
  region: string;
  accountId: string;
  parameterOverrides?: Record<string, string>;
  /** Local folders for layer ARNs (`--layer ARN=DIR`). */
  layerFolders?: Record<string, string>;
  watch?: boolean;
  /** Coalesces the burst of events one save produces. */
  debounceMs?: number;
  log?: HostLogger;
}

type Listener = (functions: FunctionInfo[]) => void;

function configKey(fn: FunctionInfo): string {
  return JSON.stringify(fn);
}

/** What running environments depend on: a new provisioned count alone keeps the warm ones (Lambda adds or removes environments). */
function environmentKey(fn: FunctionInfo): string {
  const { provisionedConcurrency: _count, ...rest } = fn;
  return JSON.stringify(rest);
}

export class FunctionRegistry implements FunctionCatalog {
  private template: LoadedTemplate | undefined;
  private templatePath: string | undefined;
  private readonly envFiles: string[];
  private overrides: EnvOverrides[] = [];
  private readonly handlerFunctions = new Map<string, FunctionInfo>();
  private functions = new Map<string, FunctionInfo>();
  private readonly listeners = new Set<Listener>();
  private invoker: Pick<Invoker, 'retire'> | undefined;
  private readonly fileWatchers = new Map<string, FSWatcher>();
  private codeWatcher: TreeWatcher | undefined;
  private pending = { config: false, code: new Set<string>() };
  private timer: NodeJS.Timeout | undefined;

  /** Loads the template and env files; a broken template at startup is a UserError (exit 2 at the CLI). */
  constructor(private readonly options: FunctionRegistryOptions) {
    this.templatePath = findTemplate(options.root, options.templatePath);
    this.envFiles = (options.envFiles ?? []).map((f) => (isAbsolute(f) ? f : resolve(options.root, f)));
    this.loadConfig(true);
    if (options.watch) this.startWatching();
  }

  /** The invoker whose warm environments are retired when a function changes. */
  attach(invoker: Pick<Invoker, 'retire'>): void {
    this.invoker = invoker;
  }

  list(): FunctionInfo[] {
    return [...this.functions.values()];
  }

  /**
   * By logical id, by the template's `FunctionName` (what code running on AWS knows a function by), or by
   * a full or partial ARN of either; the qualifier is the caller's to check.
   */
  get(name: string): FunctionInfo | undefined {
    const exact = this.functions.get(name);
    if (exact) return exact;
    const ref = parseFunctionName(name).name;
    return this.functions.get(ref) ?? this.list().find((fn) => fn.functionName === ref);
  }

  /** What the template's last good load said about itself: mistakes, and what is not emulated. */
  problems(): TemplateProblem[] {
    return this.template?.problems ?? [];
  }

  resources(): Record<string, TemplateResource> {
    return this.template?.resources ?? {};
  }

  /** The template file in use, if any. */
  templateFile(): string | undefined {
    return this.templatePath;
  }

  onDidChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds (or replaces) a handler-only function; its code is watched like a template function's. */
  register(fn: FunctionInfo): FunctionInfo {
    const previous = this.handlerFunctions.get(fn.name);
    this.handlerFunctions.set(fn.name, fn);
    const changed = this.rebuild();
    if (previous && configKey(previous) !== configKey(fn)) this.invoker?.retire(fn.name);
    this.codeWatcher?.add(fn.codeUri);
    if (changed) this.emit();
    return this.functions.get(fn.name) ?? fn;
  }

  /** Re-reads template and env files now (what the watcher does after a change). */
  reload(): void {
    void this.loadConfig(false);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.fileWatchers.values()) w.close();
    this.fileWatchers.clear();
    this.codeWatcher?.close();
    this.codeWatcher = undefined;
  }

  /** Returns true when listeners were told about a change. */
  private loadConfig(initial: boolean): boolean {
    const log = this.options.log;
    let resourcesChanged = false;
    try {
      if (!this.options.templatePath) this.templatePath = findTemplate(this.options.root);
      const template = this.templatePath
        ? loadSamTemplate(this.templatePath, {
            region: this.options.region,
            accountId: this.options.accountId,
            displayRoot: this.options.root,
            ...(this.options.layerFolders ? { layerFolders: this.options.layerFolders } : {}),
            ...(this.options.stateDir ? { inlineCodeDir: join(this.options.stateDir, 'inline-code') } : {}),
            ...(this.options.parameterOverrides ? { parameterOverrides: this.options.parameterOverrides } : {}),
          })
        : undefined;
      const files = [...this.envFiles];
      const dotEnv = resolve(this.options.root, '.env');
      if (this.options.envFiles === undefined && !files.includes(dotEnv)) files.unshift(dotEnv);
      const overrides: EnvOverrides[] = [];
      for (const f of files) {
        try {
          // The implicit .env often holds variables for local scripts too (AWS_REGION…): say what is left out, do not refuse.
          const implicit = f === dotEnv && this.options.envFiles === undefined;
          overrides.push(loadEnvFile(f, implicit ? (m) => log?.warn(m) : undefined));
        } catch (err) {
          // The implicit .env is optional; an env file the user named must exist.
          if (f === dotEnv && this.options.envFiles === undefined && (err as Error).message.includes('ENOENT')) continue;
          throw err;
        }
      }
      if (template) writeInlineCode(template.inlineCode);
      // A resource edit (a table's keys, a queue's settings) concerns the sources even when no function changed.
      resourcesChanged = JSON.stringify(this.template?.resources ?? {}) !== JSON.stringify(template?.resources ?? {});
      this.template = template;
      this.overrides = overrides;
      for (const p of template?.problems ?? []) log?.warn(`${p.file}:${p.line}: ${p.message}`);
    } catch (err) {
      if (initial) throw err;
      // A half-saved template must not take the running functions away: keep the last good state.
      log?.error(`${(err as Error).message} (keeping the previous functions)`);
      return false;
    }
    const before = this.functions;
    const changed = this.rebuild() || resourcesChanged;
    if (initial) return false;
    for (const [name, fn] of before) {
      const now = this.functions.get(name);
      if (!now || environmentKey(now) !== environmentKey(fn)) {
        log?.info(`function ${name} ${now ? 'changed' : 'removed'}: its next invoke is cold`);
        this.invoker?.retire(name);
      }
    }
    if (changed) {
      for (const fn of this.functions.values()) this.codeWatcher?.add(fn.codeUri);
      this.emit();
    }
    return changed;
  }

  /** Recomputes the map; true when it differs from before. */
  private rebuild(): boolean {
    const next = new Map<string, FunctionInfo>();
    for (const fn of this.template?.functions ?? []) next.set(fn.name, applyOverrides(fn, this.overrides));
    for (const fn of this.handlerFunctions.values()) {
      if (!next.has(fn.name)) next.set(fn.name, applyOverrides(fn, this.overrides));
    }
    const same =
      next.size === this.functions.size &&
      [...next].every(([name, fn]) => {
        const old = this.functions.get(name);
        return old !== undefined && configKey(old) === configKey(fn);
      });
    this.functions = next;
    return !same;
  }

  private emit(): void {
    const list = this.list();
    for (const l of [...this.listeners]) {
      try {
        l(list);
      } catch (err) {
        this.options.log?.error(`functions.changed listener failed: ${(err as Error).message}`);
      }
    }
  }

  private startWatching(): void {
    // Editors save by writing a temp file and renaming it over the original, which ends a watch on
    // the file itself: watch the containing folder and filter by name.
    const configNames = new Map<string, Set<string>>();
    const addConfigFile = (file: string) => {
      const dir = dirname(file);
      if (!configNames.has(dir)) configNames.set(dir, new Set());
      configNames.get(dir)!.add(basename(file));
    };
    if (this.templatePath) addConfigFile(this.templatePath);
    if (!this.options.templatePath) for (const n of TEMPLATE_NAMES) addConfigFile(resolve(this.options.root, n));
    for (const f of this.envFiles) addConfigFile(f);
    if (this.options.envFiles === undefined) addConfigFile(resolve(this.options.root, '.env'));
    for (const [dir, names] of configNames) {
      try {
        const w = watch(dir, { persistent: false }, (_event, filename) => {
          if (filename && names.has(String(filename))) this.schedule({ config: true });
        });
        w.on('error', () => w.close());
        this.fileWatchers.set(dir, w);
      } catch (err) {
        this.options.log?.warn(`cannot watch ${dir}: ${(err as Error).message}`);
      }
    }
    const ignored = this.options.stateDir ? [this.options.stateDir] : [];
    this.codeWatcher = new TreeWatcher((path) => this.schedule({ code: path }), ignored);
    for (const fn of this.functions.values()) this.codeWatcher.add(fn.codeUri);
  }

  private schedule(change: { config?: boolean; code?: string }): void {
    if (change.config) this.pending.config = true;
    if (change.code) this.pending.code.add(change.code);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 150);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const { config, code } = this.pending;
    this.pending = { config: false, code: new Set() };
    const announced = config ? this.loadConfig(false) : false;
    if (code.size === 0) return;
    const isConfigFile = (p: string) => p === this.templatePath || this.envFiles.includes(p);
    const retired: string[] = [];
    for (const fn of this.functions.values()) {
      const root = fn.codeUri.endsWith(sep) ? fn.codeUri : fn.codeUri + sep;
      if ([...code].some((p) => !isConfigFile(p) && (p === fn.codeUri || p.startsWith(root)))) {
        this.invoker?.retire(fn.name);
        retired.push(fn.name);
      }
    }
    if (retired.length > 0) {
      this.options.log?.info(`code changed: ${retired.join(', ')} will start cold on the next invoke`);
      // Clients refresh what they derive from the code (CodeLenses, debug sessions re-attach).
      if (!announced) this.emit();
    }
  }
}
