// outcomes.js - learners' outcomes on the people page (docs/api.md,
// "Outcomes"): the form a coach records a learner's outcome with, from the
// learner's row, and per centre and per group how many reached each outcome
// and the median number of days from joining, each centre's row with its
// groups under it, and the CSV of each. admin.js loads it when first needed.

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

// One row of figures: a cohort's, or a centre's (its groups added up).
function figuresRow(row, { name, attrs, query, scope }) {
  return h('tr', attrs, h('th', { scope: 'row', text: name }),
    h('td', { text: formatNumber(row.learners) }),
    KINDS.map((k) => h('td', { 'data-kind': k, text: formatNumber(row.outcomes[k].count) })),
    h('td', { 'data-median': '', text: days(row.median_days) }),
    h('td', {}, h('a', { href: `/api/outcomes.csv?${query}`, download: '', text: t('outcome.csv', { cohort: scope }) })));
}

const cohortRow = (row) => figuresRow(row, { name: row.cohort, attrs: { 'data-cohort': row.cohort, class: 'outcome-cohort' },
  query: `cohort=${enc(row.cohort)}`, scope: row.cohort });
const centreRow = (row) => figuresRow(row, { name: t('outcome.centre', { centre: row.centre }), attrs: { 'data-centre': row.centre, class: 'outcome-centre' },
  query: `centre=${enc(row.centre)}`, scope: row.centre });

// A tbody per centre: its row, then its groups' under it (docs/api.md, "GET /api/outcomes").
function centreBodies(centres, cohorts) {
  const bodies = centres.map((centre) => h('tbody', { 'data-centre': centre.centre }, centreRow(centre),
    cohorts.filter((c) => c.centre === centre.centre).map(cohortRow)));
  const elsewhere = cohorts.filter((c) => !centres.some((centre) => centre.centre === c.centre));
  return elsewhere.length ? [...bodies, h('tbody', {}, elsewhere.map(cohortRow))] : bodies;
}

// The figures of every centre and group the reader coaches; draw() fetches them again.
export function figuresSection() {
  const box = h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-labelledby': 'outcomes-title' }); // scrolls sideways on a phone
  const draw = async () => {
    const { centres = [], cohorts } = await request('GET', '/api/outcomes');
    box.replaceChildren(cohorts.length || centres.length ? h('table', { id: 'outcome-figures' },
      h('caption', { text: t('outcome.figures.caption') }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('outcome.group') }), h('th', { scope: 'col', text: t('outcome.learners') }),
        KINDS.map((k) => h('th', { scope: 'col', text: t(`outcome.kind.${k}`) })),
        h('th', { scope: 'col', text: t('outcome.median') }), h('th', { scope: 'col', text: t('outcome.export') }))),
      ...centreBodies(centres, cohorts)) : h('p', { class: 'meta', text: t('outcome.figures.none') }));
  };
  const element = h('section', { 'aria-labelledby': 'outcomes-title', id: 'outcomes' },
    h('h2', { id: 'outcomes-title', text: t('outcome.figures') }), h('p', { class: 'hint', text: t('outcome.figures.hint') }), box);
  return { element, draw };
}
