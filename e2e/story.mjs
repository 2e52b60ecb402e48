// End-to-end check of the web map's first screen in headless Chromium:
// the headline gives the trip count, the trips are drawn as tracks, the
// watched groups are outlined and labelled, every map symbol has a legend
// row, nothing is fetched from another origin and the console stays free
// of warnings; then the layers (sanctions badges, satellite detections,
// reception coverage) with their legend switches, the trips-per-month
// brush, the export of the view to the HTML report, playback (and its
// frame rate with 300 vessels over eight months), search and a bad link.
// Usage:
//   node e2e/story.mjs URL OPTIONS-JSON [FIRST-SCREEN.png [PLAYBACK-FRAME.png [DOSSIER.png]]]
// OPTIONS-JSON: {"search": "shun light", "frame": 1718409600} (a vessel
// name to search and a Unix time for the playback frame), with
// "first_screen_only": true to measure the first screen and stop.
// Prints one JSON line of results; exits non-zero on failure.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [url, optJSON, shot, playShot, dossierShot] = process.argv.slice(2);
if (!url || !optJSON) {
  console.error('usage: node e2e/story.mjs URL OPTIONS-JSON [FIRST-SCREEN.png [PLAYBACK-FRAME.png [DOSSIER.png]]]');
  process.exit(2);
}
const opt = JSON.parse(optJSON);
const origin = new URL(url).origin;
const fail = (msg) => { console.error('e2e story: FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.LOOKOUT_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const result = { foreign: [], console: [] };
// cpuOf is the CPU time (user + system, seconds) of root's descendants by
// process type:
// for this script, the browser with its renderer and GPU (SwiftShader)
// processes. Linux only; null elsewhere.
function cpuOf(root) {
  try {
    const procs = new Map();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const f = readFileSync(`/proc/${d}/stat`, 'utf8');
        const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
        const type = (readFileSync(`/proc/${d}/cmdline`, 'utf8').match(/--type=([a-z-]+)/) || [, 'browser'])[1];
        procs.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]), type });
      } catch { /* gone meanwhile */ }
    }
    const keep = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, p] of procs) if (!keep.has(pid) && keep.has(p.ppid)) { keep.add(pid); grew = true; }
    }
    const by = {}; // seconds by Chromium process type (browser, renderer, gpu-process, utility…)
    for (const pid of keep) {
      const p = procs.get(pid);
      if (pid !== root && p) by[p.type] = (by[p.type] || 0) + p.ticks / 100; // USER_HZ
    }
    return by;
  } catch { return null; }
}
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

  // CPU time of the page's process and main thread (Chrome's own
  // counters): on a machine shared by many, wall time says more about
  // the neighbours than about the page.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  // The page's long tasks (start, duration), for where the time goes.
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([Math.round(e.startTime), Math.round(e.duration)]); })
      .observe({ type: 'longtask', buffered: true });
  });
  const cpu0 = cpuOf(process.pid);
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // The headline's figures come first, before the map draws.
  await page.waitForFunction(() => document.getElementById('h-trips'), null, { timeout: 20000, polling: 20 });
  result.headline_ms = Date.now() - t0;
  // usable: the headline's figures readable, the trips drawn in view and
  // a click on one answered. Until the map has drawn, the trips are the
  // server's drawing of the first screen (first.js answers the click with
  // the trip's description); after, the map's (its popup answers).
  await page.waitForFunction(() => document.getElementById('h-trips') && (document.querySelector('#preview path.trip')
    || window.lookout?.map.queryRenderedFeatures({ layers: ['trips-seen', 'trips-dark', 'trips-straight'] }).length > 0),
  null, { timeout: 20000, polling: 20 });
  // A point on a trip, where the trip is the topmost element (or map
  // feature). The map may replace the drawing between finding the point
  // and the click landing: then the click is tried again.
  const spotOnTrip = () => page.evaluate(() => {
    for (const p of document.querySelectorAll('#preview path.trip')) {
      const len = p.getTotalLength();
      for (let k = 1; k < 10; k++) {
        const q = p.getPointAtLength((len * k) / 10).matrixTransform(p.getScreenCTM());
        if (document.elementFromPoint(q.x, q.y) === p) return { x: q.x, y: q.y, by: 'drawing' };
      }
    }
    const m = window.lookout?.map;
    if (!m) return null;
    const r = m.getCanvas().getBoundingClientRect();
    for (const f of m.queryRenderedFeatures({ layers: ['trips-seen', 'trips-dark'] })) {
      for (const c of f.geometry.coordinates) {
        const q = m.project(c);
        const x = r.left + q.x, y = r.top + q.y;
        const hit = m.queryRenderedFeatures([q.x, q.y], { layers: ['trips-seen', 'trips-dark'] }).length;
        if (hit && q.x > 260 && q.y > 10 && q.x < r.width - 10 && q.y < r.height - 10 && document.elementFromPoint(x, y) === m.getCanvas()) return { x, y, by: 'map' };
      }
    }
    return null;
  });
  for (let attempt = 0; ; attempt++) {
    const spot = await spotOnTrip();
    if (spot) {
      await page.mouse.click(spot.x, spot.y);
      const answered = await page.waitForFunction(() => /sailed from/.test(document.querySelector('#preview-popup:not([hidden]), .maplibregl-popup')?.textContent || ''),
        null, { timeout: 5000, polling: 20 }).then(() => true, () => false);
      if (answered) { result.usable_by = spot.by; break; }
    }
    if (attempt === 5) throw new Error('a click on a trip of the first screen is not answered');
    await page.waitForTimeout(200);
  }
  result.usable_checked_ms = Date.now() - t0;
  // On the page's own clock (from navigation start, without the browser's
  // start-up and this script's round trips, which wait for the page's long
  // tasks like any input): the first paint, when first.js had the drawing
  // answering clicks, and how long the test's click waited.
  result.page = await page.evaluate(() => ({
    first_paint_ms: Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1),
    drawing: document.body.dataset.drawing === '1',
    interactive_ms: Number(document.body.dataset.interactive), click_wait_ms: Number(document.body.dataset.clickWait ?? -1),
    long_tasks_ms: (window.__longTasks || []).slice(0, 40), origin: performance.timeOrigin }));
  // usable_ms: from before the navigation until the first screen was
  // usable: with the drawing, its first paint once first.js answered
  // clicks (a click on the drawing is checked below on a page whose map
  // never starts, since here the map may replace the drawing before this
  // script's first look); without it, when the check above was answered.
  // The check's own round trips wait behind the page's long tasks, so they
  // are not counted where the page's clock says more.
  if (result.page.drawing) result.usable_by = 'drawing';
  result.usable_ms = result.usable_by === 'drawing'
    ? Math.round(result.page.origin + Math.max(result.page.first_paint_ms, result.page.interactive_ms) - t0) : result.usable_checked_ms;
  delete result.page.origin;
  result.usable_page_ms = await page.evaluate(() => Math.round(performance.now()));
  await page.keyboard.press('Escape');
  await page.evaluate(() => { document.querySelector('.maplibregl-popup-close-button')?.click(); const b = document.getElementById('preview-popup'); if (b) b.hidden = true; });
  {
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    result.usable_cpu = { browser_s: cpu0 && Object.fromEntries(Object.entries(cpuOf(process.pid)).map(([k, v]) => [k, Math.round((v - (cpu0[k] || 0)) * 100) / 100])), process_s: m.ProcessTime, main_thread_busy_s: m.TaskDuration, script_s: m.ScriptDuration,
      layout_s: m.LayoutDuration };
  }
  // Where the time went, on the page's clock: each request's start and
  // end, and its size, against the map's own milestones.
  result.timeline = await page.evaluate(() => ({
    requests: performance.getEntriesByType('resource').filter((e) => !e.name.startsWith('data:')).map((e) => ({
      url: e.name.replace(location.origin, ''), start: Math.round(e.startTime), end: Math.round(e.responseEnd),
      kB: Math.round(e.encodedBodySize / 1024), raw_kB: Math.round(e.decodedBodySize / 1024) })),
    ...Object.fromEntries(Object.entries(window.lookout?.timings || {}).map(([k, v]) => [k, Math.round(v)])),
    interactive: Number(document.body.dataset.interactive), usable: Math.round(performance.now()),
  }));
  // map ready: the map itself has drawn the land and the trips and the
  // drawing has given way to it (pan and zoom work from here).
  await page.waitForFunction(() => !document.getElementById('preview') && window.lookout?.map.isSourceLoaded('land')
    && window.lookout.map.queryRenderedFeatures({ layers: ['trips-seen', 'trips-dark', 'trips-straight'] }).length > 0,
  null, { timeout: 30000, polling: 50 });
  result.map_ready_ms = Date.now() - t0;
  result.map_ready_timeline = await page.evaluate(() => Object.fromEntries(Object.entries(window.lookout.timings).map(([k, v]) => [k, Math.round(v)])));
  if (opt.first_screen_only) throw new Error('stop'); // a measurement of the first screen alone
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
  // The legend hides no end of a trip (a port of the story).
  result.trip_ends_under_legend = await page.evaluate(() => {
    const m = window.lookout.map, L = document.getElementById('legend').getBoundingClientRect(), r = m.getCanvas().getBoundingClientRect();
    const d = m.getSource('trips')._data, fc = d.geojson || d, hid = [];
    for (const f of fc.features) {
      for (const c of [f.geometry.coordinates[0], f.geometry.coordinates.at(-1)]) {
        const q = m.project(c), x = r.left + q.x, y = r.top + q.y;
        if (x >= L.left - 8 && x <= L.right + 8 && y >= L.top - 8 && y <= L.bottom + 8) hid.push(c);
      }
    }
    return hid;
  });
  if (result.trip_ends_under_legend.length) fail('the legend hides trip ends at ' + JSON.stringify(result.trip_ends_under_legend.slice(0, 5)));
  // Every event type on the map has its colour, legend row, filter and a
  // popup in words with the evidence's figures.
  result.event_types = await page.evaluate(async () => {
    const L = window.lookout, d = L.map.getSource('events')._data, fc = d.geojson || d;
    const first = new Map();
    for (const f of fc.features) if (!first.has(f.properties.type)) first.set(f.properties.type, f);
    const out = {};
    for (const [t, f] of first) {
      const p = await L.fullEvent({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] });
      const box = document.createElement('div');
      box.innerHTML = L.eventPopup(p);
      box.querySelector('details')?.remove();
      const color = L.map.getPaintProperty('events', 'circle-color');
      out[t] = { legend: Boolean(document.querySelector(`#legend input[data-type="${t}"]`)), filter: Boolean(document.querySelector(`#types option[value="${t}"]`)),
        colored: color.indexOf(t) > 0, stored: Object.keys(p.evidence || {}).length > 0,
        evidence: box.querySelector('.evidence')?.textContent.replace(/\s+/g, ' ').trim() || '' };
    }
    return out;
  });
  for (const [t, r] of Object.entries(result.event_types)) {
    // The figures of events stored with evidence are in the sentence.
    if (!r.legend || !r.filter || !r.colored || r.stored && !/Evidence: .*\d/.test(r.evidence) || /undefined|NaN|\[object/.test(r.evidence)) fail(`event type ${t}: ${JSON.stringify(r)}`);
  }
  const ev = result.event_types;
  if (ev.possible_dark_transfer && !/likely partner|partner is unseen/.test(ev.possible_dark_transfer.evidence)) fail('a dark transfer\'s popup does not say its partner');
  if (ev.gnss_interference && !/vessels displaced/.test(ev.gnss_interference.evidence)) fail('an interference popup does not count its vessels');
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
  // Layers: sanctions badges and satellite detections are drawn, each
  // has a legend switch that hides it; coverage loads when switched on.
  result.layers_drawn = await page.evaluate(() => {
    const m = window.lookout.map;
    const n = (l) => m.queryRenderedFeatures({ layers: [l] }).length;
    return { listed: n('badges-listed'), met: n('badges-met'), sar: n('sar-dark') + n('sar-port'), sar_matched: n('sar-matched') };
  });
  // Each layer with data draws some of it (the demo has no vessel that
  // met a listed one, so listed and met count as one).
  const has = await page.evaluate(() => Object.fromEntries(['badges', 'sar'].map((id) => {
    const d = window.lookout.map.getSource(id)._data;
    return [id, ((d && (d.geojson || d)).features || []).length];
  })));
  if (has.badges && !(result.layers_drawn.listed + result.layers_drawn.met)) fail('no sanctions badge is drawn');
  if (has.sar && !result.layers_drawn.sar) fail('no dark satellite detection is drawn');
  // Matched detections too, where the store has them.
  result.sar_matched_stored = await page.evaluate(() => {
    const d = window.lookout.map.getSource('sar')._data;
    return ((d && (d.geojson || d)).features || []).filter((f) => f.properties.matched).length;
  });
  if (result.sar_matched_stored && !result.layers_drawn.sar_matched) fail('no matched satellite detection is drawn');
  if (!has.badges || !has.sar) result.layers_empty = has;
  const toggle = (layer) => page.click(`#legend input[data-layers="${layer}"]`);
  await toggle('badges-listed');
  result.badges_hidden = await page.evaluate(() => window.lookout.map.getLayoutProperty('badges-listed', 'visibility'));
  await toggle('badges-listed');
  if (result.badges_hidden !== 'none') fail('the legend does not switch the sanctions badges off');
  await toggle('coverage');
  await page.waitForFunction(() => window.lookout.map.querySourceFeatures('coverage').length > 0
    && window.lookout.map.queryRenderedFeatures({ layers: ['coverage'] }).length > 0, null, { timeout: 30000 })
    .catch(() => fail('the coverage layer draws nothing when switched on'));
  await toggle('coverage');
  // The brush: dragging across the chart keeps a period; the trips
  // drawn are the period's, the URL holds it, a double-click gives all.
  const box = await page.locator('#brush').boundingBox();
  const count = () => page.evaluate(() => window.lookout.map.queryRenderedFeatures({ layers: ['trips-seen', 'trips-dark', 'trips-straight'] }).length);
  const tripsBefore = await count();
  await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
  result.brush = { before: tripsBefore, during: await count(), hash: await page.evaluate(() => location.hash) };
  await page.dblclick('#brush');
  await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
  result.brush.after = await count();
  if (!(result.brush.during < result.brush.before) || !/since=.*until=/.test(result.brush.hash) || result.brush.after !== tripsBefore) {
    fail('the brush does not keep a period: ' + JSON.stringify(result.brush));
  }
  // Export of the view to the HTML report: the report of the trips in view.
  result.report = await page.evaluate(async () => {
    const u = window.lookout.reportURL();
    const r = await fetch(u);
    const html = await r.text();
    return { url: u, status: r.status, type: r.headers.get('content-type'), kB: Math.round(html.length / 1024),
      names: html.includes(document.querySelector('#legend-vessels a')?.textContent || '\u0000') };
  });
  if (result.report.status !== 200 || !/text\/html/.test(result.report.type) || !result.report.names || !/vessels=/.test(result.report.url)) {
    fail('export of the view to the HTML report: ' + JSON.stringify(result.report));
  }
  // Playback: all trips' vessels move along the timeline; fps on this
  // machine's software WebGL is reported, not asserted.
  const t0s = await page.evaluate(() => Number(document.getElementById('slider').value));
  await page.click('#play');
  await page.waitForTimeout(4000);
  Object.assign(result, await page.evaluate(() => ({ playback_fps: Math.round(window.lookout.playback.fps * 10) / 10,
    slider_moved: Number(document.getElementById('slider').value) })));
  await page.click('#play');
  result.slider_moved = result.slider_moved !== t0s;
  // The same with 300 vessels sailing for eight months, a position every
  // two hours each (a simplified trip track has fewer), as the issue's
  // target asks: 864,000 points.
  result.playback_300 = await page.evaluate(async () => {
    const L = window.lookout;
    const t0 = Date.UTC(2024, 2, 1) / 1000, step = 7200, n = (240 * 86400) / step;
    // Circling inside the view, so every vessel is drawn.
    const b = L.map.getBounds(), c = L.map.getCenter(), w = b.getEast() - b.getWest(), h = b.getNorth() - b.getSouth();
    const list = [];
    for (let v = 0; v < 300; v++) {
      const times = new Float64Array(n), lon = new Float64Array(n), lat = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        times[i] = t0 + i * step;
        const a = (i / n) * 40 * Math.PI + v;
        lon[i] = c.lng + w * (0.3 * Math.cos(a) + ((v % 20) - 10) * 0.02);
        lat[i] = c.lat + h * (0.3 * Math.sin(a) + (Math.floor(v / 20) - 7) * 0.02);
      }
      list.push({ times, lon, lat, color: '#377eb8' });
    }
    L.setFleet(list);
    let frames = 0, t = t0, busy = 0;
    const start = performance.now();
    await new Promise((done) => {
      const tick = (now) => {
        t += (240 * 86400) / 1800; // the eight months in a minute at 30 frames/s
        const a = performance.now();
        L.drawAt(t);
        busy += performance.now() - a;
        frames++;
        if (now - start < 3000) requestAnimationFrame(tick); else done();
      };
      requestAnimationFrame(tick);
    });
    const drawn = L.fleetDrawn();
    // draw_ms is the page's own time per frame (interpolating and drawing
    // the dots), the part of a frame that does not depend on the machine's
    // other load.
    return { vessels: list.length, points: list.length * n, drawn, fps: Math.round(((frames * 1000) / (performance.now() - start)) * 10) / 10,
      draw_ms: Math.round((busy / frames) * 100) / 100 };
  });
  if (result.playback_300.drawn < 250) fail('playback of 300 vessels drew ' + result.playback_300.drawn);
  await page.evaluate(() => window.lookout.restoreFleet());
  if (playShot) {
    // A fixed frame inside the store's period.
    await page.evaluate((t) => { const s = document.getElementById('slider'); s.value = t; s.dispatchEvent(new Event('input')); }, opt.frame);
    await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
    await page.screenshot({ path: playShot });
  }
  if (!result.slider_moved) fail('playback did not move the timeline');
  // Search moves the map to the vessel.
  const before = await page.evaluate(() => window.lookout.map.getCenter().toArray());
  await page.fill('#search', opt.search);
  await page.click('#search-form button');
  await page.waitForFunction(() => document.getElementById('dossier-name'), null, { timeout: 20000 });
  await page.waitForTimeout(300);
  result.search = await page.evaluate(() => ({ name: document.getElementById('dossier-name').textContent,
    center: window.lookout.map.getCenter().toArray() }));
  if (result.search.name.toLowerCase() !== opt.search.toLowerCase()) fail(`search for ${opt.search} opened ${result.search.name}`);
  if (dossierShot) {
    await page.evaluate(() => new Promise((r) => { const m = window.lookout.map; m.once('idle', r); m.triggerRepaint(); }));
    await page.screenshot({ path: dossierShot });
  }
  if (Math.hypot(result.search.center[0] - before[0], result.search.center[1] - before[1]) < 0.01) fail('search did not move the map');
  // The drawing of the first screen answers a click on a trip by itself
  // (here the map's script never loads).
  const still = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  await still.route('**/app.js', (r) => r.abort());
  await still.goto(url, { waitUntil: 'domcontentloaded' });
  await still.waitForFunction(() => document.getElementById('h-trips') && document.body.dataset.interactive, null, { timeout: 20000 });
  const at = await still.evaluate(() => {
    const p = document.querySelector('#preview path.trip');
    const q = p.getPointAtLength(p.getTotalLength() / 2).matrixTransform(p.getScreenCTM());
    return { x: q.x, y: q.y };
  });
  await still.mouse.click(at.x, at.y);
  result.drawing_click = await still.evaluate(() => document.getElementById('preview-popup')?.textContent.replace(/\s+/g, ' ').trim() || '');
  if (!/sailed from .* to /.test(result.drawing_click)) fail('a click on a trip of the drawing is not answered: ' + result.drawing_click);
  await still.close();
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
  const own = ['land', 'track'];
  const missing = result.layers.filter((l) => !own.includes(l) && !result.layers_in_legend.includes(l));
  if (missing.length) fail('layers without a legend row: ' + missing.join(', '));
  if (result.foreign.length) fail('requests to other origins: ' + result.foreign.join(' '));
  if (result.console.length) fail('console: ' + result.console.join(' | '));
} catch (err) {
  if (!(opt.first_screen_only && err.message === 'stop')) fail(String(err));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
