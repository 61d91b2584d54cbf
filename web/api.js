// api.js - the JSON API of groundsd (docs/api.md), as small async functions.
// Every failure becomes an ApiError carrying the server's error code, reason
// and parameters, thrown once the words for errors are loaded, so the pages
// can say what went wrong in the reader's language.

import { addStrings } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, field, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.reason = extra.reason;
    this.retry_after = extra.retry_after;
  }
}

export async function request(method, path, body) {
  const options = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached.');
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const apiError = new ApiError(response.status, error.code || 'internal',
      error.message || `The server answered ${response.status}.`, error.field, error);
    apiError.retryAfter = Number(response.headers.get('Retry-After')) || 0;
    apiError.minutes = error.minutes;
    apiError.limit = error.limit;
    await addStrings('errors').catch(() => {});
    throw apiError;
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  me: () => request('GET', '/api/me'),
  login: (handle, password) => request('POST', '/api/login', { handle, password }),
  logout: () => request('POST', '/api/logout', {}),
  register: (fields) => request('POST', '/api/register', fields),
  invite: (code) => request('GET', `/api/invites/${enc(code)}`),
  createInvite: (fields) => request('POST', '/api/invites', fields),
  tracks: () => request('GET', '/api/tracks'),
  track: (id) => request('GET', `/api/tracks/${enc(id)}`),
  step: (id, step) => request('GET', `/api/tracks/${enc(id)}/steps/${step.split('/').map(enc).join('/')}`),
};
