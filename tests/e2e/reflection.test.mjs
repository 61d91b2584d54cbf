// Reflection steps over HTTP and /ws (docs/tracks.md, "Reflection steps";
// docs/protocol.md, "Reflections"): the sample soft-skills track serves its
// reflections with their kind, one review and a supportive checklist, in
// English and Dutch; ana's reflection goes through the same review engine as
// a project (bob reads it, answers "Reflected", the step passes); her coach
// comments, and the comment is pushed to her, lands in her inbox and stays
// with her work; a learner, a coach of another cohort, work that is no
// reflection and a comment too long are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, addCohorts, register, ok, refused, connect } from '../lib/daemon.mjs';

const TRACK = 'soft-skills';
const INTRO = 'what-soft-skills-are';
const TEAM = { track: TRACK, step: 'working-in-a-team' };
const WEB = 'web-basics';
const WEB_STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];

async function trackLoaded(client, track) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${track}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${track} was never served`);
}

async function doSteps(socket, track, steps) {
  for (const step of steps) {
    await ok(socket, 'progress.set', { track, step, state: 'started' });
    await ok(socket, 'progress.set', { track, step, state: 'done' });
  }
}

async function submitReflection(socket, text) {
  await doSteps(socket, TRACK, [INTRO]);
  await ok(socket, 'progress.set', { ...TEAM, state: 'started' });
  return (await ok(socket, 'submission.create', { ...TEAM, body_md: text })).submission.id;
}

test('the sample soft-skills track serves reflection steps with one review and a checklist, in English and Dutch', async () => {
  const daemon = await startDaemon();
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    for (const [track, language, title] of [[TRACK, 'en', 'Reflection: working in a team'], [`${TRACK}-nl`, 'nl', 'Reflectie: werken in een team']]) {
      await trackLoaded(ana, track);
      const outline = (await ana.get(`/api/tracks/${track}`)).json;
      assert.equal(outline.language, language);
      const steps = outline.modules.flatMap((m) => m.steps);
      assert.ok(steps.length >= 4, `${track}: ${steps.length} steps`);
      const reflections = steps.filter((s) => s.kind === 'reflection');
      assert.deepEqual(reflections.map((s) => s.id), ['working-in-a-team', 'asking-for-help'], track);
      const step = (await ana.get(`/api/tracks/${track}/steps/working-in-a-team`)).json;
      assert.equal(step.kind, 'reflection');
      assert.equal(step.reviews, 1, 'a reflection needs one review unless it says');
      assert.equal(step.title, title);
      assert.equal(step.rubric.length, 4);
      assert.equal((await ana.get(`/api/tracks/${track}/steps/asking-for-help`)).json.reviews, 2);
    }
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

test('a reflection is peer reviewed by the same engine, then its coach comments: pushed, in the inbox, kept with the work', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner', kim: 'coach' });
    await addCohorts(clients.admin1, 'spring');
    const invite = await clients.admin1.post('/api/invites', { role: 'coach', cohort: 'spring' });
    clients.carl = await register(daemon, invite.json.code, 'carl');
    await trackLoaded(clients.ana, TRACK);
    for (const who of ['ana', 'bob', 'kim', 'carl', 'admin1']) sockets[who] = await connect(daemon, clients[who]);

    // Both hand in their reflection; each is given to the other to read.
    const work = await submitReflection(sockets.ana, 'When Sam and I looked for a bug, I *listened* first.');
    await submitReflection(sockets.bob, 'I explained cd to a peer.');
    const { assignments } = await ok(sockets.bob, 'review.list');
    const toRead = assignments.find((a) => a.submission === work && a.state === 'assigned');
    assert.ok(toRead, `bob reads ana's reflection: ${JSON.stringify(assignments)}`);
    const got = await ok(sockets.bob, 'review.get', { assignment: toRead.assignment });
    assert.equal(got.kind, 'reflection');
    assert.equal(got.rubric.length, 4);
    assert.match(got.body_html, /<em>listened<\/em>/);
    await ok(sockets.bob, 'review.submit', { assignment: toRead.assignment, verdict: 'pass', checks: [true, true, true, false], comment_md: 'Listening first: I will try that.' });
    await sockets.ana.next((m) => m.event === 'progress' && m.step === TEAM.step && m.state === 'passed');
    let mine = await ok(sockets.ana, 'submission.get', TEAM);
    assert.equal(mine.state, 'passed');
    assert.equal(mine.reviews.length, 1);
    assert.deepEqual(mine.comments, []);

    // Refused: a learner, a coach of another cohort, no such work, too long, empty.
    const body = 'Good that you listened first: that is how teams work.';
    const learner = await refused(sockets.bob, 'reflection.comment', { submission: work, body }, 'forbidden');
    assert.equal(learner.reason, 'coaches_only');
    const other = await refused(sockets.carl, 'reflection.comment', { submission: work, body }, 'forbidden');
    assert.equal(other.reason, 'not_your_cohort');
    assert.equal((await refused(sockets.kim, 'reflection.comment', { submission: 999999, body }, 'not_found')).reason, 'submission_missing');
    await refused(sockets.kim, 'reflection.comment', { submission: work, body: 'x'.repeat(2001) }, 'too_large');
    await refused(sockets.kim, 'reflection.comment', { submission: work, body: '' }, 'bad_value');
    mine = await ok(sockets.ana, 'submission.get', TEAM);
    assert.deepEqual(mine.comments, [], 'nothing refused was stored');

    // Her coach comments: the reply after the store, the event and the notification to ana.
    const reply = await ok(sockets.kim, 'reflection.comment', { submission: work, body });
    assert.equal(reply.submission, work);
    assert.ok(Number.isInteger(reply.comment) && reply.comment > 0);
    const event = await sockets.ana.next((m) => m.event === 'reflection.comment');
    assert.equal(event.submission, work);
    assert.equal(event.track, TRACK);
    assert.equal(event.step, TEAM.step);
    assert.equal(event.title, 'Reflection: working in a team');
    assert.equal(event.comment.body, body);
    assert.equal(event.comment.from.handle, 'kim');
    const pushed = await sockets.ana.next((m) => m.event === 'notification' && m.notification.kind === 'reflection_comment');
    assert.equal(pushed.notification.event.comment.comment, reply.comment);
    const inbox = await ok(sockets.ana, 'notification.list');
    assert.equal(inbox.notifications.filter((n) => n.kind === 'reflection_comment').length, 1);
    assert.ok(!(await ok(sockets.bob, 'notification.list')).notifications.some((n) => n.kind === 'reflection_comment'), 'only the author is told');

    // Her coach reads the cohort's reflections on the track, with the comments on each.
    let listed = await ok(sockets.kim, 'reflection.list', { cohort: 'autumn', track: TRACK });
    assert.deepEqual(listed.reflections.map((r) => [r.user.handle, r.step, r.attempt]).sort(),
      [['ana', TEAM.step, 1], ['bob', TEAM.step, 1]]);
    const hers = listed.reflections.find((r) => r.submission === work);
    assert.match(hers.body_html, /<em>listened<\/em>/);
    assert.deepEqual(hers.comments.map((c) => [c.body, c.from.handle]), [[body, 'kim']]);
    assert.equal((await refused(sockets.carl, 'reflection.list', { cohort: 'autumn', track: TRACK }, 'forbidden')).reason, 'not_your_cohort');
    assert.equal((await refused(sockets.bob, 'reflection.list', { cohort: 'autumn', track: TRACK }, 'forbidden')).reason, 'coaches_only');
    await refused(sockets.kim, 'reflection.list', { cohort: 'autumn', track: 'no-such-track' }, 'not_found');
    listed = await ok(sockets.carl, 'reflection.list', { cohort: 'spring', track: TRACK });
    assert.deepEqual(listed.reflections, [], 'another cohort has none');

    // An admin may comment too; both stay with the work, oldest first.
    await ok(sockets.admin1, 'reflection.comment', { submission: work, body: 'Well put.' });
    mine = await ok(sockets.ana, 'submission.get', TEAM);
    assert.deepEqual(mine.comments.map((c) => [c.body, c.from.handle, c.attempt]), [[body, 'kim', 1], ['Well put.', 'admin1', 1]]);
    // bob's own step has none.
    assert.deepEqual((await ok(sockets.bob, 'submission.get', TEAM)).comments, []);

    // Work on a step that is no reflection: refused, whoever may coach.
    await trackLoaded(clients.ana, WEB);
    await doSteps(sockets.ana, WEB, WEB_STEPS);
    await ok(sockets.ana, 'progress.set', { track: WEB, step: 'project', state: 'started' });
    const project = (await ok(sockets.ana, 'submission.create', { track: WEB, step: 'project', body_md: 'My page.' })).submission.id;
    const notReflection = await refused(sockets.kim, 'reflection.comment', { submission: project, body }, 'bad_value');
    assert.equal(notReflection.reason, 'not_a_reflection');
    assert.equal(notReflection.field, 'submission');
  } finally {
    for (const socket of Object.values(sockets)) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
