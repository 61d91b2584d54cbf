// forms.js - what the account pages share (account.js, admin.js, invite.js,
// reset-link.js), loaded with the first of them: their words, the account
// routes of the API, a labelled field and a date. Their forms say a failure
// with format.js's handleForm and showError, in the reader's language.

import { request } from './api.js';
import { addStrings, formatDate } from './i18n.js';
import { h, labelled } from './dom.js';

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

// A labelled input named name (its id: field-NAME).
export function input(name, label, { type = 'text', hint, value, autocomplete, attrs = {} } = {}) {
  return labelled(h('input', { id: `field-${name}`, name, type, value, autocomplete, ...attrs }), label, hint);
}

// A date and time in the reader's language.
export function when(ms) {
  return formatDate(ms, { dateStyle: 'medium', timeStyle: 'short' });
}
