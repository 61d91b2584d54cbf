// Peer review over /ws with three learners, as their browser tabs meet it:
// each submits the web-basics project, the assignments are pushed, each
// reviewer reads and reviews the work assigned, the verdict is pushed, the
// author rates and flags a review; a learner is refused work not assigned
// to them; a restart rebuilds the same assignments. Double-blind by
// default; with double_blind = no each side sees the other's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { startDaemon, openSocket, people, ok, refused, connect } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const TRACK = 'web-basics';
const STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

const isEvent = (kind, extra = () => true) => (m) => m.type === 'event' && m.event === kind && extra(m);

function closeAll(sockets) {
  for (const socket of Object.values(sockets)) if (socket.readyState === WebSocket.OPEN) socket.close();
}

async function finishLessons(socket) {
  for (const step of STEPS) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  await ok(socket, 'progress.set', { track: TRACK, step: 'project', state: 'started' });
}

// The work names nobody, so a handle in a reply can only come from the daemon.
const pageOf = (who) => `https://example.org/page-${['ana', 'bob', 'cai'].indexOf(who) + 1}`;

async function submit(socket, who) {
  const reply = await ok(socket, 'submission.create', {
    track: TRACK, step: 'project',
    body_md: `# My page\n\nAbout my **street**. <script>alert(1)</script>`,
    link: pageOf(who),
  });
  assert.equal(reply.state, 'submitted');
  return reply.submission.id;
}

// Resolves once the daemon serves the track (it loads tracks in the background).
async function trackLoaded(client) {
  for (let i = 0; i < 400; i++) {
    const response = await client.get(`/api/tracks/${TRACK}`);
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${TRACK} was never served`);
}

// The review.list of each learner, by handle.
async function lists(sockets) {
  const result = {};
  for (const [who, socket] of Object.entries(sockets)) {
    const { assignments, given, received } = await ok(socket, 'review.list');
    result[who] = { assignments, given, received };
  }
  return result;
}

test('three learners review each other end to end, and a restart keeps the assignments', async () => {
  const first = await startDaemon({ config: NO_LIMIT });
  const dataDir = first.dataDir;
  let second = null;
  let sockets = {};
  try {
    const clients = await people(first, { ana: 'learner', bob: 'learner', cai: 'learner' });
    await trackLoaded(clients.ana);
    for (const who of ['ana', 'bob', 'cai']) sockets[who] = await connect(first, clients[who]);
    for (const socket of Object.values(sockets)) await finishLessons(socket);

    // ana submits first: nobody has passed or submitted, so her work waits.
    const anaWork = await submit(sockets.ana, 'ana');
    const waiting = await ok(sockets.ana, 'submission.get', { track: TRACK, step: 'project' });
    assert.equal(waiting.submission, anaWork);
    assert.equal(waiting.state, 'waiting');
    assert.equal(waiting.standing.open, 2);
    assert.equal(waiting.standing.reason, 'no_peer');
    assert.ok(!waiting.body_html.includes('<script>'), 'the author sees her work rendered safely');

    // Peers at the same point review each other: each is assigned the other two.
    await submit(sockets.bob, 'bob');
    await submit(sockets.cai, 'cai');
    const assigned = {};
    for (const [who, socket] of Object.entries(sockets)) {
      assigned[who] = [];
      for (let i = 0; i < 2; i++) {
        const event = await socket.next(isEvent('review.assigned'));
        assert.equal(event.track, TRACK);
        assert.equal(event.step, 'project');
        assert.ok(event.due_at > Date.now());
        assigned[who].push(event.assignment);
      }
    }
    await sockets.ana.next(isEvent('progress', (m) => m.step === 'project' && m.state === 'in_review'));

    // Each reviewer reads the work assigned: rendered safely, with no author named.
    const work = {};
    for (const [who, socket] of Object.entries(sockets)) {
      for (const assignment of assigned[who]) {
        const got = await ok(socket, 'review.get', { assignment });
        assert.equal(got.assignment, assignment);
        assert.equal(got.title, 'Project: a page about something you love');
        assert.equal(got.rubric.length, 6);
        assert.ok(got.body_html.includes('<strong>street</strong>'));
        assert.ok(!got.body_html.includes('<script>'));
        const author = ['ana', 'bob', 'cai'].find((a) => got.link === pageOf(a));
        assert.ok(author && author !== who, `${who} reviews someone else's work`);
        assert.equal(got.author, undefined, 'double-blind');
        assert.ok(!JSON.stringify(got).includes(author), `the reply names no author: ${JSON.stringify(got)}`);
        work[assignment] = { reviewer: who, author, rubric: got.rubric };
      }
    }

    // Nobody reads work they are not assigned; the author does not read it as a reviewer.
    const onAna = Object.entries(work).filter(([, w]) => w.author === 'ana').map(([id]) => Number(id));
    assert.equal(onAna.length, 2);
    const caiOnAna = onAna.find((id) => work[id].reviewer === 'cai');
    const bobsAssignment = assigned.bob[0];
    await refused(sockets.bob, 'review.get', { assignment: caiOnAna }, 'forbidden');
    await refused(sockets.ana, 'review.get', { assignment: caiOnAna }, 'forbidden');
    await refused(sockets.cai, 'review.get', { assignment: bobsAssignment }, 'forbidden');
    await refused(sockets.cai, 'review.submit', { assignment: bobsAssignment, verdict: 'pass', checks: [] }, 'forbidden');
    await refused(sockets.bob, 'review.get', { assignment: 999 }, 'not_found');

    // Both reviews of ana's work: pass. ana receives each, then passes the step.
    const reviewIds = [];
    for (const assignment of onAna) {
      const { reviewer, rubric } = work[assignment];
      await refused(sockets[reviewer], 'review.submit', { assignment, verdict: 'pass', checks: [true] }, 'bad_value');
      const given = await ok(sockets[reviewer], 'review.submit', {
        assignment, verdict: 'pass', checks: rubric.map(() => true), comment_md: 'Lovely *colours*.',
      });
      reviewIds.push(given.review);
      const received = await sockets.ana.next(isEvent('review.received'));
      assert.equal(received.verdict, 'pass');
      assert.equal(received.submission, anaWork);
      assert.ok(!JSON.stringify(received).includes(`"${reviewer}"`), 'double-blind');
    }
    const passed = await sockets.ana.next(isEvent('progress', (m) => m.step === 'project' && m.state === 'passed'));
    assert.equal(passed.user, 'ana');

    // ana rates and flags a review; nobody else may.
    await ok(sockets.ana, 'review.rate', { review: reviewIds[0], helpfulness: 5 });
    await refused(sockets.bob, 'review.rate', { review: reviewIds[0], helpfulness: 1 }, 'forbidden');
    await ok(sockets.ana, 'review.flag', { review: reviewIds[1], reason: 'It says nothing about my page.' });
    await refused(sockets.ana, 'review.flag', { review: reviewIds[1], reason: 'Again.' }, 'conflict');
    await refused(sockets.cai, 'review.flag', { review: reviewIds[1], reason: 'no' }, 'forbidden');
    const mine = await ok(sockets.ana, 'submission.get', { track: TRACK, step: 'project' });
    assert.equal(mine.state, 'passed');
    assert.equal(mine.reviews.length, 2);
    assert.equal(mine.reviews[0].helpfulness, 5);
    assert.equal(mine.reviews[1].flagged, true);
    assert.ok(mine.reviews[0].comment_html.includes('<em>colours</em>'));
    assert.ok(mine.reviews.every((r) => r.reviewer === undefined), 'double-blind');

    // A restart rebuilds the engine: the same assignments, and the work goes on.
    const before = await lists(sockets);
    assert.equal(before.bob.assignments.length, 2);
    closeAll(sockets);
    assert.equal(await first.stop({ keep: true }), 0, first.stderr);
    second = await startDaemon({ dataDir, config: NO_LIMIT });
    for (const who of ['ana', 'bob', 'cai']) {
      clients[who].base = second.url;
      sockets[who] = await connect(second, clients[who]);
    }
    await trackLoaded(clients.ana);
    const after = await lists(sockets);
    assert.deepEqual(after, before);
    assert.match(second.stderr, /review engine rebuilt: 3 learners, 1 reviewed steps/);
    assert.doesNotMatch(second.stderr, /replays with an error|review effect|replayed/);

    for (const [id, { reviewer, author, rubric }] of Object.entries(work)) {
      if (author === 'ana') continue;
      await ok(sockets[reviewer], 'review.submit', { assignment: Number(id), verdict: 'pass', checks: rubric.map(() => false) });
    }
    for (const who of ['bob', 'cai'])
      await sockets[who].next(isEvent('progress', (m) => m.step === 'project' && m.state === 'passed'));
    const done = await ok(sockets.bob, 'review.list');
    assert.ok(done.assignments.every((a) => a.state === 'done'));
    assert.equal(done.given, 2);
    assert.equal(done.received, 2);
    closeAll(sockets);
  } finally {
    if (second) assert.equal(await second.stop(), 0, second.stderr);
    else await first.stop({ keep: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('with double_blind = no, reviewer and author see each other\'s names', async () => {
  const daemon = await startDaemon({ config: `${NO_LIMIT}double_blind = no\n` });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner' });
    await trackLoaded(clients.ana);
    for (const who of ['ana', 'bob', 'cai']) sockets[who] = await connect(daemon, clients[who]);
    for (const socket of Object.values(sockets)) await finishLessons(socket);
    for (const who of ['ana', 'bob', 'cai']) await submit(sockets[who], who);

    const onAna = [];
    for (const [who, socket] of Object.entries(sockets)) {
      for (let i = 0; i < 2; i++) await socket.next(isEvent('review.assigned'));
      const { assignments } = await ok(socket, 'review.list');
      assert.equal(assignments.length, 2);
      for (const listed of assignments) {
        const got = await ok(socket, 'review.get', { assignment: listed.assignment });
        const author = ['ana', 'bob', 'cai'].find((a) => got.link === pageOf(a));
        assert.deepEqual(got.author, { handle: author, display_name: author });
        assert.deepEqual(listed.author, got.author);
        if (author === 'ana') onAna.push({ reviewer: who, assignment: got.assignment, rubric: got.rubric });
      }
    }
    assert.equal(onAna.length, 2);
    for (const { reviewer, assignment, rubric } of onAna)
      await ok(sockets[reviewer], 'review.submit', { assignment, verdict: 'pass', checks: rubric.map(() => true) });
    const mine = await ok(sockets.ana, 'submission.get', { track: TRACK, step: 'project' });
    assert.equal(mine.reviews.length, 2);
    assert.deepEqual(mine.reviews.map((r) => r.reviewer.handle).sort(), onAna.map((r) => r.reviewer).sort());
    for (const review of mine.reviews) assert.equal(review.reviewer.display_name, review.reviewer.handle);
    closeAll(sockets);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('review messages are checked before anything is stored', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const socket = await connect(daemon, ana);
    const list = await ok(socket, 'review.list');
    assert.deepEqual(list.assignments, []);
    await refused(socket, 'review.get', { assignment: 0 }, 'bad_value');
    await refused(socket, 'review.get', {}, 'missing_field');
    await refused(socket, 'review.submit', { assignment: 1, verdict: 'pass', checks: [1] }, 'bad_value');
    await refused(socket, 'review.rate', { review: 1, helpfulness: 0 }, 'bad_value');
    await refused(socket, 'review.rate', { review: 1, helpfulness: 3 }, 'not_found');
    await refused(socket, 'review.flag', { review: 1, reason: 'x'.repeat(1001) }, 'bad_value');
    await refused(socket, 'review.submit', { assignment: 1, verdict: 'pass', checks: [], comment_md: 'x'.repeat(20 * 1024 + 1) }, 'too_large');
    await refused(socket, 'submission.get', { track: TRACK, step: 'project' }, 'not_found');
    socket.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
