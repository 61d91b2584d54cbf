// home-coach.js - a coach's home page: who needs attention in each cohort
// they coach, on each track, with a link to that board. The lists come
// from the board service (home.attention, docs/protocol.md), which reuses
// what it made for the boards. Loaded only for coaches and admins.

import { t, addStrings } from './i18n.js';
import * as live from './live.js';
import { api } from './api.js';
import { h } from './dom.js';

await Promise.all([addStrings('board'), addStrings('home-coach')]);

const enc = encodeURIComponent;

async function stepTitles(trackId) {
  const track = await api.track(trackId).catch(() => null);
  return new Map(track ? track.modules.flatMap((m) => m.steps.map((s) => [s.id, s.title])) : []);
}

async function trackList(cohort, track) {
  const titles = track.attention.some((e) => e.step) ? await stepTitles(track.track) : new Map();
  return h('li', { class: 'card', 'data-cohort': cohort, 'data-track': track.track },
    h('h4', { text: track.title }),
    h('ul', {}, track.attention.map((e) => h('li', { 'data-user': e.user, 'data-kind': e.kind },
      h('strong', { text: e.user }), ' ', t(`board.why.${e.kind}`, { step: titles.get(e.step) || e.step })))),
    h('p', {}, h('a', { href: `/board/${enc(cohort)}/${enc(track.track)}`, text: t('homeCoach.open') })));
}

export async function attentionHome() {
  const reply = await live.request('home.attention');
  const cohorts = await Promise.all(reply.cohorts.map(async (c) => {
    const busy = c.tracks.filter((track) => track.attention && track.attention.length);
    return h('section', { 'aria-labelledby': `cohort-${c.cohort}`, 'data-cohort': c.cohort },
      h('h3', { id: `cohort-${c.cohort}`, text: t('homeCoach.cohort', { cohort: c.cohort || t('homeCoach.noCohort') }) }),
      busy.length ? h('ul', { class: 'cards' }, await Promise.all(busy.map((track) => trackList(c.cohort, track))))
        : h('p', { text: t('board.attention.none') }));
  }));
  return h('section', { id: 'coach-attention', 'aria-labelledby': 'coach-attention-title' },
    h('h2', { id: 'coach-attention-title', text: t('board.attention') }),
    cohorts.length ? cohorts : h('p', {}, t('homeCoach.none'), ' ', h('a', { href: '/board', text: t('board.nav') })));
}
