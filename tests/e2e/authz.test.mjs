// Who may do what (docs/api.md, "Who may do what"): this test reads the
// table from the docs and walks every cell over real HTTP and websockets,
// failing on any answer that differs. The docs table is the one place the
// expected answers live; RECIPES below says how to make each request. A new
// endpoint or message type must get a row there and a recipe here: a route
// of the daemon (net/api.c's routes, protocol/protocol.c's types) without a
// row, a row without a recipe, or a recipe without a row fails the test.
//
// The actors: lena (a learner of autumn: the cohort, and the owner of the
// things asked about), lars (a learner of spring), mona (coaches autumn),
// carl (coaches spring), admin1, pia (a partner with one open project,
// open to autumn, on which rita's team handed in), dora (a learner of autumn disabled by the
// operator's tool while her sockets are open), a second session of lena's
// that signed out while its sockets were open, and someone signed out.
//
// Set AUTHZ_PRINT=1 to print the table as walked (to update the docs after
// a deliberate change: read every changed cell before pasting it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { startDaemon, openSocket, register, ok, call, runCli, nextRequestId, connect } from '../lib/daemon.mjs';

const COLUMNS = ['signed-out', 'learner', 'other learner', 'coach', 'other coach', 'admin', 'partner', 'disabled', 'signed-out socket'];
// The owner of what is asked about goes last, so a change they may make
// (declining their review, withdrawing their help request) does not decide
// the others' answers.
const ORDER = ['signed-out', 'other learner', 'coach', 'other coach', 'admin', 'partner', 'disabled', 'signed-out socket', 'learner'];
const PASSWORD = 'correct horse battery';
const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';
const PROJECT = 'project';
const PREREQUISITES = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];
const HELP_TRACK = 'learning-to-learn';
const HELP_STEP = 'welcome';

// ---- how to make each request -------------------------------------------

const APPLICATION = { name: 'Amal Haddad', phone: '+31 6 1234 5678', motivation: 'I want to learn to build websites.', when: 'Mornings', centre: 'Main centre' };
// A new application (sent without an account); resolves its id.
async function applied(ctx) {
  const sent = await ctx.daemon.client().post('/api/apply', APPLICATION);
  assert.equal(sent.status, 201, sent.text);
  return sent.json.id;
}

// The actor's cookie in a client of its own: a sign-in or join through it
// must not replace the actor's session.
function as(actor, ctx) {
  const client = ctx.daemon.client();
  client.cookie = actor.http.cookie;
  return client;
}

const BRIEF = {
  title: 'A site for the bakery', summary: 'Two pages for a bakery around the corner.',
  brief_md: '# The bakery\n\nMake **two pages**: the bread, and where to find us.',
  team_size: 2, checklist: ['Both pages load', 'Every picture has an alt text'], centre: 'Main centre',
};
// A fresh project of pia's, brought to state (draft, proposed or open); resolves its id.
async function project(ctx, state) {
  const made = await ctx.pia.post('/api/projects', BRIEF);
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  if (state === 'draft') return id;
  assert.equal((await ctx.pia.post(`/api/projects/${id}/propose`, {})).status, 200);
  if (state === 'proposed') return id;
  const approved = await ctx.admin.http.post(`/api/projects/${id}/approve`, {});
  assert.equal(approved.status, 200, approved.text);
  assert.equal((await ctx.admin.http.post(`/api/projects/${id}/open`, { cohort: 'autumn' })).status, 200);
  return id;
}

// HTTP: (actor, ctx) → the response. The answer is "ok" for 2xx, else the error code.
const HTTP = {
  'GET /healthz': (a) => a.http.get('/healthz'),
  // From loopback, which metrics_allow lets in by default; the refusal of
  // other addresses is operating.test.mjs's.
  'GET /metrics': (a) => a.http.get('/metrics'),
  'GET /ws (upgrade)': async (a, ctx) => {
    try {
      const socket = await openSocket(ctx.daemon, a.http);
      socket.close();
      return { status: 101 };
    } catch (error) {
      return { status: error.status, json: { error: { code: error.status === 403 ? 'refused' : String(error.status) } } };
    }
  },
  'POST /api/register': async (a, ctx) => {
    const invite = await ctx.admin.http.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    return as(a, ctx).post('/api/register', { invite: invite.json.code, handle: `new-${ctx.serial++}`, display_name: 'New', password: PASSWORD });
  },
  'POST /api/login': (a, ctx) => as(a, ctx).post('/api/login', { handle: a.handle || 'lena', password: PASSWORD }),
  'POST /api/logout': async (a, ctx) => {
    if (!a.handle || a.name === 'disabled') return as(a, ctx).post('/api/logout', {});
    const extra = ctx.daemon.client();
    await extra.post('/api/login', { handle: a.handle, password: PASSWORD });
    return extra.post('/api/logout', {});
  },
  'GET /api/me': (a) => a.http.get('/api/me'),
  'POST /api/password': (a) => a.http.post('/api/password', { current_password: PASSWORD, new_password: PASSWORD }),
  'GET /api/invites/CODE': async (a, ctx) => {
    const invite = await ctx.admin.http.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    return a.http.get(`/api/invites/${invite.json.code}`);
  },
  'POST /api/invites': (a) => a.http.post('/api/invites', { role: 'learner', cohort: 'autumn' }),
  'GET /api/tracks': (a) => a.http.get('/api/tracks'),
  'GET /api/tracks/ID': (a) => a.http.get(`/api/tracks/${TRACK}`),
  'GET /api/tracks/ID/steps/STEP': (a) => a.http.get(`/api/tracks/${TRACK}/steps/${LESSON}`),
  'GET /t/ID/COMMIT/PATH': (a, ctx) => a.http.get(`/t/${TRACK}/${ctx.commit}/images/page-anatomy.svg`),
  'GET /api/board.csv': (a) => a.http.get(`/api/board.csv?cohort=autumn&track=${TRACK}`),
  // Portfolios: each their own; lena shows her passed project; a fresh link of hers for the public page.
  'GET /api/portfolio': (a) => a.http.get('/api/portfolio'),
  'POST /api/portfolio/show': (a, ctx) => a.http.post('/api/portfolio/show', { submission: ctx.lenaSubmission, shown: true }),
  'POST /api/portfolio/share': (a) => a.http.post('/api/portfolio/share', {}),
  'POST /api/portfolio/revoke': (a) => a.http.post('/api/portfolio/revoke', {}),
  'GET /api/portfolio/public/TOKEN': async (a, ctx) => {
    const link = await ctx.lenaHttp.post('/api/portfolio/share', {});
    return a.http.get(`/api/portfolio/public/${link.json.token}`);
  },
  // Outcomes of rita, a learner of autumn.
  'POST /api/outcomes': (a) => a.http.post('/api/outcomes', { user: 'rita', kind: 'job', date: '2026-12-01', note: 'Helpdesk.' }),
  'GET /api/outcomes': (a) => a.http.get('/api/outcomes'),
  'GET /api/outcomes.csv': (a) => a.http.get('/api/outcomes.csv?cohort=autumn'),
  // Accounts that recover: one's own profile and sessions, reset links (for
  // rita, a learner of autumn who is no actor), the admin's users (rita,
  // and rosa to disable), cohorts and invites.
  'POST /api/profile': (a) => a.http.post('/api/profile', { language: 'en' }),
  'GET /api/sessions': (a) => a.http.get('/api/sessions'),
  'POST /api/sessions/end-others': (a) => a.http.post('/api/sessions/end-others', {}),
  'GET /api/reset/TOKEN': async (a, ctx) => {
    const link = await ctx.admin.http.post('/api/users/rita/reset', {});
    return a.http.get(`/api/reset/${link.json.url.split('/reset/')[1]}`);
  },
  'POST /api/reset': async (a, ctx) => {
    const link = await ctx.admin.http.post('/api/users/rita/reset', {});
    return as(a, ctx).post('/api/reset', { token: link.json.url.split('/reset/')[1], password: PASSWORD });
  },
  'GET /api/users': (a) => a.http.get('/api/users?q=r'),
  'POST /api/users/HANDLE/reset': (a) => a.http.post('/api/users/lena/reset', {}),
  'POST /api/users/HANDLE/role': (a) => a.http.post('/api/users/rita/role', { role: 'learner' }),
  'POST /api/users/HANDLE/cohort': (a) => a.http.post('/api/users/rita/cohort', { cohort: 'autumn' }),
  'POST /api/users/HANDLE/disable': (a) => a.http.post('/api/users/rosa/disable', {}),
  'POST /api/users/HANDLE/enable': (a) => a.http.post('/api/users/rosa/enable', {}),
  'GET /api/cohorts': (a) => a.http.get('/api/cohorts'),
  'POST /api/cohorts': (a, ctx) => a.http.post('/api/cohorts', { name: `cohort-${ctx.serial++}`, centre: 'Main centre' }),
  'GET /api/centres': (a) => a.http.get('/api/centres'),
  'POST /api/centres': (a, ctx) => a.http.post('/api/centres', { name: `centre-${ctx.serial++}` }),
  // Applying needs no account; a fresh application for each decision.
  'GET /api/apply': (a) => a.http.get('/api/apply'),
  'POST /api/apply': (a) => a.http.post('/api/apply', APPLICATION),
  'GET /api/apply/TOKEN': async (a, ctx) => {
    const sent = await ctx.daemon.client().post('/api/apply', APPLICATION);
    return a.http.get(`/api/apply/${sent.json.token}`);
  },
  'GET /api/applications': (a) => a.http.get('/api/applications'),
  'POST /api/applications/ID/invite': async (a, ctx) => a.http.post(`/api/applications/${await applied(ctx)}/invite`, { cohort: 'autumn' }),
  'POST /api/applications/ID/wait': async (a, ctx) => a.http.post(`/api/applications/${await applied(ctx)}/wait`, {}),
  'POST /api/applications/ID/decline': async (a, ctx) => a.http.post(`/api/applications/${await applied(ctx)}/decline`, { message: 'Thank you; we are full this season.' }),
  // Partner projects: pia's open project (open to autumn), fresh ones for
  // each move; lena makes a team, leaves it, and joins rita's, which handed in.
  'GET /api/projects': (a) => a.http.get('/api/projects'),
  'POST /api/projects': (a) => a.http.post('/api/projects', BRIEF),
  'GET /api/projects/ID': (a, ctx) => a.http.get(`/api/projects/${ctx.project}`),
  'POST /api/projects/ID': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'draft')}`, { ...BRIEF, title: 'A better title' }),
  'POST /api/projects/ID/propose': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'draft')}/propose`, {}),
  'POST /api/projects/ID/return': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'proposed')}/return`, { note: 'Say who the users are.' }),
  'POST /api/projects/ID/approve': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'proposed')}/approve`, {}),
  'POST /api/projects/ID/open': (a, ctx) => a.http.post(`/api/projects/${ctx.project}/open`, { cohort: 'autumn' }),
  'POST /api/projects/ID/unopen': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'open')}/unopen`, { cohort: 'autumn' }),
  'POST /api/projects/ID/close': async (a, ctx) => a.http.post(`/api/projects/${await project(ctx, 'open')}/close`, {}),
  'POST /api/projects/ID/teams': (a, ctx) => a.http.post(`/api/projects/${ctx.project}/teams`, { name: `team-${ctx.serial++}` }),
  'POST /api/teams/ID/leave': async (a, ctx) => {
    const mine = (await a.http.get('/api/projects')).json?.mine?.[ctx.project];
    return a.http.post(`/api/teams/${mine || ctx.ritaTeam}/leave`, {});
  },
  'POST /api/teams/ID/join': (a, ctx) => a.http.post(`/api/teams/${ctx.ritaTeam}/join`, {}),
  'POST /api/projects/feedback': (a, ctx) => a.http.post('/api/projects/feedback', { submission: ctx.teamSubmission, body: 'A good start.' }),
  'GET /api/invites': (a) => a.http.get('/api/invites'),
  'POST /api/invites/ID/revoke': async (a, ctx) => {
    await ctx.admin.http.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    const listed = await ctx.admin.http.get('/api/invites');
    return a.http.post(`/api/invites/${listed.json.invites[0].id}/revoke`, {});
  },
};

// Websocket: (ctx, actor) → [type, fields]; before(ctx, actor) runs first when given.
const WS = {
  ping: () => ['ping', {}],
  hello: () => ['hello', {}],
  'progress.set': () => ['progress.set', { track: TRACK, step: LESSON, state: 'started' }],
  'submission.create': () => ['submission.create', { track: 'command-line-basics', step: 'tidy-up', body_md: 'x' }],
  'subscribe board:COHORT/TRACK': () => ['subscribe', { topic: `board:autumn/${TRACK}` }],
  'subscribe room:TRACK/STEP': () => ['subscribe', { topic: `room:${TRACK}/${LESSON}` }],
  'subscribe track:TRACK': () => ['subscribe', { topic: `track:${TRACK}` }],
  unsubscribe: {
    before: (ctx, a) => call(a.socket, 'subscribe', { topic: `track:${HELP_TRACK}` }),
    make: () => ['unsubscribe', { topic: `track:${HELP_TRACK}` }],
  },
  'markdown.preview': () => ['markdown.preview', { body_md: '# x' }],
  'review.list': () => ['review.list', {}],
  'review.get': (ctx) => ['review.get', { assignment: ctx.assignments[0] }],
  'submission.get': () => ['submission.get', { track: TRACK, step: PROJECT }],
  'review.submit': (ctx) => ['review.submit', { assignment: ctx.assignments[0], verdict: 'pass', checks: ctx.checks, comment_md: 'Good.' }],
  'review.decline': (ctx) => ['review.decline', { assignment: ctx.assignments[1] }],
  'review.rate': (ctx) => ['review.rate', { review: ctx.reviews[0], helpfulness: 3 }],
  'review.flag': (ctx) => ['review.flag', { review: ctx.reviews[1], reason: 'Unkind.' }],
  'review.pull': () => ['review.pull', {}],
  'review.coach_list': () => ['review.coach_list', { cohort: 'autumn', track: TRACK }],
  'review.coach': (ctx) => ['review.coach', { submission: ctx.submission, action: 'extend' }],
  'flag.resolve': (ctx) => ['flag.resolve', { review: ctx.reviews[1], action: 'dismiss' }],
  'board.get': () => ['board.get', { cohort: 'autumn', track: TRACK }],
  'nudge.send': () => ['nudge.send', { user: 'lena', body: 'Come and see me.' }],
  'nudge.read': (ctx) => ['nudge.read', { nudge: ctx.nudge }],
  'help.accept': (ctx) => ['help.accept', { request: ctx.help }],
  'help.get': (ctx) => ['help.get', { request: ctx.help }],
  'help.message': (ctx) => ['help.message', { request: ctx.help, body: 'Hello?' }],
  'help.resolve': (ctx) => ['help.resolve', { request: ctx.help }],
  'help.withdraw': {
    // The owner's request was resolved the row before: she asks again, and withdraws that one.
    before: async (ctx, a) => {
      if (a.name !== 'learner') return;
      ctx.help = (await ok(a.socket, 'help.ask', { track: HELP_TRACK, step: HELP_STEP, body: 'Again.' })).request.request;
    },
    make: (ctx) => ['help.withdraw', { request: ctx.help }],
  },
  // After the withdrawal: one open request at a time.
  'help.ask': {
    before: (ctx, a) => call(a.socket, 'progress.set', { track: HELP_TRACK, step: 'your-own-pace', state: 'started' }),
    make: () => ['help.ask', { track: HELP_TRACK, step: 'your-own-pace', body: 'Stuck.' }],
  },
  'help.list': () => ['help.list', {}],
  // lena's project passed (lise and liv passed it): she shares it last in
  // its row, so the thanks after it are asked of shared work.
  'submission.share': (ctx) => ['submission.share', { submission: ctx.lenaSubmission, share: 'anonymous' }],
  'submission.thank': (ctx) => ['submission.thank', { submission: ctx.lenaSubmission }],
  'peers.list': () => ['peers.list', { track: TRACK, step: PROJECT }],
  // Each caller about their own progress: a lesson done (learners) or started (the rest).
  'progress.undo': () => ['progress.undo', { track: TRACK, step: LESSON }],
  'notification.list': () => ['notification.list', {}],
  // Lena's notification (a review assigned to her).
  'notification.read': (ctx) => ['notification.read', { notification: ctx.notification }],
  'home.attention': () => ['home.attention', {}],
  'reflection.list': () => ['reflection.list', { cohort: 'autumn', track: TRACK }],
  'reflection.comment': (ctx) => ['reflection.comment', { submission: ctx.lenaSubmission, body: 'Well observed.' }],
};

// ---- the table in the docs ------------------------------------------------

async function docsTable() {
  const text = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const section = text.split('\n## Who may do what')[1];
  assert.ok(section, 'docs/api.md has a section "Who may do what"');
  const lines = section.split('\n## ')[0].split('\n').filter((line) => line.startsWith('|'));
  const header = lines[0].split('|').slice(2, -1).map((cell) => cell.trim());
  assert.deepEqual(header, COLUMNS, 'the table\'s columns');
  const rows = new Map();
  for (const line of lines.slice(2)) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', ''));
    assert.equal(cells.length, COLUMNS.length + 1, `a row of ${COLUMNS.length + 1} cells: ${line}`);
    assert.ok(!rows.has(cells[0]), `one row for ${cells[0]}`);
    rows.set(cells[0], Object.fromEntries(COLUMNS.map((column, i) => [column, cells[i + 1]])));
  }
  return rows;
}

// The daemon's own lists: every HTTP route and every message type it knows.
async function daemonRoutes() {
  const api = await readFile(new URL('../../daemon/net/api.c', import.meta.url), 'utf8');
  const protocol = await readFile(new URL('../../daemon/protocol/protocol.c', import.meta.url), 'utf8');
  const routes = [...api.matchAll(/\{ "(GET|POST|PUT|PATCH|DELETE)", "([^"]+)", (?:handle|api)_\w+ \}/g)].map((m) => [m[1], m[2]]);
  const types = [...protocol.matchAll(/\{ "([a-z.]+)", GR_REQUEST_\w+,/g)].map((m) => m[1]);
  assert.ok(routes.length >= 10 && types.length >= 20, 'the route and type tables were found');
  return { routes, types };
}

// ---- the world the table speaks of -----------------------------------------

async function invited(ctx, handle, role, cohort) {
  const invite = await ctx.admin.http.post('/api/invites', { role, cohort });
  assert.equal(invite.status, 201, invite.text);
  return register(ctx.daemon, invite.json.code, handle, PASSWORD);
}

async function finishPrerequisites(socket) {
  for (const step of PREREQUISITES) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
}

async function world(daemon) {
  const ctx = { daemon, serial: 1, actors: {} };
  ctx.admin = { name: 'admin', handle: 'admin1', http: await register(daemon, daemon.firstInvite, 'admin1', PASSWORD) };
  for (const name of ['autumn', 'spring']) assert.equal((await ctx.admin.http.post('/api/cohorts', { name })).status, 201);
  const lena = await invited(ctx, 'lena', 'learner', 'autumn');
  ctx.lenaHttp = lena;
  const lise = await invited(ctx, 'lise', 'learner', 'autumn');
  const lars = await invited(ctx, 'lars', 'learner', 'spring');
  const mona = await invited(ctx, 'mona', 'coach', 'autumn');
  const carl = await invited(ctx, 'carl', 'coach', 'spring');
  const dora = await invited(ctx, 'dora', 'learner', 'autumn');
  const liv = await invited(ctx, 'liv', 'learner', 'autumn');
  const rita = await invited(ctx, 'rita', 'learner', 'autumn');
  await invited(ctx, 'rosa', 'learner', 'autumn');
  const pia = await invited(ctx, 'pia', 'partner', null);
  ctx.pia = pia;
  ctx.commit = (await lena.get(`/api/tracks/${TRACK}`)).json.commit;

  // Three learners of a cohort submit the project and review each other's
  // (peers review within their cohort); lars, of another, submits too.
  const sockets = {
    lena: await connect(daemon, lena), lise: await connect(daemon, lise), liv: await connect(daemon, liv), lars: await connect(daemon, lars),
  };
  for (const [handle, socket] of Object.entries(sockets)) {
    await finishPrerequisites(socket);
    await ok(socket, 'progress.set', { track: TRACK, step: PROJECT, state: 'started' });
    await ok(socket, 'submission.create', { track: TRACK, step: PROJECT, body_md: `The work of ${handle}.` });
  }
  const assignmentsOf = async (handle) => (await ok(sockets[handle], 'review.list')).assignments.filter((x) => x.state === 'assigned');
  const lenaWork = (await ok(sockets.lena, 'submission.get', { track: TRACK, step: PROJECT }));
  ctx.lenaSubmission = lenaWork.submission;
  // Work still waiting for a verdict, for the coaches' moves: lise's.
  ctx.submission = (await ok(sockets.lise, 'submission.get', { track: TRACK, step: PROJECT })).submission;
  const rubric = (await ok(sockets.lise, 'review.get', { assignment: (await assignmentsOf('lise'))[0].assignment })).rubric;
  ctx.checks = rubric.map(() => true);
  for (const handle of ['lise', 'liv']) {
    const mine = (await assignmentsOf(handle)).find((x) => x.submission === lenaWork.submission);
    assert.ok(mine, `${handle} reviews lena's work: ${JSON.stringify(await assignmentsOf(handle))} ${JSON.stringify(lenaWork)}`);
    await ok(sockets[handle], 'review.submit', { assignment: mine.assignment, verdict: 'pass', checks: ctx.checks, comment_md: 'Fine.' });
  }
  ctx.assignments = (await assignmentsOf('lena')).map((x) => x.assignment);
  assert.equal(ctx.assignments.length, 2, 'lena reviews the work of lise and liv');
  ctx.reviews = (await ok(sockets.lena, 'submission.get', { track: TRACK, step: PROJECT })).reviews.map((r) => r.review);
  assert.equal(ctx.reviews.length, 2, 'lena\'s work has two reviews');

  // A nudge to lena, and a help request of hers on a step nobody else has begun.
  const monaSocket = await connect(daemon, mona);
  ctx.nudge = (await ok(monaSocket, 'nudge.send', { user: 'lena', body: 'Hello from your coach.' })).nudge;
  await ok(sockets.lena, 'progress.set', { track: HELP_TRACK, step: HELP_STEP, state: 'started' });
  ctx.help = (await ok(sockets.lena, 'help.ask', { track: HELP_TRACK, step: HELP_STEP, body: 'How do I start?' })).request.request;

  ctx.notification = (await ok(sockets.lena, 'notification.list')).notifications
    .find((n) => n.kind === 'review_assigned').notification;

  // pia's project, open to autumn; rita's team hands in on it.
  ctx.project = await project(ctx, 'open');
  const track = `partner-${ctx.project}`;
  for (let i = 0; i < 400 && (await rita.get(`/api/tracks/${track}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 25));
  const team = await rita.post(`/api/projects/${ctx.project}/teams`, { name: 'Rita and friends' });
  assert.equal(team.status, 201, team.text);
  ctx.ritaTeam = team.json.team.id;
  const ritaSocket = await connect(daemon, rita);
  await ok(ritaSocket, 'progress.set', { track, step: 'brief', state: 'started' });
  ctx.teamSubmission = (await ok(ritaSocket, 'submission.create', { track, step: 'brief', body_md: 'Our two pages.' })).submission.id;
  ritaSocket.close();

  const wsRows = Object.keys(WS).length;
  ctx.actors = {
    'signed-out': { name: 'signed-out', http: daemon.client(), socket: null },
    learner: { name: 'learner', handle: 'lena', http: lena, socket: sockets.lena },
    'other learner': { name: 'other learner', handle: 'lars', http: lars, socket: sockets.lars },
    coach: { name: 'coach', handle: 'mona', http: mona, socket: monaSocket },
    'other coach': { name: 'other coach', handle: 'carl', http: carl, socket: await connect(daemon, carl) },
    admin: { ...ctx.admin, socket: await connect(daemon, ctx.admin.http) },
    partner: { name: 'partner', handle: 'pia', http: pia, socket: await connect(daemon, pia) },
    disabled: { name: 'disabled', handle: 'dora', http: dora, sockets: [] },
    'signed-out socket': { name: 'signed-out socket', sockets: [] },
  };
  // One socket per message type for the two whose sessions end while open.
  const lenaTab = daemon.client();
  assert.equal((await lenaTab.post('/api/login', { handle: 'lena', password: PASSWORD })).status, 200);
  for (let i = 0; i < wsRows; i++) {
    ctx.actors.disabled.sockets.push(await connect(daemon, dora));
    ctx.actors['signed-out socket'].sockets.push(await connect(daemon, lenaTab));
  }
  const disabled = await runCli(['--data-dir', daemon.dataDir, 'user', 'disable', 'dora']);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal((await lenaTab.post('/api/logout', {})).status, 200);
  ctx.lenaTab = lenaTab;
  return ctx;
}

// ---- walking a cell -----------------------------------------------------------

async function httpCell(key, actor, ctx) {
  if (actor.name === 'signed-out socket') return '—';
  const response = await HTTP[key](actor, ctx);
  if (response.status >= 200 && response.status < 300) return 'ok';
  if (response.status === 101) return 'ok';
  return response.json && response.json.error ? response.json.error.code : String(response.status);
}

// What a socket whose session ended does with a message: it must answer
// nothing and be closed with 4001.
async function endedCell(socket, type, fields) {
  let answered = null;
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === 'ok' || message.type === 'error') answered = message;
  });
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, id: nextRequestId(), ...fields }));
  const closed = await socket.closed;
  if (answered) return `answered ${answered.type} ${answered.code || ''}`.trim();
  return closed.code === 4001 ? 'closed' : `closed ${closed.code}`;
}

async function wsCell(key, actor, ctx, index) {
  const recipe = typeof WS[key] === 'function' ? { make: WS[key] } : WS[key];
  if (actor.socket && recipe.before) await recipe.before(ctx, actor);
  const [type, fields] = recipe.make(ctx, actor);
  if (actor.name === 'signed-out') {
    try {
      (await openSocket(ctx.daemon, null, { cookie: null })).close();
      return 'ok';
    } catch (error) {
      return error.status === 403 ? 'refused' : String(error.status);
    }
  }
  if (actor.sockets) return endedCell(actor.sockets[index], type, fields);
  const reply = await call(actor.socket, type, fields);
  return reply.type === 'ok' ? 'ok' : reply.code;
}

// ---- the test -----------------------------------------------------------------

test('every cell of the table of who may do what answers as docs/api.md says', { timeout: 240000 }, async () => {
  const expected = await docsTable();
  const { routes, types } = await daemonRoutes();
  const recipes = [...Object.keys(HTTP), ...Object.keys(WS)];

  // The daemon's routes all have recipes (and, checked after the walk, rows).
  for (const [method, path] of routes) {
    const prefix = path.endsWith('/');
    assert.ok(Object.keys(HTTP).some((key) => {
      const [m, p] = key.split(' ');
      return m === method && (prefix ? p.startsWith(path) : p === path);
    }), `${method} ${path} has a row in the table`);
  }
  for (const type of types) assert.ok(Object.keys(WS).some((key) => key.split(' ')[0] === type), `${type} has a row in the table`);

  // Each actor opens a socket per cell it walks: the per-user cap of
  // connections (limits.test.mjs's) must not answer for the table.
  const daemon = await startDaemon({ config: 'messages_per_second = 0\nmax_connections_per_user = 10000\napply_per_hour = 10000\n' });
  const walked = new Map();
  try {
    const ctx = await world(daemon);
    // Wait for the operator's change to reach the disabled user's sockets (at most a second).
    await Promise.all(ctx.actors.disabled.sockets.map((s) => Promise.race([s.closed, new Promise((r) => setTimeout(r, 1500))])));
    const wsKeys = Object.keys(WS);
    for (const key of Object.keys(HTTP)) {
      const row = {};
      for (const column of ORDER) row[column] = await httpCell(key, ctx.actors[column], ctx);
      walked.set(key, row);
    }
    for (const [index, key] of wsKeys.entries()) {
      const row = {};
      for (const column of ORDER) row[column] = await wsCell(key, ctx.actors[column], ctx, index);
      walked.set(key, row);
    }
    for (const actor of Object.values(ctx.actors)) if (actor.socket) actor.socket.close();
  } finally {
    await daemon.stop();
  }

  if (process.env.AUTHZ_PRINT) {
    const line = (cells) => `| ${cells.join(' | ')} |`;
    console.log([line(['request', ...COLUMNS]), line(['---', ...COLUMNS.map(() => '---')]),
      ...[...walked].map(([key, row]) => line([`\`${key}\``, ...COLUMNS.map((c) => row[c].includes(' ') ? row[c] : `\`${row[c]}\``)]))].join('\n'));
  }
  const differences = [];
  for (const key of recipes) if (!expected.has(key)) differences.push(`${key}: no row in docs/api.md`);
  for (const key of expected.keys()) if (!recipes.includes(key)) differences.push(`${key}: a row without a recipe in this test`);
  for (const [key, row] of walked) {
    for (const column of COLUMNS) {
      const want = expected.get(key)?.[column];
      if (want !== undefined && row[column] !== want) differences.push(`${key} × ${column}: docs say ${want}, the daemon answered ${row[column]}`);
    }
  }
  assert.deepEqual(differences, [], `cells that differ from docs/api.md:\n${differences.join('\n')}`);
});
