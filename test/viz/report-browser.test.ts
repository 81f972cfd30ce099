import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderReport } from '../../viz/report.ts';
import { modelOf } from '../../viz/trace-input.ts';
import { referenceOutputs } from '../../sim/oracles/outputs.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import type { TraceHeader } from '../../traces/writer.ts';

/** The report's inputs as `seqsim report` passes them: header, model and the reference outputs. */
function withReference(events: readonly TraceEvent[], header: TraceHeader) {
  const model = modelOf(header);
  return { header, ...(model === undefined ? {} : { model, referenceOutputs: referenceOutputs(events, model) }) };
}
import { directFixture, MALICIOUS_IDS } from './fixture.ts';

/** The report in a real browser: Debian's chromium driven by playwright-core, no downloads. */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const title = available
  ? 'HTML report in Chromium'
  : `HTML report in Chromium — SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium); report.test.ts still checks the HTML structure`;

describe.skipIf(!available)(title, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-report-'));

  function write(name: string, html: string): string {
    const file = join(dir, name);
    writeFileSync(file, html);
    return pathToFileURL(file).href;
  }

  /** Opens a page and records every console error, page error, dialog and request leaving the file. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network: ${request.url()}`);
    });
    await page.goto(url);
    return { page, problems };
  }

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads without console errors and renders the SVG', async () => {
    const fixture = directFixture();
    const { page, problems } = await open(write('report.html', renderReport(fixture.events, withReference(fixture.events, fixture.header))));
    const box = await page.locator('#timeline svg').boundingBox();
    expect(box?.width).toBeGreaterThan(1000);
    expect(box?.height).toBeGreaterThan(200);
    expect(await page.locator('#timeline svg rect.occ').count()).toBe(5);
    const bar = await page.locator('#timeline svg rect.occ').first().boundingBox();
    expect(bar?.width).toBeGreaterThan(5);
    expect(await page.locator('#filter-status').textContent()).toBe(`${fixture.events.length} of ${fixture.events.length} events shown`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters the event table by text and by type', async () => {
    const fixture = directFixture();
    const { page, problems } = await open(write('filter.html', renderReport(fixture.events, { header: fixture.header })));
    const visibleRows = (): Promise<number> => page.locator('#events tbody tr:visible').count();
    expect(await visibleRows()).toBe(fixture.events.length);
    await page.fill('#filter', '"4:1"');
    expect(await visibleRows()).toBe(4); // its send, arrive, cancel and response
    await page.fill('#filter', '');
    await page.selectOption('#type-filter', 'violation');
    expect(await visibleRows()).toBe(1);
    expect(await page.locator('#filter-status').textContent()).toBe(`1 of ${fixture.events.length} events shown`);
    await page.selectOption('#type-filter', '');
    await page.locator('button.line-link[data-line="51"]').click();
    expect(await page.locator('#events tbody tr.flash').getAttribute('data-line')).toBe('51');
    expect(await page.locator('#events tbody tr.flash').isVisible()).toBe(true);
    // A click on a bar opens its sequence's view.
    await page.locator('#timeline svg rect.occ[data-occ="1"]').click({ force: true });
    expect(await page.locator('details.sequence[open] summary', { hasText: 'sequence 2 ' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows malicious ids as text and runs none of them', async () => {
    const evil = directFixture(MALICIOUS_IDS);
    const { page, problems } = await open(write('evil.html', renderReport(evil.events, withReference(evil.events, evil.header))));
    await page.fill('#filter', 'alert(1)');
    await page.fill('#filter', '');
    expect(await page.locator('details.sequence .seq-label', { hasText: '<script>alert(1)</script>' }).count()).toBe(1);
    expect(await page.locator('#timeline svg title', { hasText: '"\\"><img src=x onerror=alert(2)>"' }).count()).toBeGreaterThan(0);
    expect(await page.locator('img, iframe').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });
});
