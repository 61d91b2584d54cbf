// Notifications in the web client, in English and Dutch:
// the bell counts unread notifications live, the tab's title carries the
// count, the list (the bell's page) shows them and marks them read, and the
// browser's Notification is asked for and used only after the user pressed
// the button to turn it on. window.Notification is replaced in the page by
// one that records its calls. No serious accessibility violation at 360 and
// 1280 px on the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ok } from '../lib/daemon.mjs';
import { newPage, signInAs } from '../lib/browser.mjs';
import { openCentre, scanned } from '../lib/centre.mjs';

let centre;
let daemon;
let browser;
before(async () => {
  centre = await openCentre({ people: [['mona', 'coach', 'Mona'], ['lena', 'learner', 'Lena'], ['sam', 'learner', 'Sam']] });
  ({ daemon, browser } = centre);
});
after(() => centre?.close());

const socketOf = (handle) => centre.socketOf(handle);

// A page whose window.Notification records what is asked of it; like a
// browser, it remembers a permission given (here in localStorage).
async function recordingPage(options) {
  const page = await newPage(browser, options);
  await page.context().grantPermissions(['notifications'], { origin: daemon.url });
  await page.addInitScript(() => {
    window.notificationCalls = [];
    class Recorded {
      constructor(title, options = {}) { window.notificationCalls.push({ shown: title, body: options.body }); }
      static async requestPermission() {
        window.notificationCalls.push({ asked: true });
        Recorded.permission = 'granted';
        localStorage.setItem('test.permission', 'granted');
        return 'granted';
      }
    }
    Recorded.permission = localStorage.getItem('test.permission') || 'default';
    window.Notification = Recorded;
  });
  return page;
}

const calls = (page) => page.evaluate(() => window.notificationCalls);

test('the bell and the title count unread notifications live; the list reads them; a browser notification only after turning it on', async () => {
  const mona = await socketOf('mona');
  const page = await recordingPage();
  await signInAs(page, daemon, 'lena');
  const bell = page.locator('#nav-inbox');
  assert.equal(await bell.isVisible(), true);
  assert.equal(await page.locator('#inbox-badge').isHidden(), true, 'nothing unread yet');
  assert.doesNotMatch(await page.title(), /^\(/);

  await ok(mona, 'nudge.send', { user: 'lena', body: 'Come to the window table.' });
  await page.locator('#inbox-badge:not([hidden])').waitFor();
  assert.equal(await page.locator('#inbox-badge [aria-hidden]').innerText(), '1');
  assert.equal(await page.locator('#inbox-badge .vh').innerText(), '1 unread');
  await page.waitForFunction(() => document.title.startsWith('(1) '));
  assert.deepEqual(await calls(page), [], 'not turned on: the browser is neither asked nor used');

  // The list: the bell's page.
  await bell.click();
  const item = page.locator('#inbox-list li[data-kind="nudge"]');
  await item.waitFor();
  assert.match(await item.innerText(), /New: Message from Mona: Come to the window table\./);
  assert.match(await page.title(), /^\(1\) Notifications – grounds$/);
  await scanned(page, 'the notifications page');

  // Turned on with the button: asked once, then used for each new one.
  await page.getByRole('button', { name: 'Turn on browser notifications' }).click();
  await page.locator('#notify-status', { hasText: 'Browser notifications are on for this device.' }).waitFor();
  assert.deepEqual(await calls(page), [{ asked: true }]);
  assert.equal(await page.evaluate(() => localStorage.getItem('grounds.notify')), 'on');
  await ok(mona, 'nudge.send', { user: 'lena', body: 'Bring your laptop.' });
  await page.waitForFunction(() => document.title.startsWith('(2) '));
  await page.waitForFunction(() => window.notificationCalls.length === 2);
  assert.deepEqual((await calls(page))[1], { shown: 'grounds', body: 'Message from Mona: Bring your laptop.' });
  await page.locator('#inbox-list li[data-kind="nudge"]', { hasText: 'Bring your laptop.' }).waitFor();

  // Read one, then all: the count and the title follow, and stay after a reload.
  await page.locator('#inbox-list li', { hasText: 'Bring your laptop.' }).getByRole('button', { name: 'Mark as read' }).click();
  await page.waitForFunction(() => document.title.startsWith('(1) '));
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await page.locator('#inbox-status', { hasText: 'All marked as read.' }).waitFor();
  await page.locator('#inbox-badge[hidden]').waitFor({ state: 'attached' });
  await page.waitForFunction(() => !document.title.startsWith('('));
  await page.reload();
  await page.locator('#inbox-list li').first().waitFor();
  assert.equal(await page.locator('#inbox-list li.unread').count(), 0, 'read stays read');
  assert.equal(await page.locator('#inbox-badge').isHidden(), true);

  // Turned off: no more notifications from the browser.
  await page.getByRole('button', { name: 'Turn off browser notifications' }).click();
  await page.locator('#notify-status', { hasText: 'Browser notifications are off for this device.' }).waitFor();
  const before = (await calls(page)).length;
  await ok(mona, 'nudge.send', { user: 'lena', body: 'One more.' });
  await page.waitForFunction(() => document.title.startsWith('(1) '));
  await page.waitForTimeout(300);
  assert.equal((await calls(page)).length, before, 'turned off: nothing shown');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('in Dutch: the count in the title, the bell\'s list and the button; someone who never turned it on gets no browser notification', async () => {
  const mona = await socketOf('mona');
  const page = await recordingPage();
  await signInAs(page, daemon, 'sam');
  await page.locator('#lang').selectOption('nl');
  await page.waitForFunction(() => document.documentElement.lang === 'nl');
  await ok(mona, 'nudge.send', { user: 'sam', body: 'Kom even langs.' });
  await page.waitForFunction(() => document.title.startsWith('(1) '));
  assert.equal(await page.locator('#inbox-badge .vh').innerText(), '1 ongelezen');
  assert.equal(await page.locator('#nav-inbox-text').innerText(), 'Meldingen');
  await page.locator('#nav-inbox').click();
  const item = page.locator('#inbox-list li[data-kind="nudge"]');
  await item.waitFor();
  assert.match(await item.innerText(), /Nieuw: Bericht van Mona: Kom even langs\./);
  assert.match(await page.title(), /^\(1\) Meldingen – grounds$/);
  await page.getByRole('button', { name: 'Browsermeldingen aanzetten' }).waitFor();
  await scanned(page, 'the notifications page in Dutch');
  await item.getByRole('button', { name: 'Markeer als gelezen' }).click();
  await page.locator('#inbox-status', { hasText: 'Gemarkeerd als gelezen.' }).waitFor();
  await page.waitForFunction(() => !document.title.startsWith('('));
  assert.deepEqual(await calls(page), [], 'never turned on: never asked, never shown');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
