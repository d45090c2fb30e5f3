// Saved events as tests (VS Code Testing API): each function with saved events is a group, each
// `events/<Fn>/<name>.json` a test, runnable and debuggable from the Test Explorer and the gutter (of the
// event file, and of the handler for the whole group). The host judges each response against
// `<name>.expected.json` (`events.check`); "Accept Result as Expected" writes that file from the last
// response. The items come from a static read of events/ and the template, never waiting for the host.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXPECTED_RESPONSE_SUFFIX, type EventCheck, type InvocationRecord, type ResponseUnderTest } from '../runtime-host/protocol';
import type { WorkbenchContext } from './context';
import type { DebugLauncher } from './debug/launcher';
import { findExportedFunctions, findResourceLines, splitHandler } from './handler-discovery';
import { type FunctionTarget } from './targets';
import { findTemplate, readTemplateFunctions, type StaticFunction } from './template-read';

export const TEST_CONTROLLER_ID = 'lambdaWorkbench.events';
/** `TestMessage.contextValue` of a response that differs from the expected one: the peek offers "Accept Result as Expected". */
export const MISMATCH_CONTEXT = 'lambdaWorkbench.responseMismatch';
const EVENTS_DIR = 'events';
/** After a save, wait for the host's code watcher to retire stale environments (it debounces 150 ms) before a continuous rerun. */
const CONTINUOUS_DELAY_MS = 600;

/** What one finished test said: the suite listens to it; so could a status line. */
export interface EventTestOutcome {
  id: string;
  function: string;
  name: string;
  status: 'passed' | 'failed' | 'errored' | 'skipped';
  message?: string;
  check?: EventCheck;
  mode: 'run' | 'debug';
}

interface Response extends ResponseUnderTest {
  logs: string[];
}

function eventId(fn: string, name: string): string {
  return `event:${fn}/${name}`;
}

function parseEventId(id: string): { fn: string; name: string } | undefined {
  const m = /^event:([^/]+)\/(.+)$/.exec(id);
  return m ? { fn: m[1]!, name: m[2]! } : undefined;
}

export class EventTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  readonly runProfile: vscode.TestRunProfile;
  readonly debugProfile: vscode.TestRunProfile;
  private readonly lastResponse = new Map<string, ResponseUnderTest>();
  private readonly finished = new vscode.EventEmitter<EventTestOutcome>();
  /** Fires for every test that finished (or was skipped), in any run. */
  readonly onDidFinishTest = this.finished.event;
  /** Continuous runs in progress: their request, until cancelled. */
  private readonly watching = new Set<vscode.TestRunRequest>();
  private continuousTimer: NodeJS.Timeout | undefined;
  private readonly changedFiles = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly debug: DebugLauncher,
  ) {
    this.controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'Lambda Workbench events');
    this.controller.refreshHandler = () => this.refresh();
    this.controller.resolveHandler = async (item) => {
      if (!item) this.refresh();
    };
    this.runProfile = this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (r, t) => this.runHandler(r, t, 'run'), true, undefined, true);
    this.debugProfile = this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (r, t) => this.runHandler(r, t, 'debug'), true);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const events = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder ?? ctx.root, `${EVENTS_DIR}/**`));
    const eventsChanged = (uri: vscode.Uri): void => {
      this.refresh();
      this.fileChanged(uri.fsPath);
    };
    this.subscriptions.push(
      this.controller,
      this.finished,
      events,
      events.onDidCreate(eventsChanged),
      events.onDidChange(eventsChanged),
      events.onDidDelete(eventsChanged),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.scheme === 'file') this.fileChanged(doc.uri.fsPath);
      }),
    );
    this.refresh();
  }

  /** The template changed: group locations (the handler's line) may have moved. */
  templateChanged(): void {
    this.refresh();
  }

  /** Re-reads events/ (cheap: a directory listing) and updates the items in place, so results stay attached. */
  refresh(): void {
    const root = join(this.ctx.root, EVENTS_DIR);
    const functions = this.staticFunctions();
    const wanted = new Map<string, string[]>();
    for (const fn of listDirs(root)) {
      const names = listFiles(join(root, fn))
        .filter((f) => f.endsWith('.json') && !f.endsWith(EXPECTED_RESPONSE_SUFFIX))
        .map((f) => f.slice(0, -'.json'.length));
      if (names.length) wanted.set(fn, names);
    }
    this.controller.items.forEach((group) => {
      if (!wanted.has(group.label)) this.controller.items.delete(group.id);
    });
    for (const [fn, names] of wanted) {
      const groupId = `function:${fn}`;
      const where = groupLocation(this.ctx.root, fn, functions, this.ctx.config.templatePath);
      let group = this.controller.items.get(groupId);
      if (!group || group.uri?.fsPath !== where?.uri.fsPath) {
        group = this.controller.createTestItem(groupId, fn, where?.uri);
        this.controller.items.add(group);
      }
      group.range = where?.range;
      group.description = functions.some((f) => f.name === fn) ? undefined : 'not in the template';
      const children: vscode.TestItem[] = [];
      for (const name of names) {
        const id = eventId(fn, name);
        const file = vscode.Uri.file(join(root, fn, `${name}.json`));
        const item = group.children.get(id) ?? this.controller.createTestItem(id, name, file);
        item.range = new vscode.Range(0, 0, 0, 0);
        item.description = existsSync(join(root, fn, `${name}${EXPECTED_RESPONSE_SUFFIX}`)) ? undefined : 'no expected response';
        children.push(item);
      }
      group.children.replace(children);
    }
  }

  private staticFunctions(): StaticFunction[] {
    const template = findTemplate(this.ctx.root, this.ctx.config.templatePath);
    return template ? readTemplateFunctions(template) : [];
  }

  /** The event tests under the given items (groups expand to their events), minus the excluded ones. */
  private collect(include: readonly vscode.TestItem[] | undefined, exclude: readonly vscode.TestItem[] = []): vscode.TestItem[] {
    const excluded = new Set(exclude.map((i) => i.id));
    const out: vscode.TestItem[] = [];
    const visit = (item: vscode.TestItem): void => {
      if (excluded.has(item.id)) return;
      if (parseEventId(item.id)) out.push(item);
      else item.children.forEach(visit);
    };
    if (include) include.forEach(visit);
    else this.controller.items.forEach(visit);
    return out;
  }

  private async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: 'run' | 'debug'): Promise<void> {
    if (request.continuous) {
      // Watch until cancelled; every save (code, event, expected response) reruns the request's tests.
      this.watching.add(request);
      token.onCancellationRequested(() => this.watching.delete(request));
      await this.runTests(new vscode.TestRunRequest(request.include, request.exclude, request.profile), token, mode);
      return;
    }
    await this.runTests(request, token, mode);
  }

  /** Runs the tests of a request in one TestRun, one after another (a function's events share its warm environment). */
  async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: 'run' | 'debug'): Promise<void> {
    const items = this.collect(request.include, request.exclude);
    const run = this.controller.createTestRun(request, mode === 'debug' ? 'Debug saved events' : 'Saved events', true);
    for (const item of items) run.enqueued(item);
    try {
      for (const item of items) {
        if (token.isCancellationRequested) {
          run.skipped(item);
          this.report(item, 'skipped', mode);
          continue;
        }
        await this.runOne(run, item, mode, token);
      }
    } finally {
      run.end();
    }
  }

  private async runOne(run: vscode.TestRun, item: vscode.TestItem, mode: 'run' | 'debug', token: vscode.CancellationToken): Promise<void> {
    const { fn, name } = parseEventId(item.id)!;
    run.started(item);
    const started = Date.now();
    const target = this.targetFor(fn);
    if (!target) {
      const message = new vscode.TestMessage(
        `No function '${fn}' in the template: saved events run as tests for template functions (and handlers invoked in this session).`,
      );
      run.errored(item, message, 0);
      this.report(item, 'errored', mode, String(message.message));
      return;
    }
    try {
      const event = await this.ctx.host.request('events.getSaved', { function: fn, name });
      const response = mode === 'debug' ? await this.debugOnce(target, event, token) : await this.invokeOnce(target, event);
      if (response.logs.length) run.appendOutput(`${response.logs.join('\r\n')}\r\n`, undefined, item);
      const check = await this.ctx.host.request('events.check', { function: fn, name, response: { ...withoutLogs(response) } });
      this.lastResponse.set(item.id, withoutLogs(response));
      const duration = Date.now() - started;
      const expectedUri = vscode.Uri.file(join(this.ctx.root, check.expectedPath));
      if (check.status === 'passed') {
        run.passed(item, duration);
        this.report(item, 'passed', mode, check.message, check);
      } else if (check.status === 'failed') {
        const message =
          check.expectedText !== undefined && check.actualText !== undefined
            ? vscode.TestMessage.diff(check.message, check.expectedText, check.actualText)
            : new vscode.TestMessage(check.message);
        message.contextValue = MISMATCH_CONTEXT;
        // On the event, where its gutter button is: the peek with the diff opens there.
        if (item.uri) message.location = new vscode.Location(item.uri, new vscode.Position(0, 0));
        run.failed(item, message, duration);
        this.report(item, 'failed', mode, check.message, check);
      } else {
        const message = new vscode.TestMessage(check.message);
        message.location = new vscode.Location(expectedUri, new vscode.Position(0, 0));
        run.errored(item, message, duration);
        this.report(item, 'errored', mode, check.message, check);
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      run.errored(item, new vscode.TestMessage(text), Date.now() - started);
      this.report(item, 'errored', mode, text);
    }
  }

  private report(item: vscode.TestItem, status: EventTestOutcome['status'], mode: 'run' | 'debug', message?: string, check?: EventCheck): void {
    const { fn, name } = parseEventId(item.id)!;
    this.finished.fire({ id: item.id, function: fn, name, status, mode, ...(message !== undefined ? { message } : {}), ...(check ? { check } : {}) });
  }

  /** A template function by its logical id; else a handler function the host knows from this session. */
  private targetFor(fn: string): FunctionTarget | undefined {
    if (this.staticFunctions().some((f) => f.name === fn)) return { kind: 'function', name: fn };
    const known = this.ctx.knownFunctions?.find((f) => f.name === fn);
    if (known)
      return known.origin.kind === 'template' ? { kind: 'function', name: fn } : { kind: 'handler', name: fn, handler: known.handler, root: known.codeUri };
    return undefined;
  }

  private async invokeOnce(target: FunctionTarget, event: unknown): Promise<Response> {
    const output = await this.ctx.invoke(target, event);
    return { ...responseOf(output), logs: output.logs };
  }

  /** Under the debugger: a session for the function takes the invoke; else one is started for it. */
  private async debugOnce(target: FunctionTarget, event: unknown, token: vscode.CancellationToken): Promise<Response> {
    if (this.debug.isDebugging(target.name)) return this.invokeOnce(target, event);
    const record = new Promise<InvocationRecord>((resolve, reject) => {
      const done = this.ctx.onDidFinishInvocation((r) => {
        if (r.kind === 'invocation' && r.functionName === target.name && r.trigger === 'debug') {
          done.dispose();
          resolve(r);
        }
      });
      token.onCancellationRequested(() => {
        done.dispose();
        reject(new Error('the debug run was cancelled'));
      });
    });
    if (!(await this.debug.start(target, event))) throw new Error(`could not start debugging ${target.name}`);
    const r = await record;
    return { ...responseOf(r), logs: r.logs };
  }

  /** Writes `<name>.expected.json` from the item's last response (running it first if it never ran); a group accepts each of its events. */
  async acceptExpected(arg: unknown): Promise<string[]> {
    const items = this.itemsOf(arg) ?? (await this.pickItem());
    if (!items?.length) return [];
    const tests = this.collect(items);
    const missing = tests.filter((t) => !this.lastResponse.has(t.id));
    if (missing.length) await this.runTests(new vscode.TestRunRequest(missing, undefined, this.runProfile), new vscode.CancellationTokenSource().token, 'run');
    const written: string[] = [];
    const accepted: vscode.TestItem[] = [];
    for (const test of tests) {
      const response = this.lastResponse.get(test.id);
      if (!response) continue;
      const { fn, name } = parseEventId(test.id)!;
      written.push((await this.ctx.host.request('events.acceptExpected', { function: fn, name, response })).path);
      accepted.push(test);
    }
    if (accepted.length) {
      // The explorer shows the accepted tests as passing against their new files, without invoking again.
      const run = this.controller.createTestRun(new vscode.TestRunRequest(accepted, undefined, this.runProfile), 'Accepted as expected', false);
      for (const test of accepted) {
        const { fn, name } = parseEventId(test.id)!;
        const check = await this.ctx.host.request('events.check', { function: fn, name, response: this.lastResponse.get(test.id)! });
        if (check.status === 'passed') run.passed(test);
        test.description = undefined;
      }
      run.end();
      void vscode.window.showInformationMessage(
        written.length === 1 ? `Saved the expected response: ${written[0]}` : `Saved ${written.length} expected responses under ${EVENTS_DIR}/.`,
      );
    }
    return written;
  }

  /** Test items from a command argument: a TestItem (Test Explorer menu), `{test, message}` (peek), or an event id. */
  private itemsOf(arg: unknown): vscode.TestItem[] | undefined {
    const find = (id: string): vscode.TestItem | undefined => {
      const parsed = parseEventId(id);
      const group = this.controller.items.get(parsed ? `function:${parsed.fn}` : id);
      return parsed ? group?.children.get(id) : group;
    };
    if (typeof arg === 'string') return [find(arg)].filter((i): i is vscode.TestItem => !!i);
    if (arg && typeof arg === 'object') {
      const value = arg as { id?: unknown; test?: { id?: unknown } };
      const id = typeof value.id === 'string' ? value.id : typeof value.test?.id === 'string' ? value.test.id : undefined;
      if (id) return [find(id)].filter((i): i is vscode.TestItem => !!i);
    }
    return undefined;
  }

  private async pickItem(): Promise<vscode.TestItem[] | undefined> {
    const tests = this.collect(undefined);
    const picked = await vscode.window.showQuickPick(
      tests.map((t) => ({
        label: t.label,
        description: parseEventId(t.id)!.fn,
        detail: this.lastResponse.has(t.id) ? 'last response' : 'runs it first',
        test: t,
      })),
      { title: 'Accept Result as Expected', placeHolder: 'Saved event whose response becomes its expected response' },
    );
    return picked ? [picked.test] : undefined;
  }

  /** A saved file under the workspace: continuous runs rerun their tests (just the event's, for an event or expected file). */
  private fileChanged(path: string): void {
    if (this.watching.size === 0 || path.includes(`${join(this.ctx.root, '.lambda-workbench')}`)) return;
    this.changedFiles.add(path);
    if (this.continuousTimer) clearTimeout(this.continuousTimer);
    this.continuousTimer = setTimeout(() => {
      this.continuousTimer = undefined;
      const files = [...this.changedFiles];
      this.changedFiles.clear();
      for (const request of [...this.watching]) void this.rerun(request, files);
    }, CONTINUOUS_DELAY_MS);
  }

  private async rerun(request: vscode.TestRunRequest, files: string[]): Promise<void> {
    const eventsRoot = join(this.ctx.root, EVENTS_DIR);
    const all = this.collect(request.include, request.exclude);
    const onlyEvents = files.every((f) => f.startsWith(`${eventsRoot}/`));
    const tests = onlyEvents
      ? all.filter((t) => {
          const { fn, name } = parseEventId(t.id)!;
          return files.some((f) => f === join(eventsRoot, fn, `${name}.json`) || f === join(eventsRoot, fn, `${name}${EXPECTED_RESPONSE_SUFFIX}`));
        })
      : all;
    if (tests.length === 0) return;
    const mode = request.profile?.kind === vscode.TestRunProfileKind.Debug ? 'debug' : 'run';
    await this.runTests(new vscode.TestRunRequest(tests, undefined, request.profile, true), new vscode.CancellationTokenSource().token, mode);
  }

  dispose(): void {
    if (this.continuousTimer) clearTimeout(this.continuousTimer);
    for (const s of this.subscriptions) s.dispose();
  }
}

function withoutLogs(response: Response): ResponseUnderTest {
  return response.error ? { error: response.error } : { result: response.result };
}

/** The response as a test judges it: a function error is its type and message. */
function responseOf(output: { result?: unknown; error?: { errorType: string; errorMessage: string } }): ResponseUnderTest {
  return output.error ? { error: { errorType: output.error.errorType, errorMessage: output.error.errorMessage } } : { result: output.result ?? null };
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** Where a function's group sits: its handler's export line, else its resource in the template. */
function groupLocation(root: string, fn: string, functions: StaticFunction[], templateSetting: string): { uri: vscode.Uri; range: vscode.Range } | undefined {
  const f = functions.find((x) => x.name === fn);
  if (!f) return undefined;
  const handler = splitHandler(f.handler);
  if (handler && (f.runtimeFamily === 'nodejs' || f.runtimeFamily === 'python')) {
    const python = f.runtimeFamily === 'python';
    const base = join(f.codeUri, python ? handler.modulePath.replace(/\./g, '/') : handler.modulePath);
    for (const ext of python ? ['.py'] : NODE_EXTENSIONS) {
      const file = `${base}${ext}`;
      if (!isFile(file)) continue;
      const exp = findExportedFunctions(readFileSync(file, 'utf8'), python ? 'python' : 'javascript').find((e) => e.name === handler.exportName);
      if (exp) return { uri: vscode.Uri.file(file), range: new vscode.Range(exp.line, 0, exp.line, 0) };
    }
  }
  const template = findTemplate(root, templateSetting);
  if (!template) return undefined;
  const line = findResourceLines(readFileSync(template, 'utf8'), [fn]).get(fn);
  return line === undefined ? undefined : { uri: vscode.Uri.file(template), range: new vscode.Range(line, 0, line, 0) };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
