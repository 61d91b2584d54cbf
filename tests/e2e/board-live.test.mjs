// A board that never goes stale, over /ws (docs/protocol.md, "Board
// pushes"): a learner's presence counts their connections (two tabs, one
// closed: still online and still on the step; both closed: gone), and a
// learner who joins the cohort reaches the board at once, before any
// progress: with an invite, or moved in by the operator's tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { addCohorts, startDaemon, people, register, ok, connect, runCli } from '../lib/daemon.mjs';

const TRACK = 'web-basics';
const STEP = 'first-page';
const BOARD = `board:autumn/${TRACK}`;

async function trackLoaded(client) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${TRACK}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${TRACK} was never served`);
}

const presenceOf = (user) => (m) => m.event === 'presence' && m.topic === undefined && m.user === user;
const closed = (socket) => { socket.close(); return socket.closed; };

test('presence on a board counts connections: one of two tabs closed keeps the learner there', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  const sockets = [];
  try {
    const clients = await people(daemon, { lena: 'learner', kim: 'coach' });
    await trackLoaded(clients.lena);
    const board = await connect(daemon, clients.kim);
    sockets.push(board);
    await ok(board, 'subscribe', { topic: BOARD });
    const tab1 = await connect(daemon, clients.lena);
    sockets.push(tab1);
    assert.equal((await board.next(presenceOf('lena'))).online, true, 'the first tab: online');
    const tab2 = await connect(daemon, clients.lena);
    sockets.push(tab2);
    await ok(tab1, 'subscribe', { topic: `room:${TRACK}/${STEP}` });
    await ok(tab2, 'subscribe', { topic: `room:${TRACK}/${STEP}` });
    const got = await ok(board, 'board.get', { cohort: 'autumn', track: TRACK });
    const row = got.learners.find((l) => l.handle === 'lena');
    assert.equal(row.online, true);
    assert.equal(row.here, STEP);
    board.inbox.length = 0;

    await closed(tab1);
    const after = await board.next(presenceOf('lena'));
    assert.equal(after.step, STEP, 'the other tab is still on the step');
    assert.equal(after.online, true, 'and lena still online');
    await closed(tab2);
    const gone = await board.next(presenceOf('lena'));
    assert.equal(gone.step, null);
    assert.equal(gone.online, false);
    const offline = await board.next(presenceOf('lena'));
    assert.equal(offline.online, false);
    const again = await ok(board, 'board.get', { cohort: 'autumn', track: TRACK });
    assert.equal(again.learners.find((l) => l.handle === 'lena').online, false);
  } finally {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.close();
    await daemon.stop();
  }
});

test('a learner who joins reaches the board before any progress: by invite and by grounds user cohort', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  let board;
  try {
    const clients = await people(daemon, { kim: 'coach', lena: 'learner' });
    await trackLoaded(clients.kim);
    board = await connect(daemon, clients.kim);
    await ok(board, 'subscribe', { topic: BOARD });
    const invite = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    await register(daemon, invite.json.code, 'noor', 'correct horse battery', 'Noor');
    const joined = await board.next((m) => m.event === 'member.joined' && m.user === 'noor', 5000);
    assert.equal(joined.topic, BOARD);
    assert.equal(joined.display_name, 'Noor');
    assert.equal(joined.track, TRACK);

    await addCohorts(clients.admin1, 'spring');
    const other = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'spring' });
    await register(daemon, other.json.code, 'omar');
    const moved = await runCli(['--data-dir', daemon.dataDir, 'user', 'cohort', 'omar', 'autumn']);
    assert.equal(moved.code, 0, moved.stderr);
    const omar = await board.next((m) => m.event === 'member.joined' && m.user === 'omar', 5000);
    assert.equal(omar.topic, BOARD);
    const got = await ok(board, 'board.get', { cohort: 'autumn', track: TRACK });
    assert.deepEqual(got.learners.map((l) => l.handle).sort(), ['lena', 'noor', 'omar']);
  } finally {
    if (board && board.readyState === WebSocket.OPEN) board.close();
    await daemon.stop();
  }
});
