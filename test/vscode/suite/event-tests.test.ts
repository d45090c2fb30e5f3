// Saved events in the Test Explorer: each function with saved events is a group placed on its handler,
// each event a test; a run passes or fails against events/<Fn>/<name>.expected.json (with a diff of the
// two responses), "Accept Result as Expected" writes that file, the Debug profile runs under the
// debugger, and a continuous run reruns a test when its event changes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { EventTestOutcome } from '../../../extension/event-tests';
import { lineOf, projectFile, waitFor, workbenchApi } from './util';

const ALICE = 'event:HelloJs/alice';
const ALICE_EXPECTED = 'events/HelloJs/alice.expected.json';

async function run(ids: string[], mode: 'run' | 'debug' = 'run'): Promise<EventTestOutcome[]> {
  const api = await workbenchApi();
  const tests = api.eventTests;
  const items = ids.map((id) => {
    const fn = id.replace(/^event:/, '').split('/')[0]!;
    const item = id.startsWith('event:') ? tests.controller.items.get(`function:${fn}`)?.children.get(id) : tests.controller.items.get(id);
    if (!item) throw new Error(`no test item ${id}`);
    return item;
  });
  const outcomes: EventTestOutcome[] = [];
  const sub = tests.onDidFinishTest((o) => outcomes.push(o));
  try {
    const profile = mode === 'debug' ? tests.debugProfile : tests.runProfile;
    // What VS Code calls when the Test Explorer's (or the gutter's) run button is pressed.
    await profile.runHandler(new vscode.TestRunRequest(items, undefined, profile), new vscode.CancellationTokenSource().token);
  } finally {
    sub.dispose();
  }
  return outcomes;
}

suite('saved events as tests', () => {
  suiteTeardown(() => {
    for (const f of [ALICE_EXPECTED, 'events/GreetTs/bob.expected.json']) rmSync(projectFile(f), { force: true });
  });

  test('each function with saved events is a group on its handler line; each event a test on its file', async () => {
    const { eventTests } = await workbenchApi();
    const groups: { id: string; label: string; file?: string; line?: number; children: string[] }[] = [];
    eventTests.controller.items.forEach((g) => {
      const children: string[] = [];
      g.children.forEach((c) => {
        children.push(c.id);
        assert.equal(c.uri?.fsPath, projectFile(`events/${g.label}/${c.label}.json`));
        assert.equal(c.description, 'no expected response');
      });
      groups.push({ id: g.id, label: g.label, file: g.uri?.fsPath, line: g.range?.start.line, children });
    });
    groups.sort((a, b) => a.label.localeCompare(b.label));
    assert.deepEqual(groups, [
      {
        id: 'function:GreetTs',
        label: 'GreetTs',
        file: projectFile('src/greet.ts'),
        line: lineOf('src/greet.ts', 'export const handler'),
        children: ['event:GreetTs/bob'],
      },
      { id: 'function:HelloJs', label: 'HelloJs', file: projectFile('src/hello.js'), line: lineOf('src/hello.js', 'exports.handler'), children: [ALICE] },
    ]);
  });

  test('a run without an expected response passes when the function succeeds', async () => {
    const outcomes = await run([ALICE]);
    assert.deepEqual(
      outcomes.map((o) => [o.id, o.status, o.mode]),
      [[ALICE, 'passed', 'run']],
    );
    assert.equal(outcomes[0]!.check?.hasExpected, false);
  });

  test('a response that differs from the expected one fails with both sides for the diff view; Accept makes it pass', async () => {
    writeFileSync(
      projectFile(ALICE_EXPECTED),
      JSON.stringify({ $ignore: ['functionName'], result: { message: 'Hi, Alice!', functionName: 'anything' } }, null, 2),
    );
    const [failed] = await run([ALICE]);
    assert.equal(failed?.status, 'failed', failed?.message);
    assert.equal(failed.message, '1 difference: message: expected "Hi, Alice!", got "Hello, Alice!"');
    assert.equal(failed.check?.expectedText, '{\n  "functionName": "HelloJs",\n  "message": "Hi, Alice!"\n}\n');
    assert.equal(failed.check?.actualText, '{\n  "functionName": "HelloJs",\n  "message": "Hello, Alice!"\n}\n');

    // The peek's "Accept Result as Expected" passes {test, message}; the Test Explorer's menu the item.
    const { eventTests } = await workbenchApi();
    const item = eventTests.controller.items.get('function:HelloJs')!.children.get(ALICE)!;
    const written = await vscode.commands.executeCommand<string[]>('lambdaWorkbench.acceptExpected', { test: item, message: {} });
    assert.deepEqual(written, [ALICE_EXPECTED]);
    assert.deepEqual(JSON.parse(readFileSync(projectFile(ALICE_EXPECTED), 'utf8')), {
      $ignore: ['functionName'],
      result: { message: 'Hello, Alice!', functionName: 'HelloJs' },
    });
    const [again] = await run([ALICE]);
    assert.equal(again?.status, 'passed', again?.message);
    assert.equal(again.message, `matches ${ALICE_EXPECTED} (ignoring functionName)`);
    await waitFor('the item to lose its "no expected response" note', () => item.description === undefined);
  });

  test('running a group runs its events; a function error against an expected result fails', async () => {
    writeFileSync(projectFile('events/GreetTs/bob.expected.json'), JSON.stringify({ error: { errorType: 'ValidationError' } }));
    const outcomes = await run(['function:GreetTs']);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'failed');
    assert.match(
      outcomes[0]!.message!,
      /^1 difference: response: expected \{"error":\{"errorType":"ValidationError"\}\}, got \{"result":\{"greeting":"Hello, Bob!"\}\}$/,
    );
  });

  test('the Debug profile runs the event under the debugger and judges it the same way', async () => {
    try {
      const outcomes = await run([ALICE], 'debug');
      assert.deepEqual(
        outcomes.map((o) => [o.status, o.mode]),
        [['passed', 'debug']],
        outcomes[0]?.message,
      );
      assert.ok(vscode.debug.activeDebugSession, 'a debug session ran it');
    } finally {
      await vscode.debug.stopDebugging();
    }
  });

  test('a continuous run reruns a test when its event file changes', async () => {
    const { eventTests } = await workbenchApi();
    const item = eventTests.controller.items.get('function:HelloJs')!.children.get(ALICE)!;
    const cancel = new vscode.CancellationTokenSource();
    const outcomes: EventTestOutcome[] = [];
    const sub = eventTests.onDidFinishTest((o) => outcomes.push(o));
    try {
      await eventTests.runProfile.runHandler(new vscode.TestRunRequest([item], undefined, eventTests.runProfile, true), cancel.token);
      assert.equal(outcomes.length, 1, 'the first run');
      writeFileSync(projectFile('events/HelloJs/alice.json'), '{ "name": "Zed" }\n');
      const rerun = await waitFor('the rerun after the event changed', () => outcomes[1]);
      assert.equal(rerun.id, ALICE);
      assert.equal(rerun.status, 'failed', 'the expected response still says Alice');
      assert.match(rerun.message!, /expected "Hello, Alice!", got "Hello, Zed!"/);
    } finally {
      cancel.cancel();
      sub.dispose();
      writeFileSync(projectFile('events/HelloJs/alice.json'), '{\n  "name": "Alice"\n}\n');
    }
    // Cancelled: changes no longer run anything.
    const count = outcomes.length;
    writeFileSync(projectFile('events/HelloJs/alice.json'), '{\n  "name": "Alice"\n}\n');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(outcomes.length, count);
  });

  test('events/ is watched: a new event appears as a test, a deleted one goes', async () => {
    const { eventTests } = await workbenchApi();
    writeFileSync(projectFile('events/HelloJs/carol.json'), '{"name":"Carol"}');
    try {
      await waitFor('the new event as a test', () => eventTests.controller.items.get('function:HelloJs')?.children.get('event:HelloJs/carol'));
      assert.equal(existsSync(projectFile('events/HelloJs/carol.expected.json')), false);
    } finally {
      rmSync(projectFile('events/HelloJs/carol.json'), { force: true });
    }
    await waitFor('the deleted event to go', () => !eventTests.controller.items.get('function:HelloJs')?.children.get('event:HelloJs/carol'));
  });
});
