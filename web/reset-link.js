// reset-link.js - a coach's or an admin's "Password reset link" for one
// person: makes the link and shows it to copy or read out. Used by the
// people page (admin.js) and the board's dialog for a learner.

import { t } from './i18n.js';
import { h } from './dom.js';
import { accounts, when } from './forms.js';
import { errorText } from './format.js';
import { ApiError } from './api.js';

// A button and the place its link appears, for the user {handle, display_name}.
export function resetLinkControl(user) {
  const name = user.display_name || user.handle;
  const result = h('div', { class: 'reset-link', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'secondary small', 'data-reset': user.handle,
    'aria-label': t('resetLink.makeFor', { name }), text: t('resetLink.make') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const link = await accounts.makeReset(user.handle);
      const url = h('input', { readonly: true, value: link.url, class: 'reset-url', 'aria-label': t('resetLink.makeFor', { name }) });
      const copied = h('span', { role: 'status' });
      result.replaceChildren(
        h('p', { text: t('resetLink.made', { name, date: when(link.expires_at) }) }), url,
        h('button', { type: 'button', class: 'secondary small', onclick: async () => {
          url.select();
          try { await navigator.clipboard.writeText(link.url); copied.textContent = t('resetLink.copied'); } catch { /* selected for copying by hand */ }
        } }, t('resetLink.copy')), copied);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.replaceChildren(h('p', { class: 'form-error', role: 'alert', text: errorText(error) }));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'reset-control' }, button, result);
}
