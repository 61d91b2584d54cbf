// progress.js - progress you can see on a track's and a step's page: the
// outline's marks (every step's state, why a step is locked, each
// section's progress) and a lesson's "Mark as done" with its result and
// undo. Loaded with the track and step pages (app.js); the home page's next
// action is app.js's own.

import { t, addStrings } from './i18n.js';
import * as live from './live.js';
import { h, errorLine } from './dom.js';
import { stepHref, liveErrorText } from './format.js';
import { startStep, lockedBy, COMPLETE } from './session.js';

await addStrings('progress');

const steps = (track) => track.modules.flatMap((module) => module.steps);
const titleIn = (track, id) => (steps(track).find((s) => s.id === id) || { title: id }).title;

// Why the step is locked, in words (null: it is not).
export function lockText(track, step) {
  const missing = lockedBy(track, step);
  return missing ? t('step.locked', { title: titleIn(track, missing) }) : null;
}

// ---- the outline ----------------------------------------------------------------

// The outline with each step's state (or why it is locked) and each
// section's progress as a bar; update() follows the live progress.
export function outlineList(track, meta) {
  const parts = track.modules.map((module, m) => {
    const label = h('p', { class: 'meta', id: `section-${m}` });
    const bar = h('progress', { max: module.steps.length, 'aria-labelledby': `section-${m}` });
    const items = module.steps.map((step) => {
      const mark = h('span', { class: 'mark' });
      return { step, mark, li: h('li', { 'data-step': step.id }, h('a', { href: stepHref(track.id, step.id), text: step.title }), ' ', mark,
        h('span', { class: 'meta', text: meta(step) })) };
    });
    return { label, bar, items, element: h('li', {}, h('h3', { text: module.title }), label, bar, h('ol', { class: 'steps' }, items.map((i) => i.li))) };
  });
  const update = () => {
    for (const { label, bar, items } of parts) {
      let done = 0;
      for (const { step, mark, li } of items) {
        const state = live.stateOf(track.id, step.id);
        const locked = lockText(track, step);
        done += COMPLETE.has(state);
        li.dataset.state = locked ? 'locked' : state;
        mark.textContent = locked || t(`state.${state}`);
      }
      label.textContent = t('track.section', { done, total: items.length });
      bar.value = done;
    }
  };
  update();
  return { element: h('ol', { class: 'outline', id: 'outline' }, parts.map((p) => p.element)), update };
}

// ---- a lesson's "Mark as done", its result and undo ------------------------------

export function doneActions(track, step, showRequires) {
  const error = errorLine();
  const reason = h('p', { id: 'done-locked', class: 'notice', hidden: true });
  const result = h('p', { id: 'done-result', role: 'status' });
  const done = h('button', { type: 'button', id: 'mark-done', text: t('step.markDone') });
  const undo = h('button', { type: 'button', id: 'undo-done', class: 'secondary', text: t('step.undo') });
  const run = async (change, said) => {
    error.hidden = true;
    try {
      await change();
      result.textContent = t(said);
    } catch (err) {
      if (err.requires) showRequires(err.requires);
      error.textContent = liveErrorText(err);
      error.hidden = false;
    }
    update();
  };
  done.addEventListener('click', () => done.hasAttribute('aria-disabled') || run(async () => {
    await startStep(track, step);
    await live.request('progress.set', { track: track.id, step: step.id, state: 'done' });
  }, 'step.doneResult'));
  undo.addEventListener('click', () => run(() => live.request('progress.undo', { track: track.id, step: step.id }), 'step.undone'));
  const update = () => {
    const isDone = live.stateOf(track.id, step.id) === 'done';
    const locked = lockText(track, step);
    reason.textContent = locked || '';
    reason.hidden = !locked;
    for (const [name, value] of [['aria-disabled', 'true'], ['aria-describedby', 'done-locked']]) {
      if (locked) done.setAttribute(name, value);
      else done.removeAttribute(name);
    }
    const focused = document.activeElement;
    done.hidden = isDone;
    undo.hidden = !isDone;
    if (focused === done && isDone) undo.focus();
    else if (focused === undo && !isDone) done.focus();
  };
  update();
  return { element: h('div', { class: 'step-actions' }, error, reason, done, undo, result), update };
}

// The step's own "## Review checklist" section: the page shows the checklist once, itself.
export function dropChecklist(content) {
  const heading = [...content.querySelectorAll('h2')].find((h2) => h2.textContent.trim().toLowerCase() === 'review checklist');
  while (heading && heading.nextElementSibling && !/^H[12]$/.test(heading.nextElementSibling.tagName)) heading.nextElementSibling.remove();
  if (heading) heading.remove();
}
