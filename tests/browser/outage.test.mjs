// Outages, links and focus in headless Chromium, in English and Dutch: a
// page that failed during an outage recovers by itself when the daemon is
// back, without a reload, and the offline banner stays until then;
// `?next=` follows only paths of this site; an address with a malformed
// %-escape is a not-found page, not an error in the page; the focus ring has at least 3:1
// against what is around every focused control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startDaemon, people } from '../lib/daemon.mjs';
import { openCentre, pageIn as pageInLanguage, signInForm, table, scanned as noSeriousViolations, PASSWORD } from '../lib/centre.mjs';

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

test('next= leads only to a path of this site, and never throws', async () => {
  const page = await pageIn('en');
  for (const next of ['https://example.org/', '//example.org/x', '/\\example.org', 'javascript:alert(1)', '/\t/example.org', '']) {
    await signIn(page, 'lars', { next });
    assert.equal(new URL(page.url()).origin, daemon.url, next);
    assert.equal(new URL(page.url()).pathname, '/', next);
    await page.locator('#home-title').waitFor();
    await page.evaluate(() => fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }));
  }
  await signIn(page, 'lars', { next: '/reviews' });
  assert.equal(new URL(page.url()).pathname, '/reviews');
  const verdicts = await page.evaluate(async () => {
    const { safeNext } = await import('/format.js');
    return ['/tracks/x?y=1#z', '//evil', '/\\evil', 'https://example.org/', '/ok\\', '/a\tb', null, undefined, 42].map((next) => safeNext(next));
  });
  assert.deepEqual(verdicts, ['/tracks/x?y=1#z', '/', '/', '/', '/', '/', '/', '/', '/']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

for (const code of ['en', 'nl']) {
  test(`${code}: an address with a malformed %-escape shows the not-found page, and the app goes on`, async () => {
    const said = words[code];
    const page = await pageIn(code);
    await signIn(page, 'lars');
    await page.locator('#home-title').waitFor();
    // (Loaded afresh, such an address never reaches the client: the HTTP
    // layer refuses it with 403. Inside the app, links and history do.)
    for (const path of ['/tracks/%E0%A4%A', '/tracks/web-basics/steps/%zz', '/tracks/a%']) {
      await page.evaluate((href) => {
        const link = Object.assign(document.createElement('a'), { href, className: 'bad-link', textContent: 'a link' });
        document.getElementById('main').append(link);
      }, path);
      await page.locator('a.bad-link').click();
      await page.getByRole('heading', { level: 1, name: said['app.notFound'] }).waitFor();
      assert.equal(new URL(page.url()).pathname, path);
      await page.locator('#nav-home').click();
      await page.locator('#home-title').waitFor();
    }
    // Back in history to one: the not-found page again.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: said['app.notFound'] }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

for (const code of ['en', 'nl']) {
  test(`${code}: during an outage the banner stays, and the page recovers by itself when the daemon is back`, async () => {
    const said = words[code];
    const own = await startDaemon();
    await people(own, { nora: 'learner' });
    const page = await pageIn(code, 360);
    const url = own.url;
    await page.goto(`${url}/signin`);
    await page.locator('#field-handle').fill('nora');
    await page.locator('#field-password').fill(PASSWORD);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#home-title').waitFor();
    await page.evaluate(() => { window.sameDocument = true; });
    const banner = page.locator('#live-status');
    assert.equal(await banner.getAttribute('role'), 'status');
    assert.equal(await banner.getAttribute('aria-live'), 'polite');
    assert.equal(await banner.evaluate((element) => getComputedStyle(element).position), 'sticky');

    // The daemon stops: the banner says so, and a page opened now fails.
    await own.stop({ keep: true });
    await page.waitForFunction((text) => document.getElementById('live-status').textContent === text, said['live.offline'], { timeout: 20000 });
    await page.locator('#track-list a').first().click();
    await page.locator('#page-error').waitFor();
    assert.equal(await page.locator('#page-error').innerText(), said['app.offline']);
    assert.ok((await page.locator('main').innerText()).includes(said['app.retrying']));
    await noSeriousViolations(page, 'the page during an outage');
    await page.setViewportSize({ width: 360, height: 800 });
    // It stays while the daemon is away, at the top of the page when scrolled.
    await page.waitForTimeout(4000);
    assert.equal(await banner.innerText(), said['live.offline']);
    await page.evaluate(() => {
      document.body.append(Object.assign(document.createElement('div'), { style: 'height: 3000px' }));
      window.scrollTo(0, 2000);
    });
    assert.ok((await banner.boundingBox()).y <= 1, 'the banner is at the top');

    // Back on the same port and data: the track page appears, no reload.
    const back = await startDaemon({ dataDir: own.dataDir, port: own.port });
    try {
      await page.locator('#outline, ol.outline, .outline').first().waitFor({ timeout: 45000 });
      assert.equal(await page.evaluate(() => window.sameDocument), true, 'not reloaded');
      assert.equal(await page.locator('#page-error').count(), 0);
      await page.waitForFunction((text) => document.getElementById('live-status').textContent !== text, said['live.offline'], { timeout: 30000 });
      const problems = page.problems.filter((problem) => !/ERR_CONNECTION_REFUSED|WebSocket|Failed to load resource/.test(problem));
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
      await back.stop();
      await rm(own.dataDir, { recursive: true, force: true });
    }
  });
}

// The relative luminance of an rgb() colour, and the contrast of two.
const channels = (css) => css.match(/[\d.]+/g).slice(0, 4).map(Number);
function luminance([r, g, b]) {
  const lin = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
const contrast = (a, b) => {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
};

for (const code of ['en', 'nl']) {
  test(`${code}: the focus ring has at least 3:1 against what is around every control`, async () => {
    const page = await pageIn(code);
    await signIn(page, 'admin1');
    await page.locator('#invite-form').waitFor();
    const seen = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) return null;
        const style = getComputedStyle(element);
        // What is behind the ring: the first painted background at a point
        // of the ring, left of the element (right of it at the page's edge).
        const box = element.getBoundingClientRect();
        const x = box.left >= 6 ? box.left - 4 : box.right + 4;
        const stack = document.elementsFromPoint(x, box.top + box.height / 2)
          .filter((other) => other !== element && !element.contains(other));
        const around = stack.find((other) => !/rgba\(0, 0, 0, 0\)|transparent/.test(getComputedStyle(other).backgroundColor));
        return {
          what: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`,
          outline: style.outlineColor, width: style.outlineWidth, styleName: style.outlineStyle,
          behind: around ? getComputedStyle(around).backgroundColor : 'rgb(255, 255, 255)',
        };
      });
      if (!ring) continue;
      seen.push(ring);
      assert.equal(ring.styleName, 'solid', `${ring.what} shows a ring`);
      assert.equal(ring.width, '3px', ring.what);
      const ratio = contrast(channels(ring.outline), channels(ring.behind));
      assert.ok(ratio >= 3, `${ring.what}: ${ring.outline} on ${ring.behind} is ${ratio.toFixed(2)}:1`);
    }
    // Both rings were seen: on the header's green and on the page.
    const colours = new Set(seen.map((ring) => ring.outline));
    assert.ok(colours.has('rgb(242, 183, 5)'), `the ring on the header (${[...colours]})`);
    assert.ok(colours.has('rgb(23, 78, 166)'), `the ring on the page (${[...colours]})`);
    const button = seen.find((ring) => ring.what.startsWith('button') && ring.outline === 'rgb(23, 78, 166)');
    assert.ok(button, 'a focused button on the page shows the page ring');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
