// forms.js - what the account pages share (account.js, admin.js, invite.js,
// reset-link.js), loaded with the first of them: their words, the account
// routes of the API, a labelled field, and a form whose failure is said next
// to it in the reader's language with the field at fault marked.

import { request, ApiError } from './api.js';
import { t, addStrings, formatDate } from './i18n.js';
import { h, focusOn, errorLine, labelled } from './dom.js';
import { knownError } from './format.js';

await addStrings('account');

const enc = encodeURIComponent;

// docs/api.md, "Profile and sessions", "Reset links", "Users, cohorts and invites".
export const accounts = {
  profile: (fields) => request('POST', '/api/profile', fields),
  password: (current, next) => request('POST', '/api/password', { current_password: current, new_password: next }),
  sessions: () => request('GET', '/api/sessions'),
  endOthers: () => request('POST', '/api/sessions/end-others', {}),
  reset: (token) => request('GET', `/api/reset/${enc(token)}`),
  useReset: (token, password) => request('POST', '/api/reset', { token, password }),
  makeReset: (handle) => request('POST', `/api/users/${enc(handle)}/reset`, {}),
  users: (q) => request('GET', `/api/users?q=${enc(q)}`),
  change: (handle, action, body = {}) => request('POST', `/api/users/${enc(handle)}/${action}`, body),
  cohorts: () => request('GET', '/api/cohorts'),
  addCohort: (name) => request('POST', '/api/cohorts', { name }),
  invite: (fields) => request('POST', '/api/invites', fields),
  invites: () => request('GET', '/api/invites'),
  revokeInvite: (id) => request('POST', `/api/invites/${id}/revoke`, {}),
};

// The failure of an account request in the reader's language.
export function errorText(error) {
  if (error.code === 'bad_value' && error.field === 'again') return t('reset.differ');
  if (error.code === 'bad_value' && error.field === 'cohort') return t('error.cohort.unknown');
  if (error.code === 'bad_value' && error.field === 'role') return t('error.role.unknown');
  if (error.code === 'not_found' && error.field === 'handle') return t('error.handle.unknown');
  if (error.code === 'bad_value' && ['password', 'new_password'].includes(error.field)) return t('error.password.short');
  return knownError(error);
}

// A labelled input named name (its id: field-NAME).
export function input(name, label, { type = 'text', hint, value, autocomplete, attrs = {} } = {}) {
  return labelled(h('input', { id: `field-${name}`, name, type, value, autocomplete, ...attrs }), label, hint);
}

// Runs submit(FormData) on the form's submit; a failure is said above the
// form and its field marked. What was typed stays.
export function handleForm(form, submit) {
  const errorBox = errorLine();
  form.prepend(errorBox);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
    errorBox.hidden = true;
    button.disabled = true;
    try {
      await submit(new FormData(form));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(errorBox, error, form);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// Says error in box; marks and focuses the form's field at fault, if any.
export function showError(box, error, form = null) {
  box.textContent = typeof error === 'string' ? error : errorText(error);
  box.hidden = false;
  const bad = form && error.field && form.elements[error.field];
  if (bad && bad.setAttribute) {
    bad.setAttribute('aria-invalid', 'true');
    bad.focus();
  } else {
    focusOn(box);
  }
}

// A date and time in the reader's language.
export function when(ms) {
  return formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });
}
