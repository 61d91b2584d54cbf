// help-ask.js - "Ask a peer for help" on a step page (docs/protocol.md,
// "Help from peers"): a step begun and not finished can ask; once asked,
// where the question stands and the conversation, until it is solved or
// taken back. The notices under the header and the state they share with
// this section are help.js's. Loaded with a step page (app.js).

import { t, plural } from './i18n.js';
import * as live from './live.js';
import { h, focusOn, errorLine, labelled } from './dom.js';
import { personName as name } from './format.js';
import { me, loadDraft, saveDraft } from './session.js';
import { onLeave } from './page.js';
import { MAX, helpState, tooLong, button, problem, changed, threadFor, drawMine, restore } from './help.js';

const ASKING = new Set(['started', 'submitted', 'in_review', 'needs_work']);
const here = (r, track, step) => Boolean(r) && r.track === track && r.step === step;

// "Ask a peer for help" on a step begun and not finished; once asked, where
// the question stands and the conversation. The question is kept on this
// device as it is typed until the server has it.
export function helpSection(track, step, gen) {
  const state = helpState;
  const key = `grounds.help.${me.handle}.${track.id}.${step.id}`;
  const body = h('textarea', { id: 'help-body', rows: 3, maxlength: MAX, text: loadDraft(key).body || '' });
  body.addEventListener('input', () => saveDraft(key, body.value ? { body: body.value } : null));
  const status = h('p', { id: 'help-status', role: 'status' });
  const error = errorLine();
  const slot = h('div');
  const ask = h('button', { type: 'submit', id: 'help-ask', text: t('help.ask') });
  const form = h('form', { id: 'help-form', class: 'wide', novalidate: true },
    labelled(body, t('help.body'), t('help.hint')), ask);
  const fail = (err, field) => {
    problem(section, err);
    field ? field.focus() : focusOn(error);
  };
  const close = (type, closed) => async () => {
    const r = state.mine;
    error.hidden = true;
    try {
      await live.request(type, { request: r.request });
      state.note = { ...r, state: closed };
      state.mine = null;
      changed(state);
      focusOn(status);
    } catch (err) {
      fail(err);
    }
  };
  const solved = button(t('help.solved'), close('help.resolve', 'resolved'));
  const actions = h('div', { class: 'actions' }, solved, button(t('help.withdraw'), close('help.withdraw', 'withdrawn'), true));
  const section = h('section', { class: 'ask-help', id: 'help', 'aria-labelledby': 'help-title' },
    h('h2', { id: 'help-title', text: t('help.title') }), error, status, slot, actions, form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = body.value.trim();
    error.hidden = true;
    if (!text || tooLong(text)) return fail(t(text ? 'help.tooLong' : 'help.empty'), body);
    ask.disabled = true;
    try {
      state.mine = (await live.request('help.ask', { track: track.id, step: step.id, body: text })).request;
      state.note = null;
      if (body.value.trim() === text) {
        body.value = '';
        saveDraft(key, null);
      }
      changed(state);
      focusOn(status);
    } catch (err) {
      fail(err);
      if (err.code === 'conflict') restore(state); // perhaps one is open already, elsewhere
    } finally {
      ask.disabled = false;
    }
  });

  let said = '';
  const draw = () => {
    const { mine, note } = state;
    const ours = here(mine, track.id, step.id) ? mine : null;
    const past = here(note, track.id, step.id) ? note : null;
    form.hidden = Boolean(mine) || !ASKING.has(live.stateOf(track.id, step.id));
    section.hidden = !ours && form.hidden;
    actions.hidden = !ours;
    solved.hidden = !ours || ours.state !== 'accepted';
    const conversation = ours && ours.state === 'accepted' ? threadFor(state, ours).element : null;
    if (slot.firstChild !== conversation) slot.replaceChildren(conversation || '');
    // Only a change is written, so the live region is not read out again.
    const text = !ours ? (past ? t(`help.${past.state}`) : '')
      : ours.state === 'accepted' ? t('help.coming', { name: name(ours.helper) })
      : Number.isInteger(ours.told) ? plural('help.told', ours.told) : t('help.waiting');
    if (text !== said) status.textContent = said = text;
    if (past && past.state === 'expired' && !body.value) body.value = past.body || ''; // ask again
  };
  state.onPage = `${track.id}/${step.id}`;
  state.views.add(draw);
  onLeave(gen, live.on('progress', draw));
  onLeave(gen, () => {
    state.views.delete(draw);
    if (state.onPage === `${track.id}/${step.id}`) state.onPage = null;
    drawMine(state);
  });
  changed(state);
  return section;
}
