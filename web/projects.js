// projects.js - partner projects (docs/api.md, "Partner projects"): the
// page /projects and one project's page /projects/ID, by role. A partner
// writes a brief (with the formatting help and a preview), changes it while
// it is a draft, sends it to the coaches, and reads each team's work and
// gives feedback (never a grade). A coach or admin approves a brief or
// sends it back with a note, opens it to their groups, takes it back, closes
// it. A learner makes, joins or leaves a team and goes to the project step.
// Also the team and the partner's feedback on the step page of a partner's
// project (teamSection). app.js loads it when first needed. brief_html (null
// until the server has rendered a brief just written: its text shown plain) and
// body_html are rendered by the server in safe mode; feedback is plain text.

import { t, plural, addStrings, formatDate } from './i18n.js';
import * as live from './live.js';
import { h, labelled, errorLine, focusOn, sentenceWith } from './dom.js';
import { request, ApiError } from './api.js';
import { handleForm, showError, personName, stepHref } from './format.js';
import { me } from './session.js';
import { generation, onLeave, show, navigate } from './page.js';
import { formatting } from './reviews.js';

await addStrings('projects');

const STEP = 'brief'; // the one step of a partner's project

// docs/api.md, "Partner projects".
const projectsApi = {
  list: () => request('GET', '/api/projects'),
  one: (id) => request('GET', `/api/projects/${id}`),
  create: (fields) => request('POST', '/api/projects', fields),
  save: (id, fields) => request('POST', `/api/projects/${id}`, fields),
  act: (id, action, body = {}) => request('POST', `/api/projects/${id}/${action}`, body),
  makeTeam: (id, name) => request('POST', `/api/projects/${id}/teams`, { name }),
  team: (id, action) => request('POST', `/api/teams/${id}/${action}`, {}),
  feedback: (submission, body) => request('POST', '/api/projects/feedback', { submission, body }),
};

const coaching = () => me.role === 'coach' || me.role === 'admin';
const day = (ms) => formatDate(ms, { dateStyle: 'medium' });
const names = (members) => members.map(personName).join(', ');
const href = (project) => `/projects/${project.id}`;

function html(tag, attrs, text) {
  const element = h(tag, attrs);
  element.innerHTML = text || ''; // rendered by the server in safe mode
  return element;
}

function linkOf(link) {
  return /^https?:\/\//i.test(link || '') && h('p', { class: 'work-link' },
    h('a', { href: link, rel: 'noopener noreferrer nofollow', target: '_blank', text: link }));
}

// A button that does fn, then says done; a refusal is said in box.
function action(text, box, fn, attrs = {}) {
  const button = h('button', { type: 'button', text, ...attrs });
  button.addEventListener('click', async () => {
    button.disabled = true;
    box.hidden = true;
    try {
      await fn();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(box, error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// ---- the list ------------------------------------------------------------------

function projectCard(project, mine) {
  const team = mine && project.teams.find((x) => x.id === mine);
  return h('li', { class: 'card', 'data-project': project.id, 'data-state': project.state },
    h('h3', {}, h('a', { href: href(project), text: project.title })),
    h('p', { class: 'meta', text: t('projects.by', { name: personName(project.partner), centre: project.centre.name }) }),
    project.summary ? h('p', { text: project.summary }) : null,
    h('p', { class: 'meta', text: [t(`projects.state.${project.state}`), plural('projects.teamCount', project.teams.length)].join(' · ') }),
    team ? h('p', { text: t('projects.yourTeam', { name: team.name }) }) : null);
}

const listRole = () => (me.role === 'partner' ? 'partner' : coaching() ? 'coach' : 'learner');

// The projects by state, or why there are none.
function listParts(data) {
  const role = listRole();
  const mine = data.mine || {};
  const states = role === 'learner' ? ['open', 'closed'] : ['draft', 'proposed', 'open', 'closed'];
  const sections = states.map((state) => {
    const some = data.projects.filter((p) => p.state === state);
    return some.length ? h('section', { 'aria-labelledby': `list-${state}` }, h('h2', { id: `list-${state}`, text: t(`projects.list.${state}`) }),
      h('ul', { class: 'cards', id: `projects-${state}` }, some.map((p) => projectCard(p, mine[p.id])))) : null;
  });
  return [data.projects.length ? null : h('p', { id: 'projects-none', text: t(`projects.none.${role}`) }), ...sections].filter(Boolean);
}

function listPage(data) {
  const role = listRole();
  const title = t(role === 'partner' ? 'projects.title.partner' : 'projects.title');
  show(title, h('h1', { text: title }), h('p', { text: t(`projects.intro.${role}`) }),
    role === 'partner' ? h('p', {}, h('a', { class: 'button', href: '/projects/new', id: 'write-brief', text: t('projects.write') })) : null,
    h('div', { id: 'projects-list' }, ...listParts(data)));
}

// ---- a partner's brief ------------------------------------------------------------

function field(control, key, hint = true) {
  return labelled(control, t(`projects.field.${key}`), hint ? t(`projects.field.${key}.hint`) : null);
}

// Writing a new brief (project null) or changing a draft; saved(P) after.
function briefForm(project, centres, saved) {
  const p = project || { team_size: 3, checklist: [] };
  const brief = h('textarea', { id: 'field-brief_md', name: 'brief_md', rows: 14, required: true, text: p.brief_md || '' });
  const error = errorLine();
  const format = formatting(brief, (err) => showError(error, err));
  format.button.id = 'preview-brief';
  const centre = h('select', { id: 'field-centre', name: 'centre', required: true },
    centres.map((c) => h('option', { value: c.name, text: c.name, selected: p.centre && c.name === p.centre.name })));
  const form = h('form', { id: 'brief-form', class: 'wide', novalidate: true },
    h('p', { class: 'hint', text: t('projects.form.intro') }),
    field(h('input', { id: 'field-title', name: 'title', required: true, maxlength: 120, value: p.title || null }), 'title'),
    field(h('textarea', { id: 'field-summary', name: 'summary', rows: 2, required: true, maxlength: 300, text: p.summary || '' }), 'summary'),
    field(brief, 'brief'), format.help,
    field(h('input', { id: 'field-team_size', name: 'team_size', type: 'number', min: 2, max: 6, inputmode: 'numeric', required: true, value: p.team_size }), 'size'),
    field(h('textarea', { id: 'field-checklist', name: 'checklist', rows: 5, required: true, text: p.checklist.join('\n') }), 'checklist'),
    field(centre, 'centre'), error,
    h('div', { class: 'actions' }, format.button, h('button', { type: 'submit', id: 'save-brief', text: t('projects.save') })), format.section);
  handleForm(form, async (data) => {
    const fields = { title: data.get('title').trim(), summary: data.get('summary').trim(), brief_md: data.get('brief_md'),
      team_size: Number(data.get('team_size')), centre: data.get('centre'),
      checklist: data.get('checklist').split('\n').map((line) => line.trim()).filter(Boolean) };
    saved(await (project ? projectsApi.save(project.id, fields) : projectsApi.create(fields)));
  });
  return form;
}

async function newPage() {
  const gen = generation;
  const { centres } = await request('GET', '/api/apply');
  if (gen !== generation) return;
  const title = t('projects.new');
  show(title, crumbs(), h('h1', { text: title }),
    briefForm(null, centres, (project) => navigate(`${href(project)}?saved=1`, true)));
}

// ---- a team's work, and the partner's feedback on it -------------------------------

function feedbackList(list, id) {
  return list.length ? h('ul', { class: 'cards', id }, list.map((f) => h('li', { class: 'card comment', 'data-feedback': f.id },
    h('p', { class: 'said', text: f.body }), h('p', { class: 'meta', text: t('projects.feedback.at', { date: day(f.at) }) }))))
    : h('p', { class: 'meta', text: t('projects.feedback.none') });
}

function feedbackForm(team, redraw) {
  const body = h('textarea', { id: `feedback-${team.id}`, name: 'body', rows: 5, maxlength: 4000 });
  const form = h('form', { class: 'wide feedback-form', novalidate: true, 'data-feedback-for': team.id },
    labelled(body, t('projects.feedback.field', { team: team.name }), t('projects.feedback.hint')),
    h('button', { type: 'submit', text: t('projects.feedback.send') }));
  handleForm(form, async (data) => {
    const text = data.get('body').trim();
    if (!text) {
      showError(form.querySelector('.form-error'), t('projects.feedback.empty'));
      return;
    }
    await projectsApi.feedback(team.submission.id, text);
    await redraw(t('projects.feedback.sent', { team: team.name }));
  });
  return form;
}

// One team: its members, its work (for the partner and the coaches, and for
// its own members), and the partner's feedback.
function teamCard(project, team, { work = true, give = null, extra = null } = {}) {
  const s = team.submission;
  const id = `team-${team.id}`;
  const room = project.team_size - (team.member_count ?? team.members.length);
  // A learner sees the members of their own cohort's teams only.
  const who = team.members.length ? [t('projects.members', { names: names(team.members) })] : [];
  const parts = [h('h3', { id, text: team.name }),
    h('p', { class: 'meta', text: [...who, plural('projects.room', Math.max(room, 0))].join(' · ') })];
  if (work) {
    parts.push(s ? h('div', { class: 'team-work', 'data-submission': s.id },
      h('p', { class: 'state', 'data-state': s.state, text: t(`projects.work.state.${s.state}`) }),
      h('p', { class: 'meta', text: t('projects.work.line', { date: day(s.submitted_at), attempt: s.attempt }) }),
      h('details', { open: true }, h('summary', { text: t('projects.work') }), html('div', { class: 'content' }, s.body_html), linkOf(s.link)),
      h('h4', { text: t(give ? 'projects.feedback.given' : 'projects.feedback') }), feedbackList(s.feedback || [], `feedback-of-${team.id}`),
      give ? feedbackForm(team, give) : null) : h('p', { class: 'meta', text: t('projects.work.none') }));
  }
  if (extra) parts.push(extra);
  return h('li', { class: 'card', 'data-team': team.id }, ...parts);
}

function teamsSection(project, cards) {
  return h('section', { 'aria-labelledby': 'teams-title' }, h('h2', { id: 'teams-title', text: t('projects.teams') }),
    cards.length ? h('ul', { class: 'cards', id: 'team-list' }, cards) : h('p', { class: 'meta', text: t('projects.teams.none') }));
}

// ---- one project, by role --------------------------------------------------------

function crumbs() {
  return h('nav', { class: 'crumbs', 'aria-label': t('projects.back') }, h('a', { href: '/projects', text: t('projects.back') }));
}

function about(project) {
  const cohorts = project.cohorts || [];
  return [h('p', { class: 'meta', id: 'project-by', text: t('projects.by', { name: personName(project.partner), centre: project.centre.name }) }),
    h('p', { class: 'state', id: 'project-state', 'data-state': project.state, text: t(`projects.state.${project.state}`) }),
    project.note && project.state === 'draft' ? h('p', { class: 'notice', id: 'project-note', text: t('projects.note', { note: project.note }) }) : null,
    h('p', { class: 'summary', text: project.summary }),
    h('p', { class: 'meta', text: t('projects.size', { size: project.team_size }) }),
    me.role === 'learner' || project.state === 'draft' || project.state === 'proposed' ? null
      : h('p', { class: 'meta', id: 'project-cohorts', text: cohorts.length ? t('projects.cohorts', { cohorts: cohorts.join(', ') }) : t('projects.cohorts.none') }),
    h('details', { open: project.state !== 'draft' || me.role !== 'partner' }, h('summary', { text: t('projects.brief') }),
      project.brief_html === null
        ? h('div', { class: 'content', id: 'project-brief' }, h('p', { class: 'comment plain', text: project.brief_md }))
        : html('div', { class: 'content', id: 'project-brief' }, project.brief_html)),
    h('h2', { id: 'checklist-title', text: t('projects.checklist') }),
    h('ul', { id: 'project-checklist' }, project.checklist.map((line) => h('li', { text: line })))];
}

function partnerParts(project, ctx) {
  if (project.state === 'draft') {
    return [h('section', { 'aria-labelledby': 'edit-title' }, h('h2', { id: 'edit-title', text: t('projects.edit') }),
      briefForm(project, ctx.centres, () => ctx.redraw(t('projects.saved')))),
    h('section', { 'aria-labelledby': 'propose-title' }, h('h2', { id: 'propose-title', text: t('projects.propose') }),
      h('p', { class: 'hint', text: t('projects.propose.hint') }),
      h('div', { class: 'actions' }, action(t('projects.propose'), ctx.error, async () => {
        await projectsApi.act(project.id, 'propose');
        await ctx.redraw(t('projects.proposed'));
      }, { id: 'propose' })))];
  }
  if (project.state === 'proposed') return [];
  return [teamsSection(project, project.teams.map((team) => teamCard(project, team, { give: ctx.redraw })))];
}

function coachParts(project, ctx) {
  const act = (name, body, done) => async () => {
    await projectsApi.act(project.id, name, body ? body() : {});
    await ctx.redraw(done);
  };
  if (project.state === 'proposed') {
    const note = h('textarea', { id: 'field-note', name: 'note', rows: 3, maxlength: 1000 });
    const back = h('form', { id: 'return-form', class: 'wide', novalidate: true }, labelled(note, t('projects.return.note'), t('projects.return.hint')),
      h('button', { type: 'submit', class: 'secondary', text: t('projects.return') }));
    handleForm(back, act('return', () => ({ note: note.value.trim() }), t('projects.done.return')));
    return [h('section', { 'aria-labelledby': 'decide-title' }, h('h2', { id: 'decide-title', text: t('projects.approve') }),
      h('p', { class: 'hint', text: t('projects.approve.hint') }),
      h('div', { class: 'actions' }, action(t('projects.approve'), ctx.error, act('approve', null, t('projects.done.approve')), { id: 'approve' }))),
    h('section', { 'aria-labelledby': 'return-title' }, h('h2', { id: 'return-title', text: t('projects.return') }), back)];
  }
  const parts = [];
  if (project.state === 'open') {
    const opened = project.cohorts || [];
    const free = ctx.cohorts.filter((c) => c.centre === project.centre.name && !opened.includes(c.name));
    const cohort = h('select', { id: 'field-open-cohort', name: 'cohort' }, free.map((c) => h('option', { value: c.name, text: c.name })));
    const open = h('form', { id: 'open-form', novalidate: true }, labelled(cohort, t('projects.openTo.cohort')),
      h('button', { type: 'submit', text: t('projects.openTo.submit') }));
    handleForm(open, async () => {
      const name = cohort.value;
      await act('open', () => ({ cohort: name }), t('projects.done.open', { cohort: name }))();
    });
    parts.push(h('section', { 'aria-labelledby': 'open-title' }, h('h2', { id: 'open-title', text: t('projects.openTo') }),
      free.length ? open : h('p', { class: 'meta', text: t('projects.openTo.none') }),
      opened.length ? h('div', { class: 'actions', id: 'unopen' }, opened.map((name) => action(t('projects.unopen', { cohort: name }), ctx.error,
        act('unopen', () => ({ cohort: name }), t('projects.done.unopen', { cohort: name })), { class: 'secondary small', 'data-cohort': name }))) : null),
    h('section', { 'aria-labelledby': 'close-title' }, h('h2', { id: 'close-title', text: t('projects.close') }),
      h('p', { class: 'hint', text: t('projects.close.hint') }),
      h('div', { class: 'actions' }, action(t('projects.close'), ctx.error, act('close', null, t('projects.done.close')), { id: 'close', class: 'secondary' }))));
  }
  parts.push(teamsSection(project, project.teams.map((team) => teamCard(project, team))));
  return parts;
}

// A learner's team on a project: theirs, or making and joining one.
function learnerParts(project, ctx) {
  const mine = project.teams.find((team) => team.members.some((member) => member.handle === me.handle));
  const open = project.state === 'open';
  const step = h('p', {}, h('a', { href: stepHref(project.track, STEP), id: 'to-step', class: 'button', text: t('projects.toStep') }));
  const others = project.teams.filter((team) => team !== mine);
  const parts = [];
  if (mine) {
    const leave = open && !mine.submission ? h('div', { class: 'actions' }, action(t('projects.leave'), ctx.error, async () => {
      await projectsApi.team(mine.id, 'leave');
      await ctx.redraw(t('projects.left'));
    }, { class: 'secondary', id: 'leave-team', 'aria-describedby': 'leave-hint' }), h('p', { class: 'hint', id: 'leave-hint', text: t('projects.leave.hint') })) : null;
    parts.push(h('section', { 'aria-labelledby': 'my-team-title', id: 'my-team' },
      h('h2', { id: 'my-team-title', text: t('projects.yourTeam', { name: mine.name }) }),
      h('ul', { class: 'cards' }, teamCard(project, mine, { extra: leave })), open ? step : null));
  } else if (open) {
    const name = h('input', { id: 'field-team-name', name: 'name', required: true, maxlength: 60 });
    const make = h('form', { id: 'team-form', novalidate: true }, labelled(name, t('projects.make.name'), t('projects.make.hint')),
      h('button', { type: 'submit', text: t('projects.make.submit') }));
    handleForm(make, async (data) => {
      const made = await projectsApi.makeTeam(project.id, data.get('name').trim());
      await ctx.redraw(t('projects.joined', { name: made.team.name }));
    });
    parts.push(h('p', { class: 'notice', id: 'no-team', text: t('projects.noTeam') }),
      h('section', { 'aria-labelledby': 'make-title' }, h('h2', { id: 'make-title', text: t('projects.make') }), make));
  }
  const room = (team) => (team.member_count ?? team.members.length) < project.team_size && (!team.cohort || team.cohort === me.cohort);
  const join = (team) => (open && !mine && room(team) ? h('div', { class: 'actions' },
    action(t('projects.join', { name: team.name }), ctx.error, async () => {
      await projectsApi.team(team.id, 'join');
      await ctx.redraw(t('projects.joined', { name: team.name }));
    }, { 'data-join': team.id })) : null);
  const title = t(mine ? 'projects.otherTeams' : 'projects.teams');
  parts.push(h('section', { 'aria-labelledby': 'teams-title' }, h('h2', { id: 'teams-title', text: title }),
    others.length ? h('ul', { class: 'cards', id: 'team-list' }, others.map((team) => teamCard(project, team, { work: false, extra: join(team) })))
      : h('p', { class: 'meta', text: t('projects.teams.none') })));
  return parts;
}

async function projectPage(id) {
  const gen = generation;
  const [asked, centres, cohorts] = await Promise.all([projectsApi.one(id),
    me.role === 'partner' ? request('GET', '/api/apply').then((r) => r.centres) : [],
    coaching() ? request('GET', '/api/cohorts').then((r) => r.cohorts) : []]);
  if (gen !== generation) return;
  let project = asked;
  const heading = h('h1', { text: project.title });
  const status = h('p', { role: 'status', id: 'project-status' });
  const error = errorLine();
  const body = h('div', { id: 'project' });
  const ctx = { centres, cohorts, error };
  const draw = () => {
    heading.textContent = project.title;
    const own = me.role === 'partner' ? partnerParts : coaching() ? coachParts : learnerParts;
    body.replaceChildren(...[...about(project), ...own(project, ctx)].filter(Boolean));
  };
  // After a change: the project again, and what happened said and focused.
  ctx.redraw = async (message) => {
    const fresh = await projectsApi.one(id);
    if (gen !== generation) return;
    project = fresh;
    draw();
    status.textContent = message;
    focusOn(status);
  };
  onLeave(gen, live.on('event', (event) => {
    if (/^project\./.test(event.event) && (!event.project || event.project === id)) {
      projectsApi.one(id).then((fresh) => {
        if (gen !== generation || body.contains(document.activeElement)) return; // never redrawn under the keyboard
        project = fresh;
        draw();
      }, () => {});
    }
  }));
  draw();
  if (new URLSearchParams(location.search).has('saved')) status.textContent = t('projects.saved');
  show(project.title, crumbs(), heading, status, error, body);
}

// /projects/new, /projects/ID, and /projects (`which` is then no number).
export async function pageProjects(which) {
  if (which === 'new') return newPage();
  if (Number(which)) return projectPage(Number(which));
  const gen = generation;
  const data = await projectsApi.list();
  if (gen !== generation) return;
  listPage(data);
  // A brief sent to the coaches, or feedback on a team's work: the list again,
  // in place, unless the keyboard is in it (never redrawn under the keyboard).
  onLeave(gen, live.on('event', (event) => {
    if (!/^project\./.test(event.event)) return;
    projectsApi.list().then((fresh) => {
      const list = document.getElementById('projects-list');
      if (gen === generation && list && !list.contains(document.activeElement)) list.replaceChildren(...listParts(fresh));
    }, () => {});
  }));
}

// ---- the step page of a partner's project ------------------------------------------

// The learner's team on the step and the partner's feedback on its work;
// without a team, where to make or join one. Hidden for others.
export function teamSection(track, step, gen) {
  const box = h('div');
  const section = h('section', { id: 'team', class: 'mine', 'aria-labelledby': 'team-title', hidden: true },
    h('h2', { id: 'team-title', text: t('projects.step.team') }), box);
  const load = async () => {
    let data;
    let work;
    try {
      [data, work] = await Promise.all([projectsApi.list(),
        live.request('submission.get', { track: track.id, step: step.id }).catch(() => null)]);
    } catch {
      return; // shown on the next visit
    }
    const project = data.projects.find((p) => p.track === track.id);
    if (gen !== generation || !project || me.role !== 'learner') return;
    const team = data.mine && project.teams.find((x) => x.id === data.mine[project.id]);
    const link = h('a', { href: href(project), text: t('projects.step.project', { title: project.title }) });
    const feedback = (work && work.feedback) || (team && team.submission && team.submission.feedback) || [];
    box.replaceChildren(...(team ? [h('p', { id: 'team-name', text: t('projects.yourTeam', { name: team.name }) }),
      h('p', { class: 'meta', text: t('projects.members', { names: names(team.members) }) }),
      h('h3', { id: 'team-feedback-title', text: t('projects.feedback') }), feedbackList(feedback, 'team-feedback')]
      : [h('p', { class: 'notice', id: 'team-missing' }, ...sentenceWith(`${t('projects.step.noTeam')} {link}.`, 'link', link))]));
    section.hidden = false;
  };
  onLeave(gen, live.on('event', (event) => { if (/^(project\.|submission$|review\.decided)/.test(event.event)) load(); }));
  onLeave(gen, live.on('ready', load));
  if (live.isReady()) load();
  return section;
}
