// app.js - the browser client: a small router over the pages of grounds,
// the header, and the pages every learner sees (signing in, joining, home,
// a track, a step). Pages are built with the DOM (dom.js, never from strings
// of user data); the one exception is a step's HTML, which the server
// renders in safe mode. Nothing imports this module: what the pages share
// is in dom.js, format.js, session.js, page.js and badge.js.

import { api, ApiError } from './api.js';
import { t, plural, language, languages, setLanguage } from './i18n.js';
import * as live from './live.js';
import { h, labelled, sentenceWith } from './dom.js';
import { stepHref, errorText, safeNext, handleForm } from './format.js';
import { me, setUser, lockedBy, COMPLETE } from './session.js';
import { generation, onLeave, leavePage, show, navigate, setRenderer } from './page.js';
import { refreshBadge } from './badge.js';
import { startHelp, waiting } from './help.js';
import { startBell, recentList } from './bell.js';

// Loaded when first needed: the review pages and a reviewed step's work
// (reviews.js), the coaches' board (board.js, which learners never need),
// the notifications page (inbox.js), the outline's marks and a lesson's
// "Mark as done" (progress.js). A learner's home page needs none of
// them: tools/client-size counts what it loads.
const reviews = () => import('./reviews.js');
const board = () => import('./board.js');
// Peers' work after passing, with a reviewed step's page.
const peersPage = () => import('./peers.js');
const inbox = () => import('./inbox.js');
const progress = () => import('./progress.js');
// "Ask a peer for help" on a step page.
const asking = () => import('./help-ask.js');
// One's profile and a reset link's page (account.js), the people page
// (admin.js) and the invite form of coaches and admins (invite.js).
const account = () => import('./account.js');
const admin = () => import('./admin.js');
const inviting = () => import('./invite.js');
// A group's reflections on a track, for its coaches.
const reflections = () => import('./reflections.js');
// A learner's portfolio, and the public page of a shared one (portfolio.js).
const portfolio = () => import('./portfolio.js');
// Applying without an account and its private link (apply.js); a coach's applications.
const applying = () => import('./apply.js');
const applications = () => import('./applications.js');
// Partner projects: briefs, teams, feedback (projects.js); a partner's home.
const partnerProjects = () => import('./projects.js');
let projectsSeen = false; // a learner has an open project: "Projects" in the header

const main = document.getElementById('main');

// The signed-in user changes: the live connection, the badge and the
// notices follow.
function setMe(user) {
  setUser(user);
  projectsSeen = false;
  if (me) live.start(me.handle);
  else live.stop();
  refreshBadge();
  startHelp(me);
  startBell();
}

// ---- a page that could not be shown ---------------------------------------

let unreachable = false; // the last page could not reach the server: the banner says so
let retryTimer = null;
let retryDelay = 2000;
let retry = render; // what tries again

// Says why the page is not there. When the server could not be reached or
// failed, the page is tried again by itself (after 2, 4 … 30 s, and at once
// when the connection is back) and drawn when the server answers; the
// notice is not drawn (and announced) again meanwhile.
function showError(error, again = render) {
  const title = t(error.status === 404 ? 'app.notFound' : 'app.errorTitle');
  const text = error.code === 'not_found' && !error.reason ? '' : errorText(error);
  const passing = error.code === 'offline' || error.code === 'busy' || error.status >= 500;
  unreachable = error.code === 'offline';
  showStatus();
  if (document.getElementById('page-error')?.textContent !== text) {
    show(title, h('h1', { text: title }), h('p', { class: 'form-error', role: 'alert', id: 'page-error', hidden: !text, text }),
      passing ? h('p', { class: 'hint', text: t('app.retrying') }) : null, h('p', {}, h('a', { href: '/', text: t('app.home') })));
  }
  clearTimeout(retryTimer);
  retry = again;
  retryTimer = passing ? setTimeout(again, retryDelay) : null;
  retryDelay = passing ? Math.min(retryDelay * 2, 30000) : 2000;
}

// A page was shown, or the connection is back (now: try a failed page again).
function recovered(now) {
  if (now && retryTimer) setTimeout(retry);
  clearTimeout(retryTimer);
  retryTimer = null;
  retryDelay = 2000;
  if (unreachable) {
    unreachable = false;
    showStatus();
  }
}

// ---- forms ----------------------------------------------------------------

// A labelled input of a form, named `name`.
function field(name, { type = 'text', autocomplete, required = true, hint, value, attrs = {} } = {}) {
  return labelled(h('input', { id: `field-${name}`, name, type, autocomplete, required, value, ...attrs }), t(`field.${name}`), hint);
}

function passwordField(autocomplete, hint) {
  const wrapper = field('password', { type: 'password', autocomplete, hint, attrs: { minlength: autocomplete === 'new-password' ? 10 : null } });
  const input = wrapper.querySelector('input');
  const toggle = h('input', { type: 'checkbox', id: 'show-password',
    onchange: () => { input.type = toggle.checked ? 'text' : 'password'; } });
  wrapper.append(h('div', { class: 'check' }, toggle, h('label', { for: 'show-password', text: t('field.showPassword') })));
  return wrapper;
}

function formatEstimate(minutes) {
  if (minutes === null || minutes === undefined) return null;
  if (minutes < 90) return t('step.minutes', { minutes });
  return t('step.hours', { hours: Math.round(minutes / 30) / 2 });
}

function stepMeta(step) {
  const parts = [t(`step.kind.${step.kind}`), formatEstimate(step.estimate)];
  if (step.reviews > 0) parts.push(plural('step.reviews', step.reviews));
  return parts.filter(Boolean).join(' · ');
}

// ---- pages ---------------------------------------------------------------

async function pageSignin() {
  const form = h('form', { id: 'signin-form', novalidate: true },
    field('handle', { autocomplete: 'username', attrs: { autocapitalize: 'none', spellcheck: 'false' } }),
    passwordField('current-password'),
    h('button', { type: 'submit', text: t('signin.submit') }));
  handleForm(form, async (data) => {
    setMe(await api.login(data.get('handle').trim(), data.get('password')));
    await followLanguage();
    navigate(safeNext(new URLSearchParams(location.search).get('next')), true);
  });
  const ended = new URLSearchParams(location.search).has('ended')
    ? h('p', { class: 'notice', role: 'status', id: 'session-ended', text: t('signin.ended') }) : null;
  show(t('signin.title'), h('h1', { text: t('signin.title') }), ended, h('p', { text: t('signin.intro') }),
    form, h('p', { class: 'hint', text: t('signin.noAccount') }));
}

async function pageJoin(code) {
  let invite;
  try {
    invite = await api.invite(code);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'invite_invalid') throw error;
    show(t('join.title'), h('h1', { text: t('join.title') }),
      h('p', { class: 'form-error', role: 'alert', text: errorText(error) }));
    return;
  }
  const cohort = invite.cohort ? t('join.cohort', { cohort: invite.cohort }) : '';
  const form = h('form', { id: 'join-form', novalidate: true },
    field('display_name', { autocomplete: 'name', hint: t('field.display_name.hint') }),
    field('handle', { autocomplete: 'username', hint: t('field.handle.hint'), attrs: { autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9_\\-]{3,32}' } }),
    passwordField('new-password', t('field.password.hint')),
    h('button', { type: 'submit', text: t('join.submit') }));
  handleForm(form, async (data) => {
    setMe(await api.register({ invite: code, handle: data.get('handle').trim(),
      display_name: data.get('display_name').trim(), password: data.get('password') }));
    navigate('/', true);
  });
  show(t('join.title'), h('h1', { text: t('join.title') }),
    h('p', { text: t('join.intro', { role: t(`role.${invite.role}`), cohort }) }), form);
}

// ---- the home page's next action -------------------------------------------
//
// The most urgent of, in this order: a peer asking us for help now (a
// question closes within the hour), an unread message from a coach, reviews
// given to us (a peer's work waits on them, and a lease runs out), and else
// our own next step: the first step not finished and not locked of the first
// track we began, or of the first track.

const stepsOf = (outline) => outline.modules.flatMap((module) => module.steps);

function ownNext(tracks, outlines) {
  const candidates = tracks.map((track, i) => outlines[i] && { track, outline: outlines[i] }).filter(Boolean)
    .map(({ track, outline }) => {
      const all = stepsOf(outline);
      return { track, begun: all.some((s) => live.stateOf(outline.id, s.id) !== 'not_started'),
        step: all.find((s) => !COMPLETE.has(live.stateOf(outline.id, s.id)) && !lockedBy(outline, s)) };
    }).filter((c) => c.step);
  const pick = candidates.find((c) => c.begun) || candidates[0];
  if (!pick) return ['done', t('next.done')];
  return [pick.begun ? 'continue' : 'begin', h('a', { href: stepHref(pick.track.id, pick.step.id),
    text: t(pick.begun ? 'next.continue' : 'next.begin', { title: pick.step.title, track: pick.track.title }) })];
}

function nextAction(tracks, outlines) {
  const line = h('p', { id: 'next-action' });
  let reviews = 0;
  const see = () => h('a', { href: '#notices', text: t('next.see') });
  const update = () => {
    const { nudges, offer } = waiting();
    const [kind, ...content] = offer ? ['help', t('next.help', { title: offer.title || offer.step }), ' ', see()]
      : nudges ? ['nudge', t('next.nudge'), ' ', see()]
        : reviews ? ['reviews', h('a', { href: '/reviews', text: plural('next.reviews', reviews) })]
          : ownNext(tracks, outlines);
    line.dataset.kind = kind;
    line.replaceChildren(...content);
  };
  const ask = async () => {
    const list = await live.request('review.list').catch(() => null);
    if (list) reviews = list.assignments.filter((a) => a.state === 'assigned').length;
    update();
  };
  const offs = [live.on('progress', update), live.on('ready', ask),
    live.on('event', (event) => (/^review\./.test(event.event) ? ask() : update()))];
  if (live.isReady()) ask();
  update();
  return { element: h('section', { class: 'next', 'aria-labelledby': 'next-title' }, h('h2', { id: 'next-title', text: t('next.title') }), line),
    off: () => offs.forEach((off) => off()) };
}

// The progress bar and the next step of one track, from the live progress.
// Updated in place, so a link with the keyboard's focus keeps it.
function trackProgress(track, outline, index) {
  const box = h('div', { class: 'track-progress', 'data-track-progress': track.id });
  if (!outline) return { box, update: () => {} };
  const steps = stepsOf(outline);
  const labelId = `progress-label-${index}`;
  const label = h('p', { id: labelId, class: 'progress-label' });
  const bar = h('progress', { max: steps.length, value: 0, 'aria-labelledby': labelId });
  const notBegun = h('p', { class: 'meta', text: t('home.notBegun') });
  const link = h('a', { class: 'continue' });
  const linkLine = h('p', {}, link);
  const complete = h('p', { class: 'meta', text: t('home.complete') });
  box.append(label, bar, notBegun, linkLine, complete);
  const update = () => {
    const states = steps.map((step) => live.stateOf(track.id, step.id));
    const done = states.filter((state) => COMPLETE.has(state)).length;
    const next = steps.find((step, i) => !COMPLETE.has(states[i]));
    const begun = states.some((state) => state !== 'not_started');
    label.textContent = t('home.progress', { done, total: steps.length });
    bar.value = done;
    label.hidden = bar.hidden = !begun;
    notBegun.hidden = begun;
    linkLine.hidden = !next;
    complete.hidden = Boolean(next) || !steps.length;
    if (next) {
      link.href = stepHref(track.id, next.id);
      link.textContent = t(begun ? 'home.continue' : 'home.begin', { title: next.title });
    }
  };
  update();
  return { box, update };
}

async function pageHome() {
  if (me.role === 'partner') return navigate('/projects', true);
  const gen = generation;
  const tracks = await api.tracks();
  if (tracks.some((track) => /^partner-/.test(track.id))) {
    projectsSeen = true;
    updateHeader();
  }
  // The outlines give the order of the steps, for the progress and "Continue".
  const outlines = await Promise.all(tracks.map((track) => api.track(track.id).catch(() => null)));
  const progresses = tracks.map((track, i) => trackProgress(track, outlines[i], i));
  const next = me.role === 'learner' ? nextAction(tracks, outlines) : null;
  const recent = h('div', { id: 'recent-slot' });
  const coach = h('div', { id: 'coach-slot' });
  const list = tracks.length === 0 ? h('p', { text: t(me.role === 'learner' ? 'home.noTracks.learner' : 'home.noTracks') })
    : h('ul', { class: 'cards', id: 'track-list' }, tracks.map((track, i) => h('li', { class: 'card', 'data-track': track.id },
      h('h3', {}, h('a', { href: `/tracks/${encodeURIComponent(track.id)}`, text: track.title })),
      track.summary ? h('p', { text: track.summary }) : null,
      h('p', { class: 'meta', text: t('track.steps', { count: track.steps }) }),
      progresses[i].box)));
  const invite = me.role === 'learner' ? null : await (await inviting()).inviteSection();
  if (gen !== generation) return next && next.off();
  if (next) onLeave(gen, next.off);
  onLeave(gen, live.on('progress', () => { for (const progress of progresses) progress.update(); }));
  show(t('app.home'),
    h('h1', { id: 'home-title', text: t('home.title', { name: me.display_name }) }),
    h('p', { id: 'me-role', 'data-role': me.role }, t('home.role', { role: t(`role.${me.role}`) }),
      me.cohort ? ` ${t('home.cohort', { cohort: me.cohort })}` : ''),
    next && next.element, coach,
    h('section', { 'aria-labelledby': 'tracks-title' }, h('h2', { id: 'tracks-title', text: t('home.tracks') }), list),
    recent, invite);
  // Then what is on its way: the recent events and, for coaches, their cohorts.
  const fill = async (slot, make) => {
    try { slot.replaceChildren(await make()); } catch { /* offline: shown on the next visit */ }
  };
  fill(recent, async () => recentList((await live.request('notification.list')).notifications.slice(0, 5)));
  if (me.role !== 'learner') fill(coach, async () => (await import('./home-coach.js')).attentionHome(gen));
}

// Follows a track's "track:ID" topic while the page is open: fn gets each
// "track.updated" event (a new commit is served, or the track was removed).
function followTrack(gen, id, fn) {
  const topic = `track:${id}`;
  live.join(topic);
  onLeave(gen, () => live.leave(topic));
  onLeave(gen, live.on('event', (data) => {
    if (data.event === 'track.updated' && data.track === id) fn(data);
  }));
}

// Steps of the track that the signed-in learner has progress on but that the
// track no longer has: kept, and shown as retired.
function retiredSteps(track) {
  const current = new Set(track.modules.flatMap((module) => module.steps.map((step) => step.id)));
  const prefix = `${track.id}/`;
  return [...live.progress].filter(([key]) => key.startsWith(prefix) && !current.has(key.slice(prefix.length)))
    .map(([key, entry]) => ({ id: key.slice(prefix.length), state: entry.state }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function retiredSection(track) {
  const steps = retiredSteps(track);
  return h('section', { id: 'retired', 'aria-labelledby': 'retired-title', hidden: steps.length === 0 },
    h('h2', { id: 'retired-title', text: t('track.retired') }),
    h('p', { text: t('track.retired.intro') }),
    h('ul', {}, steps.map((step) => h('li', { 'data-retired-step': step.id },
      h('span', { text: step.id }), ' — ', h('span', { class: 'meta', text: t(`state.${step.state}`) })))));
}

async function pageTrack(id) {
  const gen = generation;
  let [track, P] = await Promise.all([api.track(id), progress()]);
  if (gen !== generation) return;
  const notice = h('p', { id: 'track-updated', class: 'notice', role: 'status', hidden: true });
  let marks = P.outlineList(track, stepMeta);
  let outline = marks.element;
  let retired = retiredSection(track);
  onLeave(gen, live.on('progress', () => {
    marks.update();
    const next = retiredSection(track);
    retired.replaceWith(next);
    retired = next;
  }));
  followTrack(gen, id, async (event) => {
    if (!event.commit) {
      notice.textContent = t('track.removed');
      notice.hidden = false;
      return;
    }
    let fresh;
    try {
      fresh = await api.track(id);
    } catch {
      return; // the next update or a reload will show it
    }
    if (gen !== generation) return;
    track = fresh;
    // Redrawn in place; a link that had the keyboard's focus gets it back.
    const focused = outline.contains(document.activeElement) && document.activeElement.closest('[data-step]');
    marks = P.outlineList(track, stepMeta);
    outline.replaceWith(marks.element);
    outline = marks.element;
    const again = focused && outline.querySelector(`[data-step="${CSS.escape(focused.dataset.step)}"] a`);
    if (again) again.focus();
    const nextRetired = retiredSection(track);
    retired.replaceWith(nextRetired);
    retired = nextRetired;
    notice.textContent = t('track.updated');
    notice.hidden = false;
  });
  show(track.title,
    h('nav', { class: 'crumbs', 'aria-label': t('track.back') }, h('a', { href: '/', text: t('track.back') })),
    h('h1', { text: track.title }),
    track.summary ? h('p', { class: 'summary', text: track.summary }) : null,
    notice,
    h('h2', { text: t('track.outline') }),
    outline,
    retired);
}

// A step the track loader could not read: said in the reader's language,
// with the loader's own (English) words only on an English page; its html
// says no more than that, in English.
function brokenNotice(step) {
  if (!step.error) return null;
  return h('p', { class: 'form-error', role: 'alert', id: 'step-broken' }, t('step.broken'),
    language() === 'en' ? ` ${t('step.broken.detail', { message: step.error })}` : null);
}

async function pageStep(id, stepId) {
  const gen = generation;
  const [track, step, P, help] = await Promise.all([api.track(id), api.step(id, stepId), progress(), asking()]);
  // A reviewed step's form and "My submission" are in reviews.js; a reflection is not shared with peers.
  const [reviewed, peerWork] = step.reviews > 0 ? await Promise.all([reviews(), step.kind === 'reflection' ? null : peersPage()]) : [null, null];
  const team = /^partner-/.test(id) ? (await partnerProjects()).teamSection(track, step, gen) : null;
  if (gen !== generation) return;
  const titles = new Map(track.modules.flatMap((module) => module.steps.map((s) => [s.id, s.title])));
  const stepLink = (other, key, rel) => other && h('a', { href: stepHref(track.id, other), rel, text: t(key, { title: titles.get(other) || other }) });
  const content = h('div', { class: 'content', id: 'step-content' });
  content.innerHTML = step.html; // rendered by the server in safe mode
  // The page's own heading carries the title; the step's first "# Title" would repeat it.
  if (content.firstElementChild && content.firstElementChild.tagName === 'H1') content.firstElementChild.remove();
  P.dropChecklist(content);
  for (const pre of content.querySelectorAll('pre')) pre.tabIndex = 0; // code that scrolls sideways, by keyboard too

  // Progress: the state, what to finish first, and the action that fits the step.
  const stateText = h('p', { id: 'step-state', class: 'state', role: 'status' });
  const requiresBox = h('p', { id: 'step-requires', class: 'notice', hidden: true });
  const peers = h('p', { id: 'step-peers', class: 'meta peers', role: 'status' });
  const showRequires = (missing) => {
    requiresBox.replaceChildren(...sentenceWith(t('step.finishFirst'), 'title',
      h('a', { href: stepHref(track.id, missing), text: titles.get(missing) || missing })));
    requiresBox.hidden = false;
  };
  const work = reviewed ? reviewed.submissionForm(track, step, showRequires) : P.doneActions(track, step, showRequires);
  const update = () => {
    const state = live.stateOf(track.id, step.id);
    stateText.dataset.state = state;
    const reflected = step.kind === 'reflection' && /^(passed|needs_work)$/.test(state); // no pass or fail words
    stateText.textContent = t('step.state', { state: t(`state.${reflected ? 'reflection.' : ''}${state}`) });
    if (state !== 'not_started') requiresBox.hidden = true;
    work.update();
  };
  const topic = `room:${track.id}/${step.id}`;
  const showPeers = () => {
    const list = live.peersOf(topic);
    if (!list) {
      peers.textContent = '';
      return;
    }
    const others = list.filter((peer) => peer.handle !== me.handle);
    peers.textContent = plural('step.peers', others.length);
  };
  // Opening the step starts it; a step that needs others first says which.
  let beginning = null;
  let beginAgain = false;
  const begin = () => {
    if (beginning) {
      beginAgain = true;
      return;
    }
    beginning = live.request('progress.set', { track: track.id, step: step.id, state: 'started' }).then(update, (err) => {
      if (err.code === 'conflict' && err.requires) showRequires(err.requires);
    }).finally(() => {
      beginning = null;
      if (beginAgain && gen === generation) {
        beginAgain = false;
        begin();
      }
    });
  };
  onLeave(gen, live.on('progress', () => {
    update();
    // Something done elsewhere may be what this step waited for.
    if (!requiresBox.hidden && live.stateOf(track.id, step.id) === 'not_started') begin();
  }));
  onLeave(gen, live.on('presence', (detail) => { if (detail.topic === topic) showPeers(); }));
  onLeave(gen, live.on('ready', begin));
  onLeave(gen, live.on('status', (status) => { if (status === 'offline') peers.textContent = ''; }));
  live.join(topic);
  onLeave(gen, () => live.leave(topic));
  // A new commit of the track: the pager follows the new outline, and the
  // learner is told (never redrawn under them: what they type stays).
  const updated = h('p', { id: 'step-updated', class: 'notice', role: 'status', hidden: true });
  let pager = h('nav', { class: 'pager', 'aria-label': t('track.outline') }, stepLink(step.prev, 'step.prev', 'prev'), stepLink(step.next, 'step.next', 'next'));
  followTrack(gen, track.id, async (event) => {
    let fresh = null;
    let freshTrack = null;
    try {
      if (event.commit) [freshTrack, fresh] = await Promise.all([api.track(track.id), api.step(track.id, step.id)]);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) return;
    }
    if (gen !== generation) return;
    updated.replaceChildren();
    if (!fresh) {
      updated.textContent = t('step.retired');
    } else {
      for (const module of freshTrack.modules) for (const s of module.steps) titles.set(s.id, s.title);
      const next = h('nav', { class: 'pager', 'aria-label': t('track.outline') }, stepLink(fresh.prev, 'step.prev', 'prev'), stepLink(fresh.next, 'step.next', 'next'));
      pager.replaceWith(next);
      pager = next;
      if (fresh.html === step.html && fresh.title === step.title) return;
      updated.append(t('step.updated'), ' ',
        h('a', { href: stepHref(track.id, step.id), text: t('step.updated.show') }));
    }
    updated.hidden = false;
  });
  update();
  showPeers();
  if (live.isReady()) begin(); // else once the hello is answered

  show(step.title,
    h('nav', { class: 'crumbs', 'aria-label': track.title }, h('a', { href: `/tracks/${encodeURIComponent(track.id)}`, text: track.title }), ' › ', step.module),
    h('article', {},
      h('h1', { text: step.title }),
      h('p', { class: 'meta', id: 'step-meta', text: stepMeta(step) }),
      step.requires.length ? h('p', { class: 'meta', text: t('step.requires', { steps: step.requires.map((r) => titles.get(r) || r).join(', ') }) }) : null,
      updated, stateText, requiresBox, peers,
      brokenNotice(step),
      step.error ? null : content,
      step.rubric.length ? h('section', { class: 'rubric', 'aria-labelledby': 'rubric-title' },
        h('h2', { id: 'rubric-title', text: t('step.rubric') }), h('p', { text: t('step.rubric.intro') }),
        h('ul', {}, step.rubric.map((item) => h('li', { text: item })))) : null,
      team, work.element,
      reviewed ? reviewed.mySubmission(track, step, gen) : null,
      peerWork ? peerWork.peersSection(track, step, gen) : null,
      help.helpSection(track, step, gen)),
    pager);
}

// ---- routing -------------------------------------------------------------

// A page of a module loaded when first opened.
// The module not loaded: the server could not be reached.
const lazy = (load, name) => async (...parts) => (await load().catch(() => {
  throw new ApiError(0, 'offline', '');
}))[name](...parts);

const routes = [
  [/^\/signin$/, pageSignin, false],
  [/^\/join\/([A-Za-z0-9_-]+)$/, pageJoin, false],
  [/^\/$/, pageHome, true],
  [/^\/tracks\/([^/]+)$/, pageTrack, true],
  [/^\/tracks\/([^/]+)\/steps\/(.+)$/, pageStep, true],
  [/^\/reviews$/, lazy(reviews, 'pageReviews'), true],
  [/^\/reviews\/(\d+)$/, lazy(reviews, 'pageReview'), true],
  [/^\/inbox$/, lazy(inbox, 'pageInbox'), true],
  [/^\/board$/, lazy(board, 'pageBoardChoose'), true],
  [/^\/board\/([^/]+)\/([^/]+)$/, lazy(board, 'pageBoard'), true],
  [/^\/board\/([^/]+)\/([^/]+)\/reflections$/, lazy(reflections, 'pageReflections'), true],
  [/^\/profile$/, lazy(account, 'pageProfile'), true],
  [/^\/reset\/([A-Za-z0-9_-]+)$/, lazy(account, 'pageReset'), false],
  [/^\/admin$/, lazy(admin, 'pageAdmin'), true],
  [/^\/portfolio$/, lazy(portfolio, 'pagePortfolio'), true],
  [/^\/p\/([A-Za-z0-9_-]+)$/, lazy(portfolio, 'pagePublicPortfolio'), false],
  [/^\/apply$/, lazy(applying, 'pageApply'), false],
  [/^\/apply\/([A-Za-z0-9_-]+)$/, lazy(applying, 'pageApplyStatus'), false],
  [/^\/applications$/, lazy(applications, 'pageApplications'), true],
  [/^\/projects(?:\/(new|\d+))?$/, lazy(partnerProjects, 'pageProjects'), true],
];

async function render() {
  const path = location.pathname;
  const route = routes.find(([pattern]) => pattern.test(path));
  leavePage();
  updateHeader();
  if (!route) {
    showError(new ApiError(404, 'not_found', t('app.notFound')));
    return;
  }
  const [pattern, page, needsUser] = route;
  let parts;
  try {
    parts = path.match(pattern).slice(1).map(decodeURIComponent);
  } catch { // a malformed %-escape: no page has that address
    showError(new ApiError(404, 'not_found', t('app.notFound')));
    return;
  }
  if (needsUser && !me) {
    navigate(`/signin${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`, true);
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await page(...parts);
    recovered();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'unauthenticated') return sessionEnded(); // it ended meanwhile
    showError(error);
  } finally {
    main.removeAttribute('aria-busy');
  }
}

function updateHeader() {
  document.getElementById('signout').hidden = !me;
  const role = me ? me.role : 'partner';
  document.getElementById('nav-reviews').hidden = role === 'partner';
  document.getElementById('nav-reviews-text').textContent = t('nav.reviews');
  document.getElementById('nav-board').hidden = /^(learner|partner)$/.test(role);
  document.getElementById('nav-projects').hidden = !me || (role === 'learner' && !projectsSeen && !me.projects);
  document.getElementById('nav-projects').textContent = t('nav.projects');
  document.getElementById('nav-board').textContent = t('board.nav');
  document.getElementById('nav-inbox-text').textContent = t('nav.inbox');
  document.getElementById('nav-profile').hidden = !me;
  document.getElementById('nav-profile').textContent = t('nav.profile');
  document.getElementById('nav-admin').hidden = /^(learner|partner)$/.test(role);
  document.getElementById('nav-admin').textContent = t('nav.admin');
  document.getElementById('nav-home').textContent = t('app.home');
  document.getElementById('signout').textContent = t('nav.signout');
  document.getElementById('lang-label').textContent = t('app.language');
  document.getElementById('skip').textContent = t('app.skip');
  document.getElementById('site-nav').setAttribute('aria-label', t('nav.main'));
  showStatus();
}

// The banner says so while the live connection is down, and once when it is
// back; it stays empty (and takes no room) while all is well.
let wasOffline = false;
let statusTimer = null;
function showStatus() {
  const banner = document.getElementById('live-status');
  const status = unreachable ? 'offline' : me ? live.getStatus() : 'online';
  clearTimeout(statusTimer);
  banner.dataset.status = status;
  if (status === 'offline') {
    wasOffline = true;
    banner.textContent = t('live.offline');
  } else if (status === 'online' && wasOffline) {
    wasOffline = false;
    banner.textContent = t('live.online');
    statusTimer = setTimeout(() => { banner.textContent = ''; }, 4000);
  } else {
    banner.textContent = '';
  }
}

function setUpHeader() {
  const select = document.getElementById('lang');
  select.replaceChildren(...Object.entries(languages).map(([code, name]) => h('option', { value: code, text: name })));
  select.value = language();
  select.addEventListener('change', async () => {
    await setLanguage(select.value);
    render();
    refreshBadge();
    startBell();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api.logout(); } catch { /* signed out either way */ }
    setMe(null);
    navigate('/signin', true);
  });
  // Links inside the client change the page without reloading it.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || link.target || url.pathname.startsWith('/t/') || url.pathname.startsWith('/api/')) return;
    // A place on this page (#…): the browser scrolls to it.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', render);
  live.on('status', (status) => {
    showStatus();
    if (status === 'online') recovered(true);
  });
  window.addEventListener('online', () => recovered(true));
  live.on('session-ended', sessionEnded);
  live.on('rights-changed', rightsChanged);
  live.on('refused', stillSignedIn);
}

// Reconnecting after a change of rights was refused: the session may have ended since.
async function stillSignedIn() {
  try {
    await api.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && me) sessionEnded();
  }
}

// The server ended this session (signed out elsewhere, disabled, a new password).
function sessionEnded() {
  setMe(null);
  navigate(`/signin?ended=1&next=${encodeURIComponent(location.pathname)}`, true);
}

// The user's role or cohort changed: read them again and draw the page with them.
async function rightsChanged() {
  try {
    setUser(await api.me());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return sessionEnded();
    return;
  }
  render();
}

// The reader's strings and who is signed in, asked for at once; then the page.
async function start() {
  setRenderer(render);
  setUpHeader();
  const [, user] = await Promise.all([setLanguage(), api.me().catch((error) => error)]);
  if (!(user instanceof Error)) setMe(user);
  else if (!(user instanceof ApiError) || user.status !== 401) return showError(user, signedIn); // 401: nobody
  await followLanguage();
  render();
}

// Who is signed in, asked again after the server could not say at start.
async function signedIn() {
  const user = await api.me().catch((error) => error);
  if (!(user instanceof Error)) setMe(user);
  else if (!(user instanceof ApiError) || user.status !== 401) return showError(user, signedIn);
  await followLanguage();
  render();
}

// The language chosen on the profile follows the user to every device.
async function followLanguage() {
  if (me && me.language && me.language !== language()) await setLanguage(me.language);
}

start();
