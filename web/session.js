// session.js - the signed-in user: who it is, the drafts kept for them on
// this device (localStorage) until the server has them, beginning a step
// before work on it, and whether a step is locked for them. app.js signs in
// and out; the pages read `me`.

import * as live from './live.js';

// The signed-in user ({handle, display_name, role, cohort}), or null.
export let me = null;

export function setUser(user) {
  me = user;
}

export function loadDraft(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null') || {};
  } catch {
    return {};
  }
}

export function saveDraft(key, draft) {
  try {
    if (draft) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch { /* storage full or off: the text stays in the form */ }
}

// Work on a step not begun yet begins it first.
export async function startStep(track, step) {
  if (live.stateOf(track.id, step.id) === 'not_started') {
    await live.request('progress.set', { track: track.id, step: step.id, state: 'started' });
  }
}

// A step's states that count as finished (for what requires it, and for progress).
export const COMPLETE = new Set(['done', 'passed']);

// The first step that `step` requires and that is not finished yet, while
// `step` is not started or only begun (null: none, or its work is handed in
// or finished). As the server has it: a step begun, whose requirement was
// undone since, cannot be marked done or handed in until that one is.
export function lockedBy(track, step) {
  if (!['not_started', 'started'].includes(live.stateOf(track.id, step.id))) return null;
  return (step.requires || []).find((id) => !COMPLETE.has(live.stateOf(track.id, id))) || null;
}
