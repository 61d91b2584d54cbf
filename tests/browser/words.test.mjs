// Words in headless Chromium, in English and Dutch: the server's errors
// worded in the page's language (never its English message on a Dutch
// page), plurals, dates and numbers as the language writes them; the
// sign-in limit's wait; a step the track loader could not read, said without
// its English detail on a Dutch page. tests/browser/outage.test.mjs has
// outages, links and focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { people, runCli, startDaemon, tempDir } from '../lib/daemon.mjs';
import { openCentre, pageIn as pageInLanguage, signInForm, table, scanned as noSeriousViolations, LOCALES } from '../lib/centre.mjs';

let centre;
let daemon;
let tracks;
const words = {};

before(async () => {
  centre = await openCentre({ people: [['lena', 'learner'], ['lars', 'learner']], config: 'track_check_seconds = 1\n' });
  daemon = centre.daemon;
  const list = (await centre.clients.lena.get('/api/tracks')).json;
  tracks = Array.isArray(list) ? list : list.tracks;
  for (const code of ['en', 'nl']) words[code] = Object.assign({}, await table(code), await table(`${code}-errors`));
});
after(() => centre?.close());

const pageIn = (code, width) => pageInLanguage(centre.browser, code, width);
const signIn = (page, handle, options) => signInForm(page, daemon, handle, options);

for (const code of ['en', 'nl']) {
  test(`${code}: the server's errors are worded in the page's language`, async () => {
    const said = words[code];
    const page = await pageIn(code);

    // HTTP: a wrong password, an invite used already, an unknown invite.
    await signIn(page, 'lena', { password: 'not her password at all', wait: false });
    const wrong = page.locator('#signin-form .form-error');
    await wrong.waitFor();
    assert.equal(await wrong.innerText(), said['error.bad_credentials']);
    if (code === 'nl') assert.doesNotMatch(await page.locator('main').innerText(), /do not match|password/i);

    await page.goto(`${daemon.url}/join/${daemon.firstInvite}`);
    await page.locator('main .form-error').waitFor();
    const used = await page.locator('main .form-error').innerText();
    assert.equal(used, said['error.invite_used']);
    assert.equal(used.split(/(?<=\.)\s+/).length, new Set(used.split(/(?<=\.)\s+/)).size, 'no sentence twice');
    await noSeriousViolations(page, 'a used invite');

    await page.goto(`${daemon.url}/join/no-such-invite-code`);
    await page.locator('main .form-error').waitFor();
    assert.equal(await page.locator('main .form-error').innerText(), said['error.invite_unknown']);

    // The websocket: an error reply with a reason, worded from it.
    await signIn(page, 'lena');
    const text = await page.evaluate(async () => {
      const live = await import('/live.js');
      const format = await import('/format.js');
      try {
        await live.request('review.get', { assignment: 987654 });
        return 'no error';
      } catch (error) {
        return `${error.code}/${error.reason}: ${format.liveErrorText(error)}`;
      }
    });
    assert.equal(text, `not_found/review_missing: ${said['error.review_missing']}`);

    // A page that is not there says so in the page's language.
    await page.goto(`${daemon.url}/tracks/no-such-track`);
    await page.locator('#page-error').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#page-error').innerText(), said['error.track_missing']);
    await noSeriousViolations(page, 'a missing track');
    assert.deepEqual(page.problems.filter((problem) => !/status of 404/.test(problem)), []);
    await page.context().close();
  });

  test(`${code}: counts by the language's plural rules, dates and numbers as it writes them`, async () => {
    const said = words[code];
    const page = await pageIn(code);
    await signIn(page, 'lena');
    // A project one peer reviews, and one that two review.
    const cases = [['command-line-basics', 'tidy-up', 1], ['web-basics', 'project', 2]];
    for (const [track, step, count] of cases) {
      assert.ok(tracks.some((t) => t.id === track), `track ${track}`);
      await page.goto(`${daemon.url}/tracks/${track}/steps/${step}`);
      await page.locator('#step-meta').waitFor();
      const form = count === 1 ? 'one' : 'other';
      assert.ok((await page.locator('#step-meta').innerText()).includes(said[`step.reviews.${form}`].replace('{count}', count)));
    }
    assert.doesNotMatch(await page.locator('#step-meta').innerText(), /\b1 peer reviews\b/);

    // The admin's invite says until when, as the language writes a date.
    await signIn(page, 'admin1');
    await page.locator('#invite-form').waitFor();
    await page.locator('#invite-form button[type=submit]').click();
    const made = page.locator('.invite-result p').first();
    await made.waitFor();
    const sentence = await made.innerText();
    assert.doesNotMatch(sentence, /\d+\/\d+\/\d+/, 'no US month/day/year');
    // invite_days is 14 by default (15 when midnight passes meanwhile).
    const dates = [14, 15].map((days) => new Intl.DateTimeFormat(LOCALES[code], { dateStyle: 'medium' }).format(Date.now() + days * 24 * 3600 * 1000));
    assert.ok(dates.some((date) => sentence.includes(date)), `${sentence} has ${dates[0]}`);

    // Numbers and waits as the language writes them.
    const formats = await page.evaluate(async () => {
      const i18n = await import('/i18n.js');
      const format = await import('/format.js');
      return [i18n.formatNumber(1234.5), format.waitText(30), format.waitText(300)];
    });
    assert.deepEqual(formats, code === 'en' ? ['1,234.5', '30 seconds', '5 minutes'] : ['1.234,5', '30 seconden', '5 minuten']);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}


// A track whose second step is not UTF-8 text: the loader serves it as a
// step that cannot be shown, with its own (English) words for why.
let brokenWork = null;
async function brokenTrack() {
  if (brokenWork) return;
  brokenWork = await tempDir('grounds-browser-words-');
  const repo = join(brokenWork, 'broken');
  await mkdir(repo);
  await writeFile(join(repo, 'track.md'), '# A broken track\n\nOne step cannot be read.\n\n## Steps\n\n- [There](there.md)\n- [Garbled](garbled.md)\n');
  await writeFile(join(repo, 'there.md'), '---\nid: there\n---\n\n# There\n\nRead this.\n');
  await writeFile(join(repo, 'garbled.md'), Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]));
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'a step is not text');
  const added = await runCli(['--data-dir', daemon.dataDir, 'track', 'add', 'broken', repo]);
  assert.equal(added.code, 0, added.stderr);
  for (let tries = 0; (await centre.clients.lena.get('/api/tracks/broken')).status !== 200; tries++) {
    assert.ok(tries < 100, 'the track is served within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
after(() => brokenWork && rm(brokenWork, { recursive: true, force: true }));

for (const code of ['en', 'nl']) {
  test(`${code}: a step the track loader could not read is said in the page's language, its English detail only on an English page`, async () => {
    await brokenTrack();
    const said = words[code];
    const served = await centre.clients.lena.get('/api/tracks/broken/steps/garbled');
    assert.equal(served.status, 200, served.text);
    const step = served.json;
    assert.equal(typeof step.error, 'string', 'the step is served as broken');
    const page = await pageIn(code);
    await signIn(page, 'lena');
    await page.goto(`${daemon.url}/tracks/broken/steps/garbled`);
    const notice = page.locator('#step-broken');
    await notice.waitFor();
    const text = await notice.innerText();
    assert.ok(text.startsWith(said['step.broken']), text);
    if (code === 'en') {
      assert.ok(text.includes(step.error), `the loader's words: ${text}`);
    } else {
      assert.equal(text, said['step.broken']);
      assert.doesNotMatch(await page.locator('main').innerText(), /cannot be shown|UTF-8|not valid/i);
    }
    await noSeriousViolations(page, 'a step that cannot be shown');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the sign-in limit of an account says how long to wait, in English and Dutch', async () => {
  const own = await startDaemon({ config: 'signin_free_tries = 1\nsignin_delay_seconds = 300\n' });
  try {
    await people(own, { rik: 'learner', rita: 'learner' });
    for (const [code, handle] of [['en', 'rik'], ['nl', 'rita']]) {
      const said = words[code];
      const minutes = new Intl.NumberFormat(LOCALES[code], { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(5);
      const expected = said['error.signin_account'].replace('{wait}', minutes);
      const page = await pageIn(code, 360);
      const error = page.locator('#signin-form .form-error');
      let text = '';
      for (let tries = 0; tries < 3 && text !== expected; tries++) {
        await signInForm(page, own, handle, { password: 'not the password at all', wait: false });
        await error.waitFor();
        await page.waitForFunction(() => !document.querySelector('#signin-form button[type=submit]').disabled);
        text = await error.innerText();
      }
      assert.equal(text, expected, `${code}: the account's limit, with the wait in minutes`);
      if (code === 'nl') assert.doesNotMatch(text, /Too many|sign-ins|minutes/);
      await noSeriousViolations(page, 'a sign-in that must wait');
      assert.deepEqual(page.problems.filter((problem) => !/status of 429/.test(problem)), []);
      await page.context().close();
    }
  } finally {
    await own.stop();
    await rm(own.dataDir, { recursive: true, force: true });
  }
});
