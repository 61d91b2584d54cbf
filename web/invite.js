// invite.js - "Invite someone" on a coach's or an admin's home page: the
// role, a new coach's centre (an admin's any, a coach's their own), the
// group picked from the list of groups on record (an admin may add one
// there), how long the link lasts, and the link made. app.js loads it for
// coaches and admins only.

import { t, formatDate } from './i18n.js';
import { h, labelled } from './dom.js';
import { me } from './session.js';
import { accounts, input } from './forms.js';
import { request } from './api.js';
import { handleForm } from './format.js';

function cohortForm(select) {
  const done = h('p', { role: 'status' });
  const form = h('form', { id: 'invite-cohort-form' },
    input('new_cohort', t('invite.newCohort')), h('button', { type: 'submit', class: 'secondary', text: t('invite.addCohort') }), done);
  handleForm(form, async (data) => {
    let name = data.get('new_cohort').trim();
    try {
      ({ name } = await accounts.addCohort(name));
    } catch (error) {
      error.field = error.field === 'name' ? 'new_cohort' : error.field;
      throw error;
    }
    select.append(h('option', { value: name, text: name }));
    select.value = name;
    form.reset();
    done.textContent = t('invite.cohortAdded', { name });
  });
  return form;
}

// The centres a new coach may be invited to: an admin's every one, a coach's their own (GET /api/me).
async function centreNames() {
  if (me.role !== 'admin') return me.centres || [];
  return (await request('GET', '/api/centres')).centres.map((c) => c.name);
}

export async function inviteSection() {
  const [{ cohorts }, centres] = await Promise.all([accounts.cohorts(), centreNames()]);
  // A coach invites learners, and coaches to their own centres.
  const roles = me.role === 'admin' ? ['learner', 'coach', 'admin', 'partner'] : centres.length ? ['learner', 'coach'] : ['learner'];
  const result = h('div', { class: 'invite-result', 'aria-live': 'polite' });
  const cohort = h('select', { id: 'field-cohort', name: 'cohort' },
    me.role === 'admin' || roles.includes('coach') ? h('option', { value: '', text: t('invite.noCohort') }) : null,
    cohorts.map((c) => h('option', { value: c.name, text: c.name, selected: c.name === me.cohort })));
  const role = h('select', { id: 'field-role', name: 'role' }, roles.map((r) => h('option', { value: r, text: t(`role.${r}`) })));
  // A new coach's centre, asked only when the role is coach: a learner's is their group's.
  const centre = h('select', { id: 'field-centre', name: 'centre', disabled: true }, centres.map((name) => h('option', { value: name, text: name })));
  const centreField = labelled(centre, t('invite.centre'), t('invite.centre.hint'));
  centreField.hidden = true;
  role.addEventListener('change', () => {
    centreField.hidden = centre.disabled = role.value !== 'coach';
  });
  const form = h('form', { id: 'invite-form' },
    labelled(role, t('field.role')), centreField,
    labelled(cohort, t('invite.cohort')),
    input('expires_in_days', t('field.expires_in_days'), { type: 'number', attrs: { min: 1, max: 365, placeholder: '14', inputmode: 'numeric' } }),
    h('button', { type: 'submit', text: t('invite.submit') }));
  handleForm(form, async (data) => {
    const fields = { role: data.get('role') };
    if (fields.role === 'coach' && data.get('centre')) fields.centre = data.get('centre');
    if (data.get('cohort')) fields.cohort = data.get('cohort');
    if (data.get('expires_in_days')) fields.expires_in_days = Number(data.get('expires_in_days'));
    const invite = await accounts.invite(fields);
    const url = h('input', { id: 'invite-url', readonly: true, value: invite.url, 'aria-label': invite.url });
    const copied = h('span', { role: 'status' });
    result.replaceChildren(
      h('p', { text: t('invite.made', { role: t(`role.${invite.role}`), date: formatDate(invite.expires_at) }) }),
      url,
      h('button', { type: 'button', onclick: async () => {
        url.select();
        try { await navigator.clipboard.writeText(invite.url); copied.textContent = t('invite.copied'); } catch { /* the text is selected for copying by hand */ }
      } }, t('invite.copy')), copied);
  });
  return h('section', { 'aria-labelledby': 'invite-title' },
    h('h2', { id: 'invite-title', text: t('invite.title') }), h('p', { text: t('invite.intro') }), form,
    me.role === 'admin' ? cohortForm(cohort) : null, result);
}
