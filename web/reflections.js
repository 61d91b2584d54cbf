// reflections.js - a group's reflections on one track, for its coaches
// (docs/protocol.md, "Reflections"): each learner's latest reflection on
// each reflection step, with the comments on it and a form to add one. The
// board links here when its track has reflection steps; app.js loads it
// when first needed. body_html is rendered by the server in safe mode.

import { t, addStrings, formatDate } from './i18n.js';
import * as live from './live.js';
import { api } from './api.js';
import { h, focusOn, errorLine, labelled } from './dom.js';
import { personName, liveErrorText } from './format.js';
import { me } from './session.js';
import { generation, show } from './page.js';

await addStrings('reflections');

const when = (ms) => formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });

function commentLine(comment) {
  return h('li', { 'data-comment': comment.comment }, h('p', { class: 'plain', text: comment.body }),
    h('p', { class: 'meta', text: t('reflections.by', { name: comment.from ? personName(comment.from) : '—', when: when(comment.at) }) }));
}

function reflectionCard(work) {
  const id = `reflection-${work.submission}`;
  const comments = h('ul', { class: 'comments' }, work.comments.map(commentLine));
  const body = h('textarea', { id: `comment-${work.submission}`, rows: 3, maxlength: 2000 });
  const error = errorLine();
  const done = h('p', { role: 'status', class: 'meta' });
  const form = h('form', { class: 'wide', novalidate: true }, error,
    labelled(body, t('reflections.comment'), t('reflections.comment.hint')),
    h('button', { type: 'submit', text: t('reflections.send') }), done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!body.value.trim()) {
      error.textContent = t('reflections.empty');
      error.hidden = false;
      body.focus();
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const text = body.value.trim();
      const sent = await live.request('reflection.comment', { submission: work.submission, body: text });
      comments.append(commentLine({ comment: sent.comment, from: me, body: text, at: Date.now() }));
      body.value = '';
      done.textContent = t('reflections.sent');
    } catch (err) {
      error.textContent = liveErrorText(err);
      error.hidden = false;
      focusOn(error);
    } finally {
      button.disabled = false;
    }
  });
  const content = h('div', { class: 'content' });
  content.innerHTML = work.body_html || ''; // rendered by the server in safe mode
  return h('article', { class: 'card', 'data-submission': work.submission, 'aria-labelledby': id },
    h('h2', { id, text: t('reflections.of', { name: personName(work.user), title: work.title }) }),
    h('p', { class: 'meta', text: t('reflections.when', { when: when(work.submitted_at), attempt: work.attempt }) }),
    content, comments, form);
}

export async function pageReflections(cohort, trackId) {
  const gen = generation;
  const [track, got] = await Promise.all([api.track(trackId), live.request('reflection.list', { cohort, track: trackId })]);
  if (gen !== generation) return;
  const heading = t('reflections.title', { group: cohort, track: track.title });
  show(heading, h('nav', { class: 'crumbs', 'aria-label': t('reflections.back') },
    h('a', { href: `/board/${encodeURIComponent(cohort)}/${encodeURIComponent(trackId)}`, text: t('reflections.back') })),
  h('h1', { text: heading }), h('p', { class: 'hint', text: t('reflections.intro') }),
  got.reflections.length ? h('div', { id: 'reflections' }, got.reflections.map(reflectionCard))
    : h('p', { class: 'meta', id: 'reflections-none', text: t('reflections.none') }));
}
