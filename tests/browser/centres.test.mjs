// The centres on an admin's People page, in the web client: each centre
// with its figures, a centre added with the form, a group added to a
// chosen centre once there are several, and the same section in Dutch;
// an admin adds and takes away a coach's centres from the coach's row (in
// English and Dutch); a coach's People page has no centres. Checked with
// axe-core at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, openSocket } from '../lib/daemon.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { scanned } from '../lib/centre.mjs';

let daemon;
let browser;
let clients;
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { lena: 'learner', mona: 'coach' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

// Signs in through the form's ids, whatever the page's language.
async function signIn(page, handle) {
  await page.goto(`${daemon.url}/signin`);
  await page.locator('#field-handle').fill(handle);
  await page.locator('#field-password').fill('correct horse battery');
  await page.locator('#signin-form button[type="submit"]').click();
  await page.locator('#home-title').waitFor();
}

const figures = (page, centre) => page.locator(`#centre-list [data-centre="${centre}"] dd`).allInnerTexts();

test('an admin sees each centre with its figures, adds a centre and a group in it; the section in Dutch', async () => {
  const page = await newPage(browser);
  await signIn(page, 'admin1');
  await page.locator('#nav-admin').click();
  await page.locator('#centre-list [data-centre="Main centre"]').waitFor();
  // cohorts, learners, coaches, active in 7 days, steps passed in 30 days
  assert.deepEqual(await figures(page, 'Main centre'), ['1', '1', '1', '0', '0']);
  assert.match(await page.locator('#centre-list').innerText(), /Learners active in the last 7 days/);
  assert.equal(await page.getByLabel('Centre of the new group').count(), 0, 'one centre: nothing to choose');
  await scanned(page, "the admin's people page with its centres");

  await page.getByLabel('Borough').fill('x'.repeat(65));
  await page.getByLabel('New centre').fill('Zuid');
  await page.getByRole('button', { name: 'Add centre' }).click();
  await page.locator('#centre-form .form-error').waitFor();
  assert.equal(await page.getByLabel('Borough').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Borough').fill('Amsterdam-Zuid');
  await page.getByLabel('Address').fill('Stadionplein 1');
  await page.getByRole('button', { name: 'Add centre' }).click();
  await page.locator('#centre-form [role="status"]', { hasText: 'Added the centre Zuid.' }).waitFor();
  assert.match(await page.locator('#centre-list [data-centre="Zuid"]').innerText(), /Amsterdam-Zuid · Stadionplein 1/);
  assert.deepEqual(await figures(page, 'Zuid'), ['0', '0', '0', '0', '0']);

  // With two centres, a new group names its centre.
  await page.reload();
  await page.getByLabel('Centre of the new group').selectOption('Zuid');
  await page.getByLabel('New group', { exact: true }).fill('winter');
  await page.getByRole('button', { name: 'Add group' }).click();
  await page.locator('#cohort-form [role="status"]', { hasText: 'Added the group winter.' }).waitFor();
  const cohorts = (await clients.admin1.get('/api/cohorts')).json.cohorts;
  assert.deepEqual(cohorts.find((c) => c.name === 'winter').centre, 'Zuid');
  await scanned(page, "the admin's people page with two centres");
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const nl = await newPage(browser, { locale: 'nl-NL' });
  await signIn(nl, 'admin1');
  await nl.locator('#nav-admin').click();
  await nl.locator('#centre-list [data-centre="Zuid"]').waitFor();
  assert.equal(await nl.locator('#centres-title').innerText(), 'Centra');
  assert.match(await nl.locator('#centre-list').innerText(), /Deelnemers actief in de laatste 7 dagen/);
  assert.deepEqual(await figures(nl, 'Zuid'), ['1', '0', '0', '0', '0']);
  await nl.getByLabel('Centrum van de nieuwe groep').waitFor();
  await scanned(nl, 'the people page in Dutch');
  assert.deepEqual(nl.problems, []);
  await nl.context().close();
});

test("an admin adds and takes away a coach's centres from their row, which closes the coach's pages (4003); in Dutch too", async () => {
  const socket = await openSocket(daemon, clients.mona);
  const closed = socket.closed;
  const page = await newPage(browser);
  await signIn(page, 'admin1');
  await page.locator('#nav-admin').click();
  const row = page.locator('#user-list [data-user="mona"]');
  const group = row.getByRole('group', { name: 'Centres of mona' });
  await group.waitFor();
  assert.equal(await group.getByLabel('Main centre').isChecked(), true);
  assert.equal(await group.getByLabel('Zuid').isChecked(), false);
  assert.equal(await page.locator('#user-list [data-user="lena"] .coach-centres').count(), 0, 'a learner has no centres of their own');
  await scanned(page, "the people page with a coach's centres");
  await group.getByLabel('Zuid').check();
  await row.getByRole('button', { name: 'Save centres' }).click();
  await row.locator('[role="status"]', { hasText: 'Saved: mona.' }).waitFor();
  const users = async () => (await clients.admin1.get('/api/users?q=mona')).json.users[0].centres;
  assert.deepEqual(await users(), ['Main centre', 'Zuid']);
  assert.equal((await closed).code, 4003, "the coach's open socket closed: rights changed");

  // None at all is refused, said in the row, and the boxes show what is kept.
  await group.getByLabel('Main centre').uncheck();
  await group.getByLabel('Zuid').uncheck();
  await row.getByRole('button', { name: 'Save centres' }).click();
  await row.locator('[role="status"].form-error', { hasText: 'Pick one centre at least' }).waitFor();
  assert.equal(await group.getByLabel('Zuid').isChecked(), true);
  assert.deepEqual(await users(), ['Main centre', 'Zuid']);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const nl = await newPage(browser, { locale: 'nl-NL' });
  await signIn(nl, 'admin1');
  await nl.locator('#nav-admin').click();
  const nlRow = nl.locator('#user-list [data-user="mona"]');
  const nlGroup = nlRow.getByRole('group', { name: 'Centra van mona' });
  await nlGroup.waitFor();
  assert.equal(await nlGroup.getByLabel('Zuid').isChecked(), true);
  await nlGroup.getByLabel('Zuid').uncheck();
  await nlRow.getByRole('button', { name: 'Centra opslaan' }).click();
  await nlRow.locator('[role="status"]', { hasText: 'Opgeslagen: mona.' }).waitFor();
  assert.deepEqual(await users(), ['Main centre']); // her group autumn, in Main centre, stays hers
  await scanned(nl, "a coach's centres in Dutch");
  assert.deepEqual(nl.problems, []);
  await nl.context().close();
});

test("a coach's people page has no centres", async () => {
  const page = await newPage(browser);
  await signIn(page, 'mona');
  await page.locator('#nav-admin').click();
  await page.locator('#user-list [data-user="lena"]').waitFor();
  assert.equal(await page.locator('#centre-list').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
