// Partner projects in the web client, once in English and once in Dutch: a
// partner signs in to their projects (their home), writes a brief with a
// preview, saves it and sends it to the coaches; the coach is told in the
// inbox and sends it back with a note; the partner changes the draft and
// sends it again; the coach approves it and opens it to the group "autumn";
// two learners find "Projects" in the header, one makes a team and the
// other joins it, and one hands in on the project step page, which shows
// the team; a coach decides the work through the coaches' review
// (review.coach); the partner opens the team's work and gives feedback;
// both members see it on the step page and in their inbox, and one shows
// it on their portfolio and its public link, without the partner's name.
// No serious accessibility violation at 360 and 1280 px on any of these
// pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { register, ok } from '../lib/daemon.mjs';
import { openCentre, pageIn, signInForm, scanned, table } from '../lib/centre.mjs';

let centre;
let daemon;
let kim; // the coach's socket, for the coaches' review
const words = {};

before(async () => {
  centre = await openCentre({ people: [['kim', 'coach', 'Kim'], ['ana', 'learner', 'Ana'], ['bob', 'learner', 'Bob'],
    ['cai', 'learner', 'Cai'], ['dan', 'learner', 'Dan']] });
  daemon = centre.daemon;
  const invite = await centre.clients.admin1.post('/api/invites', { role: 'partner' });
  assert.equal(invite.status, 201, invite.text);
  centre.clients.pia = await register(daemon, invite.json.code, 'pia', undefined, 'Pia Bakery');
  kim = await centre.socketOf('kim');
  for (const code of ['en', 'nl']) {
    words[code] = Object.assign({}, await table(code), await table(`${code}-projects`), await table(`${code}-portfolio`));
  }
});
after(() => centre?.close());

async function signedIn(code, handle) {
  const page = await pageIn(centre.browser, code);
  await signInForm(page, daemon, handle);
  return page;
}

async function waitForTrack(client, id) {
  for (let i = 0; i < 400 && (await client.get(`/api/tracks/${id}`)).status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal((await client.get(`/api/tracks/${id}`)).status, 200, `the track ${id} is served`);
}

const FLOWS = {
  en: { title: 'A web page for our bakery', team: 'Bakers', members: ['ana', 'bob'],
    feedback: 'The menu is clear. Next time, add our opening hours.' },
  nl: { title: 'Een webpagina voor onze bakkerij', team: 'Bakkers', members: ['cai', 'dan'],
    feedback: 'Het menu is duidelijk. Zet er volgende keer onze openingstijden bij.' },
};

for (const [code, flow] of Object.entries(FLOWS)) {
  test(`a partner's brief, a team's work and the partner's feedback on it (${code})`, async () => {
    const said = words[code];
    const [first, second] = flow.members;

    // The partner: home is their projects; a brief, previewed, saved, sent.
    const pia = await signedIn(code, 'pia');
    await pia.waitForURL((url) => url.pathname === '/projects');
    await pia.getByRole('heading', { level: 1, name: said['projects.title.partner'] }).waitFor();
    assert.ok(await pia.locator('#nav-projects').isVisible(), 'Projects in the header');
    for (const hidden of ['#nav-board', '#nav-admin', '#nav-reviews']) assert.ok(await pia.locator(hidden).isHidden(), hidden);
    await scanned(pia, `a partner's projects (${code})`);
    await pia.locator('#write-brief').click();
    await pia.getByRole('heading', { level: 1, name: said['projects.new'] }).waitFor();
    await pia.getByLabel(said['projects.field.title'], { exact: true }).fill(flow.title);
    await pia.locator('#field-summary').fill('One page with our bread, our prices and where to find us.');
    await pia.locator('#field-brief_md').fill('We sell **bread** and cakes.\n\n- a menu with prices\n- a map');
    await pia.locator('#field-team_size').fill('2');
    await pia.locator('#field-checklist').fill('The page shows the menu with prices\n\nThe page is easy to read on a phone\n');
    await pia.locator('#preview-brief').click();
    await pia.locator('#field-brief_md-preview strong', { hasText: 'bread' }).waitFor();
    await scanned(pia, `writing a brief, with its preview (${code})`);
    await pia.locator('#save-brief').click();
    await pia.waitForURL(/\/projects\/\d+\?saved=1$/);
    const id = Number(new URL(pia.url()).pathname.split('/').pop());
    const track = `partner-${id}`;
    assert.equal(await pia.locator('#project-status').innerText(), said['projects.saved']);
    assert.equal(await pia.locator('#project-state').innerText(), said['projects.state.draft']);
    assert.deepEqual(await pia.locator('#project-checklist li').allInnerTexts(),
      ['The page shows the menu with prices', 'The page is easy to read on a phone']);
    await scanned(pia, `a draft brief (${code})`);
    await pia.locator('#propose').click();
    await pia.locator('#project-status', { hasText: said['projects.proposed'] }).waitFor();
    assert.equal(await pia.locator('#project-state').innerText(), said['projects.state.proposed']);
    assert.equal(await pia.locator('#brief-form').count(), 0, 'no changes while the coaches have it');

    // The coach: told in the inbox; approves and opens it to "autumn".
    const coach = await signedIn(code, 'kim');
    await coach.goto(`${daemon.url}/inbox`);
    const told = coach.locator('[data-kind="project_proposed"]', { hasText: flow.title });
    await told.waitFor();
    await told.getByRole('link').click();
    await coach.waitForURL((url) => url.pathname === `/projects/${id}`);
    await coach.getByRole('heading', { level: 1, name: flow.title }).waitFor();
    await coach.locator('#project-brief strong', { hasText: 'bread' }).waitFor();
    await scanned(coach, `a brief for the coach to read (${code})`);

    // Sent back once with a note; the partner changes the draft and sends it again.
    const note = code === 'en' ? 'Please say where the bakery is.' : 'Zeg ook waar de bakkerij is.';
    await coach.getByLabel(said['projects.return.note'], { exact: true }).fill(note);
    await coach.locator('#return-form button[type=submit]').click();
    await coach.locator('#project-status', { hasText: said['projects.done.return'] }).waitFor();
    await pia.goto(`${daemon.url}/projects/${id}`);
    await pia.locator('#project-note', { hasText: note }).waitFor();
    assert.equal(await pia.locator('#project-state').innerText(), said['projects.state.draft']);
    await pia.locator('#field-summary').fill('One page with our bread, our prices and our address: Main Street 1.');
    await pia.locator('#save-brief').click();
    await pia.locator('#project-status', { hasText: said['projects.saved'] }).waitFor();
    // The coach watches the list of projects: the brief sent again shows there, live.
    await coach.goto(`${daemon.url}/projects`);
    await coach.locator('#projects-list').waitFor();
    await coach.evaluate(() => { window.notReloaded = true; });
    await pia.locator('#propose').click();
    await pia.locator('#project-status', { hasText: said['projects.proposed'] }).waitFor();
    await coach.locator(`#projects-proposed [data-project="${id}"][data-state="proposed"]`).waitFor();
    assert.equal(await coach.evaluate(() => window.notReloaded), true, 'the list came without a reload');
    await coach.goto(`${daemon.url}/projects/${id}`);
    await coach.locator('main .summary', { hasText: 'Main Street 1' }).waitFor();
    await coach.locator('#approve').click();
    await coach.locator('#project-status', { hasText: said['projects.done.approve'] }).waitFor();
    await coach.locator('#field-open-cohort').selectOption('autumn');
    await coach.locator('#open-form button[type=submit]').click();
    await coach.locator('#project-status', { hasText: said['projects.done.open'].replace('{cohort}', 'autumn') }).waitFor();
    assert.match(await coach.locator('#project-cohorts').innerText(), /autumn/);
    await scanned(coach, `an open project, for the coach (${code})`);
    await waitForTrack(centre.clients[first], track);

    // The learners: "Projects" in the header; one makes a team, the other joins.
    const one = await signedIn(code, first);
    await one.locator('#nav-projects').waitFor({ state: 'visible' });
    await one.locator('#nav-projects').click();
    await one.getByRole('heading', { level: 1, name: said['projects.title'] }).waitFor();
    await scanned(one, `a learner's projects (${code})`);
    await one.getByRole('link', { name: flow.title }).click();
    await one.locator('#no-team').waitFor();
    await one.getByLabel(said['projects.make.name'], { exact: true }).fill(flow.team);
    await one.locator('#team-form button[type=submit]').click();
    await one.locator('#project-status', { hasText: said['projects.joined'].replace('{name}', flow.team) }).waitFor();
    await one.locator('#my-team').waitFor();
    await scanned(one, `a learner's team (${code})`);

    const two = await signedIn(code, second);
    await two.goto(`${daemon.url}/projects/${id}`);
    await two.getByRole('button', { name: said['projects.join'].replace('{name}', flow.team) }).click();
    await two.locator('#my-team h2', { hasText: flow.team }).waitFor();
    const name = (handle) => handle[0].toUpperCase() + handle.slice(1); // their display names
    assert.match(await two.locator('#my-team').innerText(), new RegExp(`${name(first)}, ${name(second)}|${name(second)}, ${name(first)}`));

    // The project step: the team, and the usual hand-in form.
    await one.locator('#to-step').click();
    await one.waitForURL((url) => url.pathname === `/tracks/${track}/steps/brief`);
    await one.locator('#team-name', { hasText: flow.team }).waitFor();
    await one.locator('#field-body_md').fill('Our page: a menu with **prices** and a map.');
    await one.locator('#submit-work').click();
    await one.locator('#my-submission').waitFor();
    await scanned(one, `the project step with the team (${code})`);

    // A coach decides it, as for any first work that no peer can review yet.
    const projects = (await centre.clients.pia.get('/api/projects')).json.projects;
    const submission = projects.find((p) => p.id === id).teams[0].submission;
    assert.ok(submission && submission.id, 'the partner sees the team submission');
    await ok(kim, 'review.coach', { submission: submission.id, action: 'decide', verdict: 'pass', note: 'Well done.' });

    // The partner reads the team's work and gives feedback.
    await pia.goto(`${daemon.url}/projects/${id}`);
    const team = pia.locator('[data-team]', { hasText: flow.team });
    await team.locator('.content strong', { hasText: 'prices' }).waitFor();
    await team.locator('.state[data-state="passed"]').waitFor();
    await scanned(pia, `a team's work, for the partner (${code})`);
    await team.getByLabel(said['projects.feedback.field'].replace('{team}', flow.team)).fill(flow.feedback);
    await team.getByRole('button', { name: said['projects.feedback.send'] }).click();
    await pia.locator('#project-status', { hasText: said['projects.feedback.sent'].replace('{team}', flow.team) }).waitFor();
    await pia.locator('[data-team] [data-feedback]', { hasText: flow.feedback }).waitFor();

    // Both members: on the step page and in the inbox.
    await one.locator('#team-feedback [data-feedback]', { hasText: flow.feedback }).waitFor();
    await two.goto(`${daemon.url}/tracks/${track}/steps/brief`);
    await two.locator('#team-feedback [data-feedback]', { hasText: flow.feedback }).waitFor();
    for (const page of [one, two]) {
      await page.goto(`${daemon.url}/inbox`);
      await page.locator('[data-kind="partner_feedback"]', { hasText: flow.title }).waitFor();
    }
    await scanned(two, `the inbox with the partner's feedback (${code})`);
    await two.locator('[data-kind="partner_feedback"] a').click();
    await two.waitForURL((url) => url.pathname === `/tracks/${track}/steps/brief`);

    // One shows it on their portfolio; the public link has it, and no partner's name.
    await one.goto(`${daemon.url}/portfolio`);
    const card = one.locator('#portfolio-feedback [data-feedback]', { hasText: flow.feedback });
    await card.waitFor();
    await card.getByLabel(said['portfolio.show']).check();
    await card.locator('[role=status]', { hasText: said['portfolio.shownNow'] }).waitFor();
    await scanned(one, `a portfolio with the partner's feedback (${code})`);
    await one.locator('#share').click();
    const url = await one.locator('#share-link a').getAttribute('href');
    const visitor = await pageIn(centre.browser, code);
    await visitor.goto(url);
    await visitor.locator('#portfolio-feedback', { hasText: flow.feedback }).waitFor();
    assert.doesNotMatch(await visitor.locator('main').innerText(), /Pia Bakery|\bpia\b/);
    await scanned(visitor, `a shared portfolio with the partner's feedback (${code})`);

    for (const page of [pia, coach, one, two, visitor]) {
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  });
}
