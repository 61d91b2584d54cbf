// inbox.js - the notifications page (/inbox, the bell in the header): the
// user's latest notifications from the server, newest first, each with what
// to open and "Mark as read"; "Mark all as read"; and turning browser
// notifications on or off for this device, asked of the browser only when
// the user presses the button. What a notification says, and the browser
// notification itself, are bell.js's. Loaded when first needed.

import { t, relativeTime, language, addStrings } from './i18n.js';
import * as live from './live.js';
import { h, focusOn } from './dom.js';
import { liveErrorText, stepHref } from './format.js';
import { generation, onLeave, show } from './page.js';
import { NOTIFY, noticeText, notifyOn } from './bell.js';

await addStrings('inbox');

// Where a notification leads: the review, the step it is about, or the
// partner's project (a brief to read, feedback on a team's work).
function target({ kind, event: e = {} }) {
  if (kind === 'review_assigned') return `/reviews/${e.assignment}`;
  const r = e.request || e;
  if (kind === 'project_proposed' || !(r.track && r.step)) return e.project ? `/projects/${e.project}` : null;
  return stepHref(r.track, r.step);
}

function browserSection() {
  const status = h('p', { id: 'notify-status', role: 'status' });
  const toggle = h('button', { type: 'button', id: 'notify-toggle', class: 'secondary' });
  const supported = 'Notification' in window;
  const draw = () => {
    const on = notifyOn();
    toggle.textContent = t(on ? 'inbox.browser.off' : 'inbox.browser.on');
    toggle.hidden = !supported;
    status.textContent = !supported ? t('inbox.browser.none')
      : Notification.permission === 'denied' ? t('inbox.browser.denied') : t(on ? 'inbox.browser.isOn' : 'inbox.browser.isOff');
  };
  toggle.addEventListener('click', async () => {
    let choice = 'off';
    if (!notifyOn()) choice = await Notification.requestPermission() === 'granted' ? 'on' : 'off';
    try { localStorage.setItem(NOTIFY, choice); } catch { /* not remembered */ }
    draw();
  });
  draw();
  return h('section', { 'aria-labelledby': 'notify-title' }, h('h2', { id: 'notify-title', text: t('inbox.browser') }),
    h('p', { class: 'hint', text: t('inbox.browser.intro') }), toggle, status);
}

export async function pageInbox() {
  const gen = generation;
  const heading = h('h1', { text: t('inbox.title') });
  const status = h('p', { role: 'status', class: 'meta', id: 'inbox-status' });
  const box = h('div', { id: 'inbox-list' });
  const readAll = h('button', { type: 'button', id: 'inbox-read-all', text: t('inbox.readAll') });
  let list = [];
  const mark = async (id, focusAfter) => {
    try {
      await live.request('notification.read', id ? { notification: id } : {});
      for (const n of list) if (!id || n.notification === id) n.read = true;
      draw();
      status.textContent = t(id ? 'inbox.marked' : 'inbox.markedAll');
      if (focusAfter) focusOn(heading);
    } catch (err) {
      status.textContent = liveErrorText(err);
    }
  };
  const item = (n) => {
    const href = target(n);
    return h('li', { class: `card notification${n.read ? '' : ' unread'}`, 'data-notification': n.notification, 'data-kind': n.kind },
      h('p', {}, n.read ? null : h('strong', { class: 'new', text: `${t('inbox.new')}: ` }), noticeText(n)),
      h('p', { class: 'meta', title: new Date(n.at).toLocaleString(language()), text: relativeTime(n.at) }),
      h('div', { class: 'actions' },
        href ? h('a', { href, onclick: () => { if (!n.read) mark(n.notification); }, text: t('inbox.open') }) : null,
        n.read ? null : h('button', { type: 'button', class: 'secondary small', text: t('inbox.read'), onclick: () => mark(n.notification, true) })));
  };
  const draw = () => {
    box.replaceChildren(list.length ? h('ul', { class: 'cards' }, list.map(item)) : h('p', { text: t('inbox.none') }));
    readAll.hidden = !list.some((n) => !n.read);
  };
  const load = async () => {
    try {
      list = (await live.request('notification.list')).notifications;
    } catch (err) {
      status.textContent = liveErrorText(err);
    }
    if (gen === generation) draw();
  };
  readAll.addEventListener('click', () => mark(0, true));
  onLeave(gen, live.on('event', (event) => { if (event.event === 'notification' || event.event === 'notification.read') load(); }));
  onLeave(gen, live.on('ready', load));
  await load();
  if (gen !== generation) return;
  show(t('inbox.title'), heading, status, h('div', { class: 'actions' }, readAll), box, browserSection());
}
