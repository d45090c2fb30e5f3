// Gestures on what the extension draws in the editor, shared by the end-to-end tests: CodeLenses and
// the text a decoration puts after the end of a line.
import type { Locator, Page } from 'playwright-core';
import type { Workbench } from './harness';

export const lens = (page: Page, text: string): Locator => page.locator('.codelens-decoration a', { hasText: text }).first();

/** Clicks a CodeLens until `expect` shows (a lens drawn from an older provider result can be stale: reopen the file then). */
export async function clickLens(wb: Workbench, file: string, text: string, expect: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await lens(wb.page, text).waitFor({ state: 'visible', timeout: 120_000 });
    await lens(wb.page, text).click();
    if (
      await expect.waitFor({ state: 'visible', timeout: 20_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    if (attempt === 3) throw new Error(`clicking the "${text}" lens did not show what was expected, three times`);
    await wb.page.keyboard.press('Escape');
    await wb.openFile(file);
  }
}

/** The text VS Code draws after the end of a line for a decoration (a CSS ::after of an empty span). */
export async function decorationAfter(page: Page, pattern: RegExp): Promise<{ text: string; x: number; y: number }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const found = await page.evaluate((source) => {
      const re = new RegExp(source);
      for (const el of Array.from(document.querySelectorAll('.monaco-editor .view-lines span'))) {
        const content = getComputedStyle(el, '::after').content;
        if (content && content !== 'none' && re.test(content.replace(/^"|"$/g, ''))) {
          const box = el.getBoundingClientRect();
          return { text: content.replace(/^"|"$/g, ''), x: box.left + box.width / 2, y: box.top + box.height / 2 };
        }
      }
      return undefined;
    }, pattern.source);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no decoration matching ${pattern} at the end of a line`);
    await page.waitForTimeout(250);
  }
}

/** The value an input box opened with (the picker's filter box is the same element, emptied, until the input replaces it). */
export async function prefilled(input: Locator): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await input.inputValue().catch(() => '');
    if (value !== '' || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the input shows `value` (the next input of a flow replaced the previous one). */
export async function waitForValue(input: Locator, value: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await input.inputValue().catch(() => '')) !== value) {
    if (Date.now() > deadline) throw new Error(`the input never showed "${value}"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
