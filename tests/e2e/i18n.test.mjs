// The translation tables of the web client (web/lang/CODE.js, and the
// CODE-PART.js of the modules loaded when needed): every English table has
// a Dutch one and the other way round, with the same keys and
// {placeholders}; every key the client names literally — t('key'),
// plural('key', n) — is in one of them; every error the server can send
// (the one table in daemon/protocol/errors.c, which every error name in the
// C sources must be in) has English and Dutch words and a row in
// docs/protocol.md or docs/api.md with its parameters; and Dutch says
// "deelnemer" for a learner, always. No daemon needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';

const ROOT = new URL('../../', import.meta.url);
const WEB = new URL('web/', ROOT);

// web/ has no package.json saying "module", so a table is imported as text.
async function table(name) {
  const source = await readFile(new URL(`lang/${name}.js`, WEB), 'utf8');
  return (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)).default;
}

// The parts of the tables: '' for lang/en.js, '-board' for lang/en-board.js ...
async function parts(code) {
  const files = (await readdir(new URL('lang/', WEB))).filter((file) => new RegExp(`^${code}(-[a-z-]+)?\\.js$`).test(file));
  return files.map((file) => file.slice(code.length, -3)).sort();
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

test('every English table has a Dutch one with the same keys and placeholders', async () => {
  const en = await parts('en');
  assert.deepEqual(await parts('nl'), en, 'lang/nl*.js vs lang/en*.js');
  assert.ok(en.includes('') && en.includes('-errors'), 'the main table and the errors table');
  for (const part of en) {
    const english = await table(`en${part}`);
    const dutch = await table(`nl${part}`);
    assert.deepEqual(Object.keys(dutch).sort(), Object.keys(english).sort(), `nl${part}: keys`);
    for (const key of Object.keys(english)) {
      assert.deepEqual(placeholders(dutch[key]), placeholders(english[key]), `nl${part}: placeholders of ${key}`);
      assert.ok(dutch[key].trim(), `nl${part}: ${key} is empty`);
    }
  }
});

test('every key the client names literally is in the table', async () => {
  const en = Object.assign({}, ...await Promise.all((await parts('en')).map((part) => table(`en${part}`))));
  const files = (await readdir(WEB)).filter((file) => file.endsWith('.js'));
  for (const file of files) {
    const source = await readFile(new URL(file, WEB), 'utf8');
    for (const [, key] of source.matchAll(/\bt\('([^']+)'/g)) assert.ok(key in en, `${file}: t('${key}')`);
    for (const [, key] of source.matchAll(/\bplural\('([^']+)'/g)) {
      assert.ok(`${key}.one` in en && `${key}.other` in en, `${file}: plural('${key}')`);
    }
  }
});

// The rows of daemon/protocol/errors.c: { "name", "code" | NULL, "parameters" }.
async function errorRows() {
  const source = await readFile(new URL('daemon/protocol/errors.c', ROOT), 'utf8');
  const rows = [...source.matchAll(/^\s*\{ "(\w+)", (?:"(\w+)"|NULL), "([\w ]*)" \},$/gm)]
    .map(([, name, code, parameters]) => ({ name, code: code || name, parameters: parameters.split(' ').filter(Boolean) }));
  assert.ok(rows.length >= 40, `the rows of errors.c were read (${rows.length})`);
  return rows;
}

// Every C source file under daemon/, as text.
async function cSources() {
  const out = [];
  for (const folder of ['core', 'domain', 'store', 'tracks', 'protocol', 'services', 'net']) {
    const dir = new URL(`daemon/${folder}/`, ROOT);
    for (const file of await readdir(dir)) {
      if (file.endsWith('.c')) out.push([`${folder}/${file}`, await readFile(new URL(file, dir), 'utf8')]);
    }
  }
  return out;
}

test('every error name the daemon sends is a row of protocol/errors.c', async () => {
  const names = new Set((await errorRows()).map((row) => row.name));
  const codes = new Set((await errorRows()).filter((row) => row.code === row.name).map((row) => row.name));
  let seen = 0;
  for (const [file, source] of await cSources()) {
    const calls = [
      /gr_protocol_fail\(\s*&?[\w>.-]+,\s*"(\w+)"/g, // gr_protocol_fail(out, "name", ...)
      /gr_protocol_fail\(\s*&?[\w>.-]+,\s*[^;]*?\?\s*"(\w+)"\s*:\s*"(\w+)"/g, // a choice of two
      /gr_protocol_error\([^,]+,\s*"(\w+)"/g,
      /gr_protocol_reply_error\([^;]*?,\s*"(\w+)",/g,
      /gr_live_send_error\([^;]*?,\s*"(\w+)",/g,
      /reply_error\(call,\s*\d+,\s*"(\w+)"/g,
      /reply_error\(call,\s*\d+,\s*rc == \w+ \? "(\w+)"\s*: rc == \w+\s*\? "(\w+)"\s*: "(\w+)"/g,
      /\{ GR_E\w+, \d+, "(\w+)" \}/g, // net/api.c's status_map
      /\{ GR_E\w+, "(\w+)", "/g, // protocol.c's fail_status
    ];
    for (const pattern of calls) {
      for (const match of source.matchAll(pattern)) {
        for (const name of match.slice(1).filter(Boolean)) {
          seen++;
          assert.ok(names.has(name), `${file}: "${name}" is not in daemon/protocol/errors.c`);
        }
      }
    }
    for (const [, name] of source.matchAll(/gr_protocol_fail\(\s*&?[\w>.-]+,\s*(?!")(\w+)/g)) {
      assert.ok(['requires', 'state', 'track', 'spec', 'codes', 'code'].includes(name), `${file}: a name not written out: ${name}`);
    }
  }
  assert.ok(seen > 100, `error names found in the sources (${seen})`);
  assert.ok(codes.has('not_found') && codes.has('conflict'));
});

test('every error has English and Dutch words that use only its parameters', async () => {
  const en = await table('en-errors');
  const nl = await table('nl-errors');
  for (const row of await errorRows()) {
    for (const [language, words] of [['en', en], ['nl', nl]]) {
      const text = words[`error.${row.name}`];
      assert.ok(text, `lang/${language}-errors.js lacks error.${row.name}`);
      // {wait} is the client's wording of retry_after.
      const known = new Set([...row.parameters, ...(row.parameters.includes('retry_after') ? ['wait'] : [])]);
      for (const name of placeholders(text)) assert.ok(known.has(name), `error.${row.name} (${language}) uses {${name}}, not a parameter`);
    }
  }
  assert.ok(en['error.unknown'] && nl['error.unknown'], 'the words for a code this client does not know');
});

test('docs/protocol.md and docs/api.md list every error with its parameters', async () => {
  const docs = (await readFile(new URL('docs/protocol.md', ROOT), 'utf8')) + (await readFile(new URL('docs/api.md', ROOT), 'utf8'));
  for (const row of await errorRows()) {
    const lines = docs.split('\n').filter((line) => line.startsWith(`| \`${row.name}\` |`));
    assert.ok(lines.length, `no row for ${row.name} in docs/protocol.md or docs/api.md`);
    if (row.code !== row.name) assert.ok(lines.some((line) => line.includes(`| \`${row.code}\` |`)), `${row.name}: its code ${row.code}`);
    for (const parameter of row.parameters) {
      assert.ok(lines.some((line) => line.includes(`\`${parameter}\``)), `${row.name}: its parameter ${parameter}`);
    }
  }
});

test('Dutch has one word for a learner: deelnemer', async () => {
  for (const part of await parts('nl')) {
    const dutch = await table(`nl${part}`);
    for (const [key, text] of Object.entries(dutch)) {
      assert.doesNotMatch(text, /leerling|cursist|lerende/i, `nl${part}: ${key}`);
    }
  }
  assert.equal((await table('nl'))['role.learner'], 'deelnemer');
});

test('no sentence tells a learner to ask an admin, and none repeats itself', async () => {
  for (const code of ['en', 'nl']) {
    for (const part of await parts(code)) {
      for (const [key, text] of Object.entries(await table(`${code}${part}`))) {
        if (!/^(board|coach)\./.test(key) && key !== 'error.not_your_cohort' && key !== 'error.address_not_allowed') {
          assert.doesNotMatch(text, /ask an admin|vraag (een|de) beheerder/i, `${code}${part}: ${key}`);
        }
        const sentences = text.split(/(?<=[.!?])\s+/).filter((sentence) => sentence.length > 12);
        assert.equal(new Set(sentences).size, sentences.length, `${code}${part}: ${key} repeats a sentence`);
      }
    }
  }
});
