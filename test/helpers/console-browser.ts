import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
// @ts-expect-error: a plain .mjs script without types (it is also run by npm start).
import { buildConsole } from '../../scripts/console-build.mjs';

/** Debian's Chromium (scripts/test.sh installs it); without it a browser test fails, never skips. */
export const CHROMIUM = '/usr/bin/chromium';

/** Builds console/dist when it is missing or stale (the same check `npm start` makes). */
export async function ensureConsoleBuilt(): Promise<void> {
  await buildConsole({ quiet: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

/** Saves a full-page screenshot as test-artifacts/console/<name>.png (docs/console.md shows the main ones). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now and returns the serious and critical
 * violations; a screen test asserts the list is empty.
 */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  // Evaluated over the DevTools protocol, so the page's Content-Security-Policy (no inline scripts) allows it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n: any) => String(n.target)),
    }));
  });
  return violations.filter((v: A11yViolation) => v.impact === 'serious' || v.impact === 'critical');
}
