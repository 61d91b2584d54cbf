// The focus ring is seen on every surface it appears on: web/style.css's
// focus colours have a contrast of at least 3:1 (WCAG 2.2, 1.4.11 and
// 2.4.13) against every background the stylesheet paints: --focus against
// each light one (the page, cards, buttons' surroundings, banners, notices,
// the board's cells), --focus-on-dark against each dark one (the header's
// green), which uses it. A control's own background is not counted: its
// ring is drawn outside it. No browser needed; tests/browser/words.test.mjs
// checks the colour a focused element really shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const css = await readFile(new URL('../../web/style.css', import.meta.url), 'utf8');

const properties = Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b/g)].map(([, name, value]) => [name, value]));
const resolve = (value) => value.replace(/var\((--[\w-]+)\)/g, (match, name) => properties[name] || match);

// The relative luminance of #rgb or #rrggbb (WCAG 2.2).
export function luminance(hex) {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((d) => {
    const c = parseInt(d, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

// Every solid colour a rule paints as a background, with the rule's selector.
const backgrounds = [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^}]*)\}/g)].flatMap(([, selector, body]) =>
  [...body.matchAll(/background(?:-color)?:\s*([^;]+)/g)]
    .map(([, value]) => resolve(value.trim()).match(/#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b/))
    .filter(Boolean).map(([hex]) => ({ selector: selector.trim(), hex })));

test('the stylesheet names its focus colours and paints backgrounds', () => {
  assert.match(properties['--focus'] || '', /^#/);
  assert.match(properties['--focus-on-dark'] || '', /^#/);
  assert.match(css, /:focus-visible\s*\{\s*outline:\s*3px solid var\(--focus\)/);
  assert.match(css, /header\.site :focus-visible[^{]*\{\s*outline-color:\s*var\(--focus-on-dark\)/);
  assert.ok(backgrounds.length >= 10, `backgrounds found: ${backgrounds.length}`);
  assert.ok(backgrounds.some((b) => b.hex.toLowerCase() === properties['--paper'].toLowerCase()), 'the page');
  assert.ok(backgrounds.some((b) => b.hex.toLowerCase() === properties['--accent'].toLowerCase()), 'the header');
});

// A control's own background is inside its ring (the ring is drawn 2px
// outside it), so the ring is seen on the surfaces around controls: every
// other background.
const control = (selector) => /^(button(\.\w+)?|input.*|\.skip)$/.test(selector.split(',')[0].trim());

test('the focus ring has at least 3:1 against every background', () => {
  const report = [];
  for (const { selector, hex } of backgrounds.filter((b) => !control(b.selector))) {
    const dark = luminance(hex) < 0.2;
    const ring = properties[dark ? '--focus-on-dark' : '--focus'];
    const ratio = contrast(ring, hex);
    report.push(`${ring} on ${hex} (${selector}): ${ratio.toFixed(2)}`);
    assert.ok(ratio >= 3, `${ring} on ${hex} (${selector}) is ${ratio.toFixed(2)}:1`);
  }
  // The ring that was 1.74:1 on the page.
  assert.ok(contrast('#f2b705', '#fbfaf6') < 3);
  assert.ok(contrast(properties['--focus'], properties['--paper']) >= 3);
  console.log(report.join('\n'));
});

test('dark surfaces are only where the light ring is used', () => {
  // A dark background outside the header would need its own ring colour.
  const dark = backgrounds.filter((b) => !control(b.selector) && luminance(b.hex) < 0.2).map((b) => b.selector);
  assert.deepEqual(dark, ['header.site']);
});
