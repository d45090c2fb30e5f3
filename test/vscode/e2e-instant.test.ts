// The bundled example as a new user meets it, on the real workbench: opening examples/hello-s3 and its
// app.js activates the extension and shows ▶ Invoke / Debug / Event at once, and the Functions view
// lists the function — all from a static read, while the host cannot start at all (its "node" is a
// script that never prints the ready line), so nothing here can be waiting for the host.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchVscode, repoRoot } from './harness';

test('hello-s3: lenses and the Functions view from a static read while the host never becomes ready', { timeout: 10 * 60_000 }, async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'lwb-e2e-instant-'));
  const folder = join(scratch, 'hello-s3');
  cpSync(join(repoRoot, 'examples', 'hello-s3'), folder, { recursive: true });
  const blockedNode = join(scratch, 'node-that-never-starts');
  writeFileSync(blockedNode, '#!/bin/sh\nexec sleep 3600\n');
  chmodSync(blockedNode, 0o755);
  const vs = await launchVscode({ name: 'e2e-instant', folder, settings: { 'lambdaWorkbench.nodePath': blockedNode } });
  try {
    const wb = vs.workbench!;
    const page = wb.page;
    await wb.openFile('app.js');
    const opened = Date.now();
    const lens = (text: string) => page.locator('.codelens-decoration a', { hasText: text }).first();
    await lens('▶ Invoke').waitFor({ state: 'visible', timeout: 120_000 });
    // A figure for the note, not an assertion (the machine is shared): editor tab shown → lens seen.
    t.diagnostic(`▶ Invoke visible ${Date.now() - opened} ms after the editor opened`);
    await lens('Debug').waitFor({ state: 'visible', timeout: 10_000 });
    await lens('Event: choose ▾').waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('1-lenses-without-host');

    // The λ view: the template's function, listed before the host has said anything.
    await page.locator('.activitybar .action-item a[aria-label^="Lambda Workbench"]').first().click();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: 'HelloS3' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await row.innerText(), /nodejs22\.x/);
    await wb.screenshot('2-functions-view-without-host');
  } finally {
    await vs.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});
