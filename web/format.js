// format.js - the words and addresses the pages show for what the server
// sent: a person's name, a step's address, a failure in the reader's language.

import { t, has, language, formatNumber } from './i18n.js';

// Who wrote, reviewed or asked something (names are sent only when not blind).
export function personName(person) {
  return person ? person.display_name || person.handle : '';
}

// `next` of a sign-in address: a path of this site only ("/x", never
// "//host", "/\\host" or "https://…"); anything else is home.
export function safeNext(next) {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || /[\u0000-\u001f\\]/.test(next)) return '/';
  try {
    const url = new URL(next, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
  } catch {
    return '/';
  }
}

// A step id may hold '/': each part is encoded, the slashes kept.
export function stepHref(trackId, stepId) {
  return `/tracks/${encodeURIComponent(trackId)}/steps/${stepId.split('/').map(encodeURIComponent).join('/')}`;
}

// "5 minutes", "1 minuut": a wait of `seconds`, in minutes from two minutes up.
export function waitText(seconds) {
  const wait = Math.max(1, Math.ceil(Number(seconds) || 1));
  const [count, unit] = wait < 120 ? [wait, 'second'] : [Math.ceil(wait / 60), 'minute'];
  return formatNumber(count, { style: 'unit', unit, unitDisplay: 'long' });
}

// A failure in the reader's language (lang/CODE-errors.js): the words of its
// reason, else of the form field at fault, else of its code, with its
// parameters and `vars` (such as a step's title for `requires`). The
// server's English message only on an English page, for a code this client
// does not know yet.
export function errorText(error, vars = {}) {
  if (!error || error.code === 'offline') return t('app.offline');
  const field = ['bad_value', 'missing_field'].includes(error.code) && error.field ? `field.${error.field}` : null;
  const key = [error.reason, field, error.code].filter(Boolean).map((name) => `error.${name}`).find(has);
  if (!key) return language() === 'en' && error.message ? error.message : t('error.unknown');
  const params = { wait: waitText(error.retry_after || error.retryAfter) };
  for (const name of ['user', 'requires', 'limit']) if (error[name] !== undefined && error[name] !== null) params[name] = error[name];
  return t(key, { ...params, ...vars });
}

export const knownError = errorText;

// The message for a failed live request (offline: the draft is kept).
export function liveErrorText(error, vars) {
  return error && error.code === 'offline' ? t('submit.offline') : errorText(error, vars);
}
