// The progress CSV of issue 6: GET /api/board.csv and `grounds export
// progress` give one row per learner of a cohort × step of a track, with the
// state and its timestamps, quoted as RFC 4180 says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCohorts, startDaemon, openSocket, people, register, runCli, ok } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const TRACK = 'learning-to-learn';
const HEADER = 'handle,display_name,track,step,step_title,state,started_at,finished_at,updated_at,coach_decision,coach,coach_note,coach_decided_at';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// RFC 4180 parsing: records of fields; every record must end in CRLF.
function parseCsv(text) {
  const records = [];
  let record = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        assert.ok(i < text.length, 'a quoted field is closed');
        if (text[i] === '"' && text[i + 1] === '"') { value += '"'; i += 2; }
        else if (text[i] === '"') { i++; break; }
        else value += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') value += text[i++];
    }
    record.push(value);
    if (text[i] === ',') { i++; continue; }
    assert.equal(text.slice(i, i + 2), '\r\n', `a record ends in CRLF at ${i}`);
    i += 2;
    records.push(record);
    record = [];
  }
  return records;
}

function inWindow(iso, from, to) {
  assert.match(iso, ISO);
  const ms = Date.parse(iso);
  assert.ok(ms >= Math.floor(from / 1000) * 1000 && ms <= to, `${iso} within the test`);
}

test('the progress CSV over HTTP and from the CLI', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const clients = await people(daemon, { coach1: 'coach', lena: 'learner', sam: 'learner' });
    const invite = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    assert.equal(invite.status, 201);
    await register(daemon, invite.json.code, 'quinn', 'correct horse battery', 'Quinn "Q", Jr.');
    await addCohorts(clients.admin1, 'spring');
    const other = await clients.admin1.post('/api/invites', { role: 'learner', cohort: 'spring' });
    await register(daemon, other.json.code, 'olga');

    const outline = await clients.coach1.get(`/api/tracks/${TRACK}`);
    assert.equal(outline.status, 200);
    const steps = outline.json.modules.flatMap((m) => m.steps);
    assert.ok(steps.length >= 3);

    const before = Date.now();
    const socket = await openSocket(daemon, clients.lena);
    const hello = await ok(socket, 'hello');
    if (hello.sync === 'snapshot') await socket.next((m) => m.type === 'snapshot');
    await ok(socket, 'progress.set', { track: TRACK, step: steps[0].id, state: 'started' });
    await ok(socket, 'progress.set', { track: TRACK, step: steps[0].id, state: 'done' });
    await ok(socket, 'progress.set', { track: TRACK, step: steps[1].id, state: 'started' });
    socket.close();
    const after = Date.now();

    const response = await clients.coach1.get(`/api/board.csv?cohort=autumn&track=${TRACK}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(response.headers['content-disposition'], `attachment; filename="progress-autumn-${TRACK}.csv"`);
    const records = parseCsv(response.text);
    assert.equal(records[0].join(','), HEADER);
    const rows = records.slice(1);
    const learners = ['lena', 'quinn', 'sam']; // by handle; not olga (spring), not the coach
    assert.equal(rows.length, learners.length * steps.length);
    rows.forEach((row, i) => {
      assert.equal(row.length, 13);
      assert.equal(row[0], learners[Math.floor(i / steps.length)]);
      assert.equal(row[2], TRACK);
      assert.equal(row[3], steps[i % steps.length].id, 'steps in outline order');
      assert.equal(row[4], steps[i % steps.length].title);
    });
    const lena = rows.filter((row) => row[0] === 'lena');
    assert.equal(lena[0][5], 'done');
    inWindow(lena[0][6], before, after);
    inWindow(lena[0][7], before, after);
    inWindow(lena[0][8], before, after);
    assert.equal(lena[1][5], 'started');
    inWindow(lena[1][6], before, after);
    assert.equal(lena[1][7], '');
    inWindow(lena[1][8], before, after);
    for (const row of rows.filter((r, i) => r[0] !== 'lena' || i >= 2)) {
      assert.deepEqual(row.slice(5), ['not_started', '', '', '', '', '', '', ''], row.join(','));
    }
    const quinn = rows.find((row) => row[0] === 'quinn');
    assert.equal(quinn[1], 'Quinn "Q", Jr.');
    assert.ok(response.text.includes('quinn,"Quinn ""Q"", Jr.",'), 'the display name is quoted');

    // Who may ask, and what a bad request gets.
    const learner = await clients.lena.get(`/api/board.csv?cohort=autumn&track=${TRACK}`);
    assert.equal(learner.status, 403);
    assert.equal(learner.json.error.code, 'forbidden');
    const nobody = await daemon.client().get(`/api/board.csv?cohort=autumn&track=${TRACK}`);
    assert.equal(nobody.status, 401);
    assert.equal(nobody.json.error.code, 'unauthenticated');
    const unknown = await clients.coach1.get('/api/board.csv?cohort=autumn&track=no-such-track');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'not_found');
    const noCohort = await clients.coach1.get(`/api/board.csv?track=${TRACK}`);
    assert.equal(noCohort.status, 400);
    assert.equal(noCohort.json.error.code, 'bad_value');
    assert.equal(noCohort.json.error.field, 'cohort');
    const noTrack = await clients.admin1.get('/api/board.csv?cohort=autumn');
    assert.equal(noTrack.status, 400);
    assert.equal(noTrack.json.error.field, 'track');
    const empty = await clients.admin1.get(`/api/board.csv?cohort=winter&track=${TRACK}`);
    assert.equal(empty.status, 200);
    assert.equal(empty.text, `${HEADER}\r\n`);

    // The operator's tool prints the same CSV.
    const cli = await runCli(['--data-dir', daemon.dataDir, 'export', 'progress', '--cohort', 'autumn', '--track', TRACK]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, response.text);
    const usage = await runCli(['--data-dir', daemon.dataDir, 'export', 'progress', '--cohort', 'autumn']);
    assert.equal(usage.code, 2);
    const missing = await runCli(['--data-dir', daemon.dataDir, 'export', 'progress', '--cohort', 'autumn', '--track', 'nope']);
    assert.equal(missing.code, 1);
  } finally {
    await daemon.stop();
  }
});
