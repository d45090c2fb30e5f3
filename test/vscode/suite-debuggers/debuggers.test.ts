// Go and Ruby breakpoints through the `lambda-workbench` debug type, with no Go or Ruby extension in
// VS Code: the host runs the function under Delve's headless server or the debug gem's rdbg server,
// and VS Code connects to them as debug adapters. A breakpoint in the handler stops the debug run,
// its variables read; held past the function's 2 s timeout it does not time out (the clock stops
// while paused); continuing finishes the run. Runs on test/fixtures/debuggers-project
// (test/vscode/debuggers.test.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lineOf, nextFinished, nextStarted, projectFile, screenshot, sleep, StopWatcher, waitFor, workbenchApi, type Stop } from '../suite/util';

interface Frame {
  id: number;
  name: string;
  line: number;
  source?: { path?: string; presentationHint?: string };
  presentationHint?: string;
}

async function frames(stop: Stop): Promise<Frame[]> {
  const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 20 })) as { stackFrames: Frame[] };
  return trace.stackFrames;
}

function pathOf(frame: Frame | undefined): string {
  const raw = frame?.source?.path ?? '';
  return raw.includes('://') ? vscode.Uri.parse(raw).path : raw;
}

/** The variables of a frame's first scope (its locals), name → value as the debugger shows it. */
async function locals(stop: Stop, frame: Frame): Promise<Record<string, string>> {
  const { scopes } = (await stop.session.customRequest('scopes', { frameId: frame.id })) as { scopes: { variablesReference: number }[] };
  const { variables } = (await stop.session.customRequest('variables', { variablesReference: scopes[0]!.variablesReference })) as {
    variables: { name: string; value: string }[];
  };
  return Object.fromEntries(variables.map((v) => [v.name, v.value]));
}

const LANGUAGES = [
  {
    language: 'Go',
    fn: 'HelloGo',
    file: 'go/main.go',
    marker: '// BREAKPOINT',
    sessionType: 'lambda-workbench-go',
    event: { name: 'Gopher' },
    // Through a debug launch (F5 with a launch configuration), naming a saved event.
    start: () =>
      vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
        type: 'lambda-workbench',
        request: 'launch',
        name: 'Debug HelloGo',
        function: 'HelloGo',
        event: 'gopher',
      }),
    name: '"Gopher"',
    result: { greeting: 'Hello, Gopher!', language: 'go' },
  },
  {
    language: 'Ruby',
    fn: 'HelloRuby',
    file: 'rb/app.rb',
    marker: '# BREAKPOINT',
    sessionType: 'lambda-workbench-ruby',
    event: { name: 'Rubyist' },
    // Through the command the CodeLens and the palette run.
    start: () =>
      vscode.commands.executeCommand<boolean>('lambdaWorkbench.debugFunction', { kind: 'function', name: 'HelloRuby' }, { event: { name: 'Rubyist' } }),
    name: '"Rubyist"',
    result: { greeting: 'Hello, Rubyist!', language: 'ruby', function: 'HelloRuby' },
  },
] as const;

suite('debuggers: Go (Delve) and Ruby (rdbg) through the lambda-workbench debug type', () => {
  let watcher: StopWatcher;
  const live = new Map<string, vscode.DebugSession>();
  const lifecycle = [vscode.debug.onDidStartDebugSession((s) => live.set(s.id, s)), vscode.debug.onDidTerminateDebugSession((s) => live.delete(s.id))];

  suiteSetup(async () => {
    await workbenchApi();
    watcher = new StopWatcher(180_000);
  });

  suiteTeardown(async () => {
    watcher?.dispose();
    await vscode.debug.stopDebugging();
    for (const d of lifecycle) d.dispose();
  });

  teardown(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.debug.stopDebugging();
    try {
      await waitFor('debug sessions to end', () => live.size === 0, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; still running: ${[...live.values()].map((s) => `${s.name} (${s.type})`).join(', ')}`);
    }
  });

  for (const lang of LANGUAGES) {
    test(`${lang.language}: a breakpoint in the handler stops the debug run with its variables; held past the timeout it does not time out; continuing finishes it`, async function () {
      this.timeout(300_000);
      const api = await workbenchApi();
      const line = lineOf(lang.file, lang.marker);
      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(projectFile(lang.file)), new vscode.Position(line, 0)))]);
      await vscode.window.showTextDocument(vscode.Uri.file(projectFile(lang.file)));
      const before = watcher.stops.length;
      const started = nextStarted(api, (r) => r.functionName === lang.fn && r.trigger === 'debug');
      const finished = nextFinished(api, (r) => r.functionName === lang.fn && r.trigger === 'debug');
      assert.equal(await lang.start(), true);

      const stop = await watcher.next(before + 1);
      assert.equal(stop.session.type, lang.sessionType, 'no language extension: our own session connected to the debugger in the environment');
      assert.equal(stop.reason, 'breakpoint');
      assert.equal(stop.session.name, lang.fn, 'named after the function');
      const stack = await frames(stop);
      assert.equal(pathOf(stack[0]), projectFile(lang.file));
      assert.equal(stack[0]!.line, line + 1);
      const vars = await locals(stop, stack[0]!);
      assert.equal(vars.name, lang.name, `locals: ${JSON.stringify(vars)}`);
      // Under the handler: the runtime's frames (Ruby: our bootstrap) are shown folded, never as the user's.
      for (const f of stack.slice(1).filter((x) => pathOf(x).includes('/dist/runtime/'))) {
        assert.equal(f.source?.presentationHint, 'deemphasize', `${f.name} in ${pathOf(f)}`);
      }
      await sleep(1_000); // the Variables view fills in
      await screenshot(`${lang.language.toLowerCase()}-stopped-at-breakpoint`);

      // Held at the breakpoint 1.5× the function's 2 s timeout: still running.
      const record = await started;
      const pausedAt = Date.now();
      await sleep(3_000);
      const whilePaused = await api.ctx.host.request('getInvocation', { id: record.id });
      assert.equal(whilePaused.status, 'running', 'the timeout must not fire while the debugger holds the function');
      const heldMs = Date.now() - pausedAt;
      assert.equal(whilePaused.cold, true, 'announced as the cold start it is while it runs');

      await stop.session.customRequest('continue', { threadId: stop.threadId });
      const done = await finished;
      assert.equal(done.status, 'success', JSON.stringify(done.error));
      assert.deepEqual(done.result, lang.result);
      assert.equal(done.cold, true);
      assert.ok((done.pausedMs ?? 0) >= heldMs - 300, `pausedMs ${done.pausedMs} should cover the ${heldMs} ms held`);
      assert.ok((done.durationMs ?? Infinity) < 2_000, `duration ${done.durationMs} ms counts active time only`);
    });
  }

  test('a function with nothing to debug it: one message, and the session ends instead of waiting', async function () {
    this.timeout(120_000);
    const outputs: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('lambda-workbench', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { output?: string } }) => {
          if (m.type === 'event' && m.event === 'output' && m.body?.output) outputs.push(m.body.output);
        },
      }),
    });
    try {
      assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'HelloShell' }, { event: {} }), true);
      await waitFor('the session to end', () => ![...live.values()].some((s) => s.type === 'lambda-workbench'), 60_000);
      await sleep(500); // the notification shows
      const said = outputs.join('');
      assert.match(said, /breakpoints in custom runtimes work for Go functions only: 'HelloShell' runs its own bootstrap/);
      await screenshot('nothing-to-debug-message');
    } finally {
      tracker.dispose();
    }
  });

  test('a Java function without the Debugger for Java: one message naming the extension, and nothing started', async function () {
    this.timeout(120_000);
    assert.equal(vscode.extensions.getExtension('vscjava.vscode-java-debug'), undefined, 'this VS Code has no Java debugger');
    const outputs: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('lambda-workbench', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { output?: string } }) => {
          if (m.type === 'event' && m.event === 'output' && m.body?.output) outputs.push(m.body.output);
        },
      }),
    });
    try {
      assert.equal(await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'HelloJava' }, { event: {} }), true);
      await waitFor('the session to end', () => ![...live.values()].some((s) => s.type === 'lambda-workbench'), 60_000);
      await sleep(500);
      assert.match(outputs.join(''), /breakpoints in java21 functions need VS Code's Debugger for Java \(vscjava\.vscode-java-debug\)/);
      assert.ok(!outputs.join('').includes('Starting HelloJava'), 'no environment was started');
      await screenshot('java-debugger-missing');
    } finally {
      tracker.dispose();
    }
  });
});
