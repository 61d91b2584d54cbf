// format.js - the words and addresses the pages show for what the server
// sent: a person's name, a step's address, a failure in the reader's
// language, and a form that says its failure next to it.

import { t, has, language, formatNumber } from './i18n.js';
import { ApiError } from './api.js';
import { focusOn, errorLine } from './dom.js';

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
// its reason, else of the form field at fault (error.field.NAME for a value
// that is not right or missing, error.field.NAME.CODE for another code),
// else of its code, with its parameters and vars. The server's English
// message only on an English page, for a code this client does not know.
export function errorText(error, vars) {
  if (error.code === 'offline') return t('app.offline');
  const field = error.field && (/^(bad_value|missing_field)$/.test(error.code) ? `field.${error.field}` : `field.${error.field}.${error.code}`);
  const key = [error.reason, field, error.code].filter(Boolean).map((name) => `error.${name}`).find(has);
  if (!key) return language() === 'en' && error.message || t('error.unknown');
  return t(key, { user: error.user, requires: error.requires, wait: waitText(error.retry_after || error.retryAfter), ...vars });
}

// A failed live request (offline: the draft is kept).
export const liveErrorText = (error, vars) => (error.code === 'offline' ? t('submit.offline') : errorText(error, vars));

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
