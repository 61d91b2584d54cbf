// The errors the real daemon sends carry their stable code, the reason of a
// case with a sentence of its own, and the parameters that sentence needs
// (docs/protocol.md and docs/api.md, "Errors"; daemon/protocol/errors.c),
// over HTTP and the websocket, with the English message kept for API users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, connect, refused } from '../lib/daemon.mjs';

let daemon;
let clients;
before(async () => {
  daemon = await startDaemon();
  clients = await people(daemon, { lena: 'learner', colin: 'coach' });
});
after(async () => {
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

test('HTTP errors: code, reason and parameters', async () => {
  const used = await daemon.client().get(`/api/invites/${daemon.firstInvite}`);
  assert.equal(used.status, 400);
  assert.deepEqual([used.json.error.code, used.json.error.reason, used.json.error.field], ['invite_invalid', 'invite_used', 'invite']);
  assert.ok(used.json.error.message.length > 0);

  const unknown = await daemon.client().get('/api/invites/nothing-like-this');
  assert.deepEqual([unknown.json.error.code, unknown.json.error.reason], ['invite_invalid', 'invite_unknown']);

  const missing = await clients.lena.get('/api/tracks/no-such-track');
  assert.deepEqual([missing.status, missing.json.error.code, missing.json.error.reason], [404, 'not_found', 'track_missing']);

  const page = await clients.lena.get('/api/no-such-endpoint');
  assert.deepEqual([page.json.error.code, page.json.error.reason], ['not_found', 'page_missing']);

  const invite = await clients.lena.post('/api/invites', { role: 'learner' });
  assert.deepEqual([invite.status, invite.json.error.code, invite.json.error.reason], [403, 'forbidden', 'coaches_only']);

  const days = await clients.colin.post('/api/invites', { role: 'learner', expires_in_days: 999 });
  assert.deepEqual([days.json.error.code, days.json.error.reason, days.json.error.field], ['bad_value', 'invite_days', 'expires_in_days']);

  // A plain code has no reason; a wrong password says nothing more.
  const wrong = await daemon.client().post('/api/login', { handle: 'lena', password: 'not the password' });
  assert.equal(wrong.json.error.code, 'bad_credentials');
  assert.equal(wrong.json.error.reason, undefined);
});

test('HTTP rate_limited says how many seconds to wait', async () => {
  let reply;
  for (let i = 0; i < 30; i++) {
    reply = await daemon.client().post('/api/login', { handle: 'colin', password: `wrong ${i}` });
    if (reply.status === 429) break;
  }
  assert.equal(reply.status, 429);
  assert.equal(reply.json.error.code, 'rate_limited');
  assert.ok(Number.isInteger(reply.json.error.retry_after) && reply.json.error.retry_after > 0, JSON.stringify(reply.json));
  assert.equal(String(reply.json.error.retry_after), reply.headers['retry-after']);
});

test('websocket errors: code, reason and parameters', async () => {
  const socket = await connect(daemon, clients.lena);
  try {
    const review = await refused(socket, 'review.get', { assignment: 424242 }, 'not_found');
    assert.equal(review.reason, 'review_missing');

    const board = await refused(socket, 'board.get', { cohort: 'autumn', track: 'web-basics' }, 'forbidden');
    assert.equal(board.reason, 'coaches_only');

    const locked = await refused(socket, 'progress.set', { track: 'web-basics', step: 'project', state: 'started' }, 'conflict');
    assert.equal(locked.reason, 'step_locked');
    assert.equal(locked.state, 'not_started');
    assert.equal(typeof locked.requires, 'string');

    const help = await refused(socket, 'help.ask', { track: 'web-basics', step: 'project', body: 'How?' }, 'conflict');
    assert.equal(help.reason, 'help_step_not_open');
    assert.equal(help.state, 'not_started');

    const step = await refused(socket, 'subscribe', { topic: 'room:web-basics/no-such-step' }, 'not_found');
    assert.equal(step.reason, 'step_missing');

    const long = await refused(socket, 'help.ask', { track: 'web-basics', step: 'project', body: 'x'.repeat(501) }, 'too_large');
    assert.deepEqual([long.reason, long.field, long.limit], [undefined, 'body', 500]);

    const absent = await refused(socket, 'review.get', {}, 'missing_field');
    assert.equal(absent.field, 'assignment');
  } finally {
    socket.close();
  }
});
