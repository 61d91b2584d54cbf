// Portfolios and outcomes over HTTP (docs/api.md, "Portfolios", "Outcomes").
// A portfolio is its owner's alone until shared: nobody else reads it or
// changes what it shows; the public link shows only the chosen work and the
// tracks completed, with no name, no cohort and no date; a revoked or
// replaced link is refused with "This portfolio is not shared", and only the
// token's hash is stored. Outcomes: only a coach of the learner's cohort (or
// an admin) records one; the figures of each cohort (how many reached each
// outcome, the median days from joining) are right on a small fixture with
// known medians, and the CSV has the board export's rights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, people, addCohorts, register, ok, connect } from '../lib/daemon.mjs';

const L2L = 'learning-to-learn';
const L2L_STEPS = ['welcome', 'your-own-pace', 'ask-a-peer', 'how-reviews-work', 'giving-feedback', 'when-you-are-stuck'];
const SOFT = 'soft-skills';

async function tracksLoaded(client, ...tracks) {
  for (const track of tracks) {
    for (let i = 0; i < 400 && (await client.get(`/api/tracks/${track}`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function doSteps(socket, track, steps) {
  for (const step of steps) {
    await ok(socket, 'progress.set', { track, step, state: 'started' });
    await ok(socket, 'progress.set', { track, step, state: 'done' });
  }
}

// Both reflect on teamwork and read each other's: both pass.
async function passReflections(a, b) {
  const ids = [];
  for (const [socket, text] of [[a, 'I *listened* first when we looked for the bug.'], [b, 'I explained cd.']]) {
    await doSteps(socket, SOFT, ['what-soft-skills-are']);
    await ok(socket, 'progress.set', { track: SOFT, step: 'working-in-a-team', state: 'started' });
    ids.push((await ok(socket, 'submission.create', { track: SOFT, step: 'working-in-a-team', body_md: text })).submission.id);
  }
  for (const socket of [a, b]) {
    const { assignments } = await ok(socket, 'review.list');
    const mine = assignments.find((x) => x.state === 'assigned');
    const work = await ok(socket, 'review.get', { assignment: mine.assignment });
    await ok(socket, 'review.submit', { assignment: mine.assignment, verdict: 'pass', checks: work.rubric.map(() => true), comment_md: 'Thank you.' });
  }
  for (const socket of [a, b]) await socket.next((m) => m.event === 'progress' && m.step === 'working-in-a-team' && m.state === 'passed');
  return ids;
}

test('a portfolio is private until shared; the public link shows only what was chosen, no name; a revoked link is refused', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner' });
    await tracksLoaded(clients.ana, L2L, SOFT);
    sockets.ana = await connect(daemon, clients.ana);
    sockets.bob = await connect(daemon, clients.bob);
    await doSteps(sockets.ana, L2L, L2L_STEPS);
    const [anaWork, bobWork] = await passReflections(sockets.ana, sockets.bob);
    // Handed in, not passed (two reviews needed): not for a portfolio.
    await ok(sockets.ana, 'progress.set', { track: SOFT, step: 'asking-for-help', state: 'started' });
    const waiting = (await ok(sockets.ana, 'submission.create', { track: SOFT, step: 'asking-for-help', body_md: 'I asked.' })).submission.id;

    // Her own: the track she completed, her reflection not shown yet, not shared.
    let mine = (await clients.ana.get('/api/portfolio')).json;
    assert.deepEqual(mine.tracks.map((t) => t.track), [L2L]);
    assert.ok(mine.tracks[0].completed_at > 0);
    assert.deepEqual(mine.projects, []);
    assert.deepEqual(mine.reflections.map((r) => [r.submission, r.step, r.shown]), [[anaWork, 'working-in-a-team', false]]);
    assert.match(mine.reflections[0].body_html, /<em>listened<\/em>/);
    assert.deepEqual(mine.partner_feedback, []);
    assert.equal(mine.shared_at, null);

    // Nobody else reads or changes it.
    const bobs = (await clients.bob.get('/api/portfolio')).json;
    assert.ok(!JSON.stringify(bobs).includes('listened'), 'bob reads only his own');
    assert.equal((await clients.bob.post('/api/portfolio/show', { submission: anaWork, shown: true })).status, 403);
    assert.equal((await clients.ana.post('/api/portfolio/show', { submission: bobWork, shown: true })).status, 403);
    assert.equal((await daemon.client().get('/api/portfolio')).status, 401);
    const guessed = await daemon.client().get('/api/portfolio/public/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(guessed.status, 404);
    assert.equal(guessed.json.error.reason, 'portfolio_not_shared');
    const notPassed = await clients.ana.post('/api/portfolio/show', { submission: waiting, shown: true });
    assert.equal(notPassed.status, 409);
    assert.equal(notPassed.json.error.reason, 'work_not_passed');
    assert.equal((await clients.ana.post('/api/portfolio/show', { submission: anaWork, shown: 'yes' })).status, 400);

    // Shown and shared: the public page has the chosen work and the track, nothing personal.
    assert.equal((await clients.ana.post('/api/portfolio/show', { submission: anaWork, shown: true })).status, 200);
    const shared = await clients.ana.post('/api/portfolio/share', {});
    assert.equal(shared.status, 201);
    assert.equal(shared.json.path, `/p/${shared.json.token}`);
    const visitor = daemon.client();
    let seen = await visitor.get(`/api/portfolio/public/${shared.json.token}`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.json.tracks, [{ track: L2L, title: 'Learning to learn' }]);
    assert.deepEqual(seen.json.reflections.map((r) => r.submission), [anaWork]);
    assert.deepEqual(seen.json.projects, []);
    for (const personal of ['ana', 'autumn', 'completed_at', 'passed_at', 'shown', 'shared_at', 'I asked']) {
      assert.ok(!seen.text.includes(personal), `the public page says nothing of ${personal}: ${seen.text}`);
    }
    mine = (await clients.ana.get('/api/portfolio')).json;
    assert.ok(mine.shared_at > 0);
    assert.equal(mine.reflections[0].shown, true);

    // Only the hash of the token is stored.
    for (const file of (await readdir(daemon.dataDir)).filter((name) => name.startsWith('grounds.db'))) {
      assert.ok(!(await readFile(join(daemon.dataDir, file))).includes(shared.json.token), `${file} holds no token`);
    }

    // Hidden again: gone from the public page at once.
    await clients.ana.post('/api/portfolio/show', { submission: anaWork, shown: false });
    seen = await visitor.get(`/api/portfolio/public/${shared.json.token}`);
    assert.deepEqual(seen.json.reflections, []);

    // Revoked: refused with the plain sentence, and nothing else.
    assert.equal((await clients.ana.post('/api/portfolio/revoke', {})).status, 200);
    seen = await visitor.get(`/api/portfolio/public/${shared.json.token}`);
    assert.equal(seen.status, 404);
    assert.equal(seen.json.error.message, 'This portfolio is not shared.');
    assert.ok(!seen.text.includes('Learning to learn'));
    assert.equal((await clients.ana.get('/api/portfolio')).json.shared_at, null);

    // A new link works; the one before it does not.
    const again = (await clients.ana.post('/api/portfolio/share', {})).json;
    const newer = (await clients.ana.post('/api/portfolio/share', {})).json;
    assert.notEqual(again.token, newer.token);
    assert.equal((await visitor.get(`/api/portfolio/public/${again.token}`)).status, 404);
    assert.equal((await visitor.get(`/api/portfolio/public/${newer.token}`)).status, 200);
  } finally {
    for (const socket of Object.values(sockets)) socket.close();
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

test('outcomes: only a coach of the cohort records one; figures and medians per cohort; the CSV has the export rights', async () => {
  const daemon = await startDaemon();
  try {
    const clients = await people(daemon, { kim: 'coach', ann1: 'learner', ann2: 'learner', ann3: 'learner', ann4: 'learner', ann5: 'learner' });
    await addCohorts(clients.admin1, 'spring');
    for (const [handle, role] of [['carl', 'coach'], ['sam1', 'learner']]) {
      const invite = await clients.admin1.post('/api/invites', { role, cohort: 'spring' });
      clients[handle] = await register(daemon, invite.json.code, handle);
    }
    const record = (who, user, kind, offset, note = '') => clients[who].post('/api/outcomes', { user, kind, date: day(offset), note });

    // Refused: a learner, a coach of another cohort, nobody, a kind or a day that is none.
    let refusal = await record('ann1', 'ann2', 'job', 10);
    assert.deepEqual([refusal.status, refusal.json.error.reason], [403, 'coaches_only']);
    refusal = await record('carl', 'ann1', 'job', 10);
    assert.deepEqual([refusal.status, refusal.json.error.reason], [403, 'not_your_cohort']);
    refusal = await record('kim', 'sam1', 'job', 10);
    assert.deepEqual([refusal.status, refusal.json.error.reason], [403, 'not_your_cohort']);
    refusal = await record('kim', 'nobody', 'job', 10);
    assert.deepEqual([refusal.status, refusal.json.error.reason], [404, 'user_unknown']);
    refusal = await record('kim', 'kim', 'job', 10);
    assert.equal(refusal.status, 404, 'a coach has no outcome');
    refusal = await record('kim', 'ann1', 'rich', 10);
    assert.deepEqual([refusal.status, refusal.json.error.field], [400, 'kind']);
    refusal = await clients.kim.post('/api/outcomes', { user: 'ann1', kind: 'job', date: '2027-02-30' });
    assert.deepEqual([refusal.status, refusal.json.error.field], [400, 'date']);
    refusal = await record('kim', 'ann1', 'job', 10, 'x'.repeat(1001));
    assert.deepEqual([refusal.status, refusal.json.error.field], [400, 'note']);
    assert.equal((await clients.ann1.get('/api/outcomes')).status, 403);

    // The fixture: autumn ann1 job +10, ann2 job +30, ann3 internship +20, ann4 stopped +5 (ann5 none); spring sam1 study +40.
    for (const [who, user, kind, offset] of [['kim', 'ann1', 'job', 10], ['kim', 'ann2', 'job', 30], ['kim', 'ann3', 'internship', 20],
      ['admin1', 'ann4', 'stopped', 5], ['admin1', 'sam1', 'study', 40]]) {
      const recorded = await record(who, user, kind, offset, `Note on ${user}, with "quotes".`);
      assert.equal(recorded.status, 201, recorded.text);
    }
    const autumn = {
      cohort: 'autumn', centre: 'Main centre', learners: 5, reached: 4, median_days: 15,
      outcomes: { job: { count: 2, median_days: 20 }, internship: { count: 1, median_days: 20 }, study: { count: 0, median_days: null }, stopped: { count: 1, median_days: 5 } },
    };
    const spring = {
      cohort: 'spring', centre: 'Main centre', learners: 1, reached: 1, median_days: 40,
      outcomes: { job: { count: 0, median_days: null }, internship: { count: 0, median_days: null }, study: { count: 1, median_days: 40 }, stopped: { count: 0, median_days: null } },
    };
    assert.deepEqual((await clients.kim.get('/api/outcomes')).json.cohorts, [autumn], 'a coach sees the cohorts they coach');
    assert.deepEqual((await clients.carl.get('/api/outcomes')).json.cohorts, [spring]);
    assert.deepEqual((await clients.admin1.get('/api/outcomes')).json.cohorts, [autumn, spring], 'an admin sees all');
    // The one centre adds up what each reader sees of it: the admin both cohorts, kim autumn only.
    const centre = (reader) => clients[reader].get('/api/outcomes').then((r) => r.json.centres.map((c) => [c.centre, c.cohorts, c.learners, c.reached, c.median_days]));
    assert.deepEqual(await centre('admin1'), [['Main centre', ['autumn', 'spring'], 6, 5, 20]]);
    assert.deepEqual(await centre('kim'), [['Main centre', ['autumn'], 5, 4, 15]]);

    // Recording again replaces: ann2 now an internship at +31; medians move.
    assert.equal((await record('kim', 'ann2', 'internship', 31)).status, 201);
    const figures = (await clients.kim.get('/api/outcomes')).json.cohorts[0];
    assert.deepEqual(figures.outcomes.job, { count: 1, median_days: 10 });
    assert.deepEqual(figures.outcomes.internship, { count: 2, median_days: 25.5 });
    assert.equal(figures.reached, 4);
    assert.equal(figures.median_days, 15);

    // The CSV: the board export's rights, one row per learner with an outcome.
    const csv = await clients.kim.get('/api/outcomes.csv?cohort=autumn');
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'], /^text\/csv/);
    assert.match(csv.headers['content-disposition'], /filename="outcomes-autumn\.csv"/);
    const lines = csv.text.split('\r\n');
    assert.equal(lines[0], 'handle,display_name,cohort,joined_on,outcome,reached_on,days,note');
    assert.equal(lines.length, 6, csv.text); // header, 4 rows, and the empty string after the last CRLF
    assert.ok(lines.includes(`ann1,ann1,autumn,${day(0)},job,${day(10)},10,"Note on ann1, with ""quotes""."`), csv.text);
    assert.ok(lines.includes(`ann2,ann2,autumn,${day(0)},internship,${day(31)},31,`), csv.text);
    assert.equal((await clients.carl.get('/api/outcomes.csv?cohort=autumn')).status, 403);
    assert.equal((await clients.ann1.get('/api/outcomes.csv?cohort=autumn')).status, 403);
    assert.equal((await clients.admin1.get('/api/outcomes.csv?cohort=spring')).status, 200);
    assert.equal((await clients.kim.get('/api/outcomes.csv')).status, 400);
  } finally {
    assert.equal(await daemon.stop(), 0, daemon.stderr);
  }
});
