// board-lists.js - the board's two lists: who needs attention and why (the
// server's list, with what the pushes added), and the help requests open or
// being answered. The attention list's buttons open the nudge dialog
// (board-nudge.js).

import { t, formatDate } from './i18n.js';
import { h } from './dom.js';
import { personName } from './format.js';
import { now, nameOf, stepName, duration, ago } from './board-model.js';

const list = (items, none, item) => items.length ? h('ul', { class: 'cards' }, items.map(item)) : h('p', { text: t(none) });

export function attentionList(board) {
  const element = h('div', { id: 'board-attention' });
  const draw = () => element.replaceChildren(list(board.attention, 'board.attention.none', (entry) => h('li', { class: 'card', 'data-user': entry.user, 'data-kind': entry.kind },
    h('p', {}, h('strong', { text: nameOf(board, entry.user) }), ' ', t(`board.why.${entry.kind}`, { step: stepName(board, entry.step) })),
    entry.kind === 'flagged_review' && entry.reason ? h('p', { class: 'flag-reason' },
      h('strong', { text: t(`coach.kind.${entry.flag_kind || 'other'}`) }), ' ', h('q', { class: 'plain', text: entry.reason }), ' ',
      h('a', { href: `#coach-flag-${entry.review}`, text: t('board.flag.open') })) : null,
    h('p', { class: 'meta', title: formatDate(entry.since, { dateStyle: 'medium', timeStyle: 'short' }), text: t('board.for', { time: duration(now(board) - entry.since) }) }),
    h('button', { type: 'button', class: 'secondary small', 'data-nudge': entry.user, text: t('board.nudgeWho', { name: nameOf(board, entry.user) }) }))));
  return { element, draw };
}

export function helpList(board) {
  const element = h('div', { id: 'board-help' });
  const draw = () => {
    const open = [...board.help.values()].filter((request) => request.state === 'open' || request.state === 'accepted');
    element.replaceChildren(list(open, 'board.help.none', (request) => h('li', { class: 'card', 'data-request': request.request, 'data-state': request.state },
      h('p', {}, h('strong', { text: nameOf(board, request.user) }), ' ', t('board.help.on', { step: stepName(board, request.step) })),
      h('p', { class: 'comment plain', text: request.body }),
      h('p', { class: 'meta' }, request.helper ? t('board.help.helper', { name: personName(request.helper) }) : t('board.help.open'),
        ' · ', ago(request.opened_at, now(board))))));
  };
  return { element, draw };
}
