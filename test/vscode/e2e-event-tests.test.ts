// End to end on the real workbench: New Function… through its three questions (the handler opens with its
// lens), then the saved events in the Test Explorer — a run fails on a response that differs from the
// expected one, the diff opens in the peek, and its "Accept Result as Expected" button rewrites the file.
// Screenshots of each step land in test-output/vscode/e2e-event-tests/.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, launchVscode } from './harness';

test('New Function… → handler with its lens; Test Explorer → failing test, diff, Accept Result as Expected', { timeout: 10 * 60_000 }, async () => {
  const folder = copyFixture('vscode-project');
  const expectedFile = join(folder, 'events', 'HelloJs', 'alice.expected.json');
  writeFileSync(expectedFile, `${JSON.stringify({ result: { message: 'Hi, Alice!', functionName: 'HelloJs' } }, null, 2)}\n`);
  // The peek with the diff opens by itself on a failure in a visible document (VS Code 1.100 defaults to never).
  const vs = await launchVscode({ name: 'e2e-event-tests', folder, settings: { 'testing.automaticallyOpenPeekView': 'failureInVisibleDocument' } });
  try {
    const wb = vs.workbench!;
    const page = wb.page;

    // The extension is up once the template shows its lenses; then New Function…: runtime, name, trigger.
    await wb.openFile('template.yaml');
    await page
      .locator('.editor-group-container.active .codelens-decoration a', { hasText: '▶ Invoke' })
      .first()
      .waitFor({ state: 'visible', timeout: 120_000 });
    await wb.runCommand('Lambda Workbench: New Function…');
    await wb.pickQuickItem('Node.js (JavaScript)');
    await wb.answerQuickInput('Greeter');
    await wb.pickQuickItem('HTTP API');
    await page.locator('.tabs-container .tab', { hasText: 'app.mjs' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: '▶ Invoke' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page
      .locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Event: get-greeter ▾' })
      .first()
      .waitFor({ state: 'visible', timeout: 120_000 });
    await wb.screenshot('1-new-function');
    assert.ok(existsSync(join(folder, 'src', 'greeter', 'app.mjs')));
    assert.match(readFileSync(join(folder, 'template.yaml'), 'utf8'), /\n {2}Greeter:\n {4}Type: AWS::Serverless::Function\n/);
    assert.ok(existsSync(join(folder, 'events', 'Greeter', 'get-greeter.json')));

    // The Test Explorer lists the functions with saved events and their events.
    await wb.runCommand('Testing: Focus on Test Explorer View');
    const row = (label: string) => page.locator('.part.sidebar .monaco-list-row', { hasText: label }).first();
    for (const fn of ['GreetTs', 'Greeter', 'HelloJs']) await row(fn).waitFor({ state: 'visible', timeout: 60_000 });

    // With the event open, a failing run opens the peek on it with the two responses side by side.
    await wb.openFile('events/HelloJs/alice.json');
    await wb.runCommand('Test: Run All Tests');
    await page
      .locator('.test-output-peek')
      .first()
      .waitFor({ state: 'visible', timeout: 180_000 })
      .catch(async (err: unknown) => {
        await wb.screenshot('failed-no-peek');
        throw err;
      });
    await wb.waitForText(/1 difference: message: expected "Hi, Alice!", got "Hello, Alice!"/, { timeoutMs: 60_000 });
    await wb.screenshot('2-failure-diff');

    // The button the peek shows for a response mismatch (testing/message/content).
    await (await wb.waitForText('Accept Result as Expected', { timeoutMs: 60_000 })).click();
    await wb.waitForText(/Saved the expected response: events\/HelloJs\/alice\.expected\.json/, { timeoutMs: 60_000 });
    assert.deepEqual(JSON.parse(readFileSync(expectedFile, 'utf8')), { result: { message: 'Hello, Alice!', functionName: 'HelloJs' } });
    await wb.runCommand('Testing: Focus on Test Explorer View');
    await wb.screenshot('3-accepted');
  } finally {
    await vs.close();
  }
});
