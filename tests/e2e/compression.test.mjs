// Compressed responses over real HTTP: the JSON API and the client's files
// go out gzipped when the request accepts gzip (not with q=0), inflate to
// exactly the bytes sent uncompressed, say Vary: Accept-Encoding and carry
// the Content-Length of what is sent; small replies go as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startDaemon, people } from '../lib/daemon.mjs';

let daemon;
let lena;

before(async () => {
  daemon = await startDaemon();
  ({ lena } = await people(daemon, { lena: 'learner' }));
});

after(async () => {
  await daemon?.stop();
});

function fetchAs(path, acceptEncoding, headers = {}) {
  return lena.get(path, { headers: { 'Accept-Encoding': acceptEncoding, ...headers } });
}

function varies(response) {
  return (response.headers.vary || '').split(',').map((s) => s.trim().toLowerCase()).includes('accept-encoding');
}

// The largest outline of a sample track: JSON over the 1 KiB below which
// nothing is compressed, and with no ETag, so it is compressed as it goes out.
async function bigJsonPath() {
  const tracks = await fetchAs('/api/tracks', null);
  assert.equal(tracks.status, 200);
  let best = null;
  for (const track of tracks.json) {
    const path = `/api/tracks/${track.id}`;
    const plain = await fetchAs(path, null);
    if (plain.status === 200 && (!best || plain.body.length > best.plain.body.length)) {
      best = { path, plain, track: plain.json };
    }
  }
  assert.ok(best && best.plain.body.length >= 1024, 'a sample track outline of 1 KiB or more');
  assert.equal(best.plain.headers.etag, undefined);
  return best;
}

test('gzipped API JSON inflates to the same body, with Vary and its own Content-Length', async () => {
  const { path, plain } = await bigJsonPath();
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(varies(plain), 'an uncompressed reply that could have been gzipped says Vary');

  const gzipped = await fetchAs(path, 'gzip, deflate, br');
  assert.equal(gzipped.status, 200);
  assert.equal(gzipped.headers['content-encoding'], 'gzip');
  assert.ok(varies(gzipped));
  assert.match(gzipped.headers['content-type'], /^application\/json/);
  assert.equal(Number(gzipped.headers['content-length']), gzipped.body.length);
  assert.ok(gzipped.body.length < plain.body.length * 0.8, `${gzipped.body.length} of ${plain.body.length} bytes`);
  assert.deepEqual(gunzipSync(gzipped.body), plain.body);
});

test('gzip;q=0, identity and no Accept-Encoding get the body as it is', async () => {
  const { path, plain } = await bigJsonPath();
  for (const acceptEncoding of ['gzip;q=0', 'identity', '*;q=0, br', null]) {
    const response = await fetchAs(path, acceptEncoding);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-encoding'], undefined, `Accept-Encoding: ${acceptEncoding}`);
    assert.ok(varies(response));
    assert.equal(Number(response.headers['content-length']), plain.body.length);
    assert.deepEqual(response.body, plain.body);
  }
});

test('a step page (with an ETag) is the same gzip every time, and 304 with its ETag', async () => {
  const { path, track } = await bigJsonPath();
  const steps = (track.modules ?? []).flatMap((module) => module.steps ?? []).concat(track.steps ?? []);
  assert.ok(steps.length > 0, 'the outline lists steps');
  let page = null;
  for (const step of steps) {
    const stepPath = `${path}/steps/${step.id}`;
    const plain = await fetchAs(stepPath, null);
    if (plain.status === 200 && plain.body.length >= 1024) {
      page = { stepPath, plain };
      break;
    }
  }
  assert.ok(page, 'a step page of 1 KiB or more');
  const first = await fetchAs(page.stepPath, 'gzip');
  const again = await fetchAs(page.stepPath, 'gzip');
  assert.equal(first.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(first.body), page.plain.body);
  assert.deepEqual(again.body, first.body);
  assert.equal(first.headers.etag, page.plain.headers.etag);
  const notModified = await fetchAs(page.stepPath, 'gzip', { 'If-None-Match': first.headers.etag });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body.length, 0);
});

test('a small reply goes as it is and does not vary', async () => {
  const me = await fetchAs('/api/me', 'gzip');
  assert.equal(me.status, 200);
  assert.ok(me.body.length < 1024);
  assert.equal(me.headers['content-encoding'], undefined);
  assert.ok(!varies(me));
});

test("the client's files: text gzipped on request, the same bytes inflated", async () => {
  for (const file of ['/app.js', '/style.css', '/icon.svg']) {
    const plain = await fetchAs(file, null);
    const gzipped = await fetchAs(file, 'gzip');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(varies(plain) && varies(gzipped));
    if (plain.body.length < 256) continue; /* too small to be worth it */
    assert.equal(gzipped.headers['content-encoding'], 'gzip', file);
    assert.equal(Number(gzipped.headers['content-length']), gzipped.body.length);
    assert.deepEqual(gunzipSync(gzipped.body), plain.body);
  }
});
