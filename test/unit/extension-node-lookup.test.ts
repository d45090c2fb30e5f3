// The extension runs the host with the user's node: the setting, else `node` on PATH; when neither
// works the user gets a message saying what was looked for and a "Set path" action, never a stack.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findNode, HostUnavailableError, parseReadyLine } from '../../extension/node-lookup';

const dir = mkdtempSync(join(tmpdir(), 'lwb-node-lookup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, mode);
  return p;
}

test('the setting wins when it names an executable file', () => {
  const node = file('my-node', 0o755);
  assert.equal(findNode(node, ''), node);
});

test('a setting that is not executable is a user error with the Set path action', () => {
  const notExecutable = file('not-node', 0o644);
  assert.throws(
    () => findNode(notExecutable, ''),
    (err: unknown) =>
      err instanceof HostUnavailableError &&
      err.message === `lambdaWorkbench.nodePath is set to "${notExecutable}", which is not an executable file.` &&
      err.action === 'setNodePath',
  );
});

test('without a setting, the first executable `node` on PATH', () => {
  const binA = join(dir, 'a');
  const binB = join(dir, 'b');
  for (const d of [binA, binB]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
  }
  writeFileSync(join(binA, 'node'), 'not executable');
  writeFileSync(join(binB, 'node'), '#!/bin/sh\n');
  chmodSync(join(binB, 'node'), 0o755);
  assert.equal(findNode('', `${join(dir, 'missing')}:${binA}:${binB}`), join(binB, 'node'));
});

test('no node anywhere: a clear message, a hint, and the Set path action', () => {
  assert.throws(
    () => findNode('', join(dir, 'missing')),
    (err: unknown) =>
      err instanceof HostUnavailableError &&
      err.message === 'Lambda Workbench needs Node.js to run functions, and no `node` was found on PATH.' &&
      err.hint === 'Install Node.js 20 or newer, or set lambdaWorkbench.nodePath to its binary.' &&
      err.action === 'setNodePath',
  );
});

test('the ready line is recognised; other stdout lines are not', () => {
  const line = '{"event":"ready","ws":"ws://127.0.0.1:5000","token":"t0ken-t0ken-t0ken","invokeApi":"http://127.0.0.1:5001","httpApi":"http://127.0.0.1:5002"}';
  assert.deepEqual(parseReadyLine(line), {
    event: 'ready',
    ws: 'ws://127.0.0.1:5000',
    token: 't0ken-t0ken-t0ken',
    invokeApi: 'http://127.0.0.1:5001',
    httpApi: 'http://127.0.0.1:5002',
  });
  assert.equal(parseReadyLine('{"event":"starting"}'), undefined);
  assert.equal(parseReadyLine('{"event":"ready","ws":5}'), undefined);
  assert.equal(parseReadyLine('{"event":"ready"'), undefined);
  assert.equal(parseReadyLine('listening on 5000'), undefined);
});
