// centre.mjs - where the browser tests of a centre's day start: a daemon
// with an admin (admin1), the cohort "autumn" and its people, a headless
// Chromium, and what those tests share: a socket per person, signing in
// through the form, the client's language tables, switching a page to
// Dutch, and the accessibility scan at both widths.
//
//   let centre;
//   before(async () => { centre = await openCentre({ people: [['lena', 'learner', 'Lena']], track: 'web-basics' }); });
//   after(() => centre?.close());

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { addCohorts, startDaemon, register, openSocket, ok } from './daemon.mjs';
import { launch, newPage } from './browser.mjs';
import { seriousViolations } from './axe.mjs';

export const PASSWORD = 'correct horse battery'; // what register() uses
export const LOCALES = { en: 'en-GB', nl: 'nl-NL' };
const WEB = new URL('../../web/', import.meta.url);

// people: [[handle, role, display name (else the handle)], …], each invited
// to "autumn" by admin1. config: the daemon's (default: no message rate
// limit; null: none). track: a track id to wait for, as the daemon loads the
// sample tracks in the background. Returns {daemon, browser, clients
// (handle → Client, admin1 too), socketOf(handle), close()}.
export async function openCentre({ people = [], config = 'messages_per_second = 0\n', track = null } = {}) {
  const daemon = await startDaemon(config === null ? {} : { config });
  const sockets = [];
  let browser = null;
  const centre = {
    daemon,
    clients: {},
    // A signed-in websocket of handle, its hello answered; closed with the centre.
    async socketOf(handle) {
      const socket = await openSocket(daemon, centre.clients[handle]);
      sockets.push(socket);
      await ok(socket, 'hello');
      return socket;
    },
    async close() {
      for (const socket of sockets) socket.close();
      await browser?.close();
      assert.equal(await daemon.stop(), 0, daemon.stderr);
    },
  };
  try {
    browser = centre.browser = await launch();
    const admin = centre.clients.admin1 = await register(daemon, daemon.firstInvite, 'admin1');
    await addCohorts(admin, 'autumn');
    for (const [handle, role, name = null] of people) {
      const invite = await admin.post('/api/invites', { role, cohort: 'autumn' });
      assert.equal(invite.status, 201, invite.text);
      centre.clients[handle] = await register(daemon, invite.json.code, handle, PASSWORD, name);
    }
    for (let i = 0; track && i < 400 && (await admin.get(`/api/tracks/${track}`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await browser?.close();
    await daemon.stop();
    throw error;
  }
  return centre;
}

// A page in a fresh context with the language's locale (en, nl).
export function pageIn(browser, code, width = 1280) {
  return newPage(browser, { locale: LOCALES[code], viewport: { width, height: 800 } });
}

// Signs in through the form (by its fields' ids, so in either language) and
// waits to leave the sign-in page: for home, or where `next` leads.
export async function signInForm(page, daemon, handle, { next = null, password = PASSWORD, wait = true } = {}) {
  await page.goto(`${daemon.url}/signin${next === null ? '' : `?next=${encodeURIComponent(next)}`}`);
  await page.locator('#field-handle').fill(handle);
  await page.locator('#field-password').fill(password);
  await page.locator('#signin-form button[type=submit]').click();
  if (wait) await page.waitForURL((url) => url.pathname !== '/signin', { timeout: 60000 }); // argon2id on a busy machine
}

// A language table as the client has it (web/ is no package, so read as text).
export async function table(name) {
  const source = await readFile(new URL(`lang/${name}.js`, WEB), 'utf8');
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)).default;
}

// No serious accessibility violation on the page as it stands, at 360 and 1280 px.
export async function scanned(page, what) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    assert.deepEqual(await seriousViolations(page), [], `${what} at ${width} px`);
  }
}

// Switches the page to Dutch with the header's menu.
export async function dutch(page) {
  await page.locator('#lang').selectOption('nl');
  await page.waitForFunction(() => document.documentElement.lang === 'nl');
}
