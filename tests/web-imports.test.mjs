// The web client's modules import one another without a circle: every
// `import … from './x.js'`, `export … from './x.js'` and `import('./x.js')`
// in web/ is an edge, and the graph they make must be a tree (a DAG), so
// shared helpers and state live in modules that import none of the pages.
// A specifier that is not a string (`import(`./lang/${code}.js`)`) names no
// module of its own and is not an edge. The scanner skips comments, strings
// and regular expressions, so an import mentioned in them is not one.
// No daemon or browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));

// After these tokens a '/' starts a regular expression, not a division.
const BEFORE_REGEX = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^',
  '=>', 'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

// The tokens of a module's source: {type: 'name' | 'string' | 'template' |
// 'punct', value}. Comments and regular expressions are dropped; a template
// literal is one token (the code inside its ${…} is scanned too).
export function tokens(source) {
  const out = [];
  const braces = []; // per open '{' or '${': whether it is a template's
  let i = 0;
  const last = () => out[out.length - 1];
  const template = () => { // from just after '`' or the '}' of a ${…}
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') i++;
      else if (source[i] === '$' && source[i + 1] === '{') {
        braces.push(true);
        i += 2;
        return;
      }
      i++;
    }
    i++;
    out.push({ type: 'template' });
  };
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith('//', i)) {
      i = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    } else if (source.startsWith('/*', i)) {
      i = source.indexOf('*/', i + 2) === -1 ? source.length : source.indexOf('*/', i + 2) + 2;
    } else if (c === '"' || c === "'") {
      let value = '';
      for (i++; i < source.length && source[i] !== c; i++) value += source[i] === '\\' ? source[++i] : source[i];
      i++;
      out.push({ type: 'string', value });
    } else if (c === '`') {
      i++;
      template();
    } else if (c === '}' && braces.length && braces[braces.length - 1]) {
      braces.pop();
      i++;
      template();
    } else if (c === '/' && (!last() || (last().type === 'punct' || last().type === 'name') && BEFORE_REGEX.has(last().value))) {
      let inClass = false;
      for (i++; i < source.length && (inClass || source[i] !== '/'); i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
      }
      for (i++; /\w/.test(source[i] || ''); i++); // its flags
    } else if (/[\w$]/.test(c)) {
      const start = i;
      while (i < source.length && /[\w$]/.test(source[i])) i++;
      out.push({ type: 'name', value: source.slice(start, i) });
    } else {
      const punct = source.startsWith('=>', i) ? '=>' : c;
      if (c === '{') braces.push(false);
      else if (c === '}') braces.pop();
      i += punct.length;
      out.push({ type: 'punct', value: punct });
    }
  }
  return out;
}

// What a module imports: the specifiers of its static imports and
// re-exports and of its dynamic imports with a string, in order.
export function importsOf(source) {
  const list = tokens(source);
  const found = [];
  const is = (k, type, value) => list[k] && list[k].type === type && (value === undefined || list[k].value === value);
  for (let k = 0; k < list.length; k++) {
    if (!is(k, 'name', 'import') && !is(k, 'name', 'export')) continue;
    if (is(k - 1, 'punct', '.')) continue; // a property named so
    if (is(k, 'name', 'import') && is(k + 1, 'punct', '(')) { // import('./x.js')
      if (is(k + 2, 'string') && (is(k + 3, 'punct', ')') || is(k + 3, 'punct', ','))) found.push(list[k + 2].value);
      continue;
    }
    if (is(k, 'name', 'import') && is(k + 1, 'string')) { // import './x.js'
      found.push(list[k + 1].value);
      continue;
    }
    // import a, { b as c } from './x.js'; import * as d from …; export { e } from …; export * from …
    let j = k + 1;
    if (is(k, 'name', 'export') && !is(j, 'punct', '{') && !is(j, 'punct', '*')) continue;
    while (list[j] && (list[j].type === 'name' ? list[j].value !== 'from' : ['{', '}', ',', '*'].includes(list[j].value))) j++;
    if (is(j, 'name', 'from') && is(j + 1, 'string')) found.push(list[j + 1].value);
  }
  return found;
}

// The import graph of the modules in `files` (name → source): name → the
// names it imports, resolved against the importer's folder. Only relative
// specifiers ('./', '../') name a module of the client.
export function importGraph(files) {
  const graph = new Map();
  for (const [name, source] of Object.entries(files)) {
    const targets = importsOf(source).filter((spec) => /^\.\.?\//.test(spec))
      .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(name), spec)));
    graph.set(name, [...new Set(targets)]);
  }
  return graph;
}

// A circle in `graph` (name → names), as [a, b, …, a], or null when there
// is none. Depth first, in the order of the names, so the answer is stable.
export function findCycle(graph) {
  const state = new Map(); // name → 'open' while on the path, 'done' after
  const trail = [];
  const visit = (name) => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'open') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'open');
    trail.push(name);
    for (const next of [...(graph.get(name) || [])].sort()) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of [...graph.keys()].sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return null;
}

// Every .js file under web/, by its path there.
async function webModules() {
  const files = {};
  for (const entry of await readdir(WEB, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const folder = path.relative(WEB, entry.parentPath ?? entry.path).split(path.sep).join('/');
    const name = path.posix.join(folder, entry.name);
    files[name] = await readFile(path.join(WEB, name), 'utf8');
  }
  return files;
}

test('the modules of web/ import one another without a circle', async () => {
  const graph = importGraph(await webModules());
  assert.ok(graph.get('app.js')?.includes('board.js'), 'app.js is read, with its import() of board.js');
  const cycle = findCycle(graph);
  assert.equal(cycle, null, cycle && `import circle in web/: ${cycle.join(' → ')}`);
});

test('every module web/ imports is there', async () => {
  const graph = importGraph(await webModules());
  for (const [name, targets] of graph) {
    for (const target of targets) assert.ok(graph.has(target), `${name} imports ${target}, which web/ does not have`);
  }
});

test('the check finds a circle', () => {
  assert.deepEqual(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
  assert.deepEqual(findCycle(new Map([['a', ['b', 'c']], ['b', []], ['c', ['c']]])), ['c', 'c']);
  assert.equal(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), null, 'a diamond is no circle');
  // Through shared helpers, as the pages once did: app → help → app.
  const graph = importGraph({
    'app.js': "import { start } from './help.js';\nconst board = () => import('./board.js');\nexport const h = 1;",
    'help.js': "import {\n  h,\n} from './app.js';\nexport const start = () => h;",
    'board.js': "import * as app from './app.js';",
  });
  assert.deepEqual(findCycle(graph), ['app.js', 'board.js', 'app.js']);
  graph.set('app.js', ['help.js']);
  assert.deepEqual(findCycle(graph), ['app.js', 'help.js', 'app.js'], 'a static circle');
  graph.set('help.js', []);
  assert.equal(findCycle(graph), null);
});

test('the scanner reads every kind of import and nothing else', () => {
  const source = [
    "import { a, b as c } from './one.js';",
    "import * as two from \"./two.js\";",
    "import three, { d } from './sub/three.js'",
    "import './four.js';",
    "export { e } from '../five.js';",
    "export * from './six.js';",
    "const seven = () => import('./seven.js');",
    "const lang = (code) => import(`./lang/${code}.js`);",
    "// import { x } from './comment.js'",
    "/* import('./block.js') */",
    "const text = \"import { y } from './string.js'\";",
    "const re = /import\\('.\\/regex.js'\\)/; const url = 'http://x/'; const half = 1 / 2;",
    "const nested = `a ${`b ${import('./nested.js')}`} c`;",
    "export function from() { return obj.import('./property.js'); }",
    "export const f = 1;",
  ].join('\n');
  assert.deepEqual(importsOf(source),
    ['./one.js', './two.js', './sub/three.js', './four.js', '../five.js', './six.js', './seven.js', './nested.js']);
  assert.deepEqual(importGraph({ 'sub/x.js': "import '../y.js'; import './z.js';" }).get('sub/x.js'), ['y.js', 'sub/z.js']);
});
