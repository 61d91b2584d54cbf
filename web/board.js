// board.js - the coaches' board (docs/protocol.md, "The coaches' board"):
// one cohort's learners on one track, live. board.get gives the whole state
// (again after every reconnect); the board's pushes then change single
// cells, rows and counts, never the whole table, so 300 learners × 100 steps
// stay smooth. app.js imports this module only when a coach opens /board;
// it brings its styles, board.css.
// Addresses: /board/COHORT/TRACK, the cohort URL-encoded, "-" for none.
//
// This module puts the page together and follows the board live; its parts:
//   board-model.js   what the board knows, and the changes made to it
//   board-push.js    the pushes: which change each makes, what to repaint
//   board-grid.js    the table of learners × steps, repainted by the frame
//   board-charts.js  the completion funnel and the active learners per week
//   board-lists.js   who needs attention, who asked for help
//   board-nudge.js   the dialog to send a learner a message
//   board-coach.js   what the coaches decide: ties, stuck reviews, flags

import { t, plural, addStrings } from './i18n.js';
import * as live from './live.js';
import { api } from './api.js';
import { h, labelled } from './dom.js';
import { liveErrorText } from './format.js';
import { me } from './session.js';
import { generation, onLeave, show, navigate } from './page.js';
import { STATES, newBoard, fill } from './board-model.js';
import { receive, loaded } from './board-push.js';
import { boardGrid } from './board-grid.js';
import { boardCharts } from './board-charts.js';
import { attentionList, helpList } from './board-lists.js';
import { nudgeDialog } from './board-nudge.js';
import { coachPanel } from './board-coach.js';

await addStrings('board');
// The board's own styles (board.css, which no learner needs), in before its first page is drawn.
await new Promise((resolve) => document.head.append(h('link', { rel: 'stylesheet', href: '/board.css', onload: resolve, onerror: resolve })));

const LAST = 'grounds.board'; // localStorage: the board opened last

const boardPath = (cohort, track) => `/board/${encodeURIComponent(cohort || '-')}/${encodeURIComponent(track)}`;

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
  const board = newBoard(cohort, trackId);
  const group = cohort || t('board.noCohort');
  const view = boardView(board, (count) => plural('board.caption', count, { group, track: track.title }));
  follow(board, view, gen);
  const parts = layout(view, t('board.heading', { track: track.title, group }), board);
  // A track with reflection steps: their page, where coaches comment (reflections.js).
  if (cohort && track.modules.some((module) => module.steps.some((step) => step.kind === 'reflection'))) {
    parts.splice(3, 0, h('p', {}, h('a', { id: 'board-reflections', href: `/board/${encodeURIComponent(cohort)}/${encodeURIComponent(trackId)}/reflections`, text: t('board.reflections') })));
  }
  show(...parts);
}

// The page's parts, drawn from the board's state, and what the pushes, the
// clock and board.get ask of them.
function boardView(board, caption) {
  const status = h('p', { class: 'meta', role: 'status', id: 'board-status', text: t('board.loading') });
  const charts = boardCharts(board);
  const grid = boardGrid(board, caption, charts.funnelSoon);
  const attention = attentionList(board);
  const help = helpList(board);
  const nudge = nudgeDialog(board);
  const coach = coachPanel(board);
  return {
    status, grid, charts, attention, help, nudge, coach,
    cellChanged: grid.cellChanged,
    rowChanged: grid.rowChanged,
    attentionChanged: attention.draw,
    helpChanged: help.draw,
    weeksChanged: charts.weeksSoon,
    // Everything again, after a board.get.
    drawAll(empty) {
      grid.build();
      attention.draw();
      help.draw();
      charts.drawFunnel();
      charts.drawWeeks(board.weeks);
      status.setAttribute('role', 'status');
      status.textContent = t(empty ? 'board.empty' : 'board.live');
    },
    failed(text) {
      if (status.textContent === text && status.getAttribute('role') === 'alert') return; // not read out again
      status.textContent = text;
      status.setAttribute('role', 'alert');
    },
    // "3 h", "5 minutes ago" stay true.
    tick() {
      grid.paintRows();
      attention.draw();
      help.draw();
    },
    stop() {
      grid.stop();
      charts.stop();
      nudge.close();
    },
  };
}

// Follows the board live while the page is on show. live.js follows the
// topic again after each reconnect, before it emits 'ready': a board.get
// sent then is answered after the subscription took effect, so no push
// falls between the state and the pushes.
// A board.get that failed for a while (the server busy or failing, or out
// of reach) is asked again by itself after 2, 4 … 30 s, as app.js does for
// a page, and at once when the connection is back ('ready').
const PASSING = new Set(['offline', 'busy', 'internal', 'rate_limited', 'hello_first']);

function follow(board, view, gen) {
  let asking = 0;
  let retry = null;
  let retryDelay = 2000;
  const target = { ...view, reload: () => load() }; // what a push repaints
  async function load() {
    const ask = ++asking;
    clearTimeout(retry);
    board.loaded = false;
    let data;
    try {
      data = await live.request('board.get', { cohort: board.cohort, track: board.track });
    } catch (error) {
      if (ask !== asking || gen !== generation) return;
      if (error.code === 'forbidden') return refused();
      if (!PASSING.has(error.code)) return view.failed(liveErrorText(error));
      view.failed(`${liveErrorText(error)} ${t('app.retrying')}`);
      retry = setTimeout(load, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
      return;
    }
    if (ask !== asking || gen !== generation) return;
    retryDelay = 2000;
    fill(board, data);
    view.drawAll(!data.learners.length);
    loaded(board, target);
    view.coach.load();
  }
  live.join(board.topic);
  onLeave(gen, () => live.leave(board.topic));
  // A new commit of the track: its steps, and the retired ones, afresh.
  const trackTopic = `track:${board.track}`;
  live.join(trackTopic);
  onLeave(gen, () => live.leave(trackTopic));
  onLeave(gen, live.on('event', (event) => {
    if (event.event === 'track.updated' && event.track === board.track) load();
    else receive(board, event, target);
    if (view.coach.wants(event)) view.coach.load();
  }));
  onLeave(gen, live.on('ready', load));
  const clock = setInterval(view.tick, 60000);
  onLeave(gen, () => {
    clearInterval(clock);
    clearTimeout(retry);
    view.stop();
  });
  if (live.isReady()) load();
}

// The page: its heading, the status line, and the parts in their sections.
function layout(view, heading, board) {
  const section = (key, ...content) => h('section', { 'aria-labelledby': `board-${key}-title` },
    h('h2', { id: `board-${key}-title`, text: t(`board.${key}`) }), ...content);
  return [heading,
    h('nav', { class: 'crumbs', 'aria-label': t('board.title') }, h('a', { href: '/board', text: t('board.choose') })),
    h('h1', { text: heading }), view.status,
    h('div', { class: 'board-page', onclick: view.nudge.open },
      section('attention', view.attention.element),
      section('coach', h('p', { class: 'hint', text: t('board.coach.hint') }), view.coach.element),
      section('help', view.help.element),
      section('grid', h('p', { class: 'hint', text: t('board.grid.hint') }),
        h('p', {}, h('a', { class: 'button secondary', id: 'board-csv', download: true,
          href: `/api/board.csv?${new URLSearchParams({ cohort: board.cohort, track: board.track })}`, text: t('board.csv') })),
        h('ul', { class: 'legend', id: 'board-legend' }, STATES.map((state) =>
          h('li', {}, h('span', { class: 'sym', 'data-state': state }), ' ', t(`board.state.${state}`)))), view.grid.element),
      section('charts', view.charts.funnel, view.charts.weeks),
      view.nudge.element)];
}
