// The live protocol on /ws as a browser tab meets it: hello with replay or
// snapshot, progress and its state machine, submissions, rooms with
// presence, coaches' boards, durability across kill -9, malformed and
// oversized frames, the per-connection rate limit, slow readers, previews.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { startDaemon, openSocket, people, register, call, ok, refused, nextRequestId } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';

// Opens a socket and says hello; resolves {socket, hello, sync} where sync is
// the snapshot message (or null for a replay).
async function connect(daemon, client, fields = {}) {
  const socket = await openSocket(daemon, client);
  const hello = await ok(socket, 'hello', fields);
  const sync = hello.sync === 'snapshot' ? await socket.next((m) => m.type === 'snapshot') : null;
  return { socket, hello, sync };
}

const isEvent = (kind, extra = () => true) => (m) => m.type === 'event' && m.event === kind && extra(m);

// Waits a bounded time and asserts no message matching arrived.
async function nothingArrives(socket, match, ms = 300, what = 'message') {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const found = socket.inbox.filter(match);
  assert.deepEqual(found, [], `no ${what} arrives`);
}

// Resolves promise, or rejects after ms.
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function closeAll(...sockets) {
  for (const socket of sockets) if (socket && socket.readyState === WebSocket.OPEN) socket.close();
}

// Marks each step of track started then done, in order.
async function finish(socket, track, steps) {
  for (const step of steps) {
    await ok(socket, 'progress.set', { track, step, state: 'started' });
    const done = await ok(socket, 'progress.set', { track, step, state: 'done' });
    assert.equal(done.state, 'done');
  }
}

test('a change reaches every connection of its user and no one else', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana, bob } = await people(daemon, { ana: 'learner', bob: 'learner' });
    const first = await connect(daemon, ana);
    const second = await connect(daemon, ana);
    const other = await connect(daemon, bob);
    assert.equal(first.hello.user.handle, 'ana');
    assert.equal(other.hello.user.handle, 'bob');

    const reply = await ok(first.socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    assert.equal(reply.state, 'started');
    assert.equal(typeof reply.seq, 'number');
    assert.ok(reply.seq > first.hello.seq);

    const event = await second.socket.next(isEvent('progress'));
    assert.equal(event.seq, reply.seq, 'the event carries the seq of the reply');
    assert.equal(event.user, 'ana');
    assert.equal(event.track, 'learning-to-learn');
    assert.equal(event.step, 'welcome');
    assert.equal(event.state, 'started');
    assert.equal(typeof event.at, 'number');
    const own = await first.socket.next(isEvent('progress'));
    assert.equal(own.seq, reply.seq, "the author's own connection gets it too");

    await nothingArrives(other.socket, (m) => m.type === 'event', 300, "event for another user's change");
    closeAll(first.socket, second.socket, other.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('the progress state machine and submissions are enforced over the wire', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const { socket } = await connect(daemon, ana);
    const l2l = 'learning-to-learn';

    const started = await ok(socket, 'progress.set', { track: l2l, step: 'welcome', state: 'started' });
    assert.equal(started.state, 'started');
    const done = await ok(socket, 'progress.set', { track: l2l, step: 'welcome', state: 'done' });
    assert.equal(done.state, 'done');
    assert.equal(done.seq, started.seq + 1);

    const notStarted = await refused(socket, 'progress.set', { track: l2l, step: 'your-own-pace', state: 'done' }, 'conflict');
    assert.equal(notStarted.state, 'not_started');

    const needs = await refused(socket, 'progress.set', { track: l2l, step: 'giving-feedback', state: 'started' }, 'conflict');
    assert.equal(needs.requires, 'how-reviews-work');
    assert.equal(needs.state, 'not_started');

    // States only submissions and reviews set are not the client's to set.
    await refused(socket, 'progress.set', { track: l2l, step: 'welcome', state: 'passed' }, 'bad_value');
    await refused(socket, 'progress.set', { track: 'no-such-track', step: 'welcome', state: 'started' }, 'not_found');
    await refused(socket, 'progress.set', { track: l2l, step: 'no-such-step', state: 'started' }, 'not_found');
    await refused(socket, 'progress.set', { track: l2l, step: 'welcome', state: 'finished' }, 'bad_value');

    // The web-basics project needs every earlier step and 2 reviews.
    const web = 'web-basics';
    await refused(socket, 'submission.create', { track: web, step: 'project', body_md: 'early' }, 'conflict');
    await finish(socket, web, ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout']);
    await ok(socket, 'progress.set', { track: web, step: 'project', state: 'started' });

    await refused(socket, 'submission.create', { track: web, step: 'project', body_md: 'My page', link: 'javascript:x' }, 'bad_value');
    await refused(socket, 'submission.create', { track: web, step: 'project', body_md: ' \n\t ' }, 'bad_value');

    const submitted = await ok(socket, 'submission.create', {
      track: web, step: 'project', body_md: 'My page about **bees**', link: 'https://example.org/bees',
    });
    assert.equal(submitted.state, 'submitted');
    assert.equal(typeof submitted.submission.id, 'number');
    assert.equal(submitted.submission.attempt, 1);
    const event = await socket.next(isEvent('submission', (m) => m.seq === submitted.seq));
    assert.equal(event.state, 'submitted');
    assert.equal(event.submission.id, submitted.submission.id);

    const again = await refused(socket, 'submission.create', { track: web, step: 'project', body_md: 'Again' }, 'conflict');
    assert.equal(again.state, 'submitted');
    const markDone = await refused(socket, 'progress.set', { track: web, step: 'project', state: 'done' }, 'conflict');
    assert.equal(markDone.state, 'submitted');

    // What was refused left no trace: a fresh snapshot shows only the accepted states.
    const fresh = await connect(daemon, ana);
    const states = Object.fromEntries(fresh.sync.progress.map((row) => [`${row.track}/${row.step}`, row.state]));
    assert.equal(states['learning-to-learn/welcome'], 'done');
    assert.equal(states['web-basics/project'], 'submitted');
    assert.equal(states['learning-to-learn/your-own-pace'], undefined);
    assert.equal(states['learning-to-learn/giving-feedback'], undefined);
    closeAll(socket, fresh.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('requests before hello, ping included, are refused with hello_first', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const socket = await openSocket(daemon, ana);
    await refused(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' }, 'hello_first');
    await refused(socket, 'subscribe', { topic: 'room:learning-to-learn/welcome' }, 'hello_first');
    await refused(socket, 'ping', {}, 'hello_first');
    await ok(socket, 'hello');
    await socket.next((m) => m.type === 'snapshot');
    const reply = await ok(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    assert.equal(reply.seq, 1, 'the refused request stored nothing');
    closeAll(socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('a room shows who is in it, and who left', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana, bob } = await people(daemon, { ana: 'learner', bob: 'learner' }, 'autumn');
    const topic = 'room:web-basics/what-is-a-web-page';
    const a = await connect(daemon, ana);
    const b = await connect(daemon, bob);
    const handles = (m) => m.peers.map((p) => p.handle).sort();

    const aJoined = await ok(a.socket, 'subscribe', { topic });
    assert.equal(aJoined.topic, topic);
    assert.deepEqual(aJoined.peers.map((p) => p.handle), ['ana']);
    await a.socket.next(isEvent('presence', (m) => m.topic === topic && m.count === 1));

    const bJoined = await ok(b.socket, 'subscribe', { topic });
    assert.deepEqual(handles(bJoined), ['ana', 'bob']);
    for (const { socket } of [a, b]) {
      const presence = await socket.next(isEvent('presence', (m) => m.topic === topic && m.count === 2));
      assert.deepEqual(handles(presence), ['ana', 'bob']);
      assert.ok(presence.peers.every((p) => typeof p.display_name === 'string' && p.display_name.length > 0));
    }

    b.socket.close();
    const after = await a.socket.next(isEvent('presence', (m) => m.topic === topic && m.count === 1));
    assert.deepEqual(handles(after), ['ana']);

    await refused(a.socket, 'subscribe', { topic: 'room:web-basics/no-such-step' }, 'not_found');
    await refused(a.socket, 'unsubscribe', { topic: 'room:web-basics/lists' }, 'not_found');
    closeAll(a.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test("a coach's board shows the cohort's progress and presence; learners cannot watch it", async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { cora, ana } = await people(daemon, { cora: 'coach', ana: 'learner' }, 'autumn');
    const coach = await connect(daemon, cora);
    const learner = await connect(daemon, ana);
    const board = 'board:autumn/web-basics';

    const watched = await ok(coach.socket, 'subscribe', { topic: board });
    assert.equal(watched.topic, board);

    await ok(learner.socket, 'subscribe', { topic: 'room:web-basics/what-is-a-web-page' });
    const here = await coach.socket.next(isEvent('presence', (m) => m.user === 'ana'));
    assert.equal(here.track, 'web-basics');
    assert.equal(here.step, 'what-is-a-web-page');

    const change = await ok(learner.socket, 'progress.set', { track: 'web-basics', step: 'what-is-a-web-page', state: 'started' });
    const progress = await coach.socket.next(isEvent('progress'));
    assert.equal(progress.user, 'ana');
    assert.equal(progress.track, 'web-basics');
    assert.equal(progress.step, 'what-is-a-web-page');
    assert.equal(progress.state, 'started');
    assert.equal(progress.seq, change.seq);

    // Progress on another track is not on this board.
    await ok(learner.socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    await nothingArrives(coach.socket, isEvent('progress', (m) => m.track === 'learning-to-learn'), 300, 'event of another track');

    await refused(learner.socket, 'subscribe', { topic: board }, 'forbidden');
    await refused(coach.socket, 'subscribe', { topic: 'board:autumn/no-such-track' }, 'not_found');
    await refused(coach.socket, 'subscribe', { topic: 'lobby' }, 'bad_value');
    await refused(coach.socket, 'subscribe', { topic: 'room:nothing-after' }, 'bad_value');
    closeAll(coach.socket, learner.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('a reconnect replays exactly the missed events, or sends a snapshot', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const first = await connect(daemon, ana);
    assert.equal(first.hello.sync, 'snapshot', 'a hello without last_seq gets a snapshot');
    assert.deepEqual(first.sync.progress, []);
    const l2l = 'learning-to-learn';
    const one = await ok(first.socket, 'progress.set', { track: l2l, step: 'welcome', state: 'started' });
    const two = await ok(first.socket, 'progress.set', { track: l2l, step: 'welcome', state: 'done' });
    const three = await ok(first.socket, 'progress.set', { track: l2l, step: 'your-own-pace', state: 'started' });
    assert.deepEqual([two.seq, three.seq], [one.seq + 1, one.seq + 2]);
    first.socket.close();
    await first.socket.closed;

    const again = await openSocket(daemon, ana);
    const hello = await ok(again, 'hello', { last_seq: one.seq });
    assert.equal(hello.sync, 'replay');
    assert.equal(hello.seq, three.seq);
    const a = await again.next((m) => m.type === 'event');
    const b = await again.next((m) => m.type === 'event');
    assert.deepEqual([a.seq, a.step, a.state], [two.seq, 'welcome', 'done']);
    assert.deepEqual([b.seq, b.step, b.state], [three.seq, 'your-own-pace', 'started']);
    await nothingArrives(again, (m) => m.type === 'event' || m.type === 'snapshot', 300, 'further event or snapshot');

    const current = await openSocket(daemon, ana);
    const upToDate = await ok(current, 'hello', { last_seq: three.seq });
    assert.equal(upToDate.sync, 'replay');
    await nothingArrives(current, (m) => m.type === 'event' || m.type === 'snapshot', 300, 'event for an up-to-date client');

    const ahead = await openSocket(daemon, ana);
    const beyond = await ok(ahead, 'hello', { last_seq: three.seq + 50 });
    assert.equal(beyond.sync, 'snapshot');
    const snapshot = await ahead.next((m) => m.type === 'snapshot');
    assert.equal(snapshot.seq, three.seq);
    const rows = snapshot.progress.map((row) => [row.track, row.step, row.state]).sort();
    assert.deepEqual(rows, [[l2l, 'welcome', 'done'], [l2l, 'your-own-pace', 'started']]);
    assert.ok(snapshot.progress.every((row) => typeof row.updated_at === 'number'));
    assert.deepEqual(ahead.inbox.filter((m) => m.type === 'event'), [], 'a snapshot comes without events');

    await refused(ahead, 'hello', { last_seq: -1 }, 'bad_value');
    closeAll(again, current, ahead);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('an acknowledged change survives kill -9', async () => {
  const first = await startDaemon({ config: NO_LIMIT });
  const dataDir = first.dataDir;
  let second = null;
  try {
    const { ana } = await people(first, { ana: 'learner' });
    const { socket } = await connect(first, ana);
    await ok(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    const reply = await ok(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'done' });
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(first.signal, 'SIGKILL');

    second = await startDaemon({ dataDir, config: NO_LIMIT });
    const carried = second.client();
    carried.cookie = ana.cookie;
    assert.equal((await carried.get('/api/me')).status, 200, 'the session cookie still works');
    const forged = second.client();
    forged.cookie = 'grounds_session=forged';
    assert.notEqual((await forged.get('/api/me')).status, 200);
    const fresh = second.client();
    const login = await fresh.post('/api/login', { handle: 'ana', password: 'correct horse battery' });
    assert.equal(login.status, 200, login.text);
    for (const client of [carried, fresh]) {
      const { socket: again, hello, sync } = await connect(second, client);
      assert.equal(hello.seq, reply.seq);
      const row = sync.progress.find((r) => r.track === 'learning-to-learn' && r.step === 'welcome');
      assert.ok(row, 'the snapshot has the step');
      assert.equal(row.state, 'done');
      closeAll(again);
    }
  } finally {
    if (first.exitCode === null && !first.signal) first.child.kill('SIGKILL');
    if (second) assert.equal(await second.stop(), 0);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('malformed messages get their error code; an oversized frame gets too_large and 1009', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const { socket } = await connect(daemon, ana);

    socket.send('{not json');
    assert.equal((await socket.next((m) => m.type === 'error')).code, 'bad_json');
    socket.send('[1, 2]');
    assert.equal((await socket.next((m) => m.type === 'error')).code, 'bad_json');
    await ok(socket, 'ping');

    const unknown = await refused(socket, 'progress.delete', {}, 'unknown_type');
    assert.ok(unknown.id > 0, 'the error echoes the id');
    const missing = await refused(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome' }, 'missing_field');
    assert.match(missing.message, /state/);
    await refused(socket, 'subscribe', {}, 'missing_field');
    await refused(socket, 'progress.set', { track: 7, step: 'welcome', state: 'started' }, 'bad_value');
    socket.send(JSON.stringify({ id: 99 }));
    const noType = await socket.next((m) => m.type === 'error' && m.id === 99);
    assert.equal(noType.code, 'missing_field');
    await ok(socket, 'ping');

    socket.send(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(300 * 1024) }));
    const tooLarge = await socket.next((m) => m.type === 'error');
    assert.equal(tooLarge.code, 'too_large');
    assert.equal((await socket.closed).code, 1009);

    assert.equal((await daemon.client().get('/healthz')).status, 200, 'the daemon carries on');
    const after = await connect(daemon, ana);
    await ok(after.socket, 'ping');
    closeAll(after.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('too many messages are rate limited without closing the connection', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 5\n' });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const { socket } = await connect(daemon, ana);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the burst again, after hello
    const ids = [];
    for (let i = 0; i < 30; i++) {
      const id = nextRequestId();
      ids.push(id);
      socket.send(JSON.stringify({ type: 'ping', id }));
    }
    const replies = [];
    for (let i = 0; i < 30; i++) replies.push(await socket.next((m) => m.type === 'ok' || m.type === 'error'));
    const oks = replies.filter((m) => m.type === 'ok');
    const limited = replies.filter((m) => m.type === 'error' && m.code === 'rate_limited');
    assert.equal(oks.length + limited.length, 30, JSON.stringify(replies));
    assert.ok(oks.length >= 1, 'the burst is served');
    assert.ok(limited.length >= 10, `most of the flood is refused (${limited.length} were)`);
    assert.ok(oks.every((m) => ids.includes(m.id)));
    assert.equal(socket.readyState, WebSocket.OPEN);

    await new Promise((resolve) => setTimeout(resolve, 1500));
    await ok(socket, 'ping');
    closeAll(socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

// Slow readers: a paused client in a room while another connection joins and
// leaves it as fast as it can. Long display names make each presence message
// large, so the kernel's socket buffers fill within a few thousand joins.
const SLOW_CONFIG = 'queue_messages = 16\nqueue_kib = 16\nmessages_per_second = 0\n';
const ROOM = 'room:learning-to-learn/welcome';
const FLOOD_OPS = 10000;

// Masked client text frames (each under 126 bytes), concatenated, to be
// written to the socket at once. Sent as separate writes, requests from a
// paused reader may still be unread when the daemon closes it, and the
// kernel then resets the connection instead (reported as a daemon bug).
function rawTextFrames(texts) {
  const parts = [];
  for (const text of texts) {
    const payload = Buffer.from(text);
    assert.ok(payload.length < 126);
    const mask = Buffer.from([0x5a, 0x17, 0xc3, 0x09]);
    parts.push(Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ mask[i % 4]));
  }
  return Buffer.concat(parts);
}

async function residentKiB(daemon) {
  const status = await readFile(`/proc/${daemon.child.pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s*(\d+)/)[1]);
}

// Two learners with 64-character (256-byte) display names: the slow one, in
// ROOM with a log of every message in order, and the writer.
async function slowReaderSetup(daemon) {
  const { admin1 } = await people(daemon, {});
  const clients = {};
  for (const handle of ['slowpoke', 'writer']) {
    const invite = await admin1.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    assert.equal(invite.status, 201);
    clients[handle] = await register(daemon, invite.json.code, handle, 'correct horse battery', '\u{1F41D}'.repeat(64));
  }
  const slow = await connect(daemon, clients.slowpoke);
  await ok(slow.socket, 'subscribe', { topic: ROOM });
  slow.log = [];
  slow.socket.on('message', (data) => slow.log.push(JSON.parse(data.toString())));
  const writer = await connect(daemon, clients.writer);
  return { slow, writer, clients };
}

// Joins and leaves ROOM ops times, a few pairs in flight; each pair publishes
// two presence messages to the room. The writer's own queue (16 messages)
// holds what a window sends back: per pair two replies and one presence.
async function floodRoom(writer, ops, window = 4) {
  const inFlight = [];
  for (let i = 0; i < ops; i++) {
    const join = nextRequestId();
    const leave = nextRequestId();
    writer.send(JSON.stringify({ type: 'subscribe', id: join, topic: ROOM }));
    writer.send(JSON.stringify({ type: 'unsubscribe', id: leave, topic: ROOM }));
    inFlight.push(writer.next((m) => m.id === leave));
    if (inFlight.length >= window || i === ops - 1) {
      for (const reply of await Promise.all(inFlight.splice(0))) assert.equal(reply.type, 'ok', JSON.stringify(reply));
      writer.inbox.length = 0;
    }
  }
}

test('a reader that stops reading is told to resync, memory stays bounded, and hello catches it up', async () => {
  const daemon = await startDaemon({ config: SLOW_CONFIG });
  try {
    const { slow, writer } = await slowReaderSetup(daemon);
    const before = await residentKiB(daemon);
    slow.socket._socket.pause();
    await floodRoom(writer.socket, FLOOD_OPS);
    const grown = (await residentKiB(daemon)) - before;
    // Held for the paused reader, the flood would be about 10 MiB. Under
    // AddressSanitizer freed memory is quarantined, so RSS says nothing there.
    if (!process.env.ASAN_OPTIONS) {
      assert.ok(grown < 3 * 1024, `the daemon grew by ${grown} KiB while a reader was paused`);
    }
    slow.socket._socket.resume();

    await slow.socket.next((m) => m.type === 'resync', 10000);
    const resyncAt = slow.log.findIndex((m) => m.type === 'resync');
    assert.ok(resyncAt > 0);
    assert.match(slow.log[resyncAt].message, /hello/);
    assert.ok(slow.log.length < FLOOD_OPS, `most of the ${2 * FLOOD_OPS} presence messages were dropped (got ${slow.log.length})`);

    // Until it says hello again it gets replies but no events.
    await floodRoom(writer.socket, 3);
    await ok(slow.socket, 'ping');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(slow.log.slice(resyncAt + 1).filter((m) => m.type === 'event'), [], 'no events after resync before hello');

    const hello = await ok(slow.socket, 'hello');
    assert.equal(hello.sync, 'snapshot');
    await slow.socket.next((m) => m.type === 'snapshot');
    await ok(writer.socket, 'subscribe', { topic: ROOM });
    const presence = await slow.socket.next(isEvent('presence', (m) => m.topic === ROOM && m.count === 2));
    assert.deepEqual(presence.peers.map((p) => p.handle).sort(), ['slowpoke', 'writer']);
    assert.equal(slow.socket.readyState, WebSocket.OPEN);
    assert.equal((await daemon.client().get('/healthz')).status, 200);
    const metrics = (await daemon.client().get('/metrics')).text;
    assert.match(metrics, /^grounds_ws_queue_resyncs_total [1-9]\d*$/m, 'the resync is counted on /metrics');
    closeAll(slow.socket, writer.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('a burst of requests past a small queue still gets every reply', async () => {
  const daemon = await startDaemon({ config: 'queue_messages = 8\nmessages_per_second = 0\n' });
  try {
    const { learner } = await people(daemon, { learner: 'learner' });
    const { socket } = await connect(daemon, learner);
    const steps = ['welcome', 'your-own-pace', 'ask-a-peer', 'how-reviews-work'];
    // One turn of the loop: four writes (each a reply and an event: the
    // queue of 8 is full) and two pings, whose replies must still be queued.
    const replies = [...steps.map((step) => call(socket, 'progress.set', { track: 'learning-to-learn', step, state: 'started' })),
      call(socket, 'ping'), call(socket, 'ping')];
    const answered = await within(Promise.all(replies), 10000, 'every reply');
    assert.deepEqual(answered.map((reply) => reply.type), Array(6).fill('ok'));
    // The events that did not fit were dropped for a resync, never the replies.
    const { socket: again, sync } = await connect(daemon, learner);
    assert.equal(sync.progress.length, 4);
    closeAll(socket, again);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('a reader that stops reading and keeps sending is closed with 1008', async () => {
  const daemon = await startDaemon({ config: SLOW_CONFIG });
  try {
    const { slow, writer, clients } = await slowReaderSetup(daemon);
    slow.socket._socket.pause();
    await floodRoom(writer.socket, FLOOD_OPS);
    // Behind already, it asks for twice what its queue holds, in one write:
    // the daemon reads all of it at once (see rawTextFrames).
    const pings = [];
    for (let i = 0; i < 32; i++) pings.push(JSON.stringify({ type: 'ping', id: nextRequestId() }));
    slow.socket._socket.write(rawTextFrames(pings));
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.socket._socket.resume();
    const closed = await within(slow.socket.closed, 10000, 'the slow reader to be closed');
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /not reading/);
    assert.ok(slow.log.length < FLOOD_OPS, `most of the ${2 * FLOOD_OPS} presence messages were dropped (got ${slow.log.length})`);

    assert.equal((await daemon.client().get('/healthz')).status, 200);
    await ok(writer.socket, 'ping');
    const again = await connect(daemon, clients.slowpoke);
    await ok(again.socket, 'ping');
    closeAll(writer.socket, again.socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('markdown.preview renders, without scripts or javascript: links', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const { socket } = await connect(daemon, ana);
    const reply = await ok(socket, 'markdown.preview', {
      body_md: '# Bees\n\nI like **bees**.\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) '
        + '[x](JaVaScRiPt:alert(2)) <a href="javascript:alert(3)">a</a> <img src=x onerror=alert(4)>\n',
    });
    assert.equal(typeof reply.html, 'string');
    assert.match(reply.html, /<strong>bees<\/strong>/);
    assert.doesNotMatch(reply.html, /<script/i);
    assert.doesNotMatch(reply.html, /javascript:/i);
    assert.doesNotMatch(reply.html, /<img[^>]*onerror/i);
    await refused(socket, 'markdown.preview', {}, 'missing_field');
    closeAll(socket);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
