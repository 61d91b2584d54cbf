// format.js - the words and addresses the pages show for what the server
// sent: a person's name, a step's address, a failure in the reader's language.

import { t, has, language, formatNumber } from './i18n.js';

// Who wrote, reviewed or asked something (names are sent only when not blind).
export function personName(person) {
  return person ? person.display_name || person.handle : '';
}

// A sign-in's `next`: a path of this site ("/x"; not "//host", "/\\host",
// "https://…"), else home.
export const safeNext = (next) => (/^\/(?![/\\])[^\\\0-\x1f]*$/.test(next || '') ? next : '/');

// A step id may hold '/': each part is encoded, the slashes kept.
export function stepHref(trackId, stepId) {
  return `/tracks/${encodeURIComponent(trackId)}/steps/${stepId.split('/').map(encodeURIComponent).join('/')}`;
}

// A wait of `seconds`: "30 seconds", "2 minuten".
export function waitText(seconds) {
  const wait = Math.ceil(seconds) || 1;
  return wait < 120 ? formatNumber(wait, { style: 'unit', unit: 'second', unitDisplay: 'long' })
    : formatNumber(Math.ceil(wait / 60), { style: 'unit', unit: 'minute', unitDisplay: 'long' });
}

// A failure in the reader's language (lang/CODE-errors.js): the words of
// its reason, else of the form field at fault, else of its code, with its
// parameters and vars. The server's English message only on an English
// page, for a code this client does not know.
export function errorText(error, vars) {
  if (error.code === 'offline') return t('app.offline');
  const field = /^(bad_value|missing_field)$/.test(error.code) && error.field && `field.${error.field}`;
  const key = [error.reason, field, error.code].map((name) => `error.${name}`).find(has);
  if (!key) return language() === 'en' && error.message || t('error.unknown');
  return t(key, { user: error.user, requires: error.requires, wait: waitText(error.retry_after || error.retryAfter), ...vars });
}

export const knownError = errorText;

// A failed live request (offline: the draft is kept).
export const liveErrorText = (error, vars) => (error.code === 'offline' ? t('submit.offline') : errorText(error, vars));
