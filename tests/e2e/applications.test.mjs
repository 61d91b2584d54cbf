// Applying with one's motivation (docs/api.md, "Applications"), over the
// real daemon: someone without an account applies; the coach of that
// centre is told at once on the websocket and the coach of another centre
// is not; the coach puts them on the waiting list, then invites them (the
// invite made for that person, shown on their private link, which makes
// their account); another is declined with a kind message, shown as text.
// Limits: every field's size and the field at fault, a phone number or an
// e-mail address, the centre from the list, the rate limit per client
// address (trusted_proxies respected), a coach of another centre refused;
// the operator's list, show and purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, register, connect, ok, runCli } from '../lib/daemon.mjs';

const CONFIG = 'messages_per_second = 0\ndefault_centre = Noord\n';
const APPLICATION = {
  name: 'Amal Haddad', phone: '+31 6 1234 5678', motivation: 'I want to build websites for my neighbours.',
  when: 'Weekday mornings', centre: 'Noord', language: 'nl',
};

async function invited(daemon, admin, handle, role, cohort) {
  const invite = await admin.post('/api/invites', { role, cohort });
  assert.equal(invite.status, 201, invite.text);
  return register(daemon, invite.json.code, handle);
}

// Two centres with a cohort and a coach each.
async function school(daemon) {
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args], 60000, { GROUNDS_CONFIG: '' });
  const admin = await register(daemon, daemon.firstInvite, 'admin1');
  assert.equal((await cli('centre', 'add', 'Zuid', '--borough', 'Amsterdam-Zuid')).code, 0);
  assert.equal((await admin.post('/api/cohorts', { name: 'autumn', centre: 'Noord' })).status, 201);
  assert.equal((await admin.post('/api/cohorts', { name: 'spring', centre: 'Zuid' })).status, 201);
  return {
    cli,
    admin,
    mona: await invited(daemon, admin, 'mona', 'coach', 'autumn'),
    carl: await invited(daemon, admin, 'carl', 'coach', 'spring'),
  };
}

const isApplication = (id) => (m) => m.type === 'event' && m.event === 'application' && (id === undefined || m.application.id === id);

test('apply, the coach told live, the waiting list, an invite shown on the private link, and a decline', async () => {
  const daemon = await startDaemon({ config: CONFIG });
  const sockets = [];
  try {
    const { cli, admin, mona, carl } = await school(daemon);
    const monaSocket = await connect(daemon, mona);
    const carlSocket = await connect(daemon, carl);
    sockets.push(monaSocket, carlSocket);
    const applicant = daemon.client(); // no account, no cookie

    const form = await applicant.get('/api/apply');
    assert.equal(form.status, 200);
    assert.deepEqual(form.json.centres.map((c) => c.name), ['Noord', 'Zuid']);
    const sent = await applicant.post('/api/apply', APPLICATION);
    assert.equal(sent.status, 201, sent.text);
    assert.match(sent.json.url, new RegExp(`^${daemon.url}/apply/[A-Za-z0-9_-]{40,}$`));
    const told = await monaSocket.next(isApplication(sent.json.id), 5000);
    assert.equal(told.application.state, 'new');
    assert.equal(told.application.name, 'Amal Haddad');
    assert.equal(told.application.motivation, APPLICATION.motivation);
    const status = async () => (await applicant.get(`/api/apply/${sent.json.token}`)).json;
    assert.equal((await status()).state, 'new');
    assert.equal((await status()).centre, 'Noord');

    // The coach of Zuid neither sees nor decides it.
    assert.deepEqual((await carl.get('/api/applications')).json.applications, []);
    assert.equal((await carl.post(`/api/applications/${sent.json.id}/wait`, {})).status, 403);
    assert.equal((await carl.post(`/api/applications/${sent.json.id}/decline`, { message: 'No.' })).status, 403);
    await ok(carlSocket, 'ping');
    assert.equal(carlSocket.inbox.filter(isApplication()).length, 0, "no event on another centre's coach's socket");
    assert.deepEqual((await mona.get('/api/applications')).json.applications.map((a) => a.id), [sent.json.id]);

    // The waiting list, then an invite to a cohort of that centre.
    const waiting = await mona.post(`/api/applications/${sent.json.id}/wait`, {});
    assert.equal(waiting.status, 200, waiting.text);
    assert.equal(waiting.json.state, 'waiting');
    assert.equal((await status()).state, 'waiting');
    assert.equal((await mona.post(`/api/applications/${sent.json.id}/wait`, {})).status, 409);
    const elsewhere = await mona.post(`/api/applications/${sent.json.id}/invite`, { cohort: 'spring' });
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.json.error.field, 'cohort');
    const invite = await mona.post(`/api/applications/${sent.json.id}/invite`, { cohort: 'autumn' });
    assert.equal(invite.status, 200, invite.text);
    assert.equal(invite.json.state, 'invited');
    assert.equal(invite.json.decided_by, 'mona');
    await monaSocket.next(isApplication(sent.json.id), 5000); // waiting
    assert.equal((await monaSocket.next(isApplication(sent.json.id), 5000)).application.state, 'invited');
    const shown = await status();
    assert.equal(shown.state, 'invited');
    assert.match(shown.invite_url, new RegExp(`^${daemon.url}/join/[A-Za-z0-9_-]+$`));
    assert.equal(shown.decided_by, undefined, 'the applicant is not told who decided');
    const amal = await register(daemon, shown.invite_url.split('/join/')[1], 'amal');
    assert.equal((await amal.get('/api/me')).json.cohort, 'autumn');
    assert.equal((await mona.post(`/api/applications/${sent.json.id}/decline`, { message: 'Too late.' })).status, 409);

    // Another one declined with a kind message, kept as text.
    const second = await applicant.post('/api/apply', { ...APPLICATION, phone: undefined, email: 'noor@example.org', name: 'Noor' });
    assert.equal(second.status, 201, second.text);
    const empty = await mona.post(`/api/applications/${second.json.id}/decline`, { message: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.field, 'message');
    const kind = '<b>Thank you</b> for applying; we are full until spring.';
    const declined = await admin.post(`/api/applications/${second.json.id}/decline`, { message: kind });
    assert.equal(declined.status, 200, declined.text);
    const secondStatus = (await applicant.get(`/api/apply/${second.json.token}`)).json;
    assert.equal(secondStatus.state, 'declined');
    assert.equal(secondStatus.message, kind);
    assert.equal(secondStatus.invite_url, undefined);

    // The operator's view.
    const list = await cli('application', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${second.json.id} +declined +Noord .* Noor$`, 'm'));
    assert.match(list.stdout, new RegExp(`^${sent.json.id} +invited +Noord .* Amal Haddad$`, 'm'));
    const show = await cli('application', 'show', String(sent.json.id));
    assert.match(show.stdout, /phone: +\+31 6 1234 5678\n/);
    assert.match(show.stdout, /decided: .* by mona\n/);
    assert.match(show.stdout, /motivation:\nI want to build websites for my neighbours\.\n/);
    const purge = await cli('application', 'purge');
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, /Deleted 0 applications decided 90 days ago or more/);
    assert.equal((await cli('application', 'show', '999')).code, 1);
    assert.equal((await applicant.get('/api/apply/not-a-token')).status, 404);
  } finally {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('limits: each field named, a way to reach them, the centre, and a rate limit per client address behind a trusted proxy', async () => {
  const daemon = await startDaemon({ config: `${CONFIG}apply_per_hour = 3\ntrusted_proxies = 127.0.0.1\n` });
  try {
    await school(daemon);
    const applicant = daemon.client();
    const from = (address) => ({ headers: { 'X-Forwarded-For': address } });
    const refusedField = async (changes, field, address) => {
      const sent = await applicant.post('/api/apply', { ...APPLICATION, ...changes }, from(address));
      assert.equal(sent.status, 400, `${field}: ${sent.text}`);
      assert.equal(sent.json.error.code, 'bad_value');
      assert.equal(sent.json.error.field, field);
    };
    // Refusals do not count against the limit.
    await refusedField({ name: 'x'.repeat(101) }, 'name', '203.0.113.5');
    await refusedField({ name: '' }, 'name', '203.0.113.5');
    await refusedField({ phone: '', email: '' }, 'contact', '203.0.113.5');
    await refusedField({ phone: '12' }, 'phone', '203.0.113.5');
    await refusedField({ phone: '', email: 'not an address' }, 'email', '203.0.113.5');
    await refusedField({ motivation: 'Too short.' }, 'motivation', '203.0.113.5');
    await refusedField({ motivation: 'x'.repeat(4001) }, 'motivation', '203.0.113.5');
    await refusedField({ when: 'x'.repeat(501) }, 'when', '203.0.113.5');
    await refusedField({ centre: 'Nowhere' }, 'centre', '203.0.113.5');
    await refusedField({ centre: undefined }, 'centre', '203.0.113.5');

    for (let i = 0; i < 3; i++) assert.equal((await applicant.post('/api/apply', APPLICATION, from('203.0.113.5'))).status, 201);
    const limited = await applicant.post('/api/apply', APPLICATION, from('203.0.113.5'));
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.error.code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) > 0, 'a Retry-After header');
    // Another client behind the same proxy is counted apart.
    assert.equal((await applicant.post('/api/apply', APPLICATION, from('203.0.113.6'))).status, 201);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
