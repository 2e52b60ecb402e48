// End-to-end check of the web map's first screen in headless Chromium:
// the headline gives the trip count, the trips are drawn as tracks, the
// watched groups are outlined and labelled, every map symbol has a legend
// row, nothing is fetched from another origin and the console stays free
// of warnings. Usage:
//   node e2e/story.mjs URL [SCREENSHOT.png]
// Prints one JSON line of results; exits non-zero on failure.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [url, shot] = process.argv.slice(2);
if (!url) {
  console.error('usage: node e2e/story.mjs URL [SCREENSHOT.png]');
  process.exit(2);
}
const origin = new URL(url).origin;
const fail = (msg) => { console.error('e2e story: FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.LOOKOUT_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const result = { foreign: [], console: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) result.foreign.push(u);
  });
  page.on('pageerror', (e) => result.console.push('pageerror: ' + e));
  // SwiftShader's own performance notes are about the test's software GL, not the page.
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('GL Driver Message')) result.console.push(m.type() + ': ' + m.text());
  });

  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // usable: headline figures written, trips and land drawn
  await page.waitForFunction(() => document.getElementById('h-trips') && window.lookout.map.loaded()
    && window.lookout.map.isSourceLoaded('land') && window.lookout.map.isSourceLoaded('trips')
    && window.lookout.map.queryRenderedFeatures({ layers: ['trips-seen', 'trips-dark', 'trips-straight'] }).length > 0,
  null, { timeout: 20000, polling: 50 });
  result.usable_ms = Date.now() - t0;
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  Object.assign(result, await page.evaluate(() => {
    const m = window.lookout.map;
    const drawn = (ls) => m.queryRenderedFeatures({ layers: ls }).length;
    return {
      headline: document.getElementById('headline').textContent.replace(/\s+/g, ' ').trim(),
      trips: Number(document.getElementById('h-trips').textContent),
      trips_drawn_seen: drawn(['trips-seen']), trips_drawn_dark: drawn(['trips-dark']),
      groups_drawn: [...new Set(m.queryRenderedFeatures({ layers: ['group-line'] }).map((f) => f.properties.name))].sort(),
      group_labels: [...document.querySelectorAll('.group-label')].map((e) => e.textContent).sort(),
      port_labels: document.querySelectorAll('.port-label').length,
      legend_rows: document.querySelectorAll('#legend-symbols li').length,
      legend_vessels: document.querySelectorAll('#legend-vessels li a').length,
      layers_in_legend: [...new Set([...document.querySelectorAll('#legend input[data-layers]')].flatMap((b) => b.dataset.layers.split(',')))],
      layers: m.getStyle().layers.filter((l) => l.type !== 'background').map((l) => l.id),
    };
  }));
  // Wait for the last render, so the picture does not depend on timing.
  await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
  if (shot) await page.screenshot({ path: shot });
  if (!(result.trips > 0)) fail('the headline gives no trip count');
  if (!result.trips_drawn_seen) fail('no trip seen in AIS is drawn');
  if (!result.trips_drawn_dark) fail('no possibly dark trip is drawn dashed');
  for (const g of ['KP', 'RU-FE']) {
    if (!result.groups_drawn.includes(g)) fail(`group ${g} is not outlined`);
    if (!result.group_labels.includes(g)) fail(`group ${g} is not labelled`);
  }
  if (!result.port_labels) fail('no port is labelled');
  if (!result.legend_vessels) fail('the legend names no vessel');
  // Every drawn layer but the ones only a picked vessel fills has a legend row.
  const own = ['land', 'track', 'past', 'here'];
  const missing = result.layers.filter((l) => !own.includes(l) && !result.layers_in_legend.includes(l));
  if (missing.length) fail('layers without a legend row: ' + missing.join(', '));
  if (result.foreign.length) fail('requests to other origins: ' + result.foreign.join(' '));
  if (result.console.length) fail('console: ' + result.console.join(' | '));
} catch (err) {
  fail(String(err));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
