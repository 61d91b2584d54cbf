// Peer review in the web client: a waiting submission says why it waits;
// the reviewer finds the work in "Reviews to do" (with a badge in the
// header), reads it rendered safely, keeps a draft across a reload, and
// sends a review that then shows read-only; the author sees it arrive live
// under "My submission", rates and flags it; someone not assigned cannot
// open the review; a declined review says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, openSocket } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';

const TRACK = 'web-basics';
const BEFORE_PROJECT = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

let daemon;
let browser;
let clients;
const sockets = {};
const assigned = {}; // reviewer → the assignment id pushed to them
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner' });
  for (let i = 0; i < 400 && (await clients.ana.get(`/api/tracks/${TRACK}`)).status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (const who of ['ana', 'bob', 'cai']) {
    sockets[who] = await openSocket(daemon, clients[who]);
    await ok(sockets[who], 'hello');
    for (const step of BEFORE_PROJECT) {
      await ok(sockets[who], 'progress.set', { track: TRACK, step, state: 'started' });
      await ok(sockets[who], 'progress.set', { track: TRACK, step, state: 'done' });
    }
    await ok(sockets[who], 'progress.set', { track: TRACK, step: 'project', state: 'started' });
  }
});
after(async () => {
  for (const socket of Object.values(sockets)) socket.close();
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

let ids = 1;
async function ok(socket, type, fields = {}) {
  const id = ids++;
  socket.send(JSON.stringify({ type, id, ...fields }));
  const reply = await socket.next((message) => message.id === id);
  assert.equal(reply.type, 'ok', `${type}: ${JSON.stringify(reply)}`);
  return reply;
}

function submit(who) {
  return ok(sockets[who], 'submission.create', {
    track: TRACK, step: 'project',
    body_md: `# ${who}'s page\n\nAbout my **street**. <script>alert('${who}')</script>`,
    link: `https://example.org/${who}`,
  });
}

async function signIn(handle, options = {}) {
  const page = await newPage(browser, options);
  await signInAs(page, daemon, handle);
  return page;
}

const projectUrl = () => `${daemon.url}/tracks/${TRACK}/steps/project`;
const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('work nobody can review yet says why it waits, in plain words', async () => {
  await submit('ana');
  const page = await signIn('ana');
  await page.goto(projectUrl());
  const mine = page.locator('#my-submission');
  await mine.waitFor();
  assert.equal(await page.getByRole('heading', { name: 'My submission' }).count(), 1);
  assert.equal(await page.locator('#mine-state').innerText(), 'Waiting for a reviewer');
  assert.match(await page.locator('#mine-standing').innerText(),
    /0 of 2 reviews done\. No one has reached this step yet; you will get a reviewer as soon as someone does\./);
  assert.equal(await page.locator('#mine-standing').getAttribute('role'), 'status');
  assert.match(await mine.innerText(), /No reviews yet\./);
  // Her own work, rendered by the server: no script.
  // Shown open: the work as it was saved, not hidden behind a click.
  assert.equal(await mine.locator('details', { has: page.locator('summary', { hasText: 'What you submitted' }) }).getAttribute('open'), '');
  assert.equal(await mine.locator('.content strong').innerText(), 'street');
  assert.equal(await mine.locator('script').count(), 0);

  // Bob submits too: the two review each other, and her page follows live.
  await submit('bob');
  for (const who of ['ana', 'bob']) {
    assigned[who] = (await sockets[who].next((m) => m.type === 'event' && m.event === 'review.assigned')).assignment;
  }
  await page.locator('#mine-standing', { hasText: '1 reviewer is working on it.' }).waitFor();
  assert.equal(await page.locator('#mine-standing').innerText(),
    '0 of 2 reviews done. 1 reviewer is working on it. No one else can review this step yet; you will get another reviewer as soon as someone can.');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the reviewer finds the work, keeps a draft over a reload, and sends the review; the author sees it live, rates and flags it', async () => {
  const ana = await signIn('ana');
  await ana.goto(projectUrl());
  await ana.locator('#mine-standing', { hasText: '1 reviewer is working on it.' }).waitFor();

  const bob = await signIn('bob', { viewport: { width: 360, height: 740 } });
  const badge = bob.locator('#reviews-badge');
  await badge.locator('text=1').first().waitFor();
  assert.equal(await bob.getByRole('link', { name: /Reviews.*1 review to do/ }).count(), 1, 'the badge is said in words');
  await bob.locator('#nav-reviews').click();
  await bob.getByRole('heading', { name: 'Reviews to do' }).waitFor();
  assert.equal(await bob.locator('#review-counts').innerText(), 'Reviews you gave: 0. Reviews you got: 0.');
  const card = bob.locator(`#reviews-open [data-assignment="${assigned.bob}"]`);
  assert.match(await card.locator('.due').innerText(), /^Due in \d+ (hours|days) \(.+\)$/);
  const datetime = await card.locator('time').getAttribute('datetime');
  assert.ok(Date.parse(datetime) > Date.now(), 'the exact due time is given');
  assert.equal(await noSideways(bob), true, 'no sideways scrolling at 360 px');

  await card.getByRole('link', { name: 'Project: a page about something you love' }).click();
  await bob.locator('#review-form').waitFor();
  assert.equal(new URL(bob.url()).pathname, `/reviews/${assigned.bob}`);
  assert.equal(await bob.locator('#review-work strong').innerText(), 'street');
  assert.equal(await bob.locator('main script').count(), 0, 'the work is rendered without scripts');
  const link = bob.locator('.work-link a');
  assert.equal(await link.getAttribute('href'), 'https://example.org/ana');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await bob.locator('main').innerText(), /Due in/);
  assert.equal(await bob.getByRole('group', { name: 'Checklist' }).locator('input[type=checkbox]').count(), 6);
  assert.equal(await noSideways(bob), true, 'no sideways scrolling at 360 px');

  // Ticks and a comment, then a reload: nothing typed is lost.
  const boxes = bob.getByRole('group', { name: 'Checklist' }).getByRole('checkbox');
  await boxes.nth(0).check();
  await boxes.nth(2).check();
  const comment = bob.getByLabel('Your comment', { exact: true });
  await comment.fill('Nice street. The *colours* work well.');
  await bob.reload();
  await bob.locator('#review-form').waitFor();
  assert.equal(await comment.inputValue(), 'Nice street. The *colours* work well.', 'the draft comment is restored');
  assert.equal(await boxes.nth(0).isChecked(), true);
  assert.equal(await boxes.nth(1).isChecked(), false);
  assert.equal(await boxes.nth(2).isChecked(), true);

  // Needs work without a comment is caught before sending.
  await comment.fill('');
  await bob.getByRole('group', { name: 'Your verdict' }).getByLabel('Needs work').check();
  await bob.getByRole('button', { name: 'Send review' }).click();
  await bob.locator('#review-form .form-error', { hasText: 'Write in your comment what needs work.' }).waitFor();
  assert.equal(await comment.getAttribute('aria-invalid'), 'true');
  assert.equal(await bob.evaluate(() => document.activeElement.id), 'field-comment');

  for (let i = 0; i < 6; i++) await boxes.nth(i).check();
  await boxes.nth(5).uncheck();
  await comment.fill('Nice street. The *colours* work well.');
  await bob.getByRole('group', { name: 'Your verdict' }).getByLabel('Pass').check();
  await bob.getByRole('button', { name: 'Send review' }).click();
  const given = bob.locator('#review-given');
  await given.waitFor();
  assert.match(await given.innerText(), /Your review was sent\. Thank you!/);
  assert.equal(await bob.evaluate(() => document.activeElement.id), 'given-title', 'focus moves to the review given');
  assert.equal(await bob.locator('#review-form').count(), 0);
  assert.match(await given.locator('.verdict').innerText(), /Pass/);
  assert.equal(await given.locator('[data-met=true]').count(), 5);
  assert.equal(await bob.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('grounds.review.')).length), 0, 'the draft is cleared');
  await badge.waitFor({ state: 'hidden' });

  // Read-only after a reload too.
  await bob.reload();
  await given.waitFor();
  assert.equal(await bob.locator('#review-form').count(), 0);
  assert.match(await given.locator('.comment').innerText(), /Nice street/);

  // The author's page shows the review received, without a reload.
  const received = ana.locator('#mine-reviews article.received');
  await received.waitFor();
  assert.match(await received.locator('.verdict').innerText(), /Pass/);
  assert.equal(await received.locator('.checks li').count(), 6);
  assert.equal(await received.locator('.checks [data-met=true]').count(), 5);
  assert.equal(await received.locator('.comment em').innerText(), 'colours');
  assert.match(await ana.locator('#mine-standing').innerText(), /1 of 2 reviews done\./);

  const rating = received.getByRole('group', { name: 'How helpful was this review?' });
  await rating.getByLabel('4 – helpful').check();
  await received.locator('[role=status]', { hasText: 'Saved: 4 – helpful.' }).waitFor();
  await received.locator('summary', { hasText: 'Flag this review' }).click();
  await received.getByLabel('What is wrong with it?').fill('It says nothing about my links.');
  await received.getByRole('button', { name: 'Flag review' }).click();
  await received.locator('text=You flagged this review. A coach will look at it.').waitFor();
  assert.equal(await received.getByRole('button', { name: 'Flag review' }).count(), 0);

  await ana.reload();
  await received.waitFor();
  assert.equal(await received.getByLabel('4 – helpful').isChecked(), true, 'the rating is kept');
  assert.match(await received.innerText(), /You flagged this review/);
  const flagEvent = await sockets.ana.next((m) => m.type === 'event' && m.event === 'review.flagged');
  assert.equal(flagEvent.reason, 'It says nothing about my links.');

  // The reviews page counts the review given, in Dutch too.
  await bob.locator('#nav-reviews').click();
  await bob.locator(`#reviews-done [data-assignment="${assigned.bob}"]`).waitFor();
  assert.equal(await bob.locator('#review-counts').innerText(), 'Reviews you gave: 1. Reviews you got: 0.');
  assert.match(await bob.locator('#reviews-open').innerText(), /Nothing to review right now/);
  await bob.locator('#lang').selectOption('nl');
  await bob.getByRole('heading', { name: 'Reviews te doen' }).waitFor();
  assert.deepEqual([...ana.problems, ...bob.problems], []);
  await ana.context().close();
  await bob.context().close();
});

test('someone not assigned cannot open the review; a new assignment shows up live', async () => {
  const cai = await signIn('cai');
  await cai.goto(`${daemon.url}/reviews/${assigned.bob}`);
  const refused = cai.locator('#review-refused');
  await refused.waitFor();
  assert.equal(await refused.innerText(), 'You cannot open this review: it was given to someone else. Your reviews page shows the ones for you.');
  assert.equal(await refused.getAttribute('role'), 'alert');
  assert.equal(await cai.locator('#review-work').count(), 0);

  // Her list is empty until work is assigned to her, then it appears live.
  await cai.locator('#nav-reviews').click();
  await cai.locator('#reviews-open', { hasText: 'Nothing to review right now' }).waitFor();
  await submit('cai');
  await cai.locator('#reviews-open [data-state=assigned]').first().waitFor();
  await cai.locator('#reviews-status', { hasText: 'New work to review' }).waitFor();
  await cai.locator('#reviews-badge:not([hidden])').waitFor();
  assert.deepEqual(cai.problems, []);
  await cai.context().close();
});

test('declining asks first, then says the work went to someone else', async () => {
  const ana = await signIn('ana');
  await ana.goto(`${daemon.url}/reviews/${assigned.ana}`);
  await ana.locator('#review-form').waitFor();
  await ana.getByRole('button', { name: 'Decline' }).click();
  const ask = ana.locator('#decline-confirm');
  await ask.waitFor();
  assert.match(await ask.innerText(), /Decline this review\?/);
  assert.equal(await ana.evaluate(() => document.activeElement.id), 'decline-yes');
  await ana.getByRole('button', { name: 'No, keep it' }).click();
  assert.equal(await ask.isHidden(), true);
  await ana.getByRole('button', { name: 'Decline' }).click();
  await ana.getByRole('button', { name: 'Yes, decline' }).click();
  await ana.locator('#review-closed', { hasText: 'You declined this review.' }).waitFor();
  assert.equal(await ana.getByRole('button', { name: 'Send review' }).isDisabled(), true);

  await ana.reload();
  await ana.locator('#review-refused', { hasText: 'You declined this review. The work went to someone else.' }).waitFor();
  assert.deepEqual(ana.problems, []);
  await ana.context().close();
});
