// A real browser for page tests: Debian's Chromium driven by playwright-core, and signing in
// through the sign-in form as a person would.
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Opens the sign-in page, signs in, and waits for the page it leads to. */
export async function signInInBrowser(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
}
