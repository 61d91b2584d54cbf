// board-model.js - what one coaches' board knows: the state board.get gives,
// the changes the pushes make to it (board-push.js decides which), and the
// words for its times. Nothing here draws the page; board-grid.js,
// board-charts.js and board-lists.js draw from this state.

import { t, plural, relativeTime, formatDate } from './i18n.js';
import { h } from './dom.js';

export const STATES = ['not_started', 'started', 'needs_work', 'submitted', 'in_review', 'done', 'passed'];
// Which per-step count a state adds to: working on it, waiting for a review, finished.
export const BUCKET = { started: 'on', needs_work: 'on', submitted: 'wait', in_review: 'wait', done: 'done', passed: 'done' };

// A board's state, made by newBoard(), filled by each board.get (fill) and
// changed by the pushes:
//   cohort, track  which board ('' for no cohort; the track's id)
//   topic       "board:COHORT/TRACK", the room its pushes come through
//   steps       [{id, title, reviews, retired}], in the track's order, then
//               the retired steps: ones the track no longer has but some
//               learner has progress on (kept, never deleted), by id
//   titles      step id → "3. Title"
//   offset      the server's clock − this one, in ms (see now())
//   learners    handle → the learner as board.get sent it, kept up to date:
//               {handle, display_name, seq, here, last_activity, given,
//                received, progress: step id → {state, started_at, …}}
//   counts      step id → {on, wait, done}: how many learners are working
//               on it, waiting for a review of it, finished it (BUCKET)
//   attention   [{user, kind, since, step?, request?, review?}], oldest first
//   help        request id → help request
//   weeks       [{week: "YYYY-MM-DD" (a Monday), active}], oldest first: the
//               learners active on the track each week, kept live
//               (noteActive); each learner's `lastOnTrack` is their latest
//               change on the track
//   loaded      the last board.get is in; until then pushes wait in `early`
//   early       pushes that came while board.get was under way
//   reloadedAt  when a newcomer's push last made the board ask again
export function newBoard(cohort, track) {
  return {
    cohort, track, topic: `board:${cohort}/${track}`,
    steps: [], titles: new Map(), offset: 0, learners: new Map(), counts: new Map(),
    attention: [], help: new Map(), weeks: [], loaded: false, early: [], reloadedAt: 0,
  };
}

// The state in a board.get reply, replacing what the board knew.
export function fill(board, data) {
  board.offset = data.now - Date.now() || 0;
  const current = new Set(data.steps.map((step) => step.id));
  const retired = [...new Set(data.learners.flatMap((learner) => Object.keys(learner.progress || {})))]
    .filter((id) => !current.has(id)).sort();
  board.steps = [...data.steps, ...retired.map((id) => ({ id, title: id, reviews: 0, retired: true }))];
  board.titles = new Map(board.steps.map((step, i) =>
    [step.id, step.retired ? t('board.retiredStep', { id: step.id }) : `${i + 1}. ${step.title}`]));
  board.learners.clear();
  board.counts.clear();
  for (const step of board.steps) board.counts.set(step.id, { on: 0, wait: 0, done: 0 });
  for (const learner of data.learners) {
    learner.progress ||= {};
    learner.lastOnTrack = Math.max(0, ...Object.values(learner.progress).map((p) => p.updated_at || 0));
    board.learners.set(learner.handle, learner);
    for (const step of board.steps) {
      const bucket = BUCKET[learner.progress[step.id]?.state];
      if (bucket) board.counts.get(step.id)[bucket]++;
    }
  }
  board.attention = data.attention || [];
  board.weeks = (data.weeks || []).map((week) => ({ ...week }));
  board.help.clear();
  for (const request of data.help || []) board.help.set(request.request, request);
}

// The server's time now.
export const now = (board) => Date.now() + board.offset;
export const nameOf = (board, handle) => board.learners.get(handle)?.display_name || handle;
export const stepName = (board, step) => board.titles.get(step) || step || '';

// A learner's step changes state: its progress, the step's counts, when the
// learner was last active.
export function setState(board, handle, step, state, at) {
  const learner = board.learners.get(handle);
  const old = learner.progress[step] || { state: 'not_started', started_at: 0 };
  const count = board.counts.get(step);
  if (BUCKET[old.state]) count[BUCKET[old.state]]--;
  if (BUCKET[state]) count[BUCKET[state]]++;
  learner.progress[step] = { ...old, state, started_at: old.started_at || at };
  learner.last_activity = Math.max(learner.last_activity || 0, at);
}

// Weeks as the server numbers them: since Monday 1970-01-05 (UTC).
const WEEK = 7 * 86400000;
const weekOf = (ms) => Math.floor((ms + 3 * 86400000) / WEEK);
const monday = (week) => new Date(week * WEEK - 3 * 86400000).toISOString().slice(0, 10);

// A learner changed their progress on the track at `at`: counted among the
// active of that week unless they were already (their previous change fell
// in it). A new week moves the chart on. Whether the chart changed.
export function noteActive(board, learner, at) {
  const week = weekOf(at);
  const before = learner.lastOnTrack ? weekOf(learner.lastOnTrack) : null;
  learner.lastOnTrack = Math.max(learner.lastOnTrack || 0, at);
  if (before !== null && before >= week) return false;
  let entry = board.weeks.find((w) => weekOf(Date.parse(`${w.week}T00:00:00Z`)) === week);
  if (!entry) {
    const last = board.weeks.at(-1);
    if (last && weekOf(Date.parse(`${last.week}T00:00:00Z`)) > week) return false; // before the chart
    entry = { week: monday(week), active: 0 };
    board.weeks.push(entry);
    if (board.weeks.length > 12) board.weeks.shift();
  }
  entry.active++;
  return true;
}

// An entry the server will also list, kept in its order (oldest first).
export function noteAttention(board, entry) {
  board.attention = [...board.attention, entry].sort((a, b) => a.since - b.since);
}

// How long something has lasted: "40 min", "3 h", "2 days".
export function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 60) return t('board.minutes', { count: minutes });
  if (minutes < 2880) return t('board.hours', { count: Math.round(minutes / 60) });
  return plural('board.days', Math.round(minutes / 1440));
}

// "3 hours ago" in the reader's language, the exact time on hover.
export function ago(ms, from) {
  if (!ms) return t('board.never');
  const date = new Date(ms);
  return h('time', { datetime: date.toISOString(), title: formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' }), text: relativeTime(ms, from) });
}
