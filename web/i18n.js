// i18n.js - the client's words in the reader's language. The strings are in
// lang/CODE.js, one table per language; only the one in use is loaded, by
// setLanguage() before the first page and on each switch. The strings of a
// module loaded when needed (lang/CODE-board.js, lang/CODE-reviews.js) come
// with it, through addStrings(), and lang/CODE-errors.js with the first
// error. Pages then call t(key, {name: value}) synchronously. Numbers,
// dates and plurals follow the page's language too.

export const languages = { en: 'English', nl: 'Nederlands' };

const SAVED = 'grounds.language'; // localStorage: the reader's choice

function initialLanguage() {
  let saved = null;
  try { saved = localStorage.getItem(SAVED); } catch { /* storage off */ }
  if (saved in languages) return saved;
  const preferred = (navigator.language || 'en').slice(0, 2);
  return preferred in languages ? preferred : 'en';
}

let current = initialLanguage();
let strings = {}; // the tables of `current`, once loaded, in one
let wanted = current; // the language asked for last
const parts = ['']; // which tables: '' the main one, then those modules asked for
let partsChanged = 0; // counts changes of parts, so a switch sees one made while it loaded

const load = async (code, part) => (await import(`./lang/${code}${part ? `-${part}` : ''}.js`)).default;

export function language() {
  return current;
}

// Loads a language's table and makes it the one in use (remembered on this
// device when the reader chose it). Without a code: the initial language.
export async function setLanguage(code = current, remember = code !== current) {
  if (!(code in languages)) return;
  wanted = code;
  let tables;
  let seen;
  do { // a module's table asked for while these loaded is loaded too
    seen = partsChanged;
    tables = await Promise.all(parts.map((part) => load(code, part)));
    if (wanted !== code) return; // another switch came after this one
  } while (seen !== partsChanged);
  strings = Object.assign({}, ...tables);
  current = code;
  document.documentElement.lang = code;
  if (remember) {
    try { localStorage.setItem(SAVED, code); } catch { /* not remembered */ }
  }
}

// Adds a module's own strings (lang/CODE-PART.js), kept across switches;
// who asks while they load waits for the same loading.
const adding = {};
export function addStrings(part) {
  adding[part] ||= add(part).catch((error) => {
    delete adding[part]; // asked for again next time
    throw error;
  });
  return adding[part];
}

async function add(part) {
  parts.push(part);
  partsChanged++;
  const code = current;
  const table = await load(code, part).catch((error) => {
    parts.splice(parts.indexOf(part), 1);
    partsChanged++;
    throw error;
  });
  if (code === current) Object.assign(strings, table);
  else await setLanguage(current, false); // switched meanwhile: all tables again
}

// Dates and numbers as the page's language writes them (day-month in English too).
const LOCALES = { en: 'en-GB', nl: 'nl-NL' };
const locale = () => LOCALES[current];
export const formatNumber = (n, options) => new Intl.NumberFormat(locale(), options).format(n);
export const formatDate = (ms, options = { dateStyle: 'medium' }) => new Intl.DateTimeFormat(locale(), options).format(ms);
export const has = (key) => key in strings;

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (vars[name] === undefined ? match
    : typeof vars[name] === 'number' ? formatNumber(vars[name]) : String(vars[name])));
}

// The text for a count: key.zero for 0 when there is one, else key.one or
// key.other by the language's plural rules.
export function plural(key, count, vars = {}) {
  if (count === 0 && strings[`${key}.zero`]) return t(`${key}.zero`, { count, ...vars });
  const form = new Intl.PluralRules(locale()).select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { count, ...vars });
}

// "in 3 hours", "5 minutes ago": the time `ms` seen from `now`.
export function relativeTime(ms, now = Date.now()) {
  const minutes = (ms - now) / 60000;
  const [n, unit] = Math.abs(minutes) < 60 ? [minutes, 'minute'] : Math.abs(minutes) < 2160 ? [minutes / 60, 'hour'] : [minutes / 1440, 'day'];
  return new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' }).format(Math.round(n), unit);
}
