// What the host could not take from the template as it is (a property, resource, event or intrinsic that
// is not emulated, a reserved variable, a bad value), in VS Code's Problems panel at its template line:
// the host's `listProblems`, refreshed whenever its function list changes (it re-reads the template then).
import * as vscode from 'vscode';
import type { TemplateProblem } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';

export class TemplateProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lambda-workbench');
  private readonly subscriptions: vscode.Disposable[];
  /** Bumped on each refresh: a slow answer never overwrites a newer one. */
  private generation = 0;

  constructor(private readonly ctx: WorkbenchContext) {
    this.subscriptions = [this.collection, ctx.onDidChangeFunctions(() => void this.refresh())];
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    let problems: TemplateProblem[];
    try {
      problems = await this.ctx.host.request('listProblems', undefined);
    } catch (err) {
      this.ctx.log.debug(`listProblems failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    this.collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const line = Math.max(0, p.line - 1);
      const column = Math.max(0, p.column - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, column, line, Number.MAX_SAFE_INTEGER),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'Lambda Workbench';
      byFile.set(p.path, [...(byFile.get(p.path) ?? []), diagnostic]);
    }
    for (const [path, diagnostics] of byFile) this.collection.set(vscode.Uri.file(path), diagnostics);
  }

  /** Problems shown for a file now (the real-VS-Code suite reads them). */
  diagnostics(path: string): readonly vscode.Diagnostic[] {
    return this.collection.get(vscode.Uri.file(path)) ?? [];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
