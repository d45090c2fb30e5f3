// Results where the user looks: after an invocation, its outcome at the end of the handler's line
// (`✓ 200 · 37 ms · 278 ms billed · 41/256 MB`, `✗ TypeError: …`) with a hover holding the result and
// the last log lines; for an error, a diagnostic on the line that threw (from the stack trace), cleared
// by the function's next success; the open panel selects the new record; "Show Result" opens the
// result JSON in a read-only editor (a virtual document).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { errorPayload, type InvocationRecord } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import { findExportedFunctions, splitHandler } from './handler-discovery';
import type { InvocationsPanel } from './panel';
import { lastLogLines, resultLine, throwingFrame } from './result-format';
import { type FunctionTarget, isFunctionTarget } from './targets';
import { findTemplate, readTemplateFunctions } from './template-read';

export const RESULT_SCHEME = 'lambda-workbench-result';

const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const MAX_HOVER_RESULT_CHARS = 1200;
const HOVER_COMMANDS = ['lambdaWorkbench.showResult', 'lambdaWorkbench.openPanel', 'lambdaWorkbench.invokeFunction'];

interface HandlerLocation {
  file: string;
  exportName: string;
  python: boolean;
}

/** What one editor shows for a function (the suite reads it: decorations cannot be read back from VS Code). */
export interface ShownResult {
  functionName: string;
  recordId: string;
  line: number;
  text: string;
  hover: string;
}

export class ResultsView implements vscode.Disposable {
  /** The newest finished invocation of each function. */
  private readonly latest = new Map<string, InvocationRecord>();
  private readonly errors = new Map<string, { uri: vscode.Uri; diagnostic: vscode.Diagnostic }>();
  readonly diagnostics = vscode.languages.createDiagnosticCollection('lambda-workbench');
  private readonly passed = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2.5em', color: new vscode.ThemeColor('testing.iconPassed') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly failed = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2.5em', color: new vscode.ThemeColor('errorForeground') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly shown = new Map<string, ShownResult[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly panel: InvocationsPanel,
  ) {
    ctx.handlerVisible = (name) => this.handlerVisible(name);
    this.subscriptions = [
      this.diagnostics,
      this.passed,
      this.failed,
      ctx.onDidFinishInvocation((r) => this.onRecord(r)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Lines move as the handler is edited; other documents (the log channel among them) change nothing here.
        if (e.document.uri.scheme === 'file' && this.latest.size > 0 && vscode.window.visibleTextEditors.some((ed) => ed.document === e.document))
          this.render();
      }),
      vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, { provideTextDocumentContent: (uri) => this.resultDocument(uri) }),
    ];
  }

  private onRecord(r: InvocationRecord): void {
    if (r.kind !== 'invocation' || r.status === 'running' || r.status === 'queued') return;
    this.latest.set(r.functionName, r);
    this.updateDiagnostics(r);
    this.render();
    // Runs the user started (an invoke, a debug session): the open panel follows them.
    if (r.trigger === 'manual' || r.trigger === 'debug') this.panel.select(r.id);
  }

  /** What the visible editor of `file` shows (for the suite). */
  shownIn(file: string): ShownResult[] {
    return this.shown.get(file) ?? [];
  }

  /** Whether an editor on screen shows this function's handler file. */
  handlerVisible(functionName: string): boolean {
    const loc = this.locate(functionName);
    return loc !== undefined && vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === loc.file);
  }

  /** Where a function's handler is: from the host's list, else the template read statically, else the handler this window invoked. */
  private locate(functionName: string): HandlerLocation | undefined {
    let handler: string | undefined;
    let codeUri: string | undefined;
    let python = false;
    const known = this.ctx.knownFunctions?.find((f) => f.name === functionName);
    if (known) {
      ({ handler, codeUri } = known);
      python = known.runtimeFamily === 'python';
    } else {
      const template = findTemplate(this.ctx.root, this.ctx.config.templatePath);
      const fn = template ? readTemplateFunctions(template).find((f) => f.name === functionName) : undefined;
      const target: FunctionTarget | undefined = this.ctx.invokedTarget(functionName);
      if (fn) {
        ({ handler, codeUri } = fn);
        python = fn.runtimeFamily === 'python';
      } else if (target?.kind === 'handler') {
        ({ handler, root: codeUri } = target);
      }
    }
    const split = handler ? splitHandler(handler) : undefined;
    if (!split || !codeUri) return undefined;
    const base = join(codeUri, python ? split.modulePath.replace(/\./g, '/') : split.modulePath);
    const candidates = python ? ['.py'] : [...NODE_EXTENSIONS, '.py'];
    for (const ext of candidates) {
      if (existsSync(base + ext)) return { file: base + ext, exportName: split.exportName, python: ext === '.py' };
    }
    return undefined;
  }

  private render(): void {
    this.shown.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      const file = editor.document.uri.fsPath;
      const passed: vscode.DecorationOptions[] = [];
      const failed: vscode.DecorationOptions[] = [];
      const shown: ShownResult[] = [];
      for (const [name, record] of this.latest) {
        const loc = this.locate(name);
        if (!loc || loc.file !== file) continue;
        const exported = findExportedFunctions(editor.document.getText(), loc.python ? 'python' : 'javascript').find((e) => e.name === loc.exportName);
        const line = exported?.line ?? 0;
        const end = editor.document.lineAt(line).range.end;
        const text = resultLine(record);
        const hover = this.hover(record);
        const option: vscode.DecorationOptions = {
          range: new vscode.Range(end, end),
          hoverMessage: hover,
          renderOptions: { after: { contentText: text } },
        };
        (record.status === 'success' ? passed : failed).push(option);
        shown.push({ functionName: name, recordId: record.id, line, text, hover: hover.value });
      }
      editor.setDecorations(this.passed, passed);
      editor.setDecorations(this.failed, failed);
      if (shown.length) this.shown.set(file, shown);
    }
  }

  private hover(r: InvocationRecord): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: HOVER_COMMANDS };
    md.supportHtml = false;
    const when = new Date(r.timestamps.finishedAt ?? r.timestamps.queuedAt).toLocaleTimeString();
    md.appendMarkdown(`**${r.functionName}** — ${r.status}${r.cold ? ', cold start' : ''} at ${when}  \n`);
    md.appendText(resultLine(r));
    md.appendMarkdown('\n\n');
    const arg = (value: unknown): string => encodeURIComponent(JSON.stringify([value]));
    md.appendMarkdown(
      `$(json) [Show Result](command:lambdaWorkbench.showResult?${arg(r.id)} "Open the result JSON") · ` +
        `[Open in Panel](command:lambdaWorkbench.openPanel?${arg({ select: r.id })}) · ` +
        `[Invoke Again](command:lambdaWorkbench.invokeFunction?${arg(this.ctx.invokedTarget(r.functionName) ?? { kind: 'function', name: r.functionName })})\n\n`,
    );
    if (r.error) {
      md.appendMarkdown('**Error**\n');
      md.appendCodeblock(JSON.stringify({ errorType: r.error.errorType, errorMessage: r.error.errorMessage }, null, 2), 'json');
    } else {
      md.appendMarkdown('**Result**\n');
      const json = JSON.stringify(r.result, null, 2) ?? 'null';
      md.appendCodeblock(json.length > MAX_HOVER_RESULT_CHARS ? `${json.slice(0, MAX_HOVER_RESULT_CHARS)}\n…` : json, 'json');
    }
    const logs = lastLogLines(r.logs);
    if (logs.length) {
      md.appendMarkdown('**Last log lines**\n');
      md.appendCodeblock(logs.join('\n'), 'log');
    }
    return md;
  }

  private updateDiagnostics(r: InvocationRecord): void {
    this.errors.delete(r.functionName);
    const frame = r.status !== 'success' && r.error ? throwingFrame(r.error.trace, this.ctx.root) : undefined;
    if (frame && r.error) {
      const uri = vscode.Uri.file(frame.file);
      const text = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === frame.file)?.getText() ?? readText(frame.file);
      const lineText = text?.split(/\r?\n/)[frame.line - 1] ?? '';
      const start = frame.column !== undefined ? frame.column - 1 : lineText.length - lineText.trimStart().length;
      const range = new vscode.Range(frame.line - 1, Math.max(0, start), frame.line - 1, Math.max(start + 1, lineText.length));
      const diagnostic = new vscode.Diagnostic(range, `${r.error.errorType}: ${r.error.errorMessage} (${r.functionName})`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Lambda Workbench';
      this.errors.set(r.functionName, { uri, diagnostic });
    }
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const { uri, diagnostic } of this.errors.values()) {
      const entry = byFile.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    this.diagnostics.clear();
    for (const { uri, list } of byFile.values()) this.diagnostics.set(uri, list);
  }

  /** Show Result: the record given (an id, `{id}`), a function's newest, or the last of all, as read-only JSON. */
  async showResult(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    let record: InvocationRecord | undefined;
    if (typeof arg === 'string' && arg) record = await this.ctx.host.request('getInvocation', { id: arg });
    else if (arg && typeof arg === 'object' && typeof (arg as { id?: unknown }).id === 'string' && !isFunctionTarget(arg))
      record = await this.ctx.host.request('getInvocation', { id: (arg as { id: string }).id });
    else if (isFunctionTarget(arg) || (arg && typeof arg === 'object' && isFunctionTarget((arg as { target?: unknown }).target))) {
      const name = isFunctionTarget(arg) ? arg.name : (arg as { target: FunctionTarget }).target.name;
      record = this.latest.get(name) ?? this.ctx.recentInvocations(name)[0];
    } else record = this.ctx.lastRecord;
    if (!record) {
      void vscode.window.showInformationMessage('No invocation yet: invoke a function first (▶ Invoke above its handler).');
      return undefined;
    }
    const uri = vscode.Uri.from({
      scheme: RESULT_SCHEME,
      path: `/${record.functionName}/${record.functionName}-${record.id.slice(0, 8)}.json`,
      query: `id=${encodeURIComponent(record.id)}`,
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private async resultDocument(uri: vscode.Uri): Promise<string> {
    const id = new URLSearchParams(uri.query).get('id');
    if (!id) return '';
    const r = await this.ctx.host.request('getInvocation', { id });
    if (r.error) {
      const body = errorPayload(r.error);
      try {
        return `${JSON.stringify(JSON.parse(body) as unknown, null, 2)}\n`;
      } catch {
        return body;
      }
    }
    return `${JSON.stringify(r.result ?? null, null, 2)}\n`;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
