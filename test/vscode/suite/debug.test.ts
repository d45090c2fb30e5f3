// Debugging: a `lambda-workbench` session attaches VS Code's JavaScript debugger to the function's
// environment; a breakpoint in the TypeScript source binds on the first invocation (source maps) and
// stops there; while paused the timeout clock stands still, and it runs again after continuing.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { InvokeOutput } from '../../../runtime-host/protocol';
import { lineOf, nextFinished, nextStarted, projectFile, screenshot, sleep, StopWatcher, waitFor, workbenchApi, type Stop } from './util';

async function stackFrames(stop: Stop): Promise<{ name: string; path: string; hint: string | undefined }[]> {
  const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 50 })) as {
    stackFrames: { name: string; presentationHint?: string; source?: { path?: string; presentationHint?: string } }[];
  };
  return trace.stackFrames.map((f) => ({ name: f.name, path: f.source?.path ?? '', hint: f.source?.presentationHint ?? f.presentationHint }));
}

async function topFrame(stop: Stop): Promise<{ path: string; line: number }> {
  const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 })) as {
    stackFrames: { line: number; source?: { path?: string } }[];
  };
  const frame = trace.stackFrames[0];
  // In a remote (server) workbench the adapter's paths come back as vscode-remote:// URIs.
  const raw = frame?.source?.path ?? '';
  return { path: raw.includes('://') ? vscode.Uri.parse(raw).path : raw, line: frame?.line ?? -1 };
}

suite('debug', () => {
  const pyFile = 'py/app.py';
  const file = 'src/greet.ts';
  let breakpoint: vscode.SourceBreakpoint;
  let pyBreakpoint: vscode.SourceBreakpoint;
  let originalSource: string | undefined;
  let watcher: StopWatcher;
  const live = new Map<string, vscode.DebugSession>();
  const lifecycle = [vscode.debug.onDidStartDebugSession((s) => live.set(s.id, s)), vscode.debug.onDidTerminateDebugSession((s) => live.delete(s.id))];

  suiteSetup(async () => {
    await workbenchApi();
    originalSource = readFileSync(projectFile(file), 'utf8');
    breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(projectFile(file)), new vscode.Position(lineOf(file, '// BREAKPOINT'), 0)));
    pyBreakpoint = new vscode.SourceBreakpoint(
      new vscode.Location(vscode.Uri.file(projectFile(pyFile)), new vscode.Position(lineOf(pyFile, '# PY-BREAKPOINT'), 0)),
    );
    vscode.debug.addBreakpoints([breakpoint, pyBreakpoint]);
    watcher = new StopWatcher();
  });

  suiteTeardown(async () => {
    // Whatever happened in the code-change test, later suites get the handler as it was.
    if (originalSource !== undefined && readFileSync(projectFile(file), 'utf8') !== originalSource) writeFileSync(projectFile(file), originalSource);
    vscode.debug.removeBreakpoints([breakpoint, pyBreakpoint]);
    watcher?.dispose();
    await vscode.debug.stopDebugging();
    for (const d of lifecycle) d.dispose();
  });

  teardown(async () => {
    await vscode.debug.stopDebugging();
    try {
      await waitFor('debug sessions to end', () => live.size === 0, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; still running: ${[...live.values()].map((s) => `${s.name} (${s.type})`).join(', ')}`);
    }
  });

  test('a breakpoint in the .ts handler stops the first invocation, and continuing finishes it', async () => {
    const api = await workbenchApi();
    const before = watcher.stops.length;
    const finished = nextFinished(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'GreetTs' }, { event: { name: 'Debugger' } }),
      true,
    );
    const stop = await watcher.next(before + 1);
    assert.equal(stop.reason, 'breakpoint');
    const frame = await topFrame(stop);
    assert.equal(frame.path, projectFile(file), 'stopped in the TypeScript source, not the compiled JS');
    assert.equal(frame.line, lineOf(file, '// BREAKPOINT') + 1);
    // Named after the function; under the handler only the runtime's frames, skipped and two or more in a row (VS Code folds those away).
    assert.equal(stop.session.name, 'GreetTs');
    const below = (await stackFrames(stop)).slice(1);
    assert.ok(below.length >= 2, `frames under the handler: ${JSON.stringify(below)}`);
    assert.deepEqual(
      below.filter((f) => f.hint !== 'deemphasize'),
      [],
      'every frame under the handler is the runtime, skipped',
    );
    await screenshot('debug-stopped-in-greet-ts');
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.deepEqual(record.result, { greeting: 'Hello, Debugger!' });
    assert.equal(record.cold, true);
  });

  test('debugging the function again runs in its live session; debugging another function ends it', async () => {
    const api = await workbenchApi();
    const roots = (): vscode.DebugSession[] => [...live.values()].filter((x) => x.type === 'lambda-workbench');
    let before = watcher.stops.length;
    const first = nextFinished(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'GreetTs' }, { event: { name: 'One' } }),
      true,
    );
    const stop1 = await watcher.next(before + 1);
    await stop1.session.customRequest('continue', { threadId: stop1.threadId });
    assert.deepEqual((await first).result, { greeting: 'Hello, One!' });
    const session = roots();
    assert.equal(session.length, 1);
    assert.match(session[0]!.name, /GreetTs/);

    before = watcher.stops.length;
    const second = nextFinished(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'GreetTs' }, { event: { name: 'Two' } }),
      true,
    );
    const stop2 = await watcher.next(before + 1);
    assert.equal(stop2.session.parentSession?.parentSession?.id, session[0]!.id, 'stopped under the same session');
    await stop2.session.customRequest('continue', { threadId: stop2.threadId });
    const again = await second;
    assert.deepEqual(again.result, { greeting: 'Hello, Two!' });
    assert.equal(again.cold, false, 'the same warm debug environment');
    assert.deepEqual(
      roots().map((x) => x.id),
      [session[0]!.id],
      'still one session',
    );

    const other = nextFinished(api, (r) => r.functionName === 'HelloJs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'HelloJs' }, { event: { name: 'Other' } }),
      true,
    );
    assert.equal((await other).status, 'success');
    await waitFor("GreetTs's session to end", () => !live.has(session[0]!.id), 30_000);
    assert.equal(roots().length, 1);
    assert.match(roots()[0]!.name, /HelloJs/);
  });

  test('paused longer than the 2 s timeout: no timeout while paused; it fires after continuing', async () => {
    const api = await workbenchApi();
    const before = watcher.stops.length;
    const started = nextStarted(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    const finished = nextFinished(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    // After the breakpoint the handler works 10 s: more than its 2 s timeout.
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'GreetTs' }, { event: { name: 'Slow', workMs: 10_000 } }),
      true,
    );
    const stop = await watcher.next(before + 1);
    const record = await started;
    const pausedAt = Date.now();
    // Stay paused for 1.5× the function's timeout.
    await sleep(3_000);
    const whilePaused = await api.ctx.host.request('getInvocation', { id: record.id });
    assert.equal(whilePaused.status, 'running', 'the timeout must not fire while the debugger has the function paused');
    const heldMs = Date.now() - pausedAt;
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const done = await finished;
    assert.equal(done.status, 'timeout');
    assert.match(done.error?.errorMessage ?? '', /Task timed out after 2\.00 seconds/);
    assert.ok((done.pausedMs ?? 0) >= heldMs - 200, `pausedMs ${done.pausedMs} should cover the ${heldMs} ms we held the breakpoint`);
    // Duration (and so billed time) is active time only: the 2 s timeout, not the seconds spent paused.
    const durationMs = done.durationMs ?? -1;
    assert.ok(durationMs >= 1_900 && durationMs < heldMs, `duration ${durationMs} ms should be the 2 s timeout, excluding the ${heldMs} ms paused`);
    // A timeout ends the environment, as in Lambda; the session ends with it (no stopDebugging here).
    await waitFor('the session to end with its environment', () => ![...live.values()].some((x) => x.type === 'lambda-workbench'), 30_000);
  });

  test('Python: debugpy is connected as a debug adapter server; a breakpoint in app.py stops and continuing finishes', async () => {
    const api = await workbenchApi();
    const before = watcher.stops.length;
    const finished = nextFinished(api, (r) => r.functionName === 'PyGreet' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'PyGreet' }, { event: { name: 'Python' } }),
      true,
    );
    const stop = await watcher.next(before + 1);
    assert.equal(stop.session.type, 'lambda-workbench-python', 'no Python extension: our DebugAdapterServer session');
    const frame = await topFrame(stop);
    assert.equal(frame.path, projectFile(pyFile));
    assert.equal(frame.line, lineOf(pyFile, '# PY-BREAKPOINT') + 1);
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.deepEqual(record.result, { greeting: 'Hello, Python!', function: 'PyGreet' });
  });

  test('the session stays attached: after a code change the next invoke runs in a new environment, attached automatically', async function () {
    this.timeout(300_000);
    const api = await workbenchApi();
    const source = projectFile(file);
    const original = readFileSync(source, 'utf8');
    let before = watcher.stops.length;
    const first = nextFinished(api, (r) => r.functionName === 'GreetTs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'GreetTs' }, { event: { name: 'One' } }),
      true,
    );
    const stop1 = await watcher.next(before + 1);
    await stop1.session.customRequest('continue', { threadId: stop1.threadId });
    assert.deepEqual((await first).result, { greeting: 'Hello, One!' });

    // The host's own signal: it saw the code change and retired the function's environments.
    const changed = new Promise<void>((resolve) => {
      const sub = api.ctx.host.on('functions.changed', () => {
        sub.dispose();
        resolve();
      });
    });
    try {
      // Same line for the breakpoint, different greeting.
      writeFileSync(source, original.replace('`Hello, ${name}!`', '`Hi, ${name}!`'));
      await changed;
      before = watcher.stops.length;
      // A plain invoke (as from the CodeLens) while the session lasts goes to a debug environment.
      const output = Promise.resolve(
        vscode.commands.executeCommand<InvokeOutput>(
          'lambdaWorkbench.invokeFunction',
          { kind: 'function', name: 'GreetTs' },
          { event: { name: 'Two' }, quiet: true },
        ),
      );
      const stop2 = await watcher.next(before + 1);
      assert.notEqual(stop2.session.parentSession?.id, stop1.session.parentSession?.id, 'a new environment, a new attach session');
      const frame2 = await topFrame(stop2);
      await stop2.session.customRequest('continue', { threadId: stop2.threadId });
      const result = await output;
      assert.deepEqual(result?.result, { greeting: 'Hi, Two!' });
      assert.equal(result?.cold, true);
      assert.equal(frame2.path, source);
      assert.equal(stop2.reason, 'breakpoint');
      // In the new environment js-debug (VS Code 1.100.3) has been seen to bind the source-mapped
      // breakpoint at the next statement; the stop is in the .ts source either way. Known issue.
      const bpLine = lineOf(file, '// BREAKPOINT') + 1;
      assert.ok(frame2.line === bpLine || frame2.line === bpLine + 1, `stopped at ${frame2.path}:${frame2.line}, breakpoint on ${bpLine}`);
    } finally {
      const restored = new Promise<void>((resolve) => {
        const sub = api.ctx.host.on('functions.changed', () => {
          sub.dispose();
          resolve();
        });
      });
      writeFileSync(source, original);
      await Promise.race([restored, sleep(30_000)]);
    }
  });

  test('a launch configuration of type lambda-workbench with a saved event name runs the function', async () => {
    const api = await workbenchApi();
    const finished = nextFinished(api, (r) => r.functionName === 'HelloJs' && r.trigger === 'debug');
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'lambda-workbench',
      request: 'launch',
      name: 'Debug HelloJs (alice)',
      function: 'HelloJs',
      event: 'alice',
    });
    assert.equal(started, true);
    const record = await finished;
    assert.equal(record.status, 'success');
    assert.deepEqual(record.event, { name: 'Alice' });
    assert.deepEqual(record.result, { message: 'Hello, Alice!', functionName: 'HelloJs' });
  });

  test('a session ends with the host: a restarted host has none of the environments it debugged', async () => {
    const api = await workbenchApi();
    const finished = nextFinished(api, (r) => r.functionName === 'HelloJs' && r.trigger === 'debug');
    assert.equal(
      await vscode.commands.executeCommand('lambdaWorkbench.debugFunction', { kind: 'function', name: 'HelloJs' }, { event: { name: 'Host' } }),
      true,
    );
    assert.equal((await finished).status, 'success');
    assert.ok([...live.values()].some((x) => x.type === 'lambda-workbench'));
    await api.ctx.host.restart();
    await waitFor('the session to end with the host', () => ![...live.values()].some((x) => x.type === 'lambda-workbench'), 30_000);
  });
});
