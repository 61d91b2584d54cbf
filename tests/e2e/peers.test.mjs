// Peers' work after passing, over /ws (docs/protocol.md, "Peers' work after
// passing"): a cohort of three submits the project; ana's and bob's work
// pass, cai's waits. cai sees nothing of it (no spoilers); bob reads only
// what ana shared, without her name until she names herself; he thanks her
// once; her withdrawal hides the work at once; a coach reads it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, people, ok, refused, connect } from '../lib/daemon.mjs';

const TRACK = 'web-basics';
const STEPS = ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout'];
const PROJECT = { track: TRACK, step: 'project' };

async function trackLoaded(client) {
  for (let i = 0; i < 400; i++) {
    if ((await client.get(`/api/tracks/${TRACK}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${TRACK} was never served`);
}

async function submitProject(socket, n) {
  for (const step of STEPS) {
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step, state: 'done' });
  }
  await ok(socket, 'progress.set', { ...PROJECT, state: 'started' });
  const reply = await ok(socket, 'submission.create', { ...PROJECT, body_md: `# Work number ${n}\n\nA *page*.`, link: `https://example.org/w${n}` });
  return reply.submission.id;
}

// The reviewer passes the work whose link is link.
async function pass(socket, link) {
  const { assignments } = await ok(socket, 'review.list');
  for (const a of assignments.filter((x) => x.state === 'assigned')) {
    const work = await ok(socket, 'review.get', { assignment: a.assignment });
    if (work.link !== link) continue;
    await ok(socket, 'review.submit', { assignment: a.assignment, verdict: 'pass', checks: work.rubric.map(() => true), comment_md: 'Good.' });
    return;
  }
  throw new Error(`no assignment on ${link}`);
}

test('peers read passed work only after passing, anonymous unless named, thank once, and a withdrawal hides it', async () => {
  const daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  const sockets = {};
  try {
    const clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner', kim: 'coach' });
    await trackLoaded(clients.ana);
    for (const who of ['ana', 'bob', 'cai', 'kim']) sockets[who] = await connect(daemon, clients[who]);
    const work = { ana: await submitProject(sockets.ana, 1), bob: await submitProject(sockets.bob, 2), cai: await submitProject(sockets.cai, 3) };
    await pass(sockets.bob, 'https://example.org/w1');
    await pass(sockets.cai, 'https://example.org/w1');
    await pass(sockets.ana, 'https://example.org/w2');
    await pass(sockets.cai, 'https://example.org/w2');
    await sockets.ana.next((m) => m.event === 'progress' && m.state === 'passed');

    // Not passed: refused, whatever is shared; and nobody shares work that did not pass.
    await refused(sockets.cai, 'peers.list', PROJECT, 'forbidden');
    await refused(sockets.cai, 'submission.share', { submission: work.cai, share: 'named' }, 'conflict');
    await refused(sockets.bob, 'submission.share', { submission: work.ana, share: 'named' }, 'forbidden');

    // Passed: sees only what is shared, at first nothing.
    let list = await ok(sockets.bob, 'peers.list', PROJECT);
    assert.deepEqual(list.peers, []);
    assert.deepEqual(list.mine, { submission: work.bob, share: 'none', thanks: 0 });
    await ok(sockets.ana, 'submission.share', { submission: work.ana, share: 'anonymous' });
    await refused(sockets.cai, 'peers.list', PROJECT, 'forbidden');
    list = await ok(sockets.bob, 'peers.list', PROJECT);
    assert.equal(list.peers.length, 1);
    const [seen] = list.peers;
    assert.equal(seen.submission, work.ana);
    assert.equal(seen.author, null, 'anonymous: no author');
    assert.match(seen.body_html, /<h1>Work number 1<\/h1>/);
    assert.equal(seen.link, 'https://example.org/w1');
    assert.ok(!JSON.stringify(list).includes('ana'), `nothing names ana: ${JSON.stringify(list)}`);

    // Thanked once: a second thank-you counts nothing, and ana is told once.
    assert.equal((await ok(sockets.bob, 'submission.thank', { submission: work.ana })).thanks, 1);
    const event = await sockets.ana.next((m) => m.event === 'submission.thanked');
    assert.equal(event.submission, work.ana);
    assert.equal(event.thanks, 1);
    assert.equal((await ok(sockets.bob, 'submission.thank', { submission: work.ana })).thanks, 1);
    await refused(sockets.ana, 'submission.thank', { submission: work.ana }, 'forbidden');
    await refused(sockets.cai, 'submission.thank', { submission: work.ana }, 'forbidden');
    assert.equal((await ok(sockets.ana, 'peers.list', PROJECT)).mine.thanks, 1, 'ana sees how many thanked her');
    assert.equal((await ok(sockets.bob, 'peers.list', PROJECT)).peers[0].thanked, true);

    // With her name; a coach reads it too.
    await ok(sockets.ana, 'submission.share', { submission: work.ana, share: 'named' });
    const coach = await ok(sockets.kim, 'peers.list', PROJECT);
    assert.deepEqual(coach.peers.map((p) => p.author && p.author.handle), ['ana']);
    assert.equal(coach.mine, null);

    // Withdrawn: gone at once, for readers and thanks alike.
    await ok(sockets.ana, 'submission.share', { submission: work.ana, share: 'none' });
    assert.deepEqual((await ok(sockets.bob, 'peers.list', PROJECT)).peers, []);
    assert.deepEqual((await ok(sockets.kim, 'peers.list', PROJECT)).peers, []);
    await refused(sockets.bob, 'submission.thank', { submission: work.ana }, 'not_found');
    assert.equal((await ok(sockets.ana, 'peers.list', PROJECT)).mine.share, 'none');
    assert.ok(sockets.ana.inbox.every((m) => m.event !== 'submission.thanked'), 'one thank-you, one event');
  } finally {
    for (const socket of Object.values(sockets)) if (socket.readyState === WebSocket.OPEN) socket.close();
    await daemon.stop();
  }
});

