// fakeboard.mjs - a coach's board at a training centre's full size, for the
// browser test of the board's rendering and tools/bench-board-page: the
// state board.get would give for N learners × S steps, and a page whose
// websocket to the real daemon passes everything through except board.get,
// which gets that state. Pushes can then be injected as if the daemon sent
// them.

// A board.get reply: learners l1..lN on steps s1..sS, the first half of the
// steps done by everyone, the rest spread; each learner at seq 5.
export function fakeBoard({ learners = 300, steps = 100, cohort = 'autumn', track = 'web-basics', now = Date.now() } = {}) {
  const hour = 3600000;
  const stepList = Array.from({ length: steps }, (_, i) => ({ id: `s${i + 1}`, title: `Step ${i + 1}`, reviews: i % 10 === 9 ? 2 : 0 }));
  const states = ['done', 'done', 'done', 'started', 'submitted', 'in_review', 'needs_work', 'passed'];
  const people = Array.from({ length: learners }, (_, n) => {
    const progress = {};
    const reached = Math.floor(steps / 2) + ((n * 7919) % Math.ceil(steps / 2));
    for (let i = 0; i < reached; i++) {
      const state = i < steps / 2 ? 'done' : states[(n + i) % states.length];
      const started = now - (reached - i) * 5 * hour;
      progress[`s${i + 1}`] = { state, started_at: started, finished_at: state === 'done' || state === 'passed' ? started + hour : 0, updated_at: started + hour };
    }
    return { handle: `l${n + 1}`, display_name: `Learner ${n + 1}`, seq: 5, online: n % 3 === 0, here: n % 3 === 0 ? `s${reached}` : null,
      last_activity: now - (n % 50) * hour, given: n % 7, received: n % 5, progress };
  });
  const weeks = Array.from({ length: 12 }, (_, i) => ({ week: new Date(now - (11 - i) * 7 * 86400000).toISOString().slice(0, 10), active: (i * 37) % learners }));
  const attention = people.slice(0, 20).map((p, i) => ({ user: p.handle, kind: i % 2 ? 'inactive' : 'stuck', since: now - i * hour, ...(i % 2 ? {} : { step: 's60' }) }));
  return { cohort, track, now, steps: stepList, learners: people, weeks, attention, help: [] };
}

// Routes the page's /ws to the daemon, answering board.get with board.
// inject(message) pushes a message to the page's latest websocket, as if
// the daemon had sent it.
export async function routeBoard(page, board) {
  let latest = null;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    latest = ws;
    ws.onMessage((message) => {
      const data = JSON.parse(message);
      if (data.type === 'board.get') ws.send(JSON.stringify({ type: 'ok', id: data.id, ...board }));
      else server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  return {
    inject(message) {
      if (!latest) throw new Error('the page has no websocket yet');
      latest.send(JSON.stringify(message));
    },
  };
}
