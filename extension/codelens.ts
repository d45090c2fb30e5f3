// `▶ Invoke | Debug | Event: <name> ▾` above handlers in JS/TS/Python files and above function
// resources in the template. Lenses come from a static read of the file and the template, so they show
// the moment a file opens; the host starts in the background meanwhile. Titles resolve lazily (they
// read the remembered event choice); the list changes when the template or a choice changes.
import * as vscode from 'vscode';
import type { WorkbenchContext } from './context';
import { findExportedFunctions, findResourceLines, isHandlerSourceFile, isPythonFile, modulePathIn, splitHandler } from './handler-discovery';
import { eventLabel, type FunctionTarget, nameForHandler } from './targets';
import { findTemplate, functionsInTemplate, readTemplateFunctions, type StaticFunction } from './template-read';

type LensKind = 'invoke' | 'debug' | 'event';

class FunctionLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly target: FunctionTarget,
    readonly lensKind: LensKind,
  ) {
    super(range);
  }
}

export const CODELENS_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'javascriptreact' },
  { scheme: 'file', language: 'typescriptreact' },
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'yaml', pattern: '**/*.{yaml,yml}' },
];

export class FunctionCodeLensProvider implements vscode.CodeLensProvider<FunctionLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: WorkbenchContext) {
    this.subscriptions = [
      ctx.onDidChangeChoice(() => this.changed.fire()),
      ctx.config.onDidChange(({ keys }) => {
        if (keys.includes('codeLens.enabled') || keys.includes('templatePath')) this.changed.fire();
      }),
    ];
  }

  /** The template changed on disk: lenses in every file may have moved. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): FunctionLens[] {
    if (!this.ctx.config.codeLensEnabled) return [];
    const file = document.uri.fsPath;
    const lenses = /\.ya?ml$/.test(file) ? this.templateLenses(document) : isHandlerSourceFile(file) ? this.sourceLenses(document) : [];
    // Warm the host up for the first invoke; the lenses never wait for it.
    if (lenses.length > 0) this.ctx.startHostInBackground();
    // With their commands already: VS Code draws a lens without one only after a second, debounced
    // resolve round (about a second more on a busy machine, measured by bench/sections/11-vscode-latency).
    return lenses.map((lens) => this.resolveCodeLens(lens));
  }

  resolveCodeLens(lens: FunctionLens): FunctionLens {
    const args = [lens.target];
    switch (lens.lensKind) {
      case 'invoke':
        lens.command = { title: '▶ Invoke', command: 'lambdaWorkbench.invokeFunction', arguments: args, tooltip: `Invoke ${lens.target.name}` };
        break;
      case 'debug':
        lens.command = { title: 'Debug', command: 'lambdaWorkbench.debugFunction', arguments: args, tooltip: `Debug ${lens.target.name}` };
        break;
      case 'event':
        lens.command = {
          title: `Event: ${eventLabel(this.ctx.eventChoice(lens.target))} ▾`,
          command: 'lambdaWorkbench.pickEvent',
          arguments: args,
          tooltip: 'The event the next invoke sends — click to pick another',
        };
        break;
    }
    return lens;
  }

  private templateLenses(document: vscode.TextDocument): FunctionLens[] {
    const file = document.uri.fsPath;
    if (file !== findTemplate(this.ctx.root, this.ctx.config.templatePath)) return [];
    // The open document, not the file: lenses follow unsaved edits.
    const inTemplate = functionsInTemplate(document.getText(), file);
    const lines = findResourceLines(
      document.getText(),
      inTemplate.map((f) => f.name),
    );
    return inTemplate.flatMap((f) => {
      const line = lines.get(f.name);
      return line === undefined ? [] : lensesAt(document, line, { kind: 'function', name: f.name });
    });
  }

  private sourceLenses(document: vscode.TextDocument): FunctionLens[] {
    const file = document.uri.fsPath;
    const python = isPythonFile(file);
    const exported = findExportedFunctions(document.getText(), python ? 'python' : 'javascript');
    if (exported.length === 0) return [];
    const template = findTemplate(this.ctx.root, this.ctx.config.templatePath);
    const functions: StaticFunction[] = template ? readTemplateFunctions(template) : [];
    const lenses: FunctionLens[] = [];
    const covered = new Set<string>();
    const roots = new Set<string>();
    for (const fn of functions) {
      if (fn.runtimeFamily !== (python ? 'python' : 'nodejs')) continue;
      const modulePath = modulePathIn(fn.codeUri, file);
      if (modulePath === undefined) continue;
      roots.add(fn.codeUri);
      const handler = splitHandler(fn.handler);
      // Python handlers may name a nested module with dots (`pkg.app.handler`).
      if (!handler || (python ? handler.modulePath.replace(/\./g, '/') : handler.modulePath) !== modulePath) continue;
      const exp = exported.find((e) => e.name === handler.exportName);
      if (!exp || covered.has(exp.name)) continue;
      covered.add(exp.name);
      lenses.push(...lensesAt(document, exp.line, { kind: 'function', name: fn.name }));
    }
    // Without a template, the workspace itself is the task root of any Lambda-like export.
    if (functions.length === 0) roots.add(this.ctx.root);
    const root = [...roots].sort((a, b) => b.length - a.length)[0];
    const modulePath = root ? modulePathIn(root, file) : undefined;
    if (root && modulePath !== undefined) {
      for (const exp of exported) {
        if (!exp.lambdaLike || covered.has(exp.name)) continue;
        const handler = `${modulePath}.${exp.name}`;
        lenses.push(...lensesAt(document, exp.line, { kind: 'handler', name: nameForHandler(handler), handler, root }));
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function lensesAt(document: vscode.TextDocument, line: number, target: FunctionTarget): FunctionLens[] {
  const range = document.lineAt(line).range;
  return [new FunctionLens(range, target, 'invoke'), new FunctionLens(range, target, 'debug'), new FunctionLens(range, target, 'event')];
}
