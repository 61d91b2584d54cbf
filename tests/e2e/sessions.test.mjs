// A session ends everywhere at once (docs/protocol.md, "When a session
// ends"): signing out, a new password, and the operator's tool disabling a
// user or changing a password, role or cohort close every open websocket of
// that session or user, with 4001 (session ended) or 4003 (rights changed),
// within a second, also when the change is made by `grounds` in another
// process while groundsd runs. Not one more message of an ended session is
// answered. Also: the account commands these need, and the first-start
// link, which dies once an admin exists and lasts at most 24 hours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { startDaemon, openSocket, people, ok, call, register, runCli, nextRequestId, GROUNDS_CLI, connect } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const PASSWORD = 'correct horse battery';
const SESSION_ENDED = 4001;
const RIGHTS_CHANGED = 4003;
const WITHIN_MS = 1000;

// Every message type a client may send (docs/protocol.md), with fields that
// would be accepted from someone allowed to.
const EVERY_TYPE = [
  ['ping', {}], ['hello', {}],
  ['progress.set', { track: 'web-basics', step: 'what-is-a-web-page', state: 'started' }],
  ['submission.create', { track: 'web-basics', step: 'project', body_md: 'x' }],
  ['subscribe', { topic: 'track:web-basics' }], ['unsubscribe', { topic: 'track:web-basics' }],
  ['markdown.preview', { body_md: '# x' }], ['review.list', {}], ['review.get', { assignment: 1 }],
  ['submission.get', { track: 'web-basics', step: 'project' }],
  ['review.submit', { assignment: 1, verdict: 'pass', checks: [] }], ['review.decline', { assignment: 1 }],
  ['review.rate', { review: 1, helpfulness: 3 }], ['review.flag', { review: 1, reason: 'x' }],
  ['board.get', { cohort: 'autumn', track: 'web-basics' }], ['nudge.send', { user: 'lena', body: 'x' }],
  ['nudge.read', { nudge: 1 }], ['help.ask', { track: 'web-basics', step: 'what-is-a-web-page', body: 'x' }],
  ['help.accept', { request: 1 }], ['help.get', { request: 1 }], ['help.message', { request: 1, body: 'x' }],
  ['help.resolve', { request: 1 }], ['help.withdraw', { request: 1 }], ['help.list', {}],
];

// The socket's close, which must come with code within ms of since.
async function closedWith(socket, code, since, ms = WITHIN_MS) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), ms + 2000).unref());
  const closed = await Promise.race([socket.closed, timeout]);
  assert.ok(closed, `the socket was not closed within ${ms + 2000} ms`);
  const took = Date.now() - since;
  assert.equal(closed.code, code, `closed with ${closed.code} ${closed.reason}`);
  assert.ok(took <= ms, `closed after ${took} ms, more than ${ms}`);
  return { ...closed, took };
}

// Sends every message type at once; resolves the replies that came before the close.
async function everyType(socket) {
  const replies = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === 'ok' || message.type === 'error') replies.push(message);
  });
  for (const [type, fields] of EVERY_TYPE) {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, id: nextRequestId(), ...fields }));
  }
  await socket.closed;
  return replies;
}

// A socket that must stay open and answered: a ping gets its reply.
async function stillServed(socket) {
  assert.equal(socket.readyState, WebSocket.OPEN);
  await ok(socket, 'ping');
}

// The operator's tool with input on stdin.
function cliWithInput(args, input) {
  return new Promise((resolve) => {
    const child = spawn(GROUNDS_CLI, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function signIn(daemon, handle, password = PASSWORD) {
  const client = daemon.client();
  const response = await client.post('/api/login', { handle, password });
  assert.equal(response.status, 200, response.text);
  return client;
}

test('signing out closes every socket of that session with 4001 at once; other sessions stay', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { lena } = await people(daemon, { lena: 'learner' });
    const otherTab = await connect(daemon, lena);
    const tab = await connect(daemon, lena);
    const phone = await signIn(daemon, 'lena');
    const phoneSocket = await connect(daemon, phone);
    const cookie = lena.cookie;

    assert.equal((await lena.post('/api/logout', {})).status, 200);
    const since = Date.now();
    // Sent right after the sign-out's reply: not one of them is answered.
    const replies = await everyType(tab);
    assert.deepEqual(replies, [], 'an ended session answers nothing more');
    await closedWith(tab, SESSION_ENDED, since);
    const other = await closedWith(otherTab, SESSION_ENDED, since);
    assert.equal(other.reason, 'session ended');
    await stillServed(phoneSocket);
    await assert.rejects(openSocket(daemon, null, { cookie }), (error) => error.status === 403);
    phoneSocket.close();
  } finally {
    await daemon.stop();
  }
});

// A websocket of client's on a bare TCP socket that never writes a byte
// after the upgrade, so it never answers a close. Resolves { status, closed,
// ended }: the upgrade's status, a promise of the server's close frame (its
// code and when it came) and one of the moment the connection ended.
function silentSocket(daemon, client) {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: '127.0.0.1', port: daemon.port, path: '/ws',
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'grounds',
        Origin: daemon.url, Cookie: client.cookie,
      },
    });
    request.on('upgrade', (response, socket, head) => {
      let bytes = head;
      let closeFrame;
      const closed = new Promise((resolveClose) => { closeFrame = resolveClose; });
      const ended = new Promise((resolveEnd) => {
        socket.on('close', () => resolveEnd(Date.now()));
        socket.on('error', () => {});
      });
      // Unmasked server frames: find the close frame (opcode 8) and its code.
      const read = () => {
        while (bytes.length >= 2) {
          let len = bytes[1] & 0x7f;
          let at = 2;
          if (len === 126) { len = bytes.readUInt16BE(2); at = 4; }
          else if (len === 127) { len = Number(bytes.readBigUInt64BE(2)); at = 10; }
          if (bytes.length < at + len) return;
          if ((bytes[0] & 0x0f) === 8) closeFrame({ code: bytes.readUInt16BE(at), at: Date.now() });
          bytes = bytes.subarray(at + len);
        }
      };
      socket.on('data', (chunk) => { bytes = Buffer.concat([bytes, chunk]); read(); });
      read();
      resolve({ status: response.statusCode, closed, ended });
    });
    request.on('response', (response) => reject(new Error(`websocket refused: ${response.statusCode}`)));
    request.on('error', reject);
    request.end();
  });
}

test('a client that never answers the close of its ended session is cut off after 3 s', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { lena } = await people(daemon, { lena: 'learner' });
    const silent = await silentSocket(daemon, lena);
    const answering = await connect(daemon, lena);
    assert.equal(silent.status, 101);

    assert.equal((await lena.post('/api/logout', {})).status, 200);
    const since = Date.now();
    const frame = await Promise.race([silent.closed, new Promise((resolve) => setTimeout(() => resolve(null), 3000).unref())]);
    assert.ok(frame, 'no close frame within 3 s');
    assert.equal(frame.code, SESSION_ENDED);
    await closedWith(answering, SESSION_ENDED, since);
    // The server waits for the answer (3 s), checking twice a second, then cuts the connection.
    const endedAt = await Promise.race([silent.ended, new Promise((resolve) => setTimeout(() => resolve(null), 8000).unref())]);
    assert.ok(endedAt, 'the silent connection was never cut off');
    const waited = endedAt - frame.at;
    assert.ok(waited >= 2500, `cut off after ${waited} ms: it did not wait for the answer`);
    assert.ok(waited <= 5000, `cut off after ${waited} ms, more than 3 s and the check's interval`);
    const metrics = await daemon.client().get('/metrics');
    assert.match(metrics.text, /^grounds_ws_connections 0$/m, 'both connections are gone');
  } finally {
    await daemon.stop();
  }
});

test('a new password over HTTP closes the other sessions with 4001 and keeps this one', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { lena } = await people(daemon, { lena: 'learner' });
    const here = await connect(daemon, lena);
    const elsewhere = await signIn(daemon, 'lena');
    const there = await connect(daemon, elsewhere);

    const signedOut = await daemon.client().post('/api/password', { current_password: PASSWORD, new_password: 'another long password' });
    assert.equal(signedOut.status, 401);
    const missing = await lena.post('/api/password', { current_password: PASSWORD });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.field, 'new_password');
    const wrong = await lena.post('/api/password', { current_password: 'not it at all', new_password: 'another long password' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error.field, 'current_password');
    const short = await lena.post('/api/password', { current_password: PASSWORD, new_password: 'short' });
    assert.equal(short.status, 400);
    assert.equal(short.json.error.code, 'bad_value');
    assert.equal(short.json.error.field, 'new_password');
    await stillServed(there);

    const changed = await lena.post('/api/password', { current_password: PASSWORD, new_password: 'another long password' });
    assert.equal(changed.status, 200, changed.text);
    const since = Date.now();
    assert.deepEqual(await everyType(there), []);
    await closedWith(there, SESSION_ENDED, since);
    await stillServed(here);
    assert.equal((await lena.get('/api/me')).status, 200, 'the session that changed it stays');
    assert.equal((await elsewhere.get('/api/me')).status, 401);
    assert.equal((await daemon.client().post('/api/login', { handle: 'lena', password: PASSWORD })).status, 401);
    await signIn(daemon, 'lena', 'another long password');
    here.close();
  } finally {
    await daemon.stop();
  }
});

test('the operator disabling a user or setting a password closes their sockets with 4001 within a second', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args]);
  try {
    const { lena, sam } = await people(daemon, { lena: 'learner', sam: 'learner' });
    const tabs = [await connect(daemon, lena), await connect(daemon, lena)];
    const bystander = await connect(daemon, sam);

    const disabled = await cli('user', 'disable', 'lena');
    assert.equal(disabled.code, 0, disabled.stderr);
    let since = Date.now();
    for (const tab of tabs) await closedWith(tab, SESSION_ENDED, since);
    await stillServed(bystander);
    assert.equal((await lena.get('/api/me')).status, 401);
    assert.equal((await daemon.client().post('/api/login', { handle: 'lena', password: PASSWORD })).status, 401);

    const enabled = await cli('user', 'enable', 'lena');
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.match(enabled.stdout, /Enabled lena/);
    const back = await signIn(daemon, 'lena');
    const socket = await connect(daemon, back);

    const unknown = await cliWithInput(['--data-dir', daemon.dataDir, 'user', 'passwd', 'nobody', '--password-stdin'], 'a new long password\n');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no user 'nobody'/);
    const tooShort = await cliWithInput(['--data-dir', daemon.dataDir, 'user', 'passwd', 'lena', '--password-stdin'], 'short\n');
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /at least 10 characters/);
    await stillServed(socket);
    const passwd = await cliWithInput(['--data-dir', daemon.dataDir, 'user', 'passwd', 'lena', '--password-stdin'], 'a new long password\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    since = Date.now();
    await closedWith(socket, SESSION_ENDED, since);
    await signIn(daemon, 'lena', 'a new long password');
    bystander.close();
  } finally {
    await daemon.stop();
  }
});

test('the operator changing a role or cohort closes the user\'s sockets with 4003; a new socket has the new rights', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args]);
  try {
    const { lena, mona } = await people(daemon, { lena: 'learner', mona: 'coach' });
    const learner = await connect(daemon, lena);
    const coach = await connect(daemon, mona);
    await ok(coach, 'subscribe', { topic: 'board:autumn/web-basics' });

    const badRole = await cli('user', 'role', 'lena', 'teacher');
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /A role is learner, coach, admin or partner, not 'teacher'/);
    const role = await cli('user', 'role', 'lena', 'coach');
    assert.equal(role.code, 0, role.stderr);
    let since = Date.now();
    const closed = await closedWith(learner, RIGHTS_CHANGED, since);
    assert.equal(closed.reason, 'rights changed');
    await stillServed(coach);
    const again = await openSocket(daemon, lena);
    const hello = await ok(again, 'hello');
    assert.equal(hello.user.role, 'coach');
    await ok(again, 'board.get', { cohort: 'autumn', track: 'web-basics' });

    // The coach moved to another cohort: the old board is no longer theirs.
    const badCohort = await cli('user', 'cohort', 'mona', 'bad\tname');
    assert.equal(badCohort.code, 2);
    assert.match(badCohort.stderr, /A cohort is 1 to 64 characters/);
    const unknown = await cli('user', 'cohort', 'mona', 'spring');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no cohort 'spring'/);
    assert.equal((await cli('cohort', 'add', 'spring')).code, 0);
    const cohort = await cli('user', 'cohort', 'mona', 'spring');
    assert.equal(cohort.code, 0, cohort.stderr);
    since = Date.now();
    await closedWith(coach, RIGHTS_CHANGED, since);
    const moved = await openSocket(daemon, mona);
    assert.equal((await ok(moved, 'hello')).user.cohort, 'spring');
    const refusedBoard = await call(moved, 'board.get', { cohort: 'autumn', track: 'web-basics' });
    assert.equal(refusedBoard.code, 'forbidden');
    await ok(moved, 'board.get', { cohort: 'spring', track: 'web-basics' });

    const show = await cli('user', 'show', 'mona');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /role: +coach/);
    assert.match(show.stdout, /cohort: +spring/);
    assert.match(show.stdout, /coaches: +spring\n/);
    assert.match(show.stdout, /sessions: 1 open/);
    const nobody = await cli('user', 'show', 'nobody');
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /There is no user 'nobody'/);
    again.close();
    moved.close();
  } finally {
    await daemon.stop();
  }
});

test('a revoked invite is refused; revoking twice, a used or an unknown invite says why', async () => {
  const daemon = await startDaemon();
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args]);
  try {
    await register(daemon, daemon.firstInvite, 'admin1');
    assert.equal((await cli('cohort', 'add', 'autumn')).code, 0);
    const made = await cli('invite', 'create', '--role', 'learner', '--cohort', 'autumn');
    assert.equal(made.code, 0, made.stderr);
    const link = made.stdout.trim();
    const code = link.split('/').pop();
    assert.equal((await daemon.client().get(`/api/invites/${code}`)).status, 200);

    const revoked = await cli('invite', 'revoke', link);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked the invite for a learner in cohort autumn/);
    const info = await daemon.client().get(`/api/invites/${code}`);
    assert.equal(info.status, 400);
    assert.equal(info.json.error.code, 'invite_invalid');
    assert.match(info.json.error.message, /withdrawn/);
    const join = await daemon.client().post('/api/register', { invite: code, handle: 'late', display_name: 'Late', password: PASSWORD });
    assert.equal(join.status, 400);
    assert.equal(join.json.error.code, 'invite_invalid');

    const twice = await cli('invite', 'revoke', code);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /revoked already/);
    const unknown = await cli('invite', 'revoke', 'no-such-code');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No invite has this code/);
    // Codes are base64url, so one may begin with '-': it is a code, not an option.
    const dashed = await cli('invite', 'revoke', '-no-such-code');
    assert.equal(dashed.code, 1, dashed.stderr);
    assert.match(dashed.stderr, /No invite has this code/);
    const used = await cli('invite', 'revoke', daemon.firstInvite);
    assert.equal(used.code, 1);
    assert.match(used.stderr, /used by admin1 already/);
    const list = await cli('invite', 'list');
    assert.match(list.stdout, /learner +autumn .* revoked/);
  } finally {
    await daemon.stop();
  }
});

test('the first-start link lasts at most 24 hours and is refused once an admin exists, however made', async () => {
  const daemon = await startDaemon();
  try {
    assert.match(daemon.stdout, /valid for 24 hours, and only until an admin account exists/);
    const info = await daemon.client().get(`/api/invites/${daemon.firstInvite}`);
    assert.equal(info.status, 200);
    assert.equal(info.json.role, 'admin');
    assert.ok(info.json.expires_at <= Date.now() + 24 * 60 * 60 * 1000, 'expires within 24 hours');
    assert.ok(info.json.expires_at > Date.now() + 23 * 60 * 60 * 1000);

    const added = await cliWithInput(['--data-dir', daemon.dataDir, 'user', 'add', 'root', '--role', 'admin', '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(added.code, 0, added.stderr);
    const refused = await daemon.client().get(`/api/invites/${daemon.firstInvite}`);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'invite_invalid');
    assert.match(refused.json.error.message, /an admin account exists/);
    const join = await daemon.client().post('/api/register', { invite: daemon.firstInvite, handle: 'mallory', display_name: 'M', password: PASSWORD });
    assert.equal(join.status, 400);
    assert.equal(join.json.error.code, 'invite_invalid');
    assert.equal(join.json.error.field, 'invite');
    assert.equal((await daemon.client().post('/api/login', { handle: 'mallory', password: PASSWORD })).status, 401);
  } finally {
    await daemon.stop();
  }
});
