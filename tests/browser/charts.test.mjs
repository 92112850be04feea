// The reports' charts (js/charts.js, SVG drawn by our code): daily sales
// and collections, aging buckets, the tower x floor heat map and the
// collections by payment method, each with its numbers in a table beside
// it, at 360 px and 1280 px (screenshots in test-output/screenshots); the
// chart code loads only on the reports screens, and the first screen
// (sign-in and dashboard) stays under 150 KB of JS and CSS as the browser
// fetches it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, newPage, signIn, shot, apiToken, OWNER, PHONE, DESKTOP, OUT } from './helpers.mjs';

let srv, browser, token;
const DAY = 86400000;
const METHODS = ['cash', 'upi', 'card', 'bank', 'other'];

before(async () => {
  ({ srv, browser } = await setup());
  token = await apiToken(srv, OWNER);
  // A fuller store than the demo: customers on many floors of several
  // towers (one with a Devanagari name), purchases and payments by every
  // method over the last 30 days.
  // The demo store's plan has a request rate: the seeding waits when told
  // to, as any client of the API must.
  const api = async (method, path, body) => {
    let r = await srv.api(method, path, { token, body });
    while (r.status === 429) {
      await new Promise((done) => setTimeout(done, 1000 * Number(r.headers.get('retry-after') || 1)));
      r = await srv.api(method, path, { token, body });
    }
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const names = ['सुनीता देवी', 'Mohammed Irfan', 'Lakshmi Narayanan', 'राहुल वर्मा', 'Farah Khan', 'Gurpreet Singh Bhatia', 'Anita', 'Joseph D\'Souza'];
  let k = 0;
  for (const tower of [1, 3, 7, 12, 24, 36]) {
    for (const floor of [0, 2, 5, 9, 14]) {
      if ((tower + floor) % 3 === 0) continue;
      const c = await api('POST', '/api/v1/customers', {
        name: `${names[k % names.length]}${k >= names.length ? ` ${k}` : ''}`, phone: `97${String(31000000 + k).padStart(8, '0')}`,
        apartment: `${String(tower).padStart(2, '0')}${String(floor).padStart(2, '0')}${1 + (k % 4)}`, credit_limit_minor: 100000000,
      });
      const days = [35, 20, 8, 2, 0];
      for (const [i, ago] of days.entries()) {
        const at = ago ? { occurred_at: new Date(Date.now() - ago * DAY - i * 3600000).toISOString() } : {};
        await api('POST', '/api/v1/transactions', { customer_id: c.id, type: 'purchase', amount_minor: 25000 + ((k * 7919 + i * 104729) % 400000), ...at });
        if (i % 2 === k % 2)
          await api('POST', '/api/v1/transactions', { customer_id: c.id, type: 'payment', amount_minor: 20000 + ((k * 31 + i) % 9) * 1000, payment_method: METHODS[(k + i) % 5], ...at });
      }
      k++;
    }
  }
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The page fits the viewport: nothing wider than the screen (a heat map
// wider than the screen scrolls inside its own box), and no table of
// figures that has to be scrolled sideways.
async function fitsWidth(page) {
  const { scroll, width, tables } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth,
    tables: [...document.querySelectorAll('#main .table-wrap')].filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.querySelector('caption')?.textContent),
  }));
  assert.ok(scroll <= width, `the page is ${scroll} px wide in a ${width} px window`);
  assert.deepEqual(tables, [], `tables wider than their box at ${width} px`);
}

// SVG text that runs past its chart's box (clipped or overlapping the edge).
async function textOutsideSvg(page, sel) {
  return page.locator(sel).evaluateAll((svgs) => {
    const bad = [];
    for (const svg of svgs) {
      const box = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (r.width && (r.left < box.left - 1 || r.right > box.right + 1)) bad.push(t.textContent);
      }
    }
    return bad;
  });
}

// Labels of one row that overlap each other (x axis dates, bar rows).
async function overlappingText(page, sel) {
  return page.locator(sel).evaluateAll((svgs) => {
    const bad = [];
    for (const svg of svgs) {
      const boxes = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() })).filter((b) => b.r.width);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, b = boxes[j].r;
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) bad.push(`${boxes[i].t} / ${boxes[j].t}`);
        }
    }
    return bad;
  });
}

async function checkChart(page, chartSel) {
  const svg = page.locator(`${chartSel} svg.chart-svg`).first();
  await svg.waitFor();
  assert.equal(await svg.getAttribute('role'), 'img');
  assert.match(await svg.getAttribute('aria-label'), /table/);
  assert.deepEqual(await textOutsideSvg(page, `${chartSel} svg.chart-svg`), [], `${chartSel}: text outside the chart`);
  assert.deepEqual(await overlappingText(page, `${chartSel} svg.chart-svg`), [], `${chartSel}: labels overlap`);
  assert.equal(await page.locator('#main [style]').count(), 0, 'no inline styles (CSP)');
  await fitsWidth(page);
}

// A screenshot with the chart at the top of the screen (and one of the
// whole page), to look at.
async function chartShot(page, sel, name) {
  const vp = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, `${name}-full-${vp.width}x${vp.height}.png`), fullPage: true });
  await page.locator(sel).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -60));
  await shot(page, name);
}

const money = (minor) => new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' }).format(minor / 100);

for (const vp of [PHONE, DESKTOP]) {
  test(`reports charts at ${vp.width}x${vp.height}: each chart with its numbers in a table, nothing clipped or wider than the screen`, async () => {
    const { context, page } = await newPage(browser, srv, vp);
    const scripts = new Set();
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.add(new URL(r.url()).pathname); });
    await signIn(page, OWNER);
    assert.ok(!scripts.has('/js/charts.js'), 'the dashboard does not load the charts');

    // Daily: the last 30 days by default, a column per day.
    await page.goto('/reports/daily');
    await checkChart(page, '#daily-chart');
    assert.ok(scripts.has('/js/charts.js'), 'the reports load the charts');
    const daily = (await srv.api('GET', '/api/v1/reports/daily', { token })).json;
    assert.equal(daily.days.length, 30);
    assert.equal(await page.locator('#daily-table tbody tr').count(), 30);
    assert.equal(await page.locator('#daily-chart rect.bar.sales').count(), 30);
    const last = daily.days.at(-1);
    const row = page.locator(`#daily-table tr[data-date="${last.date}"]`);
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 2), [money(last.sales_minor), money(last.collections_minor)]);
    assert.ok(await page.locator('#daily-chart rect.bar.sales[height]:not([height="0"])').count() >= 5);
    await chartShot(page, '#daily-chart', 'chart-daily');

    // Aging: a bar per bucket beside the bucket table.
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Aging' }).click();
    await checkChart(page, '#aging-chart');
    const aging = (await srv.api('GET', '/api/v1/reports/aging', { token })).json;
    for (const k of ['current_minor', 'days_1_30_minor']) {
      const cells = await page.locator(`#aging-chart tr[data-bucket="${k}"] td`).allInnerTexts();
      assert.equal(cells[0], money(aging.buckets[k]), k);
      const n = aging.customers.filter((c) => c.buckets[k] > 0).length;
      assert.match(await page.locator(`#aging-chart tr[data-bucket="${k}"] th`).innerText(), new RegExp(`${n} customers?`));
    }
    assert.match(await page.locator('section.bucket').first().innerText(), /सुनीता देवी|राहुल वर्मा|Rajesh Kumar|Priya Singh/);
    await chartShot(page, '#aging-chart', 'chart-aging');

    // Towers: a cell per floor that owes, tables per tower below.
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'By tower' }).click();
    await checkChart(page, '#tower-heat');
    const towers = (await srv.api('GET', '/api/v1/reports/towers', { token })).json.towers;
    const owingFloors = towers.reduce((a, t) => a + t.floors.length, 0);
    assert.equal(await page.locator('#tower-heat svg.chart-svg rect.cell:not(.heat-0)').count(), owingFloors);
    assert.equal(await page.locator('#tower-heat svg.chart-svg rect.cell.heat-5').count() >= 1, true, 'the largest floor has the darkest shade');
    assert.equal(await page.locator('#tower-report > li').count(), towers.length);
    const t36 = towers.find((t) => t.tower === 36);
    assert.match(await page.locator('li[data-tower="36"]').innerText(), new RegExp(`Tower 36[\\s\\S]*${money(t36.outstanding_minor).replace(/[.$]/g, '\\$&')}`));
    await chartShot(page, '#tower-heat', 'chart-towers');

    // Collections: the figures, the split by method beside its table.
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Collections' }).click();
    await checkChart(page, '#method-chart');
    const col = (await srv.api('GET', '/api/v1/reports/collections', { token })).json;
    assert.match(await page.locator('#collection-figures').innerText(), new RegExp(money(col.collected_minor).replace(/[.$]/g, '\\$&')));
    const rate = new Intl.NumberFormat('en-IN', { style: 'percent', maximumFractionDigits: 1 }).format(col.collection_rate_bp / 10000);
    assert.match(await page.locator('[data-figure="collection-rate"]').innerText(), new RegExp(rate.replace(/[.%]/g, '\\$&')));
    for (const m of col.by_method) {
      const row = page.locator(`#method-chart tr[data-method="${m.payment_method}"]`);
      assert.equal((await row.locator('td').allInnerTexts())[0], money(m.amount_minor), m.payment_method);
      assert.match(await row.locator('th').innerText(), new RegExp(`${m.payments} payments?`));
    }
    assert.equal(await page.locator('#method-chart rect.bar').count(), col.by_method.filter((m) => m.amount_minor > 0).length);
    await page.locator('#reminder-effect').waitFor();
    await chartShot(page, '#method-chart', 'chart-collections');
    await chartShot(page, '#collection-figures', 'collections-figures');
    assert.deepEqual(page.errors, []);
    await context.close();
  });
}

test('collections: what reminders brought in, with figures and with none', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, OWNER);
  // The demo store sends link reminders only, which are not counted: the
  // figures here are the server's answer with reminders filled in.
  await page.route('**/api/v1/reports/collections?*', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    body.reminders = { window_days: 7, reminded_customers: 4, paid_customers: 2, paid_share_bp: 5000, median_days_to_payment_x100: 225 };
    body.collection_rate_bp = 3636;
    body.days_sales_outstanding_x100 = 100;
    await route.fulfill({ response: res, json: body });
  });
  await page.goto('/reports/collections');
  const card = page.locator('#reminder-effect');
  await card.locator('dl').waitFor();
  assert.match(await card.innerText(), /Customers reminded\s+4[\s\S]*Paid within 7 days\s+2 \(50%\)[\s\S]*Median time to pay\s+2\.25 days/);
  assert.match(await page.locator('[data-figure="collection-rate"]').innerText(), /36\.4%/);
  assert.match(await page.locator('[data-figure="dso"]').innerText(), /1 day\b/);
  await chartShot(page, '#reminder-effect', 'collections-reminders');
  await page.unroute('**/api/v1/reports/collections?*');
  // A period with nothing: no chart, dashes for the undefined ratios.
  await page.goto('/reports/collections?from=2020-01-01&to=2020-01-31');
  await page.locator('#method-chart .empty').waitFor();
  assert.match(await page.locator('[data-figure="collection-rate"]').innerText(), /—/);
  assert.match(await page.locator('[data-figure="dso"]').innerText(), /—/);
  assert.match(await page.locator('#reminder-effect').innerText(), /No reminder/);
  await fitsWidth(page);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the charts follow the width: turning a phone draws them again for the new width', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, OWNER, 'quantumtrack', '/reports/daily');
  const svg = page.locator('#daily-chart svg.chart-svg');
  await svg.waitFor();
  const narrow = Number(await svg.getAttribute('width'));
  await page.setViewportSize({ width: 640, height: 360 });
  await page.waitForFunction((w) => Number(document.querySelector('#daily-chart svg.chart-svg').getAttribute('width')) > w, narrow);
  await fitsWidth(page);
  assert.deepEqual(await textOutsideSvg(page, '#daily-chart svg.chart-svg'), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the first screen (sign-in, then the dashboard) fetches under 150 KB of JS and CSS, without the charts', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  const fetched = new Map();
  // Responses to the page itself: the service worker's own install (its
  // offline copy of the shell, in the background) is not the first screen.
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    const body = await r.body().catch(() => null);
    const sizes = await r.request().sizes().catch(() => null);
    fetched.set(new URL(r.url()).pathname, Math.max(body ? body.length : 0, sizes ? sizes.responseBodySize : 0));
  });
  await signIn(page, OWNER);
  await page.locator('#main h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  const total = [...fetched.values()].reduce((a, b) => a + b, 0);
  const list = [...fetched].map(([p, n]) => `${p} ${n}`).join(', ');
  assert.ok(fetched.has('/js/main.js') && fetched.has('/css/app.css'), list);
  for (const p of ['/js/charts.js', '/js/views/reports.js', '/css/reports.css']) assert.ok(!fetched.has(p), `${p} is not part of the first screen: ${list}`);
  assert.ok(total < 150 * 1024, `the first screen fetched ${total} bytes of JS and CSS: ${list}`);
  assert.deepEqual(page.errors, []);
  await context.close();
});
