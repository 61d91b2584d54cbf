// badge.js - the badge by "Reviews" in the header: how many reviews are open
// for the signed-in user, asked again after each hello and when a review is
// assigned or expires (and by the review pages after a change).

import { plural } from './i18n.js';
import * as live from './live.js';
import { h } from './dom.js';
import { me } from './session.js';

let badgeOff = null;
let badgeAsk = 0;

export async function refreshBadge() {
  const badge = document.getElementById('reviews-badge');
  if (!me) {
    badge.hidden = true;
    if (badgeOff) badgeOff.forEach((off) => off());
    badgeOff = null;
    return;
  }
  badgeOff ||= [live.on('ready', refreshBadge),
    live.on('event', (event) => { if (/^review\.(assigned|expired)$/.test(event.event)) refreshBadge(); })];
  if (!live.isReady()) return; // again once the hello is answered
  const ask = ++badgeAsk;
  const list = await live.request('review.list').catch(() => null);
  if (!list || ask !== badgeAsk) return;
  const open = list.assignments.filter((a) => a.state === 'assigned').length;
  badge.hidden = !open;
  badge.replaceChildren(h('span', { 'aria-hidden': 'true', text: open }), h('span', { class: 'vh', text: plural('nav.reviewsOpen', open) }));
}
