// board-push.js - the board's live pushes (docs/protocol.md, "The coaches'
// board"): each changes the board's state (board-model.js) and tells the
// view what to repaint; nothing here draws. The view:
//   cellChanged(handle, step), rowChanged(handle), attentionChanged(),
//   helpChanged(), weeksChanged(), and reload() to ask for the whole board
//   again.

import { me } from './session.js';
import { now, setState, noteAttention, noteActive } from './board-model.js';

// A push, or kept for later while board.get is under way.
export function receive(board, event, view) {
  if (!board.loaded) return board.early.push(event);
  apply(board, event, view);
}

// board.get's state is in: the pushes that came meanwhile, in order.
export function loaded(board, view) {
  board.loaded = true;
  for (const event of board.early.splice(0)) receive(board, event, view);
}

function apply(board, event, view) {
  const ours = event.topic === board.topic;
  if (ours && event.event === 'board.summary') return summary(board, event, view);
  if (ours && event.event === 'help' && event.request) return help(board, event.request, view);
  // Someone joined the cohort: their row, before any progress of theirs.
  if (ours && event.event === 'member.joined') return board.learners.has(event.user) ? null : view.reload();
  // Someone left it (moved to another cohort, or no longer a learner): their row goes.
  if (ours && event.event === 'member.left') return board.learners.has(event.user) ? view.reload() : null;
  if (event.event === 'review.flagged' && event.track === board.track && board.learners.has(event.user)) {
    return flagged(board, event, view);
  }
  if (event.event === 'review.flag_resolved' && event.track === board.track) {
    board.attention = board.attention.filter((entry) => entry.review !== event.review);
    view.attentionChanged();
  }
  if (event.track !== board.track || !event.user) return; // another track's (the coach's own stream), or not a learner's event
  const learner = board.learners.get(event.user);
  if (!learner) {
    newcomer(board, event, view);
  } else if (event.event === 'presence') {
    // Counted per connection by the server: a closed tab of two changes nothing.
    if ('online' in event) learner.online = event.online;
    if ('step' in event) learner.here = event.step || null;
    view.rowChanged(event.user);
  } else if (event.seq > learner.seq) { // at or below it: in board.get already
    learner.seq = event.seq;
    if ((event.event === 'progress' || event.event === 'submission') && board.counts.has(event.step)) {
      setState(board, event.user, event.step, event.state, event.at || now(board));
      view.cellChanged(event.user, event.step);
      if (noteActive(board, learner, event.at || now(board))) view.weeksChanged();
    }
  }
}

// The figures of the learners who changed, and who needs attention.
function summary(board, event, view) {
  if (event.attention) board.attention = event.attention; // absent: unchanged
  board.offset = event.now - Date.now() || board.offset;
  for (const [handle, numbers] of Object.entries(event.learners || {})) {
    if (!board.learners.has(handle)) continue;
    Object.assign(board.learners.get(handle), numbers);
    view.rowChanged(handle);
  }
  view.attentionChanged();
}

// A help request asked, answered or closed. On the attention list at once
// while it is open; the next summary agrees.
function help(board, request, view) {
  board.help.set(request.request, request);
  view.helpChanged();
  board.attention = board.attention.filter((entry) => entry.request !== request.request);
  if (request.state === 'open') noteAttention(board, { user: request.user, kind: 'help_request', since: request.opened_at, request: request.request });
  view.attentionChanged();
}

function flagged(board, event, view) {
  if (board.attention.some((entry) => entry.review === event.review)) return;
  noteAttention(board, { user: event.user, kind: 'flagged_review', since: event.at, review: event.review,
    flag_kind: event.kind, reason: event.reason, submission: event.submission });
  view.attentionChanged();
}

// Someone new in the cohort: ask for the board again (not too often).
function newcomer(board, event, view) {
  if (event.user !== me.handle && event.event !== 'presence' && Date.now() - board.reloadedAt > 10000) {
    board.reloadedAt = Date.now();
    view.reload();
  }
}
