// admin-centres.js - the centres on an admin's People page: each centre
// with its figures (cohorts, learners, coaches, learners active in the last
// 7 days, steps passed in the last 30), the form that adds one, and on a
// coach's row the centres they belong to, to add or take away.
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

// A coach's centres on their row: a box per centre, saved together with
// save(names) (POST /api/users/HANDLE/centres, which closes the coach's
// open pages so they read their rights again). A coach keeps one at least.
export function coachCentres(user, names, save) {
  const boxes = names.map((name, i) => h('input', { type: 'checkbox', id: `centre-${i}-of-${user.handle}`, name: 'centre', value: name,
    checked: (user.centres || []).includes(name) }));
  const form = h('form', { class: 'coach-centres', 'data-centres-of': user.handle },
    h('fieldset', {}, h('legend', { text: t('admin.coach.centres', { name: user.display_name || user.handle }) }),
      boxes.map((box, i) => h('div', { class: 'check' }, box, h('label', { for: box.id, text: names[i] })))),
    h('button', { type: 'submit', class: 'secondary small', text: t('admin.coach.centres.save') }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      if (await save(boxes.filter((box) => box.checked).map((box) => box.value))) user.centres = boxes.filter((box) => box.checked).map((box) => box.value);
      else for (const box of boxes) box.checked = (user.centres || []).includes(box.value);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
