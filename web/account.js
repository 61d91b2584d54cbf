// account.js - one's own account: the profile page (name, language,
// password, the sessions with "sign out everywhere else") and the page of a
// password reset link. app.js loads it when first needed.

import { t, plural, language, languages, setLanguage, relativeTime, addStrings } from './i18n.js';
import { h, focusOn, labelled } from './dom.js';
import { me, setUser } from './session.js';
import { generation, show, navigate } from './page.js';
import { ApiError } from './api.js';
import { accounts, input, when } from './forms.js';
import { handleForm, showError } from './format.js';

function detailsForm() {
  const choice = h('select', { id: 'field-language', name: 'language' },
    h('option', { value: '', text: t('profile.language.none') }),
    Object.entries(languages).map(([code, name]) => h('option', { value: code, text: name, selected: me.language === code })));
  const saved = h('p', { role: 'status', id: 'profile-saved' });
  const form = h('form', { id: 'profile-form' },
    input('display_name', t('profile.display_name'), { value: me.display_name, autocomplete: 'name' }),
    labelled(choice, t('profile.language')),
    h('button', { type: 'submit', text: t('profile.save') }), saved);
  handleForm(form, async (data) => {
    const user = await accounts.profile({ display_name: data.get('display_name').trim(), language: data.get('language') });
    setUser(user);
    if (user.language && user.language !== language()) {
      await setLanguage(user.language);
      navigate('/profile?saved=1', true); // drawn again in the new language
      return;
    }
    saved.textContent = t('profile.saved');
  });
  if (new URLSearchParams(location.search).has('saved')) saved.textContent = t('profile.saved');
  return h('section', { 'aria-labelledby': 'details-title' }, h('h2', { id: 'details-title', text: t('profile.details') }), form);
}

function passwordForm(refresh) {
  const done = h('p', { role: 'status', id: 'password-changed' });
  const form = h('form', { id: 'password-form' },
    h('input', { type: 'text', name: 'username', value: me.handle, autocomplete: 'username', hidden: true, readonly: true }),
    input('current_password', t('profile.current_password'), { type: 'password', autocomplete: 'current-password' }),
    input('new_password', t('profile.new_password'), { type: 'password', autocomplete: 'new-password', hint: t('profile.new_password.hint'), attrs: { minlength: 10 } }),
    h('button', { type: 'submit', text: t('profile.password.submit') }), done);
  handleForm(form, async (data) => {
    await accounts.password(data.get('current_password'), data.get('new_password'));
    form.reset();
    done.textContent = t('profile.password.changed');
    await refresh();
  });
  return h('section', { 'aria-labelledby': 'password-title' }, h('h2', { id: 'password-title', text: t('profile.password') }),
    h('p', { text: t('profile.password.intro') }), form);
}

function sessionItem(session) {
  return h('li', { 'data-session': session.id, 'data-current': session.current ? 'true' : null },
    h('strong', { text: session.agent || t('profile.session.unknown') }),
    session.current ? h('span', { class: 'badge current', text: ` ${t('profile.session.this')}` }) : null,
    h('span', { class: 'meta', text: ` — ${t('profile.session.since', { date: when(session.created_at) })}, ${t('profile.session.seen', { when: relativeTime(session.seen_at) })}` }));
}

function sessionsSection() {
  const list = h('ul', { id: 'sessions', class: 'sessions' });
  const status = h('p', { role: 'status', id: 'sessions-status' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const refresh = async () => {
    const { sessions } = await accounts.sessions();
    list.replaceChildren(...sessions.map(sessionItem));
  };
  const button = h('button', { type: 'button', id: 'end-others', class: 'secondary', text: t('profile.endOthers') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      const { ended } = await accounts.endOthers();
      status.textContent = plural('profile.ended', ended);
      await refresh();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      showError(error, failure);
    } finally {
      button.disabled = false;
    }
  });
  const element = h('section', { 'aria-labelledby': 'sessions-title' }, h('h2', { id: 'sessions-title', text: t('profile.sessions') }),
    h('p', { text: t('profile.sessions.intro') }), list, error, button, status);
  return { element, refresh };
}

export async function pageProfile() {
  const gen = generation;
  const sessions = sessionsSection();
  await sessions.refresh();
  if (gen !== generation) return;
  show(t('profile.title'), h('h1', { text: t('profile.title') }),
    h('p', { class: 'meta', text: `${me.handle} · ${t(`role.${me.role}`)}` }),
    me.role === 'learner' ? h('p', {}, h('a', { href: '/portfolio', id: 'portfolio-link', text: t('profile.portfolio') })) : null,
    detailsForm(), passwordForm(sessions.refresh), sessions.element);
}

// /reset/TOKEN: a new password, twice; then the way to sign in with it.
export async function pageReset(token) {
  const gen = generation;
  let link;
  try {
    link = await accounts.reset(token);
  } catch (error) {
    if (!(error instanceof ApiError) || gen !== generation) throw error;
    const box = h('p', { class: 'form-error', role: 'alert', id: 'reset-error' });
    show(t('reset.title'), h('h1', { text: t('reset.title') }), h('p', { text: t('reset.cannot') }), box);
    showError(box, error);
    return;
  }
  if (gen !== generation) return;
  const done = h('div', { id: 'reset-done', role: 'status' });
  const form = h('form', { id: 'reset-form', novalidate: true },
    h('input', { type: 'text', name: 'username', value: link.handle, autocomplete: 'username', hidden: true, readonly: true }),
    input('password', t('reset.password'), { type: 'password', autocomplete: 'new-password', hint: t('profile.new_password.hint'), attrs: { minlength: 10 } }),
    input('again', t('reset.again'), { type: 'password', autocomplete: 'new-password', attrs: { minlength: 10 } }),
    h('button', { type: 'submit', text: t('reset.submit') }));
  handleForm(form, async (data) => {
    if (data.get('password') !== data.get('again')) {
      await addStrings('errors').catch(() => {}); // without them the words are plainer, never none
      throw new ApiError(400, 'bad_value', 'The two passwords differ.', 'again');
    }
    await accounts.useReset(token, data.get('password'));
    form.replaceWith(done);
    done.append(h('p', { text: t('reset.done') }), h('p', {}, h('a', { href: `/signin?next=%2F`, id: 'reset-signin', text: t('reset.signin') })));
    focusOn(done);
  });
  show(t('reset.title'), h('h1', { text: t('reset.title') }),
    h('p', { text: t('reset.intro', { name: link.display_name, handle: link.handle, date: when(link.expires_at) }) }), form);
}
