// The coaches' board, nudges and help between peers, over the real /ws
// (docs/protocol.md): a learner's progress reaches a coach's board and its
// state, learners are refused boards and other people's nudges and help
// threads, a help request goes to an online peer who finished the step, is
// accepted, talked over and resolved, and a peer who comes online later is
// told of a request still waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, openSocket, people, ok, refused } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page'; // a lesson with no requirements

async function connect(daemon, client) {
  const socket = await openSocket(daemon, client);
  const hello = await ok(socket, 'hello');
  if (hello.sync === 'snapshot') await socket.next((m) => m.type === 'snapshot');
  return { socket, hello };
}

const isEvent = (kind, extra = () => true) => (m) => m.type === 'event' && m.event === kind && extra(m);

function closeAll(...sockets) {
  for (const socket of sockets) if (socket && socket.readyState === WebSocket.OPEN) socket.close();
}

async function finish(socket, step) {
  await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
  await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
}

test("a learner's progress reaches the coach's board and its state; learners are refused the board", async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena, sam } = await people(daemon, { mona: 'coach', lena: 'learner', sam: 'learner' });
    const coach = await connect(daemon, mona);
    const learner = await connect(daemon, lena);
    const other = await connect(daemon, sam);

    await refused(learner.socket, 'subscribe', { topic: `board:autumn/${TRACK}` }, 'forbidden');
    await refused(learner.socket, 'board.get', { cohort: 'autumn', track: TRACK }, 'forbidden');
    await refused(coach.socket, 'board.get', { cohort: 'autumn', track: 'no-such-track' }, 'not_found');

    await ok(coach.socket, 'subscribe', { topic: `board:autumn/${TRACK}` });
    await ok(other.socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    const started = await ok(learner.socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    const event = await coach.socket.next(isEvent('progress', (m) => m.user === 'lena'));
    assert.equal(event.step, LESSON);
    assert.equal(event.state, 'started');
    assert.equal(event.seq, started.seq);
    await ok(learner.socket, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
    const done = await coach.socket.next(isEvent('progress', (m) => m.user === 'lena' && m.state === 'done'));
    assert.equal(done.step, LESSON);

    const board = await ok(coach.socket, 'board.get', { cohort: 'autumn', track: TRACK });
    assert.equal(board.cohort, 'autumn');
    assert.equal(board.track, TRACK);
    assert.equal(board.steps[0].id, LESSON);
    assert.ok(board.steps.length >= 5, 'every step of the track is listed');
    assert.deepEqual(board.learners.map((l) => l.handle), ['lena', 'sam'], 'the cohort\'s learners, not the coach');
    const row = board.learners.find((l) => l.handle === 'lena');
    assert.equal(row.progress[LESSON].state, 'done');
    assert.ok(row.progress[LESSON].finished_at >= row.progress[LESSON].started_at);
    assert.equal(row.seq, done.seq, "the learner's latest event, to skip events already in the state");
    assert.equal(row.online, true);
    assert.equal(typeof row.last_activity, 'number');
    assert.equal(row.given, 0);
    assert.equal(board.learners.find((l) => l.handle === 'sam').progress[LESSON].state, 'started');
    assert.equal(board.weeks.length, 12);
    assert.equal(board.weeks.at(-1).active, 2, 'both learners were active this week');
    assert.match(board.weeks.at(-1).week, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(new Date(`${board.weeks.at(-1).week}T00:00:00Z`).getUTCDay(), 1, 'weeks start on Monday');
    assert.deepEqual(board.attention, []);
    assert.deepEqual(board.help, []);

    // Another cohort's board is not this coach's to see (docs/api.md, "Who may do what").
    await refused(coach.socket, 'board.get', { cohort: 'spring', track: TRACK }, 'forbidden');
    await refused(coach.socket, 'subscribe', { topic: `board:spring/${TRACK}` }, 'forbidden');
    closeAll(coach.socket, learner.socket, other.socket);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('a nudge reaches its learner live and at the next hello until read; nobody else may read or send one', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena, sam } = await people(daemon, { mona: 'coach', lena: 'learner', sam: 'learner' });
    const coach = await connect(daemon, mona);
    const learner = await connect(daemon, lena);
    const other = await connect(daemon, sam);

    await refused(learner.socket, 'nudge.send', { user: 'sam', body: 'hi' }, 'forbidden');
    await refused(coach.socket, 'nudge.send', { user: 'nobody', body: 'hi' }, 'not_found');
    await refused(coach.socket, 'nudge.send', { user: 'lena', body: '' }, 'bad_value');
    await refused(coach.socket, 'nudge.send', { user: 'lena', body: 'x'.repeat(501) }, 'too_large');

    const sent = await ok(coach.socket, 'nudge.send', { user: 'lena', body: 'Come and find me at the window table.' });
    const pushed = await learner.socket.next(isEvent('nudge'));
    assert.equal(pushed.nudge.nudge, sent.nudge);
    assert.equal(pushed.nudge.body, 'Come and find me at the window table.');
    assert.deepEqual(pushed.nudge.from, { handle: 'mona', display_name: 'mona' });
    assert.equal(other.socket.inbox.filter((m) => m.event === 'nudge').length, 0, 'only lena is told');

    // Unread: it comes again with the next hello, to lena alone.
    const again = await connect(daemon, lena);
    assert.deepEqual(again.hello.nudges.map((n) => n.nudge), [sent.nudge]);
    const otherAgain = await connect(daemon, sam);
    assert.deepEqual(otherAgain.hello.nudges, []);

    await refused(other.socket, 'nudge.read', { nudge: sent.nudge }, 'forbidden');
    await refused(learner.socket, 'nudge.read', { nudge: sent.nudge + 100 }, 'not_found');
    const read = await ok(learner.socket, 'nudge.read', { nudge: sent.nudge });
    assert.equal(read.read, true);
    const later = await connect(daemon, lena);
    assert.deepEqual(later.hello.nudges, [], 'a nudge read is not shown again');
    closeAll(coach.socket, learner.socket, other.socket, again.socket, otherAgain.socket, later.socket);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('help: a peer who finished the step is told, accepts, both talk, the requester resolves; others are refused', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena, sam, omar } = await people(daemon, { mona: 'coach', lena: 'learner', sam: 'learner', omar: 'learner' });
    const coach = await connect(daemon, mona);
    const asker = await connect(daemon, lena);
    const helper = await connect(daemon, sam);
    const outsider = await connect(daemon, omar);
    await ok(coach.socket, 'subscribe', { topic: `board:autumn/${TRACK}` });
    await finish(helper.socket, LESSON);

    const notStarted = await refused(asker.socket, 'help.ask', { track: TRACK, step: LESSON, body: 'Help?' }, 'conflict');
    assert.equal(notStarted.state, 'not_started');
    await ok(asker.socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    const asked = await ok(asker.socket, 'help.ask', { track: TRACK, step: LESSON, body: 'What is a browser?' });
    const request = asked.request.request;
    assert.equal(asked.request.state, 'open');
    assert.equal(asked.request.told, 1, 'sam, online and done with the step, is told; omar is not');
    assert.deepEqual(asked.request.user, { handle: 'lena', display_name: 'lena' });
    const twice = await refused(asker.socket, 'help.ask', { track: TRACK, step: LESSON, body: 'Again' }, 'conflict');
    assert.equal(twice.request, request);

    const offered = await helper.socket.next(isEvent('help.offered'));
    assert.equal(offered.request.request, request);
    assert.equal(offered.request.body, 'What is a browser?');
    assert.equal(offered.request.user, undefined, 'who asked stays unnamed until someone accepts');
    const onBoard = await coach.socket.next(isEvent('help'));
    assert.equal(onBoard.request.user, 'lena');
    assert.equal(onBoard.request.state, 'open');

    await refused(outsider.socket, 'help.get', { request }, 'forbidden');
    await refused(outsider.socket, 'help.accept', { request }, 'forbidden');
    await refused(asker.socket, 'help.accept', { request }, 'forbidden');
    await refused(helper.socket, 'help.message', { request, body: 'too early' }, 'forbidden');

    const accepted = await ok(helper.socket, 'help.accept', { request });
    assert.equal(accepted.request.state, 'accepted');
    assert.equal(accepted.request.user.handle, 'lena', 'the helper now sees who asked');
    const told = await asker.socket.next(isEvent('help.accepted'));
    assert.equal(told.request.helper.handle, 'sam', 'the requester is told who comes');
    const taken = await refused(outsider.socket, 'help.accept', { request }, 'forbidden');
    assert.ok(taken);

    const fromLena = await ok(asker.socket, 'help.message', { request, body: 'I am by the door.' });
    const atSam = await helper.socket.next(isEvent('help.message'));
    assert.equal(atSam.message.message, fromLena.message.message);
    assert.equal(atSam.message.from.handle, 'lena');
    await ok(helper.socket, 'help.message', { request, body: 'On my way.' });
    const atLena = await asker.socket.next(isEvent('help.message', (m) => m.message.from.handle === 'sam'));
    assert.equal(atLena.message.body, 'On my way.');
    await refused(outsider.socket, 'help.message', { request, body: 'me too' }, 'forbidden');

    // Coaches read every thread; the list shows each side their part.
    const seen = await ok(coach.socket, 'help.get', { request });
    assert.deepEqual(seen.request.messages.map((m) => m.body), ['I am by the door.', 'On my way.']);
    const samList = await ok(helper.socket, 'help.list');
    assert.deepEqual(samList.offered.map((r) => r.request), [request]);
    assert.deepEqual(samList.mine, []);

    await refused(helper.socket, 'help.resolve', { request }, 'forbidden');
    const resolved = await ok(asker.socket, 'help.resolve', { request });
    assert.equal(resolved.state, 'resolved');
    const closed = await helper.socket.next(isEvent('help.closed'));
    assert.equal(closed.state, 'resolved');
    const ownTabs = await asker.socket.next(isEvent('help.closed'));
    assert.equal(ownTabs.state, 'resolved', "the requester's other tabs learn it too");
    await refused(asker.socket, 'help.withdraw', { request }, 'conflict');
    const lenaList = await ok(asker.socket, 'help.list');
    assert.deepEqual(lenaList.mine, [], 'a resolved request is no longer open');
    const boardClosed = await coach.socket.next(isEvent('help', (m) => m.request.state === 'resolved'));
    assert.equal(boardClosed.request.helper.handle, 'sam');
    closeAll(coach.socket, asker.socket, helper.socket, outsider.socket);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('a peer who comes online later is told of a request still waiting; the board lists it for attention', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena, sam } = await people(daemon, { mona: 'coach', lena: 'learner', sam: 'learner' });
    const early = await connect(daemon, sam);
    await finish(early.socket, LESSON);
    early.socket.close();
    await early.socket.closed;

    const coach = await connect(daemon, mona);
    await ok(coach.socket, 'subscribe', { topic: `board:autumn/${TRACK}` });
    const asker = await connect(daemon, lena);
    await ok(asker.socket, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    const asked = await ok(asker.socket, 'help.ask', { track: TRACK, step: LESSON, body: 'Stuck on the first page.' });
    assert.equal(asked.request.told, 0, 'nobody who could help is online');

    // At once as an event of its own; in the attention list with the next summary (busy boards: 10 s).
    const opened = await coach.socket.next(isEvent('help'));
    assert.equal(opened.request.request, asked.request.request);
    const summary = await coach.socket.next(isEvent('board.summary', (m) => m.attention.some((e) => e.kind === 'help_request')), 25000);
    const entry = summary.attention.find((e) => e.kind === 'help_request');
    assert.equal(entry.user, 'lena');
    assert.equal(entry.request, asked.request.request);
    assert.equal(summary.topic, `board:autumn/${TRACK}`);
    assert.equal(summary.learners, undefined, 'the first summary leaves out the review counts board.get gave: none moved');

    const later = await connect(daemon, sam);
    const offered = await later.socket.next(isEvent('help.offered'), 5000);
    assert.equal(offered.request.request, asked.request.request);
    const withdrawn = await ok(asker.socket, 'help.withdraw', { request: asked.request.request });
    assert.equal(withdrawn.state, 'withdrawn');
    const closed = await later.socket.next(isEvent('help.closed'));
    assert.equal(closed.state, 'withdrawn');
    closeAll(coach.socket, asker.socket, later.socket);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
