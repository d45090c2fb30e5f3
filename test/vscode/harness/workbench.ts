// The workbench in headless Chromium (Debian's, driven by playwright-core), with the few gestures the
// end-to-end tests need. Everything waits for a condition; nothing sleeps a fixed time.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { chromiumPath } from './setup';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface WorkbenchOptions {
  /** Where screenshots and the browser console log go. */
  outputDir: string;
  viewport?: { width: number; height: number };
  /** How long to wait for the workbench to render (default 120 s). */
  loadTimeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
}

const DEFAULT_WAIT_MS = 60_000;

export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly outputDir: string,
    private readonly consoleLog: WriteStream,
  ) {}

  /** Opens `url` (a server's folderUrl) in a new headless Chromium and waits for the workbench to render. */
  static async open(url: string, opts: WorkbenchOptions): Promise<Workbench> {
    mkdirSync(opts.outputDir, { recursive: true });
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    const consoleLog = createWriteStream(join(opts.outputDir, 'browser-console.log'));
    try {
      const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
      // The extension host's console (mocha's output among it) is forwarded to the page's console.
      page.on('console', (msg) => consoleLog.write(`[${msg.type()}] ${msg.text()}\n`));
      page.on('pageerror', (err) => consoleLog.write(`[pageerror] ${err.message}\n`));
      const wb = new Workbench(browser, page, opts.outputDir, consoleLog);
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.loadTimeoutMs ?? 120_000 });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: opts.loadTimeoutMs ?? 120_000 });
      return wb;
    } catch (err) {
      await browser.close().catch(() => undefined);
      consoleLog.end();
      throw err;
    }
  }

  /** The quick input (command palette, quick open, quick picks). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  private quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }

  /** Runs a command from the palette by its title as shown there, e.g. "Lambda Workbench: Invoke Function…". */
  async runCommand(title: string, opts: WaitOptions = {}): Promise<void> {
    return this.step(`run command ${title}`, async () => {
      const timeout = opts.timeoutMs ?? DEFAULT_WAIT_MS;
      await this.page.keyboard.press('F1');
      const input = this.quickInputBox();
      await input.waitFor({ state: 'visible', timeout });
      await input.fill(`>${title}`);
      await this.clickQuickItem(title, timeout);
    });
  }

  /** Chooses the item whose label contains `label` in the open quick pick. */
  async pickQuickItem(label: string | RegExp, opts: WaitOptions = {}): Promise<void> {
    return this.step(`pick ${String(label)}`, () => this.clickQuickItem(label, opts.timeoutMs ?? DEFAULT_WAIT_MS));
  }

  private async clickQuickItem(label: string | RegExp, timeout: number): Promise<void> {
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click();
  }

  /**
   * Types into the open quick input (an input box or a pick's filter) and presses Enter. With `title`, waits
   * until the box asks that question first: between two questions of a flow the previous one's box can
   * still be visible, and an answer typed there is lost while the next question keeps its default value.
   */
  async answerQuickInput(value: string, opts: WaitOptions & { title?: string | RegExp } = {}): Promise<void> {
    return this.step(`answer ${value}`, async () => {
      const input = this.quickInputBox();
      if (opts.title !== undefined)
        await this.quickInput.locator('.quick-input-title', { hasText: opts.title }).waitFor({ state: 'visible', timeout: opts.timeoutMs ?? DEFAULT_WAIT_MS });
      await input.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? DEFAULT_WAIT_MS });
      await input.fill(value);
      await input.press('Enter');
      // VS Code reuses the box for the next question of a flow: wait until this answer has left it, or a
      // quick next answer would be typed into this question.
      const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_WAIT_MS);
      while (Date.now() < deadline && (await input.isVisible()) && (await input.inputValue().catch(() => '')) === value) await this.page.waitForTimeout(50);
    });
  }

  /** Opens a workspace file by its relative path through Quick Open and waits for its editor tab. */
  async openFile(relativePath: string, opts: WaitOptions = {}): Promise<void> {
    return this.step(`open ${relativePath}`, async () => {
      const timeout = opts.timeoutMs ?? DEFAULT_WAIT_MS;
      await this.page.keyboard.press('Control+P');
      const input = this.quickInputBox();
      await input.waitFor({ state: 'visible', timeout });
      await input.fill(relativePath);
      const base = relativePath.split('/').pop() ?? relativePath;
      await this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ state: 'visible', timeout });
      await input.press('Enter');
      await this.page.locator('.tabs-container .tab', { hasText: base }).first().waitFor({ state: 'visible', timeout });
    });
  }

  /**
   * Waits until `text` is visible in the page or in any frame (webviews are nested iframes) and returns
   * that frame's locator for it.
   */
  async waitForText(text: string | RegExp, opts: WaitOptions = {}): Promise<Locator> {
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      for (const frame of this.page.frames()) {
        const loc = frame.getByText(text).first();
        if (await loc.isVisible().catch(() => false)) return loc;
      }
      if (Date.now() > deadline) {
        await this.screenshot(`failed-${slug(`wait for ${String(text)}`)}`).catch(() => undefined);
        throw new Error(`text ${String(text)} did not appear within ${opts.timeoutMs ?? DEFAULT_WAIT_MS} ms`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  /** The frame whose document contains `selector` (e.g. the panel webview's root element). */
  async waitForFrame(selector: string, opts: WaitOptions = {}): Promise<Frame> {
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      for (const frame of this.page.frames()) {
        if (
          (await frame
            .locator(selector)
            .count()
            .catch(() => 0)) > 0
        )
          return frame;
      }
      if (Date.now() > deadline) throw new Error(`no frame with ${selector} within ${opts.timeoutMs ?? DEFAULT_WAIT_MS} ms`);
      await this.page.waitForTimeout(250);
    }
  }

  /** Runs a gesture; when it fails, leaves a screenshot of the moment (failed-<what>.png) beside the logs. */
  private async step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const shot = await this.screenshot(`failed-${slug(what)}`).catch(() => undefined);
      if (err instanceof Error && shot) err.message += `\n(screenshot: ${shot})`;
      throw err;
    }
  }

  /** Notification toasts' text, newest last. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** Saves a PNG of the whole window as <outputDir>/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = join(this.outputDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await new Promise<void>((resolve) => this.consoleLog.end(resolve));
  }
}

function slug(text: string): string {
  return text
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
