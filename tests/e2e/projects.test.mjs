// Partner projects (docs/api.md, "Partner projects"), over the real daemon:
// a partner writes a brief and proposes it; a coach of another centre is
// refused; the centre's coach approves it (it becomes the track
// partner-ID) and opens it to a cohort; learners make teams and join one;
// a learner of a cohort it is not open to sees no such track (the list,
// direct GETs and the socket's subscribe); one member hands in, and the
// other's hand-in is a conflict; the first team's work is decided by the
// coach, which passes both its members; a reviewer who passed reviews the
// next team's work, which passes both of its members; the partner reads
// the teams and the work and gives feedback that reaches both members'
// streams and their inbox, submission.get and portfolio; the partner is
// refused the board, progress, other partners' projects, users and
// outcomes. The operator links a track in git as a project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, register, connect, ok, refused, runCli } from '../lib/daemon.mjs';

const NOORD = 'Centrum Noord';
const ZUID = 'Zuid';
const BRIEF = {
  title: 'A site for the bakery',
  summary: 'Two pages for the bakery around the corner: the bread, and where to find it.',
  brief_md: '# Bakker Bart\n\nBart bakes bread. Make **two pages**: the bread, and the way to the shop.',
  team_size: 2,
  checklist: ['Both pages load and link to each other', 'Every picture has an alt text'],
  centre: NOORD,
};

async function invited(daemon, admin, handle, role, cohort) {
  const invite = await admin.post('/api/invites', { role, cohort });
  assert.equal(invite.status, 201, invite.text);
  return register(daemon, invite.json.code, handle);
}

async function served(client, track) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${track}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${track} was never served`);
}

test('a partner project from brief to feedback, across the roles', { timeout: 120000 }, async () => {
  const daemon = await startDaemon({ config: `messages_per_second = 0\ndefault_centre = ${NOORD}\n` });
  try {
    const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args], 60000, { GROUNDS_CONFIG: '' });
    const admin = await register(daemon, daemon.firstInvite, 'admin1');
    assert.equal((await cli('centre', 'add', ZUID)).code, 0);
    for (const [name, centre] of [['autumn', NOORD], ['winter', NOORD], ['spring', ZUID]])
      assert.equal((await admin.post('/api/cohorts', { name, centre })).status, 201);
    const mona = await invited(daemon, admin, 'mona', 'coach', 'autumn');
    const carl = await invited(daemon, admin, 'carl', 'coach', 'spring');
    const pia = await invited(daemon, admin, 'pia', 'partner', null);
    const paul = await invited(daemon, admin, 'paul', 'partner', null);
    const learners = {};
    for (const handle of ['ann', 'ben', 'cat', 'dan']) learners[handle] = await invited(daemon, admin, handle, 'learner', 'autumn');
    const wim = await invited(daemon, admin, 'wim', 'learner', 'winter');
    assert.equal((await admin.post('/api/invites', { role: 'partner', cohort: 'autumn' })).status, 400,
      'a partner belongs to no cohort');

    // The partner writes a brief: bad input names its field; a draft is theirs alone.
    const bad = await pia.post('/api/projects', { ...BRIEF, team_size: 9 });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'team_size');
    const noCentre = await pia.post('/api/projects', { ...BRIEF, centre: 'Nowhere' });
    assert.equal(noCentre.json.error.field, 'centre');
    const made = await pia.post('/api/projects', BRIEF);
    assert.equal(made.status, 201, made.text);
    const id = made.json.id;
    assert.equal(made.json.state, 'draft');
    // The brief renders on a worker just after it is written: null until then, then safe HTML.
    assert.ok(made.json.brief_html === null || /<strong>two pages<\/strong>/.test(made.json.brief_html));
    let rendered = made.json.brief_html;
    for (let i = 0; i < 100 && rendered === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rendered = (await pia.get(`/api/projects/${made.json.id}`)).json.brief_html;
    }
    assert.match(rendered, /<strong>two pages<\/strong>/);
    assert.deepEqual(made.json.checklist, BRIEF.checklist);
    assert.equal(made.json.track, null);
    assert.deepEqual(made.json.partner, { handle: 'pia', display_name: 'pia' });
    assert.equal((await learners.ann.post('/api/projects', BRIEF)).status, 403, 'only partners write briefs');
    assert.deepEqual((await mona.get('/api/projects')).json.projects, [], 'coaches see no drafts');
    assert.equal((await paul.get(`/api/projects/${id}`)).json.error.reason, 'not_your_project');
    assert.equal((await paul.post(`/api/projects/${id}/propose`, {})).status, 403);
    const edited = await pia.post(`/api/projects/${id}`, { ...BRIEF, summary: 'Two pages for Bakker Bart.' });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json.summary, 'Two pages for Bakker Bart.');

    // Proposed: the centre's coaches are told at once and in their inbox.
    const monaSocket = await connect(daemon, mona);
    assert.equal((await pia.post(`/api/projects/${id}/propose`, {})).json.state, 'proposed');
    const proposed = await monaSocket.next((m) => m.event === 'project.proposed');
    assert.equal(proposed.project, id);
    assert.equal(proposed.partner, 'pia');
    const monaInbox = (await ok(monaSocket, 'notification.list')).notifications;
    assert.ok(monaInbox.some((n) => n.kind === 'project_proposed'), JSON.stringify(monaInbox));
    assert.equal((await pia.post(`/api/projects/${id}`, BRIEF)).json.error.reason, 'project_state', 'no edits once sent');

    // A coach of another centre is refused; the centre's coach returns it, then approves it.
    const refusedApproval = await carl.post(`/api/projects/${id}/approve`, {});
    assert.equal(refusedApproval.status, 403);
    assert.equal(refusedApproval.json.error.reason, 'not_your_project');
    assert.equal((await pia.post(`/api/projects/${id}/approve`, {})).json.error.reason, 'coaches_only');
    const returned = await mona.post(`/api/projects/${id}/return`, { note: 'Say what the bread is called.' });
    assert.equal(returned.json.state, 'draft', returned.text);
    assert.equal(returned.json.note, 'Say what the bread is called.');
    await pia.post(`/api/projects/${id}/propose`, {});
    const approved = await mona.post(`/api/projects/${id}/approve`, {});
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.state, 'open');
    const track = `partner-${id}`;
    assert.equal(approved.json.track, track);
    await served(mona, track);
    const step = (await mona.get(`/api/tracks/${track}/steps/brief`)).json;
    assert.equal(step.kind, 'project');
    assert.equal(step.reviews, 2);
    assert.deepEqual(step.rubric, BRIEF.checklist);
    assert.match(step.html, /Bart bakes bread/);
    assert.equal((await carl.post(`/api/projects/${id}/open`, { cohort: 'autumn' })).status, 403);
    assert.equal((await mona.post(`/api/projects/${id}/open`, { cohort: 'spring' })).json.error.field, 'cohort');
    const opened = await mona.post(`/api/projects/${id}/open`, { cohort: 'autumn' });
    assert.deepEqual(opened.json.cohorts, ['autumn']);

    // Who sees the track: the partner theirs only, learners of autumn, not wim (winter) nor carl.
    const piaTracks = (await pia.get('/api/tracks')).json.map((t) => t.id);
    assert.deepEqual(piaTracks, [track], 'a partner sees only their projects\' tracks');
    assert.equal((await pia.get('/api/tracks/web-basics')).status, 404);
    assert.ok((await learners.ann.get('/api/tracks')).json.some((t) => t.id === track));
    assert.ok(!(await wim.get('/api/tracks')).json.some((t) => t.id === track));
    for (const path of [`/api/tracks/${track}`, `/api/tracks/${track}/steps/brief`]) {
      const answer = await wim.get(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.json.error.reason, 'track_missing', path);
    }
    assert.equal((await carl.get(`/api/tracks/${track}`)).status, 404, 'a coach of another centre');
    assert.deepEqual((await wim.get('/api/projects')).json.projects, []);
    assert.equal((await wim.get(`/api/projects/${id}`)).json.error.reason, 'project_missing');
    const wimSocket = await connect(daemon, wim);
    await refused(wimSocket, 'subscribe', { topic: `track:${track}` }, 'not_found');
    await refused(wimSocket, 'subscribe', { topic: `room:${track}/brief` }, 'not_found');
    await refused(wimSocket, 'progress.set', { track, step: 'brief', state: 'started' }, 'not_found');
    await refused(wimSocket, 'submission.create', { track, step: 'brief', body_md: 'x' }, 'not_found');

    // Teams: ann makes Alpha and ben joins; cat makes Beta and dan joins; Alpha is full.
    const sockets = {};
    for (const handle of Object.keys(learners)) {
      sockets[handle] = await connect(daemon, learners[handle]);
      await ok(sockets[handle], 'subscribe', { topic: `track:${track}` });
      await ok(sockets[handle], 'progress.set', { track, step: 'brief', state: 'started' });
    }
    const noTeam = await refused(sockets.ann, 'submission.create', { track, step: 'brief', body_md: 'Alone.' }, 'conflict');
    assert.equal(noTeam.reason, 'team_required');
    const alpha = (await learners.ann.post(`/api/projects/${id}/teams`, { name: 'Alpha' })).json.team;
    assert.deepEqual(alpha.members.map((m) => m.handle), ['ann']);
    assert.equal((await learners.ben.post(`/api/teams/${alpha.id}/join`, {})).status, 200);
    const beta = (await learners.cat.post(`/api/projects/${id}/teams`, { name: 'Beta' })).json.team;
    const full = await learners.dan.post(`/api/teams/${alpha.id}/join`, {});
    assert.equal(full.json.error.reason, 'team_full');
    assert.equal((await learners.dan.post(`/api/teams/${beta.id}/join`, {})).status, 200);
    assert.equal((await learners.dan.post(`/api/projects/${id}/teams`, { name: 'Gamma' })).json.error.reason, 'already_in_team');
    assert.equal((await wim.post(`/api/teams/${alpha.id}/join`, {})).status, 404, 'not a project of his cohort');
    assert.equal((await learners.ann.get('/api/me')).json.projects, 1, 'open projects for the header');
    assert.equal((await wim.get('/api/me')).json.projects, undefined, 'none: left out');
    assert.equal((await pia.get('/api/me')).json.projects, undefined);
    const annView = (await learners.ann.get('/api/projects')).json;
    assert.equal(annView.mine[id], alpha.id);
    assert.deepEqual(annView.projects[0].teams.map((t) => t.members.length), [2, 2]);

    // Beta hands in first; nobody has passed the step, so the coach decides: both pass.
    const betaWork = await ok(sockets.cat, 'submission.create', { track, step: 'brief', body_md: 'Beta\'s **bread** pages.' });
    assert.equal(betaWork.state, 'submitted');
    const danSees = await sockets.dan.next((m) => m.event === 'submission' && m.track === track);
    assert.equal(danSees.state, 'submitted', 'the other member\'s progress moves too');
    assert.equal((await learners.dan.post(`/api/teams/${beta.id}/leave`, {})).json.error.reason, 'team_handed_in');
    const danAgain = await refused(sockets.dan, 'submission.create', { track, step: 'brief', body_md: 'Me too.' }, 'conflict');
    assert.equal(danAgain.reason, 'step_state', 'one attempt at a time per team');
    await ok(monaSocket, 'review.coach', { submission: betaWork.submission.id, action: 'decide', verdict: 'pass', note: 'Well done.' });
    for (const handle of ['cat', 'dan']) {
      const passed = await sockets[handle].next((m) => m.event === 'progress' && m.track === track && m.state === 'passed');
      assert.equal(passed.user, handle);
    }

    // Alpha: ann hands in, ben's hand-in is a conflict; cat and dan (who passed) review it.
    const alphaWork = await ok(sockets.ann, 'submission.create', { track, step: 'brief', body_md: 'Alpha\'s pages.', link: 'https://example.org/alpha' });
    await refused(sockets.ben, 'submission.create', { track, step: 'brief', body_md: 'Ours too.' }, 'conflict');
    const benWork = await ok(sockets.ben, 'submission.get', { track, step: 'brief' });
    assert.equal(benWork.submission, alphaWork.submission.id, 'a member reads the team\'s work');
    assert.deepEqual(benWork.team.members.map((m) => m.handle), ['ann', 'ben']);
    for (const handle of ['cat', 'dan']) {
      const assignment = (await ok(sockets[handle], 'review.list')).assignments.find((a) => a.submission === alphaWork.submission.id);
      assert.ok(assignment, `${handle} reviews Alpha's work`);
      await ok(sockets[handle], 'review.submit', { assignment: assignment.assignment, verdict: 'pass', checks: [true, true], comment_md: 'Good.' });
    }
    for (const handle of ['ann', 'ben']) {
      const passed = await sockets[handle].next((m) => m.event === 'progress' && m.track === track && m.state === 'passed');
      assert.equal(passed.user, handle);
    }
    // Any member of the team may rate or flag a review of its work; a reviewer may not.
    const alphaReviews = (await ok(sockets.ben, 'submission.get', { track, step: 'brief' })).reviews;
    assert.equal(alphaReviews.length, 2);
    const rated = await ok(sockets.ben, 'review.rate', { review: alphaReviews[0].review, helpfulness: 4 });
    assert.equal(rated.helpfulness, 4);
    await ok(sockets.ben, 'review.flag', { review: alphaReviews[1].review, kind: 'empty', reason: 'It says only "Good."' });
    const notHers = await refused(sockets.cat, 'review.rate', { review: alphaReviews[0].review, helpfulness: 1 }, 'forbidden');
    assert.equal(notHers.reason, 'review_author_only');
    const seen = (await ok(sockets.ann, 'submission.get', { track, step: 'brief' })).reviews;
    assert.equal(seen.find((r) => r.review === alphaReviews[0].review).helpfulness, 4, 'the author sees the rating');
    assert.equal(seen.find((r) => r.review === alphaReviews[1].review).flagged, true);

    // The partner reads the teams and the work, and gives feedback that reaches both members.
    const piaView = (await pia.get(`/api/projects/${id}`)).json;
    const alphaRow = piaView.teams.find((t) => t.name === 'Alpha');
    assert.equal(alphaRow.submission.state, 'passed');
    assert.match(alphaRow.submission.body_html, /Alpha/);
    assert.equal(alphaRow.submission.link, 'https://example.org/alpha');
    assert.equal((await paul.post('/api/projects/feedback', { submission: alphaWork.submission.id, body: 'Hi' })).json.error.reason, 'not_your_project');
    assert.equal((await learners.ann.post('/api/projects/feedback', { submission: alphaWork.submission.id, body: 'Hi' })).status, 403);
    const given = await pia.post('/api/projects/feedback', { submission: alphaWork.submission.id, body: 'The bread page made me hungry.' });
    assert.equal(given.status, 201, given.text);
    for (const handle of ['ann', 'ben']) {
      const pushed = await sockets[handle].next((m) => m.event === 'project.feedback');
      assert.equal(pushed.feedback.body, 'The bread page made me hungry.');
      assert.equal(pushed.submission, alphaWork.submission.id);
      const inbox = (await ok(sockets[handle], 'notification.list')).notifications;
      assert.ok(inbox.some((n) => n.kind === 'partner_feedback'), `${handle}'s inbox`);
      const work = await ok(sockets[handle], 'submission.get', { track, step: 'brief' });
      assert.deepEqual(work.feedback.map((f) => f.body), ['The bread page made me hungry.']);
    }
    assert.ok(!sockets.cat.inbox.some((m) => m.event === 'project.feedback'), 'not to another team');
    assert.equal((await pia.get(`/api/projects/${id}`)).json.teams.find((t) => t.name === 'Alpha').submission.feedback.length, 1);

    // The portfolio: shown when the learner chooses, without the partner's name in public.
    const portfolio = (await learners.ben.get('/api/portfolio')).json;
    assert.equal(portfolio.partner_feedback.length, 1);
    assert.equal(portfolio.partner_feedback[0].shown, false);
    assert.equal(portfolio.partner_feedback[0].project, BRIEF.title);
    const feedbackId = portfolio.partner_feedback[0].feedback;
    assert.equal((await learners.cat.post('/api/portfolio/show', { feedback: feedbackId, shown: true })).status, 404);
    assert.equal((await learners.ben.post('/api/portfolio/show', { feedback: feedbackId, shown: true })).status, 200);
    // The team's passed work is in both members' portfolios, the one who did not hand it in too.
    for (const handle of ['ann', 'ben']) {
      const projects = (await learners[handle].get('/api/portfolio')).json.projects;
      assert.deepEqual(projects.map((p) => [p.submission, p.shown]), [[alphaWork.submission.id, false]], handle);
    }
    assert.equal((await learners.cat.post('/api/portfolio/show', { submission: alphaWork.submission.id, shown: true })).status, 403, 'another team\'s work');
    assert.equal((await learners.ben.post('/api/portfolio/show', { submission: alphaWork.submission.id, shown: true })).status, 200);
    const link = (await learners.ben.post('/api/portfolio/share', {})).json.token;
    const shown = (await daemon.client().get(`/api/portfolio/public/${link}`)).json;
    assert.deepEqual(shown.partner_feedback, [{ feedback: feedbackId, project: BRIEF.title, body: 'The bread page made me hungry.' }]);
    assert.deepEqual(shown.projects.map((p) => p.submission), [alphaWork.submission.id]);
    assert.ok(!JSON.stringify(shown).includes('pia'));

    // The partner sees nothing else.
    const piaSocket = await connect(daemon, pia);
    await refused(piaSocket, 'board.get', { cohort: 'autumn', track }, 'forbidden');
    await refused(piaSocket, 'progress.set', { track, step: 'brief', state: 'started' }, 'forbidden');
    await refused(piaSocket, 'submission.create', { track, step: 'brief', body_md: 'x' }, 'forbidden');
    await refused(piaSocket, 'review.list', {}, 'forbidden');
    await refused(piaSocket, 'subscribe', { topic: `board:autumn/${track}` }, 'forbidden');
    await ok(piaSocket, 'subscribe', { topic: `track:${track}` });
    for (const path of ['/api/users?q=a', '/api/outcomes', '/api/applications', `/api/board.csv?cohort=autumn&track=${track}`])
      assert.equal((await pia.get(path)).status, 403, path);
    const paulView = (await paul.get('/api/projects')).json.projects;
    assert.deepEqual(paulView, [], 'a partner of another project cannot read it');
    assert.equal((await paul.get(`/api/tracks/${track}`)).status, 404);

    // Closed: no new teams, everything stays readable.
    assert.equal((await mona.post(`/api/projects/${id}/close`, {})).json.state, 'closed');
    assert.equal((await learners.ann.post(`/api/teams/${beta.id}/join`, {})).json.error.reason, 'project_closed');
    assert.equal((await learners.ann.get(`/api/tracks/${track}`)).status, 200);

    // The operator's tool lists and shows it.
    const listed = await cli('project', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${id}\\s+closed\\s+${NOORD}\\s+pia\\s+${track}`));
    const showed = await cli('project', 'show', String(id));
    assert.match(showed.stdout, /team:\s+\d+ Alpha \(autumn, 2\): ann ben, handed in/);
    for (const socket of [monaSocket, wimSocket, piaSocket, ...Object.values(sockets)]) socket.close();
  } finally {
    await daemon.stop();
  }
});

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

test('an operator links a track in git as a partner project, open at once', { timeout: 60000 }, async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  const repo = await mkdtemp(join(tmpdir(), 'grounds-partner-repo-'));
  try {
    const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args], 60000, { GROUNDS_CONFIG: '' });
    const admin = await register(daemon, daemon.firstInvite, 'admin1');
    assert.equal((await admin.post('/api/cohorts', { name: 'autumn' })).status, 201);
    const coach = await invited(daemon, admin, 'mona', 'coach', 'autumn');
    const ann = await invited(daemon, admin, 'ann', 'learner', 'autumn');
    await invited(daemon, admin, 'pia', 'partner', null);
    await writeFile(join(repo, 'track.md'), '# Shop window\n\nA window for a shop.\n\n## Project\n\n- [The brief](brief.md)\n');
    await writeFile(join(repo, 'brief.md'), '---\nkind: project\n---\n# The window\n\nMake it.\n\n## Review checklist\n\n- [ ] It shows the shop\n');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'brief');
    assert.equal((await cli('track', 'add', 'shop-window', repo)).code, 0);
    const wrong = await cli('project', 'add', '--track', 'web-basics', '--partner', 'pia', '--centre', 'Main centre', '--team-size', '3');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /not a loaded track of one project step/);
    const notPartner = await cli('project', 'add', '--track', 'shop-window', '--partner', 'ann', '--centre', 'Main centre', '--team-size', '3');
    assert.match(notPartner.stderr, /not a partner/);
    assert.match((await cli('project', 'add', '--track', 'shop-window', '--partner', 'pia', '--centre', 'Main centre', '--team-size', '9')).stderr, /2 to 6/);
    const linked = await cli('project', 'add', '--track', 'shop-window', '--partner', 'pia', '--centre', 'Main centre', '--team-size', '3');
    assert.equal(linked.code, 0, linked.stderr);
    const id = Number(linked.stdout.match(/Project (\d+)/)[1]);
    // Now a partner track: not served to learners until a coach opens it to their cohort.
    assert.equal((await ann.get('/api/tracks/shop-window')).status, 404);
    const project = (await coach.post(`/api/projects/${id}/open`, { cohort: 'autumn' })).json;
    assert.equal(project.state, 'open');
    assert.equal(project.track, 'shop-window');
    assert.deepEqual(project.checklist, ['It shows the shop']);
    assert.equal(project.team_size, 3);
    await served(ann, 'shop-window');
  } finally {
    await daemon.stop();
    await rm(repo, { recursive: true, force: true });
  }
});
