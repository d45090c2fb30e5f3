// End to end on the real workbench: open the sample project, click `▶ Invoke` on the handler's
// CodeLens, pick a saved sample event, and see the result and the billed duration in the panel; then
// pick a template from the sample-event library, change a parameter and save it for the function.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, launchVscode } from './harness';

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
    const toast = await wb.waitForText(/HelloJs: success \(.*billed \d+ ms/, { timeoutMs: 120_000 });
    const toastText = await toast.innerText();
    const billed = /billed (\d+) ms/.exec(toastText)?.[1];
    assert.ok(billed, `no billed duration in "${toastText}"`);
    // The lens now shows the remembered event.
    await page.locator('.codelens-decoration a', { hasText: 'Event: alice ▾' }).first().waitFor({ state: 'visible', timeout: 60_000 });

    // The outcome toast's action opens the panel on this invocation.
    await page.locator('.notification-toast .monaco-button', { hasText: 'Open Panel' }).first().click();
    await wb.waitForText('Hello, Alice!', { timeoutMs: 120_000 });
    await wb.waitForText(new RegExp(`${billed}\\s*ms`), { timeoutMs: 60_000 });
    await wb.screenshot('2-panel');

    // The library: pick a sample event by source, change one parameter, save it for the function.
    await page.locator('.codelens-decoration a', { hasText: 'Event: alice ▾' }).first().click();
    await wb.pickQuickItem('s3-put');
    await wb.pickQuickItem('key = ');
    await wb.answerQuickInput('uploads/photo.jpg');
    await wb.pickQuickItem('Generate with these values');
    await wb.pickQuickItem('Save as…');
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
