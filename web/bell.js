// bell.js - the bell in the header: the unread notifications as the server
// counts them (docs/protocol.md, "Notifications"), also in the tab's title;
// and, on a device where the user turned them on (inbox.js), a browser
// notification for each new one. Also what a notification says, for those
// and for the home page's recent events (the notifications page is inbox.js).

import { t, plural, relativeTime } from './i18n.js';
import * as live from './live.js';
import { h } from './dom.js';
import { me } from './session.js';
import { setCount } from './page.js';

let offs = null;
let asked = 0;

export const NOTIFY = 'grounds.notify'; // localStorage: "on" once the user turned them on here

// What a notification says, in the reader's language.
export function noticeText({ kind, event: e = {} }) {
  const note = e.nudge || e.comment; // a coach's message, or comment on a reflection
  const from = note && note.from;
  return t(`note.${kind}`, { title: e.title || (e.request && e.request.title) || e.step, step: e.step,
    name: from ? from.display_name || from.handle : '', body: note ? note.body : '' });
}

export function notifyOn() {
  try { return localStorage.getItem(NOTIFY) === 'on' && Notification.permission === 'granted'; } catch { return false; }
}

// A new notification, shown by the browser where the user turned them on.
function notify(notification) {
  if (!notifyOn()) return;
  try { new Notification(t('app.name'), { body: noticeText(notification), tag: `grounds-${notification.notification}` }); } catch { /* not shown */ }
}

// The latest few, for the home page ("Recent"), with a link to them all.
export function recentList(list) {
  return h('section', { 'aria-labelledby': 'recent-title', id: 'recent' }, h('h2', { id: 'recent-title', text: t('home.recent') }),
    list.length ? h('ul', { class: 'recent' }, list.map((n) => h('li', { 'data-kind': n.kind }, noticeText(n), ' ',
      h('span', { class: 'meta', text: relativeTime(n.at) })))) : h('p', { class: 'meta', text: t('inbox.none') }),
    h('p', {}, h('a', { href: '/inbox', text: t('home.recent.all') })));
}

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
  if (event.notification.kind) notify(event.notification);
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
