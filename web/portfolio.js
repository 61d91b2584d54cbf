// portfolio.js - a learner's portfolio (docs/api.md, "Portfolios"): their
// own page, where they choose which passed projects and reflections, and
// which feedback from partners, to show and share (or stop sharing) a
// public link; and the public page of
// such a link, which shows only what was chosen and no name. app.js loads
// it when first needed. body_html is rendered by the server in safe mode.

import { t, addStrings, formatDate } from './i18n.js';
import { h, focusOn } from './dom.js';
import { generation, show } from './page.js';
import { request, ApiError } from './api.js';
import { errorText } from './format.js';

await addStrings('portfolio');

const day = (ms) => formatDate(ms, { dateStyle: 'medium' });

function html(tag, attrs, text) {
  const element = h(tag, attrs);
  element.innerHTML = text || ''; // rendered by the server in safe mode
  return element;
}

function linkOf(link) {
  return /^https?:\/\//i.test(link || '') && h('p', { class: 'work-link' },
    h('a', { href: link, rel: 'noopener noreferrer nofollow', target: '_blank', text: link }));
}

function tracksSection(tracks, own) {
  return h('section', { 'aria-labelledby': 'tracks-title' }, h('h2', { id: 'tracks-title', text: t('portfolio.tracks') }),
    tracks.length ? h('ul', { id: 'portfolio-tracks' }, tracks.map((track) => h('li', { 'data-track': track.track },
      h('strong', { text: track.title }), own ? h('span', { class: 'meta', text: ` — ${t('portfolio.completed', { date: day(track.completed_at) })}` }) : null)))
      : h('p', { class: 'meta', text: t(own ? 'portfolio.tracks.none' : 'portfolio.public.none') }));
}

// "Show in my portfolio" for what is named in the request by `what`
// ({submission: 7} or {feedback: 3}), shown or not; its check box and status.
function showChoice(id, what, shown) {
  const status = h('p', { role: 'status', class: 'meta' });
  const box = h('input', { type: 'checkbox', id, checked: shown });
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      await request('POST', '/api/portfolio/show', { ...what, shown: box.checked });
      status.textContent = t(box.checked ? 'portfolio.shownNow' : 'portfolio.hiddenNow');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      box.checked = !box.checked;
      status.textContent = errorText(error);
    } finally {
      box.disabled = false;
    }
  });
  return [h('div', { class: 'check' }, box, h('label', { for: id, text: t('portfolio.show') })), status];
}

// One passed piece of work; on one's own page with its "show" choice.
function workCard(work, own) {
  const id = `work-${work.submission}`;
  const parts = [h('h3', { id, text: work.title })];
  if (own) {
    parts.push(h('p', { class: 'meta', text: t('portfolio.passed', { date: day(work.passed_at) }) }),
      ...showChoice(`show-${work.submission}`, { submission: work.submission }, work.shown));
  }
  parts.push(h('details', { open: !own }, h('summary', { text: t('portfolio.work') }),
    html('div', { class: 'content' }, work.body_html), linkOf(work.link)));
  return h('article', { class: 'card', 'data-submission': work.submission, 'aria-labelledby': id }, ...parts);
}

function workSection(key, list, own) {
  return h('section', { 'aria-labelledby': `${key}-title` }, h('h2', { id: `${key}-title`, text: t(`portfolio.${key}`) }),
    list.length ? h('div', { id: `portfolio-${key}` }, list.map((work) => workCard(work, own)))
      : h('p', { class: 'meta', text: t(own ? `portfolio.${key}.none` : 'portfolio.public.none') }));
}

// What partners said of the work of a team one was in (plain text, never
// the partner's name); on one's own page each with its "show" choice.
function partnerSection(list, own) {
  const card = (f) => {
    const id = `feedback-${f.feedback}`;
    return h('article', { class: 'card', 'data-feedback': f.feedback, 'aria-labelledby': id },
      h('h3', { id, text: f.project }),
      h('blockquote', { class: 'comment plain', text: f.body }),
      own ? h('p', { class: 'meta', text: t('portfolio.partner.at', { date: day(f.at) }) }) : null,
      own ? showChoice(`show-feedback-${f.feedback}`, { feedback: f.feedback }, f.shown) : null);
  };
  return h('section', { 'aria-labelledby': 'partner-title', id: 'portfolio-partner' },
    h('h2', { id: 'partner-title', text: t('portfolio.partner') }),
    list.length ? h('div', { id: 'portfolio-feedback' }, list.map(card))
      : h('p', { class: 'meta', text: t(own ? 'portfolio.partner.none' : 'portfolio.public.none') }));
}

function shareSection(portfolio) {
  const status = h('p', { role: 'status', id: 'share-status' });
  const address = h('p', { id: 'share-link', hidden: true });
  const share = h('button', { type: 'button', id: 'share', text: '' });
  const revoke = h('button', { type: 'button', id: 'revoke', class: 'secondary', text: t('portfolio.revoke') });
  let sharedAt = portfolio.shared_at;
  const draw = () => {
    status.textContent = sharedAt ? t('portfolio.shared', { date: day(sharedAt) }) : t('portfolio.private');
    share.textContent = t(sharedAt ? 'portfolio.shareAgain' : 'portfolio.share');
    revoke.hidden = !sharedAt;
  };
  const act = (fn) => async () => {
    share.disabled = revoke.disabled = true;
    try {
      await fn();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = errorText(error);
    } finally {
      share.disabled = revoke.disabled = false;
    }
  };
  share.addEventListener('click', act(async () => {
    const made = await request('POST', '/api/portfolio/share', {});
    sharedAt = Date.now();
    draw();
    const url = `${location.origin}${made.path}`;
    address.replaceChildren(t('portfolio.link'), ' ', h('a', { href: url, text: url }));
    address.hidden = false;
    focusOn(address);
  }));
  revoke.addEventListener('click', act(async () => {
    await request('POST', '/api/portfolio/revoke', {});
    sharedAt = null;
    address.hidden = true;
    draw();
  }));
  draw();
  return h('section', { 'aria-labelledby': 'share-title' }, h('h2', { id: 'share-title', text: t('portfolio.sharing') }),
    h('p', { class: 'hint', text: t('portfolio.sharing.hint') }), status, address, h('div', { class: 'actions' }, share, revoke));
}

export async function pagePortfolio() {
  const gen = generation;
  const portfolio = await request('GET', '/api/portfolio');
  if (gen !== generation) return;
  show(t('portfolio.title'), h('h1', { text: t('portfolio.title') }), h('p', { text: t('portfolio.intro') }),
    shareSection(portfolio), tracksSection(portfolio.tracks, true), workSection('projects', portfolio.projects, true),
    workSection('reflections', portfolio.reflections, true), partnerSection(portfolio.partner_feedback || [], true));
}

export async function pagePublicPortfolio(token) {
  const gen = generation;
  let portfolio;
  try {
    portfolio = await request('GET', `/api/portfolio/public/${encodeURIComponent(token)}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    if (gen === generation) show(t('portfolio.public.title'), h('h1', { text: t('portfolio.public.title') }), h('p', { id: 'not-shared', text: t('portfolio.notShared') }));
    return;
  }
  if (gen !== generation) return;
  show(t('portfolio.public.title'), h('h1', { text: t('portfolio.public.title') }),
    tracksSection(portfolio.tracks, false), workSection('projects', portfolio.projects, false),
    workSection('reflections', portfolio.reflections, false),
    portfolio.partner_feedback && portfolio.partner_feedback.length ? partnerSection(portfolio.partner_feedback, false) : null);
}
