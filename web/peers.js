// peers.js - peers' work after passing (docs/protocol.md, "Peers' work
// after passing"): on a reviewed step's page, once the learner's own work
// passed, the passed work peers chose to share (by "a peer", or by name when
// they chose so), a thank-you for each, and the learner's own choice to
// share theirs. Before passing it says only what comes (no spoilers).
// Coaches read what is shared. app.js loads this module with a reviewed
// step's page.

import { t, plural, addStrings } from './i18n.js';
import * as live from './live.js';
import { h, errorLine } from './dom.js';
import { liveErrorText, personName } from './format.js';
import { me } from './session.js';
import { generation, onLeave } from './page.js';

await addStrings('peers');

const SHARES = ['none', 'anonymous', 'named'];

// The author's choice: not shared, anonymously, or with their name; and how many thanked them.
function mineBox(mine) {
  const status = h('p', { role: 'status', class: 'meta', id: 'peers-share-status' });
  const error = errorLine();
  const thanks = h('p', { id: 'peers-my-thanks', text: plural('peers.thankedYou', mine.thanks) });
  const choose = async (share) => {
    error.hidden = true;
    try {
      await live.request('submission.share', { submission: mine.submission, share });
      status.textContent = t(`peers.saved.${share}`);
    } catch (err) {
      error.textContent = liveErrorText(err);
      error.hidden = false;
    }
  };
  const options = SHARES.map((share) => h('div', { class: 'check' },
    h('input', { type: 'radio', name: 'peers-share', id: `peers-share-${share}`, value: share, checked: mine.share === share,
      onchange: () => choose(share) }),
    h('label', { for: `peers-share-${share}`, text: t(`peers.share.${share}`) })));
  return {
    element: h('div', { id: 'peers-mine', class: 'card' },
      h('fieldset', {}, h('legend', { text: t('peers.share') }), h('p', { class: 'hint', text: t('peers.share.hint') }), ...options),
      error, status, thanks),
    thanked: (count) => { thanks.textContent = plural('peers.thankedYou', count); },
  };
}

// One peer's shared work: who (or "a peer"), the work as stored, and a thank-you.
function peerWork(work, index) {
  const id = `peers-work-${work.submission}`;
  const count = h('span', { class: 'meta', text: plural('peers.thanks', work.thanks) });
  const error = errorLine();
  const button = h('button', { type: 'button', class: 'secondary small', 'aria-pressed': String(work.thanked),
    'aria-describedby': `${id}-title`, text: t(work.thanked ? 'peers.thanked' : 'peers.thank') });
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-pressed') === 'true') return;
    error.hidden = true;
    try {
      const reply = await live.request('submission.thank', { submission: work.submission });
      button.setAttribute('aria-pressed', 'true');
      button.textContent = t('peers.thanked');
      count.textContent = plural('peers.thanks', reply.thanks);
    } catch (err) {
      error.textContent = liveErrorText(err);
      error.hidden = false;
    }
  });
  const body = h('div', { class: 'content' });
  body.innerHTML = work.body_html; // rendered by the server in safe mode when it was submitted
  const link = work.link && /^https?:\/\//.test(work.link) ? h('p', {}, h('a', { href: work.link, rel: 'noopener noreferrer', target: '_blank', text: work.link })) : null;
  return h('li', { class: 'card', id, 'data-submission': work.submission },
    h('h3', { id: `${id}-title`, text: work.author ? t('peers.by', { name: personName(work.author) }) : t('peers.byPeer', { n: index + 1 }) }),
    body, link, h('p', { class: 'actions' }, button, ' ', count), error);
}

// The section on a reviewed step's page.
export function peersSection(track, step, gen) {
  const section = h('section', { id: 'peers-work', 'aria-labelledby': 'peers-title' });
  const intro = h('p', { id: 'peers-intro' });
  const body = h('div', {});
  section.append(h('h2', { id: 'peers-title', text: t('peers.title') }), intro, body);
  let mine = null;
  let asking = 0;
  const passed = () => me.role !== 'learner' || live.stateOf(track.id, step.id) === 'passed';
  const load = async () => {
    const ask = ++asking;
    if (!passed()) { // no spoilers: not even asked for
      intro.textContent = t('peers.after');
      body.replaceChildren();
      return;
    }
    let data;
    try {
      data = await live.request('peers.list', { track: track.id, step: step.id });
    } catch (err) {
      if (ask === asking && gen === generation) intro.textContent = err.code === 'forbidden' ? t('peers.after') : liveErrorText(err);
      return;
    }
    if (ask !== asking || gen !== generation) return;
    intro.textContent = t(me.role === 'learner' ? 'peers.intro' : 'peers.introCoach');
    mine = data.mine ? mineBox(data.mine) : null;
    body.replaceChildren(mine ? mine.element : '', data.peers.length
      ? h('ul', { class: 'cards', id: 'peers-list' }, data.peers.map(peerWork))
      : h('p', { id: 'peers-none', text: t('peers.none') }));
  };
  onLeave(gen, live.on('event', (event) => {
    if (event.track !== track.id || event.step !== step.id) return;
    if (event.event === 'submission.thanked' && mine) mine.thanked(event.thanks);
    if (event.event === 'progress' && event.state === 'passed') load();
  }));
  onLeave(gen, live.on('ready', load));
  if (live.isReady()) load(); // else once the hello is answered
  return section;
}
