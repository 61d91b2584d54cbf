// Applying in the web client: /apply without an account (a field at fault
// marked and said, then sent, with the private link to keep), the coach's
// Applications page showing it live and inviting, the private link
// showing the invite that makes the account; in Dutch, an application
// declined with a message shown as text, never as HTML. Every page
// checked with axe-core at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people } from '../lib/daemon.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { scanned } from '../lib/centre.mjs';

let daemon;
let browser;
let clients;
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { mona: 'coach' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

async function signIn(page, handle) {
  await page.goto(`${daemon.url}/signin`);
  await page.locator('#field-handle').fill(handle);
  await page.locator('#field-password').fill('correct horse battery');
  await page.locator('#signin-form button[type="submit"]').click();
  await page.locator('#home-title').waitFor();
}

// Fills the form (fields: label → value) and sends it.
async function apply(page, fields, submit) {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: submit }).click();
}

test('apply in English, the coach sees it live and invites, the private link shows the invite', async () => {
  const coach = await newPage(browser);
  await signIn(coach, 'mona');
  await coach.locator('#nav-admin').click();
  await coach.locator('#applications-link').click();
  await coach.locator('#application-list').waitFor();
  await scanned(coach, 'the applications page, empty');

  const page = await newPage(browser);
  await page.goto(`${daemon.url}/apply`);
  await page.locator('#apply-form').waitFor();
  await scanned(page, 'the apply page');
  await apply(page, {
    'Your name': 'Amal Haddad',
    'Why do you want to learn here?': 'I want to build websites for my neighbours.',
    'When can you come?': 'Weekday mornings',
  }, 'Send my application');
  await page.locator('#apply-form .form-error', { hasText: 'Give a phone number or an e-mail address' }).waitFor();
  assert.equal(await page.getByLabel('Phone number').getAttribute('aria-invalid'), 'true');
  await apply(page, { 'Phone number': '+31 6 1234 5678' }, 'Send my application');
  await page.locator('#apply-sent').waitFor();
  const url = await page.locator('#apply-link').inputValue();
  assert.match(url, new RegExp(`^${daemon.url}/apply/[A-Za-z0-9_-]{40,}$`));
  await scanned(page, 'the application sent');

  // Live on the coach's page, then invited from there.
  const card = coach.locator('#application-list [data-state="new"]', { hasText: 'Amal Haddad' });
  await card.waitFor();
  assert.match(await card.innerText(), /I want to build websites for my neighbours\./);
  await scanned(coach, 'the applications page with one');
  await card.getByRole('button', { name: 'Invite' }).click();
  await coach.locator('#application-list [data-state="invited"]', { hasText: 'Amal Haddad' }).waitFor();

  await page.getByRole('link', { name: 'See where your application stands' }).click();
  await page.locator('#apply-status[data-state="invited"]').waitFor();
  await scanned(page, 'the private link, invited');
  await page.locator('#apply-join').click();
  await page.locator('#join-form').waitFor();
  assert.match(page.url(), /\/join\/[A-Za-z0-9_-]+$/);
  assert.deepEqual([...page.problems, ...coach.problems], []);
  await page.context().close();
  await coach.context().close();
});

test('aanmelden in het Nederlands; een afwijzing met een bericht, getoond als tekst', async () => {
  const page = await newPage(browser, { locale: 'nl-NL' });
  await page.goto(`${daemon.url}/apply`);
  await page.locator('#apply-form').waitFor();
  assert.equal(await page.locator('h1').innerText(), 'Meld je aan om bij ons te leren');
  await scanned(page, 'de aanmeldpagina');
  await apply(page, {
    'Je naam': 'Noor',
    'E-mailadres': 'noor@example.org',
    'Waarom wil je hier leren?': 'Kort.',
    'Wanneer kun je komen?': 'Avonden',
  }, 'Verstuur mijn aanmelding');
  await page.locator('#apply-form .form-error', { hasText: 'Vertel in 20 tot 4000 tekens' }).waitFor();
  assert.equal(await page.getByLabel('Waarom wil je hier leren?').getAttribute('aria-invalid'), 'true');
  await apply(page, { 'Waarom wil je hier leren?': 'Ik wil leren programmeren en een baan vinden.' }, 'Verstuur mijn aanmelding');
  await page.locator('#apply-sent').waitFor();
  const url = await page.locator('#apply-link').inputValue();

  const { applications } = (await clients.admin1.get('/api/applications')).json;
  const noor = applications.find((a) => a.name === 'Noor');
  assert.equal(noor.language, 'nl');
  const message = '<b>Dank je</b> voor je aanmelding; we zitten vol tot het voorjaar.';
  assert.equal((await clients.mona.post(`/api/applications/${noor.id}/decline`, { message })).status, 200);
  await page.goto(url);
  await page.locator('#apply-status[data-state="declined"]').waitFor();
  assert.match(await page.locator('#apply-status').innerText(), /schreef je:/);
  assert.equal(await page.locator('#apply-message').innerText(), message, 'the message as text');
  assert.equal(await page.locator('#apply-message b').count(), 0, 'never as HTML');
  await scanned(page, 'de persoonlijke link, afgewezen');
  await page.goto(`${daemon.url}/apply/geen-echte-link`);
  await page.locator('#apply-missing', { hasText: 'Er is geen aanmelding bij deze link' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
