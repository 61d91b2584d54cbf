// outcomes.js - learners' outcomes on the people page (docs/api.md,
// "Outcomes"): the form a coach records a learner's outcome with, from the
// learner's row, and per group how many reached each outcome and the median
// number of days from joining, with the CSV of each group. admin.js loads
// it when first needed.

import { t, addStrings, formatNumber } from './i18n.js';
import { h, labelled } from './dom.js';
import { request } from './api.js';
import { handleForm } from './format.js';

await addStrings('outcomes');

const KINDS = ['job', 'internship', 'study', 'stopped'];
const enc = encodeURIComponent;

// A learner's "Record an outcome", folded away until opened.
export function outcomeControl(user, saved) {
  const name = user.display_name || user.handle;
  const id = (field) => `outcome-${field}-${user.handle}`;
  const kind = h('select', { id: id('kind'), name: 'kind' }, KINDS.map((k) => h('option', { value: k, text: t(`outcome.kind.${k}`) })));
  const date = h('input', { id: id('date'), name: 'date', type: 'date', required: true, value: new Date().toISOString().slice(0, 10) });
  const note = h('textarea', { id: id('note'), name: 'note', rows: 3, maxlength: 1000 });
  const done = h('p', { role: 'status', class: 'meta' });
  const form = h('form', { class: 'outcome-form', 'data-outcome-of': user.handle },
    labelled(kind, t('outcome.kind')), labelled(date, t('outcome.date')), labelled(note, t('outcome.note'), t('outcome.note.hint')),
    h('button', { type: 'submit', text: t('outcome.save') }), done);
  handleForm(form, async (data) => {
    await request('POST', '/api/outcomes', { user: user.handle, kind: data.get('kind'), date: data.get('date'), note: data.get('note') });
    done.textContent = t('outcome.saved', { name, kind: t(`outcome.kind.${data.get('kind')}`) });
    saved();
  });
  return h('details', { class: 'outcome' }, h('summary', { text: t('outcome.record', { name }) }), form);
}

const days = (value) => (value === null ? '—' : formatNumber(value, { maximumFractionDigits: 1 }));

function cohortRow(row) {
  return h('tr', { 'data-cohort': row.cohort }, h('th', { scope: 'row', text: row.cohort }),
    h('td', { text: formatNumber(row.learners) }),
    KINDS.map((k) => h('td', { 'data-kind': k, text: formatNumber(row.outcomes[k].count) })),
    h('td', { 'data-median': '', text: days(row.median_days) }),
    h('td', {}, h('a', { href: `/api/outcomes.csv?cohort=${enc(row.cohort)}`, download: '', text: t('outcome.csv', { cohort: row.cohort }) })));
}

// The figures of every group the reader coaches; draw() fetches them again.
export function figuresSection() {
  const box = h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'outcomes-title' }); // scrolls sideways on a phone
  const draw = async () => {
    const { cohorts } = await request('GET', '/api/outcomes');
    box.replaceChildren(cohorts.length ? h('table', { id: 'outcome-figures' },
      h('caption', { text: t('outcome.figures.caption') }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('outcome.group') }), h('th', { scope: 'col', text: t('outcome.learners') }),
        KINDS.map((k) => h('th', { scope: 'col', text: t(`outcome.kind.${k}`) })),
        h('th', { scope: 'col', text: t('outcome.median') }), h('th', { scope: 'col', text: t('outcome.export') }))),
      h('tbody', {}, cohorts.map(cohortRow))) : h('p', { class: 'meta', text: t('outcome.figures.none') }));
  };
  const element = h('section', { 'aria-labelledby': 'outcomes-title', id: 'outcomes' },
    h('h2', { id: 'outcomes-title', text: t('outcome.figures') }), h('p', { class: 'hint', text: t('outcome.figures.hint') }), box);
  return { element, draw };
}
