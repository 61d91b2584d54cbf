// A reflection step in the web client, in English and in Dutch: the step says
// it is a reflection, its form is "Your reflection"; the peer who reads it
// answers "Reflected" or "Keep going" (never pass or fail on the page); the
// author sees the response arrive live under "My reflection"; her coach
// finds it from the board's link to the group's reflections and comments,
// and the comment shows under "My reflection" too. No serious
// accessibility violation at 360 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, people, openSocket, ok } from '../lib/daemon.mjs';
import { launch, newPage, signInAs } from '../lib/browser.mjs';
import { scanned, dutch as switchToDutch } from '../lib/centre.mjs';

const STEP = 'working-in-a-team';

let daemon;
let browser;
let clients;
const sockets = {};
before(async () => {
  daemon = await startDaemon({ config: 'messages_per_second = 0\n' });
  browser = await launch();
  clients = await people(daemon, { ana: 'learner', bob: 'learner', cai: 'learner', dan: 'learner', kim: 'coach' });
  for (const track of ['soft-skills', 'soft-skills-nl']) {
    for (let i = 0; i < 400 && (await clients.ana.get(`/api/tracks/${track}`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  for (const who of ['ana', 'bob', 'cai', 'dan', 'kim']) {
    sockets[who] = await openSocket(daemon, clients[who]);
    await ok(sockets[who], 'hello');
  }
});
after(async () => {
  for (const socket of Object.values(sockets)) socket.close();
  await browser?.close();
  assert.equal(await daemon.stop(), 0, daemon.stderr);
});

async function ready(who, track) {
  await ok(sockets[who], 'progress.set', { track, step: 'what-soft-skills-are', state: 'started' });
  await ok(sockets[who], 'progress.set', { track, step: 'what-soft-skills-are', state: 'done' });
  await ok(sockets[who], 'progress.set', { track, step: STEP, state: 'started' });
}

async function signIn(handle, dutch) {
  const page = await newPage(browser);
  await signInAs(page, daemon, handle);
  if (dutch) await switchToDutch(page);
  return page;
}

// The words of each language for the whole walk.
const WORDS = {
  en: { track: 'soft-skills', kind: 'Reflection', form: 'Your reflection', share: 'Share your reflection', mine: 'My reflection',
    waiting: 'Waiting for a peer to read it', reflected: 'Reflected', keepGoing: 'Keep going', done: 'Reflected — thank you for sharing!',
    response: 'Response: Reflected', coach: 'From your coach', send: 'Send review', body: 'What you noticed',
    yourComment: 'Your comment', sendComment: 'Send comment', commentSent: 'Your comment was sent.' },
  nl: { track: 'soft-skills-nl', kind: 'Reflectie', form: 'Jouw reflectie', share: 'Deel je reflectie', mine: 'Mijn reflectie',
    waiting: 'Wacht tot een andere deelnemer het leest', reflected: 'Gereflecteerd', keepGoing: 'Ga nog even door',
    done: 'Gereflecteerd — dank je wel voor het delen!', response: 'Reactie: Gereflecteerd', coach: 'Van je coach',
    send: 'Review versturen', body: 'Wat je merkte',
    yourComment: 'Jouw reactie', sendComment: 'Reactie versturen', commentSent: 'Je reactie is verstuurd.' },
};

for (const [lang, words] of Object.entries(WORDS)) {
  const [author, reader] = lang === 'en' ? ['ana', 'bob'] : ['cai', 'dan'];
  test(`a reflection step, read by a peer and commented on by a coach (${lang})`, async () => {
    await ready(author, words.track);
    await ready(reader, words.track);
    const page = await signIn(author, lang === 'nl');
    await page.goto(`${daemon.url}/tracks/${words.track}/steps/${STEP}`);
    await page.locator('#submission-form').waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(words.kind));
    assert.equal(await page.locator('#work-title').innerText(), words.form);
    await page.getByLabel(words.body, { exact: false }).fill('When Sam and I looked for a bug, I *listened* first.');
    await page.getByRole('button', { name: words.share }).click();
    await page.locator('#my-submission:not([hidden])').waitFor();
    assert.equal(await page.locator('#mine-title').innerText(), words.mine);
    await page.locator('#mine-state', { hasText: words.waiting }).waitFor();
    await scanned(page, `a reflection handed in (${lang})`);

    // The reader hands in theirs, and reads the author's: supportive words, same review.
    await ok(sockets[reader], 'submission.create', { track: words.track, step: STEP, body_md: 'I explained cd to a peer.' });
    const assignment = (await sockets[reader].next((m) => m.event === 'review.assigned')).assignment;
    const readerPage = await signIn(reader, lang === 'nl');
    await readerPage.goto(`${daemon.url}/reviews/${assignment}`);
    await readerPage.locator('#review-form').waitFor();
    const form = await readerPage.locator('#review-form').innerText();
    assert.match(form, new RegExp(words.reflected));
    assert.match(form, new RegExp(words.keepGoing));
    assert.doesNotMatch(form, /\b(Pass|Needs work|Goed|Moet beter)\b/, 'no pass or fail words on a reflection');
    await scanned(readerPage, `reading a reflection (${lang})`);
    await readerPage.getByLabel(words.reflected).check();
    await readerPage.getByRole('button', { name: words.send }).click();
    await readerPage.locator('#review-given').waitFor();
    assert.match(await readerPage.locator('#review-given').innerText(), new RegExp(words.reflected));
    assert.deepEqual(readerPage.problems, []);
    await readerPage.context().close();

    // The author sees the response live, then the coach's comment.
    await page.locator('#mine-state', { hasText: words.done }).waitFor();
    assert.match(await page.locator('#mine-reviews').innerText(), new RegExp(words.response));
    // The coach finds the reflection from the board, and comments.
    const work = (await ok(sockets[author], 'submission.get', { track: words.track, step: STEP })).submission;
    const coach = await signIn('kim', lang === 'nl');
    await coach.goto(`${daemon.url}/board/autumn/${words.track}`);
    await coach.locator('#board-reflections').click();
    const card = coach.locator(`article[data-submission="${work}"]`);
    await card.waitFor();
    assert.match(await card.innerText(), /listened/);
    await scanned(coach, `a group's reflections (${lang})`);
    await card.getByLabel(words.yourComment).fill('Listening first: well done.');
    await card.getByRole('button', { name: words.sendComment }).click();
    await card.locator('[role=status]', { hasText: words.commentSent }).waitFor();
    assert.match(await card.locator('.comments').innerText(), /Listening first: well done\./);
    assert.deepEqual(coach.problems, []);
    await coach.context().close();
    await page.locator('#mine-comments:not([hidden])').waitFor();
    const comments = await page.locator('#mine-comments').innerText();
    assert.match(comments, new RegExp(words.coach));
    assert.match(comments, /Listening first: well done\./);
    assert.match(comments, /kim/);
    assert.doesNotMatch(await page.locator('main').innerText(), /\b(Passed|Needs work|Goedgekeurd|Moet beter)\b/);
    await scanned(page, `a reflection with a coach's comment (${lang})`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}
