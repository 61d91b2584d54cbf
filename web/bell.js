// bell.js - the bell in the header: the unread notifications as the server
// counts them (docs/protocol.md, "Notifications"), also in the tab's title;
// and, on a device where the user turned them on (inbox.js), a browser
// notification for each new one.

import { plural } from './i18n.js';
import * as live from './live.js';
import { h } from './dom.js';
import { me } from './session.js';
import { setCount } from './page.js';

let offs = null;
let asked = 0;

function draw(count) {
  const badge = document.getElementById('inbox-badge');
  badge.hidden = !count;
  badge.replaceChildren(h('span', { 'aria-hidden': 'true', text: count }), h('span', { class: 'vh', text: plural('nav.unread', count) }));
  setCount(count);
}

async function ask() {
  const mine = ++asked;
  const list = await live.request('notification.list').catch(() => null);
  if (list && mine === asked) draw(list.unread);
}

function heard(event) {
  if (!/^notification(\.read)?$/.test(event.event)) return;
  asked++; // newer than a list still on its way
  draw(event.unread);
  let on = false;
  try { on = localStorage.getItem('grounds.notify') === 'on'; } catch { /* off */ }
  if (on && event.notification.kind) import('./inbox.js').then((inbox) => inbox.notify(event.notification));
}

// Follows the signed-in user (again on each sign-in, sign-out and language).
export function startBell() {
  if (offs) offs.forEach((off) => off());
  offs = null;
  document.getElementById('nav-inbox').hidden = !me;
  if (!me) return draw(0);
  offs = [live.on('ready', ask), live.on('event', heard)];
  if (live.isReady()) ask();
}
