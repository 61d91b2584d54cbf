// Accounts that recover, in the web client: the profile page (a new name,
// the language chosen there, the sessions with this one marked, and "sign
// out everywhere else" ending the other browser's page), a reset link used
// in Dutch (a mismatch and a used link said in Dutch), a coach's reset link
// from the people page and from the board's dialog for a learner, and the
// admin's people page. Every page checked
// with axe-core at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, runCli } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';
import { seriousViolations } from '../lib/axe.mjs';

let daemon;
let browser;
let clients;
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { lena: 'learner', sam: 'learner', mona: 'coach' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

// No serious or critical axe violation on the page at a phone's width and a laptop's.
async function accessible(page, what) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    assert.deepEqual(await seriousViolations(page), [], `${what} at ${width} px`);
  }
}

test('the profile: a new name and language, the sessions, and signing out everywhere else', async () => {
  const laptop = await newPage(browser);
  await signInAs(laptop, daemon, 'lena');
  const phone = await newPage(browser);
  await signInAs(phone, daemon, 'lena');
  await phone.waitForFunction(() => document.getElementById('live-status').dataset.status === 'online');

  await laptop.locator('#nav-profile').click();
  await laptop.locator('#sessions li').first().waitFor();
  assert.equal(await laptop.locator('#sessions li').count(), 3, 'the laptop, the phone and the test\'s own client');
  assert.equal(await laptop.locator('#sessions li[data-current]').count(), 1, 'this browser is marked');
  assert.match(await laptop.locator('#sessions li[data-current]').innerText(), /This browser/);
  await accessible(laptop, 'the profile page');

  await laptop.getByLabel('Your name').fill('Lena Bakker');
  await laptop.locator('#field-language').selectOption('nl');
  await laptop.getByRole('button', { name: 'Save' }).click();
  await laptop.locator('h1', { hasText: 'Je profiel' }).waitFor();
  await laptop.locator('#profile-saved', { hasText: 'Opgeslagen.' }).waitFor();
  assert.equal(await laptop.evaluate(() => document.documentElement.lang), 'nl');
  const me = await clients.lena.get('/api/me');
  assert.deepEqual([me.json.display_name, me.json.language], ['Lena Bakker', 'nl']);

  await laptop.locator('#end-others').click();
  await laptop.locator('#sessions-status', { hasText: '2 andere sessies afgemeld.' }).waitFor();
  await laptop.waitForFunction(() => document.querySelectorAll('#sessions li').length === 1);
  await phone.waitForURL(/\/signin\?ended=1/, { timeout: 5000 });
  assert.equal(await phone.locator('#signout').isVisible(), false);

  // Signing in again on another device, the chosen language follows.
  const tablet = await newPage(browser);
  await signInAs(tablet, daemon, 'lena');
  await tablet.waitForFunction(() => document.documentElement.lang === 'nl');
  assert.match(await tablet.locator('#home-title').innerText(), /Lena Bakker/);
  assert.deepEqual([...laptop.problems, ...phone.problems, ...tablet.problems], []);
  for (const page of [laptop, phone, tablet]) await page.context().close();
});

test('a reset link used in Dutch: two passwords that differ, then a new password, then "used"', async () => {
  const made = await runCli(['--data-dir', daemon.dataDir, 'user', 'reset', 'sam']);
  assert.equal(made.code, 0, made.stderr);
  const path = new URL(made.stdout.trim()).pathname;
  const page = await newPage(browser, { locale: 'nl-NL' });
  await page.goto(`${daemon.url}${path}`);
  await page.locator('#reset-form').waitFor();
  assert.match(await page.locator('main').innerText(), /Met deze link kiest sam \(sam\) een nieuw wachtwoord/);
  await accessible(page, 'the reset page');

  await page.getByLabel('Nieuw wachtwoord').fill('een nieuw wachtwoord');
  await page.getByLabel('Nog een keer hetzelfde wachtwoord').fill('een ander wachtwoord');
  await page.getByRole('button', { name: 'Nieuw wachtwoord instellen' }).click();
  await page.locator('#reset-form .form-error', { hasText: 'De twee wachtwoorden verschillen' }).waitFor();
  assert.equal(await page.getByLabel('Nog een keer hetzelfde wachtwoord').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Nog een keer hetzelfde wachtwoord').fill('een nieuw wachtwoord');
  await page.getByRole('button', { name: 'Nieuw wachtwoord instellen' }).click();
  await page.locator('#reset-done', { hasText: 'Je nieuwe wachtwoord is ingesteld' }).waitFor();
  await accessible(page, 'the reset page, done');
  await page.locator('#reset-signin').click();
  await page.locator('#field-handle').fill('sam');
  await page.locator('#field-password').fill('een nieuw wachtwoord');
  await page.locator('#signin-form button[type="submit"]').click();
  await page.locator('#home-title').waitFor();

  // The link again: used, said in Dutch.
  await page.goto(`${daemon.url}${path}`);
  await page.locator('#reset-error', { hasText: 'Deze herstellink is al gebruikt' }).waitFor();
  await accessible(page, 'a used reset link');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a coach makes a reset link on the people page; an admin changes a group there', async () => {
  const coach = await newPage(browser);
  await signInAs(coach, daemon, 'mona');
  await coach.locator('#nav-admin').click();
  await coach.locator('#user-list [data-user="lena"]').waitFor();
  assert.equal(await coach.locator('#user-list [data-user="mona"]').count(), 0, 'her learners only');
  const button = coach.locator('[data-reset="lena"]');
  assert.equal(await button.getAttribute('aria-label'), 'Password reset link for Lena Bakker');
  await button.click();
  const url = await coach.locator('[data-user="lena"] .reset-url').inputValue();
  assert.match(url, new RegExp(`^${daemon.url}/reset/[A-Za-z0-9_-]{40,}$`));
  await accessible(coach, 'the coach\'s people page');
  assert.equal((await daemon.client().get(`/api/reset/${url.split('/reset/')[1]}`)).json.handle, 'lena');

  // On the board, the dialog for a learner makes one too; it replaces the one before.
  await coach.goto(`${daemon.url}/board/autumn/web-basics`);
  await coach.locator('[data-nudge="lena"]').first().click();
  const dialog = coach.locator('dialog#nudge');
  await dialog.locator('[data-reset="lena"]').click();
  const fromBoard = await dialog.locator('.reset-url').inputValue();
  assert.notEqual(fromBoard, url);
  assert.equal((await daemon.client().get(`/api/reset/${url.split('/reset/')[1]}`)).json.error.code, 'reset_replaced');
  await accessible(coach, 'the board\'s dialog with a reset link');

  const admin = await newPage(browser);
  await signInAs(admin, daemon, 'admin1');
  await admin.getByLabel('Name of the new group').fill('spring');
  await admin.getByRole('button', { name: 'Add a group' }).click();
  await admin.locator('#invite-cohort-form [role="status"]', { hasText: 'Added the group spring' }).waitFor();
  assert.equal(await admin.locator('#field-cohort').inputValue(), 'spring');
  await admin.locator('#nav-admin').click();
  await admin.locator('#user-list [data-user="sam"]').waitFor();
  await admin.getByLabel('Group of sam').selectOption('spring');
  await admin.locator('[data-user="sam"] [role="status"]', { hasText: 'Saved: sam.' }).waitFor();
  assert.equal((await clients.admin1.get('/api/users?q=sam')).json.users[0].cohort, 'spring');
  await accessible(admin, 'the admin\'s people page');
  assert.deepEqual([...coach.problems, ...admin.problems], []);
  await coach.context().close();
  await admin.context().close();
});
