// The coaches' board at a training centre's full size, 300 learners × 100
// steps, in Chromium: the table is built once, and a push changes only its
// own cell, that learner's figures and that step's counts, never the whole
// table; a push the board has already seen changes nothing; a burst of
// pushes lands in their cells. The board's state comes from a routed
// board.get (tests/lib/fakeboard.mjs); the page, its sign-in and its
// websocket are the real daemon's. How fast it renders is measured by
// tools/bench-board-page, not here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';
import { fakeBoard, routeBoard } from '../lib/fakeboard.mjs';

const TRACK = 'web-basics';

let daemon;
let browser;
before(async () => {
  daemon = await startDaemon();
  browser = await launch();
  await people(daemon, { mona: 'coach' });
});
after(async () => {
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

const cell = (page, user, step) => page.locator(`#board-table td[data-user="${user}"][data-step="${step}"]`);

// Records, from now on, which table cells (td, th) the page changes.
async function watchTable(page) {
  await page.evaluate(() => {
    window.boardTable = document.querySelector('#board-table');
    window.touched = new Set();
    window.boardWatch = new MutationObserver((records) => {
      for (const record of records) {
        const node = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
        const at = node && node.closest('td, th');
        if (at) window.touched.add(at);
      }
    });
    window.boardWatch.observe(window.boardTable, { subtree: true, attributes: true, childList: true, characterData: true });
  });
}

async function touchedSince(page) {
  return page.evaluate(() => {
    const cells = [...window.touched];
    window.touched = new Set();
    return {
      sameTable: document.querySelector('#board-table') === window.boardTable,
      stepCells: cells.filter((td) => td.dataset.user && td.dataset.step).map((td) => `${td.dataset.user}/${td.dataset.step}`).sort(),
      // Where each changed cell is: a learner's row, or the counts of a step.
      places: [...new Set(cells.map((td) => (td.closest('tfoot') ? `counts:${td.dataset.step}`
        : `row:${td.closest('tr').querySelector('td[data-user]')?.dataset.user}`)))].sort(),
      total: cells.length,
    };
  });
}

test('300 learners × 100 steps: built once; a push touches its cell, its row and its step only', async () => {
  const page = await newPage(browser);
  const board = fakeBoard({ learners: 300, steps: 100, track: TRACK });
  const route = await routeBoard(page, board);
  await signInAs(page, daemon, 'mona');
  await page.goto(`${daemon.url}/board/autumn/${TRACK}`);
  await cell(page, 'l300', 's100').waitFor({ timeout: 60000 });
  assert.equal(await page.locator('#board-table tbody td[data-step]').count(), 300 * 100);
  assert.equal(await page.locator('#board-table tbody th[scope="row"]').count(), 300);
  const inject = (message) => route.inject(message);
  await watchTable(page);

  // One learner starts a step they had not begun.
  const learner = board.learners[149];
  const free = board.steps.find((step) => !learner.progress[step.id]).id;
  const onBefore = Number(await page.locator(`#board-table tfoot td[data-count="on"][data-step="${free}"]`).innerText());
  inject({ type: 'event', seq: 6, event: 'progress', user: learner.handle, track: TRACK, step: free, state: 'started', at: Date.now() });
  await cell(page, learner.handle, free).and(page.locator('[data-state="started"]')).waitFor();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const one = await touchedSince(page);
  assert.equal(one.sameTable, true, 'the table was not rebuilt');
  assert.deepEqual(one.stepCells, [`${learner.handle}/${free}`], 'of 30,000 step cells, only this one changed');
  assert.deepEqual(one.places, [`counts:${free}`, `row:${learner.handle}`], "only the learner's row and the step's counts changed");
  assert.ok(one.total <= 12, `a handful of cells changed in all (${one.total})`);
  assert.equal(Number(await page.locator(`#board-table tfoot td[data-count="on"][data-step="${free}"]`).innerText()), onBefore + 1);

  // A push the board has seen already (its seq is not newer) changes nothing.
  inject({ type: 'event', seq: 6, event: 'progress', user: learner.handle, track: TRACK, step: free, state: 'done', at: Date.now() });
  await page.waitForTimeout(300);
  assert.equal(await cell(page, learner.handle, free).getAttribute('data-state'), 'started');
  assert.deepEqual((await touchedSince(page)).stepCells, []);

  // A burst: 100 learners each finish their step s1..s100 at once.
  const burst = board.learners.slice(0, 100).map((person, i) => ({ user: person.handle, step: `s${i + 1}` }));
  for (const { user, step } of burst) {
    inject({ type: 'event', seq: 7, event: 'progress', user, track: TRACK, step, state: 'passed', at: Date.now() });
  }
  await cell(page, 'l100', 's100').and(page.locator('[data-state="passed"]')).waitFor();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const many = await touchedSince(page);
  assert.equal(many.sameTable, true);
  assert.deepEqual(many.stepCells, burst.map(({ user, step }) => `${user}/${step}`).sort(), 'exactly the 100 cells of the burst');
  for (const { user, step } of [burst[0], burst[42], burst[99]]) {
    assert.equal(await cell(page, user, step).getAttribute('data-state'), 'passed');
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
