// help.js - nudges from coaches and help between peers (docs/protocol.md,
// "Nudges", "Help from peers"). startHelp() keeps the notices under the
// header: unread nudges, questions we are asked to help with or help with,
// and a link to our own question off its step. "Ask a peer for help" on a
// step page is help-ask.js's, loaded with the step page, on the state and
// helpers exported here for it. Both use thread(). All text is plain.

import { t } from './i18n.js';
import * as live from './live.js';
import { h, focusOn, errorLine, labelled, sentenceWith } from './dom.js';
import { personName as name, liveErrorText, stepHref } from './format.js';

export const MAX = 500; // bytes, for a question or a message

// The help client's state. There is one (`helpState`, below); the functions
// of this module take it as their first argument and change it in place.
//   who       handle of the user whose notices these are; null signed out
//   box       the notices area under the header (#notices); null signed out
//   mineCard  in `box`: the link to my question (#help-mine)
//   offs      the live listeners while signed in, to stop them
//   hello     {seq, unread: Set of nudge ids} from the last hello: events
//             up to seq are known already, except those nudges
//   mine      my open or accepted question (a help request), or null
//   note      my last question that closed, {…request, state}, or null
//   nudges    nudge id → its card in `box`
//   offers    request id → {request, card, closed, hidden}: questions I was
//             asked to help with (closed: why it closed; hidden: put away)
//   threads   request id → thread(): the conversations, mine and my offers'
//   onPage    "track/step" of the step page on show, or null
//   views     the redraw functions of the step sections on show, called
//             when `mine` or `note` changes
// Signing in as someone else (startHelp) starts the notices afresh: `who`
// to `threads`; the step page's fields stay with the page.
function newHelpState() {
  return {
    who: null, box: null, mineCard: null, offs: [],
    hello: { seq: -1, unread: new Set() },
    mine: null, note: null,
    nudges: new Map(), offers: new Map(), threads: new Map(),
    onPage: null, views: new Set(),
  };
}

export const helpState = newHelpState();

export const tooLong = (text) => new Blob([text]).size > MAX;
const idOf = (request) => (typeof request === 'object' ? request.request : request);
export const button = (text, onclick, secondary) => h('button', { type: 'button', class: secondary ? 'secondary' : null, text, onclick });

// A failure said inside the card or form it belongs to.
export function problem(where, err) {
  const line = where.querySelector('.form-error') || where.appendChild(errorLine());
  line.textContent = typeof err === 'string' ? err : liveErrorText(err);
  line.hidden = false;
}

// `mine` or `note` changed: the step sections and the link in the notices.
export function changed(state) {
  for (const draw of state.views) draw();
  drawMine(state);
}

// ---- a conversation --------------------------------------------------------

// The messages of an accepted question (a polite live region, so new ones
// are read out) and a form to write one. add() skips a message seen before.
function thread(request) {
  const id = idOf(request);
  const seen = new Set();
  const list = h('ol', { class: 'thread', 'aria-live': 'polite', 'aria-label': t('help.thread') });
  const input = h('textarea', { id: `help-message-${id}`, rows: 2, maxlength: MAX });
  const form = h('form', { class: 'wide', novalidate: true },
    labelled(input, t('help.message')),
    h('button', { type: 'submit', text: t('help.send') }));
  let busy = false; // (not disabling the button: that would drop the focus)
  const add = (message) => {
    if (seen.has(message.message)) return;
    seen.add(message.message);
    list.append(h('li', {}, h('strong', { text: `${name(message.from)}: ` }), message.body));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = input.value.trim();
    form.querySelector('.form-error')?.setAttribute('hidden', '');
    if (!body || busy) return input.focus();
    if (tooLong(body)) return problem(form, t('help.tooLong'));
    busy = true;
    try {
      add((await live.request('help.message', { request: id, body })).message);
      if (input.value.trim() === body) input.value = ''; // kept if more was typed
    } catch (err) {
      problem(form, err);
    }
    busy = false;
  });
  return { element: h('div', { class: 'thread-box' }, list, form), add, end: () => form.remove() };
}

// The conversation of a request, made once, with the messages it came with.
export function threadFor(state, request) {
  const id = idOf(request);
  if (!state.threads.has(id)) state.threads.set(id, thread(request));
  const one = state.threads.get(id);
  for (const message of request.messages || []) one.add(message);
  return one;
}

// ---- the notices -------------------------------------------------------------

// Removes a card; the keyboard's focus goes on to the next one, or the page.
function removeCard(state, card) {
  const had = card?.contains(document.activeElement);
  card?.remove();
  if (had) (state.box.querySelector('button') || document.getElementById('main')).focus();
}

function showNudge(state, nudge) {
  if (state.nudges.has(nudge.nudge)) return;
  const card = h('div', { class: 'notice nudge', 'data-nudge': nudge.nudge },
    h('p', {}, h('strong', { text: t('nudge.from', { name: name(nudge.from) }) }), ' ', h('span', { class: 'said', text: nudge.body })));
  card.append(button(t('nudge.read'), async () => {
    try {
      await live.request('nudge.read', { nudge: nudge.nudge });
      removeCard(state, card);
    } catch (err) {
      if (err.code === 'not_found' || err.code === 'forbidden') removeCard(state, card);
      else problem(card, err);
    }
  }));
  state.nudges.set(nudge.nudge, card);
  state.mineCard.before(card);
}

// A question someone asked us: open (help or not now), accepted by us (the
// conversation), or closed (why, and a button to put it away).
function drawOffer(state, id) {
  const offer = state.offers.get(id);
  const r = offer.request;
  if (offer.hidden) return removeCard(state, offer.card);
  if (!offer.card) state.mineCard.before(offer.card = h('div', { class: 'notice offer', 'data-request': id }));
  const vars = { title: r.title || r.step, name: name(r.user) };
  const had = offer.card.contains(document.activeElement);
  const hide = () => { offer.hidden = true; drawOffer(state, id); };
  let lead;
  if (offer.closed) {
    state.threads.get(id)?.end();
    lead = h('p', { text: t(`help.closed.${offer.closed}`, vars) });
    offer.card.replaceChildren(lead, state.threads.get(id)?.element || '', button(t('help.close'), hide, true));
  } else if (r.state === 'accepted') {
    lead = h('p', { text: t('help.helping', vars) });
    offer.card.replaceChildren(lead, threadFor(state, r).element);
  } else {
    lead = h('p', { text: t('help.offer', vars) });
    offer.card.replaceChildren(lead, h('p', { class: 'said', text: r.body }),
      h('div', { class: 'actions' }, acceptButton(state, id), button(t('help.dismiss'), hide, true)));
  }
  if (had) focusOn(lead);
}

// "I can help" on an offer: accepted, or taken by someone else meanwhile.
function acceptButton(state, id) {
  const offer = state.offers.get(id);
  let busy = false;
  return button(t('help.accept'), async () => {
    if (busy) return;
    busy = true;
    try {
      offer.request = (await live.request('help.accept', { request: id })).request;
    } catch (err) {
      busy = false;
      if (err.code !== 'conflict') return problem(offer.card, err);
      offer.closed = err.state || 'accepted'; // someone else was faster, or it closed
    }
    drawOffer(state, id);
    focusOn(offer.card.firstChild);
  });
}

// My question, from any page but its own step's.
export function drawMine(state) {
  const { mineCard, mine, note } = state;
  if (!mineCard) return;
  const r = mine || (note && note.state === 'expired' ? note : null);
  mineCard.hidden = !r || state.onPage === `${r.track}/${r.step}`;
  if (mineCard.hidden) return;
  const key = mine ? `help.mine.${mine.state}` : 'help.mine.expired';
  const link = h('a', { href: stepHref(r.track, r.step), text: r.title || r.step });
  mineCard.replaceChildren(h('p', {}, ...sentenceWith(t(key, { name: name(r.helper) }), 'title', link)),
    mine ? '' : button(t('help.close'), () => { state.note = null; changed(state); document.getElementById('main').focus(); }, true));
}

function onHello(state, reply) {
  const list = reply.nudges || [];
  state.hello = { seq: reply.seq, unread: new Set(list.map((n) => n.nudge)) };
  for (const [id, card] of state.nudges) {
    if (!state.hello.unread.has(id)) { removeCard(state, card); state.nudges.delete(id); } // read in another tab
  }
  for (const nudge of list) showNudge(state, nudge);
}

// A replayed event (seq up to the hello's) is known already: a nudge from
// the hello's unread ones, help from help.list.
function onEvent(state, event) {
  const id = event.request && idOf(event.request);
  const { mine, offers } = state;
  if (event.seq <= state.hello.seq && !state.hello.unread.has(event.nudge?.nudge)) return;
  if (event.event === 'nudge') {
    showNudge(state, event.nudge);
  } else if (event.event === 'help.offered') {
    if (!offers.has(id)) offers.set(id, { request: event.request });
    drawOffer(state, id);
  } else if (event.event === 'help.accepted' && mine && mine.request === id) {
    state.mine = { ...mine, ...event.request }; // now with the helper
    changed(state);
  } else if (event.event === 'help.message') {
    const r = mine && mine.request === id ? mine : offers.get(id)?.request;
    if (state.threads.has(id)) state.threads.get(id).add(event.message);
    else if (r) r.messages = [...(r.messages || []), event.message];
  } else if (event.event === 'help.closed') {
    if (mine && mine.request === id) { // it expired (or was closed in another tab)
      state.note = { ...mine, state: event.state };
      state.mine = null;
      changed(state);
    } else if (offers.has(id)) {
      offers.get(id).closed = event.state;
      drawOffer(state, id);
    }
  }
}

// After each hello: my question and the ones offered to me, from the server.
export async function restore(state) {
  const list = await live.request('help.list').catch(() => null);
  if (!list) return; // offline: again after the next hello
  state.mine = list.mine[0] || null;
  const open = new Set(list.offered.map((r) => r.request));
  for (const [id, offer] of state.offers) {
    if (!open.has(id) && !offer.closed) { // closed while we were away
      removeCard(state, offer.card);
      state.offers.delete(id);
    }
  }
  for (const r of list.offered) {
    const offer = state.offers.get(r.request) || {};
    state.offers.set(r.request, { ...offer, request: r, closed: null });
    drawOffer(state, r.request);
  }
  changed(state);
}

// The notices of another user (null: signed out): the last one's are
// stopped and removed, and this one's start empty.
function signIn(state, user) {
  state.offs.forEach((off) => off());
  state.box?.remove();
  Object.assign(state, { who: user && user.handle, box: null, mineCard: null, mine: null, note: null, offs: [] });
  for (const map of [state.nudges, state.offers, state.threads]) map.clear();
  if (!user) return;
  state.mineCard = h('div', { class: 'notice', id: 'help-mine', hidden: true });
  state.box = h('div', { id: 'notices', class: 'notices', role: 'status', 'aria-label': t('nudge.area') }, state.mineCard);
  document.getElementById('live-status').after(state.box);
  state.offs = [live.on('hello', (reply) => onHello(state, reply)), live.on('event', (event) => onEvent(state, event)),
    live.on('ready', () => restore(state))];
}

// What waits in the notices, for the home page's next action: how many
// unread nudges, and the first question offered to us still open.
export function waiting() {
  const offer = [...helpState.offers.values()].find((o) => !o.closed && !o.hidden && o.request.state === 'open');
  return { nudges: [...helpState.nudges.values()].filter((card) => card.isConnected).length, offer: offer ? offer.request : null };
}

// Starts the notices for the signed-in user (null: signed out).
export function startHelp(user) {
  if (user && helpState.who === user.handle) return;
  signIn(helpState, user);
}
