// `▶ Invoke | Debug | Event: <name> ▾` above handlers in JS/TS files and above function resources in
// the template. Lenses are found cheaply from the text and resolved lazily (titles read the
// remembered event choice); the list changes when the host's functions or a choice change.
import * as vscode from 'vscode';
import type { FunctionInfo } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import { findExportedFunctions, findResourceLines, isHandlerSourceFile, modulePathIn, splitHandler } from './handler-discovery';
import { eventLabel, type FunctionTarget, nameForHandler, targetOf } from './targets';

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
  { scheme: 'file', language: 'yaml', pattern: '**/*.{yaml,yml}' },
];

export class FunctionCodeLensProvider implements vscode.CodeLensProvider<FunctionLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: WorkbenchContext) {
    this.subscriptions = [
      ctx.onDidChangeFunctions(() => this.changed.fire()),
      ctx.onDidChangeChoice(() => this.changed.fire()),
      ctx.config.onDidChange(({ keys }) => {
        if (keys.includes('codeLens.enabled')) this.changed.fire();
      }),
    ];
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<FunctionLens[]> {
    if (!this.ctx.config.codeLensEnabled) return [];
    let functions: FunctionInfo[];
    try {
      functions = await this.ctx.functions();
    } catch (err) {
      // The host could not start; the status bar shows why. Lenses must not nag on every keystroke.
      this.ctx.log.debug(`no CodeLenses for ${document.uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    if (token.isCancellationRequested) return [];
    const file = document.uri.fsPath;
    if (/\.ya?ml$/.test(file)) return this.templateLenses(document, functions);
    if (!isHandlerSourceFile(file)) return [];
    return this.sourceLenses(document, functions);
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

  private templateLenses(document: vscode.TextDocument, functions: FunctionInfo[]): FunctionLens[] {
    const file = document.uri.fsPath;
    const inTemplate = functions.filter((f) => f.origin.kind === 'template' && f.origin.templatePath === file);
    if (inTemplate.length === 0) return [];
    const lines = findResourceLines(
      document.getText(),
      inTemplate.map((f) => f.name),
    );
    return inTemplate.flatMap((f) => {
      const line = lines.get(f.name);
      return line === undefined ? [] : lensesAt(document, line, targetOf(f));
    });
  }

  private sourceLenses(document: vscode.TextDocument, functions: FunctionInfo[]): FunctionLens[] {
    const file = document.uri.fsPath;
    const exported = findExportedFunctions(document.getText());
    if (exported.length === 0) return [];
    const lenses: FunctionLens[] = [];
    const covered = new Set<string>();
    const roots = new Set<string>();
    for (const fn of functions) {
      if (fn.runtimeFamily !== 'nodejs') continue;
      const modulePath = modulePathIn(fn.codeUri, file);
      if (modulePath === undefined) continue;
      roots.add(fn.codeUri);
      const handler = splitHandler(fn.handler);
      if (!handler || handler.modulePath !== modulePath) continue;
      const exp = exported.find((e) => e.name === handler.exportName);
      if (!exp || covered.has(exp.name)) continue;
      covered.add(exp.name);
      lenses.push(...lensesAt(document, exp.line, targetOf(fn)));
    }
    // Without a template, the workspace itself is the task root of any Lambda-like export.
    if (!functions.some((f) => f.origin.kind === 'template')) roots.add(this.ctx.root);
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
