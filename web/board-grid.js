// board-grid.js - the board's table: a row per learner with their figures,
// a cell per step, and per step the counts in its foot. Built in one go for
// each board.get; after that a push repaints only the cells, rows and counts
// it changed, batched into one animation frame, so 300 learners × 100 steps
// stay smooth.

import { t } from './i18n.js';
import { h } from './dom.js';
import { BUCKET, now, nameOf, duration, ago } from './board-model.js';

const BUCKETS = ['on', 'wait', 'done'];

const cellText = (board, handle, step, state) => `${nameOf(board, handle)}, ${board.titles.get(step)}: ${t(`board.state.${state}`)}`;

// A learner's figures: the step worked on and for how long, last active,
// reviews given and received, the step they are on now.
function paintRow(board, row) {
  const { learner } = row;
  // Working on: the step begun last that is not finished.
  let current = null;
  for (const [step, p] of Object.entries(learner.progress)) {
    if (board.titles.has(step) && BUCKET[p.state] && BUCKET[p.state] !== 'done' &&
        (!current || p.started_at > learner.progress[current].started_at)) current = step;
  }
  const since = current && learner.progress[current].started_at;
  row.cur.textContent = current ? board.titles.get(current) : '–';
  row.for.textContent = since ? duration(now(board) - since) : '';
  row.last.replaceChildren(ago(learner.last_activity, now(board)));
  row.reviews.textContent = `${learner.given} / ${learner.received}`;
  // The dot: online (any tab open), and where, when a tab has a step open.
  const here = board.titles.has(learner.here);
  row.here.hidden = !here && !learner.online;
  row.here.lastChild.textContent = here ? t('board.hereNow', { step: board.titles.get(learner.here) })
    : row.here.hidden ? '' : t('board.onlineNow');
}

// A learner's row: {learner, tr, cur, for, last, reviews, here}; its step
// cells go into `cells` ("handle/step" → td).
function learnerRow(board, learner, cells) {
  const td = (attrs) => h('td', { role: 'cell', ...attrs });
  const row = { learner, cur: td(), for: td(), last: td(), reviews: td({ class: 'num' }),
    here: h('span', { class: 'here' }, h('span', { 'aria-hidden': 'true', text: '●' }), h('span', { class: 'vh' })) };
  row.tr = h('tr', { role: 'row', 'data-user': learner.handle },
    h('th', { scope: 'row', role: 'rowheader' }, learner.display_name, ' ', row.here,
      h('button', { type: 'button', class: 'nudge', 'data-nudge': learner.handle, title: t('board.nudge'),
        'aria-label': t('board.nudgeWho', { name: learner.display_name }), text: '✉' })),
    row.cur, row.for, row.last, row.reviews);
  for (const step of board.steps) {
    const state = learner.progress[step.id]?.state || 'not_started';
    // The symbol comes from style.css, the words are the cell's name: a
    // hidden span in each of 30 000 cells costs seconds of layout.
    const cell = td({ 'data-user': learner.handle, 'data-step': step.id, 'data-state': state, 'aria-label': cellText(board, learner.handle, step.id, state) });
    cells.set(`${learner.handle}/${step.id}`, cell);
    row.tr.append(cell);
  }
  paintRow(board, row);
  return row;
}

// The foot: a row per count, a cell per step; the cells go into
// `countCells` (step id → [[bucket, td]]).
function countRows(board, countCells) {
  for (const step of board.steps) countCells.set(step.id, []);
  return BUCKETS.map((bucket) => h('tr', { role: 'row' },
    h('th', { scope: 'row', role: 'rowheader', colspan: 5, text: t(`board.count.${bucket}`) }),
    board.steps.map((step) => {
      const cell = h('td', { role: 'cell', class: 'num', 'data-count': bucket, 'data-step': step.id, text: board.counts.get(step.id)[bucket] });
      countCells.get(step.id).push([bucket, cell]);
      return cell;
    })));
}

// Laid out row by row (style.css), so the roles say what the tags would.
function table(board, caption, body, foot) {
  return h('table', { class: 'board', id: 'board-table', role: 'table' },
    h('caption', { text: caption }),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
      ['learner', 'current', 'for', 'last', 'reviews'].map((key) => h('th', { scope: 'col', role: 'columnheader', text: t(`board.col.${key}`) })),
      board.steps.map((step, i) => h('th', { scope: 'col', role: 'columnheader', title: board.titles.get(step.id), class: step.retired ? 'retired' : null, 'data-retired': step.retired ? 'true' : null },
        h('span', { 'aria-hidden': 'true', text: step.retired ? '×' : i + 1 }),
        h('span', { class: 'step-name', text: step.retired ? board.titles.get(step.id) : step.title }))))),
    h('tbody', { role: 'rowgroup' }, body), h('tfoot', { role: 'rowgroup' }, foot));
}

// The grid's part of the page. caption(count) says whose board it is;
// countsChanged() is called after a frame changed a step's counts.
export function boardGrid(board, caption, countsChanged) {
  // Its own name: the section around it is named by its heading already.
  const element = h('div', { class: 'board-scroll', id: 'board-grid', tabindex: 0, role: 'region', 'aria-label': t('board.grid.scroll') });
  const rows = new Map(); // handle → learnerRow()
  const cells = new Map(); // "handle/step" → td
  const countCells = new Map(); // step id → [[bucket, td]]
  const dirtyCells = new Set(); // "handle/step"
  const dirtyRows = new Set(); // handles
  let frame = 0;
  const later = () => { frame ||= requestAnimationFrame(flush); };

  function flush() {
    frame = 0;
    const touched = new Set();
    for (const key of dirtyCells) {
      const handle = key.slice(0, key.indexOf('/')); // a handle has no '/', a step id may
      const step = key.slice(handle.length + 1);
      const state = board.learners.get(handle).progress[step].state;
      const td = cells.get(key);
      td.dataset.state = state;
      td.setAttribute('aria-label', cellText(board, handle, step, state));
      touched.add(step);
    }
    for (const step of touched) for (const [bucket, td] of countCells.get(step)) td.textContent = board.counts.get(step)[bucket];
    for (const handle of dirtyRows) if (rows.has(handle)) paintRow(board, rows.get(handle));
    dirtyCells.clear();
    dirtyRows.clear();
    if (touched.size) countsChanged();
  }

  return {
    element,
    // The whole table again, from the board's state.
    build() {
      rows.clear();
      cells.clear();
      countCells.clear();
      const body = document.createDocumentFragment();
      for (const learner of board.learners.values()) {
        const row = learnerRow(board, learner, cells);
        rows.set(learner.handle, row);
        body.append(row.tr);
      }
      element.replaceChildren(table(board, caption(board.learners.size), body, countRows(board, countCells)));
    },
    cellChanged(handle, step) {
      dirtyCells.add(`${handle}/${step}`);
      dirtyRows.add(handle);
      later();
    },
    rowChanged(handle) {
      dirtyRows.add(handle);
      later();
    },
    // Every row's figures again: "3 h", "5 minutes ago" stay true.
    paintRows() {
      for (const row of rows.values()) paintRow(board, row);
    },
    stop() {
      cancelAnimationFrame(frame);
    },
  };
}
