// admin.js - the people page: for an admin, the users (search, role, group,
// a coach's centres, enable or disable, a password reset link), the centres
// with their figures (admin-centres.js), the groups (cohorts) and the
// invites (revoke); for a coach, the learners of their groups with a reset
// link each; for both, learners' outcomes (outcomes.js). app.js loads it
// when first needed.

import { t } from './i18n.js';
import { h, labelled } from './dom.js';
import { me } from './session.js';
import { generation, show } from './page.js';
import { ApiError, request } from './api.js';
import { accounts, input, when } from './forms.js';
import { errorText, handleForm } from './format.js';
import { resetLinkControl } from './reset-link.js';

const ROLES = ['learner', 'coach', 'admin', 'partner'];

// Learners' outcomes (outcomes.js, loaded with this page): the form of a
// learner's row, and the figures it redraws.
let outcomes = null;
let figures = null;

// A change made from a user's row: said in its status line, or its failure.
async function apply(status, fn, name) {
  status.classList.remove('form-error');
  try {
    await fn();
    status.textContent = t('admin.changed', { name });
    return true;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.classList.add('form-error');
    status.textContent = errorText(error);
    return false;
  }
}

// The centres module (admins only) and the names of the centres, for a coach's row.
let centresModule = null;
let centreNames = [];

function userRow(user, cohorts, redraw) {
  const name = user.display_name || user.handle;
  const status = h('p', { role: 'status', class: 'meta' });
  const parts = [h('strong', { text: name }), h('span', { class: 'meta', text: ` (${user.handle})` }),
    user.disabled ? h('span', { class: 'badge', text: ` ${t('admin.disabled')}` }) : null];
  if (me.role === 'admin') {
    const role = h('select', { id: `role-${user.handle}`, 'data-role-of': user.handle },
      ROLES.map((r) => h('option', { value: r, text: t(`role.${r}`), selected: r === user.role })));
    role.addEventListener('change', () => apply(status, () => accounts.change(user.handle, 'role', { role: role.value }), name));
    const cohort = h('select', { id: `cohort-${user.handle}`, 'data-cohort-of': user.handle },
      h('option', { value: '', text: t('admin.noCohort') }),
      cohorts.map((c) => h('option', { value: c.name, text: c.name, selected: c.name === user.cohort })));
    cohort.addEventListener('change', () => apply(status, () => accounts.change(user.handle, 'cohort', { cohort: cohort.value || null }), name));
    const toggle = h('button', { type: 'button', class: 'secondary small', 'data-toggle': user.handle,
      text: t(user.disabled ? 'admin.enable' : 'admin.disable') });
    toggle.addEventListener('click', async () => {
      if (await apply(status, () => accounts.change(user.handle, user.disabled ? 'enable' : 'disable'), name)) redraw();
    });
    parts.push(h('div', { class: 'user-controls' },
      labelled(role, t('admin.role', { name })), labelled(cohort, t('admin.cohort', { name })), toggle));
    if (user.role === 'coach' && centresModule) {
      parts.push(centresModule.coachCentres(user, centreNames, (centres) => apply(status, () => accounts.change(user.handle, 'centres', { centres }), name)));
    }
  } else if (user.cohort) {
    parts.push(h('span', { class: 'meta', text: ` · ${user.cohort}` }));
  }
  parts.push(resetLinkControl(user), status);
  if (outcomes && user.role === 'learner' && user.cohort) parts.push(outcomes.outcomeControl(user, () => figures.draw()));
  return h('li', { class: 'card user', 'data-user': user.handle }, ...parts);
}

function usersSection(cohorts) {
  const list = h('ul', { id: 'user-list', class: 'cards' });
  const search = h('form', { id: 'user-search', role: 'search' },
    input('q', t('admin.search'), { type: 'search' }), h('button', { type: 'submit', text: t('admin.search.submit') }));
  let query = '';
  const draw = async () => {
    const { users } = await accounts.users(query);
    list.replaceChildren(...(users.length ? users.map((user) => userRow(user, cohorts, draw)) : [h('li', { text: t('admin.none') })]));
  };
  handleForm(search, async (data) => {
    query = data.get('q').trim();
    await draw();
  });
  const title = me.role === 'admin' ? t('admin.users') : t('admin.learners');
  return { element: h('section', { 'aria-labelledby': 'users-title' }, h('h2', { id: 'users-title', text: title }), search, list), draw };
}

function cohortsSection(cohorts, centreNames) {
  const list = h('ul', { id: 'cohort-list' }, cohorts.map((c) => h('li', { 'data-cohort': c.name },
    h('strong', { text: c.name }), h('span', { class: 'meta', text: ` — ${c.centre} — ${t('admin.cohort.counts', { learners: c.learners, coaches: c.coaches })}` }))));
  const done = h('p', { role: 'status' });
  // With one centre the cohort goes there; with several the admin picks one.
  const centre = centreNames.length > 1
    ? labelled(h('select', { id: 'field-centre', name: 'centre' }, centreNames.map((name) => h('option', { value: name, text: name }))), t('admin.cohort.centre'))
    : null;
  const form = h('form', { id: 'cohort-form' }, input('name', t('admin.cohort.name')), centre, h('button', { type: 'submit', text: t('admin.cohort.add') }), done);
  handleForm(form, async (data) => {
    const { name } = await request('POST', '/api/cohorts', { name: data.get('name').trim(), centre: data.get('centre') || undefined });
    list.append(h('li', { 'data-cohort': name }, h('strong', { text: name })));
    form.reset();
    done.textContent = t('admin.cohort.added', { name });
  });
  return h('section', { 'aria-labelledby': 'cohorts-title' }, h('h2', { id: 'cohorts-title', text: t('admin.cohorts') }), list, form);
}

function inviteRow(invite) {
  const status = h('span', { class: 'meta', text: t(`admin.invite.status.${invite.status}`, { handle: invite.used_by || '' }) });
  const line = h('li', { 'data-invite': invite.id },
    t('admin.invite.line', { role: t(`role.${invite.role}`), date: when(invite.created_at) }),
    invite.cohort ? ` · ${invite.cohort}` : '', invite.centre ? ` · ${invite.centre}` : '', ' — ', status);
  if (invite.status === 'open') {
    const revoke = h('button', { type: 'button', class: 'secondary small', text: t('admin.invite.revoke') });
    revoke.addEventListener('click', async () => {
      try {
        await accounts.revokeInvite(invite.id);
        status.textContent = t('admin.invite.status.revoked');
        revoke.remove();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        status.textContent = errorText(error);
      }
    });
    line.append(' ', revoke);
  }
  return line;
}

async function invitesSection() {
  const { invites } = await accounts.invites();
  return h('section', { 'aria-labelledby': 'invites-title' }, h('h2', { id: 'invites-title', text: t('admin.invites') }),
    invites.length ? h('ul', { id: 'invite-list' }, invites.map(inviteRow)) : h('p', { text: t('admin.invites.none') }));
}

export async function pageAdmin() {
  const gen = generation;
  const [{ cohorts }, outcomesModule] = await Promise.all([accounts.cohorts(), import('./outcomes.js')]);
  outcomes = outcomesModule;
  figures = outcomes.figuresSection();
  await figures.draw();
  const admin = me.role === 'admin';
  // The centres and their figures, and a coach's centres: admins only, in a module of their own.
  const centres = centresModule = admin ? await import('./admin-centres.js') : null;
  const centreList = admin ? (await centres.centres.list()).centres : [];
  centreNames = centreList.map((c) => c.name);
  const users = usersSection(cohorts);
  await users.draw();
  const invites = admin ? await invitesSection() : null;
  if (gen !== generation) return;
  show(t('admin.title'), h('h1', { text: t('admin.title') }),
    h('p', {}, h('a', { id: 'applications-link', href: '/applications', text: t('admin.applications') })), users.element,
    admin ? centres.centresSection(centreList) : null,
    admin ? cohortsSection(cohorts, centreList.map((c) => c.name)) : null, figures.element, invites);
}
