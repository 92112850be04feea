// Render web/icons/*.svg to the PNG sizes the manifest lists (run by hand:
// node tests/browser/tools/make-icons.mjs).  The icons are our own drawing.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../../../web/icons/', import.meta.url);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
for (const [svg, size, out] of [['icon.svg', 192, 'icon-192.png'], ['icon.svg', 512, 'icon-512.png'], ['icon-maskable.svg', 512, 'icon-maskable-512.png']]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const data = 'data:image/svg+xml;base64,' + readFileSync(new URL(svg, dir)).toString('base64');
  await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${data}" width="${size}" height="${size}"></body></html>`);
  writeFileSync(new URL(out, dir), await page.screenshot({ omitBackground: true }));
  await page.close();
}
await browser.close();
