// A Dutch learner's first load of home, as Chromium fetches it: every
// client file the page loads (statically and by import() on its first
// render), with its bytes uncompressed and as transferred (gzipped as
// served), is within the budget of 100,000 bytes, and is what
// tools/client-size counts as the learner's load (so its figure is true).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { newPage, signInAs } from '../lib/browser.mjs';
import { openCentre, pageIn } from '../lib/centre.mjs';

const BUDGET = 100000;
const CLIENT_SIZE = fileURLToPath(new URL('../../tools/client-size', import.meta.url));

let centre;
before(async () => {
  centre = await openCentre({ people: [['lena', 'learner', 'Lena']], track: 'web-basics' });
});
after(() => centre?.close());

test('a Dutch learner\'s first load of home stays within 100,000 bytes, and tools/client-size counts just those files', async () => {
  const { daemon, browser } = centre;
  const signIn = await newPage(browser);
  await signInAs(signIn, daemon, 'lena');
  const state = await signIn.context().storageState();
  await signIn.context().close();

  // A fresh context: the session cookie, a Dutch browser, nothing cached.
  const page = await pageIn(browser, 'nl');
  await page.context().addCookies(state.cookies);
  const rows = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/api/') || path === '/ws') return;
    rows.push(Promise.all([response.request().sizes(), response.body()]).then(([sizes, body]) => ({
      path, status: response.status(), encoding: response.headers()['content-encoding'] || null,
      sent: sizes.responseBodySize, bytes: body.length,
    })));
  });
  await page.goto(`${daemon.url}/`);
  await page.locator('#home-title').waitFor();
  await page.locator('#next-action a').waitFor();
  await page.locator('#recent').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  const files = await Promise.all(rows);

  const fetched = files.map((file) => (file.path === '/' ? 'index.html' : file.path.slice(1)));
  assert.equal(new Set(fetched).size, fetched.length, `each file once: ${fetched}`);
  for (const file of files) assert.equal(file.status, 200, file.path);
  // Served gzipped where it is worth it (net/webfiles.c: from 256 bytes).
  for (const file of files) if (file.bytes >= 256) assert.equal(file.encoding, 'gzip', file.path);

  const { stdout } = await promisify(execFile)(CLIENT_SIZE, ['--list', 'nl']);
  const counted = stdout.trim().split('\n');
  // The icon is the browser's to fetch or not (headless Chromium may not).
  assert.deepEqual([...fetched].sort(), counted.filter((file) => file !== 'icon.svg' || fetched.includes(file)).sort(),
    'tools/client-size counts what the page loads');

  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const sent = files.reduce((sum, file) => sum + file.sent, 0);
  console.log(`first load of home (nl): ${files.length} files, ${bytes} bytes uncompressed, ${sent} bytes transferred`);
  assert.ok(bytes <= BUDGET, `${bytes} bytes uncompressed`);
  assert.ok(sent <= BUDGET, `${sent} bytes transferred`);
  const { stdout: figures } = await promisify(execFile)(CLIENT_SIZE, ['nl']);
  const total = Number(figures.match(/^learner's load\s+(\d+) bytes/m)[1]);
  assert.ok(total <= BUDGET, `tools/client-size: ${total}`);
  if (fetched.includes('icon.svg')) assert.equal(total, bytes, 'tools/client-size counts the bytes fetched');
  else assert.ok(total >= bytes, `tools/client-size's ${total} bytes include the ${bytes} fetched`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
