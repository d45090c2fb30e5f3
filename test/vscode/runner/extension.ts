// The test-runner extension. The VS Code server ignores --extensionTestsPath, so tests that must run
// inside the extension host ride in on this extension instead: the harness places it in the extensions
// folder for the test run only; on activation (onStartupFinished) it runs the mocha suites bundled in
// dist/test/vscode-suite/ and writes the results as JSON to the file named by LAMBDA_WORKBENCH_TEST_RESULTS.
//
// The same bundle is @vscode/test-electron's extensionTestsPath (`npm run test:electron`): there VS Code
// calls run(), which rejects when a test fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';
import { RunnerEnv, type ExtensionReport, type SuiteResults, type TestResult } from './results';

const DEFAULT_TIMEOUT_MS = 120_000;

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function suiteDir(): string {
  // The bundle lives in dist/test/vscode-runner/; the suites in dist/test/vscode-suite/.
  return env(RunnerEnv.suiteDir) ?? path.join(__dirname, '..', 'vscode-suite');
}

function suiteFiles(dir: string): string[] {
  const only = list(env(RunnerEnv.files));
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .filter((name) => only.length === 0 || only.some((part) => name.includes(part)))
    .sort()
    .map((name) => path.join(dir, name));
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

async function reportExtension(id: string): Promise<ExtensionReport> {
  const ext = vscode.extensions.getExtension(id);
  if (!ext) return { id, found: false };
  const report: ExtensionReport = { id, found: true, extensionPath: ext.extensionPath, version: String(ext.packageJSON.version) };
  try {
    await ext.activate();
  } catch (err) {
    report.activationError = errorText(err);
  }
  report.isActive = ext.isActive;
  const contributed: unknown = ext.packageJSON?.contributes?.commands;
  const commands = Array.isArray(contributed) ? contributed.map((c: { command?: unknown }) => c.command).filter((c): c is string => typeof c === 'string') : [];
  const registered = new Set(await vscode.commands.getCommands(true));
  report.contributedCommands = commands.length;
  report.missingCommands = commands.filter((c) => !registered.has(c));
  return report;
}

class ResultsWriter {
  readonly results: SuiteResults;
  private readonly started = Date.now();

  constructor(private readonly file: string | undefined) {
    this.results = {
      done: false,
      vscodeVersion: vscode.version,
      node: { version: process.version, execPath: process.execPath },
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      suiteFiles: [],
      extensions: [],
      tests: [],
      passes: 0,
      failures: 0,
      pending: 0,
      durationMs: 0,
    };
  }

  add(result: Omit<TestResult, 'index'>): void {
    this.results.tests.push({ index: this.results.tests.length, ...result });
    if (result.state === 'passed') this.results.passes++;
    else if (result.state === 'failed') this.results.failures++;
    else this.results.pending++;
    this.write();
  }

  write(done = false): void {
    this.results.done = done;
    this.results.durationMs = Date.now() - this.started;
    if (!this.file) return;
    // Write-then-rename so the driver, which polls the file, never reads half a JSON document.
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.results, null, 2)}\n`);
    fs.renameSync(tmp, this.file);
  }
}

function fileOf(runnable: Mocha.Runnable): string | undefined {
  return runnable.file ? path.basename(runnable.file) : undefined;
}

/** Runs the suites; resolves with the results (never rejects: failures are in the results). */
export async function runSuites(resultsFile: string | undefined): Promise<SuiteResults> {
  const writer = new ResultsWriter(resultsFile);
  const log = (line: string) => console.log(`[vscode-runner] ${line}`);
  // A first write at once: the driver takes it as the sign that the runner activated.
  writer.write();
  try {
    for (const id of list(env(RunnerEnv.activate))) writer.results.extensions.push(await reportExtension(id));
    writer.write();

    if (env(RunnerEnv.suites) === '0') {
      writer.write(true);
      log('done: extension report only, no suites');
      return writer.results;
    }
    const dir = suiteDir();
    if (!fs.existsSync(dir)) throw new Error(`no suite folder ${dir} (build with: node scripts/build.mjs)`);
    const files = suiteFiles(dir);
    writer.results.suiteFiles = files.map((f) => path.basename(f));
    writer.write();

    const timeoutMs = Number(env(RunnerEnv.timeoutMs) ?? DEFAULT_TIMEOUT_MS);
    const mocha = new Mocha({ ui: 'bdd', timeout: timeoutMs, color: false, reporter: 'spec' });
    // Accept suites written in either style: describe/it (bdd) and suite/test (tdd) globals both exist.
    Mocha.interfaces.tdd(mocha.suite);
    const grep = env(RunnerEnv.grep);
    if (grep) mocha.grep(new RegExp(grep));
    for (const f of files) mocha.addFile(f);

    await new Promise<void>((resolve) => {
      // run() loads the files with require(), which VS Code's extension host hooks to provide `vscode`.
      const runner = mocha.run(() => resolve());
      runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test: Mocha.Test) => {
        log(`pass: ${test.fullTitle()}`);
        writer.add({ title: test.title, fullTitle: test.fullTitle(), file: fileOf(test), state: 'passed', durationMs: test.duration });
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test: Mocha.Runnable, err: unknown) => {
        // Hooks fail through here too ("before all" hook for "…"): reported as a failed test of that name.
        log(`FAIL: ${test.fullTitle()}: ${err instanceof Error ? err.message : String(err)}`);
        writer.add({
          title: test.title,
          fullTitle: test.fullTitle(),
          file: fileOf(test),
          state: 'failed',
          durationMs: test.duration,
          message: err instanceof Error ? err.message : String(err),
          stack: err instanceof Error ? err.stack : undefined,
        });
      });
      runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test: Mocha.Test) => {
        writer.add({ title: test.title, fullTitle: test.fullTitle(), file: fileOf(test), state: 'pending' });
      });
    });
  } catch (err) {
    writer.results.error = errorText(err);
    log(`error: ${writer.results.error}`);
  }
  writer.write(true);
  log(`done: ${writer.results.passes} passed, ${writer.results.failures} failed, ${writer.results.pending} pending`);
  return writer.results;
}

export function activate(_context: vscode.ExtensionContext): void {
  const resultsFile = env(RunnerEnv.resultsFile);
  // Placed in an extensions folder without a results file to write: stay out of the way.
  if (!resultsFile) return;
  // Not awaited: activation must return so the workbench (and the extension under test) can carry on.
  void runSuites(resultsFile);
}

export function deactivate(): void {}

/** @vscode/test-electron's entry point (extensionTestsPath): same suites, rejects when any fails. */
export async function run(): Promise<void> {
  const results = await runSuites(env(RunnerEnv.resultsFile));
  if (results.error) throw new Error(results.error);
  if (results.failures > 0) throw new Error(`${results.failures} of ${results.tests.length} tests failed`);
  if (results.tests.length === 0) throw new Error('no tests ran');
}
