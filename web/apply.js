// apply.js - applying to the school without an account (/apply: name, how
// to reach them, their motivation in their own words, when they can come,
// which centre; no diploma asked), and the applicant's private link
// (/apply/TOKEN): where the application stands, a coach's message, or the
// invite to make an account. app.js loads it for these two pages only.
// Whatever people wrote is shown as text, never as HTML.

import { t, addStrings, formatDate, language, has } from './i18n.js';
import { h, labelled, errorLine, focusOn } from './dom.js';
import { request, ApiError } from './api.js';
import { show } from './page.js';
import { errorText } from './format.js';

await addStrings('apply');

// The size limits of domain/application.h, so a browser stops typing at them.
const LIMITS = { name: 100, phone: 30, email: 200, motivation: 4000, when: 500 };
const WHEN = ['mornings', 'afternoons', 'evenings', 'weekdays'];

function field(name, { multiline = false, type = 'text', autocomplete, list } = {}) {
  const attrs = { id: `apply-${name}`, name, maxlength: LIMITS[name], autocomplete, list };
  const control = multiline ? h('textarea', { ...attrs, rows: 6 }) : h('input', { ...attrs, type });
  const hint = has(`apply.${name}.hint`) ? t(`apply.${name}.hint`) : undefined;
  return labelled(control, t(`apply.${name}`), hint);
}

// The words for a refused application: the field's own, else the error's.
function refusal(error) {
  if (error.code === 'rate_limited') return t('apply.error.limited');
  if (error.field && has(`apply.error.${error.field}`)) return t(`apply.error.${error.field}`);
  return errorText(error);
}

function sent(url) {
  const link = h('input', { id: 'apply-link', type: 'text', readonly: true, value: url });
  const heading = h('h1', { id: 'apply-sent', text: t('apply.sent.title') });
  show(t('apply.sent.title'), heading, h('p', { text: t('apply.sent.keep') }),
    labelled(link, t('apply.sent.link')),
    h('p', {}, h('a', { href: new URL(url).pathname, text: t('apply.sent.open') })));
  focusOn(heading);
}

export async function pageApply() {
  const { centres } = await request('GET', '/api/apply');
  const centre = h('select', { id: 'apply-centre', name: 'centre', required: true },
    centres.map((c) => h('option', { value: c.name, text: c.borough ? `${c.name} (${c.borough})` : c.name })));
  const box = errorLine();
  const submit = h('button', { type: 'submit', text: t('apply.submit') });
  const form = h('form', { id: 'apply-form', novalidate: true }, box,
    field('name', { autocomplete: 'name' }),
    h('fieldset', {}, h('legend', { text: t('apply.contact') }),
      field('phone', { type: 'tel', autocomplete: 'tel' }), field('email', { type: 'email', autocomplete: 'email' })),
    field('motivation', { multiline: true }),
    field('when', { list: 'apply-when-choices' }),
    h('datalist', { id: 'apply-when-choices' }, WHEN.map((w) => h('option', { value: t(`apply.when.${w}`) }))),
    labelled(centre, t('apply.centre')), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
    box.hidden = true;
    submit.disabled = true;
    const data = new FormData(form);
    const body = { language: language() };
    for (const name of ['name', 'phone', 'email', 'motivation', 'when', 'centre']) body[name] = data.get(name).trim();
    try {
      const { url } = await request('POST', '/api/apply', body);
      sent(url);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      box.textContent = refusal(error);
      box.hidden = false;
      const bad = form.elements[error.field === 'contact' ? 'phone' : error.field];
      if (bad && bad.setAttribute) {
        bad.setAttribute('aria-invalid', 'true');
        bad.focus();
      } else {
        focusOn(box);
      }
    } finally {
      submit.disabled = false;
    }
  });
  show(t('apply.title'), h('h1', { text: t('apply.title') }), h('p', { text: t('apply.intro') }), form);
}

// Where the application stands, in the applicant's words.
function standing(status) {
  const vars = { centre: status.centre, date: formatDate(status.created_at) };
  switch (status.state) {
  case 'invited':
    return [h('p', { text: t('apply.status.invited', vars) }),
      h('p', {}, h('a', { id: 'apply-join', href: new URL(status.invite_url).pathname, text: t('apply.status.join') }))];
  case 'declined':
    return [h('p', { text: t('apply.status.declined', vars) }),
      h('blockquote', { id: 'apply-message', text: status.message || '' })];
  case 'waiting':
    return [h('p', { text: t('apply.status.waiting', { ...vars, since: formatDate(status.waiting_at) }) })];
  default:
    return [h('p', { text: t('apply.status.new', vars) })];
  }
}

export async function pageApplyStatus(token) {
  let status;
  try {
    status = await request('GET', `/api/apply/${encodeURIComponent(token)}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    show(t('apply.status.title'), h('h1', { text: t('apply.status.title') }),
      h('p', { id: 'apply-missing', text: t('apply.status.missing') }),
      h('p', {}, h('a', { href: '/apply', text: t('apply.again') })));
    return;
  }
  show(t('apply.status.title'), h('h1', { text: t('apply.status.title') }),
    h('p', { class: 'meta', text: t('apply.status.for', { name: status.name }) }),
    h('div', { id: 'apply-status', 'data-state': status.state }, standing(status)));
}
