// Debian's chromium driven by playwright-core. Browser tests skip, saying why, where chromium is missing;
// CI installs it, so there they always run.

import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function chromiumMissingReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `chromium not found at ${CHROMIUM} (apt-get install chromium fonts-wqy-microhei, or set CHROMIUM_PATH)`;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** A browser suite: where chromium is missing it is one skipped test that says why, instead of the suite. */
export function describeInBrowser(title: string, timeoutMs: number, body: () => void): void {
  describe(title, function () {
    this.timeout(timeoutMs);
    const missing = chromiumMissingReason();
    if (missing) {
      it(`is skipped: ${missing}`, function () {
        this.skip();
      });
      return;
    }
    body();
  });
}
