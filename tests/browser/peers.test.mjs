// Peers' work after passing, in the browser: on a
// project's page a learner whose work has not passed is only told what comes
// (no spoilers); ana, whose work passed, shares it without her name; bob,
// whose work passed too, reads it as "a peer's" and thanks her once, which
// ana sees live; her withdrawal hides it; in English and Dutch, with axe
// clean at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, people, ok, connect } from '../lib/daemon.mjs';
import { launch, pageIn } from '../lib/browser.mjs';
import { seriousViolations } from '../lib/axe.mjs';

const TRACK = 'web-basics';
const STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];
const PROJECT = { track: TRACK, step: 'project' };
const PAGE = `/tracks/${TRACK}/steps/project`;

let daemon;
let browser;
let clients;
const sockets = {};

async function submitProject(socket, n) {
  for (const step of STEPS) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  await ok(socket, 'progress.set', { ...PROJECT, state: 'started' });
  await ok(socket, 'submission.create', { ...PROJECT, body_md: `# Work number ${n}\n\nA page about *birds*.`, link: `https://example.org/w${n}` });
}

async function pass(socket, link) {
  const { assignments } = await ok(socket, 'review.list');
  for (const a of assignments.filter((x) => x.state === 'assigned')) {
    const work = await ok(socket, 'review.get', { assignment: a.assignment });
    if (work.link === link) return ok(socket, 'review.submit', { assignment: a.assignment, verdict: 'pass', checks: work.rubric.map(() => true), comment_md: 'Good.' });
  }
  throw new Error(`no assignment on ${link}`);
}

// ana's and bob's work passes; cai's waits.
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner' });
  for (let i = 0; (await clients.ana.get(`/api/tracks/${TRACK}`)).status !== 200; i++) {
    assert.ok(i < 400, 'the track is served');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (const who of ['ana', 'bob', 'cai']) sockets[who] = await connect(daemon, clients[who]);
  await submitProject(sockets.ana, 1);
  await submitProject(sockets.bob, 2);
  await submitProject(sockets.cai, 3);
  await pass(sockets.bob, 'https://example.org/w1');
  await pass(sockets.cai, 'https://example.org/w1');
  await pass(sockets.ana, 'https://example.org/w2');
  await pass(sockets.cai, 'https://example.org/w2');
  for (const socket of Object.values(sockets)) socket.close();
});
after(async () => {
  for (const socket of Object.values(sockets)) if (socket.readyState === WebSocket.OPEN) socket.close();
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

// A page signed in as client (its session cookie), in locale, at width.
async function pageAs(client, locale = 'en-GB', width = 1280) {
  const context = await browser.newContext({ locale, viewport: { width, height: 900 } });
  const at = client.cookie.indexOf('=');
  await context.addCookies([{ name: client.cookie.slice(0, at), value: client.cookie.slice(at + 1), url: daemon.url }]);
  const page = await pageIn(context);
  await page.goto(`${daemon.url}${PAGE}`);
  await page.locator('#peers-work #peers-intro:not(:empty)').waitFor();
  return page;
}

test('peers read shared passed work only after passing; anonymous; thanked once; withdrawn at once', async () => {
  // cai's work waits for reviews: told what comes, shown nothing.
  const cai = await pageAs(clients.cai);
  assert.match(await cai.locator('#peers-intro').innerText(), /Once your work on this step has passed/);
  assert.equal(await cai.locator('#peers-list, #peers-mine').count(), 0);

  // ana shares hers without her name.
  const ana = await pageAs(clients.ana);
  await ana.locator('#peers-mine').waitFor();
  assert.equal(await ana.getByLabel('Do not share it').isChecked(), true, 'not shared by default');
  await ana.getByLabel('Share it without my name').check();
  await ana.locator('#peers-share-status', { hasText: 'without your name' }).waitFor();
  assert.match(await ana.locator('#peers-my-thanks').innerText(), /Nobody has thanked you yet/);

  // bob reads it as a peer's, with no name, and thanks her once.
  const bob = await pageAs(clients.bob);
  const item = bob.locator('#peers-list li');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.locator('h3').innerText(), 'By a peer (1)');
  assert.match(await item.locator('.content h1').innerText(), /Work number 1/);
  assert.equal(await item.locator('.content em').innerText(), 'birds', 'the stored HTML');
  assert.ok(!/ana/.test(await item.innerText()), 'nothing names ana');
  assert.equal(await cai.locator('#peers-list').count(), 0, 'still nothing for cai');
  await bob.getByRole('button', { name: 'Say thank you' }).click();
  await item.getByRole('button', { name: 'You said thank you' }).waitFor();
  assert.equal(await item.getByRole('button').getAttribute('aria-pressed'), 'true');
  await item.locator('.meta', { hasText: '1 thank-you' }).waitFor();
  // ana sees it live.
  await ana.locator('#peers-my-thanks', { hasText: '1 peer thanked you for your work.' }).waitFor();
  // Once: after a reload bob's thank-you is kept, and counts one.
  await bob.reload();
  await bob.locator('#peers-list li .meta', { hasText: '1 thank-you' }).waitFor();
  assert.equal(await bob.locator('#peers-list li button').getAttribute('aria-pressed'), 'true');

  // Withdrawn: gone at once for bob.
  await ana.getByLabel('Do not share it').check();
  await ana.locator('#peers-share-status', { hasText: 'not shared' }).waitFor();
  await bob.reload();
  await bob.locator('#peers-none').waitFor();
  assert.equal(await bob.locator('#peers-list').count(), 0);
  assert.deepEqual([...cai.problems, ...ana.problems, ...bob.problems], []);
  for (const page of [cai, ana, bob]) await page.context().close();
});

test('in Dutch, with the name when the author chooses it; axe clean at 360 and 1280 px', async () => {
  const ana = await pageAs(clients.ana, 'nl-NL');
  await ana.getByLabel('Delen met mijn naam').check();
  await ana.locator('#peers-share-status', { hasText: 'met je naam' }).waitFor();
  assert.equal(await ana.locator('#peers-title').innerText(), 'Hoe andere deelnemers het deden');
  for (const width of [360, 1280]) {
    for (const who of ['ana', 'bob', 'cai']) {
      const page = await pageAs(clients[who], width === 360 ? 'nl-NL' : 'en-GB', width);
      if (who === 'bob') {
        await page.locator('#peers-list li h3', { hasText: width === 360 ? 'Van ana' : 'By ana' }).waitFor();
      }
      assert.deepEqual(await seriousViolations(page), [], `axe: ${who} at ${width} px`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  }
  const cai = await pageAs(clients.cai, 'nl-NL', 360);
  assert.match(await cai.locator('#peers-intro').innerText(), /Zodra je eigen werk/);
  assert.deepEqual(cai.problems, []);
  await cai.context().close();
  await ana.context().close();
});
