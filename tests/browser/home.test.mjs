// The home page in the web client, in English and
// Dutch, with no serious accessibility violation at 360 and 1280 px: a
// learner's one next action follows the documented order (a coach's
// message before their own next step) and changes live; recent events are
// listed; a coach's home lists who needs attention per cohort. Progress you
// can see is progress.test.mjs's, notifications inbox.test.mjs's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ok } from '../lib/daemon.mjs';
import { newPage, signInAs } from '../lib/browser.mjs';
import { openCentre, scanned, dutch } from '../lib/centre.mjs';

const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';

let centre;
let daemon;
let browser;
before(async () => {
  centre = await openCentre({ people: [['mona', 'coach', 'Mona'], ['lena', 'learner', 'Lena'], ['sam', 'learner', 'Sam'],
    ['noor', 'learner', 'Noor'], ['pia', 'learner', 'Pia'], ['bram', 'learner', 'Bram']], track: TRACK });
  ({ daemon, browser } = centre);
});
after(() => centre?.close());

const socketOf = (handle) => centre.socketOf(handle);
const signIn = (page, handle) => signInAs(page, daemon, handle);

test('home: one next action by the documented order, live; recent events; a coach sees who needs attention', async () => {
  const page = await newPage(browser);
  await signIn(page, 'lena');
  const next = page.locator('#next-action');
  await next.locator('a').waitFor();
  assert.equal(await next.getAttribute('data-kind'), 'begin');
  assert.match(await next.innerText(), /^Start “.+” in .+/);
  await page.locator('#recent').waitFor();
  await scanned(page, 'a learner\'s home');

  // Her own next step, changed live when the lesson is done elsewhere.
  const lena = await socketOf('lena');
  await ok(lena, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
  await page.locator('#next-action[data-kind="continue"]').waitFor();
  assert.equal(await next.innerText(), 'Continue “What is a web page?” in Web basics: HTML and CSS');
  assert.equal(await next.locator('a').getAttribute('href'), `/tracks/${TRACK}/steps/${LESSON}`);
  await ok(lena, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
  await next.getByText('Continue “Your first HTML page”', { exact: false }).waitFor();

  // A coach's message comes before her own step, and is listed as recent.
  const mona = await socketOf('mona');
  await ok(mona, 'nudge.send', { user: 'lena', body: 'Come to the window table.' });
  await page.locator('#next-action[data-kind="nudge"]').waitFor();
  assert.equal(await next.innerText(), 'Your coach sent you a message. Read it');
  assert.equal(await next.locator('a').getAttribute('href'), '#notices');

  await page.goto(daemon.url);
  await page.locator('#recent li[data-kind="nudge"]').waitFor();
  assert.match(await page.locator('#recent').innerText(), /Message from Mona: Come to the window table\./);
  await dutch(page);
  await page.locator('#next-title', { hasText: 'Wat nu' }).waitFor();
  assert.equal(await next.innerText(), 'Je coach stuurde je een bericht. Lees het');
  await page.locator('#recent', { hasText: 'Bericht van Mona: Come to the window table.' }).waitFor();
  await scanned(page, 'a learner\'s home in Dutch');
  assert.deepEqual(page.problems, []);

  // The coach: her cohort's attention list, with lena's question.
  await ok(lena, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
  await ok(lena, 'help.ask', { track: 'learning-to-learn', step: 'welcome', body: 'Where do I begin?' });
  const coach = await newPage(browser);
  await signIn(coach, 'mona');
  const entry = coach.locator('#coach-attention [data-cohort="autumn"] li[data-user="lena"][data-kind="help_request"]');
  await entry.waitFor();
  assert.equal(await entry.innerText(), 'lena asked for help.');
  assert.equal(await coach.locator('#coach-attention a[href="/board/autumn/learning-to-learn"]').count(), 1);
  assert.equal(await coach.locator('#next-action').count(), 0, 'a coach has no learner\'s next step');
  await scanned(coach, 'a coach\'s home');
  await dutch(coach);
  await coach.locator('#coach-attention h2', { hasText: 'Heeft je aandacht nodig' }).waitFor();
  await coach.locator('#coach-attention h3', { hasText: 'Groep autumn' }).waitFor();
  await scanned(coach, 'a coach\'s home in Dutch');
  assert.deepEqual(coach.problems, []);
  await page.context().close();
  await coach.context().close();
});
