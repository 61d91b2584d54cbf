// The bytes of a learner's first page load after signing in: a browser with
// the session cookie and an empty cache opens the home page; every HTTP
// response it fetches until the network is idle is counted as sent (body as
// transferred, gzipped or not, and headers). Then, in the same tab, the
// first step of the first track: what that costs on top. Driven by
// tools/bench-first-load.
//
//   node tools/bench-first-load.mjs   (GROUNDSD names the daemon, CHROMIUM the browser)
//
// Prints one line per response and the totals: client files and API replies.
import { startDaemon, people } from '../tests/lib/daemon.mjs';
import { launch, newPage, signInAs } from '../tests/lib/browser.mjs';

const daemon = await startDaemon();
const browser = await launch();
try {
  await people(daemon, { lena: 'learner' });
  const signIn = await newPage(browser);
  await signInAs(signIn, daemon, 'lena');
  const state = await signIn.context().storageState();
  await signIn.context().close();

  // A fresh context: the cookie, nothing cached.
  const page = await newPage(browser, { storageState: state });
  const sized = [];
  page.on('response', (response) => {
    sized.push(response.request().sizes().then((sizes) => ({
      url: new URL(response.url()).pathname,
      status: response.status(),
      encoding: response.headers()['content-encoding'] || '-',
      body: sizes.responseBodySize,
      headers: sizes.responseHeadersSize,
    })).catch(() => null));
  });
  const report = async (what) => {
    const rows = (await Promise.all(sized.splice(0))).filter(Boolean);
    const totals = { files: 0, api: 0, headers: 0 };
    for (const row of rows) {
      const kind = row.url.startsWith('/api/') || row.url.startsWith('/t/') ? 'api' : 'files';
      totals[kind] += row.body;
      totals.headers += row.headers;
      console.log(`  ${String(row.status).padEnd(4)}${row.encoding.padEnd(6)}${String(row.body).padStart(8)} B  ${row.url}`);
    }
    console.log(`${what}: ${rows.length} responses, ${totals.files + totals.api + totals.headers} bytes ` +
      `(client files ${totals.files}, API ${totals.api}, headers ${totals.headers})`);
  };
  await page.goto(daemon.url + '/', { waitUntil: 'networkidle' });
  await page.locator('#home-title').waitFor();
  await page.waitForLoadState('networkidle');
  await report('first load after sign-in');

  const tracks = await page.evaluate(() => fetch('/api/tracks').then((r) => r.json()));
  const outline = await page.evaluate((id) => fetch(`/api/tracks/${id}`).then((r) => r.json()), tracks[0].id);
  const step = outline.modules[0].steps[0].id;
  sized.splice(0);
  await page.goto(`${daemon.url}/tracks/${outline.id}/steps/${step}`, { waitUntil: 'networkidle' });
  await page.waitForLoadState('networkidle');
  await report(`then the step page /tracks/${outline.id}/steps/${step}`);
} finally {
  await browser.close();
  await daemon.stop();
}
