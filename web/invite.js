// invite.js - "Invite someone" on a coach's or an admin's home page: the
// role, the group picked from the list of groups on record (an admin may add
// one there), how long the link lasts, and the link made. app.js loads it
// for coaches and admins only.

import { t, formatDate } from './i18n.js';
import { h, labelled } from './dom.js';
import { me } from './session.js';
import { accounts, input } from './forms.js';
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

export async function inviteSection() {
  const roles = me.role === 'admin' ? ['learner', 'coach', 'admin', 'partner'] : ['learner'];
  const { cohorts } = await accounts.cohorts();
  const result = h('div', { class: 'invite-result', 'aria-live': 'polite' });
  const cohort = h('select', { id: 'field-cohort', name: 'cohort' },
    me.role === 'admin' ? h('option', { value: '', text: t('invite.noCohort') }) : null,
    cohorts.map((c) => h('option', { value: c.name, text: c.name, selected: c.name === me.cohort })));
  const form = h('form', { id: 'invite-form' },
    labelled(h('select', { id: 'field-role', name: 'role' }, roles.map((role) => h('option', { value: role, text: t(`role.${role}`) }))), t('field.role')),
    labelled(cohort, t('invite.cohort')),
    input('expires_in_days', t('field.expires_in_days'), { type: 'number', attrs: { min: 1, max: 365, placeholder: '14', inputmode: 'numeric' } }),
    h('button', { type: 'submit', text: t('invite.submit') }));
  handleForm(form, async (data) => {
    const fields = { role: data.get('role') };
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
