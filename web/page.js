// page.js - the page on show: putting it in <main>, what it must undo when
// another replaces it, and going to another address. app.js says how an
// address is rendered (setRenderer); the pages only call navigate().

import { t } from './i18n.js';
import { focusOn } from './dom.js';

const main = document.getElementById('main');

// What the page on show must undo when another replaces it (listeners,
// rooms). A page that finishes after the next one started cleans up at once:
// a page notes `generation` when it begins and compares after each await.
export let generation = 0;
let leaving = [];

export function onLeave(gen, fn) {
  if (gen === generation) leaving.push(fn);
  else fn();
}

export function leavePage() {
  generation++;
  for (const fn of leaving.splice(0)) {
    try { fn(); } catch (error) { console.error(error); }
  }
}

// The tab's title: "(2) Home – grounds" while 2 notifications are unread.
let pageTitle = '';
let unread = 0;
const retitle = () => { document.title = `${unread ? `(${unread}) ` : ''}${pageTitle}`; };
export function setCount(count) {
  unread = count;
  retitle();
}

export function show(title, ...content) {
  pageTitle = `${title} – ${t('app.name')}`;
  retitle();
  main.replaceChildren(...content.filter((part) => part !== null && part !== undefined && part !== false));
  const heading = main.querySelector('h1');
  if (heading) focusOn(heading, { preventScroll: true });
}

let render = () => {};

// What shows the page of the current address (app.js's router).
export function setRenderer(fn) {
  render = fn;
}

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}
