// axe.mjs - accessibility scan of the page as it stands, with axe-core from
// npm. The scan runs in the page through the DevTools protocol, so the
// client's Content-Security-Policy stays as strict as in production.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The serious and critical violations on page, as short lines
// ("rule-id: target, target"); an empty array when there are none.
export async function seriousViolations(page) {
  const injected = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!injected) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
