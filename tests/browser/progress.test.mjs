// Progress you can see in the web client, in English and
// Dutch, with no serious accessibility violation at 360 and 1280 px: the
// outline marks every step (done, in progress, locked and why) and each
// section's progress; a locked step's "Mark as done" is disabled with the
// reason; "Mark as done" says so and can be undone; the review checklist
// shows once; a short formatting help and a preview replace "(Markdown)";
// after submitting, the saved work is shown with where it stands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ok, refused } from '../lib/daemon.mjs';
import { newPage, signInAs } from '../lib/browser.mjs';
import { openCentre, scanned, dutch } from '../lib/centre.mjs';

const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';
const BEFORE_PROJECT = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

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
const stepUrl = (step) => `${daemon.url}/tracks/${TRACK}/steps/${step}`;

test('progress you can see: marks and section bars in the outline, a locked step says why, "Mark as done" says so and undoes; in Dutch too', async () => {
  const page = await newPage(browser);
  await signIn(page, 'sam');
  await page.goto(`${daemon.url}/tracks/${TRACK}`);
  const lesson = page.locator(`#outline li[data-step="${LESSON}"]`);
  const locked = page.locator('#outline li[data-step="first-page"]');
  await lesson.waitFor();
  assert.equal(await lesson.getAttribute('data-state'), 'not_started');
  assert.equal(await locked.getAttribute('data-state'), 'locked');
  assert.equal(await locked.locator('.mark').innerText(), 'Locked: finish “What is a web page?” first.');
  const section = page.locator('#outline > li').first();
  assert.equal(await section.getByRole('progressbar', { name: '0 of 2 done' }).count(), 1, 'each section has a labelled bar');
  await scanned(page, 'the outline');

  // The locked step: its action is disabled with the reason, in words.
  await page.goto(stepUrl('first-page'));
  const done = page.locator('#mark-done');
  await page.locator('#done-locked:not([hidden])').waitFor();
  assert.equal(await done.getAttribute('aria-disabled'), 'true');
  assert.equal(await done.getAttribute('aria-describedby'), 'done-locked');
  assert.equal(await page.locator('#done-locked').innerText(), 'Locked: finish “What is a web page?” first.');
  // (aria-disabled keeps it in the keyboard's reach, to read the reason; pressing it does nothing.)
  await done.focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#step-state').getAttribute('data-state'), 'not_started', 'a locked step is not marked');
  assert.equal(await page.locator('#done-result').innerText(), '');
  await scanned(page, 'a locked step');

  // "Mark as done": the result is said, and it can be undone.
  await page.goto(stepUrl(LESSON));
  await page.locator('#step-state[data-state="started"]').waitFor();
  await page.getByRole('button', { name: 'Mark as done' }).click();
  await page.locator('#done-result', { hasText: 'Marked as done.' }).waitFor();
  await page.locator('#step-state[data-state="done"]').waitFor();
  const undo = page.getByRole('button', { name: 'Undo' });
  assert.equal(await undo.isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'undo-done', 'the focus moves to Undo');
  await scanned(page, 'a step marked done');
  await undo.click();
  await page.locator('#done-result', { hasText: 'No longer marked as done.' }).waitFor();
  await page.locator('#step-state[data-state="started"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mark-done');
  await page.getByRole('button', { name: 'Mark as done' }).click();
  await page.locator('#step-state[data-state="done"]').waitFor();

  // The outline follows, in Dutch: done, and the next step unlocked.
  await page.goto(`${daemon.url}/tracks/${TRACK}`);
  await dutch(page);
  await page.locator(`#outline li[data-step="${LESSON}"][data-state="done"] .mark`, { hasText: 'Klaar' }).waitFor();
  await page.locator('#outline li[data-step="first-page"][data-state="not_started"]').waitFor();
  assert.equal(await page.locator('#outline li[data-step="text-links-images"] .mark').innerText(), 'Op slot: rond eerst “Your first HTML page” af.');
  assert.equal(await page.locator('#outline > li').first().getByRole('progressbar', { name: '1 van 2 klaar' }).count(), 1);
  await scanned(page, 'the outline in Dutch');
  await page.goto(stepUrl(LESSON));
  await page.getByRole('button', { name: 'Ongedaan maken' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a project: the checklist once, formatting help and a preview instead of "(Markdown)", the saved work shown after submitting; in Dutch too', async () => {
  const socket = await socketOf('noor');
  for (const step of BEFORE_PROJECT) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  const page = await newPage(browser);
  await signIn(page, 'noor');
  await page.goto(stepUrl('project'));
  await page.locator('#step-state[data-state="started"]').waitFor();
  assert.equal(await page.getByRole('heading', { name: /checklist/i }).count(), 1, 'the review checklist shows once');
  assert.equal(await page.getByText('(Markdown)').count(), 0);
  const body = page.getByLabel('What you made');
  await page.getByText('How to format your text').click();
  assert.match(await page.locator('.format-help').innerText(), /\*\*bold\*\* makes words bold\./);
  assert.match(await page.locator('.format-help').innerText(), /\[text\]\(https:\/\/example\.org\) makes a link\./);
  await body.fill('My page is about **bread**.');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('#field-body_md-preview strong', { hasText: 'bread' }).waitFor();
  await scanned(page, 'a project with its form');

  await page.getByRole('button', { name: 'Submit for review' }).click();
  // Not a reset form: the saved work, where it stands, and the focus on it.
  const mine = page.locator('#my-submission');
  await mine.locator('#submission-result', { hasText: 'Submitted.' }).waitFor();
  assert.equal(await page.locator('#work').isHidden(), true, 'the form gives way while the work waits');
  assert.equal(await mine.locator('.content strong').innerText(), 'bread');
  assert.match(await page.locator('#mine-state').innerText(), /Waiting for a reviewer|Being reviewed/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-title');
  await scanned(page, 'a project submitted');

  await page.reload();
  await mine.locator('.content strong', { hasText: 'bread' }).waitFor();
  await dutch(page);
  await page.locator('#my-submission h2', { hasText: 'Mijn inzending' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: /checklist/i }).count(), 1);
  await scanned(page, 'a project submitted, in Dutch');

  // A fresh project page in Dutch: the formatting help in Dutch.
  const other = await socketOf('pia');
  for (const step of BEFORE_PROJECT) {
    await ok(other, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(other, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  const pia = await newPage(browser);
  await signIn(pia, 'pia');
  await dutch(pia);
  await pia.goto(stepUrl('project'));
  await pia.getByLabel('Wat je gemaakt hebt').waitFor();
  await pia.getByText('Zo geef je je tekst opmaak').click();
  assert.match(await pia.locator('.format-help').innerText(), /\*\*vet\*\* maakt woorden vet\./);
  await scanned(pia, 'a project with its form, in Dutch');
  assert.deepEqual([...page.problems, ...pia.problems], []);
  await page.context().close();
  await pia.context().close();
});

test('undoing "Mark as done" locks the later steps again on the open outline, a step begun meanwhile too; in Dutch too', async () => {
  const socket = await socketOf('bram');
  await ok(socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
  await ok(socket, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
  await ok(socket, 'progress.set', { track: TRACK, step: 'first-page', state: 'started' });
  const page = await newPage(browser);
  await signIn(page, 'bram');
  await page.goto(`${daemon.url}/tracks/${TRACK}`);
  const begun = page.locator('#outline li[data-step="first-page"]');
  const later = page.locator('#outline li[data-step="text-links-images"]');
  await begun.and(page.locator('[data-state="started"]')).waitFor();
  assert.equal(await later.getAttribute('data-state'), 'locked', 'it needs first-page, not finished');
  await page.evaluate(() => { window.notReloaded = true; });

  // Undone elsewhere (another tab of his): the open outline follows.
  await ok(socket, 'progress.undo', { track: TRACK, step: LESSON });
  await begun.and(page.locator('[data-state="locked"]')).waitFor();
  assert.equal(await begun.locator('.mark').innerText(), 'Locked: finish “What is a web page?” first.');
  assert.equal(await page.locator(`#outline li[data-step="${LESSON}"]`).getAttribute('data-state'), 'started');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  await dutch(page);
  await begun.locator('.mark', { hasText: 'Op slot: rond eerst “What is a web page?” af.' }).waitFor();

  // The step begun says why, and its "Mark as done" waits (the server refuses it too).
  await page.goto(stepUrl('first-page'));
  await page.locator('#done-locked:not([hidden])').waitFor();
  assert.equal(await page.locator('#mark-done').getAttribute('aria-disabled'), 'true');
  const answer = await refused(socket, 'progress.set', { track: TRACK, step: 'first-page', state: 'done' }, 'conflict');
  assert.equal(answer.requires, LESSON);
  await scanned(page, 'a begun step locked again, in Dutch');

  // Done again: unlocked, live.
  await ok(socket, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
  await page.locator('#done-locked').and(page.locator('[hidden]')).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#mark-done').getAttribute('aria-disabled'), null);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
