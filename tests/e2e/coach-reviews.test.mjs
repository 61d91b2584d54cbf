// The review flow where peers cannot finish it, over /ws: a cohort of three
// whose reviews of one piece of work tie, with nobody left to break the tie,
// decided by a coach with a note the author reads (and the decision in the
// coaches' list and the CSV); and a flag upheld by a coach: the review leaves
// the verdict, a replacement reviewer is assigned, the author is told the
// outcome and the reviewer is told why, kindly. Also "Review something now"
// and the balance a learner sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, openSocket, people, ok, refused, connect } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const TRACK = 'web-basics';
const STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

const isEvent = (kind, extra = () => true) => (m) => m.type === 'event' && m.event === kind && extra(m);

async function trackLoaded(client) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${TRACK}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${TRACK} was never served`);
}

async function toProject(socket) {
  for (const step of STEPS) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  await ok(socket, 'progress.set', { track: TRACK, step: 'project', state: 'started' });
}

async function submit(socket, who) {
  const reply = await ok(socket, 'submission.create', {
    track: TRACK, step: 'project', body_md: `# ${who}'s page`, link: `https://example.org/${who}`,
  });
  return reply.submission.id;
}

// Every learner's live assignments, by reviewer: { assignment, author link }.
async function assignmentsOf(sockets) {
  const result = {};
  for (const [who, socket] of Object.entries(sockets)) {
    const { assignments } = await ok(socket, 'review.list');
    result[who] = [];
    for (const a of assignments.filter((x) => x.state === 'assigned')) {
      const got = await ok(socket, 'review.get', { assignment: a.assignment });
      result[who].push({ assignment: a.assignment, link: got.link, rubric: got.rubric });
    }
  }
  return result;
}

async function review(socket, assignment, rubric, verdict, comment) {
  return ok(socket, 'review.submit', { assignment, verdict, checks: rubric.map(() => verdict === 'pass'), comment_md: comment });
}

// ana, bob and cai (and their coach kim) connect; the three learners reach
// the project and submit it; bob and cai are each given ana's work.
async function threeSubmit(daemon, clients, sockets) {
  await trackLoaded(clients.ana);
  for (const who of ['ana', 'bob', 'cai', 'kim']) sockets[who] = await connect(daemon, clients[who]);
  for (const who of ['ana', 'bob', 'cai']) await toProject(sockets[who]);
  const anaWork = await submit(sockets.ana, 'ana');
  await submit(sockets.bob, 'bob');
  await submit(sockets.cai, 'cai');
  const work = await assignmentsOf({ bob: sockets.bob, cai: sockets.cai });
  return { anaWork, onAna: (who) => work[who].find((a) => a.link === 'https://example.org/ana') };
}

function closeAll(sockets) {
  for (const socket of Object.values(sockets)) if (socket.readyState === WebSocket.OPEN) socket.close();
}

test('a cohort of three: a tie nobody can break is decided by the coach, and the author reads why', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner', kim: 'coach' });
    const { anaWork, onAna } = await threeSubmit(daemon, clients, sockets);
    // bob passes ana's work, cai says it needs work: a tie, and in a cohort of
    // three nobody else can review it.
    await review(sockets.bob, onAna('bob').assignment, onAna('bob').rubric, 'pass', 'Good.');
    await review(sockets.cai, onAna('cai').assignment, onAna('cai').rubric, 'needs_work', 'The links are broken.');
    const waiting = await ok(sockets.ana, 'submission.get', { track: TRACK, step: 'project' });
    assert.equal(waiting.state, 'waiting');
    assert.equal(waiting.standing.slots, 3, 'a tie opens a third review');
    assert.equal(waiting.standing.open, 1);
    assert.equal(waiting.standing.eligible, 0);
    assert.equal(waiting.standing.reason, 'no_peer');

    // The coach sees it beside its reviews (it reaches the list by itself after
    // coach_after_hours; a coach may decide before), and decides with a note.
    await refused(sockets.bob, 'review.coach', { submission: anaWork, action: 'decide', verdict: 'pass', note: 'x' }, 'forbidden');
    await refused(sockets.kim, 'review.coach', { submission: anaWork, action: 'decide', verdict: 'pass' }, 'bad_value');
    const decided = await ok(sockets.kim, 'review.coach', {
      submission: anaWork, action: 'decide', verdict: 'pass', note: 'The page works; fix the links next time.',
    });
    assert.equal(decided.action, 'pass');
    const told = await sockets.ana.next(isEvent('review.decided'));
    assert.equal(told.note, 'The page works; fix the links next time.');
    await sockets.ana.next(isEvent('progress', (m) => m.step === 'project' && m.state === 'passed'));
    const mine = await ok(sockets.ana, 'submission.get', { track: TRACK, step: 'project' });
    assert.equal(mine.state, 'passed');
    assert.equal(mine.standing.by_coach, true);
    await refused(sockets.kim, 'review.coach', { submission: anaWork, action: 'extend' }, 'conflict');

    // The decision is stored: on the coaches' list and in the CSV.
    const list = await ok(sockets.kim, 'review.coach_list', { cohort: 'autumn', track: TRACK });
    assert.equal(list.decisions.length, 1);
    assert.deepEqual([list.decisions[0].action, list.decisions[0].coach, list.decisions[0].author], ['pass', 'kim', 'ana']);
    const csv = await clients.kim.get(`/api/board.csv?cohort=autumn&track=${TRACK}`);
    const anaProject = csv.text.split('\r\n').find((line) => line.startsWith('ana,') && line.includes(',project,'));
    assert.match(anaProject, /,passed,.*,pass,kim,The page works; fix the links next time\.,\d{4}-/);

    // The balance in plain figures: ana received two reviews and gave none yet.
    const balance = await ok(sockets.ana, 'review.list');
    assert.equal(balance.received, 2);
    assert.equal(balance.owed, 2 - balance.given);
    closeAll(sockets);
  } finally {
    closeAll(sockets);
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('a flag upheld: the review leaves the verdict, a replacement is assigned, the author and reviewer are told', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner', dan: 'learner', kim: 'coach' });
    const { anaWork, onAna } = await threeSubmit(daemon, clients, sockets);
    const rude = await review(sockets.bob, onAna('bob').assignment, onAna('bob').rubric, 'needs_work', 'Bad.');
    await review(sockets.cai, onAna('cai').assignment, onAna('cai').rubric, 'needs_work', 'Add a heading.');
    await sockets.ana.next(isEvent('progress', (m) => m.step === 'project' && m.state === 'needs_work'));

    await refused(sockets.ana, 'review.flag', { review: rude.review, reason: 'x', kind: 'mean' }, 'bad_value');
    await ok(sockets.ana, 'review.flag', { review: rude.review, kind: 'empty', reason: 'It only says "Bad."' });
    let list = await ok(sockets.kim, 'review.coach_list', { cohort: 'autumn', track: TRACK });
    assert.equal(list.flags.length, 1);
    const flag = list.flags[0];
    assert.deepEqual([flag.kind, flag.reason, flag.reviewer, flag.author, flag.submission, flag.upheld],
      ['empty', 'It only says "Bad."', 'bob', 'ana', anaWork, 0]);
    assert.ok(flag.comment_html.includes('Bad.'), 'the review, to read beside the flag');
    const board = await ok(sockets.kim, 'board.get', { cohort: 'autumn', track: TRACK });
    const item = board.attention.find((entry) => entry.kind === 'flagged_review');
    assert.deepEqual([item.review, item.flag_kind, item.reason, item.submission], [rude.review, 'empty', 'It only says "Bad."', anaWork]);

    // dan, who reached the project, is online: he will be the replacement.
    sockets.dan = await connect(daemon, clients.dan);
    await toProject(sockets.dan);
    await submit(sockets.dan, 'dan');
    await refused(sockets.kim, 'flag.resolve', { review: rude.review, action: 'uphold' }, 'bad_value');
    const upheld = await ok(sockets.kim, 'flag.resolve', {
      review: rude.review, action: 'uphold', note: 'Say what to change, and how. You can do it!',
    });
    assert.equal(upheld.outcome, 'upheld');
    assert.ok(upheld.assignment > 0, 'a replacement reviewer is assigned');
    const assignedToDan = await sockets.dan.next(isEvent('review.assigned', (m) => m.assignment === upheld.assignment));
    assert.equal(assignedToDan.step, 'project');
    const outcome = await sockets.ana.next(isEvent('review.flag_resolved'));
    assert.deepEqual([outcome.review, outcome.outcome, outcome.replaced], [rude.review, 'upheld', true]);
    await sockets.ana.next(isEvent('progress', (m) => m.step === 'project' && m.state === 'in_review'));
    const kindly = await sockets.bob.next(isEvent('review.flag_upheld'));
    assert.equal(kindly.note, 'Say what to change, and how. You can do it!');
    await refused(sockets.kim, 'flag.resolve', { review: rude.review, action: 'dismiss' }, 'conflict');

    // The item left the list; the reviewer's count of upheld flags is kept.
    list = await ok(sockets.kim, 'review.coach_list', { cohort: 'autumn', track: TRACK });
    assert.equal(list.flags.length, 0);
    assert.equal(list.decisions.at(-1).action, 'uphold');
    const after = await ok(sockets.kim, 'board.get', { cohort: 'autumn', track: TRACK });
    assert.equal(after.attention.filter((entry) => entry.kind === 'flagged_review').length, 0);

    // "Review something now": cai takes dan's work, which waits; then nothing is left for cai.
    const pulled = await ok(sockets.cai, 'review.pull');
    const got = await ok(sockets.cai, 'review.get', { assignment: pulled.assignment });
    assert.equal(got.link, 'https://example.org/dan');
    await refused(sockets.cai, 'review.pull', {}, 'not_found');
    await refused(sockets.kim, 'review.pull', {}, 'forbidden');
  } finally {
    closeAll(sockets);
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
