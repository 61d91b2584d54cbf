// Words in headless Chromium, in English and Dutch: the server's errors
// worded in the page's language (never its English message on a Dutch
// page), plurals, dates and numbers as the language writes them.
// tests/browser/outage.test.mjs has outages, links and focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openCentre, pageIn as pageInLanguage, signInForm, table, scanned as noSeriousViolations, LOCALES } from '../lib/centre.mjs';

let centre;
let daemon;
let tracks;
const words = {};

before(async () => {
  centre = await openCentre({ people: [['lena', 'learner'], ['lars', 'learner']], config: null });
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

