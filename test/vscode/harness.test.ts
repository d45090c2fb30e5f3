// The real-VS-Code harness itself: the cached server install, a workbench of a plain folder with our
// extension loaded and active, the test-runner extension's reporting (pass, fail, pending; bdd and tdd),
// a palette command, a screenshot, and a shutdown that leaves no process behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ensureVscode, extensionId, isAlive, launchVscode, processTree, readManifest, repoRoot } from './harness';

test('setup-vscode installs VS Code 1.100.3 once and then only reports where it is', () => {
  const dir = ensureVscode();
  assert.equal(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, '1.100.3');
  const again = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'setup-vscode.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(again.status, 0);
  assert.equal(again.stdout, `${dir}\n`);
  assert.equal(again.stderr, '', 'a cached install prints no progress');
  // The pieces the install puts in place by hand.
  assert.ok(existsSync(join(dir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node')));
  assert.ok(existsSync(join(dir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node')));
  assert.ok(existsSync(join(dir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg')));
});

test('a workbench of a plain folder loads our extension and the runner, reports results, and shuts down clean', { timeout: 10 * 60_000 }, async () => {
  const id = extensionId();
  const folder = join(mkdtempSync(join(tmpdir(), 'lwb-harness-')), 'workspace');
  mkdirSync(folder);
  writeFileSync(join(folder, 'notes.txt'), `written at ${process.pid}\n`);
  const vs = await launchVscode({
    name: 'harness',
    folder,
    runner: { suiteDir: join(repoRoot, 'test', 'fixtures', 'vscode-runner'), activate: [id] },
  });
  let tree: number[] = [];
  try {
    const r = await vs.waitForResults(5 * 60_000);
    assert.equal(r.error, undefined);
    assert.equal(r.vscodeVersion, '1.100.3');
    assert.equal(r.node.execPath, process.execPath, 'the extension host runs on the server’s Node');
    assert.deepEqual(r.workspaceFolders, [vs.folder]);
    assert.deepEqual(r.suiteFiles, ['a-bdd.test.js', 'b-tdd.test.js']);

    const m = readManifest();
    assert.equal(r.extensions.length, 1);
    const ours = r.extensions[0]!;
    assert.equal(ours.id, id);
    assert.equal(ours.found, true);
    assert.equal(ours.extensionPath, join(vs.extensionsDir, `${m.publisher}.${m.name}-${m.version}`));
    assert.equal(ours.version, m.version);
    assert.equal(ours.activationError, undefined);
    assert.equal(ours.isActive, true);
    assert.deepEqual(ours.missingCommands, [], 'every command in contributes.commands is registered after activation');

    assert.deepEqual(
      r.tests.map((t) => [t.fullTitle, t.state, t.file]),
      [
        ['runner fixture (bdd) sees the vscode API of the extension host', 'passed', 'a-bdd.test.js'],
        ['runner fixture (bdd) reports a failure with its message', 'failed', 'a-bdd.test.js'],
        ['runner fixture (bdd) is pending', 'pending', 'a-bdd.test.js'],
        ['runner fixture (tdd) runs an async test that awaits the extension host', 'passed', 'b-tdd.test.js'],
      ],
    );
    assert.equal(r.tests[1]!.message, 'one plus one is not three');
    assert.match(r.tests[1]!.stack ?? '', /a-bdd\.test\.js/);
    assert.deepEqual([r.passes, r.failures, r.pending], [2, 1, 1]);

    // Quick Open, an editor, and text found on the page.
    const wb = vs.workbench!;
    await wb.openFile('notes.txt');
    await wb.waitForText(`written at ${process.pid}`);

    // A palette command with a visible effect that needs the server's native pty module.
    await wb.runCommand('View: Toggle Terminal');
    await wb.page.locator('.terminal-wrapper .xterm').first().waitFor({ state: 'visible', timeout: 60_000 });
    // The shell really runs: the product is computed by bash, not typed by us.
    await wb.page.locator('.terminal-wrapper .xterm').first().click();
    await wb.page.keyboard.type('echo harness-$((6*7))\n');
    await wb.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'harness-42' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const shot = await wb.screenshot('workbench');
    assert.deepEqual([...readFileSync(shot).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');

    tree = processTree(vs.server.process.pid!);
    assert.ok(tree.length >= 3, `server, extension host and pty host run (got ${tree.length} processes)`);
  } finally {
    await vs.close();
    rmSync(dirname(folder), { recursive: true, force: true });
  }
  assert.deepEqual(tree.filter(isAlive), [], 'no process of the server tree outlives close()');
  assert.equal(existsSync(vs.baseDir), false);
});
