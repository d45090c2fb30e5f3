// Debugging as a user meets it on the real workbench: a breakpoint set in the gutter of a TypeScript
// handler, `Debug` clicked on its CodeLens. The breakpoint never shows as unbound on the way to the
// first run; the run stops on it with a call stack of the user's code, named after the function (the
// runtime's frames folded away); after continuing, debugging another function leaves one session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { copyFixture, launchVscode, type Workbench } from './harness';

/** The breakpoint glyphs in the editor's margin: `breakpoint`, `breakpoint-unverified`, `stackframe`… */
async function glyphs(page: Page): Promise<string[]> {
  return page
    .locator('.monaco-editor .glyph-margin-widgets [class*="codicon-debug-"], .monaco-editor .margin-view-overlays [class*="codicon-debug-"]')
    .evaluateAll((els) => els.flatMap((e) => [...e.classList].filter((c) => c.startsWith('codicon-debug-')).map((c) => c.replace('codicon-debug-', ''))));
}

/** Clicks a CodeLens and picks the saved event; lenses re-render when the host's list arrives, so a click may need repeating. */
async function debugFromLens(wb: Workbench, file: string, event: string): Promise<void> {
  const page = wb.page;
  const lens = page.locator('.codelens-decoration a', { hasText: /^Debug$/ }).first();
  const item = wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: event }).first();
  for (let attempt = 1; ; attempt++) {
    await lens.waitFor({ state: 'visible', timeout: 120_000 });
    await lens.click();
    if (
      await item.waitFor({ state: 'visible', timeout: 20_000 }).then(
        () => true,
        () => false,
      )
    )
      break;
    if (attempt === 3) throw new Error(`the event picker did not open after clicking Debug in ${file} three times`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+W');
    await wb.openFile(file);
  }
  await item.click();
}

/** The Call Stack view's rows as shown (folded groups included). */
async function callStackRows(page: Page): Promise<string[]> {
  return page.locator('.debug-call-stack .monaco-list-row').allInnerTexts();
}

test(
  "debugging a TypeScript handler: bound breakpoint from the start, the user's frames under the function's name, one session at a time",
  { timeout: 10 * 60_000 },
  async () => {
    const vs = await launchVscode({ name: 'e2e-debug', folder: copyFixture('vscode-project') });
    try {
      const wb = vs.workbench!;
      const page = wb.page;
      await wb.openFile('src/greet.ts');
      await page
        .locator('.codelens-decoration a', { hasText: /^Debug$/ })
        .first()
        .waitFor({ state: 'visible', timeout: 120_000 });
      // A breakpoint in the gutter on the line marked BREAKPOINT (line 14).
      await page.keyboard.press('Control+G');
      await page.keyboard.type('14');
      await page.keyboard.press('Enter');
      await page.keyboard.press('F9');
      await page.waitForFunction(() => document.querySelector('.monaco-editor [class*="codicon-debug-breakpoint"]') !== null);

      await debugFromLens(wb, 'src/greet.ts', 'bob');
      // From the click to the stop, the breakpoint is never drawn unbound (grey), as it was while
      // js-debug's attach session alone had answered for it.
      const seen = new Set<string>();
      const deadline = Date.now() + 120_000;
      for (;;) {
        const now = await glyphs(page);
        now.forEach((g) => seen.add(g));
        if (now.includes('stackframe')) break;
        if (Date.now() > deadline) throw new Error(`no stop at the breakpoint within 120 s (glyphs seen: ${[...seen].join(', ')})`);
        await page.waitForTimeout(50);
      }
      assert.equal(seen.has('breakpoint-unverified'), false, `the breakpoint showed as unbound before the run (glyphs seen: ${[...seen].join(', ')})`);

      // The call stack: the session is the function, the handler's frame on top, the runtime's folded away.
      const stack = page.locator('.debug-call-stack');
      await stack.locator('.monaco-list-row', { hasText: 'handler' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await page
        .locator('.debug-variables .monaco-list-row', { hasText: "name: 'Bob'" })
        .or(page.locator('.debug-variables .monaco-list-row', { hasText: "name = 'Bob'" }))
        .first()
        .waitFor({ timeout: 30_000 });
      // The whole stack, not only its first frame (VS Code loads the rest on demand).
      const more = stack.locator('.monaco-list-row', { hasText: 'Load More Stack Frames' });
      if (await more.isVisible()) {
        await more.click();
        await more.waitFor({ state: 'hidden', timeout: 30_000 });
      }
      await page.waitForTimeout(500);
      const rows = await callStackRows(page);
      await wb.screenshot('1-stopped-in-greet-ts');
      assert.ok(
        rows.some((r) => /^GreetTs\b/.test(r.trim())),
        `a session row named after the function; rows: ${JSON.stringify(rows)}`,
      );
      assert.equal(
        rows.some((r) => /Remote Process|handleOnce|node-bootstrap|\[worker/.test(r)),
        false,
        `no runtime frames, threads or js-debug names on show; rows: ${JSON.stringify(rows)}`,
      );

      // Continue (F5): the run finishes; the session stays for the next invoke of GreetTs.
      await page.keyboard.press('F5');
      await wb.waitForText(/GreetTs success/, { timeoutMs: 60_000 });

      // Debugging another function ends GreetTs's session: one session, HelloJs's.
      await wb.openFile('src/hello.js');
      await debugFromLens(wb, 'src/hello.js', 'alice');
      await wb.waitForText(/HelloJs success/, { timeoutMs: 120_000 });
      await wb.screenshot('2-debugged-another-function');
      const sessions = await page.locator('.debug-call-stack .monaco-list-row .session').allInnerTexts();
      const afterRows = await callStackRows(page);
      assert.equal(
        afterRows.some((r) => r.includes('GreetTs')),
        false,
        `GreetTs's session ended when HelloJs was debugged; call stack: ${JSON.stringify(afterRows)} (sessions ${JSON.stringify(sessions)})`,
      );
    } finally {
      await vs.close();
    }
  },
);
