// app.js - the browser client: a small router over the pages of grounds.
// Pages are built with the DOM (never from strings of user data); the one
// exception is a step's HTML, which the server renders in safe mode.

import { api, ApiError } from './api.js';
import { t, language, languages, setLanguage } from './i18n.js';

const main = document.getElementById('main');
let me = null; // the signed-in user, or null

// ---- building the DOM --------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function show(title, ...content) {
  document.title = `${title} – ${t('app.name')}`;
  main.replaceChildren(...content);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function showError(error) {
  const title = error.status === 404 ? t('app.notFound') : t('app.errorTitle');
  const text = error.code === 'offline' ? t('app.offline')
    : error.status === 404 ? null : t('app.error', { message: error.message });
  show(title, h('h1', { text: title }),
    text ? h('p', { class: 'form-error', role: 'alert', text }) : null,
    h('p', {}, h('a', { href: '/', text: t('app.home') })));
}

// A labelled input with its hint; the hint and any error are read out with it.
function field(name, { type = 'text', autocomplete, required = true, hint, value, attrs = {} } = {}) {
  const id = `field-${name}`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { id, name, type, autocomplete, required, value, 'aria-describedby': hintId, ...attrs });
  return h('div', { class: 'field' },
    h('label', { for: id, text: t(`field.${name}`) }),
    hint ? h('p', { class: 'hint', id: hintId, text: hint }) : null,
    input);
}

function passwordField(autocomplete, hint) {
  const wrapper = field('password', { type: 'password', autocomplete, hint, attrs: { minlength: autocomplete === 'new-password' ? 10 : null } });
  const input = wrapper.querySelector('input');
  const toggle = h('input', { type: 'checkbox', id: 'show-password',
    onchange: () => { input.type = toggle.checked ? 'text' : 'password'; } });
  wrapper.append(h('div', { class: 'check' }, toggle, h('label', { for: 'show-password', text: t('field.showPassword') })));
  return wrapper;
}

// The message for a failed request, in the reader's language where we know it.
function errorText(error) {
  if (error.code === 'offline') return t('app.offline');
  if (error.code === 'rate_limited') return t('error.rate_limited', { minutes: Math.max(1, Math.ceil((error.retryAfter || 60) / 60)) });
  if (error.code === 'conflict' && error.field === 'handle') return t('error.conflict.handle');
  if (error.code === 'bad_value' && ['handle', 'password', 'display_name'].includes(error.field)) return t(`error.${error.field}`);
  const known = `error.${error.code}`;
  const text = t(known);
  return text === known ? error.message : text;
}

// Runs a form's submit handler; shows the error next to the form and marks
// the field at fault. What was typed stays in the form.
function handleForm(form, submit) {
  const errorBox = h('p', { class: 'form-error', role: 'alert', hidden: true });
  form.prepend(errorBox);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    errorBox.hidden = true;
    button.disabled = true;
    try {
      await submit(new FormData(form));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errorBox.textContent = errorText(error);
      errorBox.hidden = false;
      const bad = error.field && form.elements[error.field];
      if (bad && bad.setAttribute) {
        bad.setAttribute('aria-invalid', 'true');
        bad.focus();
      } else {
        errorBox.setAttribute('tabindex', '-1');
        errorBox.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// A step id may hold '/': each part is encoded, the slashes kept.
function stepPath(id) {
  return id.split('/').map(encodeURIComponent).join('/');
}

function formatEstimate(minutes) {
  if (minutes === null || minutes === undefined) return null;
  if (minutes < 90) return t('step.minutes', { minutes });
  return t('step.hours', { hours: Math.round(minutes / 30) / 2 });
}

function stepMeta(step) {
  const parts = [t(`step.kind.${step.kind}`), formatEstimate(step.estimate)];
  if (step.reviews > 0) parts.push(t('step.reviews', { count: step.reviews }));
  return parts.filter(Boolean).join(' · ');
}

// ---- pages ---------------------------------------------------------------

async function pageSignin() {
  const form = h('form', { id: 'signin-form', novalidate: true },
    field('handle', { autocomplete: 'username', attrs: { autocapitalize: 'none', spellcheck: 'false' } }),
    passwordField('current-password'),
    h('button', { type: 'submit', text: t('signin.submit') }));
  handleForm(form, async (data) => {
    me = await api.login(data.get('handle').trim(), data.get('password'));
    navigate(new URLSearchParams(location.search).get('next') || '/', true);
  });
  show(t('signin.title'), h('h1', { text: t('signin.title') }), h('p', { text: t('signin.intro') }),
    form, h('p', { class: 'hint', text: t('signin.noAccount') }));
}

async function pageJoin(code) {
  let invite;
  try {
    invite = await api.invite(code);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'invite_invalid') throw error;
    show(t('join.title'), h('h1', { text: t('join.title') }),
      h('p', { class: 'form-error', role: 'alert', text: t('join.invalid', { message: error.message }) }));
    return;
  }
  const cohort = invite.cohort ? t('join.cohort', { cohort: invite.cohort }) : '';
  const form = h('form', { id: 'join-form', novalidate: true },
    field('display_name', { autocomplete: 'name', hint: t('field.display_name.hint') }),
    field('handle', { autocomplete: 'username', hint: t('field.handle.hint'), attrs: { autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9_\\-]{3,32}' } }),
    passwordField('new-password', t('field.password.hint')),
    h('button', { type: 'submit', text: t('join.submit') }));
  handleForm(form, async (data) => {
    me = await api.register({ invite: code, handle: data.get('handle').trim(),
      display_name: data.get('display_name').trim(), password: data.get('password') });
    navigate('/', true);
  });
  show(t('join.title'), h('h1', { text: t('join.title') }),
    h('p', { text: t('join.intro', { role: t(`role.${invite.role}`), cohort }) }), form);
}

function inviteSection() {
  const roles = me.role === 'admin' ? ['learner', 'coach', 'admin'] : ['learner'];
  const result = h('div', { class: 'invite-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'invite-form' },
    h('div', { class: 'field' },
      h('label', { for: 'field-role', text: t('field.role') }),
      h('select', { id: 'field-role', name: 'role' },
        roles.map((role) => h('option', { value: role, text: t(`role.${role}`) })))),
    field('cohort', { required: false, hint: t('field.cohort.hint'), value: me.cohort || null }),
    field('expires_in_days', { type: 'number', required: false, attrs: { min: 1, max: 365, placeholder: '14', inputmode: 'numeric' } }),
    h('button', { type: 'submit', text: t('invite.submit') }));
  handleForm(form, async (data) => {
    const fields = { role: data.get('role') };
    if (data.get('cohort').trim()) fields.cohort = data.get('cohort').trim();
    if (data.get('expires_in_days')) fields.expires_in_days = Number(data.get('expires_in_days'));
    const invite = await api.createInvite(fields);
    const url = h('input', { id: 'invite-url', readonly: true, value: invite.url, 'aria-label': invite.url });
    const copied = h('span', { role: 'status' });
    result.replaceChildren(
      h('p', { text: t('invite.made', { role: t(`role.${invite.role}`), date: new Date(invite.expires_at).toLocaleDateString(language()) }) }),
      url,
      h('button', { type: 'button', onclick: async () => {
        url.select();
        try { await navigator.clipboard.writeText(invite.url); copied.textContent = t('invite.copied'); } catch { /* the text is selected for copying by hand */ }
      } }, t('invite.copy')), copied);
  });
  return h('section', { 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title', text: t('invite.title') }), h('p', { text: t('invite.intro') }), form, result);
}

async function pageHome() {
  const tracks = await api.tracks();
  const list = tracks.length === 0 ? h('p', { text: t('home.noTracks') })
    : h('ul', { class: 'cards', id: 'track-list' }, tracks.map((track) => h('li', { class: 'card' },
      h('h3', {}, h('a', { href: `/tracks/${encodeURIComponent(track.id)}`, text: track.title })),
      track.summary ? h('p', { text: track.summary }) : null,
      h('p', { class: 'meta', text: t('track.steps', { count: track.steps }) }))));
  show(t('app.home'),
    h('h1', { id: 'home-title', text: t('home.title', { name: me.display_name }) }),
    h('p', { id: 'me-role', 'data-role': me.role }, t('home.role', { role: t(`role.${me.role}`) }),
      me.cohort ? ` ${t('home.cohort', { cohort: me.cohort })}` : ''),
    h('section', { 'aria-labelledby': 'tracks-title' }, h('h2', { id: 'tracks-title', text: t('home.tracks') }), list),
    me.role === 'learner' ? null : inviteSection());
}

async function pageTrack(id) {
  const track = await api.track(id);
  const base = `/tracks/${encodeURIComponent(track.id)}`;
  show(track.title,
    h('nav', { class: 'crumbs', 'aria-label': t('track.back') }, h('a', { href: '/', text: t('track.back') })),
    h('h1', { text: track.title }),
    track.summary ? h('p', { class: 'summary', text: track.summary }) : null,
    h('h2', { text: t('track.outline') }),
    h('ol', { class: 'outline', id: 'outline' }, track.modules.map((module) => h('li', {},
      h('h3', { text: module.title }),
      h('ol', { class: 'steps' }, module.steps.map((step) => h('li', { 'data-step': step.id },
        h('a', { href: `${base}/steps/${stepPath(step.id)}`, text: step.title }),
        h('span', { class: 'meta', text: stepMeta(step) }))))))));
}

async function pageStep(id, stepId) {
  const [track, step] = await Promise.all([api.track(id), api.step(id, stepId)]);
  const base = `/tracks/${encodeURIComponent(track.id)}`;
  const titles = new Map(track.modules.flatMap((module) => module.steps.map((s) => [s.id, s.title])));
  const stepLink = (other, key, rel) => other && h('a', { href: `${base}/steps/${stepPath(other)}`, rel, text: t(key, { title: titles.get(other) || other }) });
  const content = h('div', { class: 'content', id: 'step-content' });
  content.innerHTML = step.html; // rendered by the server in safe mode
  // The page's own heading carries the title; the step's first "# Title" would repeat it.
  if (content.firstElementChild && content.firstElementChild.tagName === 'H1') content.firstElementChild.remove();
  show(step.title,
    h('nav', { class: 'crumbs', 'aria-label': track.title }, h('a', { href: base, text: track.title }), ' › ', step.module),
    h('article', {},
      h('h1', { text: step.title }),
      h('p', { class: 'meta', id: 'step-meta', text: stepMeta(step) }),
      step.requires.length ? h('p', { class: 'meta', text: t('step.requires', { steps: step.requires.map((r) => titles.get(r) || r).join(', ') }) }) : null,
      step.error ? h('p', { class: 'form-error', role: 'alert', text: t('step.broken', { message: step.error }) }) : null,
      content,
      step.rubric.length ? h('section', { class: 'rubric', 'aria-labelledby': 'rubric-title' },
        h('h2', { id: 'rubric-title', text: t('step.rubric') }), h('p', { text: t('step.rubric.intro') }),
        h('ul', {}, step.rubric.map((item) => h('li', { text: item })))) : null),
    h('nav', { class: 'pager', 'aria-label': t('track.outline') }, stepLink(step.prev, 'step.prev', 'prev'), stepLink(step.next, 'step.next', 'next')));
}

// ---- routing -------------------------------------------------------------

const routes = [
  [/^\/signin$/, pageSignin, false],
  [/^\/join\/([A-Za-z0-9_-]+)$/, pageJoin, false],
  [/^\/$/, pageHome, true],
  [/^\/tracks\/([^/]+)$/, pageTrack, true],
  [/^\/tracks\/([^/]+)\/steps\/(.+)$/, pageStep, true],
];

async function render() {
  const path = location.pathname;
  const route = routes.find(([pattern]) => pattern.test(path));
  updateHeader();
  if (!route) {
    showError(new ApiError(404, 'not_found', t('app.notFound')));
    return;
  }
  const [pattern, page, needsUser] = route;
  if (needsUser && !me) {
    navigate(`/signin${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`, true);
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await page(...path.match(pattern).slice(1).map(decodeURIComponent));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'unauthenticated') {
      me = null;
      navigate(`/signin?next=${encodeURIComponent(path)}`, true);
      return;
    }
    showError(error);
  } finally {
    main.removeAttribute('aria-busy');
  }
}

function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function updateHeader() {
  document.getElementById('signout').hidden = !me;
  document.getElementById('nav-home').textContent = t('app.home');
  document.getElementById('signout').textContent = t('nav.signout');
  document.getElementById('lang-label').textContent = t('app.language');
  document.getElementById('skip').textContent = t('app.skip');
  document.getElementById('site-nav').setAttribute('aria-label', t('nav.main'));
}

function setUpHeader() {
  const select = document.getElementById('lang');
  select.replaceChildren(...Object.entries(languages).map(([code, name]) => h('option', { value: code, text: name })));
  select.value = language();
  document.documentElement.lang = language();
  select.addEventListener('change', () => {
    setLanguage(select.value);
    render();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api.logout(); } catch { /* signed out either way */ }
    me = null;
    navigate('/signin', true);
  });
  // Links inside the client change the page without reloading it.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || link.target || url.pathname.startsWith('/t/') || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', render);
}

async function start() {
  setUpHeader();
  try {
    me = await api.me();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      showError(error);
      return;
    }
  }
  render();
}

start();
