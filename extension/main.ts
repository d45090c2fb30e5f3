// Wiring only: build the context, register providers, views and commands. Nothing here starts the
// host; it starts in the background once a handler, the template or the functions view is shown, or on
// first use (a command, the panel).
import * as vscode from 'vscode';
import { CODELENS_SELECTOR, FunctionCodeLensProvider } from './codelens';
import { registerCommands } from './commands';
import { WorkbenchContext } from './context';
import { DEBUG_TYPE, LambdaDebugConfigurationProvider } from './debug/configuration';
import { DebugLauncher } from './debug/launcher';
import { PauseReporter } from './debug/tracker';
import { EventTestController } from './event-tests';
import { TYPESCRIPT_SELECTOR, TypeScriptHandlerSnippets } from './authoring/snippets';
import { FunctionsView } from './functions-view';
import { InvocationsPanel } from './panel';
import { ResultsView } from './results';
import { WorkbenchStatusBar } from './status-bar';
import { TemplateProblems } from './template-problems';
import { ITEM_SCHEME, ItemDocuments } from './tables';

/** What `activate` returns: the objects the real-VS-Code suite inspects. */
export interface WorkbenchApi {
  ctx: WorkbenchContext;
  panel: InvocationsPanel;
  statusBar: WorkbenchStatusBar;
  debug: DebugLauncher;
  codeLens: FunctionCodeLensProvider;
  functionsView: FunctionsView;
  problems: TemplateProblems;
  results: ResultsView;
  eventTests: EventTestController;
}

let running: WorkbenchContext | undefined;

export function activate(extension: vscode.ExtensionContext): WorkbenchApi | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  const ctx = new WorkbenchContext(extension, folder.uri.fsPath);
  running = ctx;
  const debug = new DebugLauncher(ctx);
  ctx.beforeInvoke = (target, params) => debug.beforeInvoke(target, params);
  const panel = new InvocationsPanel(ctx, (params) => void debug.startFromParams(params).catch((err) => ctx.showError(err)));
  const statusBar = new WorkbenchStatusBar(ctx);
  const codeLens = new FunctionCodeLensProvider(ctx);
  const functionsView = new FunctionsView(ctx);
  const problems = new TemplateProblems(ctx);
  const results = new ResultsView(ctx, panel);
  const eventTests = new EventTestController(ctx, debug);
  // Lenses and the view's first list are read from the template itself: follow it on disk.
  const templates = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*.{yaml,yml}'));
  const templateChanged = (): void => {
    codeLens.refresh();
    if (!ctx.knownFunctions) functionsView.refresh();
    eventTests.templateChanged();
  };
  extension.subscriptions.push(
    templates,
    templates.onDidChange(templateChanged),
    templates.onDidCreate(templateChanged),
    templates.onDidDelete(templateChanged),
    ctx,
    debug,
    panel,
    statusBar,
    codeLens,
    functionsView,
    problems,
    results,
    eventTests,
    vscode.languages.registerCodeLensProvider(CODELENS_SELECTOR, codeLens),
    vscode.languages.registerCompletionItemProvider(TYPESCRIPT_SELECTOR, new TypeScriptHandlerSnippets(folder.uri.fsPath)),
    vscode.window.registerTreeDataProvider('lambdaWorkbench.functions', functionsView),
    vscode.workspace.registerTextDocumentContentProvider(ITEM_SCHEME, new ItemDocuments(ctx)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new LambdaDebugConfigurationProvider(ctx)),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new LambdaDebugConfigurationProvider(ctx),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterTrackerFactory('*', new PauseReporter(ctx)),
    ...registerCommands(ctx, { panel, debug, functionsView, results, eventTests }),
  );
  return { ctx, panel, statusBar, debug, codeLens, functionsView, problems, results, eventTests };
}

/** Waits for the host to exit (it kills its environments) so no process outlives the window. */
export async function deactivate(): Promise<void> {
  await running?.host.stop();
  running = undefined;
}
