// board-nudge.js - nudges from the board: a dialog to write a short message
// (500 bytes at most) to one learner, opened by any [data-nudge] button;
// the same dialog makes the learner a password reset link (reset-link.js,
// loaded when the dialog first opens).

import { t } from './i18n.js';
import * as live from './live.js';
import { h, errorLine, labelled } from './dom.js';
import { liveErrorText } from './format.js';
import { nameOf } from './board-model.js';

// The dialog, open() for the click listener around the buttons, close().
export function nudgeDialog(board) {
  const text = h('textarea', { id: 'nudge-body', rows: 4, maxlength: 500 });
  const title = h('h2', { id: 'nudge-title' });
  const error = errorLine();
  const done = h('p', { role: 'status', id: 'nudge-result' });
  const send = h('button', { type: 'submit', text: t('board.nudge.send') });
  const dialog = h('dialog', { id: 'nudge', 'aria-labelledby': 'nudge-title' });
  const form = h('form', { class: 'wide' }, title, error,
    labelled(text, t('board.nudge.label'), t('board.nudge.hint')),
    h('div', { class: 'actions' }, send, h('button', { type: 'button', class: 'secondary', text: t('board.nudge.close'), onclick: () => dialog.close() })), done);
  const resetBox = h('div', { class: 'wide', id: 'nudge-reset' });
  dialog.append(form, resetBox);
  let to = null; // the learner's handle
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
    if (new TextEncoder().encode(body).length > 500) return fail(t('check.tooLong'));
    send.disabled = true;
    try {
      await live.request('nudge.send', { user: to, body });
      text.value = '';
      done.textContent = t('board.nudge.sent', { name: nameOf(board, to) });
    } catch (err) {
      fail(err.code === 'not_found' ? t('board.nudge.notFound') : liveErrorText(err));
    } finally {
      send.disabled = false;
    }
  });
  // One listener for every "send a message" button on the page.
  const open = (event) => {
    const button = event.target.closest('[data-nudge]');
    if (!button) return;
    to = button.dataset.nudge;
    title.textContent = t('board.nudgeWho', { name: nameOf(board, to) });
    error.hidden = true;
    done.textContent = '';
    dialog.showModal();
    text.focus();
    resetBox.replaceChildren();
    const user = { handle: to, display_name: nameOf(board, to) };
    import('./reset-link.js').then(({ resetLinkControl }) => {
      if (to === user.handle) resetBox.replaceChildren(resetLinkControl(user));
    });
  };
  const close = () => { if (dialog.open) dialog.close(); };
  return { element: dialog, open, close };
}
