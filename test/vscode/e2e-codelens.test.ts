// End to end on the real workbench: open the sample project, click `▶ Invoke` on the handler's
// CodeLens, pick a saved sample event, and see the outcome with its billed duration at the end of the
// handler's line, then in the panel; then pick a template from the sample-event library with its
// parameters in one input and save it for the function.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, launchVscode } from './harness';
import { decorationAfter, prefilled, waitForValue } from './lens-helpers';

test('CodeLens ▶ Invoke → pick an event → result and billed duration in the panel', { timeout: 10 * 60_000 }, async () => {
  const vs = await launchVscode({ name: 'e2e-codelens', folder: copyFixture('vscode-project') });
  try {
    const wb = vs.workbench!;
    const page = wb.page;
    await wb.openFile('src/hello.js');
    // The lenses appear once the host is up and has listed the template's functions.
    const invokeLens = page.locator('.codelens-decoration a', { hasText: '▶ Invoke' }).first();
    await invokeLens.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await page.locator('.codelens-decoration a', { hasText: 'Event: choose ▾' }).count(), 1);
    await wb.screenshot('1-codelens');

    // First invoke of the function: the event picker opens, saved events first. Lenses are re-rendered
    // when the host's function list arrives, so a click can land on a lens being replaced: click again.
    const savedEvent = wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'alice' }).first();
    for (let attempt = 1; ; attempt++) {
      await invokeLens.click();
      const shown = await savedEvent.waitFor({ state: 'visible', timeout: 20_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      if (attempt === 3) throw new Error('the event picker did not open after clicking ▶ Invoke three times');
      // A lens rendered from an older provider result points at a command VS Code has already
      // forgotten ("Actual command not found"); reopening the editor asks for fresh lenses.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+W');
      await wb.openFile('src/hello.js');
      await invokeLens.waitFor({ state: 'visible', timeout: 120_000 });
    }
    await savedEvent.click();
    // The outcome shows at the end of the handler's line, with the billed duration.
    const first = await decorationAfter(page, /^✓ [\d.]+ ms · \d+ ms billed/);
    assert.match(first.text, /\d+ ms billed · \d+\/128 MB$/);
    // The lens now shows the remembered event.
    await page.locator('.codelens-decoration a', { hasText: 'Event: alice ▾' }).first().waitFor({ state: 'visible', timeout: 60_000 });

    // With the panel open, the next invoke is selected in it: its result and billed duration.
    await wb.runCommand('Lambda Workbench: Open Invocations Panel');
    await wb.waitForFrame('[data-testid="history"]', { timeoutMs: 120_000 });
    await wb.openFile('src/hello.js');
    await invokeLens.click();
    // Found after the invoke: opening the file may hide the panel, and VS Code discards a hidden webview's
    // frame (retainContextWhenHidden is off) and makes a new one when the invoke reveals it.
    const frame = await wb.waitForFrame('[data-testid="history"]', { timeoutMs: 120_000 });
    const selected = frame.locator('.row.selected[data-function="HelloJs"]');
    await frame.locator('.row[data-function="HelloJs"]').nth(1).waitFor({ state: 'visible', timeout: 120_000 });
    await selected.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await selected.getAttribute('data-index'), '0', 'the newest record is the one selected');
    const billed = /(\d+) ms/.exec(await selected.locator('[data-col="billed"]').innerText())?.[1];
    assert.ok(billed, 'no billed duration in the selected row');
    await wb.waitForText('Hello, Alice!', { timeoutMs: 120_000 });
    await wb.screenshot('2-panel');

    // The library: pick a sample event by source, its parameters in one input, then save it for the function.
    await page.locator('.codelens-decoration a', { hasText: 'Event: alice ▾' }).first().click();
    await wb.pickQuickItem('s3-put');
    const input = wb.quickInput.locator('.quick-input-box input');
    assert.equal(await prefilled(input), 'bucket=example-bucket&key=test/key.txt&size=1024');
    await wb.answerQuickInput('bucket=example-bucket&key=uploads/photo.jpg&size=1024');
    await page.locator('.codelens-decoration a', { hasText: 'Event: s3-put ▾' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.codelens-decoration a', { hasText: 'Event: s3-put ▾' }).first().click();
    const sample = wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 's3-put' }).last();
    await sample.hover();
    await sample.locator('.action-label.codicon-save').click();
    await prefilled(input);
    await wb.answerQuickInput('bucket=example-bucket&key=uploads/photo.jpg&size=1024');
    // The name input follows, prefilled with the sample's name.
    await waitForValue(input, 's3-put');
    await wb.answerQuickInput('photo-upload');
    await page.locator('.codelens-decoration a', { hasText: 'Event: photo-upload ▾' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const saved = JSON.parse(readFileSync(join(vs.folder, 'events', 'HelloJs', 'photo-upload.json'), 'utf8')) as {
      Records: { eventName: string; s3: { object: { key: string } } }[];
    };
    assert.equal(saved.Records[0]?.eventName, 'ObjectCreated:Put');
    assert.equal(saved.Records[0]?.s3.object.key, 'uploads/photo.jpg');
    await wb.screenshot('3-saved-event');
  } finally {
    await vs.close();
  }
});
