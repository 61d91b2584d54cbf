// Accounts that recover, over HTTP and websockets against the real daemon
// (docs/api.md, "Profile and sessions", "Reset links", "Users, cohorts and
// invites"; docs/operating.md, "Resetting a password"): a reset link is used
// once, a newer one replaces it, using it ends every session; a coach makes
// links for the learners they coach only; the admin's operations are
// refused to everyone else; a profile's name and language, the list of
// sessions and "sign out everywhere else"; cohorts as records from the CLI.
// A link's 24 hours are tested with a fake clock in tests/unit/accounts_test.c.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, addCohorts, register, runCli, connect } from '../lib/daemon.mjs';

const PASSWORD = 'correct horse battery';
const PUBLIC = 'https://grounds.example.org';
let daemon;
let clients;
// The operator's tool reads the daemon's config file, so its links use public_url.
const cli = (...args) => runCli(['--config', daemon.configPath, '--data-dir', daemon.dataDir, ...args]);
const tokenOf = (url) => url.split('/reset/')[1];

before(async () => {
  daemon = await startDaemon({ config: `public_url = ${PUBLIC}\nmessages_per_second = 0\n` });
  clients = await people(daemon, { mona: 'coach', lena: 'learner', rita: 'learner', paul: 'learner' });
  await addCohorts(clients.admin1, 'spring');
  const invite = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'spring' });
  clients.lars = await register(daemon, invite.json.code, 'lars');
});

after(async () => {
  await daemon.stop();
});

test('a reset link is used once: a new password, every session ended, then "used"', async () => {
  const made = await clients.mona.post('/api/users/lena/reset', {});
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.handle, 'lena');
  assert.match(made.json.url, new RegExp(`^${PUBLIC}/reset/[A-Za-z0-9_-]{40,}$`));
  assert.ok(made.json.expires_at > Date.now() + 23.9 * 3600e3 && made.json.expires_at <= Date.now() + 24 * 3600e3);
  const token = tokenOf(made.json.url);
  const socket = await connect(daemon, clients.lena);

  const info = await daemon.client().get(`/api/reset/${token}`);
  assert.equal(info.status, 200);
  assert.equal(info.json.handle, 'lena');
  // A password under the minimum names its field; the link stays usable.
  const short = await daemon.client().post('/api/reset', { token, password: 'short' });
  assert.equal(short.status, 400);
  assert.equal(short.json.error.field, 'password');
  assert.match(short.json.error.message, /at least 10 characters/);

  const used = await daemon.client().post('/api/reset', { token, password: 'a brand new password' });
  assert.equal(used.status, 200, used.text);
  assert.equal((await socket.closed).code, 4001, 'her open page closed');
  assert.equal((await clients.lena.get('/api/me')).status, 401, 'her session ended');
  assert.equal((await daemon.client().post('/api/login', { handle: 'lena', password: PASSWORD })).status, 401);
  clients.lena = daemon.client();
  assert.equal((await clients.lena.post('/api/login', { handle: 'lena', password: 'a brand new password' })).status, 200);

  for (const again of [await daemon.client().post('/api/reset', { token, password: 'yet another password' }),
    await daemon.client().get(`/api/reset/${token}`)]) {
    assert.equal(again.status, 400);
    assert.equal(again.json.error.code, 'reset_used');
    assert.equal(again.json.error.field, 'token');
  }
  assert.equal((await daemon.client().post('/api/login', { handle: 'lena', password: 'yet another password' })).status, 401);
  const unknown = await daemon.client().get('/api/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(unknown.json.error.code, 'reset_unknown');
});

test('a newer link replaces the older one, which then says so', async () => {
  const first = tokenOf((await clients.admin1.post('/api/users/rita/reset', {})).json.url);
  const second = tokenOf((await clients.admin1.post('/api/users/rita/reset', {})).json.url);
  const old = await daemon.client().post('/api/reset', { token: first, password: 'rita new password' });
  assert.equal(old.status, 400);
  assert.equal(old.json.error.code, 'reset_replaced');
  assert.match(old.json.error.message, /newer reset link/);
  assert.equal((await daemon.client().post('/api/reset', { token: second, password: 'rita new password' })).status, 200);
});

test('grounds user reset prints the same kind of link, from public_url', async () => {
  const made = await cli('user', 'reset', 'paul');
  assert.equal(made.code, 0, made.stderr);
  const url = made.stdout.trim();
  assert.match(url, new RegExp(`^${PUBLIC}/reset/[A-Za-z0-9_-]{40,}$`));
  assert.match(made.stderr, /valid until/);
  assert.equal((await daemon.client().post('/api/reset', { token: tokenOf(url), password: 'paul new password' })).status, 200);
  const nobody = await cli('user', 'reset', 'nobody');
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /There is no user 'nobody'/);
});

test('a coach makes links for the learners of their cohorts only; learners for nobody', async () => {
  const outside = await clients.mona.post('/api/users/lars/reset', {});
  assert.equal(outside.status, 403);
  assert.match(outside.json.error.message, /cohorts you coach/);
  assert.equal((await clients.mona.post('/api/users/admin1/reset', {})).status, 403);
  assert.equal((await clients.rita.post('/api/users/paul/reset', {})).status, 401, 'rita\'s session ended with her reset');
  const lars = await clients.lars.post('/api/users/paul/reset', {});
  assert.equal(lars.status, 403);
  const missing = await clients.mona.post('/api/users/nobody/reset', {});
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.field, 'handle');
  // The coach's list of people is their learners only.
  const listed = await clients.mona.get('/api/users');
  assert.deepEqual(listed.json.users.map((u) => u.handle), ['lena', 'paul', 'rita']);
});

test('the admin\'s operations are refused to coaches and learners, and name the field at fault', async () => {
  for (const client of [clients.mona, clients.lars]) {
    assert.equal((await client.post('/api/users/lars/role', { role: 'coach' })).status, 403);
    assert.equal((await client.post('/api/users/lars/disable', {})).status, 403);
    assert.equal((await client.post('/api/cohorts', { name: 'winter' })).status, 403);
    assert.equal((await client.get('/api/invites')).status, 403);
  }
  assert.equal((await clients.lars.get('/api/users')).status, 403);
  const admin = clients.admin1;
  const role = await admin.post('/api/users/lars/role', { role: 'teacher' });
  assert.deepEqual([role.status, role.json.error.field], [400, 'role']);
  const cohort = await admin.post('/api/users/lars/cohort', { cohort: 'sprnig' });
  assert.deepEqual([cohort.status, cohort.json.error.field], [400, 'cohort']);
  assert.match(cohort.json.error.message, /no cohort 'sprnig'/);
  const handle = await admin.post('/api/users/nobody/cohort', { cohort: 'spring' });
  assert.deepEqual([handle.status, handle.json.error.field], [404, 'handle']);
  const self = await admin.post('/api/users/admin1/disable', {});
  assert.equal(self.status, 409);

  // Disable ends the sessions; enable lets them sign in again.
  const socket = await connect(daemon, clients.lars);
  assert.equal((await admin.post('/api/users/lars/disable', {})).json.disabled, true);
  assert.equal((await socket.closed).code, 4001);
  assert.equal((await clients.lars.get('/api/me')).status, 401);
  assert.equal((await admin.post('/api/users/lars/enable', {})).json.disabled, false);
  assert.equal((await clients.lars.post('/api/login', { handle: 'lars', password: PASSWORD })).status, 200);
  const moved = await admin.post('/api/users/lars/cohort', { cohort: 'autumn' });
  assert.equal(moved.json.cohort, 'autumn');
  assert.equal((await admin.get('/api/users?q=LAR')).json.users[0].cohort, 'autumn', 'search by handle, any case');

  // Invites: listed without codes, revoked by id, then refused.
  const invite = await admin.post('/api/invites', { role: 'learner', cohort: 'spring' });
  const listed = (await admin.get('/api/invites')).json.invites;
  assert.equal(listed[0].status, 'open');
  assert.equal(listed[0].cohort, 'spring');
  assert.ok(!JSON.stringify(listed).includes(invite.json.code), 'no code is listed');
  assert.equal((await admin.post(`/api/invites/${listed[0].id}/revoke`, {})).status, 200);
  assert.equal((await admin.post(`/api/invites/${listed[0].id}/revoke`, {})).status, 409);
  assert.equal((await daemon.client().get(`/api/invites/${invite.json.code}`)).json.error.code, 'invite_invalid');
});

test('a profile: name and language, the sessions with this one marked, and signing out everywhere else', async () => {
  const phone = daemon.client();
  const login = await phone.post('/api/login', { handle: 'mona', password: PASSWORD });
  assert.equal(login.status, 200);
  await phone.get('/api/me', { headers: { 'User-Agent': 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36' } });
  await clients.mona.get('/api/me', { headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } });

  const bad = await clients.mona.post('/api/profile', { language: 'fr' });
  assert.deepEqual([bad.status, bad.json.error.field], [400, 'language']);
  const empty = await clients.mona.post('/api/profile', { display_name: '' });
  assert.deepEqual([empty.status, empty.json.error.field], [400, 'display_name']);
  const changed = await clients.mona.post('/api/profile', { display_name: 'Mona V.', language: 'nl' });
  assert.equal(changed.status, 200, changed.text);
  assert.deepEqual([changed.json.display_name, changed.json.language], ['Mona V.', 'nl']);
  const me = (await phone.get('/api/me')).json;
  assert.deepEqual([me.display_name, me.language], ['Mona V.', 'nl'], 'the choice follows her to her other browser');

  const { sessions } = (await clients.mona.get('/api/sessions')).json;
  assert.equal(sessions.length, 2);
  assert.deepEqual(sessions.filter((s) => s.current).map((s) => s.agent), ['Firefox on Linux']);
  assert.deepEqual(sessions.filter((s) => !s.current).map((s) => s.agent), ['Chrome on Android']);
  assert.ok(sessions.every((s) => /^[0-9a-f]{16}$/.test(s.id) && s.seen_at >= s.created_at));

  const socket = await connect(daemon, phone);
  const ended = await clients.mona.post('/api/sessions/end-others', {});
  assert.deepEqual(ended.json, { ended: 1 });
  assert.equal((await socket.closed).code, 4001, 'the other browser\'s page closed');
  assert.equal((await phone.get('/api/me')).status, 401);
  assert.equal((await clients.mona.get('/api/me')).status, 200, 'this session stays');
  assert.equal((await clients.mona.get('/api/sessions')).json.sessions.length, 1);
});

test('cohorts as records: add, list and rename from the CLI, every reference moved at once', async () => {
  const add = await cli('cohort', 'add', 'winter');
  assert.equal(add.code, 0, add.stderr);
  const twice = await cli('cohort', 'add', 'winter');
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /already/);
  const invite = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'autumn' });
  const renamed = await cli('cohort', 'rename', 'autumn', 'autumn-2026');
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal((await cli('cohort', 'rename', 'autumn-2026', 'winter')).code, 1, 'a name taken');
  const missing = await cli('cohort', 'rename', 'nope', 'other');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no cohort 'nope'/);
  const list = await cli('cohort', 'list');
  assert.match(list.stdout, /autumn-2026\s+4\s+1/, 'its four learners and its coach moved with it');
  assert.doesNotMatch(list.stdout, /^autumn\s/m);
  assert.equal((await daemon.client().get(`/api/invites/${invite.json.code}`)).json.cohort, 'autumn-2026');
  assert.equal((await clients.lena.get('/api/me')).json.cohort, 'autumn-2026');
  const boards = await clients.mona.get('/api/cohorts');
  assert.deepEqual(boards.json.cohorts.map((c) => c.name), ['autumn-2026'], 'the coach coaches it under its new name');
});
