// A track changing under open pages, in the web client: when the operator
// commits a new version, the track's outline redraws itself without a
// reload, a step page's pager follows and says when its own text changed,
// and a step taken out of the track is kept and shown as retired — in the
// learner's outline and as a column on the coaches' board.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, people, runCli, tempDir, openSocket, ok } from '../lib/daemon.mjs';
import { launch, newPage, pageIn, signInAs } from '../lib/browser.mjs';

const TRACK = (steps) => `# Changing track\n\nA track that changes while it is read.\n\n## Steps\n\n${
  steps.map((id) => `- [Step ${id}](${id}.md)\n`).join('')}`;
const STEP = (id, words = 'Read this.') => `---\nid: ${id}\nkind: lesson\n---\n\n# Step ${id}\n\n${words}\n`;

let daemon;
let browser;
let clients;
let work;
let repo;

function git(...args) {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function commit(files, message) {
  for (const [path, text] of Object.entries(files)) await writeFile(join(repo, path), text);
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

before(async () => {
  daemon = await startDaemon({ config: 'track_check_seconds = 1\n' });
  browser = await launch();
  clients = await people(daemon, { cora: 'coach', rita: 'learner' });
  work = await tempDir('grounds-browser-tracks-');
  repo = join(work, 'changing');
  await mkdir(repo);
  git('init', '-q', '-b', 'main');
  await commit({ 'track.md': TRACK(['one', 'two', 'three']), 'one.md': STEP('one'), 'two.md': STEP('two'), 'three.md': STEP('three') }, 'first');
  const added = await runCli(['--data-dir', daemon.dataDir, 'track', 'add', 'changing', repo]);
  assert.equal(added.code, 0, added.stderr);
  for (let tries = 0; (await clients.rita.get('/api/tracks/changing')).status !== 200; tries++) {
    assert.ok(tries < 100, 'the track is served within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
  await rm(work, { recursive: true, force: true });
});

test('open pages of a track follow a new commit, and a step taken out shows as retired with its progress', async () => {
  // Rita finished step two before it is taken out.
  const socket = await openSocket(daemon, clients.rita);
  await ok(socket, 'hello', {});
  await ok(socket, 'progress.set', { track: 'changing', step: 'two', state: 'started' });
  await ok(socket, 'progress.set', { track: 'changing', step: 'two', state: 'done' });
  socket.close();

  const outline = await newPage(browser);
  await signInAs(outline, daemon, 'rita');
  await outline.goto(`${daemon.url}/tracks/changing`);
  await outline.locator('#outline li[data-step="two"]').waitFor();
  assert.equal(await outline.locator('#retired').isHidden(), true, 'nothing is retired yet');
  const stepPage = await pageIn(outline.context());
  await stepPage.goto(`${daemon.url}/tracks/changing/steps/one`);
  await stepPage.locator('.pager a[rel="next"]', { hasText: 'Step two' }).waitFor();
  const board = await newPage(browser);
  await signInAs(board, daemon, 'cora');
  await board.goto(`${daemon.url}/board/autumn/changing`);
  await board.locator('#board-table td[data-user="rita"][data-step="two"][data-state="done"]').waitFor();
  for (const page of [outline, stepPage, board]) await page.evaluate(() => { window.notReloaded = true; });

  // Step two is taken out, and step one gets new words.
  await commit({ 'track.md': TRACK(['one', 'three']), 'one.md': STEP('one', 'Read this again.') }, 'without two');

  // The outline redraws: two is gone from it and listed as retired, done.
  await outline.locator('#track-updated:not([hidden])').waitFor({ timeout: 15000 });
  await outline.locator('#outline li[data-step="two"]').waitFor({ state: 'detached' });
  assert.deepEqual(await outline.locator('#outline li[data-step]').evaluateAll((items) => items.map((li) => li.dataset.step)), ['one', 'three']);
  const retired = outline.locator('#retired li[data-retired-step="two"]');
  await retired.waitFor();
  assert.match(await retired.innerText(), /two.*Done/s);
  assert.match(await outline.locator('#retired h2').innerText(), /Retired steps/);

  // The step page keeps what is on it, says it changed, and its pager skips two.
  await stepPage.locator('#step-updated:not([hidden])', { hasText: 'This step was just updated.' }).waitFor({ timeout: 15000 });
  await stepPage.locator('.pager a[rel="next"]', { hasText: 'Step three' }).waitFor();
  assert.match(await stepPage.locator('#step-content').innerText(), /Read this\./, 'the old text stays until asked for');
  await stepPage.locator('#step-updated a').click();
  await stepPage.locator('#step-content', { hasText: 'Read this again.' }).waitFor();

  // The board asks again: two is a retired column at the end, still done.
  const header = board.locator('#board-table thead th[data-retired="true"]');
  await header.waitFor({ timeout: 15000 });
  assert.match(await header.getAttribute('title'), /Retired: two/);
  await board.locator('#board-table td[data-user="rita"][data-step="two"][data-state="done"]').waitFor();
  const columns = await board.locator('#board-table thead th').evaluateAll((cells) => cells.map((th) => th.getAttribute('title')).filter(Boolean));
  assert.deepEqual(columns, ['1. Step one', '2. Step three', 'Retired: two']);

  for (const page of [outline, board]) assert.equal(await page.evaluate(() => window.notReloaded), true, 'redrawn in place, not reloaded');
  for (const page of [outline, stepPage, board]) assert.deepEqual(page.problems, []);
});
