// A real browser for page tests: Debian's Chromium driven by playwright-core, pages that
// collect script errors and refused loads, and signing in as a person would.
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** A laptop screen. */
export const LAPTOP = { width: 1366, height: 768 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Signed in with this session (a `name=value` Cookie header) for the site at `base`. */
  session?: { cookie: string; base: string };
  /** Console errors that are answers rather than faults (a refused page's status). */
  expectedErrors?: RegExp;
}

/**
 * A page in a fresh browser profile. Script errors, and console errors such as loads the
 * content security policy refused, are added to `problems`, which a test expects empty.
 */
export async function openPage(browser: Browser, problems: string[], opts: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: opts.viewport ?? LAPTOP });
  if (opts.session) {
    const [name, value] = opts.session.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: opts.session.base }]);
  }
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !opts.expectedErrors?.test(msg.text())) problems.push(msg.text());
  });
  return page;
}

/** Opens the sign-in page, signs in, and waits for the page it leads to. */
export async function signInInBrowser(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
}
