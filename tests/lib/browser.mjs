// browser.mjs - headless Chromium (Debian's package) driven by
// playwright-core, for the browser tests. Each page records console errors
// and uncaught exceptions, so a test can assert the client ran cleanly
// (a Content-Security-Policy violation shows up there too).

import { chromium } from 'playwright-core';
import { CHROMIUM } from './daemon.mjs';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 60000,
  });
}

// Records the page's console errors and uncaught exceptions in page.problems.
function watchProblems(page) {
  page.setDefaultTimeout(15000);
  page.problems = [];
  page.on('console', (message) => {
    // A 4xx answer the client handles (401 before signing in, 400 for a
    // form's mistake) is logged by Chromium but is not a problem.
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      page.problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => page.problems.push(String(error)));
  return page;
}

// A fresh context (its own cookies and storage) and page in it.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'en-GB', ...options });
  return watchProblems(await context.newPage());
}

// Another page in an existing context (same cookies and storage, like a
// second tab), recording problems as newPage does.
export async function pageIn(context) {
  return watchProblems(await context.newPage());
}

// Signs a registered user in on the sign-in page (with the password the
// test helpers register with) and waits for the home page.
export async function signInAs(page, daemon, handle, password = 'correct horse battery') {
  await page.goto(`${daemon.url}/signin`);
  await page.getByLabel('User name').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#home-title').waitFor();
}
