// Shared set-up for the browser tests: one server (temp SQLite store with the
// demo data), Debian's Chromium through playwright-core, screenshot helper.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, addUser, login } from '../lib/server.mjs';

export const OUT = join(process.env.QT_TEST_OUT || new URL('../../test-output', import.meta.url).pathname, 'screenshots');
export const PHONE = { width: 360, height: 640 };
export const DESKTOP = { width: 1280, height: 800 };
export const OWNER = { email: 'owner@quantumtrack.example', password: 'quantumtrack-demo' };
export const OPERATOR = { email: 'op@example.com', password: 'operator-pass' };

export async function setup() {
  const srv = await startServer();
  const demo = srv.cli(['demo']);
  if (demo.code !== 0) throw new Error('demo failed: ' + demo.stderr);
  const op = srv.cli(['operator', 'add', '--email', OPERATOR.email, '--password', OPERATOR.password]);
  if (op.code !== 0) throw new Error('operator add failed: ' + op.stderr);
  const viewer = addUser(srv, { tenant: 'quantumtrack', email: 'viewer@quantumtrack.example', role: 'viewer' });
  const member = addUser(srv, { tenant: 'quantumtrack', email: 'member@quantumtrack.example', role: 'member' });
  const browser = await chromium.launch({
    executablePath: process.env.QT_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(OUT, { recursive: true });
  return { srv, browser, viewer, member };
}

// A fresh browser context (own cookies) and page; page errors fail the test.
export async function newPage(browser, srv, viewport = PHONE, { touch = false } = {}) {
  const context = await browser.newContext({ viewport, baseURL: srv.url, hasTouch: touch, isMobile: false });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return { context, page };
}

export async function signIn(page, { email, password }, slug = 'quantumtrack', path = '/') {
  await page.goto(`${path}${path.includes('?') ? '&' : '?'}tenant=${slug}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#main h1').first().waitFor();
}

export async function shot(page, name) {
  const vp = page.viewportSize();
  await page.evaluate(() => document.fonts && document.fonts.ready);
  await page.screenshot({ path: join(OUT, `${name}-${vp.width}x${vp.height}.png`) });
}

export async function apiToken(srv, { email, password }, slug = 'quantumtrack') {
  return (await login(srv, slug, email, password)).access_token;
}

export async function customerByName(srv, token, name) {
  const r = await srv.api('GET', `/api/v1/customers?q=${encodeURIComponent(name)}`, { token });
  const c = r.json.data.find((x) => x.name === name);
  if (!c) throw new Error('no customer ' + name);
  return c;
}
