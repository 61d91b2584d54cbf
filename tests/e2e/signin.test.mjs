// Sign-in limits that never lock a centre out (docs/security.md, "Rate
// limits" and "Behind a proxy"), over real HTTP against a real daemon: one
// learner's failures refuse nobody else on the same address; a refused
// sign-in says how many minutes to wait; the wait grows; a class signing
// in at once is not refused; an address's ceiling; and trusted_proxies,
// which makes the clients behind a proxy count apart while the header from
// anyone else is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';

import { startDaemon, people } from '../lib/daemon.mjs';

const PASSWORD = 'correct horse battery'; // what people() gives everyone
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function signIn(daemon, handle, password = PASSWORD, { from, headers, timeoutMs } = {}) {
  return daemon.client(from).post('/api/login', { handle, password }, { headers, timeoutMs });
}

async function waitFor(predicate, what, ms = 10000) {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('a learner failing 20 times refuses neither another learner nor the admin on the same address', async () => {
  const daemon = await startDaemon();
  try {
    await people(daemon, { ana: 'learner', ben: 'learner' });
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await signIn(daemon, 'ana', 'not my password'));
    assert.deepEqual(answers.map((a) => a.status), [...Array(5).fill(401), ...Array(15).fill(429)]);
    const refused = answers[19];
    assert.equal(refused.json.error.code, 'rate_limited');
    assert.equal(refused.json.error.limit, 'account');
    assert.equal(refused.json.error.minutes, 1);
    assert.equal(refused.json.error.message, 'Too many failed sign-ins for this account. Try again in 1 minute.');
    const retry = Number(refused.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 30, `Retry-After ${retry}`);

    // Another learner and the admin, on the same address, at the same moment.
    const [ben, admin] = await Promise.all([signIn(daemon, 'ben'), signIn(daemon, 'admin1')]);
    assert.equal(ben.status, 200, ben.text);
    assert.equal(admin.status, 200, admin.text);
    // Ana's own right password waits like her guesses.
    const anaRight = await signIn(daemon, 'ana');
    assert.equal(anaRight.status, 429);
    assert.equal(anaRight.json.error.limit, 'account');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('the wait grows with each failure after it, and a right password then signs in', async () => {
  const daemon = await startDaemon({ config: 'signin_free_tries = 2\nsignin_delay_seconds = 1\nsignin_max_delay_minutes = 1\n' });
  try {
    await people(daemon, { cas: 'learner' });
    for (let i = 0; i < 2; i++) assert.equal((await signIn(daemon, 'cas', 'wrong wrong wrong')).status, 401);
    const first = await signIn(daemon, 'cas', 'wrong wrong wrong');
    assert.equal(first.status, 429);
    assert.equal(Number(first.headers['retry-after']), 1);
    await sleep(1100);
    assert.equal((await signIn(daemon, 'cas', 'wrong wrong wrong')).status, 401);
    const second = await signIn(daemon, 'cas', PASSWORD);
    assert.equal(second.status, 429);
    assert.equal(Number(second.headers['retry-after']), 2, 'doubled');
    await sleep(2100);
    assert.equal((await signIn(daemon, 'cas')).status, 200);
    // The right password cleared the account: the free tries are back.
    for (let i = 0; i < 2; i++) assert.equal((await signIn(daemon, 'cas', 'wrong wrong wrong')).status, 401);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('30 learners signing in at the same moment from one address all succeed', async () => {
  const daemon = await startDaemon();
  try {
    const roles = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`learner${i}`, 'learner']));
    await people(daemon, roles);
    // 30 password hashes on two workers: on a busy shared machine that can take minutes.
    const answers = await Promise.all(Object.keys(roles).map((handle) => signIn(daemon, handle, PASSWORD, { timeoutMs: 300000 })));
    assert.deepEqual(answers.map((a) => a.status), Array(30).fill(200), answers.filter((a) => a.status !== 200).map((a) => a.text).join('\n'));
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('an address reaching its ceiling waits, and says it is the network', async () => {
  const daemon = await startDaemon({ config: 'signin_address_failures = 4\n' });
  try {
    await people(daemon, {});
    for (let i = 0; i < 4; i++) {
      assert.equal((await signIn(daemon, `ghost${i}`, 'wrong wrong wrong', { from: '127.0.0.5' })).status, 401);
    }
    const refused = await signIn(daemon, 'admin1', PASSWORD, { from: '127.0.0.5' });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.limit, 'address');
    assert.equal(refused.json.error.minutes, 4); // 15 minutes / 4: one forgotten after 225 s
    assert.match(refused.json.error.message, /from this network\. Try again in 4 minutes\./);
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, { from: '127.0.0.6' })).status, 200);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('behind trusted_proxies each X-Forwarded-For or Forwarded client counts apart; the header from others is ignored', async () => {
  // Trust nobody at first; SIGHUP then trusts 127.0.0.1 (the reload applies at once).
  const daemon = await startDaemon({ config: 'signin_address_failures = 3\n' });
  const from = (client, headers) => ({ from: '127.0.0.1', headers: { 'X-Forwarded-For': client, ...headers } });
  try {
    await people(daemon, {});
    // Without trusted proxies the header is not believed: three "different" clients are one.
    for (let i = 0; i < 3; i++) {
      assert.equal((await signIn(daemon, `nobody${i}`, 'wrong wrong wrong', { from: '127.0.0.4', headers: { 'X-Forwarded-For': `198.51.100.${i}` } })).status, 401);
    }
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, { from: '127.0.0.4', headers: { 'X-Forwarded-For': '198.51.100.99' } })).status, 429);

    await writeFile(daemon.configPath, 'signin_address_failures = 3\ntrusted_proxies = 127.0.0.1\n');
    daemon.child.kill('SIGHUP');
    await waitFor(() => daemon.stderr.includes('trusted_proxies changed and applies now'), 'the reload');

    // Client A behind the proxy fails three times: A waits, B does not.
    for (let i = 0; i < 3; i++) {
      assert.equal((await signIn(daemon, `ghost${i}`, 'wrong wrong wrong', from('203.0.113.1'))).status, 401);
    }
    const a = await signIn(daemon, 'admin1', PASSWORD, from('203.0.113.1'));
    assert.equal(a.status, 429);
    assert.equal(a.json.error.limit, 'address');
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, from('203.0.113.2'))).status, 200);
    // What A puts in front of the proxy's hop is not believed: still A.
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, from('192.0.2.50, 203.0.113.1'))).status, 429);
    // The log names the client, not the proxy.
    assert.match(daemon.stderr, /failed sign-in for 'ghost0' from 203\.0\.113\.1/);
    // Forwarded (RFC 7239), when there is no X-Forwarded-For.
    const rfc = { from: '127.0.0.1', headers: { Forwarded: 'for="[2001:db8::7]:4711";proto=http' } };
    for (let i = 0; i < 3; i++) assert.equal((await signIn(daemon, `ghost${i}`, 'wrong wrong wrong', rfc)).status, 401);
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, rfc)).status, 429);
    assert.match(daemon.stderr, /from 2001:db8::7/);
    // From a peer that is not a trusted proxy, the header is ignored: 127.0.0.4 still waits.
    assert.equal((await signIn(daemon, 'admin1', PASSWORD, { from: '127.0.0.4', headers: { 'X-Forwarded-For': '203.0.113.77' } })).status, 429);
    // metrics_allow keeps to the real peer: loopback with a foreign header may read, 127.0.0.4 may not.
    const client = daemon.client('127.0.0.1');
    assert.equal((await client.get('/metrics', { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status, 200);
    assert.equal((await daemon.client('127.0.0.4').get('/metrics', { headers: { 'X-Forwarded-For': '127.0.0.1' } })).status, 403);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
