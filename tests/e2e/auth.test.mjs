// Accounts over real HTTP: the first-start invite, joining, signing in and
// out, roles and invites, the sign-in rate limit, and what the API refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, register, people } from '../lib/daemon.mjs';

let daemon;
before(async () => { daemon = await startDaemon(); });
after(async () => { assert.equal(await daemon.stop(), 0, daemon.stderr); });

test('the first start prints a one-time admin invite URL and the address to open', () => {
  assert.match(daemon.stdout, new RegExp(`http://127\\.0\\.0\\.1:${daemon.port}/join/[A-Za-z0-9_-]{20,}`));
  assert.match(daemon.stdout, new RegExp(`grounds is running: open http://127\\.0\\.0\\.1:${daemon.port}/`));
});

test('GET /healthz answers ok with the version', async () => {
  const response = await daemon.client().get('/healthz');
  assert.equal(response.status, 200);
  assert.match(response.text.trim(), /^ok grounds \d+\.\d+\.\d+$/);
});

test('joining with the first invite makes an admin who is signed in', async () => {
  const info = await daemon.client().get(`/api/invites/${daemon.firstInvite}`);
  assert.equal(info.status, 200);
  assert.equal(info.json.role, 'admin');

  const client = daemon.client();
  const joined = await client.post('/api/register', {
    invite: daemon.firstInvite, handle: 'ada', display_name: 'Ada', password: 'a long enough password',
  });
  assert.equal(joined.status, 201, joined.text);
  assert.deepEqual(joined.json, { handle: 'ada', display_name: 'Ada', role: 'admin', cohort: null });
  const cookie = joined.headers['set-cookie'][0];
  assert.match(cookie, /^grounds_session=[A-Za-z0-9_-]{40,};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);

  const me = await client.get('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.handle, 'ada');
  assert.equal(me.json.role, 'admin');

  const again = await daemon.client().post('/api/register', {
    invite: daemon.firstInvite, handle: 'eve', display_name: 'Eve', password: 'a long enough password',
  });
  assert.equal(again.status, 400);
  assert.equal(again.json.error.code, 'invite_invalid');
  const used = await daemon.client().get(`/api/invites/${daemon.firstInvite}`);
  assert.equal(used.json.error.code, 'invite_invalid');
});

test('admins invite every role, coaches learners only, learners nobody', async () => {
  const admin = daemon.client();
  assert.equal((await admin.post('/api/login', { handle: 'ada', password: 'a long enough password' })).status, 200);

  // A cohort not on record is refused, naming the field: a typo cannot split a cohort.
  const typo = await admin.post('/api/invites', { role: 'coach', cohort: 'autum' });
  assert.equal(typo.status, 400);
  assert.equal(typo.json.error.code, 'bad_value');
  assert.equal(typo.json.error.field, 'cohort');
  assert.match(typo.json.error.message, /no cohort 'autum'/);
  assert.equal((await admin.post('/api/cohorts', { name: 'autumn' })).status, 201);
  const coachInvite = await admin.post('/api/invites', { role: 'coach', cohort: 'autumn', expires_in_days: 3 });
  assert.equal(coachInvite.status, 201, coachInvite.text);
  assert.equal(coachInvite.json.role, 'coach');
  assert.equal(coachInvite.json.cohort, 'autumn');
  assert.equal(coachInvite.json.url, `${daemon.url}/join/${coachInvite.json.code}`);
  const days = (coachInvite.json.expires_at - Date.now()) / 86400000;
  assert.ok(days > 2.9 && days <= 3, `expires in ${days} days`);

  const coach = await register(daemon, coachInvite.json.code, 'coach-kim');
  assert.equal((await coach.get('/api/me')).json.role, 'coach');

  const learnerInvite = await coach.post('/api/invites', { role: 'learner', cohort: 'autumn' });
  assert.equal(learnerInvite.status, 201, learnerInvite.text);
  const defaultDays = (learnerInvite.json.expires_at - Date.now()) / 86400000;
  assert.ok(defaultDays > 13.9 && defaultDays <= 14, `default expiry ${defaultDays} days`);
  for (const role of ['coach', 'admin']) {
    const refused = await coach.post('/api/invites', { role });
    assert.equal(refused.status, 403, `a coach inviting a ${role}`);
    assert.equal(refused.json.error.code, 'forbidden');
  }

  const learner = await register(daemon, learnerInvite.json.code, 'lena');
  const me = await learner.get('/api/me');
  assert.deepEqual(me.json, { handle: 'lena', display_name: 'lena', role: 'learner', cohort: 'autumn' });
  const refused = await learner.post('/api/invites', { role: 'learner' });
  assert.equal(refused.status, 403);

  const teacher = await admin.post('/api/invites', { role: 'teacher' });
  assert.equal(teacher.status, 400);
  assert.equal(teacher.json.error.field, 'role');
  const tooLong = await admin.post('/api/invites', { role: 'learner', expires_in_days: 400 });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.json.error.field, 'expires_in_days');
  assert.equal((await daemon.client().post('/api/invites', { role: 'learner' })).status, 401);
});

test('register refuses bad input field by field and keeps the invite for a taken handle', async () => {
  const admin = daemon.client();
  await admin.post('/api/login', { handle: 'ada', password: 'a long enough password' });
  const { json: { code } } = await admin.post('/api/invites', { role: 'learner' });
  const attempt = (fields) => daemon.client().post('/api/register', {
    invite: code, handle: 'newbie', display_name: 'New', password: 'long enough password', ...fields,
  });

  const cases = [
    [{ password: 'short' }, 'bad_value', 'password'],
    [{ handle: 'Has Space' }, 'bad_value', 'handle'],
    [{ handle: 'ab' }, 'bad_value', 'handle'],
    [{ handle: 'x'.repeat(33) }, 'bad_value', 'handle'],
    [{ display_name: '' }, 'bad_value', 'display_name'],
    [{ handle: undefined }, 'missing_field', 'handle'],
    [{ password: 12345678901 }, 'bad_value', 'password'],
  ];
  for (const [fields, codeWanted, field] of cases) {
    const response = await attempt(fields);
    assert.equal(response.status, 400, JSON.stringify(fields));
    assert.equal(response.json.error.code, codeWanted, JSON.stringify(fields));
    assert.equal(response.json.error.field, field, JSON.stringify(fields));
    assert.ok(response.json.error.message.length > 0);
  }
  const taken = await attempt({ handle: 'ada' });
  assert.equal(taken.status, 409);
  assert.equal(taken.json.error.code, 'conflict');
  assert.equal(taken.json.error.field, 'handle');
  assert.equal((await attempt({})).status, 201, 'the invite was still usable');
  assert.equal((await attempt({ handle: 'another' })).json.error.code, 'invite_invalid');
});

test('a wrong password and an unknown user get the same answer at about the same cost', async () => {
  const timed = async (client, handle) => {
    const started = process.hrtime.bigint();
    const response = await client.post('/api/login', { handle, password: 'not the password at all' });
    return { response, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  };
  // Separate source addresses keep the per-address limit out of the way.
  const known = await timed(daemon.client('127.0.0.2'), 'ada');
  const unknown = await timed(daemon.client('127.0.0.3'), 'nobody-here');
  for (const { response } of [known, unknown]) {
    assert.equal(response.status, 401);
    assert.equal(response.json.error.code, 'bad_credentials');
  }
  assert.equal(known.response.json.error.message, unknown.response.json.error.message);
  // The unknown handle still costs a password hash: not a fraction of the known one.
  assert.ok(unknown.ms > known.ms / 4, `unknown ${unknown.ms} ms vs known ${known.ms} ms`);
});

test('five failed sign-ins for one handle make it wait, with 429 and Retry-After', async () => {
  const admin = daemon.client();
  await admin.post('/api/login', { handle: 'ada', password: 'a long enough password' });
  const { json: { code } } = await admin.post('/api/invites', { role: 'learner' });
  await register(daemon, code, 'target', 'the right password');
  for (let i = 0; i < 5; i++) {
    const response = await daemon.client(`127.0.1.${i + 1}`).post('/api/login', { handle: 'target', password: 'wrong password!!' });
    assert.equal(response.status, 401, `attempt ${i + 1}`);
  }
  const blocked = await daemon.client('127.0.1.9').post('/api/login', { handle: 'target', password: 'the right password' });
  assert.equal(blocked.status, 429);
  assert.equal(blocked.json.error.code, 'rate_limited');
  assert.equal(blocked.json.error.limit, 'account');
  const retry = Number(blocked.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 30, `Retry-After ${retry}`);
  // Another handle, even from that same address, is not affected.
  assert.equal((await daemon.client('127.0.1.9').post('/api/login', { handle: 'ada', password: 'a long enough password' })).status, 200);
});

test('five failures from one address for five handles do not block that address', async () => {
  const client = daemon.client('127.0.3.1');
  for (let i = 0; i < 5; i++) {
    assert.equal((await client.post('/api/login', { handle: `ghost${i}`, password: 'wrong password!!' })).status, 401);
  }
  // The address's ceiling is signin_address_failures (300): tests/e2e/signin.test.mjs.
  assert.equal((await client.post('/api/login', { handle: 'ada', password: 'a long enough password' })).status, 200);
});

test('logout ends the session on the server, not just in the browser', async () => {
  const client = daemon.client();
  assert.equal((await client.post('/api/login', { handle: 'ada', password: 'a long enough password' })).status, 200);
  const cookie = client.cookie;
  const out = await client.post('/api/logout', {});
  assert.equal(out.status, 200);
  assert.match(out.headers['set-cookie'][0], /Max-Age=0/);
  assert.equal((await client.get('/api/me')).status, 401);
  const replay = await client.get('/api/me', { headers: { Cookie: cookie } });
  assert.equal(replay.status, 401);
  assert.equal(replay.json.error.code, 'unauthenticated');
});

test('the API refuses cross-site posts, non-JSON bodies, bad JSON and unknown paths', async () => {
  const client = daemon.client();
  const foreign = await client.post('/api/login', { handle: 'ada', password: 'a long enough password' }, { headers: { Origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error.code, 'forbidden');
  const form = await client.request('POST', '/api/login', { raw: 'handle=ada', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415);
  const broken = await client.request('POST', '/api/login', { raw: '{"handle": ', headers: { 'Content-Type': 'application/json' } });
  assert.equal(broken.status, 400);
  assert.equal(broken.json.error.code, 'bad_json');
  const array = await client.request('POST', '/api/login', { raw: '[1]', headers: { 'Content-Type': 'application/json' } });
  assert.equal(array.json.error.code, 'bad_json');
  const big = await client.request('POST', '/api/login', { raw: `{"handle":"${'a'.repeat(70 * 1024)}"}`, headers: { 'Content-Type': 'application/json' } });
  assert.equal(big.status, 413);
  const missing = await client.get('/api/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
  const method = await client.request('DELETE', '/api/me');
  assert.equal(method.status, 405);
});

test('the people helper makes a learner and a coach in a cohort', async () => {
  // The shared helper other tests rely on, against a daemon of its own.
  const other = await startDaemon();
  try {
    const { coach1, learner1 } = await people(other, { coach1: 'coach', learner1: 'learner' });
    assert.equal((await coach1.get('/api/me')).json.role, 'coach');
    assert.equal((await learner1.get('/api/me')).json.cohort, 'autumn');
  } finally {
    assert.equal(await other.stop(), 0);
  }
});
