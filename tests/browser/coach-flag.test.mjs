// A coach resolves a flagged review on the board, in Dutch: the attention
// list says what the author wrote and links to the flag; the coaches' panel
// shows the kind, the author's words, the review and the work side by side;
// upholding asks for kind words to the reviewer first, then the item leaves
// the list and the decision is listed. The learners act over websockets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, people, openSocket, ok } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';

const TRACK = 'web-basics';
const STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

let daemon;
let browser;
let clients;
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { mona: 'coach', ana: 'learner', bob: 'learner', cai: 'learner', dan: 'learner' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

async function connect(client) {
  const socket = await openSocket(daemon, client);
  const hello = await ok(socket, 'hello');
  if (hello.sync === 'snapshot') await socket.next((m) => m.type === 'snapshot');
  return socket;
}

async function toProjectAndSubmit(socket, who) {
  for (const step of STEPS) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  await ok(socket, 'progress.set', { track: TRACK, step: 'project', state: 'started' });
  return (await ok(socket, 'submission.create', { track: TRACK, step: 'project', body_md: `# ${who}`, link: `https://example.org/${who}` })).submission.id;
}

test('een coach handelt een gemelde review af op het bord (a coach resolves a flag, in Dutch)', async () => {
  const sockets = {};
  for (let i = 0; i < 400 && (await clients.ana.get(`/api/tracks/${TRACK}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 25));
  for (const who of ['ana', 'bob', 'cai', 'dan']) sockets[who] = await connect(clients[who]);
  for (const who of ['ana', 'bob', 'cai', 'dan']) await toProjectAndSubmit(sockets[who], who);
  // bob reviews ana's work rudely; ana flags it.
  let review = null;
  const { assignments } = await ok(sockets.bob, 'review.list');
  for (const a of assignments) {
    const got = await ok(sockets.bob, 'review.get', { assignment: a.assignment });
    if (got.link !== 'https://example.org/ana') continue;
    review = (await ok(sockets.bob, 'review.submit', { assignment: a.assignment, verdict: 'needs_work', checks: got.rubric.map(() => false), comment_md: 'Slecht.' })).review;
  }
  assert.ok(review, 'bob was given ana\'s work');
  await ok(sockets.ana, 'review.flag', { review, kind: 'rude', reason: 'Alleen "Slecht." en verder niets.' });

  const page = await newPage(browser);
  await signInAs(page, daemon, 'mona');
  await page.locator('#lang').selectOption('nl');
  await page.locator('html[lang="nl"]').waitFor({ state: 'attached' });
  await page.goto(`${daemon.url}/board/autumn/${TRACK}`);
  // The attention list: the words and a link to the flag on this page.
  const entry = page.locator('#board-attention li[data-kind="flagged_review"]');
  await entry.waitFor();
  assert.match(await entry.innerText(), /Onbeleefd\..*Alleen "Slecht\." en verder niets\./s);
  await entry.getByRole('link', { name: 'Bekijken' }).click();
  const card = page.locator(`#coach-flag-${review}`);
  await card.waitFor();
  assert.match(page.url(), new RegExp(`#coach-flag-${review}$`));
  assert.match(await card.innerText(), /Beoordelaar|Reviewer: bob/);
  assert.match(await card.locator(`#coach-flagged-${review}`).innerText(), /Slecht\./);
  assert.match(await card.locator(`#coach-work-of-${review}`).innerText(), /ana/);

  // Upholding asks for kind words first.
  await card.getByRole('button', { name: 'Terecht: een andere reviewer neemt het over' }).click();
  await card.locator('.form-error:not([hidden])').waitFor();
  assert.equal(await card.locator('.form-error:not([hidden])').innerText(), 'Schrijf eerst een vriendelijk woord voor de reviewer.');
  await card.getByLabel('Vriendelijke woorden voor de reviewer (als je de melding terecht vindt)').fill('Zeg wat er beter kan, en hoe.');
  const upheld = sockets.bob.next((m) => m.type === 'event' && m.event === 'review.flag_upheld');
  const told = sockets.ana.next((m) => m.type === 'event' && m.event === 'review.flag_resolved');
  await card.getByRole('button', { name: 'Terecht: een andere reviewer neemt het over' }).click();
  await page.locator('#coach-status:text("Klaar. De deelnemer is op de hoogte gebracht.")').waitFor();
  assert.equal((await upheld).note, 'Zeg wat er beter kan, en hoe.');
  assert.equal((await told).outcome, 'upheld');
  // The item left the lists; the decision is listed.
  await page.locator(`#coach-flag-${review}`).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#coach-flags').innerText(), 'Er wacht geen gemelde review.');
  assert.match(await page.locator('#coach-decisions').innerText(), /Melding terecht door mona voor ana/);
  await page.locator('#board-attention li[data-kind="flagged_review"]').waitFor({ state: 'detached' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
  for (const socket of Object.values(sockets)) if (socket.readyState === WebSocket.OPEN) socket.close();
});
