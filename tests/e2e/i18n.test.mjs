// The translation tables of the web client (web/lang/CODE.js, and
// CODE-account.js, CODE-board.js and CODE-reviews.js of the modules loaded when needed): every language has every key, with the same
// {placeholders}, and every key the client names literally — t('key'),
// plural('key', n) — is in one of them. No daemon needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';

const WEB = new URL('../../web/', import.meta.url);

// web/ has no package.json saying "module", so a table is imported as text.
async function table(name) {
  const source = await readFile(new URL(`lang/${name}.js`, WEB), 'utf8');
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)).default;
}

const PARTS = ['', '-account', '-board', '-reviews'];

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

test('every language has the same keys and placeholders as English', async () => {
  const files = (await readdir(new URL('lang/', WEB))).sort();
  assert.deepEqual(files, ['en-account.js', 'en-board.js', 'en-reviews.js', 'en.js', 'nl-account.js', 'nl-board.js', 'nl-reviews.js', 'nl.js']);
  for (const part of PARTS) {
    const en = await table(`en${part}`);
    const nl = await table(`nl${part}`);
    assert.deepEqual(Object.keys(nl).sort(), Object.keys(en).sort(), `nl${part}: keys`);
    for (const key of Object.keys(en)) {
      assert.deepEqual(placeholders(nl[key]), placeholders(en[key]), `nl${part}: placeholders of ${key}`);
    }
  }
});

test('every key the client names literally is in the table', async () => {
  const en = Object.assign({}, ...await Promise.all(PARTS.map((part) => table(`en${part}`))));
  const files = (await readdir(WEB)).filter((file) => file.endsWith('.js'));
  for (const file of files) {
    const source = await readFile(new URL(file, WEB), 'utf8');
    for (const [, key] of source.matchAll(/\bt\('([^']+)'/g)) assert.ok(key in en, `${file}: t('${key}')`);
    for (const [, key] of source.matchAll(/\bplural\('([^']+)'/g)) {
      assert.ok(`${key}.one` in en && `${key}.other` in en, `${file}: plural('${key}')`);
    }
  }
});
