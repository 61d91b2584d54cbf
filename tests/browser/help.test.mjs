// Nudges and help between peers in the web client: a coach's nudge shows
// live under the header, "Got it" marks it read on the server (a reload does
// not bring it back), and one sent while the learner was away shows when she
// signs in. A learner asks for help on a step; a peer who finished it sees
// the question live anywhere in the app, accepts, and the two write to each
// other live until the learner marks it solved; both find it again after a
// reload. "Not now" hides a question; one taken back says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ok } from '../lib/daemon.mjs';
import { newPage, signInAs } from '../lib/browser.mjs';
import { openCentre, PASSWORD } from '../lib/centre.mjs';

const TRACK = 'web-basics';
const STEP = 'what-is-a-web-page'; // a lesson that needs nothing before it

let centre;
let daemon;
let browser;
before(async () => {
  centre = await openCentre({ people: [['momo', 'coach', 'Mo'], ['lena', 'learner', 'Lena'], ['sam', 'learner', 'Sam']], track: TRACK });
  ({ daemon, browser } = centre);
});
after(() => centre?.close());

const socketOf = (handle) => centre.socketOf(handle);
const signIn = (page, handle) => signInAs(page, daemon, handle);

test('a nudge shows live, "Got it" reads it for good, and one sent while away shows at sign-in', async () => {
  const mo = await socketOf('momo');
  const page = await newPage(browser);
  await signIn(page, 'lena');
  await page.evaluate(() => { window.notReloaded = true; });

  await ok(mo, 'nudge.send', { user: 'lena', body: 'Come and find me at the window table.' });
  const notices = page.getByRole('status').filter({ has: page.locator('[data-nudge]') });
  const nudge = notices.locator('[data-nudge]', { hasText: 'Come and find me at the window table.' });
  await nudge.waitFor();
  assert.match(await nudge.innerText(), /A message from your coach Mo:\s+Come and find me at the window table\./);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'it came without a reload');
  await nudge.getByRole('button', { name: 'Got it' }).click();
  await nudge.waitFor({ state: 'detached' });

  // After a reload the read one stays away; a new one still comes live.
  await page.reload();
  await page.locator('#home-title').waitFor();
  await ok(mo, 'nudge.send', { user: 'lena', body: 'Lunch is at one.' });
  await page.locator('[data-nudge]', { hasText: 'Lunch is at one.' }).waitFor();
  assert.equal(await page.locator('[data-nudge]').count(), 1, 'the read nudge did not come back');
  await page.getByRole('button', { name: 'Got it' }).click();
  await page.locator('[data-nudge]').waitFor({ state: 'detached' });

  // Sent while she is signed out: there when she signs in again.
  await page.locator('#signout').click();
  await page.getByLabel('User name').waitFor();
  await ok(mo, 'nudge.send', { user: 'lena', body: 'See you tomorrow.' });
  await page.getByLabel('User name').fill('lena');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-nudge]', { hasText: 'See you tomorrow.' }).waitFor();
  await page.getByRole('button', { name: 'Got it' }).click();
  await page.locator('[data-nudge]').waitFor({ state: 'detached' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('asking a peer for help: the offer shows live, is accepted, both write, and it ends solved', async () => {
  // Sam finished the step; he is online on his home page.
  const socket = await socketOf('sam');
  await ok(socket, 'progress.set', { track: TRACK, step: STEP, state: 'started' });
  await ok(socket, 'progress.set', { track: TRACK, step: STEP, state: 'done' });
  const sam = await newPage(browser);
  await signIn(sam, 'sam');

  const lena = await newPage(browser);
  await signIn(lena, 'lena');
  await lena.goto(`${daemon.url}/tracks/${TRACK}/steps/${STEP}`);
  await lena.locator('#step-state[data-state="started"]').waitFor();
  const section = lena.getByRole('region', { name: 'Ask a peer for help' });
  const question = section.getByLabel('What are you stuck on?');
  await question.fill('My heading does not show up.');
  await lena.reload(); // the question typed is kept on this device
  await lena.locator('#step-state[data-state="started"]').waitFor();
  assert.equal(await question.inputValue(), 'My heading does not show up.');
  await section.getByRole('button', { name: 'Ask for help' }).click();
  await lena.locator('#help-status', { hasText: 'Asked 1 peer who finished this step; waiting for someone to accept.' }).waitFor();
  assert.equal(await question.isVisible(), false, 'no second question while one is open');
  // After a reload the server says it is still open; elsewhere a link leads back.
  await lena.reload();
  await lena.locator('#help-status', { hasText: 'Asked 1 peer' }).waitFor();
  await lena.locator('#nav-home').click();
  await lena.locator('#home-title').waitFor(); // not the step page still on show while home loads
  const back = lena.locator('#help-mine');
  await back.waitFor();
  assert.equal(await back.innerText(), 'You asked for help on “What is a web page?”. Waiting for someone to accept.');
  await back.getByRole('link', { name: 'What is a web page?' }).click();
  await lena.locator('#home-title').waitFor({ state: 'detached' });
  await lena.locator('#help-status', { hasText: 'Asked 1 peer' }).waitFor();
  assert.equal(await back.isHidden(), true, 'no link to the page on show');

  // Sam, on another page, is asked; not told who asks.
  const offer = sam.locator('#notices [data-request]');
  await offer.waitFor();
  assert.match(await offer.innerText(), /Someone on “What is a web page\?” asks for help:\s+My heading does not show up\./);
  assert.doesNotMatch(await offer.innerText(), /Lena/);
  await offer.getByRole('button', { name: 'I can help' }).click();
  await offer.getByText('You are helping Lena with “What is a web page?”.').waitFor();

  // Lena sees who comes; each writes once and sees the other's live.
  await lena.locator('#help-status', { hasText: 'Sam is coming to help.' }).waitFor();
  await section.getByLabel('Your message').fill('I am by the window.');
  await section.getByRole('button', { name: 'Send' }).click();
  await offer.getByRole('list', { name: 'Messages' }).getByText('I am by the window.').waitFor();
  assert.equal(await offer.getByRole('listitem').innerText(), 'Lena: I am by the window.');
  await offer.getByLabel('Your message').fill('On my way!');
  await offer.getByRole('button', { name: 'Send' }).click();
  await section.getByRole('list', { name: 'Messages' }).getByText('On my way!').waitFor();
  assert.deepEqual(await section.getByRole('listitem').allInnerTexts(), ['Lena: I am by the window.', 'Sam: On my way!']);
  assert.equal(await section.getByLabel('Your message').inputValue(), '', 'a sent message leaves the box');
  // Sam reloads: he is still helping, with the conversation so far.
  await sam.reload();
  await offer.getByText('You are helping Lena with “What is a web page?”.').waitFor();
  await offer.getByText('On my way!').waitFor();
  assert.deepEqual(await offer.getByRole('listitem').allInnerTexts(), ['Lena: I am by the window.', 'Sam: On my way!']);

  // Solved: Lena's section says so and offers the form again; Sam's view closes.
  await section.getByRole('button', { name: 'Solved, thanks' }).click();
  await lena.locator('#help-status', { hasText: 'Good to hear it is solved.' }).waitFor();
  assert.equal(await question.isVisible(), true, 'she can ask again');
  await offer.getByText('The question on “What is a web page?” is solved. Thank you!').waitFor();
  assert.equal(await offer.getByLabel('Your message').count(), 0, 'nothing more can be written');
  await offer.getByRole('button', { name: 'Close' }).click();
  await offer.waitFor({ state: 'detached' });
  assert.deepEqual([...lena.problems, ...sam.problems], []);
  await lena.context().close();
  await sam.context().close();
});

test('"Not now" hides a question; one taken back says so; the learner can ask again', async () => {
  const sam = await newPage(browser);
  await signIn(sam, 'sam');
  const lena = await newPage(browser);
  await signIn(lena, 'lena');
  await lena.goto(`${daemon.url}/tracks/${TRACK}/steps/${STEP}`);
  const section = lena.getByRole('region', { name: 'Ask a peer for help' });
  const offer = sam.locator('#notices [data-request]');
  const askAndWait = async (text) => {
    await section.getByLabel('What are you stuck on?').fill(text);
    await section.getByRole('button', { name: 'Ask for help' }).click();
    await lena.locator('#help-status', { hasText: 'Asked 1 peer' }).waitFor();
    await offer.filter({ hasText: text }).waitFor();
  };
  const withdraw = async () => {
    await section.getByRole('button', { name: 'I no longer need help' }).click();
    await lena.locator('#help-status', { hasText: 'Your question is closed.' }).waitFor();
  };

  await askAndWait('Where do I save the file?');
  await offer.getByRole('button', { name: 'Not now' }).click();
  await offer.waitFor({ state: 'detached' });
  await withdraw();

  await askAndWait('What is a tag?');
  await withdraw();
  await offer.getByText('Help with “What is a web page?” is no longer needed.').waitFor();
  assert.equal(await section.getByLabel('What are you stuck on?').isVisible(), true);
  assert.deepEqual([...lena.problems, ...sam.problems], []);
});
