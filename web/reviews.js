// reviews.js - peer review: handing in work on a reviewed step and "My
// submission" with the reviews it received, the reviews to do, and the review
// page (the draft kept on this device). app.js loads it when first needed.
// body_html and comment_html are rendered by the server in safe mode.

import { t, plural, relativeTime, addStrings, formatDate } from './i18n.js';
import * as live from './live.js';
import { h, focusOn, errorLine, labelled, sentenceWith } from './dom.js';
import { personName, liveErrorText, stepHref } from './format.js';
import { me, loadDraft, saveDraft, startStep } from './session.js';
import { generation, onLeave, show, navigate } from './page.js';
import { refreshBadge } from './badge.js';
import { lockText } from './progress.js';
import { ApiError } from './api.js';

// The server could not be reached: the router says so and tries again.
const offline = (err) => { if (err.code === 'offline') throw new ApiError(0, 'offline', ''); };

await addStrings('reviews');

function html(tag, attrs, text) {
  const element = h(tag, attrs);
  element.innerHTML = text; // rendered by the server in safe mode
  return element;
}

function exactTime(ms) {
  const date = new Date(ms);
  return h('time', { datetime: date.toISOString(), text: formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' }) });
}

// "Due in 3 hours (date)": relative in the reader's language, then exact.
function dueLine(ms) {
  return h('p', { class: 'meta due' }, ...sentenceWith(t('reviews.due', { when: relativeTime(ms) }), 'date', exactTime(ms)));
}

function httpLink(link) {
  return /^https?:\/\//i.test(link || '') && h('p', { class: 'work-link' }, t('review.link'), ' ',
    h('a', { href: link, rel: 'noopener noreferrer nofollow', target: '_blank', text: link }));
}

// The checklist as given: a tick or a cross per item, said in words too.
function checkList(rubric, checks) {
  return h('ul', { class: 'checks' }, rubric.map((item, i) => {
    const met = Boolean(checks && checks[i]);
    return h('li', { 'data-met': String(met) },
      h('span', { class: 'tick', 'aria-hidden': 'true', text: met ? '✓' : '✗' }),
      h('span', { class: 'vh', text: t(met ? 'check.met' : 'check.notMet') }), ' ', item);
  }));
}

// A reflection is reviewed in supportive words ("Reflected", "Keep going"):
// the same verdicts underneath, its own key where it has one.
const say = (kind, key, params) => t(kind === 'reflection' ? `reflect.${key}` : key, params);

function verdictLine(key, verdict, kind) {
  return h('p', { class: 'verdict', 'data-verdict': verdict }, say(kind, key), ' ', h('strong', { text: say(kind, `verdict.${verdict}`) }));
}


// ---- the reviews to do ---------------------------------------------------------

// Give about what you get, in plain words.
function balanceText({ given, received, owed }) {
  if (owed > 0) return plural('reviews.owed', owed);
  if (given > received + 2) return t('reviews.ahead');
  return t('reviews.even');
}

// Under a text field: how to format it, in a few lines, and a preview
// rendered by the server as readers will see it (also under a partner's
// brief, projects.js).
export function formatting(field, fail) {
  const box = h('div', { class: 'content preview', id: `${field.id}-preview` });
  const section = h('section', { class: 'preview-section', 'aria-labelledby': `${field.id}-preview-title`, hidden: true },
    h('h3', { id: `${field.id}-preview-title`, text: t('submit.previewTitle') }), box);
  const button = h('button', { type: 'button', class: 'secondary', text: t('submit.preview') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      box.innerHTML = (await live.request('markdown.preview', { body_md: field.value })).html; // rendered safely by the server
      section.hidden = false;
    } catch (err) {
      fail(err);
    } finally {
      button.disabled = false;
    }
  });
  const help = h('details', { class: 'format-help' }, h('summary', { text: t('format.title') }),
    h('ul', {}, ['bold', 'list', 'link', 'code'].map((key) => h('li', {}, h('code', { text: t(`format.${key}.md`) }), ' ', t(`format.${key}`)))));
  return { help, button, section };
}

export async function pageReviews() {
  const gen = generation;
  const heading = h('h1', { text: t('reviews.title') });
  let list;
  try {
    list = await live.request('review.list');
  } catch (err) {
    offline(err);
    if (gen === generation) show(t('reviews.title'), heading, h('p', { class: 'form-error', role: 'alert', text: liveErrorText(err) }));
    return;
  }
  if (gen !== generation) return;
  const status = h('p', { role: 'status', class: 'meta', id: 'reviews-status' });
  const counts = h('p', { id: 'review-counts' });
  const balance = h('p', { id: 'review-balance' });
  const pull = h('button', { type: 'button', id: 'review-pull', text: t('reviews.pull') });
  pull.addEventListener('click', async () => {
    pull.disabled = true;
    try {
      const got = await live.request('review.pull');
      refreshBadge();
      navigate(`/reviews/${got.assignment}`);
    } catch (err) {
      status.textContent = err.code === 'not_found' ? t('reviews.pullNone') : liveErrorText(err);
      pull.disabled = false;
    }
  });
  const openBox = h('div', { id: 'reviews-open' });
  const doneBox = h('div', { id: 'reviews-done' });
  const item = (a) => h('li', { class: 'card', 'data-assignment': a.assignment, 'data-state': a.state },
    h('h3', {}, a.state === 'assigned' || a.state === 'done' ? h('a', { href: `/reviews/${a.assignment}`, text: a.title }) : a.title),
    a.attempt > 1 ? h('p', { class: 'meta', text: t('review.attempt', { attempt: a.attempt }) }) : null,
    a.state === 'assigned' ? dueLine(a.due_at) : h('p', { class: 'meta', text: t(`reviews.state.${a.state}`) }));
  const fill = () => {
    counts.textContent = t('reviews.counts', list);
    balance.textContent = balanceText(list);
    for (const [box, open, none] of [[openBox, true, 'reviews.none'], [doneBox, false, 'reviews.noneDone']]) {
      const some = list.assignments.filter((a) => (a.state === 'assigned') === open);
      box.replaceChildren(some.length ? h('ul', { class: 'cards' }, some.map(item)) : h('p', { text: t(none) }));
    }
  };
  const reload = async (message) => {
    list = await live.request('review.list').catch(() => list);
    fill();
    if (message) status.textContent = message;
  };
  onLeave(gen, live.on('event', (event) => {
    if (event.event === 'review.assigned') reload(t('reviews.newOne', event));
    else if (event.event === 'review.expired') reload(t(`reviews.gone.${event.reason === 'declined' ? 'declined' : 'expired'}`));
    else if (event.event === 'review.flag_upheld') reload(t('reviews.upheld', event));
  }));
  onLeave(gen, live.on('ready', () => reload()));
  const timer = setInterval(fill, 60000); // "in 3 hours" stays true
  onLeave(gen, () => clearInterval(timer));
  fill();
  show(t('reviews.title'), heading, h('p', { text: t('reviews.intro') }), h('p', { class: 'hint', id: 'reviews-blind', text: t('reviews.blind') }), counts, balance,
    h('div', { class: 'actions' }, pull), h('p', { class: 'hint', text: t('reviews.pullHint') }), status,
    h('h2', { text: t('reviews.open') }), openBox, h('h2', { text: t('reviews.done') }), doneBox);
}

// ---- one review ------------------------------------------------------------------

function crumbs() {
  return h('nav', { class: 'crumbs', 'aria-label': t('reviews.title') }, h('a', { href: '/reviews', text: t('reviews.title') }));
}

// Why review.get said no: expired or declined (known from the list), else
// someone else's.
async function refusal(id, error) {
  offline(error);
  let text = t(error.code === 'not_found' ? 'review.notFound' : 'review.forbidden');
  if (error.code === 'forbidden') {
    const list = await live.request('review.list').catch(() => ({ assignments: [] }));
    const found = list.assignments.find((a) => a.assignment === id);
    if (found && (found.state === 'expired' || found.state === 'declined')) text = t(`review.${found.state}`);
  } else if (error.code !== 'not_found') {
    text = liveErrorText(error);
  }
  show(t('review.heading'), crumbs(), h('h1', { text: t('review.heading') }),
    h('p', { class: 'form-error', role: 'alert', id: 'review-refused', text }));
}

function givenView(review, rubric, sent, kind) {
  const heading = h('h2', { id: 'given-title', text: t('review.given') });
  const box = h('section', { class: 'given', id: 'review-given', 'aria-labelledby': 'given-title' }, heading,
    sent ? h('p', { role: 'status', text: t('review.thanks') }) : null,
    verdictLine('review.yourVerdict', review.verdict, kind),
    rubric.length ? checkList(rubric, review.checks) : null,
    review.comment_md ? h('div', { class: 'comment plain', text: review.comment_md }) : null);
  return { box, heading };
}

export async function pageReview(idText) {
  const gen = generation;
  const id = Number(idText);
  let got;
  try {
    got = await live.request('review.get', { assignment: id });
  } catch (error) {
    if (gen === generation) await refusal(id, error);
    return;
  }
  if (gen !== generation) return;
  const title = t('review.title', got);
  const top = [crumbs(), h('h1', { text: title }),
    got.author ? h('p', { class: 'meta', id: 'review-author', text: t('review.by', { name: personName(got.author) }) }) : null,
    h('p', { class: 'meta' }, h('a', { href: stepHref(got.track, got.step), text: t('review.stepLink') }),
      got.attempt > 1 ? ` · ${t('review.attempt', got)}` : ''),
    got.state === 'assigned' ? dueLine(got.due_at) : null,
    h('section', { 'aria-labelledby': 'work-title' }, h('h2', { id: 'work-title', text: t('review.work') }),
      html('div', { class: 'content', id: 'review-work' }, got.body_html || ''), httpLink(got.link))];
  if (got.state === 'done' && got.review) {
    show(title, ...top, givenView(got.review, got.rubric, false, got.kind).box);
    return;
  }

  const key = `grounds.review.${me.handle}.${id}`;
  const draft = loadDraft(key);
  const error = errorLine();
  const checks = got.rubric.map((item, i) => h('input', { type: 'checkbox', id: `check-${i}`, checked: Boolean(draft.checks && draft.checks[i]) }));
  const verdicts = ['pass', 'needs_work'].map((value) => h('input', { type: 'radio', name: 'verdict', id: `verdict-${value}`, value, checked: draft.verdict === value }));
  const comment = h('textarea', { id: 'field-comment', rows: 8, text: draft.comment || '' });
  const submit = h('button', { type: 'submit', text: t('review.submit') });
  const decline = h('button', { type: 'button', class: 'secondary', text: t('review.decline') });
  const verdict = () => verdicts.find((radio) => radio.checked)?.value || null;
  const save = () => {
    const state = { comment: comment.value, checks: checks.map((box) => box.checked), verdict: verdict() };
    saveDraft(key, state.comment || state.verdict || state.checks.includes(true) ? state : null);
  };
  const fail = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    if (field) field.setAttribute('aria-invalid', 'true');
    field ? field.focus() : focusOn(error);
  };

  const format = formatting(comment, (err) => fail(liveErrorText(err)));

  // Declining asks first, in the page (no pop-up).
  const yes = h('button', { type: 'button', id: 'decline-yes', text: t('review.declineYes') });
  const no = h('button', { type: 'button', class: 'secondary', text: t('review.declineNo') });
  const confirmBox = h('div', { class: 'notice confirm', id: 'decline-confirm', hidden: true },
    h('p', { text: t('review.declineAsk') }), h('div', { class: 'actions' }, yes, no));
  decline.addEventListener('click', () => {
    confirmBox.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    decline.focus();
  });

  const form = h('form', { id: 'review-form', novalidate: true, class: 'wide' }, error,
    got.rubric.length ? h('fieldset', {}, h('legend', { text: t('review.checklist') }),
      h('p', { class: 'hint', text: say(got.kind, 'review.checklistHint') }),
      got.rubric.map((item, i) => h('div', { class: 'check' }, checks[i], h('label', { for: `check-${i}`, text: item })))) : null,
    h('fieldset', {}, h('legend', { text: say(got.kind, 'review.verdict') }),
      verdicts.map((radio) => h('div', { class: 'check' }, radio,
        h('label', { for: radio.id }, say(got.kind, `verdict.${radio.value}`), h('span', { class: 'hint', text: say(got.kind, `verdict.${radio.value}.hint`) }))))),
    labelled(comment, t('review.comment'), say(got.kind, 'review.commentHint')), format.help,
    h('div', { class: 'actions' }, format.button, submit, decline), format.section, confirmBox);
  form.addEventListener('input', save);

  let over = false; // given, declined or gone
  const finish = (message) => {
    if (over) return;
    over = true;
    confirmBox.hidden = true;
    for (const control of form.elements) control.disabled = true;
    const note = h('p', { class: 'form-error', role: 'alert', id: 'review-closed', text: message });
    form.before(note);
    focusOn(note);
  };
  const refused = (err) => {
    if (err.code === 'conflict' || err.code === 'forbidden') finish(t('review.closed'));
    else fail(liveErrorText(err), err.code === 'too_large' ? comment : null);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
    const sent = { verdict: verdict(), checks: checks.map((box) => box.checked), comment_md: comment.value };
    if (!sent.verdict) return fail(say(got.kind, 'review.chooseVerdict'), verdicts[0]);
    if (sent.verdict === 'needs_work' && !comment.value.trim()) return fail(say(got.kind, 'review.needComment'), comment);
    if (new Blob([comment.value]).size > 20480) return fail(t('check.tooLong'), comment);
    submit.disabled = true;
    try {
      await live.request('review.submit', { assignment: id, ...sent });
    } catch (err) {
      submit.disabled = false;
      return refused(err);
    }
    over = true;
    saveDraft(key, null); // acknowledged: stored on the server
    refreshBadge();
    const view = givenView(sent, got.rubric, true, got.kind);
    form.parentNode.replaceWith(view.box);
    document.querySelector('#main .due')?.remove();
    focusOn(view.heading);
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await live.request('review.decline', { assignment: id });
      saveDraft(key, null);
      refreshBadge();
      finish(t('review.declined'));
    } catch (err) {
      yes.disabled = false;
      refused(err);
    }
  });
  // The lease ran out while the page was open: what was typed stays readable.
  onLeave(gen, live.on('event', (event) => {
    if (event.event === 'review.expired' && event.assignment === id) finish(t(`review.${event.reason === 'declined' ? 'declined' : 'expired'}`));
  }));

  show(title, ...top, h('section', { 'aria-labelledby': 'your-title' },
    h('h2', { id: 'your-title', text: t('review.yours') }), h('p', { class: 'hint', text: t(got.author ? 'review.named' : 'review.blind') }), form));
}

// ---- handing in work on a reviewed step ------------------------------------------

// The form: a markdown draft kept on this device as it is typed, a
// server-rendered preview, and the submission.
export function submissionForm(track, step, showRequires) {
  const key = `grounds.draft.${me.handle}.${track.id}.${step.id}`;
  const draft = loadDraft(key);
  const body = h('textarea', { id: 'field-body_md', name: 'body_md', rows: 10, required: true, text: draft.body || '' });
  const link = h('input', { id: 'field-link', name: 'link', type: 'url', inputmode: 'url', autocomplete: 'url', placeholder: 'https://', value: draft.link || null });
  const error = errorLine();
  const locked = h('p', { id: 'submit-locked', class: 'notice', hidden: true });
  const submit = h('button', { type: 'submit', id: 'submit-work', text: say(step.kind, 'submit.submit') });
  const save = () => saveDraft(key, body.value || link.value ? { body: body.value, link: link.value } : null);
  const fail = (err) => {
    if (err.requires) showRequires(err.requires);
    error.textContent = liveErrorText(err);
    error.hidden = false;
  };
  const invalid = (field, text) => {
    error.textContent = text;
    error.hidden = false;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  };
  body.addEventListener('input', save);
  link.addEventListener('input', save);
  const format = formatting(body, fail);
  format.button.id = 'preview-button';
  const form = h('form', { id: 'submission-form', novalidate: true, class: 'submission' }, error,
    labelled(body, say(step.kind, 'submit.body'), say(step.kind, 'submit.body.hint')), format.help,
    labelled(link, t('submit.link'), t('submit.link.hint')), locked,
    h('div', { class: 'actions' }, format.button, submit), format.section);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.hasAttribute('aria-disabled')) return;
    error.hidden = true;
    body.removeAttribute('aria-invalid');
    link.removeAttribute('aria-invalid');
    const sent = { body: body.value, link: link.value.trim() };
    if (!sent.body.trim()) return invalid(body, t('submit.empty'));
    if (sent.link && !/^https?:\/\/[^\s"<>]+$/.test(sent.link)) return invalid(link, t('check.link'));
    submit.disabled = true;
    try {
      await startStep(track, step);
      await live.request('submission.create', { track: track.id, step: step.id, body_md: sent.body, ...(sent.link ? { link: sent.link } : {}) });
      // Acknowledged: only now is the draft let go (unless more was typed meanwhile).
      if (body.value === sent.body && link.value.trim() === sent.link) {
        body.value = '';
        link.value = '';
        format.section.hidden = true;
        saveDraft(key, null);
      }
      justSent = true; // "My submission" shows what was saved, and takes the focus
    } catch (err) {
      fail(err);
      focusOn(error);
    } finally {
      update();
    }
  });
  const section = h('section', { class: 'work', id: 'work', 'aria-labelledby': 'work-title' },
    h('h2', { id: 'work-title', text: say(step.kind, 'submit.title') }), form);
  const update = () => {
    const state = live.stateOf(track.id, step.id);
    const why = lockText(track, step);
    // Waiting for reviews or passed: the saved work is shown instead (mySubmission).
    section.hidden = state === 'submitted' || state === 'in_review' || state === 'passed';
    submit.disabled = section.hidden;
    locked.textContent = why || '';
    locked.hidden = !why;
    for (const [name, value] of [['aria-disabled', 'true'], ['aria-describedby', 'submit-locked']]) {
      if (why) submit.setAttribute(name, value);
      else submit.removeAttribute(name);
    }
    form.dataset.state = state;
  };
  update();
  return { element: section, update };
}

let justSent = false;

// ---- my submission and the reviews it received ------------------------------------

function standingText({ state, standing: s }) {
  if (s && s.by_coach && (state === 'passed' || state === 'needs_work')) return t('mine.byCoach');
  if (!s || state === 'passed' || state === 'needs_work') return '';
  const parts = [t('mine.count', s)];
  if (s.assigned) parts.push(plural('mine.writing', s.assigned));
  if (s.reason === 'coach') parts.push(t('mine.coach'));
  else if (s.open && s.reason === 'no_peer') parts.push(t(s.assigned || s.done ? 'mine.noOtherPeer' : 'mine.noPeer'));
  else if (s.open && s.reason === 'not_online') {
    parts.push(t('mine.notOnline', { peers: plural('mine.peers', s.eligible),
      online: s.online ? t('mine.online', { count: s.online }) : t('mine.noneOnline') }));
  }
  return parts.join(' ');
}

function receivedReview(review, index, rubric, kind) {
  const id = review.review;
  const status = h('p', { role: 'status', class: 'meta' });
  const scale = [1, 2, 3, 4, 5].map((n) => {
    const radio = h('input', { type: 'radio', name: `helpful-${id}`, id: `helpful-${id}-${n}` });
    radio.checked = review.helpfulness === n;
    radio.addEventListener('change', () => live.request('review.rate', { review: id, helpfulness: n }).then(
      () => { status.textContent = t('mine.rated', { label: t(`mine.rate.${n}`) }); },
      (err) => { status.textContent = liveErrorText(err); }));
    return h('div', { class: 'check' }, radio, h('label', { for: radio.id, text: t(`mine.rate.${n}`) }));
  });
  const flagged = h('p', { class: 'notice', text: t('mine.flagged') });
  let flag = flagged;
  if (!review.flagged) {
    const reason = h('textarea', { id: `flag-reason-${id}`, rows: 3, maxlength: 1000 });
    const kind = h('select', { id: `flag-kind-${id}` }, ['rude', 'wrong', 'empty', 'other'].map((value) =>
      h('option', { value, text: t(`mine.flagKind.${value}`) })));
    const error = errorLine();
    const form = h('form', { class: 'wide', novalidate: true }, h('p', { class: 'hint', text: t('mine.flagHint') }), error,
      labelled(kind, t('mine.flagKind')), labelled(reason, t('mine.flagReason')),
      h('button', { type: 'submit', class: 'secondary', text: t('mine.flagSubmit') }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const fail = (text) => {
        error.textContent = text;
        error.hidden = false;
        reason.focus();
      };
      if (!reason.value.trim()) return fail(t('mine.flagEmpty'));
      try {
        await live.request('review.flag', { review: id, kind: kind.value, reason: reason.value.trim() });
      } catch (err) {
        return fail(liveErrorText(err));
      }
      flag.replaceWith(flagged);
      flagged.setAttribute('role', 'status');
      focusOn(flagged);
    });
    flag = h('details', {}, h('summary', { text: t('mine.flag') }), form);
  }
  return h('article', { class: 'card received', 'data-review': id, 'aria-labelledby': `review-${id}` },
    h('h4', { id: `review-${id}`, text: t('mine.review', { n: index + 1 }) }),
    review.reviewer ? h('p', { class: 'meta reviewer', text: t('mine.reviewBy', { name: personName(review.reviewer) }) }) : null,
    verdictLine('mine.verdict', review.verdict, kind),
    rubric.length ? checkList(rubric, review.checks) : null,
    review.comment_html ? html('div', { class: 'content comment' }, review.comment_html) : null,
    h('fieldset', {}, h('legend', { text: t('mine.rate') }), h('div', { class: 'scale' }, scale), status), flag);
}

// The section on a reviewed step; hidden until there is a submission.
export function mySubmission(track, step, gen) {
  const section = h('section', { class: 'mine', id: 'my-submission', 'aria-labelledby': 'mine-title', hidden: true });
  const stateLine = h('p', { class: 'state', id: 'mine-state' });
  const standing = h('p', { id: 'mine-standing', role: 'status' });
  const meta = h('p', { class: 'meta' });
  const body = h('div', { class: 'content' });
  const reviewsBox = h('div', { id: 'mine-reviews' });
  const commentsBox = h('div', { id: 'mine-comments', hidden: true }); // a coach's words on a reflection
  const saved = h('p', { class: 'result', id: 'submission-result', role: 'status' });
  const shown = new Map(); // review → its element, kept so what is typed in it stays
  let attempt = null;
  let asking = 0;
  section.append(h('h2', { id: 'mine-title', text: say(step.kind, 'mine.title') }), saved, stateLine, standing, meta,
    h('details', { open: true }, h('summary', { text: t('mine.what') }), body), commentsBox, h('h3', { text: t('mine.reviews') }), reviewsBox);
  const load = async () => {
    const ask = ++asking;
    let work;
    try {
      work = await live.request('submission.get', { track: track.id, step: step.id });
    } catch (err) {
      if (err.code === 'not_found' && ask === asking) section.hidden = true;
      return;
    }
    if (ask !== asking || gen !== generation) return;
    section.hidden = false;
    if (justSent) {
      justSent = false;
      saved.textContent = t('submit.sent');
      focusOn(section.querySelector('h2'));
    }
    if (attempt !== work.submission) {
      attempt = work.submission;
      shown.clear();
      body.innerHTML = work.body_html; // rendered by the server in safe mode
      body.append(httpLink(work.link) || '');
    }
    stateLine.dataset.state = work.state || '';
    stateLine.textContent = work.state ? say(step.kind, `mine.state.${work.state}`) : '';
    const text = standingText(work);
    if (standing.textContent !== text) standing.textContent = text;
    meta.replaceChildren(t('mine.submitted', work), ' ', exactTime(work.submitted_at));
    work.reviews.forEach((review, i) => {
      if (!shown.has(review.review)) shown.set(review.review, receivedReview(review, i, step.rubric, step.kind));
    });
    const comments = work.comments || [];
    commentsBox.hidden = !comments.length;
    commentsBox.replaceChildren(...(comments.length ? [h('h3', { text: t('reflect.comments') }),
      ...comments.map((c) => h('blockquote', { class: 'card comment', 'data-comment': c.comment },
        h('p', { class: 'plain', text: c.body }),
        h('p', { class: 'meta' }, t('reflect.commentBy', { name: c.from ? personName(c.from) : '—' }), ' ', exactTime(c.at))))] : []));
    reviewsBox.replaceChildren(...(work.reviews.length ? work.reviews.map((review) => shown.get(review.review))
      : [h('p', { class: 'meta', text: t('mine.noReviews') })]));
  };
  const outcome = h('p', { class: 'notice', id: 'mine-outcome', role: 'status', hidden: true });
  section.insertBefore(outcome, standing.nextSibling);
  onLeave(gen, live.on('event', (event) => {
    if (event.track !== track.id || event.step !== step.id) return;
    if (event.event === 'review.flag_resolved') {
      outcome.textContent = t(`mine.flag.${event.outcome}`);
      outcome.hidden = false;
    } else if (event.event === 'review.decided' && event.note) {
      outcome.textContent = t('mine.coachNote', { note: event.note });
      outcome.hidden = false;
    }
    if (/^(review\.(received|coach|decided|flag_resolved)|progress|submission|reflection\.comment)$/.test(event.event)) load();
  }));
  onLeave(gen, live.on('ready', load));
  if (live.isReady()) load();
  return section;
}
