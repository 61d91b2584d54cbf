// The portfolio page and the outcome form in the web client, in English and
// in Dutch: a learner chooses a passed reflection to show, makes a public
// link, and a visitor without an account sees only that, then "This
// portfolio is not shared" once the link is stopped; a coach records a
// learner's outcome from the people page and the figures follow, per group
// and in its centre's row above it. No serious
// accessibility violation at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, openSocket, ok } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';
import { scanned, dutch as switchToDutch } from '../lib/centre.mjs';

let daemon;
let browser;
let clients;
const sockets = {};
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner', dan: 'learner', kim: 'coach' });
  for (const track of ['soft-skills', 'soft-skills-nl']) {
    for (let i = 0; i < 400 && (await clients.ana.get(`/api/tracks/${track}`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  for (const who of ['ana', 'bob', 'cai', 'dan']) {
    sockets[who] = await openSocket(daemon, clients[who]);
    await ok(sockets[who], 'hello');
  }
  // ana and bob reflect in English, cai and dan in Dutch; each pair reads the other's.
  for (const [pair, track] of [[['ana', 'bob'], 'soft-skills'], [['cai', 'dan'], 'soft-skills-nl']]) {
    for (const who of pair) {
      await ok(sockets[who], 'progress.set', { track, step: 'what-soft-skills-are', state: 'started' });
      await ok(sockets[who], 'progress.set', { track, step: 'what-soft-skills-are', state: 'done' });
      await ok(sockets[who], 'progress.set', { track, step: 'working-in-a-team', state: 'started' });
      await ok(sockets[who], 'submission.create', { track, step: 'working-in-a-team', body_md: 'I *listened* first.' });
    }
    for (const who of pair) {
      const assignment = (await sockets[who].next((m) => m.event === 'review.assigned')).assignment;
      const work = await ok(sockets[who], 'review.get', { assignment });
      await ok(sockets[who], 'review.submit', { assignment, verdict: 'pass', checks: work.rubric.map(() => true), comment_md: 'Thanks.' });
    }
    for (const who of pair) await sockets[who].next((m) => m.event === 'progress' && m.step === 'working-in-a-team' && m.state === 'passed');
  }
});
after(async () => {
  for (const socket of Object.values(sockets)) socket.close();
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

async function signIn(handle, dutch) {
  const page = await newPage(browser);
  await signInAs(page, daemon, handle);
  if (dutch) await switchToDutch(page);
  return page;
}

const WORDS = {
  en: { who: 'ana', title: 'My portfolio', reflections: 'Reflections', show: 'Show in my portfolio', share: 'Make a public link',
    private: 'Your portfolio is private.', revoke: 'Stop sharing', notShared: 'This portfolio is not shared.', public: 'Portfolio',
    learner: 'bob', record: 'Record an outcome for bob', kind: 'Internship', save: 'Save outcome', saved: 'Saved: bob, Internship.' },
  nl: { who: 'cai', title: 'Mijn portfolio', reflections: 'Reflecties', show: 'Toon in mijn portfolio', share: 'Maak een openbare link',
    private: 'Je portfolio is privé.', revoke: 'Stop met delen', notShared: 'Dit portfolio wordt niet gedeeld.', public: 'Portfolio',
    learner: 'dan', record: 'Leg vast wat er van dan terechtkwam', kind: 'Stage', save: 'Uitkomst opslaan', saved: 'Opgeslagen: dan, Stage.' },
};

for (const [lang, words] of Object.entries(WORDS)) {
  test(`the portfolio page: show a reflection, share it, stop sharing (${lang})`, async () => {
    const page = await signIn(words.who, lang === 'nl');
    await page.goto(`${daemon.url}/portfolio`);
    await page.getByRole('heading', { name: words.title, level: 1 }).waitFor();
    assert.equal(await page.locator('#share-status').innerText(), words.private);
    assert.equal(await page.getByRole('heading', { name: words.reflections }).count(), 1);
    await scanned(page, `the portfolio page (${lang})`);
    await page.getByLabel(words.show).check();
    await page.locator('[role=status]', { hasText: lang === 'en' ? 'Shown in your portfolio.' : 'Getoond in je portfolio.' }).waitFor();
    await page.getByRole('button', { name: words.share }).click();
    const link = page.locator('#share-link a');
    await link.waitFor();
    const url = await link.getAttribute('href');
    assert.match(url, /\/p\/[A-Za-z0-9_-]{20,}$/);

    // A visitor without an account: the reflection, and no name.
    const visitor = await newPage(browser, lang === 'nl' ? { locale: 'nl-NL' } : {});
    await visitor.goto(url);
    await visitor.getByRole('heading', { name: words.public, level: 1 }).waitFor();
    await visitor.locator('#portfolio-reflections em', { hasText: 'listened' }).waitFor();
    assert.ok(!(await visitor.locator('main').innerText()).includes(words.who), 'no name on the public page');
    await scanned(visitor, `a shared portfolio (${lang})`);

    await page.getByRole('button', { name: words.revoke }).click();
    await page.locator('#share-status', { hasText: words.private }).waitFor();
    await visitor.reload();
    await visitor.locator('#not-shared').waitFor();
    assert.equal(await visitor.locator('#not-shared').innerText(), words.notShared);
    assert.equal(await visitor.locator('#portfolio-reflections').count(), 0);
    assert.deepEqual(page.problems, []);
    await visitor.context().close();
    await page.context().close();
  });

  test(`a coach records an outcome from the people page, and the figures follow (${lang})`, async () => {
    const page = await signIn('kim', lang === 'nl');
    await page.goto(`${daemon.url}/admin`);
    await page.locator('#outcome-figures').waitFor();
    const row = page.locator(`[data-user="${words.learner}"]`);
    await row.getByText(words.record).click();
    await row.getByLabel(lang === 'en' ? 'Outcome' : 'Uitkomst', { exact: true }).selectOption('internship');
    await row.getByLabel(lang === 'en' ? 'Date it happened' : 'Datum waarop het gebeurde').fill(new Date().toISOString().slice(0, 10));
    await row.getByRole('button', { name: words.save }).click();
    await row.locator('[role=status]', { hasText: words.saved }).waitFor();
    const expected = lang === 'en' ? '1' : '2'; // the English walk recorded one before
    await page.locator('#outcome-figures tr[data-cohort="autumn"] td[data-kind="internship"]', { hasText: expected }).waitFor();
    // The centre's row, with its group under it, and the centre's CSV.
    const centre = page.locator('#outcome-figures tbody[data-centre="Main centre"]');
    assert.equal(await centre.locator('tr[data-centre] th').innerText(), lang === 'en' ? 'Centre Main centre' : 'Centrum Main centre');
    assert.equal(await centre.locator('tr[data-centre] td[data-kind="internship"]').innerText(), expected);
    assert.deepEqual(await centre.locator('tr').evaluateAll((rows) => rows.map((r) => r.dataset.centre || r.dataset.cohort)), ['Main centre', 'autumn']);
    assert.equal(await centre.locator('tr[data-centre] a').getAttribute('href'), '/api/outcomes.csv?centre=Main%20centre');
    assert.equal(await page.locator('#outcome-figures caption').innerText(), lang === 'en' ? 'Outcomes per centre and group' : 'Uitkomsten per centrum en groep');
    await scanned(page, `the people page with outcomes (${lang})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
