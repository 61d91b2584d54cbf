// Several centres (docs/api.md, "Who may do what"; docs/operating.md,
// "Centres"), over the real daemon: a coach of one centre is refused the
// other centre's board (board.get and subscribe), learners (People page
// API, reset link), help requests and attention list, and CSV export, and
// allowed their own; the admin sees every centre with its figures; the
// operator's tool adds centres, lists them, puts cohorts and coaches in
// them and names an unknown centre's field; changing a coach's centres
// closes their sockets with 4003, from the operator's tool and over HTTP;
// an invite names a new coach's centre (a coach's own only); outcomes and
// their CSV per centre.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { GROUNDS_CLI, startDaemon, register, connect, openSocket, ok, refused, runCli } from '../lib/daemon.mjs';

const CONFIG = 'messages_per_second = 0\ndefault_centre = Centrum Noord\n';
const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';
const NOORD = 'Centrum Noord';
const ZUID = 'Zuid';
const RIGHTS_CHANGED = 4003;

// The operator's tool with input on stdin (a password).
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

async function trackLoaded(client) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${TRACK}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${TRACK} was never served`);
}

async function invited(daemon, admin, handle, role, cohort) {
  const invite = await admin.post('/api/invites', { role, cohort });
  assert.equal(invite.status, 201, invite.text);
  return register(daemon, invite.json.code, handle);
}

async function closedWithin(socket, code, ms = 3000) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());
  const closed = await Promise.race([socket.closed, timeout]);
  assert.ok(closed, `the socket was not closed within ${ms} ms`);
  assert.equal(closed.code, code, `closed with ${closed.code} ${closed.reason}`);
  return closed;
}

// Two centres, a cohort, a coach and a learner in each; each learner asked for help.
async function school(daemon) {
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args], 60000, { GROUNDS_CONFIG: '' });
  const admin = await register(daemon, daemon.firstInvite, 'admin1');
  const added = await cli('centre', 'add', ZUID, '--borough', 'Amsterdam-Zuid', '--address', 'Stadionplein 1');
  assert.equal(added.code, 0, added.stderr);
  const unnamed = await admin.post('/api/cohorts', { name: 'autumn' });
  assert.equal(unnamed.status, 400, 'with two centres a cohort names its centre');
  assert.equal(unnamed.json.error.field, 'centre');
  const unknown = await admin.post('/api/cohorts', { name: 'autumn', centre: 'Nowhere' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.field, 'centre');
  assert.match(unknown.json.error.message, /no centre 'Nowhere'/);
  assert.equal((await admin.post('/api/cohorts', { name: 'autumn', centre: NOORD })).status, 201);
  const viaCli = await cli('cohort', 'add', 'spring', '--centre', ZUID);
  assert.equal(viaCli.code, 0, viaCli.stderr);
  assert.match(viaCli.stdout, /Added the cohort spring to the centre Zuid/);
  const people = {
    admin,
    mona: await invited(daemon, admin, 'mona', 'coach', 'autumn'),
    carl: await invited(daemon, admin, 'carl', 'coach', 'spring'),
    lena: await invited(daemon, admin, 'lena', 'learner', 'autumn'),
    lars: await invited(daemon, admin, 'lars', 'learner', 'spring'),
  };
  await trackLoaded(admin);
  const help = {};
  for (const handle of ['lena', 'lars']) {
    const socket = await connect(daemon, people[handle]);
    await ok(socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    help[handle] = (await ok(socket, 'help.ask', { track: TRACK, step: LESSON, body: `${handle} is stuck` })).request.request;
    socket.close();
    await socket.closed;
  }
  return { cli, people, help };
}

test("a coach of one centre is refused the other centre's board, learners, help and export, and allowed their own", async () => {
  const daemon = await startDaemon({ config: CONFIG });
  const sockets = [];
  try {
    const { people, help } = await school(daemon);
    const mona = await connect(daemon, people.mona);
    sockets.push(mona);

    // Boards, over the websocket.
    await ok(mona, 'board.get', { cohort: 'autumn', track: TRACK });
    await refused(mona, 'board.get', { cohort: 'spring', track: TRACK }, 'forbidden');
    await ok(mona, 'subscribe', { topic: `board:autumn/${TRACK}` });
    await refused(mona, 'subscribe', { topic: `board:spring/${TRACK}` }, 'forbidden');

    // Help requests and the attention lists of her home.
    const own = await ok(mona, 'help.get', { request: help.lena });
    assert.equal(own.request.user.handle, 'lena');
    await refused(mona, 'help.get', { request: help.lars }, 'forbidden');
    const home = await ok(mona, 'home.attention');
    assert.deepEqual(home.cohorts.map((c) => c.cohort), ['autumn']);

    // Learners: the People page's API and reset links.
    const users = await people.mona.get('/api/users?q=l');
    assert.equal(users.status, 200, users.text);
    assert.deepEqual(users.json.users.map((u) => u.handle), ['lena']);
    assert.equal((await people.mona.post('/api/users/lena/reset', {})).status, 201);
    const reset = await people.mona.post('/api/users/lars/reset', {});
    assert.equal(reset.status, 403, reset.text);
    assert.equal(reset.json.error.code, 'forbidden');
    const cohorts = await people.mona.get('/api/cohorts');
    assert.deepEqual(cohorts.json.cohorts.map((c) => [c.name, c.centre]), [['autumn', NOORD]]);

    // The CSV export over HTTP.
    const csv = await people.mona.get(`/api/board.csv?cohort=autumn&track=${TRACK}`);
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.text, /lena/);
    assert.doesNotMatch(csv.text, /lars/);
    const other = await people.mona.get(`/api/board.csv?cohort=spring&track=${TRACK}`);
    assert.equal(other.status, 403);

    // The other way round, for carl of Zuid.
    const carl = await connect(daemon, people.carl);
    sockets.push(carl);
    await ok(carl, 'board.get', { cohort: 'spring', track: TRACK });
    await refused(carl, 'board.get', { cohort: 'autumn', track: TRACK }, 'forbidden');
    await refused(carl, 'help.get', { request: help.lena }, 'forbidden');
    assert.equal((await people.carl.get(`/api/board.csv?cohort=autumn&track=${TRACK}`)).status, 403);

    // Coaches do not see the centres' figures; the admin sees every centre.
    assert.equal((await people.mona.get('/api/centres')).status, 403);
    const admin = await connect(daemon, people.admin);
    sockets.push(admin);
    await ok(admin, 'board.get', { cohort: 'spring', track: TRACK });
    await ok(admin, 'board.get', { cohort: 'autumn', track: TRACK });
  } finally {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test("the admin's figures per centre, the operator's centre commands, and a coach's centres changed closing their sockets with 4003", async () => {
  const daemon = await startDaemon({ config: CONFIG });
  const sockets = [];
  try {
    const { cli, people } = await school(daemon);
    const centres = await people.admin.get('/api/centres');
    assert.equal(centres.status, 200, centres.text);
    const byName = Object.fromEntries(centres.json.centres.map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(byName), [NOORD, ZUID], 'the default centre got its name from the setting');
    assert.equal(byName[ZUID].borough, 'Amsterdam-Zuid');
    assert.equal(byName[ZUID].address, 'Stadionplein 1');
    for (const name of [NOORD, ZUID]) {
      const { cohorts, learners, coaches, active_7d: active, passed_30d: passed } = byName[name];
      assert.deepEqual({ cohorts, learners, coaches, active, passed }, { cohorts: 1, learners: 1, coaches: 1, active: 1, passed: 0 }, name);
    }
    const added = await people.admin.post('/api/centres', { name: 'West', borough: 'x'.repeat(65) });
    assert.equal(added.status, 400);
    assert.equal(added.json.error.field, 'borough');
    assert.equal((await people.admin.post('/api/centres', { name: ZUID })).status, 409);

    const list = await cli('centre', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Centrum Noord +1 +1 +1 /m);
    assert.match(list.stdout, /^Zuid +1 +1 +1 +Amsterdam-Zuid +Stadionplein 1$/m);
    const cohortList = await cli('cohort', 'list');
    assert.match(cohortList.stdout, /^spring +1 +1 .* Zuid$/m);

    // Unknown centres and wrong people are named, and change nothing.
    const noCentre = await cli('cohort', 'add', 'winter', '--centre', 'Nowhere');
    assert.equal(noCentre.code, 1);
    assert.match(noCentre.stderr, /--centre: There is no centre 'Nowhere'/);
    const learner = await cli('user', 'centre', 'lena', ZUID);
    assert.equal(learner.code, 1);
    assert.match(learner.stderr, /lena is not a coach/);
    const unknown = await cli('user', 'centre', 'mona', 'Nowhere');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no centre 'Nowhere'/);
    const args = ['--data-dir', daemon.dataDir, 'user', 'add', 'nina', '--role', 'coach', '--password-stdin'];
    const mismatch = await cliWithInput([...args, '--cohort', 'autumn', '--centre', ZUID], 'correct horse battery\n');
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /--cohort: the cohort autumn is in the centre Centrum Noord, not in Zuid/);
    const strange = await cliWithInput([...args, '--centre', 'Nowhere'], 'correct horse battery\n');
    assert.equal(strange.code, 1);
    assert.match(strange.stderr, /--centre: There is no centre 'Nowhere'/);
    const nina = await cliWithInput([...args, '--centre', ZUID], 'correct horse battery\n');
    assert.equal(nina.code, 0, nina.stderr);
    const shown = await cli('user', 'show', 'nina');
    assert.match(shown.stdout, /centres: +Zuid\n/);

    // Mona is moved from Noord to Zuid while her board is open.
    const mona = await connect(daemon, people.mona);
    sockets.push(mona);
    await ok(mona, 'subscribe', { topic: `board:autumn/${TRACK}` });
    const moved = await cli('user', 'centre', 'mona', ZUID);
    assert.equal(moved.code, 0, moved.stderr);
    const closed = await closedWithin(mona, RIGHTS_CHANGED);
    assert.equal(closed.reason, 'rights changed');
    const again = await openSocket(daemon, people.mona);
    sockets.push(again);
    await ok(again, 'hello');
    await refused(again, 'board.get', { cohort: 'autumn', track: TRACK }, 'forbidden');
    assert.equal((await people.mona.post('/api/users/lena/reset', {})).status, 403);
    assert.deepEqual((await people.mona.get('/api/cohorts')).json.cohorts, []);
    const show = await cli('user', 'show', 'mona');
    assert.match(show.stdout, /coaches: +\(no cohort\)\ncentres: +Zuid\n/);

    // Given Zuid's cohort, she coaches it.
    assert.equal((await cli('user', 'cohort', 'mona', 'spring')).code, 0);
    await closedWithin(again, RIGHTS_CHANGED);
    const third = await connect(daemon, people.mona);
    sockets.push(third);
    await ok(third, 'board.get', { cohort: 'spring', track: TRACK });
  } finally {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test("an invite names a new coach's centre: the operator's --centre, a coach's own centres only, a learner's centre from the cohort", async () => {
  const daemon = await startDaemon({ config: CONFIG });
  try {
    const { cli, people } = await school(daemon);
    const help = await cli('--help');
    assert.match(help.stdout, /invite create --role ROLE \[--cohort C\] \[--centre CENTRE\]/);
    assert.match(help.stdout, /an invite for a learner takes\s+its\s+centre from its --cohort/);

    // The operator invites a coach to Zuid: who joins belongs to Zuid.
    const made = await cli('invite', 'create', '--role', 'coach', '--centre', ZUID);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /One-time invite for a coach in centre Zuid/);
    const code = made.stdout.trim().split('/join/')[1];
    assert.equal((await daemon.client().get(`/api/invites/${code}`)).json.centre, ZUID);
    const zoe = await register(daemon, code, 'zoe');
    assert.deepEqual((await zoe.get('/api/me')).json.centres, [ZUID]);
    assert.match((await cli('user', 'show', 'zoe')).stdout, /centres: +Zuid\n/);
    assert.match((await cli('invite', 'list')).stdout, /coach +- +Zuid +\(operator\) +used by zoe/);

    // A learner's centre is their cohort's: another is an error naming the field.
    const wrong = await cli('invite', 'create', '--role', 'learner', '--cohort', 'autumn', '--centre', ZUID);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--centre: The cohort autumn is in the centre Centrum Noord, not in Zuid\./);
    const same = await cli('invite', 'create', '--role', 'learner', '--cohort', 'autumn', '--centre', NOORD);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /in centre/);
    const noCohort = await cli('invite', 'create', '--role', 'learner', '--centre', NOORD);
    assert.equal(noCohort.code, 1);
    assert.match(noCohort.stderr, /--centre: A learner belongs to the centre of their cohort/);
    const admin = await cli('invite', 'create', '--role', 'admin', '--centre', NOORD);
    assert.match(admin.stderr, /--centre: An admin belongs to every centre/);
    const nowhere = await cli('invite', 'create', '--role', 'coach', '--centre', 'Nowhere');
    assert.match(nowhere.stderr, /--centre: There is no centre 'Nowhere'/);

    // mona (Noord) invites a coach to Noord, never to Zuid; carl (Zuid) the other way round.
    const refused = await people.mona.post('/api/invites', { role: 'coach', centre: ZUID });
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual([refused.json.error.code, refused.json.error.reason, refused.json.error.field], ['forbidden', 'not_your_centre', 'centre']);
    const noCentre = await people.mona.post('/api/invites', { role: 'coach' });
    assert.deepEqual([noCentre.status, noCentre.json.error.code, noCentre.json.error.reason], [403, 'forbidden', undefined]);
    assert.match(noCentre.json.error.message, /name the centre/);
    assert.equal((await people.mona.post('/api/invites', { role: 'coach', centre: NOORD, cohort: 'spring' })).status, 403);
    assert.equal((await people.mona.post('/api/invites', { role: 'admin' })).status, 403);
    assert.deepEqual((await people.mona.get('/api/me')).json.centres, [NOORD]);
    const hers = await people.mona.post('/api/invites', { role: 'coach', centre: NOORD, cohort: 'autumn' });
    assert.equal(hers.status, 201, hers.text);
    assert.deepEqual([hers.json.role, hers.json.cohort, hers.json.centre], ['coach', 'autumn', NOORD]);
    const nora = await register(daemon, hers.json.code, 'nora');
    assert.deepEqual((await nora.get('/api/me')).json.centres, [NOORD]);
    assert.deepEqual((await nora.get('/api/cohorts')).json.cohorts.map((c) => c.name), ['autumn']);
    assert.equal((await people.carl.post('/api/invites', { role: 'coach', centre: NOORD })).json.error.reason, 'not_your_centre');
    const listed = (await people.admin.get('/api/invites')).json.invites;
    assert.equal(listed.find((i) => i.used_by === 'nora').centre, NOORD);

    // Over HTTP as on the command line: a learner's centre that is not the cohort's names the field.
    const mismatch = await people.admin.post('/api/invites', { role: 'learner', cohort: 'spring', centre: NOORD });
    assert.deepEqual([mismatch.status, mismatch.json.error.field], [400, 'centre']);
    const unknown = await people.admin.post('/api/invites', { role: 'coach', centre: 'Nowhere' });
    assert.deepEqual([unknown.status, unknown.json.error.field], [400, 'centre']);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test("an admin changes a coach's centres over HTTP: their sockets close with 4003, refusals name the field", async () => {
  const daemon = await startDaemon({ config: CONFIG });
  const sockets = [];
  try {
    const { people } = await school(daemon);
    const users = (await people.admin.get('/api/users?q=')).json.users;
    assert.deepEqual(users.find((u) => u.handle === 'carl').centres, [ZUID]);
    assert.equal(users.find((u) => u.handle === 'lena').centres, undefined, 'a learner has no centres of their own');

    const carl = await connect(daemon, people.carl);
    sockets.push(carl);
    await ok(carl, 'board.get', { cohort: 'spring', track: TRACK });
    const changed = await people.admin.post('/api/users/carl/centres', { centres: [ZUID, NOORD] });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.json.centres, [NOORD, ZUID]);
    const closed = await closedWithin(carl, RIGHTS_CHANGED);
    assert.equal(closed.reason, 'rights changed');
    assert.deepEqual((await people.carl.get('/api/me')).json.centres, [NOORD, ZUID]);

    // Out of Zuid: spring is no longer his.
    const moved = await people.admin.post('/api/users/carl/centres', { centres: [NOORD] });
    assert.equal(moved.status, 200, moved.text);
    const again = await connect(daemon, people.carl);
    sockets.push(again);
    await refused(again, 'board.get', { cohort: 'spring', track: TRACK }, 'forbidden');
    assert.deepEqual((await people.carl.get('/api/cohorts')).json.cohorts, []);

    // Refusals, each changing nothing.
    for (const [body, field, pattern] of [
      [{ centres: [] }, 'centres', /one centre or more/],
      [{ centres: 'Zuid' }, 'centres', /one centre or more/],
      [{ centres: [7] }, 'centres', /names of centres only/],
      [{ centres: ['Nowhere'] }, 'centres', /no centre 'Nowhere'/],
    ]) {
      const answer = await people.admin.post('/api/users/carl/centres', body);
      assert.deepEqual([answer.status, answer.json.error.code, answer.json.error.field], [400, 'bad_value', field], answer.text);
      assert.match(answer.json.error.message, pattern);
    }
    const learner = await people.admin.post('/api/users/lena/centres', { centres: [NOORD] });
    assert.deepEqual([learner.status, learner.json.error.field], [400, 'centres']);
    assert.match(learner.json.error.message, /lena is not a coach/);
    assert.equal((await people.admin.post('/api/users/nobody/centres', { centres: [NOORD] })).status, 404);
    assert.equal((await people.mona.post('/api/users/carl/centres', { centres: [NOORD, ZUID] })).status, 403);
    assert.deepEqual((await people.carl.get('/api/me')).json.centres, [NOORD]);
  } finally {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('outcomes per centre: each centre with its cohorts, a coach only their centres and cohorts; the CSV of a centre', async () => {
  const daemon = await startDaemon({ config: CONFIG });
  try {
    const { people } = await school(daemon);
    const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
    assert.equal((await people.mona.post('/api/outcomes', { user: 'lena', kind: 'job', date: day(12) })).status, 201);
    assert.equal((await people.carl.post('/api/outcomes', { user: 'lars', kind: 'study', date: day(30), note: 'MBO, "ICT".' })).status, 201);
    const none = { count: 0, median_days: null };
    const noord = {
      centre: NOORD, cohorts: ['autumn'], learners: 1, reached: 1, median_days: 12,
      outcomes: { job: { count: 1, median_days: 12 }, internship: none, study: none, stopped: none },
    };
    const zuid = {
      centre: ZUID, cohorts: ['spring'], learners: 1, reached: 1, median_days: 30,
      outcomes: { job: none, internship: none, study: { count: 1, median_days: 30 }, stopped: none },
    };
    const all = (await people.admin.get('/api/outcomes')).json;
    assert.deepEqual(all.centres, [noord, zuid]);
    assert.deepEqual(all.cohorts.map((c) => [c.cohort, c.centre, c.reached]), [['autumn', NOORD, 1], ['spring', ZUID, 1]]);
    const mona = (await people.mona.get('/api/outcomes')).json;
    assert.deepEqual(mona.centres, [noord], 'a coach sees their own centre only');
    assert.deepEqual(mona.cohorts.map((c) => c.cohort), ['autumn']);
    assert.deepEqual((await people.carl.get('/api/outcomes')).json.centres, [zuid]);

    // The CSV of a centre: an admin's any, a coach's their own; named by the centre.
    const csv = await people.admin.get(`/api/outcomes.csv?centre=${encodeURIComponent(ZUID)}`);
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.headers['content-disposition'], /filename="outcomes-Zuid\.csv"/);
    const lines = csv.text.split('\r\n');
    assert.equal(lines[0], 'handle,display_name,cohort,joined_on,outcome,reached_on,days,note');
    assert.deepEqual(lines.slice(1), [`lars,lars,spring,${day(0)},study,${day(30)},30,"MBO, ""ICT""."`, '']);
    const own = await people.mona.get(`/api/outcomes.csv?centre=${encodeURIComponent(NOORD)}`);
    assert.equal(own.status, 200);
    assert.match(own.headers['content-disposition'], /filename="outcomes-Centrum_Noord\.csv"/);
    assert.match(own.text, /\r\nlena,lena,autumn,/);
    assert.doesNotMatch(own.text, /lars/);
    const other = await people.mona.get(`/api/outcomes.csv?centre=${encodeURIComponent(ZUID)}`);
    assert.deepEqual([other.status, other.json.error.reason, other.json.error.field], [403, 'not_your_centre', 'centre']);
    const unknown = await people.admin.get('/api/outcomes.csv?centre=Nowhere');
    assert.deepEqual([unknown.status, unknown.json.error.field], [400, 'centre']);
    assert.equal((await people.admin.get('/api/outcomes.csv?centre=Zuid&cohort=spring')).status, 400);
    assert.equal((await people.lena.get(`/api/outcomes.csv?centre=${encodeURIComponent(NOORD)}`)).status, 403);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
