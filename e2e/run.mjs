// End-to-end test of the web map in headless Chromium: load the page,
// check that the event count says whose events are drawn, search a vessel,
// open its dossier, check that its track is drawn and that no request left
// the server's origin. Usage:
//   node e2e/run.mjs URL QUERY [SCREENSHOT.png]
// Prints one JSON line of results; exits non-zero on failure.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [url, query, shot] = process.argv.slice(2);
if (!url || !query) {
  console.error('usage: node e2e/run.mjs URL QUERY [SCREENSHOT.png]');
  process.exit(2);
}
const origin = new URL(url).origin;
const fail = (msg) => { console.error('e2e: FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.LOOKOUT_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const result = { foreign: [], errors: [] };

// eventsShown: the event status line, the events the map's source holds and
// how many of them it draws in view.
function eventsShown(page) {
  return page.evaluate(() => {
    const m = window.lookout.map;
    const d = m.getSource('events')._data;
    const fc = d && (d.geojson || d);
    return { status: document.getElementById('event-status').textContent, loaded: fc ? fc.features.length : 0,
      drawn: m.queryRenderedFeatures({ layers: ['events'] }).length };
  });
}
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) result.foreign.push(u);
  });
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });

  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  // usable: the basemap's land is loaded and rendered
  await page.waitForFunction(() => window.lookout.map.isSourceLoaded('land') && window.lookout.map.loaded(), null, { timeout: 20000 });
  result.wall_ms = Date.now() - t0;
  result.timings = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    const t = Object.fromEntries(Object.entries(window.lookout.timings).map(([k, v]) => [k, Math.round(v)]));
    return { ...t, dom_content_loaded: Math.round(n.domContentLoadedEventEnd), now: Math.round(performance.now()) };
  });
  // Usable: from navigation start until the basemap is drawn and the
  // vessel list and search answer (the page's own clock).
  result.usable_ms = result.timings.ready;

  // The event count says whose events the map holds: all vessels' until
  // one is picked, though "only the selected vessel" is ticked.
  result.events_at_start = await eventsShown(page);
  const start = result.events_at_start;
  if (start.loaded < 1 || start.drawn < 1) fail(`no events drawn at start: ${JSON.stringify(start)}`);
  // With no vessel there is no track to scrub: the time bar stays out of sight.
  if (await page.isVisible('#timebar')) fail('the time bar shows before a vessel is picked');
  if (!start.status.startsWith(`${start.loaded} events of all vessels on the map`) || !start.status.includes('pick a vessel')) {
    fail(`event status at start: "${start.status}"`);
  }

  await page.fill('#search', query);
  await page.click('#search-form button');
  // Wait for the answer to this query, not the list shown at start.
  await page.waitForFunction((q) => document.getElementById('results').dataset.query === q, query, { timeout: 10000 });
  result.results = await page.$$eval('#results li', (l) => l.length);
  if (result.results === 0) throw new Error(`search for ${query} found nothing`);
  await page.click('#results li');
  await page.waitForSelector('#dossier:not([hidden]) #dossier-mmsi', { timeout: 10000 });
  result.dossier_mmsi = await page.textContent('#dossier-mmsi');
  // The identity history reads the API's snake_case fields: its call sign
  // (shown nowhere else) is in the table.
  const dossierText = await page.textContent('#dossier');
  if (!dossierText.includes('HMXX9')) fail('the dossier\'s identity history does not show the call sign');
  await page.waitForFunction(() => {
    const m = window.lookout.map;
    const d = m.getSource('track')._data;
    const fc = d && (d.geojson || d);
    return fc && fc.features && fc.features.length > 0 && m.loaded();
  }, null, { timeout: 10000 });
  const drawn = await page.evaluate(() => {
    const m = window.lookout.map;
    const d = m.getSource('track')._data;
    const fc = d.geojson || d;
    const g = fc.features[0].geometry;
    return {
      vertices: g.type === 'LineString' ? g.coordinates.length : 1,
      rendered: m.queryRenderedFeatures({ layers: ['track'] }).length,
      hash: location.hash,
    };
  });
  Object.assign(result, drawn);
  // After the dossier's own loadEvents, the count is the vessel's.
  await page.waitForFunction((mmsi) => document.getElementById('event-status').textContent.includes('of vessel ' + mmsi),
    result.dossier_mmsi, { timeout: 10000 }).catch(() => {});
  result.events_of_vessel = await eventsShown(page);
  const ofVessel = result.events_of_vessel;
  if (!ofVessel.status.startsWith(`${ofVessel.loaded} events of vessel ${result.dossier_mmsi} on the map`)) fail(`event status with a vessel: "${ofVessel.status}"`);
  if (result.vertices < 2) fail(`track has ${result.vertices} vertices`);
  if (result.rendered < 1) fail('the track layer rendered no features');
  if (!result.hash.includes('v=' + result.dossier_mmsi)) fail(`URL hash ${result.hash} does not name the vessel`);
  if (shot) await page.screenshot({ path: shot });

  // The URL is the view: a fresh page on it reopens the vessel's dossier.
  const shared = await page.evaluate(() => location.href);
  const page2 = await browser.newPage();
  page2.on('pageerror', (e) => result.errors.push(String(e)));
  await page2.goto(shared, { waitUntil: 'domcontentloaded' });
  await page2.waitForSelector('#dossier:not([hidden]) #dossier-mmsi', { timeout: 20000 });
  result.shared_mmsi = await page2.textContent('#dossier-mmsi');
  if (result.shared_mmsi !== result.dossier_mmsi) fail(`shared link opened ${result.shared_mmsi}, want ${result.dossier_mmsi}`);
} catch (e) {
  fail(String(e));
} finally {
  await browser.close();
}
if (result.foreign.length) fail('third-party requests: ' + result.foreign.join(' '));
if (result.errors.length) fail('page errors: ' + result.errors.join(' | '));
console.log(JSON.stringify(result));
