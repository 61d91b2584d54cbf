// applications.js - a coach's applications (/applications): the
// applications to their centres (an admin's: all), newest first, each with
// what the applicant wrote (as text) and, while undecided, the coach's
// three answers: invite them to a group of that centre, put them on the
// waiting list, or decline with a kind message. New applications and other
// coaches' decisions arrive live ("application" events). app.js loads it
// when first needed.

import { t, addStrings, formatDate } from './i18n.js';
import { h, labelled, errorLine } from './dom.js';
import { request, ApiError } from './api.js';
import { generation, onLeave, show } from './page.js';
import { errorText } from './format.js';
import * as live from './live.js';

await addStrings('apply');

function decide(id, action, body) {
  return request('POST', `/api/applications/${id}/${action}`, body);
}

// The answers of an undecided application; redraw(application) after one.
function answers(app, cohorts, redraw) {
  const status = errorLine();
  const act = async (action, body) => {
    status.hidden = true;
    try {
      redraw(await decide(app.id, action, body));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = errorText(error);
      status.hidden = false;
    }
  };
  const mine = cohorts.filter((c) => c.centre === app.centre);
  const cohort = h('select', { id: `cohort-for-${app.id}`, name: 'cohort' }, mine.map((c) => h('option', { value: c.name, text: c.name })));
  const invite = h('form', { class: 'answer', 'data-answer': 'invite' }, labelled(cohort, t('applications.cohort', { name: app.name })),
    h('button', { type: 'submit', text: t('applications.invite') }));
  invite.addEventListener('submit', (event) => { event.preventDefault(); act('invite', { cohort: cohort.value }); });
  const message = h('textarea', { id: `message-for-${app.id}`, name: 'message', rows: 3, maxlength: 1000 });
  const decline = h('form', { class: 'answer', 'data-answer': 'decline' }, labelled(message, t('applications.message', { name: app.name })),
    h('button', { type: 'submit', class: 'secondary', text: t('applications.decline') }));
  decline.addEventListener('submit', (event) => { event.preventDefault(); act('decline', { message: message.value.trim() }); });
  const wait = app.state === 'new'
    ? h('button', { type: 'button', class: 'secondary', 'data-answer': 'wait', text: t('applications.wait'), onclick: () => act('wait', {}) })
    : null;
  return h('div', { class: 'answers' }, status, mine.length ? invite : null, wait, decline);
}

function card(app, cohorts, redraw) {
  const contact = [app.phone, app.email].filter(Boolean).join(' · ');
  const state = t(`applications.state.${app.state}`);
  const undecided = app.state === 'new' || app.state === 'waiting';
  return h('li', { class: 'card', 'data-application': app.id, 'data-state': app.state },
    h('h2', { text: app.name }),
    h('p', { class: 'meta', text: t('applications.line', { centre: app.centre, date: formatDate(app.created_at), state }) }),
    h('p', { text: t('applications.contact', { contact }) }),
    h('p', { text: t('applications.when', { when: app.when }) }),
    h('blockquote', { class: 'motivation', text: app.motivation }),
    app.message ? h('p', { class: 'meta', text: app.message }) : null,
    undecided ? answers(app, cohorts, redraw) : null);
}

export async function pageApplications() {
  const gen = generation;
  const [{ applications }, { cohorts }] = await Promise.all([
    request('GET', '/api/applications'), request('GET', '/api/cohorts')]);
  if (gen !== generation) return;
  const byId = new Map(applications.map((a) => [a.id, a]));
  const list = h('ul', { id: 'application-list', class: 'cards' });
  const done = h('p', { role: 'status', id: 'application-status' });
  const draw = () => {
    const all = [...byId.values()].sort((a, b) => b.id - a.id);
    list.replaceChildren(...(all.length ? all.map((a) => card(a, cohorts, changed)) : [h('li', { text: t('applications.none') })]));
  };
  function changed(app) {
    byId.set(app.id, app);
    draw();
    done.textContent = t('applications.done', { name: app.name, state: t(`applications.state.${app.state}`) });
  }
  onLeave(gen, live.on('event', (data) => {
    if (data.event !== 'application' || !data.application) return;
    byId.set(data.application.id, data.application);
    draw();
  }));
  draw();
  show(t('applications.title'), h('h1', { text: t('applications.title') }),
    h('p', { class: 'meta', text: t('applications.live') }), done, list);
}
