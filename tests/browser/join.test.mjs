// The web client in headless Chromium: joining with an invite, signing in
// and out, inviting, errors shown next to the form, English and Dutch, and
// reading a track at a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../lib/daemon.mjs';
import { launch, newPage } from '../lib/browser.mjs';

let daemon;
let browser;
before(async () => {
  daemon = await startDaemon();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

const PASSWORD = 'a sentence I remember';

async function signIn(page, handle, password = PASSWORD) {
  await page.goto(`${daemon.url}/signin`);
  await page.getByLabel('User name').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the admin joins with the first-start link, using the keyboard only', async () => {
  const page = await newPage(browser);
  await page.goto(`${daemon.url}/join/${daemon.firstInvite}`);
  await page.getByRole('heading', { name: 'Join grounds' }).waitFor();
  assert.match(await page.locator('main').innerText(), /invited as a admin|invited as an? admin/);

  // Tab through the form as someone without a mouse would.
  await page.getByLabel('Your name').focus();
  await page.keyboard.type('Ada Admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ada');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');

  await page.locator('#home-title').waitFor();
  assert.equal(await page.locator('#home-title').innerText(), 'Hello, Ada Admin');
  assert.equal(await page.locator('#me-role').getAttribute('data-role'), 'admin');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a used invite link says so instead of showing the form', async () => {
  const page = await newPage(browser);
  await page.goto(`${daemon.url}/join/${daemon.firstInvite}`);
  await page.locator('.form-error').waitFor();
  assert.match(await page.locator('.form-error').innerText(), /was used already or was withdrawn. Ask your coach for a new one.$/);
  assert.equal(await page.locator('#join-form').count(), 0);
  await page.context().close();
});

test('an admin makes an invite link, and a learner joins with it; mistakes are shown at the field', async () => {
  const admin = await newPage(browser);
  await signIn(admin, 'ada');
  await admin.locator('#invite-form').waitFor();
  await admin.getByLabel('Role').selectOption('learner');
  // The group is picked from those on record; an admin adds one right there.
  await admin.getByLabel('Name of the new group').fill('autumn');
  await admin.getByRole('button', { name: 'Add a group' }).click();
  await admin.locator('#invite-cohort-form [role="status"]', { hasText: 'Added the group autumn' }).waitFor();
  assert.equal(await admin.getByLabel('Group', { exact: true }).inputValue(), 'autumn');
  await admin.getByRole('button', { name: 'Make invite link' }).click();
  const url = await admin.locator('#invite-url').inputValue();
  assert.match(url, new RegExp(`^${daemon.url}/join/[A-Za-z0-9_-]+$`));

  const learner = await newPage(browser);
  await learner.goto(url);
  await learner.locator('#join-form').waitFor();
  assert.match(await learner.locator('main').innerText(), /learner in group autumn/);
  await learner.getByLabel('Your name').fill('Lena');
  await learner.getByLabel('User name').fill('Lena Smith');
  await learner.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await learner.getByRole('button', { name: 'Create my account' }).click();

  const error = learner.locator('#join-form .form-error');
  await error.waitFor();
  assert.match(await error.innerText(), /3 to 32 characters/);
  assert.equal(await learner.getByLabel('User name').getAttribute('aria-invalid'), 'true');
  assert.equal(await learner.getByLabel('Your name').inputValue(), 'Lena', 'what was typed is kept');
  assert.equal(await learner.evaluate(() => document.activeElement.name), 'handle');

  await learner.getByLabel('User name').fill('lena');
  await learner.getByRole('button', { name: 'Create my account' }).click();
  await learner.locator('#home-title').waitFor();
  assert.equal(await learner.locator('#me-role').getAttribute('data-role'), 'learner');
  assert.equal(await learner.locator('#invite-form').count(), 0, 'learners cannot invite');

  // A new coach's centre is asked only when the role is coach, and the invite names it.
  assert.equal(await admin.getByLabel('Centre of the new coach').isVisible(), false);
  await admin.getByLabel('Role').selectOption('coach');
  assert.equal(await admin.getByLabel('Centre of the new coach').inputValue(), 'Main centre');
  await admin.getByLabel('Group', { exact: true }).selectOption('');
  await admin.getByRole('button', { name: 'Make invite link' }).click();
  await admin.waitForFunction((before) => document.querySelector('#invite-url').value !== before, url);
  const code = (await admin.locator('#invite-url').inputValue()).split('/join/')[1];
  const invite = (await daemon.client().get(`/api/invites/${code}`)).json;
  assert.deepEqual([invite.role, invite.cohort, invite.centre], ['coach', null, 'Main centre']);
  assert.deepEqual([...admin.problems, ...learner.problems], []);
  await admin.context().close();
  await learner.context().close();
});

test('signing out ends the session; a wrong password is explained, in Dutch too', async () => {
  const page = await newPage(browser);
  await signIn(page, 'lena');
  await page.locator('#home-title').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#signin-form').waitFor();
  await page.goto(`${daemon.url}/`);
  await page.locator('#signin-form').waitFor();

  await page.getByLabel('User name').fill('lena');
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-form .form-error').waitFor();
  assert.equal(await page.locator('#signin-form .form-error').innerText(), 'That user name and password do not match. Check them and try again.');

  await page.locator('#lang').selectOption('nl');
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
  await page.getByLabel('Gebruikersnaam').fill('lena');
  await page.getByLabel('Wachtwoord', { exact: true }).fill('still not it');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.locator('#signin-form .form-error:not([hidden])').waitFor();
  assert.equal(await page.locator('#signin-form .form-error').innerText(), 'Deze gebruikersnaam en dit wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw.');

  // The choice of language is remembered on this device.
  await page.reload();
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor();
  await page.context().close();
});

test('a deep link asks to sign in first, then opens; tracks read well at 360 px', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  await page.goto(`${daemon.url}/tracks/web-basics`);
  await page.locator('#signin-form').waitFor();
  await page.getByLabel('User name').fill('lena');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.locator('#outline').waitFor();
  assert.equal(new URL(page.url()).pathname, '/tracks/web-basics');
  const steps = page.locator('#outline [data-step]');
  assert.ok(await steps.count() >= 5, 'the outline lists the steps');
  assert.match(await page.locator('#outline').innerText(), /Lesson|Exercise/);
  assert.match(await page.locator('#outline').innerText(), /Project/);

  await steps.first().locator('a').click();
  await page.locator('#step-content').waitFor();
  const image = page.locator('#step-content img').first();
  await image.waitFor();
  assert.match(await image.getAttribute('src'), /^\/t\/web-basics\/[0-9a-f]{40}\/.+\.svg$/);
  await page.waitForFunction(() => {
    const img = document.querySelector('#step-content img');
    return img && img.complete && img.naturalWidth > 0;
  });

  const firstTitle = await page.locator('h1').innerText();
  await page.locator('a[rel=next]').click();
  await page.waitForFunction((title) => document.querySelector('h1')?.innerText !== title, firstTitle);
  await page.locator('a[rel=prev]').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling at 360 px');

  // Back goes back without a reload.
  await page.goBack();
  await page.waitForFunction((title) => document.querySelector('h1')?.innerText === title, firstTitle);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the project step shows its review checklist', async () => {
  const page = await newPage(browser);
  await signIn(page, 'lena');
  await page.locator('#home-title').waitFor();
  await page.locator('#track-list').getByRole('link', { name: /Web basics/ }).click();
  await page.locator('#outline').waitFor();
  await page.locator('#outline li', { hasText: 'Project' }).last().locator('a').click();
  await page.locator('.rubric').waitFor();
  assert.ok(await page.locator('.rubric li').count() >= 4);
  assert.match(await page.locator('#step-meta').innerText(), /2 peer reviews/);
  await page.context().close();
});
