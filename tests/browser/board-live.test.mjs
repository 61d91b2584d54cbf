// A board that never goes stale, in the browser:
// a learner's presence dot stays while one of her two tabs is open and goes
// with the last; the weekly chart follows her activity without a reload; a
// learner who joins appears at once, before any progress, and one moved to
// another cohort leaves it at once (and comes back when moved back); a
// board that failed to load tries again by itself; the CSV button
// downloads a file with a header row; at 1280 px the last column is reached
// by scrolling with the names still in sight; the landmarks have names of
// their own and axe finds nothing serious, at 360 and 1280 px, in English
// and Dutch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addCohorts, startDaemon, people, register, runCli, tempDir } from '../lib/daemon.mjs';
import { launch, pageIn } from '../lib/browser.mjs';
import { seriousViolations } from '../lib/axe.mjs';

const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';

let daemon;
let browser;
let clients;
let work;

// A track of 40 steps: wider than a 1280 px screen on the board.
async function longTrack() {
  work = await tempDir('grounds-browser-board-');
  const repo = join(work, 'long');
  await mkdir(repo);
  const ids = Array.from({ length: 40 }, (_, i) => `s${i + 1}`);
  await writeFile(join(repo, 'track.md'), `# A long track\n\nForty steps.\n\n## Steps\n\n${ids.map((id) => `- [Step ${id}](${id}.md)\n`).join('')}`);
  for (const id of ids) await writeFile(join(repo, `${id}.md`), `---\nid: ${id}\n---\n\n# Step ${id}\n\nRead this.\n`);
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'forty steps');
  const added = await runCli(['--data-dir', daemon.dataDir, 'track', 'add', 'long', repo]);
  assert.equal(added.code, 0, added.stderr);
  for (let tries = 0; (await clients.mona.get('/api/tracks/long')).status !== 200; tries++) {
    assert.ok(tries < 100, 'the track is served within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\ntrack_check_seconds = 1\n' });
  browser = await launch();
  clients = await people(daemon, { mona: 'coach', lena: 'learner' });
  await longTrack();
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
  await rm(work, { recursive: true, force: true });
});

// A browser context signed in as client (its session cookie), in locale.
async function signedIn(client, locale = 'en-GB', viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ locale, viewport, acceptDownloads: true });
  const at = client.cookie.indexOf('=');
  await context.addCookies([{ name: client.cookie.slice(0, at), value: client.cookie.slice(at + 1), url: daemon.url }]);
  return context;
}

async function openBoard(context, track = TRACK) {
  const page = await pageIn(context);
  await page.goto(`${daemon.url}/board/autumn/${track}`);
  await page.locator('#board-table').waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  return page;
}

const dot = (page, user) => page.locator(`tr[data-user="${user}"] .here`);
const thisWeek = (page) => page.locator('#board-weeks rect.bar').last();

test('two tabs of one learner: closing one keeps her dot, closing both takes it away; the weekly chart is live', async () => {
  const coachContext = await signedIn(clients.mona);
  const coach = await openBoard(coachContext);
  await dot(coach, 'lena').and(coach.locator('[hidden]')).waitFor({ state: 'attached' });
  const weekBefore = Number(await thisWeek(coach).getAttribute('data-count'));

  const lenaContext = await signedIn(clients.lena);
  const tab1 = await pageIn(lenaContext);
  const tab2 = await pageIn(lenaContext);
  await tab1.goto(`${daemon.url}/tracks/${TRACK}/steps/${LESSON}`);
  await tab2.goto(`${daemon.url}/tracks/${TRACK}/steps/${LESSON}`);
  await tab1.locator('#step-state[data-state="started"]').waitFor();
  await dot(coach, 'lena').and(coach.locator(':not([hidden])')).waitFor();
  assert.match(await dot(coach, 'lena').textContent(), /What is a web page\?/);
  // Her first change on the track this week: the chart's last bar counts her, no reload.
  await coach.locator(`#board-weeks rect.bar[data-count="${weekBefore + 1}"]`).last().waitFor();
  assert.equal(await thisWeek(coach).getAttribute('data-count'), String(weekBefore + 1));

  await tab1.close();
  await coach.waitForTimeout(1500); // time for a (wrong) presence push to arrive
  assert.equal(await dot(coach, 'lena').isVisible(), true, 'one tab is still open on the step');
  assert.match(await dot(coach, 'lena').textContent(), /What is a web page\?/);
  await tab2.close();
  await dot(coach, 'lena').and(coach.locator('[hidden]')).waitFor({ state: 'attached' });

  // Done on the same week again: she is counted once.
  const lena = await pageIn(lenaContext);
  await lena.goto(`${daemon.url}/`);
  await dot(coach, 'lena').and(coach.locator(':not([hidden])')).waitFor(); // online, on no step
  assert.match(await dot(coach, 'lena').textContent(), /online/);
  await lena.goto(`${daemon.url}/tracks/${TRACK}/steps/${LESSON}`);
  await lena.getByRole('button', { name: 'Mark as done' }).click();
  await coach.locator(`#board-table td[data-user="lena"][data-step="${LESSON}"][data-state="done"]`).waitFor();
  await coach.waitForTimeout(1200); // the chart redraws at most once a second
  assert.equal(await thisWeek(coach).getAttribute('data-count'), String(weekBefore + 1));
  assert.equal(await coach.evaluate(() => window.notReloaded), true, 'no reload happened');
  assert.deepEqual([...coach.problems, ...lena.problems], []);
  await lenaContext.close();
  await coachContext.close();
});

test('a learner who joins appears on the open board at once, before any progress', async () => {
  const coachContext = await signedIn(clients.mona);
  const coach = await openBoard(coachContext);
  assert.equal(await coach.locator('tr[data-user="noor"]').count(), 0);
  const invite = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'autumn' });
  await register(daemon, invite.json.code, 'noor', 'correct horse battery', 'Noor');
  await coach.locator('tr[data-user="noor"]').waitFor({ timeout: 5000 });
  assert.match(await coach.locator('#board-table caption').innerText(), /2 learners/);
  assert.equal(await coach.locator(`td[data-user="noor"][data-state="not_started"]`).count() > 0, true);
  assert.deepEqual(coach.problems, []);
  await coachContext.close();
});

test('a learner moved to another cohort leaves the open board at once, and comes back when moved back', async () => {
  const coachContext = await signedIn(clients.mona);
  const coach = await openBoard(coachContext);
  await coach.locator('tr[data-user="noor"]').waitFor();
  await addCohorts(clients.admin1, 'winter');
  const move = async (cohort) => {
    const moved = await clients.admin1.post('/api/users/noor/cohort', { cohort });
    assert.equal(moved.status, 200, moved.text);
  };
  await move('winter');
  await coach.locator('tr[data-user="noor"]').waitFor({ state: 'detached', timeout: 5000 });
  assert.match(await coach.locator('#board-table caption').innerText(), /\(1 learner\)/);
  assert.equal(await coach.locator('tr[data-user="lena"]').count(), 1, 'the others stay');
  await move('autumn');
  await coach.locator('tr[data-user="noor"]').waitFor({ timeout: 5000 });
  assert.match(await coach.locator('#board-table caption').innerText(), /2 learners/);
  assert.equal(await coach.evaluate(() => window.notReloaded), true, 'no reload happened');
  assert.deepEqual(coach.problems, []);
  await coachContext.close();
});

test('a board whose loading failed tries again by itself and appears, without a reload', async () => {
  const coachContext = await signedIn(clients.mona);
  const coach = await pageIn(coachContext);
  // The first board.get gets the server's failure, as when its store fails for a moment.
  let refusedOnce = 0;
  await coach.routeWebSocket(/\/ws$/, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      const request = JSON.parse(message);
      if (request.type === 'board.get' && !refusedOnce++) {
        socket.send(JSON.stringify({ type: 'error', id: request.id, code: 'internal', message: 'The change could not be saved.' }));
      } else {
        server.send(message);
      }
    });
  });
  await coach.goto(`${daemon.url}/board/autumn/${TRACK}`);
  const status = coach.locator('#board-status');
  await coach.locator('#board-status[role="alert"]').waitFor();
  assert.match(await status.innerText(), /We keep trying/);
  await coach.evaluate(() => { window.notReloaded = true; });
  await coach.locator('tr[data-user="lena"]').waitFor({ timeout: 15000 });
  assert.equal(await status.getAttribute('role'), 'status');
  assert.ok(refusedOnce >= 2, 'asked again');
  assert.equal(await coach.evaluate(() => window.notReloaded), true, 'no reload happened');
  assert.deepEqual(coach.problems, []);
  await coachContext.close();
});

test('the CSV button downloads the board as a file with a header row', async () => {
  for (const [locale, name] of [['en-GB', 'Download as a spreadsheet (CSV)'], ['nl-NL', 'Downloaden als spreadsheet (CSV)']]) {
    const context = await signedIn(clients.mona, locale);
    const coach = await openBoard(context);
    const [download] = await Promise.all([coach.waitForEvent('download'), coach.getByRole('link', { name }).click()]);
    assert.match(download.suggestedFilename(), /autumn-web-basics\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const [header, ...rows] = text.split('\r\n').filter(Boolean);
    assert.match(header, /^handle,display_name,track,step,step_title,state,/);
    assert.ok(rows.some((row) => row.startsWith('lena,')), 'a row of lena\'s');
    assert.deepEqual(coach.problems, []);
    await context.close();
  }
});

// Whether the element's box is inside the scroll box, horizontally.
async function inSight(page, locator) {
  const box = await locator.boundingBox();
  const frame = await page.locator('#board-grid').boundingBox();
  return box.x >= frame.x - 1 && box.x + box.width <= frame.x + frame.width + 1;
}

test('at 1280 px the last column is reached by scrolling, names stay in sight; landmarks named once; axe clean', async () => {
  for (const locale of ['en-GB', 'nl-NL']) {
    for (const width of [1280, 360]) {
      const context = await signedIn(clients.mona, locale, { width, height: 800 });
      const coach = await openBoard(context, 'long');
      const grid = coach.locator('#board-grid');
      const lastHead = coach.locator('#board-table thead th').last();
      const name = coach.locator('#board-table tbody tr[data-user="lena"] th');
      const sizes = await grid.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth, page: document.documentElement.scrollWidth, view: innerWidth }));
      assert.ok(sizes.page <= sizes.view, `the page itself does not scroll sideways at ${width} px: ${JSON.stringify(sizes)}`);
      assert.ok(sizes.scroll > sizes.client, `the grid scrolls sideways at ${width} px: ${JSON.stringify(sizes)}`);
      assert.equal(await inSight(coach, lastHead), false, 'the last column starts out of sight');
      await grid.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
      await coach.waitForTimeout(100);
      assert.equal(await inSight(coach, lastHead), true, `the last column is reached at ${width} px`);
      assert.equal(await inSight(coach, name), true, `the learner's name stays in sight at ${width} px`);
      assert.deepEqual(await seriousViolations(coach), [], `axe at ${width} px, ${locale}`);
      const landmarks = await coach.evaluate(async () => (await window.axe.run(document, { runOnly: ['landmark-unique'] })).violations.map((v) => v.nodes.map((n) => n.target.join(' '))));
      assert.deepEqual(landmarks, [], `landmark names are unique at ${width} px, ${locale}`);
      assert.deepEqual(coach.problems, []);
      await context.close();
    }
  }
});
