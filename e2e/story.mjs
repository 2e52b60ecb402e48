// End-to-end check of the web map's first screen in headless Chromium:
// the headline gives the trip count, the trips are drawn as tracks, the
// watched groups are outlined and labelled, every map symbol has a legend
// row, nothing is fetched from another origin and the console stays free
// of warnings. Usage:
//   node e2e/story.mjs URL [FIRST-SCREEN.png [PLAYBACK-FRAME.png [DOSSIER.png]]]
// Prints one JSON line of results; exits non-zero on failure.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [url, shot, playShot, dossierShot] = process.argv.slice(2);
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
  // usable: headline figures written, land loaded and trips drawn (the
  // events may still be loading behind them)
  await page.waitForFunction(() => document.getElementById('h-trips')
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
  // The event list: rows of events in view, sortable, hover rings one.
  await page.click('#event-list-box summary');
  await page.click('#event-list th[data-k="type"]');
  result.event_list = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('#event-list tbody tr[data-i]')];
    const types = rows.map((r) => r.cells[0].textContent);
    rows[0]?.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    const h = window.lookout.map.getSource('hover')._data;
    return { rows: rows.length, sorted: types.every((t, i) => i === 0 || types[i - 1] <= t),
      hover: (h.geojson || h).type === 'Feature' };
  });
  if (!result.event_list.rows || !result.event_list.sorted || !result.event_list.hover) fail('event list: ' + JSON.stringify(result.event_list));
  await page.click('#event-list-box summary');
  // Export: what is in view, as GeoJSON and KML.
  result.export = await page.evaluate(() => {
    const fc = window.lookout.viewFeatures();
    const kml = window.lookout.toKML(fc);
    return { features: fc.features.length, trips: fc.features.filter((f) => f.properties.layer === 'trip').length,
      placemarks: (kml.match(/<Placemark>/g) || []).length };
  });
  if (!result.export.trips || result.export.placemarks !== result.export.features) fail('export of the view: ' + JSON.stringify(result.export));
  // Playback: all trips' vessels move along the timeline; fps on this
  // machine's software WebGL is reported, not asserted.
  const t0s = await page.evaluate(() => Number(document.getElementById('slider').value));
  await page.click('#play');
  await page.waitForTimeout(4000);
  Object.assign(result, await page.evaluate(() => ({ playback_fps: Math.round(window.lookout.playback.fps * 10) / 10,
    slider_moved: Number(document.getElementById('slider').value) })));
  await page.click('#play');
  result.slider_moved = result.slider_moved !== t0s;
  if (playShot) {
    // A fixed frame: 2024-06-15 00:00 UTC, inside the demo's period.
    await page.evaluate(() => { const s = document.getElementById('slider'); s.value = 1718409600; s.dispatchEvent(new Event('input')); });
    await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
    await page.screenshot({ path: playShot });
  }
  if (!result.slider_moved) fail('playback did not move the timeline');
  // Search moves the map to the vessel.
  const before = await page.evaluate(() => window.lookout.map.getCenter().toArray());
  await page.fill('#search', 'shun light');
  await page.click('#search-form button');
  await page.waitForFunction(() => document.getElementById('dossier-name'), null, { timeout: 20000 });
  await page.waitForTimeout(300);
  result.search = await page.evaluate(() => ({ name: document.getElementById('dossier-name').textContent,
    center: window.lookout.map.getCenter().toArray() }));
  if (!/SHUN LIGHT/i.test(result.search.name)) fail('search did not open the vessel');
  if (dossierShot) {
    await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
    await page.screenshot({ path: dossierShot });
  }
  if (Math.hypot(result.search.center[0] - before[0], result.search.center[1] - before[1]) < 0.01) fail('search did not move the map');
  // A bad link shows a message over the usual map.
  const bad = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  bad.on('console', (m) => { if (m.type() === 'warning' && !m.text().includes('GL Driver Message')) result.console.push('bad link: ' + m.text()); });
  await bad.goto(url + '#v=999999999&since=2024-13-45', { waitUntil: 'domcontentloaded' });
  await bad.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  result.bad_link = await bad.evaluate(() => ({ notice: document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent,
    trips: window.lookout.map.getSource('trips')._data?.features?.length ?? -1 }));
  if (!/since date/.test(result.bad_link.notice) || !/999999999/.test(result.bad_link.notice + (await bad.evaluate(() => document.getElementById('status').textContent)))) {
    fail('a bad link did not say what is wrong: ' + JSON.stringify(result.bad_link));
  }
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
