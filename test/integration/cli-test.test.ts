// Saved events as tests from the command line and over the protocol: `lambda-workbench test` on a copy of
// test/fixtures/event-tests-project (real environments; a summary or JUnit XML; exit 0/1/2), and the
// `events.check` / `events.acceptExpected` methods the Test Explorer uses on the same files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EventTestsSource } from '../../runtime-host/events/event-tests';
import { SavedEventsSource } from '../../runtime-host/events/saved-events';
import type { HostContext, MethodHandlers } from '../../runtime-host/host-context';

const CLI = join(__dirname, '../../dist/cli.js');
const FIXTURE = join(__dirname, '../fixtures/event-tests-project');
const scratch = mkdtempSync(join(tmpdir(), 'lw-cli-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
function project(): string {
  const dir = join(scratch, `p${copies++}`);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('every saved event runs; a mismatch and an event of no function fail the run (exit 1) with a summary', async () => {
  const root = project();
  const run = await cli(['test'], root);
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stdout.replace(/\d+ ms$/gm, 'N ms').split('\n');
  assert.deepEqual(lines.slice(0, -2), [
    'Ghost',
    '  ! orphan N ms',
    "      no function 'Ghost' in the template (events/Ghost/ names one)",
    '',
    'Greeter',
    '  ✓ ada N ms',
    '  ✗ bob N ms',
    '      differs from events/Greeter/bob.expected.json:',
    '        body.message: expected "Hi, Bob!", got "Hello, Bob!"',
    '  ✓ smoke (no expected response) N ms',
    '',
    'Thrower',
    '  ✓ missing-name N ms',
    '  ✓ named (no expected response) N ms',
    '',
  ]);
  assert.match(lines.at(-2)!, /^4 passed, 1 failed, 1 error \(6 events of 3 functions\) in \d+\.\d\d s$/);
  // Progress on stderr, one line per event.
  assert.equal(run.stderr.split('\n').filter((l) => /^test: \[\d\/6\] /.test(l)).length, 6, run.stderr);
});

test('--reporter junit: JUnit XML on stdout with a testsuite per function', async () => {
  const root = project();
  const run = await cli(['test', '--reporter', 'junit', '--function', 'Greeter', '--function', 'Thrower'], root);
  assert.equal(run.code, 1, run.stderr);
  const x = run.stdout;
  assert.match(x, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="lambda-workbench" tests="5" failures="1" errors="0" time="[\d.]+">\n/);
  assert.match(x, /<testsuite name="Greeter" tests="3" failures="1" errors="0" skipped="0" time="[\d.]+">/);
  assert.match(x, /<testsuite name="Thrower" tests="2" failures="0" errors="0" skipped="0" time="[\d.]+">/);
  assert.match(x, /<testcase classname="Greeter" name="ada" file="events\/Greeter\/ada\.json" time="[\d.]+"\/>/);
  const bob =
    /<testcase classname="Greeter" name="bob"[^>]*>\n\s*<failure message="([^"]*)" type="ResponseMismatch">([\s\S]*?)<\/failure>\n\s*<system-out>([\s\S]*?)<\/system-out>/.exec(
      x,
    );
  assert.ok(bob, x);
  assert.equal(bob[1], '1 difference: body.message: expected &quot;Hi, Bob!&quot;, got &quot;Hello, Bob!&quot;');
  // The diff body shows the response body expanded, the ignored timestamp equal on both sides.
  const q = '&quot;';
  const sides = new RegExp(
    `^expected:\\n\\{\\n {2}${q}body${q}: \\{\\n {4}${q}message${q}: ${q}Hi, Bob!${q},\\n {4}${q}timestamp${q}: ${q}([^&]+)${q}[\\s\\S]*\\nactual:\\n\\{\\n {2}${q}body${q}: \\{\\n {4}${q}message${q}: ${q}Hello, Bob!${q},\\n {4}${q}timestamp${q}: ${q}\\1${q}`,
  );
  assert.match(bob[2]!, sides);
  assert.match(bob[3]!, /^START RequestId: [\w-]+ Version: \$LATEST\n[\s\S]*REPORT RequestId:/);
  assert.equal(x.trimEnd().split('\n').at(-1), '</testsuites>');
});

test('all passing: exit 0; --function narrows the run', async () => {
  const run = await cli(['test', '--function', 'Thrower'], project());
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /^Thrower\n {2}✓ missing-name \d+ ms\n {2}✓ named \(no expected response\) \d+ ms\n\n2 passed, 0 failed \(2 events of 1 function\) in/,
  );
});

test('usage errors exit 2 with one message: reporter, unknown function, no saved events, stray argument', async () => {
  const root = project();
  const cases: [string[], RegExp][] = [
    [['test', '--reporter', 'tap'], /^lambda-workbench: --reporter must be text or junit, got 'tap'\nusage: lambda-workbench test/],
    [['test', '--function', 'Nope'], /^lambda-workbench: no function 'Nope' in the template and no events\/Nope\/ folder \(functions: Greeter, Thrower\)\n$/],
    [['test', 'Greeter'], /^lambda-workbench: unexpected argument 'Greeter'/],
    [['test', '--root', 'missing'], /^lambda-workbench: --root: 'missing' is not a directory\n$/],
  ];
  for (const [args, expected] of cases) {
    const run = await cli(args, root);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, expected);
    assert.equal(run.stdout, '');
  }
  rmSync(join(root, 'events'), { recursive: true });
  const none = await cli(['test'], root);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no saved events under .*events \(an event is events\/<Function>\/<name>\.json\)/);
  mkdirSync(join(root, 'events', 'Greeter'), { recursive: true });
  const noneForFn = await cli(['test', '--function', 'Thrower'], root);
  assert.equal(noneForFn.code, 2);
  assert.match(noneForFn.stderr, /function 'Thrower' has no saved events \(save one under events\/Thrower\/\)/);
});

async function sources(root: string): Promise<Required<Pick<MethodHandlers, 'events.check' | 'events.acceptExpected' | 'events.listSaved' | 'events.save'>>> {
  const tests = new EventTestsSource();
  const saved = new SavedEventsSource();
  await tests.start({ root } as HostContext);
  await saved.start({ root } as HostContext);
  return { ...tests.methods(), ...saved.methods() } as never;
}

test('events.check and events.acceptExpected: judge a response, write the file keeping $ignore, refuse paths outside', async () => {
  const root = project();
  const m = await sources(root);
  const body = (message: string, t: string) => JSON.stringify({ message, timestamp: t });
  const response = { result: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: body('Hello, Bob!', 'now') } };

  const before = await m['events.check']({ function: 'Greeter', name: 'bob', response });
  assert.equal(before.status, 'failed');
  assert.equal(before.hasExpected, true);
  assert.equal(before.expectedPath, 'events/Greeter/bob.expected.json');
  assert.deepEqual(before.differences, [{ path: 'body.message', kind: 'changed', expected: 'Hi, Bob!', actual: 'Hello, Bob!' }]);
  assert.match(before.expectedText!, /"message": "Hi, Bob!",\n {4}"timestamp": "now"/);

  assert.deepEqual(await m['events.acceptExpected']({ function: 'Greeter', name: 'bob', response }), { path: 'events/Greeter/bob.expected.json' });
  const written = JSON.parse(readFileSync(join(root, 'events/Greeter/bob.expected.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(written), ['$ignore', 'result'], 'the $ignore list is kept, first');
  assert.deepEqual(written.$ignore, ['body.timestamp']);
  const after = await m['events.check']({ function: 'Greeter', name: 'bob', response: { result: { ...response.result, body: body('Hello, Bob!', 'later') } } });
  assert.equal(after.status, 'passed');
  assert.equal(after.message, 'matches events/Greeter/bob.expected.json (ignoring body.timestamp)');

  // No file yet: success passes, a function error fails; accepting an error pins it.
  const smoke = await m['events.check']({ function: 'Greeter', name: 'smoke', response: { result: 1 } });
  assert.equal(smoke.status, 'passed');
  assert.equal(smoke.hasExpected, false);
  const thrown = { error: { errorType: 'TypeError', errorMessage: 'boom' } };
  const failed = await m['events.check']({ function: 'Greeter', name: 'smoke', response: thrown });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.message, 'TypeError: boom');
  await m['events.acceptExpected']({ function: 'Greeter', name: 'smoke', response: thrown });
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'events/Greeter/smoke.expected.json'), 'utf8')), thrown);
  assert.equal((await m['events.check']({ function: 'Greeter', name: 'smoke', response: thrown })).status, 'passed');

  // An unusable expected file is an error of the test, not a failure of the function.
  writeFileSync(join(root, 'events/Greeter/ada.expected.json'), '{"$ignore": []}');
  const broken = await m['events.check']({ function: 'Greeter', name: 'ada', response: { result: 1 } });
  assert.equal(broken.status, 'error');
  assert.match(broken.message, /events\/Greeter\/ada\.expected\.json must have exactly one of "result" and "error"/);

  // Expected files are not saved events, and no event may be named like one.
  const listed = await m['events.listSaved']({ function: 'Greeter' });
  assert.deepEqual(
    listed.map((e) => e.name),
    ['ada', 'bob', 'smoke'],
  );
  await assert.rejects(m['events.save']({ function: 'Greeter', name: 'ada.expected', event: {} }), /invalid event name 'ada\.expected'/);
  await assert.rejects(m['events.acceptExpected']({ function: '..', name: 'x', response: { result: 1 } }), /invalid function name/);
  await assert.rejects(m['events.check']({ function: 'Greeter', name: '../x', response: { result: 1 } }), /invalid event name/);
  assert.equal(existsSync(join(root, 'events/x.expected.json')), false);
});
