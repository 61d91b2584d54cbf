// admin-centres.js - the centres on an admin's People page: each centre
// with its figures (cohorts, learners, coaches, learners active in the last
// 7 days, steps passed in the last 30), and the form that adds one.
// admin.js loads it for admins only.

import { t } from './i18n.js';
import { h, labelled } from './dom.js';
import { request } from './api.js';
import { handleForm } from './format.js';

// docs/api.md, "GET /api/centres" and "POST /api/centres".
export const centres = {
  list: () => request('GET', '/api/centres'),
  add: (fields) => request('POST', '/api/centres', fields),
};

function figure(key, value) {
  return [h('dt', { text: t(`admin.centre.${key}`) }), h('dd', { text: String(value) })];
}

function centreCard(centre) {
  const place = [centre.borough, centre.address].filter(Boolean).join(' · ');
  return h('li', { class: 'card', 'data-centre': centre.name },
    h('h3', { text: centre.name }),
    place ? h('p', { class: 'meta', text: place }) : null,
    h('dl', { class: 'centre-figures' },
      figure('cohorts', centre.cohorts), figure('learners', centre.learners),
      figure('coaches', centre.coaches), figure('active', centre.active_7d),
      figure('passed', centre.passed_30d)));
}

function field(name, label, attrs = {}) {
  return labelled(h('input', { id: `centre-${name}`, name, type: 'text', ...attrs }), label);
}

// The section, drawn from list (GET /api/centres's centres).
export function centresSection(list) {
  const cards = h('ul', { id: 'centre-list', class: 'cards' }, list.map(centreCard));
  const done = h('p', { role: 'status' });
  const form = h('form', { id: 'centre-form' },
    field('name', t('admin.centre.name'), { required: true }), field('borough', t('admin.centre.borough')),
    field('address', t('admin.centre.address')),
    h('button', { type: 'submit', text: t('admin.centre.add') }), done);
  handleForm(form, async (data) => {
    const fields = { name: data.get('name').trim() };
    for (const key of ['borough', 'address']) if (data.get(key).trim()) fields[key] = data.get(key).trim();
    const { name } = await centres.add(fields);
    const { centres: now } = await centres.list();
    cards.replaceChildren(...now.map(centreCard));
    form.reset();
    done.textContent = t('admin.centre.added', { name });
  });
  return h('section', { 'aria-labelledby': 'centres-title' },
    h('h2', { id: 'centres-title', text: t('admin.centres') }), cards, form);
}
