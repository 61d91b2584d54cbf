// board.js - the coaches' board (docs/protocol.md, "The coaches' board"):
// one cohort's learners on one track, live. board.get gives the whole state
// (again after every reconnect); the board's pushes then change single
// cells, rows and counts, never the whole table, so 300 learners × 100 steps
// stay smooth. app.js imports this module only when a coach opens /board.
// Addresses: /board/COHORT/TRACK, the cohort URL-encoded, "-" for none.

import { t, plural, language, relativeTime, addStrings } from './i18n.js';
import * as live from './live.js';
import { api } from './api.js';
import { h, errorLine, labelled } from './dom.js';
import { personName, liveErrorText } from './format.js';
import { me } from './session.js';
import { generation, onLeave, show, navigate } from './page.js';

await addStrings('board');

const STATES = ['not_started', 'started', 'needs_work', 'submitted', 'in_review', 'done', 'passed'];
// Which per-step count a state adds to: working on it, waiting for a review, finished.
const BUCKET = { started: 'on', needs_work: 'on', submitted: 'wait', in_review: 'wait', done: 'done', passed: 'done' };
const LAST = 'grounds.board'; // localStorage: the board opened last

const boardPath = (cohort, track) => `/board/${encodeURIComponent(cohort || '-')}/${encodeURIComponent(track)}`;

function svg(tag, attrs, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

// How long something has lasted: "40 min", "3 h", "2 days".
function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return t('board.minutes', { count: minutes });
  if (minutes < 2880) return t('board.hours', { count: Math.round(minutes / 60) });
  return plural('board.days', Math.round(minutes / 1440));
}

// "3 hours ago" in the reader's language, the exact time on hover.
function ago(ms, now) {
  if (!ms) return t('board.never');
  const date = new Date(ms);
  return h('time', { datetime: date.toISOString(), title: date.toLocaleString(language()), text: relativeTime(ms, now) });
}

function refused() {
  show(t('board.title'), h('h1', { text: t('board.title') }),
    h('p', { class: 'form-error', role: 'alert', id: 'board-refused', text: t('board.refused') }));
}

// ---- /board: choose a track and a cohort ----

export async function pageBoardChoose() {
  if (me.role === 'learner') return refused();
  const tracks = await api.tracks();
  let last = {};
  try { last = JSON.parse(localStorage.getItem(LAST)) || {}; } catch { /* nothing remembered */ }
  const form = h('form', { id: 'board-choose' },
    labelled(h('select', { id: 'board-track', name: 'track' }, tracks.map((track) => h('option', { value: track.id, selected: track.id === last.track, text: track.title }))), t('board.track')),
    labelled(h('input', { id: 'board-cohort', name: 'cohort', list: 'board-cohorts', value: last.cohort ?? me.cohort ?? '' }), t('board.cohort'), t('board.cohort.hint')),
    h('datalist', { id: 'board-cohorts' }, [...new Set([last.cohort, me.cohort])].filter(Boolean).map((value) => h('option', { value }))),
    h('button', { type: 'submit', text: t('board.open') }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(boardPath(form.elements.cohort.value.trim(), form.elements.track.value));
  });
  show(t('board.title'), h('h1', { text: t('board.title') }), h('p', { text: t('board.intro') }),
    tracks.length ? form : h('p', { text: t('home.noTracks') }));
}

// ---- /board/COHORT/TRACK ----

export async function pageBoard(cohortPart, trackId) {
  if (me.role === 'learner') return refused();
  const gen = generation;
  const cohort = cohortPart === '-' ? '' : cohortPart;
  const track = await api.track(trackId); // no such track: "nothing at this address"
  if (gen !== generation) return;
  try { localStorage.setItem(LAST, JSON.stringify({ cohort, track: trackId })); } catch { /* not remembered */ }
  const topic = `board:${cohort}/${trackId}`;
  const group = cohort || t('board.noCohort');
  const box = (id, tag = 'div') => h(tag, { id, class: tag === 'figure' ? 'chart' : null });
  const status = h('p', { class: 'meta', role: 'status', id: 'board-status', text: t('board.loading') });
  const [attentionBox, helpBox, funnelBox, weeksBox] = [box('board-attention'), box('board-help'), box('board-funnel', 'figure'), box('board-weeks', 'figure')];
  const gridBox = h('div', { class: 'board-scroll', id: 'board-grid', tabindex: 0, role: 'region', 'aria-labelledby': 'board-grid-title' });

  // What the board knows: made by each board.get, changed by the pushes.
  let steps = []; // [{id, title, reviews}], in order
  let titles = new Map(); // step id → "3. Title"
  let offset = 0; // the server's clock − this one
  const rows = new Map(); // handle → {learner, tr, cur, for, last, reviews, here}
  const cells = new Map(); // "handle/step" → td
  const counts = new Map(); // step id → {on, wait, done} and their footer cells
  let attention = [];
  const help = new Map(); // request id → request
  const now = () => Date.now() + offset;
  const nameOf = (handle) => rows.get(handle)?.learner.display_name || handle;
  const cellText = (handle, step, state) => `${nameOf(handle)}, ${titles.get(step)}: ${t(`board.state.${state}`)}`;

  // ---- painting, batched into one animation frame ----
  const dirtyCells = new Set();
  const dirtyRows = new Set();
  let frame = 0;
  let funnelTimer = 0;
  const later = () => { frame ||= requestAnimationFrame(flush); };

  function paintRow(row) {
    const { learner } = row;
    // Working on: the step begun last that is not finished.
    let current = null;
    for (const [step, p] of Object.entries(learner.progress)) {
      if (titles.has(step) && BUCKET[p.state] && BUCKET[p.state] !== 'done' &&
          (!current || p.started_at > learner.progress[current].started_at)) current = step;
    }
    const since = current && learner.progress[current].started_at;
    row.cur.textContent = current ? titles.get(current) : '–';
    row.for.textContent = since ? duration(now() - since) : '';
    row.last.replaceChildren(ago(learner.last_activity, now()));
    row.reviews.textContent = `${learner.given} / ${learner.received}`;
    row.here.hidden = !titles.has(learner.here);
    row.here.lastChild.textContent = row.here.hidden ? '' : t('board.hereNow', { step: titles.get(learner.here) });
  }
  function flush() {
    frame = 0;
    const touched = new Set();
    for (const key of dirtyCells) {
      const handle = key.slice(0, key.indexOf('/')); // a handle has no '/', a step id may
      const step = key.slice(handle.length + 1);
      const state = rows.get(handle).learner.progress[step].state;
      const td = cells.get(key);
      td.dataset.state = state;
      td.setAttribute('aria-label', cellText(handle, step, state));
      touched.add(step);
    }
    for (const step of touched) for (const [bucket, td] of counts.get(step).cells) td.textContent = counts.get(step)[bucket];
    for (const handle of dirtyRows) if (rows.has(handle)) paintRow(rows.get(handle));
    dirtyCells.clear();
    dirtyRows.clear();
    if (touched.size) funnelTimer ||= setTimeout(() => { funnelTimer = 0; drawFunnel(); }, 1000);
  }

  // A learner's step changes state: its cell, the step's counts, the row.
  function setState(handle, step, state, at) {
    const { learner } = rows.get(handle);
    const old = learner.progress[step] || { state: 'not_started', started_at: 0 };
    const count = counts.get(step);
    if (BUCKET[old.state]) count[BUCKET[old.state]]--;
    if (BUCKET[state]) count[BUCKET[state]]++;
    learner.progress[step] = { ...old, state, started_at: old.started_at || at };
    learner.last_activity = Math.max(learner.last_activity || 0, at);
    dirtyCells.add(`${handle}/${step}`);
    dirtyRows.add(handle);
    later();
  }

  // ---- the table: built in one go for each board.get ----
  function buildTable(learners) {
    rows.clear();
    cells.clear();
    for (const step of steps) counts.set(step.id, { on: 0, wait: 0, done: 0, cells: [] });
    const body = document.createDocumentFragment();
    for (const learner of learners) {
      const td = (attrs) => h('td', { role: 'cell', ...attrs });
      const row = { learner, cur: td(), for: td(), last: td(), reviews: td({ class: 'num' }),
        here: h('span', { class: 'here' }, h('span', { 'aria-hidden': 'true', text: '●' }), h('span', { class: 'vh' })) };
      row.tr = h('tr', { role: 'row', 'data-user': learner.handle },
        h('th', { scope: 'row', role: 'rowheader' }, learner.display_name, ' ', row.here,
          h('button', { type: 'button', class: 'nudge', 'data-nudge': learner.handle, title: t('board.nudge'),
            'aria-label': t('board.nudgeWho', { name: learner.display_name }), text: '✉' })),
        row.cur, row.for, row.last, row.reviews);
      rows.set(learner.handle, row);
      for (const step of steps) {
        const state = learner.progress[step.id]?.state || 'not_started';
        if (BUCKET[state]) counts.get(step.id)[BUCKET[state]]++;
        // The symbol comes from style.css, the words are the cell's name: a
        // hidden span in each of 30 000 cells costs seconds of layout.
        const cell = td({ 'data-user': learner.handle, 'data-step': step.id, 'data-state': state, 'aria-label': cellText(learner.handle, step.id, state) });
        cells.set(`${learner.handle}/${step.id}`, cell);
        row.tr.append(cell);
      }
      paintRow(row);
      body.append(row.tr);
    }
    const foot = ['on', 'wait', 'done'].map((bucket) => h('tr', { role: 'row' },
      h('th', { scope: 'row', role: 'rowheader', colspan: 5, text: t(`board.count.${bucket}`) }),
      steps.map((step) => {
        const count = counts.get(step.id);
        const cell = h('td', { role: 'cell', class: 'num', 'data-count': bucket, 'data-step': step.id, text: count[bucket] });
        count.cells.push([bucket, cell]);
        return cell;
      })));
    // Laid out row by row (style.css), so the roles say what the tags would.
    return h('table', { class: 'board', id: 'board-table', role: 'table' },
      h('caption', { text: t('board.caption', { group, track: track.title, count: learners.length }) }),
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
        ['learner', 'current', 'for', 'last', 'reviews'].map((key) => h('th', { scope: 'col', role: 'columnheader', text: t(`board.col.${key}`) })),
        steps.map((step, i) => h('th', { scope: 'col', role: 'columnheader', title: titles.get(step.id) },
          h('span', { 'aria-hidden': 'true', text: i + 1 }), h('span', { class: 'step-name', text: step.title }))))),
      h('tbody', { role: 'rowgroup' }, body), h('tfoot', { role: 'rowgroup' }, foot));
  }

  // ---- charts: bars in inline SVG, the numbers in words as its description ----
  // bars: [{value, label, attrs}]; each bar is `width` wide in a `height` tall box.
  function chart(target, id, title, bars, width, height, labelled) {
    const top = Math.max(1, ...bars.map((bar) => bar.value));
    const marks = bars.flatMap((bar, i) => {
      const tall = (bar.value / top) * (height - (labelled ? 40 : 4));
      const x = i * width;
      return [svg('rect', { x: x + width / 8, y: height - (labelled ? 22 : 0) - tall, width: width * 3 / 4, height: tall, class: 'bar', 'data-count': bar.value, ...bar.attrs }, svg('title', {}, bar.label)),
        ...(labelled ? [svg('text', { x: x + width / 2, y: height - 26 - tall, 'text-anchor': 'middle' }, String(bar.value)),
          svg('text', { x: x + width / 2, y: height - 4, 'text-anchor': 'middle' }, bar.short)] : [])];
    });
    target.replaceChildren(h('figcaption', { text: title }),
      svg('svg', { viewBox: `0 0 ${bars.length * width} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: labelled ? 'xMinYMid meet' : 'none' },
        svg('title', { id: `${id}-t` }, title), svg('desc', { id: `${id}-d` }, bars.map((bar) => bar.label).join('; ')), ...marks));
  }
  // The completion funnel: per step, how many finished it (done or passed).
  const drawFunnel = () => chart(funnelBox, 'funnel', t('board.funnel', { total: rows.size }), steps.map((step) => ({
    value: counts.get(step.id).done, attrs: { 'data-step': step.id },
    label: t('board.funnel.line', { step: titles.get(step.id), count: counts.get(step.id).done, total: rows.size }) })), 10, 100, false);
  const drawWeeks = (weeks) => chart(weeksBox, 'weeks', t('board.weeks'), weeks.map((week) => {
    const short = new Date(`${week.week}T00:00:00Z`).toLocaleDateString(language(), { day: 'numeric', month: 'short', timeZone: 'UTC' });
    return { value: week.active, short, attrs: { 'data-week': week.week }, label: t('board.weeks.line', { week: short, count: week.active }) };
  }), 60, 140, true);

  // ---- who needs attention, who asked for help ----
  const list = (items, none, item) => items.length ? h('ul', { class: 'cards' }, items.map(item)) : h('p', { text: t(none) });
  const stepName = (step) => titles.get(step) || step || '';
  function drawAttention() {
    attentionBox.replaceChildren(list(attention, 'board.attention.none', (entry) => h('li', { class: 'card', 'data-user': entry.user, 'data-kind': entry.kind },
      h('p', {}, h('strong', { text: nameOf(entry.user) }), ' ', t(`board.why.${entry.kind}`, { step: stepName(entry.step) })),
      h('p', { class: 'meta', title: new Date(entry.since).toLocaleString(language()), text: t('board.for', { time: duration(now() - entry.since) }) }),
      h('button', { type: 'button', class: 'secondary small', 'data-nudge': entry.user, text: t('board.nudgeWho', { name: nameOf(entry.user) }) }))));
  }
  function drawHelp() {
    const open = [...help.values()].filter((request) => request.state === 'open' || request.state === 'accepted');
    helpBox.replaceChildren(list(open, 'board.help.none', (request) => h('li', { class: 'card', 'data-request': request.request, 'data-state': request.state },
      h('p', {}, h('strong', { text: nameOf(request.user) }), ' ', t('board.help.on', { step: stepName(request.step) })),
      h('p', { class: 'comment plain', text: request.body }),
      h('p', { class: 'meta' }, request.helper ? t('board.help.helper', { name: personName(request.helper) }) : t('board.help.open'),
        ' · ', ago(request.opened_at, now())))));
  }

  // ---- the state, and the pushes ----
  let asking = 0;
  let loaded = false;
  const early = []; // pushes that came while board.get was under way
  let reloadedAt = 0;
  async function load() {
    const ask = ++asking;
    loaded = false;
    let data;
    try {
      data = await live.request('board.get', { cohort, track: trackId });
    } catch (error) {
      if (ask !== asking || gen !== generation) return;
      if (error.code === 'forbidden') return refused();
      status.textContent = liveErrorText(error);
      return status.setAttribute('role', 'alert');
    }
    if (ask !== asking || gen !== generation) return;
    offset = data.now - Date.now() || 0;
    steps = data.steps;
    titles = new Map(steps.map((step, i) => [step.id, `${i + 1}. ${step.title}`]));
    for (const learner of data.learners) learner.progress ||= {};
    gridBox.replaceChildren(buildTable(data.learners));
    attention = data.attention || [];
    help.clear();
    for (const request of data.help || []) help.set(request.request, request);
    drawAttention();
    drawHelp();
    drawFunnel();
    drawWeeks(data.weeks || []);
    status.setAttribute('role', 'status');
    status.textContent = t(data.learners.length ? 'board.live' : 'board.empty');
    loaded = true;
    for (const event of early.splice(0)) receive(event);
  }

  // An entry the server will also list, kept in its order (oldest first).
  const noteAttention = (entry) => { attention = [...attention, entry].sort((a, b) => a.since - b.since); };
  function receive(event) {
    if (!loaded) return early.push(event);
    const row = rows.get(event.user);
    if (event.topic === topic && event.event === 'board.summary') {
      if (event.attention) attention = event.attention; // absent: unchanged
      offset = event.now - Date.now() || offset;
      for (const [handle, numbers] of Object.entries(event.learners || {})) {
        if (!rows.has(handle)) continue;
        Object.assign(rows.get(handle).learner, numbers);
        dirtyRows.add(handle);
      }
      later();
      drawAttention();
    } else if (event.topic === topic && event.event === 'help' && event.request) {
      const request = event.request;
      help.set(request.request, request);
      drawHelp();
      // On the attention list at once while it is open; the next summary agrees.
      attention = attention.filter((entry) => entry.request !== request.request);
      if (request.state === 'open') noteAttention({ user: request.user, kind: 'help_request', since: request.opened_at, request: request.request });
      drawAttention();
    } else if (event.event === 'review.flagged' && event.track === trackId && rows.has(event.user)) {
      if (!attention.some((entry) => entry.review === event.review)) {
        noteAttention({ user: event.user, kind: 'flagged_review', since: event.at, review: event.review });
        drawAttention();
      }
    } else if (event.track !== trackId || !event.user) {
      // another track's (the coach's own stream), or not a learner's event
    } else if (!row) {
      // Someone new in the cohort: ask for the board again (not too often).
      if (event.user !== me.handle && event.event !== 'presence' && Date.now() - reloadedAt > 10000) {
        reloadedAt = Date.now();
        load();
      }
    } else if (event.event === 'presence') {
      row.learner.here = event.step || null;
      dirtyRows.add(event.user);
      later();
    } else if (event.seq > row.learner.seq) { // at or below it: in board.get already
      row.learner.seq = event.seq;
      if ((event.event === 'progress' || event.event === 'submission') && counts.has(event.step)) {
        setState(event.user, event.step, event.state, event.at || now());
      }
    }
  }

  // ---- nudges: a short message to one learner ----
  const text = h('textarea', { id: 'nudge-body', rows: 4, maxlength: 500 });
  const title = h('h2', { id: 'nudge-title' });
  const error = errorLine();
  const done = h('p', { role: 'status', id: 'nudge-result' });
  const send = h('button', { type: 'submit', text: t('board.nudge.send') });
  const dialog = h('dialog', { id: 'nudge', 'aria-labelledby': 'nudge-title' });
  const form = h('form', { class: 'wide' }, title, error,
    labelled(text, t('board.nudge.label'), t('board.nudge.hint')),
    h('div', { class: 'actions' }, send, h('button', { type: 'button', class: 'secondary', text: t('board.nudge.close'), onclick: () => dialog.close() })), done);
  dialog.append(form);
  let to = null;
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
    text.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = text.value.trim();
    error.hidden = true;
    done.textContent = '';
    if (!body) return fail(t('board.nudge.empty'));
    if (new TextEncoder().encode(body).length > 500) return fail(t('error.too_large'));
    send.disabled = true;
    try {
      await live.request('nudge.send', { user: to, body });
      text.value = '';
      done.textContent = t('board.nudge.sent', { name: nameOf(to) });
    } catch (err) {
      fail(err.code === 'not_found' ? t('board.nudge.notFound') : liveErrorText(err));
    } finally {
      send.disabled = false;
    }
  });
  // One listener for every "send a message" button on the page.
  const openNudge = (event) => {
    const button = event.target.closest('[data-nudge]');
    if (!button) return;
    to = button.dataset.nudge;
    title.textContent = t('board.nudgeWho', { name: nameOf(to) });
    error.hidden = true;
    done.textContent = '';
    dialog.showModal();
    text.focus();
  };

  // ---- wiring ----
  // live.js follows the topic again after each reconnect, before it emits
  // 'ready': a board.get sent then is answered after the subscription took
  // effect, so no push falls between the state and the pushes.
  live.join(topic);
  onLeave(gen, () => live.leave(topic));
  onLeave(gen, live.on('event', receive));
  onLeave(gen, live.on('ready', load));
  const clock = setInterval(() => { // "3 h", "5 minutes ago" stay true
    for (const row of rows.values()) paintRow(row);
    drawAttention();
    drawHelp();
  }, 60000);
  onLeave(gen, () => {
    clearInterval(clock);
    cancelAnimationFrame(frame);
    clearTimeout(funnelTimer);
    if (dialog.open) dialog.close();
  });
  if (live.isReady()) load();

  const section = (key, ...content) => h('section', { 'aria-labelledby': `board-${key}-title` },
    h('h2', { id: `board-${key}-title`, text: t(`board.${key}`) }), ...content);
  const heading = t('board.heading', { track: track.title, group });
  show(heading,
    h('nav', { class: 'crumbs', 'aria-label': t('board.title') }, h('a', { href: '/board', text: t('board.choose') })),
    h('h1', { text: heading }), status,
    h('div', { class: 'board-page', onclick: openNudge },
      section('attention', attentionBox),
      section('help', helpBox),
      section('grid', h('p', { class: 'hint', text: t('board.grid.hint') }),
        h('ul', { class: 'legend', id: 'board-legend' }, STATES.map((state) =>
          h('li', {}, h('span', { class: 'sym', 'data-state': state }), ' ', t(`board.state.${state}`)))), gridBox),
      section('charts', funnelBox, weeksBox),
      dialog));
}
