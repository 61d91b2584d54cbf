// The coaches' board in the web client: a coach watching a cohort's track
// sees a learner's step change live (started, then done) without a reload,
// with the step's counts, the "here" marker and the completion chart
// following; a learner is refused; the board picker remembers the last
// choice; a coach sends a learner a message from the board; a call for
// help is on the attention list at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, openSocket, ok } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';

const LESSON = 'what-is-a-web-page';

let daemon;
let browser;
let clients;
before(async () => {
  daemon = await startDaemon();
  browser = await launch();
  clients = await people(daemon, { mona: 'coach', lena: 'learner' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

const signIn = (page, handle) => signInAs(page, daemon, handle);

const cell = (page, user, step) => page.locator(`#board-table td[data-user="${user}"][data-step="${step}"]`);
const count = (page, key, step) => page.locator(`#board-table tfoot td[data-count="${key}"][data-step="${step}"]`);

test('a coach sees a learner start and finish a step live, with the counts and the chart', async () => {
  const coach = await newPage(browser);
  await signIn(coach, 'mona');
  assert.equal(await coach.locator('#nav-board').isVisible(), true, 'coaches have the Board link');
  await coach.goto(`${daemon.url}/board/autumn/web-basics`);
  await cell(coach, 'lena', LESSON).and(coach.locator('[data-state="not_started"]')).waitFor();

  // A real table: caption, column and row headers, words for each symbol.
  const table = coach.locator('#board-table');
  assert.match(await table.locator('caption').innerText(), /autumn/);
  assert.ok(await table.locator('thead th[scope="col"]').count() >= 5 + 7, 'a header per column and per step');
  assert.equal(await table.locator('tbody th[scope="row"]').count(), 1, 'one row: lena (the coach is no learner)');
  assert.equal(await cell(coach, 'lena', LESSON).getAttribute('aria-label'), 'lena, 1. What is a web page?: not started');
  assert.equal(await count(coach, 'done', LESSON).innerText(), '0');
  assert.equal(await coach.locator(`#board-funnel rect[data-step="${LESSON}"]`).getAttribute('data-count'), '0');
  assert.equal(await coach.locator('#board-funnel svg[role="img"] title').count() >= 1, true, 'the chart has a text alternative');
  await coach.evaluate(() => { window.notReloaded = true; });

  // The learner, in a browser of her own, opens the lesson and marks it done.
  const learner = await newPage(browser);
  await signIn(learner, 'lena');
  assert.equal(await learner.locator('#nav-board').isHidden(), true, 'learners have no Board link');
  await learner.goto(`${daemon.url}/tracks/web-basics/steps/${LESSON}`);
  await learner.locator('#step-state[data-state="started"]').waitFor();
  await cell(coach, 'lena', LESSON).and(coach.locator('[data-state="started"]')).waitFor();
  await count(coach, 'on', LESSON).and(coach.locator(':text-is("1")')).waitFor();
  // She has the step open: the board says where she is.
  await coach.locator('tr[data-user="lena"] .here:not([hidden])').waitFor();
  assert.match(await coach.locator('tr[data-user="lena"] .here').textContent(), /What is a web page\?/);

  await learner.getByRole('button', { name: 'Mark as done' }).click();
  await learner.locator('#step-state[data-state="done"]').waitFor();
  await cell(coach, 'lena', LESSON).and(coach.locator('[data-state="done"]')).waitFor();
  assert.equal(await cell(coach, 'lena', LESSON).getAttribute('aria-label'), 'lena, 1. What is a web page?: done');
  await count(coach, 'done', LESSON).and(coach.locator(':text-is("1")')).waitFor();
  assert.equal(await count(coach, 'on', LESSON).innerText(), '0');
  // The funnel follows (it is redrawn at most once a second).
  await coach.locator(`#board-funnel rect[data-step="${LESSON}"][data-count="1"]`).waitFor();
  assert.equal(await coach.locator('#board-funnel rect[data-step="first-page"]').getAttribute('data-count'), '0');
  assert.equal(await coach.evaluate(() => window.notReloaded), true, 'no reload happened');

  // She leaves the step: the marker no longer names it, and says she is online.
  await learner.goto(`${daemon.url}/`);
  await coach.locator('tr[data-user="lena"] .here:not([hidden])', { hasText: 'online now' }).waitFor();
  assert.doesNotMatch(await coach.locator('tr[data-user="lena"] .here').textContent(), /What is a web page\?/);
  assert.deepEqual([...coach.problems, ...learner.problems], []);
  await learner.context().close();
  await coach.context().close();
});

test('a learner who opens the board is told it is for coaches, and sees no grid', async () => {
  const page = await newPage(browser);
  await signIn(page, 'lena');
  for (const path of ['/board', '/board/autumn/web-basics']) {
    await page.goto(`${daemon.url}${path}`);
    await page.locator('#board-refused').waitFor();
    assert.match(await page.locator('#board-refused').innerText(), /Only coaches/);
    assert.equal(await page.locator('#board-table, #board-choose').count(), 0);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the picker opens a board and remembers it; a coach sends a learner a message', async () => {
  const page = await newPage(browser);
  await signIn(page, 'mona');
  await page.locator('#nav-board').click();
  await page.locator('#board-choose').waitFor();
  await page.getByLabel('Track', { exact: true }).selectOption('web-basics');
  await page.getByLabel('Group', { exact: true }).fill('autumn');
  await page.getByRole('button', { name: 'Show the board' }).click();
  await page.waitForURL(/\/board\/autumn\/web-basics$/);
  await cell(page, 'lena', LESSON).waitFor();

  // Back at the picker, the last board is filled in.
  await page.goto(`${daemon.url}/board`);
  await page.locator('#board-choose').waitFor();
  assert.equal(await page.getByLabel('Group', { exact: true }).inputValue(), 'autumn');
  assert.equal(await page.getByLabel('Track', { exact: true }).inputValue(), 'web-basics');

  // No cohort has its own address; only an admin coaches the learners without one.
  const admin = await newPage(browser);
  await signIn(admin, 'admin1');
  await admin.goto(`${daemon.url}/board/-/web-basics`);
  await admin.locator('#board-table caption', { hasText: 'no group' }).waitFor();
  assert.deepEqual(admin.problems, []);
  await admin.context().close();

  await page.goto(`${daemon.url}/board/autumn/web-basics`);
  await page.getByRole('button', { name: 'Send lena a message' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Send lena a message' });
  await dialog.getByLabel('Your message').fill('Come and find me at the window table.');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.locator('#nudge-result', { hasText: 'Sent to lena.' }).waitFor();
  // Too long is said before sending: 500 bytes at most.
  await dialog.getByLabel('Your message').fill('é'.repeat(300));
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'too long' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a call for help shows on the attention list at once, and leaves it when withdrawn', async () => {
  const coach = await newPage(browser);
  await signIn(coach, 'mona');
  await coach.goto(`${daemon.url}/board/autumn/web-basics`);
  await cell(coach, 'lena', LESSON).waitFor();
  const lena = await openSocket(daemon, clients.lena);
  await ok(lena, 'hello');
  await ok(lena, 'progress.set', { track: 'web-basics', step: LESSON, state: 'started' });
  await ok(lena, 'progress.set', { track: 'web-basics', step: LESSON, state: 'done' });
  await ok(lena, 'progress.set', { track: 'web-basics', step: 'first-page', state: 'started' });
  const asked = await ok(lena, 'help.ask', { track: 'web-basics', step: 'first-page', body: 'My page shows nothing.' });

  // Well before the next summary (10 s on a busy board): from the help event itself.
  const card = coach.locator('#board-attention li[data-kind="help_request"][data-user="lena"]');
  await card.waitFor({ timeout: 5000 });
  assert.match(await card.innerText(), /lena/);
  await coach.locator(`#board-help li[data-request="${asked.request.request}"]`, { hasText: 'My page shows nothing.' }).waitFor({ timeout: 5000 });
  await ok(lena, 'help.withdraw', { request: asked.request.request });
  await card.waitFor({ state: 'detached', timeout: 5000 });
  lena.close();
  assert.deepEqual(coach.problems, []);
  await coach.context().close();
});
