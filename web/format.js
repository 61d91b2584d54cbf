// format.js - the words and addresses the pages show for what the server
// sent: a person's name, a step's address, a failure in the reader's language.

import { t } from './i18n.js';

// Who wrote, reviewed or asked something (names are sent only when not blind).
export function personName(person) {
  return person ? person.display_name || person.handle : '';
}

// A step id may hold '/': each part is encoded, the slashes kept.
export function stepHref(trackId, stepId) {
  return `/tracks/${encodeURIComponent(trackId)}/steps/${stepId.split('/').map(encodeURIComponent).join('/')}`;
}

// The server's error in the reader's language when it has a translation.
export function knownError(error) {
  const key = `error.${error.code}`;
  const text = t(key);
  return text === key ? error.message : text;
}

// The message for a failed live request.
export function liveErrorText(error) {
  if (error.code === 'offline') return t('submit.offline');
  if (error.code === 'rate_limited') return t('error.live.rate_limited');
  return knownError(error);
}
