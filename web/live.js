// live.js - the one websocket to groundsd (/ws, docs/protocol.md): says
// hello with the last seq seen, keeps the signed-in user's progress from the
// snapshot and the events, answers requests with promises, follows the rooms
// the pages ask for, and reconnects with backoff when the line drops. When
// the server ends the session (close code 4001: signed out here or in
// another tab, disabled, a new password) it emits 'session-ended' and stops;
// when the user's rights changed (4003: role or cohort) it emits
// 'rights-changed' and reconnects at once (and emits 'refused' if that
// reconnection is refused, for the page to ask whether it is signed in).
// An error reply is rejected once the words for errors are loaded.

import { addStrings } from './i18n.js';

export class LiveError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.code = code;
    this.state = extra.state || null;
    this.requires = extra.requires || null;
    Object.assign(this, extra, { code }); // reason and parameters: docs/protocol.md, "Errors"
  }
}

const REQUEST_TIMEOUT = 15000; // no reply by then: treat the line as broken
const FIRST_CONNECT_WAIT = 8000; // how long a request waits for the first hello
const CLOSE_SESSION_ENDED = 4001; // docs/protocol.md, "When a session ends"
const CLOSE_RIGHTS_CHANGED = 4003;

let handle = null; // whose stream this is
let socket = null;
let status = 'offline'; // 'connecting' (never synced yet), 'online', 'offline'
let synced = false; // hello answered on this socket
let delay = 500;
let retryTimer = null;
let nextId = 1;
let lastSeq = -1;
let snapshotWanted = false; // hello answered "snapshot": synced once it is in
let rightsChanged = false; // closed with 4003: the next connection is expected to open
const waiting = new Map(); // id → {resolve, reject, timer}
const queued = []; // requests made before the first hello, sent once synced
const listeners = new Map(); // name → Set of functions
const rooms = new Map(); // topic → peers (array) or null while unknown

// "track/step" → {state, at}: the signed-in user's progress.
export const progress = new Map();

export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

function emit(name, detail) {
  for (const fn of [...(listeners.get(name) || [])]) {
    try {
      fn(detail);
    } catch (error) {
      console.error(error);
    }
  }
}

export function getStatus() {
  return status;
}

export function isReady() {
  return synced;
}

export function stateOf(track, step) {
  const entry = progress.get(`${track}/${step}`);
  return entry ? entry.state : 'not_started';
}

// ---- remembering where we left off (per tab, per user) -----------------

function storageKey() {
  return `grounds.live.${handle}`;
}

function restore() {
  progress.clear();
  lastSeq = -1;
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey()) || 'null');
    if (saved && Number.isInteger(saved.seq) && Array.isArray(saved.progress)) {
      lastSeq = saved.seq;
      for (const [key, entry] of saved.progress) progress.set(key, entry);
    }
  } catch {
    lastSeq = -1;
  }
}

function persist() {
  try {
    sessionStorage.setItem(storageKey(), JSON.stringify({ seq: lastSeq, progress: [...progress] }));
  } catch { /* private mode or full: a snapshot next time instead */ }
}

// ---- the connection -----------------------------------------------------

function setStatus(next) {
  if (next === status) return;
  status = next;
  emit('status', status);
}

export function start(user) {
  if (handle === user) return;
  stop();
  handle = user;
  restore();
  setStatus('connecting');
  connect();
}

export function stop() {
  if (!handle) return;
  handle = null;
  clearTimeout(retryTimer);
  retryTimer = null;
  const old = socket;
  socket = null;
  synced = false;
  if (old) old.close(1000, 'signed out');
  failAll();
  for (const request of queued.splice(0)) request.reject(new LiveError('offline', 'Signed out.'));
  rooms.clear();
  progress.clear();
  lastSeq = -1;
  setStatus('offline');
}

function connect() {
  retryTimer = null;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let ws;
  try {
    ws = new WebSocket(url, 'grounds');
  } catch {
    retry();
    return;
  }
  socket = ws;
  synced = false;
  snapshotWanted = false;
  let opened = false;
  ws.addEventListener('open', () => {
    opened = true;
    rightsChanged = false;
    if (socket === ws) hello();
  });
  ws.addEventListener('message', (message) => {
    if (socket !== ws) return;
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    receive(data);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    socket = null;
    synced = false;
    failAll();
    if (event.code === CLOSE_SESSION_ENDED) {
      emit('session-ended');
      return; // the page signs out (stop()); nothing to reconnect to
    }
    if (event.code === CLOSE_RIGHTS_CHANGED) {
      rightsChanged = true;
      emit('rights-changed');
      delay = 500;
    } else if (!opened && rightsChanged) {
      // Refused right after a change of rights: the session may have ended meanwhile.
      rightsChanged = false;
      emit('refused');
    }
    retry();
  });
}

// The browser says the network is back: try now instead of after the wait.
window.addEventListener('online', () => {
  if (handle && !socket && retryTimer) {
    clearTimeout(retryTimer);
    delay = 500;
    connect();
  }
});

function retry() {
  if (!handle) return;
  setStatus('offline');
  for (const request of queued.splice(0)) request.reject(new LiveError('offline', 'The server cannot be reached.'));
  // Exponential backoff with jitter: 0.5 s doubling up to 15 s.
  const wait = delay / 2 + Math.random() * delay / 2;
  delay = Math.min(delay * 2, 15000);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, wait);
}

// Reject every request still waiting for a reply on the lost socket.
function failAll() {
  for (const [id, entry] of waiting) {
    clearTimeout(entry.timer);
    entry.reject(new LiveError('offline', 'The connection was lost before the server answered.'));
    waiting.delete(id);
  }
}

function send(type, fields) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new LiveError('offline', 'The server did not answer in time.'));
    }, REQUEST_TIMEOUT);
    waiting.set(id, { resolve, reject, timer });
    try {
      // A socket the server is closing would only log a warning and drop the request.
      if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('not open');
      socket.send(JSON.stringify({ ...fields, type, id }));
    } catch {
      clearTimeout(timer);
      waiting.delete(id);
      reject(new LiveError('offline', 'The server cannot be reached.'));
    }
  });
}


async function hello() {
  const fields = lastSeq >= 0 ? { last_seq: lastSeq } : {};
  let reply;
  try {
    reply = await send('hello', fields);
  } catch (error) {
    if (error.code !== 'offline' && socket) socket.close(4000, 'hello refused');
    return;
  }
  emit('hello', reply); // its unread nudges, for help.js
  if (reply.sync === 'snapshot') {
    snapshotWanted = true;
    return;
  }
  synced_();
}

function synced_() {
  synced = true;
  delay = 500;
  setStatus('online');
  for (const request of queued.splice(0)) request.go();
  for (const topic of rooms.keys()) subscribe(topic);
  emit('ready');
}

function applySnapshot(data) {
  progress.clear();
  for (const row of data.progress || []) progress.set(`${row.track}/${row.step}`, { state: row.state, at: row.updated_at });
  lastSeq = data.seq;
  persist();
  emit('progress', null);
}

// An event of the user's own stream: counted once (a replay may repeat one),
// progress applied. Returns false for one seen before.
function applyEvent(data) {
  if (data.seq <= lastSeq) return false;
  lastSeq = data.seq;
  const key = `${data.track}/${data.step}`;
  const moved = data.event === 'progress' || data.event === 'submission';
  if (moved) progress.set(key, { state: data.state, at: data.at });
  persist();
  if (moved) emit('progress', { key, track: data.track, step: data.step, state: data.state });
  return true;
}

function receive(data) {
  if ((data.type === 'ok' || data.type === 'error') && data.id !== undefined && waiting.has(data.id)) {
    const entry = waiting.get(data.id);
    waiting.delete(data.id);
    clearTimeout(entry.timer);
    if (data.type === 'ok') entry.resolve(data);
    else addStrings('errors').catch(() => {}).then(() => entry.reject(new LiveError(data.code, data.message, data)));
    return;
  }
  if (data.type === 'snapshot') {
    applySnapshot(data);
    if (snapshotWanted) {
      snapshotWanted = false;
      synced_();
    }
  } else if (data.type === 'resync') {
    synced = false;
    hello();
  } else if (data.type === 'event') {
    if (data.event === 'presence') {
      if (data.topic && rooms.has(data.topic)) {
        rooms.set(data.topic, data.peers || []);
        emit('presence', { topic: data.topic, peers: data.peers || [] });
      }
    } else if (data.user === handle && Number.isInteger(data.seq) && !applyEvent(data)) {
      return;
    }
    emit('event', data);
  } else if (data.type === 'error') {
    console.warn('grounds live:', data.code, data.message);
  }
}

// Sends a request once the line is up; resolves the ok reply or rejects a
// LiveError (code "offline" when the server cannot be reached).
export function request(type, fields = {}) {
  if (!handle) return Promise.reject(new LiveError('offline', 'Not signed in.'));
  if (synced && socket) return send(type, fields).then((reply) => noteState(type, fields, reply));
  if (status === 'offline') return Promise.reject(new LiveError('offline', 'The server cannot be reached.'));
  // Before the first hello of this page, or while saying hello again after a
  // resync: wait a little for it.
  return new Promise((resolve, reject) => {
    const entry = {
      reject: (error) => { clearTimeout(timer); reject(error); },
      go: () => { clearTimeout(timer); send(type, fields).then((reply) => resolve(noteState(type, fields, reply)), reject); },
    };
    const timer = setTimeout(() => {
      const at = queued.indexOf(entry);
      if (at >= 0) queued.splice(at, 1);
      reject(new LiveError('offline', 'The server cannot be reached.'));
    }, FIRST_CONNECT_WAIT);
    queued.push(entry);
  });
}

// A reply that names the step's state is applied at once; its event (with
// the same state) follows on the user's stream.
function noteState(type, fields, reply) {
  if (/^(progress\.(set|undo)|submission\.create)$/.test(type) && reply.state) {
    const key = `${fields.track}/${fields.step}`;
    const old = progress.get(key);
    if (!old || old.state !== reply.state) {
      progress.set(key, { state: reply.state, at: Date.now() });
      persist();
      emit('progress', { key, track: fields.track, step: fields.step, state: reply.state });
    }
  }
  return reply;
}

// ---- rooms ----------------------------------------------------------------

function subscribe(topic) {
  send('subscribe', { topic }).then((reply) => {
    if (!rooms.has(topic)) {
      send('unsubscribe', { topic }).catch(() => {});
      return;
    }
    rooms.set(topic, reply.peers || []);
    emit('presence', { topic, peers: reply.peers || [] });
  }, () => { /* offline: subscribed again after the next hello */ });
}

// Follows a room ("room:TRACK/STEP") until leave(); kept across reconnects.
export function join(topic) {
  if (rooms.has(topic)) return;
  rooms.set(topic, null);
  if (synced && socket) subscribe(topic);
}

export function leave(topic) {
  if (!rooms.delete(topic)) return;
  if (synced && socket) send('unsubscribe', { topic }).catch(() => {});
}

export function peersOf(topic) {
  return rooms.get(topic) || null;
}

export function user() {
  return handle;
}
