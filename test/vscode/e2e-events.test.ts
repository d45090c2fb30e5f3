// Template-aware events and results where you look, on the real workbench (issue 16, findings 4, 5, 6, 9):
// the event picker offers the function's own route first and asks only for its path parameter; the
// invoke's outcome shows at the end of the handler's line with the result in its hover, Show Result
// opens it as JSON, an error lands as a diagnostic on the line that threw; "Generate" writes a real
// file and chooses it; Save Event As… leaves no untitled editor behind; the bucket's put with a key that
// passes its filters and the project's events/*.json are offered; the panel, beside the editor in a
// narrow column, selects the new record with no column cut off; the palette names say what they do.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { copyFixture, launchVscode } from './harness';
import { clickLens, decorationAfter, lens, prefilled } from './lens-helpers';

test('template-aware events, results where you look, a narrow panel, clear palette names', { timeout: 15 * 60_000 }, async (t) => {
  const vs = await launchVscode({ name: 'e2e-events', folder: copyFixture('vscode-triggers') });
  try {
    const wb = vs.workbench!;
    const page = wb.page;
    const rows = wb.quickInput.locator('.quick-input-list .monaco-list-row');
    const row = (text: string): Locator => rows.filter({ hasText: text }).first();
    const input = wb.quickInput.locator('.quick-input-box input');
    // One subtest per finding, in one window: each starts with no picker or input open, and a failure
    // (as on a build without the feature) does not stop the ones after it.
    const step = (name: string, fn: () => Promise<void>) =>
      t.test(name, async () => {
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        try {
          await fn();
        } catch (err) {
          await wb.screenshot(`failed-${name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
          throw err;
        }
      });

    // Finding 4: the route the function answers comes first, and asks only for its path parameter.
    await step("finding 4: the picker offers the function's route first and asks only for its path parameter", async () => {
      await wb.openFile('src/hello.js');
      await clickLens(wb, 'src/hello.js', 'Event: choose ▾', row('GET /hello/{name} (HttpApi)'));
      assert.match(await rows.first().innerText(), /GET \/hello\/\{name\} \(HttpApi\)/);
      await wb.screenshot('1-picker-route-first');
      await row('GET /hello/{name} (HttpApi)').click();
      assert.equal(await prefilled(input), 'name');
      await wb.answerQuickInput('Ada');
      await lens(page, 'Event: GET /hello/{name} ▾').waitFor({ state: 'visible', timeout: 60_000 });
    });

    // Finding 6: the outcome at the end of the handler's line; its hover holds the result and the logs.
    await step("finding 6: the outcome at the end of the handler's line, its hover, Show Result", async () => {
      await lens(page, '▶ Invoke').click();
      const ok = await decorationAfter(page, /^✓ 200 · [\d.]+ ms · \d+ ms billed · \d+\/128 MB$/);
      await wb.screenshot('2-inline-result');
      await page.mouse.move(ok.x, ok.y);
      const hover = page.locator('.monaco-hover', { hasText: 'hello Ada' }).first();
      await hover.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await hover.innerText(), /INFO greeting Ada/);
      await wb.screenshot('3-result-hover');
      await hover.locator('a', { hasText: 'Show Result' }).click();
      await page.locator('.view-line', { hasText: '"statusCode": 200' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await wb.screenshot('4-show-result');
      await page.keyboard.press('Control+W');
    });

    // An error: ✗ at the end of the handler line and a diagnostic on the line that threw.
    await step('finding 6: an error shows ✗ on the handler line and a diagnostic where it threw', async () => {
      await wb.openFile('src/hello.js');
      await clickLens(wb, 'src/hello.js', 'Event: GET /hello/{name} ▾', row('GET /hello/{name} (HttpApi)'));
      await row('GET /hello/{name} (HttpApi)').click();
      await prefilled(input);
      await wb.answerQuickInput('boom');
      await lens(page, '▶ Invoke').click();
      await decorationAfter(page, /^✗ TypeError: cannot greet boom/);
      await page.locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: 60_000 });
      await wb.screenshot('5-error-inline-and-diagnostic');
    });

    // Finding 5: "Generate" writes a real file under events/<Fn>/, opens it and chooses it.
    await step('finding 5: Generate writes a real file under events/<Fn>/, opens it and chooses it', async () => {
      await clickLens(wb, 'src/hello.js', 'Event: GET /hello/{name} ▾', row('GET /hello/{name} (HttpApi)'));
      const route = row('GET /hello/{name} (HttpApi)');
      await route.hover();
      await route.locator('.action-label.codicon-new-file').click();
      await prefilled(input);
      await wb.answerQuickInput('Grace');
      const generatedTab = page.locator('.tabs-container .tab', { hasText: 'get-hello-name.json' }).first();
      await generatedTab.waitFor({ state: 'visible', timeout: 60_000 });
      assert.equal(await generatedTab.evaluate((el) => el.classList.contains('dirty')), false, 'the generated event is saved');
      const generated = JSON.parse(readFileSync(join(vs.folder, 'events', 'HelloHttp', 'get-hello-name.json'), 'utf8')) as { pathParameters: { name: string } };
      assert.deepEqual(generated.pathParameters, { name: 'Grace' });
      // Back to the handler (its tab is open): its lens names the generated file.
      await page.locator('.tabs-container .tab', { hasText: 'hello.js' }).first().click();
      await lens(page, 'Event: get-hello-name ▾').waitFor({ state: 'visible', timeout: 60_000 });
      await wb.screenshot('6-generated-file');
    });

    // Save Event As… from an untitled JSON editor: saved, confirmed, and no untitled editor left.
    await step('finding 5: Save Event As… from an untitled editor confirms and leaves no untitled editor', async () => {
      await wb.runCommand('New Untitled Text File');
      await page.keyboard.insertText('{"pathParameters": {"name": "Untitled"}}');
      await wb.runCommand('Change Language Mode');
      await input.fill('json');
      await wb.pickQuickItem(/JSON\s*\(json\)/);
      await wb.runCommand('Lambda Workbench: Save Event As…');
      await wb.pickQuickItem('HelloHttp');
      await wb.answerQuickInput('from-untitled');
      await wb.waitForText('Saved event "from-untitled" for HelloHttp');
      await page.locator('.tabs-container .tab', { hasText: 'from-untitled.json' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await wb.screenshot('7-save-event-as');
      await page
        .locator('.tabs-container .tab', { hasText: /Untitled-\d/ })
        .first()
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch(() => undefined);
      assert.deepEqual(await page.locator('.tabs-container .tab', { hasText: /Untitled-\d/ }).allInnerTexts(), [], 'an untitled editor is left');
      assert.ok(existsSync(join(vs.folder, 'events', 'HelloHttp', 'from-untitled.json')));
    });

    // Finding 4: the bucket's put with a key its filters pass, and the project's own events/*.json.
    await step("finding 4: the bucket's put with a key its filters pass, and the project's events/*.json", async () => {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+W');
      await wb.openFile('uploads/thumbs.js');
      await clickLens(wb, 'uploads/thumbs.js', 'Event: choose ▾', row('Put object to team-photos (S3)'));
      assert.match(await rows.first().innerText(), /Put object to team-photos \(S3\)/);
      assert.match(await row('s3-put').innerText(), /events\/s3-put\.json/);
      await wb.screenshot('8-picker-bucket-and-project-events');
      await row('Put object to team-photos (S3)').click();
      assert.equal(await prefilled(input), 'key=incoming/example.jpg&size=1024');
      await wb.answerQuickInput('key=incoming/cat.jpg&size=2048');
      await lens(page, 'Event: Put object to team-photos ▾').waitFor({ state: 'visible', timeout: 60_000 });
    });

    // Finding 6: the panel beside the editor, in a column about 500 px wide, selects the new record; no column is cut off.
    await step('finding 6: the panel in a narrow column beside the editor: no column cut off, the new record selected', async () => {
      await wb.openFile('uploads/thumbs.js');
      await page.setViewportSize({ width: 1060, height: 820 });
      await wb.runCommand('View: Single Column Editor Layout');
      await wb.runCommand('View: Close Primary Side Bar');
      await wb.runCommand('Lambda Workbench: Open Invocations Panel');
      const cutOff = async () =>
        (await wb.waitForFrame('[data-testid="history"]', { timeoutMs: 60_000 })).evaluate(() => {
          const width = document.documentElement.clientWidth;
          const cut: string[] = [];
          for (const row of Array.from(document.querySelectorAll<HTMLElement>('.row'))) {
            // The row's own edge, or the panel's when the row is wider than the panel.
            const right = Math.min(row.getBoundingClientRect().right, width);
            for (const cell of Array.from(row.children) as HTMLElement[]) {
              if (getComputedStyle(cell).display === 'none' || !cell.textContent) continue;
              const box = cell.getBoundingClientRect();
              // A cell past its row's edge, or one whose text does not fit (a long function name may end in "…"), is cut off.
              if (box.right > right + 1 || (!cell.classList.contains('c1') && cell.scrollWidth > cell.clientWidth + 1)) cut.push(cell.textContent);
            }
          }
          return { width, cut };
        });
      const empty = await cutOff();
      t.diagnostic(`the panel column is ${empty.width} px wide`);
      assert.ok(empty.width <= 600, `the panel is ${empty.width} px wide: the test wants a narrow column`);
      assert.deepEqual(empty.cut, [], `cut-off columns at ${empty.width} px`);

      // The handler stays in the first column, beside the panel. Without a remembered event the picker asks: `{}` then.
      await lens(page, '▶ Invoke').click();
      if (
        await row('an empty JSON object')
          .waitFor({ state: 'visible', timeout: 5_000 })
          .then(
            () => true,
            () => false,
          )
      )
        await row('an empty JSON object').click();
      const frame = await wb.waitForFrame('[data-testid="history"]', { timeoutMs: 60_000 });
      await frame.locator('.row[data-function="Thumbnails"]').first().waitFor({ state: 'visible', timeout: 120_000 });
      const filled = await cutOff();
      assert.deepEqual(filled.cut, [], `cut-off cells at ${filled.width} px`);
      const selected = frame.locator('.row.selected[data-function="Thumbnails"]');
      await selected.waitFor({ state: 'visible', timeout: 60_000 });
      await frame.locator('.detail-pane', { hasText: 'thumbs/cat.jpg' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await wb.screenshot('9-panel-narrow-selects-new-record');
    });

    // Finding 9: the palette says which invoke sends what, and nothing is named for what it does not do.
    await step('finding 9: palette names say which invoke sends what; nothing is named for what it does not do', async () => {
      await page.keyboard.press('F1');
      await input.fill('>Lambda Workbench: Invoke');
      await row('Invoke Function (Last Event)').waitFor({ state: 'visible' });
      await row('Invoke with Event…').waitFor({ state: 'visible' });
      await wb.screenshot('10-palette-names');
      // Choosing an event is named for what it does (it runs nothing); "Pick Sample Event…" is gone.
      await input.fill('>Lambda Workbench: Event for Function');
      await row('Choose Event for Function…').waitFor({ state: 'visible' });
      assert.equal(await rows.filter({ hasText: 'Pick Sample Event' }).count(), 0);
      await page.keyboard.press('Escape');
    });
  } finally {
    await vs.close();
  }
});
