// Notifications and taking back "mark as done", over the real /ws
// (docs/protocol.md, "Notifications" and "Undoing: progress.undo"): each of
// the four kinds is stored with its event and pushed at once to every open
// connection of its user, with the unread count; read state persists across
// a reconnect; another user can neither list, read nor mark someone's; and
// a lesson marked done goes back to started with an event, while a verdict
// cannot be undone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, people, connect, ok, refused } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const TRACK = 'web-basics';
const LESSON = 'what-is-a-web-page';
const PROJECT = 'project';
const PREREQUISITES = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

const isEvent = (kind, extra = () => true) => (m) => m.type === 'event' && m.event === kind && extra(m);
const isNotice = (kind) => isEvent('notification', (m) => m.notification.kind === kind);

function closeAll(...sockets) {
  for (const socket of sockets) if (socket && socket.readyState === WebSocket.OPEN) socket.close();
}

test('a nudge and a help request become notifications: pushed at once, read state kept across reconnects, nobody else may read or mark them', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena, sam } = await people(daemon, { mona: 'coach', lena: 'learner', sam: 'learner' });
    const coach = await connect(daemon, mona);
    const tab1 = await connect(daemon, lena);
    const tab2 = await connect(daemon, lena);
    const other = await connect(daemon, sam);

    const empty = await ok(tab1, 'notification.list');
    assert.equal(empty.unread, 0);
    assert.deepEqual(empty.notifications, []);

    const sent = await ok(coach, 'nudge.send', { user: 'lena', body: 'Come and find me at the window table.' });
    // The event first, then its notification, on every tab of lena's.
    const event = await tab1.next(isEvent('nudge'));
    const pushed = await tab1.next(isNotice('nudge'));
    assert.equal(pushed.unread, 1);
    assert.equal(pushed.notification.read, false);
    assert.equal(pushed.notification.seq, event.seq, 'the notification names the event that made it');
    assert.equal(pushed.notification.event.nudge.nudge, sent.nudge);
    assert.equal(pushed.notification.event.nudge.body, 'Come and find me at the window table.');
    const onTab2 = await tab2.next(isNotice('nudge'));
    assert.equal(onTab2.notification.notification, pushed.notification.notification);
    const id = pushed.notification.notification;

    // Sam, who finished the lesson, is told of lena's help request: a notification of his.
    await ok(other, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    await ok(other, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
    await ok(tab1, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    const asked = await ok(tab1, 'help.ask', { track: TRACK, step: LESSON, body: 'What is a browser?' });
    const help = await other.next(isNotice('help_request'));
    assert.equal(help.unread, 1);
    assert.equal(help.notification.event.request.request, asked.request.request);
    assert.equal(help.notification.event.request.body, 'What is a browser?');

    // Sam sees only his own, and may not read or mark lena's.
    const samList = await ok(other, 'notification.list');
    assert.deepEqual(samList.notifications.map((n) => n.kind), ['help_request']);
    await refused(other, 'notification.read', { notification: id }, 'forbidden');
    await refused(tab1, 'notification.read', { notification: id + 1000 }, 'not_found');
    await refused(tab1, 'notification.read', { notification: 'x' }, 'bad_value');
    assert.equal((await ok(tab1, 'notification.list')).unread, 1, "sam's try changed nothing");

    // Lena reads it in one tab: the other is told the new count.
    const read = await ok(tab1, 'notification.read', { notification: id });
    assert.equal(read.unread, 0);
    const told = await tab2.next(isEvent('notification.read'));
    assert.equal(told.notification, id);
    assert.equal(told.unread, 0);

    // Across a reconnect: read stays read.
    closeAll(tab1, tab2);
    const again = await connect(daemon, lena);
    const list = await ok(again, 'notification.list');
    assert.equal(list.unread, 0);
    assert.equal(list.notifications.length, 1);
    assert.equal(list.notifications[0].notification, id);
    assert.equal(list.notifications[0].read, true);

    // Two more nudges, then all marked read at once.
    await ok(coach, 'nudge.send', { user: 'lena', body: 'One.' });
    await ok(coach, 'nudge.send', { user: 'lena', body: 'Two.' });
    await again.next(isNotice('nudge'));
    const second = await again.next(isNotice('nudge'));
    assert.equal(second.unread, 2);
    const all = await ok(again, 'notification.read', {});
    assert.equal(all.unread, 0);
    const listed = await ok(again, 'notification.list');
    assert.deepEqual(listed.notifications.map((n) => n.event.nudge && n.event.nudge.body), ['Two.', 'One.', 'Come and find me at the window table.'], 'newest first');
    assert.ok(listed.notifications.every((n) => n.read));
    assert.equal((await ok(other, 'notification.list')).unread, 1, "marking all of lena's leaves sam's");
    closeAll(coach, other, again);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('a review assigned and a verdict on the work become notifications of the reviewer and the author', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { lena, sam, liv } = await people(daemon, { lena: 'learner', sam: 'learner', liv: 'learner' });
    const sockets = { lena: await connect(daemon, lena), sam: await connect(daemon, sam), liv: await connect(daemon, liv) };
    for (const socket of Object.values(sockets)) {
      for (const step of PREREQUISITES) {
        await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
        await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
      }
      await ok(socket, 'progress.set', { track: TRACK, step: PROJECT, state: 'started' });
    }
    await ok(sockets.lena, 'submission.create', { track: TRACK, step: PROJECT, body_md: 'My page.' });
    await ok(sockets.sam, 'submission.create', { track: TRACK, step: PROJECT, body_md: 'His page.' });
    // Lena's work is assigned to sam (the only other who submitted): his notification.
    const assigned = await sockets.sam.next(isNotice('review_assigned'));
    assert.equal(assigned.notification.event.track, TRACK);
    assert.equal(assigned.notification.event.step, PROJECT);
    const assignment = assigned.notification.event.assignment;
    const work = await ok(sockets.sam, 'review.get', { assignment });
    await ok(sockets.sam, 'review.submit', { assignment, verdict: 'needs_work', checks: work.rubric.map(() => false), comment_md: 'Add a second page.' });
    const verdict = await sockets.lena.next(isNotice('verdict'));
    assert.equal(verdict.notification.event.event, 'review.received');
    assert.equal(verdict.notification.event.verdict, 'needs_work');
    const lenaList = await ok(sockets.lena, 'notification.list');
    assert.ok(lenaList.notifications.some((n) => n.kind === 'verdict'));
    assert.ok(!lenaList.notifications.some((n) => n.event.event === 'progress'), 'progress makes no notification');
    closeAll(...Object.values(sockets));
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('progress.undo takes a lesson back from done to started with an event; a reviewed step and a step not begun are refused', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { lena } = await people(daemon, { lena: 'learner' });
    const tab1 = await connect(daemon, lena);
    const tab2 = await connect(daemon, lena);
    const notBegun = await refused(tab1, 'progress.undo', { track: TRACK, step: LESSON }, 'conflict');
    assert.equal(notBegun.state, 'not_started');
    await ok(tab1, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    await ok(tab1, 'progress.set', { track: TRACK, step: LESSON, state: 'done' });
    const undone = await ok(tab1, 'progress.undo', { track: TRACK, step: LESSON });
    assert.equal(undone.state, 'started');
    const event = await tab2.next(isEvent('progress', (m) => m.state === 'started' && m.seq === undone.seq));
    assert.equal(event.step, LESSON);
    // Twice (another tab): ok, nothing changes.
    const twice = await ok(tab2, 'progress.undo', { track: TRACK, step: LESSON });
    assert.equal(twice.state, 'started');
    assert.equal(twice.seq, undefined, 'no change, no event');
    // It survives a reconnect, and can be marked done again.
    closeAll(tab1, tab2);
    const again = await connect(daemon, lena);
    const snapshot = await ok(again, 'progress.set', { track: TRACK, step: LESSON, state: 'started' });
    assert.equal(snapshot.state, 'started');
    assert.equal((await ok(again, 'progress.set', { track: TRACK, step: LESSON, state: 'done' })).state, 'done');
    // A reviewed step passes by review: nothing to undo.
    for (const step of PREREQUISITES.slice(1)) {
      await ok(again, 'progress.set', { track: TRACK, step, state: 'started' });
      await ok(again, 'progress.set', { track: TRACK, step, state: 'done' });
    }
    await ok(again, 'progress.set', { track: TRACK, step: PROJECT, state: 'started' });
    const reviewed = await refused(again, 'progress.undo', { track: TRACK, step: PROJECT }, 'conflict');
    assert.equal(reviewed.state, 'started');
    assert.match(reviewed.message, /peer review/);
    await refused(again, 'progress.undo', { track: TRACK, step: 'no-such-step' }, 'not_found');
    await refused(again, 'progress.undo', { track: TRACK }, 'missing_field');
    closeAll(again);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test("home.attention gives a coach their cohorts' attention lists on every track; learners are refused", async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { mona, lena } = await people(daemon, { mona: 'coach', lena: 'learner' });
    const coach = await connect(daemon, mona);
    const learner = await connect(daemon, lena);
    await refused(learner, 'home.attention', {}, 'forbidden');
    await ok(learner, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    await ok(learner, 'help.ask', { track: 'learning-to-learn', step: 'welcome', body: 'Where do I begin?' });
    const home = await ok(coach, 'home.attention');
    assert.deepEqual(home.cohorts.map((c) => c.cohort), ['autumn']);
    const tracks = home.cohorts[0].tracks;
    assert.ok(tracks.some((t) => t.track === TRACK && typeof t.title === 'string' && Array.isArray(t.attention)));
    const onTrack = tracks.find((t) => t.track === 'learning-to-learn');
    assert.ok(onTrack.attention.some((e) => e.user === 'lena' && e.kind === 'help_request'), JSON.stringify(onTrack));
    closeAll(coach, learner);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
