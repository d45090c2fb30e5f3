// The browser the e2e tests drive: Debian's Chromium, headless, without the background work that would
// reach for the network; a page whose console errors and warnings (and uncaught errors) are collected
// into `problems`, so a test can assert the panel ran clean.
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Chromium 156 builds its omnibox drop-down as a WebUI page in a renderer of its own at start, even
  // headless where it is never shown: ~2 s of CPU in the first seconds, on the cores the page under test needs.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
];

export async function openPage(viewport: { width: number; height: number }, problems: string[], timeoutMs: number): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(timeoutMs);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { browser, page };
}

/**
 * A screenshot of one element. The panel redraws its views as pages of history arrive; an element replaced
 * mid-shot is looked up again (the locator finds its successor) rather than failing the test.
 */
export async function elementScreenshot(locator: Locator, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.screenshot({ path });
      return;
    } catch (err) {
      if (attempt === 3 || !String(err).includes('not attached to the DOM')) throw err;
    }
  }
}
