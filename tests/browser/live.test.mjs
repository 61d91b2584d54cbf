// Live progress in the web client, over the websocket: a step marked done in
// one tab shows in another without a reload, the home page's progress bars
// follow, a project's draft survives a reload and is cleared only once the
// server took the submission, learners on the same step see each other, and
// a banner says so when the server is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startDaemon, people, openSocket } from '../lib/daemon.mjs';
import { launch, newPage, pageIn, signInAs } from '../lib/browser.mjs';

const LESSON = 'what-is-a-web-page';
const BEFORE_PROJECT = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

let daemon;
let browser;
let clients;
let dataDir;
before(async () => {
  daemon = await startDaemon();
  dataDir = daemon.dataDir;
  browser = await launch();
  clients = await people(daemon, { lena: 'learner', omar: 'learner', pia: 'learner' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
  await rm(dataDir, { recursive: true, force: true });
});

const signIn = (page, handle) => signInAs(page, daemon, handle);

const stepUrl = (step, track = 'web-basics') => `${daemon.url}/tracks/${track}/steps/${step}`;

async function waitForState(page, state) {
  await page.locator(`#step-state[data-state="${state}"]`).waitFor();
}

// Sends one request on a Node websocket and resolves its reply.
let ids = 1;
async function ask(socket, type, fields = {}) {
  const id = ids++;
  socket.send(JSON.stringify({ type, id, ...fields }));
  return socket.next((message) => message.id === id);
}

test('a lesson marked done in one tab shows as done in the other, and on its home page, without a reload', async () => {
  const page1 = await newPage(browser);
  await signIn(page1, 'lena');
  const page2 = await pageIn(page1.context());

  await page1.goto(stepUrl(LESSON));
  await waitForState(page1, 'started');
  assert.match(await page1.locator('#step-state').innerText(), /In progress/);
  await page2.goto(stepUrl(LESSON));
  await waitForState(page2, 'started');
  // The same person in two tabs is no one else.
  await page2.locator('#step-peers', { hasText: 'No one else is on this step right now.' }).waitFor();
  await page2.evaluate(() => { window.notReloaded = true; });

  await page1.getByRole('button', { name: 'Mark as done' }).click();
  await waitForState(page1, 'done');
  assert.equal(await page1.getByRole('button', { name: 'Mark as done' }).count(), 0, 'the button goes once done');
  await waitForState(page2, 'done');
  assert.match(await page2.locator('#step-state').innerText(), /Done/);
  assert.equal(await page2.locator('#mark-done').isHidden(), true);

  // Home, reached by a link (no reload): the bar counts the done step.
  await page2.locator('#nav-home').click();
  const card = page2.locator('[data-track-progress="web-basics"]');
  await card.locator('progress').waitFor();
  assert.equal(await card.locator('.progress-label').innerText(), '1 of 7 steps done');
  assert.equal(await card.locator('progress').getAttribute('value'), '1');
  assert.equal(await card.getByRole('progressbar', { name: '1 of 7 steps done' }).count(), 1, 'the bar is labelled');
  assert.equal(await card.locator('a.continue').innerText(), 'Continue: Your first HTML page');
  // A track not begun is still listed, with where to start.
  assert.match(await page2.locator('[data-track-progress="command-line-basics"]').innerText(), /Not begun yet/);

  // The next step done in the first tab moves the bar in the second one live.
  await page1.goto(stepUrl('first-page'));
  await waitForState(page1, 'started');
  await page1.getByRole('button', { name: 'Mark as done' }).click();
  await waitForState(page1, 'done');
  await card.locator('.progress-label', { hasText: '2 of 7 steps done' }).waitFor();
  assert.equal(await card.locator('progress').getAttribute('value'), '2');
  assert.equal(await card.locator('a.continue').innerText(), 'Continue: Headings, paragraphs, links and images');
  assert.equal(await page2.evaluate(() => window.notReloaded), true, 'no reload happened');

  // A tab that left the client and comes back says hello with the last seq
  // it saw and gets only the events it missed.
  await page2.goto('about:blank');
  await page1.goto(stepUrl('text-links-images'));
  await waitForState(page1, 'started');
  await page1.getByRole('button', { name: 'Mark as done' }).click();
  await waitForState(page1, 'done');
  const frames = [];
  page2.on('websocket', (socket) => {
    socket.on('framesent', (frame) => frames.push(['sent', JSON.parse(frame.payload)]));
    socket.on('framereceived', (frame) => frames.push(['received', JSON.parse(frame.payload)]));
  });
  await page2.goto(daemon.url);
  await card.locator('.progress-label', { hasText: '3 of 7 steps done' }).waitFor();
  const hello = frames.find(([way, message]) => way === 'sent' && message.type === 'hello')[1];
  assert.ok(Number.isInteger(hello.last_seq), 'hello names the last seq seen');
  const reply = frames.find(([way, message]) => way === 'received' && message.id === hello.id)[1];
  assert.equal(reply.sync, 'replay');
  const replayed = frames.filter(([way, message]) => way === 'received' && message.type === 'event').map(([, message]) => message.seq);
  assert.deepEqual(replayed, [hello.last_seq + 1, hello.last_seq + 2], 'started and done, nothing more');
  assert.deepEqual([...page1.problems, ...page2.problems], []);
  await page1.context().close();
});

test('a project: the draft survives a reload, the preview is rendered by the server, submitting clears the draft', async () => {
  // The steps the project requires, done from Node over the websocket.
  const socket = await openSocket(daemon, clients.lena);
  assert.equal((await ask(socket, 'hello')).type, 'ok');
  for (const step of BEFORE_PROJECT) {
    const started = await ask(socket, 'progress.set', { track: 'web-basics', step, state: 'started' });
    assert.equal(started.type, 'ok', JSON.stringify(started));
    const done = await ask(socket, 'progress.set', { track: 'web-basics', step, state: 'done' });
    assert.equal(done.type, 'ok', JSON.stringify(done));
  }
  socket.close();

  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  await signIn(page, 'lena');
  assert.equal(await page.locator('[data-track-progress="web-basics"] .progress-label').innerText(), '6 of 7 steps done');
  await page.goto(stepUrl('project'));
  await waitForState(page, 'started');
  assert.equal(await page.locator('#mark-done').count(), 0, 'a reviewed step is not marked done');
  const body = page.getByLabel('What you made');
  await body.fill('My page is about **bread**.\n\n- sourdough\n- rye\n\n<script>alert(1)</script>');
  await page.getByLabel('Link to your work (optional)').fill('https://example.org/bread');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling at 360 px');

  await page.reload();
  await waitForState(page, 'started');
  assert.match(await body.inputValue(), /\*\*bread\*\*/, 'the draft is restored');
  assert.equal(await page.getByLabel('Link to your work (optional)').inputValue(), 'https://example.org/bread');

  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('#field-body_md-preview strong').waitFor();
  assert.equal(await page.locator('#field-body_md-preview strong').innerText(), 'bread');
  assert.equal(await page.locator('#field-body_md-preview li').count(), 2);
  assert.equal(await page.locator('#field-body_md-preview script').count(), 0, 'raw HTML is left out');

  // A link that is no web address is caught at the field, before sending.
  const link = page.getByLabel('Link to your work (optional)');
  await link.fill('example.org/bread');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.locator('#submission-form .form-error', { hasText: 'The link must be a web address' }).waitFor();
  assert.equal(await link.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'field-link');
  await link.fill('https://example.org/bread');

  await page.getByRole('button', { name: 'Submit for review' }).click();
  await waitForState(page, 'submitted');
  assert.match(await page.locator('#step-state').innerText(), /Submitted — waiting for reviewers/);
  await page.locator('#submission-result', { hasText: 'Submitted.' }).waitFor();
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('grounds.draft.')).length), 0, 'the draft is cleared');
  assert.equal(await page.locator('#work').isHidden(), true, 'no second submission while waiting: the saved work shows instead');
  await page.locator('#my-submission .content strong', { hasText: 'bread' }).waitFor();

  await page.reload();
  await waitForState(page, 'submitted');
  assert.equal(await page.locator('#work').isHidden(), true);
  assert.equal(await body.inputValue(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('two learners on the same step see each other; in Dutch too', async () => {
  const omar = await newPage(browser);
  await signIn(omar, 'omar');
  const pia = await newPage(browser);
  await signIn(pia, 'pia');
  await omar.goto(stepUrl(LESSON));
  await omar.locator('#step-peers', { hasText: 'No one else is on this step right now.' }).waitFor();
  await pia.goto(stepUrl(LESSON));
  await pia.locator('#step-peers', { hasText: '1 peer is on this step.' }).waitFor();
  await omar.locator('#step-peers', { hasText: '1 peer is on this step.' }).waitFor();

  await pia.locator('#lang').selectOption('nl');
  await pia.locator('#step-peers', { hasText: '1 andere deelnemer is bij deze stap.' }).waitFor();
  assert.match(await pia.locator('#step-state').innerText(), /Bezig/);

  // Leaving the step leaves its room.
  await pia.locator('#nav-home').click();
  await pia.locator('#home-title').waitFor();
  await omar.locator('#step-peers', { hasText: 'No one else is on this step right now.' }).waitFor();
  assert.deepEqual([...omar.problems, ...pia.problems], []);
  await omar.context().close();
  await pia.context().close();
});

test('a step that needs another first says which; when the server stops, a banner says so and the draft is kept until it is back', async () => {
  const page = await newPage(browser);
  await signIn(page, 'omar');
  await page.goto(stepUrl('project'));
  const requires = page.locator('#step-requires');
  await requires.waitFor();
  assert.equal(await requires.innerText(), 'Finish Your first HTML page first.');
  assert.equal(await requires.locator('a').getAttribute('href'), '/tracks/web-basics/steps/first-page');
  await waitForState(page, 'not_started');
  const banner = page.locator('#live-status');
  assert.equal(await banner.innerText(), '', 'no banner while online');

  // SIGTERM: the daemon closes the websockets and exits.
  assert.equal(await daemon.stop({ keep: true }), 0, daemon.stderr);
  await banner.locator('text=Offline — reconnecting…').waitFor();
  assert.equal(await banner.getAttribute('role'), 'status');
  assert.equal(await banner.getAttribute('aria-live'), 'polite');

  // Typed while offline on a step still locked: nothing is sent (the
  // button says why it cannot), nothing is lost.
  const body = page.getByLabel('What you made');
  await body.fill('Written on the train.');
  const submit = page.locator('#submit-work');
  assert.equal(await submit.getAttribute('aria-disabled'), 'true');
  assert.equal(await page.locator('#submit-locked').innerText(), 'Locked: finish “Your first HTML page” first.');
  await submit.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#submission-form .form-error').isHidden(), true);
  assert.equal(await body.inputValue(), 'Written on the train.');
  const draft = () => page.evaluate(() => localStorage.getItem('grounds.draft.omar.web-basics.project'));
  assert.equal(JSON.parse(await draft()).body, 'Written on the train.');

  // The server is back (same port, same data): the page reconnects by itself.
  daemon = await startDaemon({ dataDir, port: daemon.port });
  await banner.locator('text=Online again.').waitFor({ timeout: 30000 });
  assert.equal(await banner.getAttribute('data-status'), 'online');

  // The steps it needs, done elsewhere, lift "Finish … first" live; then the
  // draft kept offline is submitted and only then cleared.
  const socket = await openSocket(daemon, clients.omar);
  const expectOk = (reply) => assert.equal(reply.type, 'ok', JSON.stringify(reply));
  expectOk(await ask(socket, 'hello'));
  for (const step of BEFORE_PROJECT) {
    expectOk(await ask(socket, 'progress.set', { track: 'web-basics', step, state: 'started' }));
    expectOk(await ask(socket, 'progress.set', { track: 'web-basics', step, state: 'done' }));
  }
  socket.close();
  await waitForState(page, 'started');
  assert.equal(await requires.isHidden(), true);
  // lena submitted the project earlier and is online now: the two are paired
  // at once (reviews are pushed only to learners online), so the step goes
  // on from submitted to in review.
  const lena = await openSocket(daemon, clients.lena);
  expectOk(await ask(lena, 'hello'));
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await waitForState(page, 'in_review');
  lena.close();
  assert.equal(await body.inputValue(), '');
  assert.equal(await draft(), null);

  // Stopped for good: the banner comes back and stays.
  await daemon.stop({ keep: true });
  await banner.locator('text=Offline — reconnecting…').waitFor();
  // The failed reconnections are expected; nothing else went wrong.
  assert.deepEqual(page.problems.filter((problem) => !/WebSocket connection to .* failed/.test(problem)), []);
  await page.context().close();
});
