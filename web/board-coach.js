// board-coach.js - what the coaches of a cohort decide on the board
// (docs/reviews.md): the submissions no peer took in time (a tie, a step
// nobody else reached, a slot nobody took), shown beside their reviews, each
// decided with a note, given a reviewer from another group, or given more
// time; the flagged reviews with their kind and the author's words, each
// dismissed or upheld (with kind words to the reviewer); and the decisions
// made so far. review.coach_list gives it all; the board's pushes say when
// to ask again. body_html and comment_html are rendered by the server in
// safe mode.

import { t, formatDate } from './i18n.js';
import * as live from './live.js';
import { h, errorLine, labelled, focusOn } from './dom.js';
import { liveErrorText } from './format.js';

const EVENTS = /^review\.(coach|flagged|decided|flag_resolved)$/;

function html(tag, attrs, text) {
  const element = h(tag, attrs);
  element.innerHTML = text; // rendered by the server in safe mode
  return element;
}

const when = (ms) => formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });

// A small form: its fields, a button, and what it sends; the list reloads after.
function actionForm(id, fields, button, send, reload) {
  const error = errorLine();
  const form = h('form', { class: 'coach-action', id, novalidate: true }, error, ...fields,
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const problem = send.check ? send.check() : null;
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      return focusOn(error);
    }
    button.disabled = true;
    try {
      await send();
      await reload(t('coach.done'));
    } catch (err) {
      error.textContent = liveErrorText(err);
      error.hidden = false;
      button.disabled = false;
      focusOn(error);
    }
  });
  return form;
}

function reviewCard(review) {
  return h('li', { class: 'card received', id: `coach-review-${review.review}`, 'data-review': review.review },
    h('p', {}, h('strong', { text: t('coach.reviewBy', { name: review.reviewer }) }), ' ',
      t('coach.verdict', { verdict: t(`coach.verdict.${review.verdict}`) })),
    review.comment_html ? html('div', { class: 'content comment' }, review.comment_html) : null);
}

function itemCard(item, reload) {
  const id = item.submission;
  const note = h('textarea', { id: `coach-note-${id}`, rows: 3, maxlength: 1000 });
  const verdict = h('select', { id: `coach-verdict-${id}` },
    h('option', { value: 'pass', text: t('coach.verdict.pass') }),
    h('option', { value: 'needs_work', text: t('coach.verdict.needs_work') }));
  const decide = () => live.request('review.coach', { submission: id, action: 'decide', verdict: verdict.value, note: note.value.trim() });
  decide.check = () => (note.value.trim() ? null : t('coach.noteNeeded'));
  const reviewer = h('input', { id: `coach-reviewer-${id}`, autocomplete: 'off' });
  const assign = () => live.request('review.coach', { submission: id, action: 'assign', user: reviewer.value.trim() });
  assign.check = () => (reviewer.value.trim() ? null : t('coach.reviewerNeeded'));
  const extend = () => live.request('review.coach', { submission: id, action: 'extend' });
  return h('li', { class: 'card coach-item', id: `coach-item-${id}`, 'data-submission': id, 'data-why': item.why },
    h('h3', { text: t('coach.item', { name: item.author, title: item.title }) }),
    h('p', { class: 'meta', text: `${t(`coach.why.${item.why}`)} · ${t('coach.since', { time: when(item.since) })}` }),
    h('div', { class: 'side-by-side' },
      h('section', { 'aria-label': t('coach.work') }, h('h4', { text: t('coach.work') }),
        html('div', { class: 'content', id: `coach-work-${id}` }, item.body_html || ''),
        item.link ? h('p', {}, h('a', { href: item.link, rel: 'noopener noreferrer nofollow', target: '_blank', text: item.link })) : null),
      h('section', { 'aria-label': t('coach.reviews') }, h('h4', { text: t('coach.reviews') }),
        item.reviews.length ? h('ul', { class: 'cards' }, item.reviews.map(reviewCard)) : h('p', { text: t('coach.noReviews') }))),
    actionForm(`coach-decide-${id}`, [labelled(verdict, t('coach.verdictLabel')), labelled(note, t('coach.note'), t('coach.noteHint'))],
      h('button', { type: 'submit', text: t('coach.decide') }), decide, reload),
    actionForm(`coach-assign-${id}`, [labelled(reviewer, t('coach.reviewer'), t('coach.reviewerHint'))],
      h('button', { type: 'submit', class: 'secondary', text: t('coach.assign') }), assign, reload),
    actionForm(`coach-extend-${id}`, [], h('button', { type: 'submit', class: 'secondary', text: t('coach.extend') }), extend, reload));
}

function flagCard(flag, reload) {
  const id = flag.review;
  const note = h('textarea', { id: `flag-note-${id}`, rows: 3, maxlength: 1000 });
  const resolve = (action) => {
    const send = () => live.request('flag.resolve', { review: id, action, note: note.value.trim() });
    if (action === 'uphold') send.check = () => (note.value.trim() ? null : t('coach.kindNeeded'));
    return send;
  };
  return h('li', { class: 'card coach-flag', id: `coach-flag-${id}`, 'data-review': id },
    h('h3', { text: t('coach.flag', { name: flag.author, title: flag.title }) }),
    h('p', {}, h('strong', { text: t(`coach.kind.${flag.kind}`) }), ' ', t('coach.flagWords'), ' ',
      h('q', { class: 'plain', text: flag.reason })),
    h('p', { class: 'meta' }, t('coach.flagReviewer', { name: flag.reviewer, count: flag.upheld }), ' · ', when(flag.flagged_at)),
    h('p', { class: 'links' },
      h('a', { href: `#coach-flagged-${id}`, text: t('coach.toReview') }), ' · ',
      h('a', { href: `#coach-work-of-${id}`, text: t('coach.toWork') })),
    h('div', { class: 'side-by-side' },
      h('section', { id: `coach-flagged-${id}`, 'aria-label': t('coach.theReview') }, h('h4', { text: t('coach.theReview') }),
        h('p', { text: t('coach.verdict', { verdict: t(`coach.verdict.${flag.verdict}`) }) }),
        flag.comment_html ? html('div', { class: 'content comment' }, flag.comment_html) : null),
      h('section', { id: `coach-work-of-${id}`, 'aria-label': t('coach.work') }, h('h4', { text: t('coach.work') }),
        html('div', { class: 'content' }, flag.body_html || ''))),
    actionForm(`flag-resolve-${id}`, [labelled(note, t('coach.kindNote'), t('coach.kindNoteHint'))],
      h('span', {}, h('button', { type: 'submit', 'data-action': 'uphold', text: t('coach.uphold') })), resolve('uphold'), reload),
    actionForm(`flag-dismiss-${id}`, [], h('button', { type: 'submit', class: 'secondary', 'data-action': 'dismiss', text: t('coach.dismiss') }),
      resolve('dismiss'), reload));
}

function decisionLine(decision) {
  return h('li', {}, h('strong', { text: t(`coach.action.${decision.action}`) }), ' ',
    t('coach.decisionBy', { coach: decision.coach, name: decision.author, step: decision.step }), ' · ', when(decision.at),
    decision.note ? h('span', { class: 'plain', text: ` — ${decision.note}` }) : null);
}

// The coaches' part of a board: its element, and load() to ask again.
export function coachPanel(board) {
  const status = h('p', { role: 'status', class: 'meta', id: 'coach-status' });
  const items = h('div', { id: 'coach-items' });
  const flags = h('div', { id: 'coach-flags' });
  const decisions = h('div', { id: 'coach-decisions' });
  let asking = 0;
  async function load(message) {
    const ask = ++asking;
    let data;
    try {
      data = await live.request('review.coach_list', { cohort: board.cohort, track: board.track });
    } catch (err) {
      if (ask === asking) status.textContent = liveErrorText(err);
      return;
    }
    if (ask !== asking) return;
    items.replaceChildren(data.items.length ? h('ul', { class: 'cards' }, data.items.map((item) => itemCard(item, load)))
      : h('p', { text: t('coach.none') }));
    flags.replaceChildren(data.flags.length ? h('ul', { class: 'cards' }, data.flags.map((flag) => flagCard(flag, load)))
      : h('p', { text: t('coach.noFlags') }));
    decisions.replaceChildren(data.decisions.length ? h('ul', {}, data.decisions.map(decisionLine))
      : h('p', { text: t('coach.noDecisions') }));
    status.textContent = message || '';
  }
  const element = h('div', { id: 'board-coach' }, status,
    h('h3', { text: t('coach.items') }), items,
    h('h3', { text: t('coach.flags') }), flags,
    h('h3', { text: t('coach.decisions') }), decisions);
  return { element, load, wants: (event) => EVENTS.test(event.event) };
}
