// Lookout's web map. Everything it draws comes from the Lookout API on the
// same origin: the basemap is the bundled Natural Earth land and port list,
// so the page works with no internet and makes no third-party requests.
import * as maplibregl from 'maplibre-gl';

maplibregl.setWorkerUrl(new URL('/maplibre-gl-worker.js', location.href).href);
// Two GeoJSON sources need no more than one worker; each costs a parse of the worker script.
maplibregl.setWorkerCount(1);

const $ = (id) => document.getElementById(id);
const REGION = [110, 20, 160, 60]; // the basemap's box: the seas around Korea, Japan and Primorye
const EVENT_COLORS = {
  port_visit: '#2b7bb9', voyage: '#888888', encounter: '#d7301f', loitering: '#fc8d59', gap: '#6a51a3',
  possible_dark_port_visit: '#000000', spoofing: '#e7298a', identity_change: '#1b9e77', draught_change: '#66a61e',
  sanctions_match: '#b2182b', dark_detection: '#ff7f00',
};
const empty = () => ({ type: 'FeatureCollection', features: [] });

// state is what the URL hash holds, so a link reopens the same view.
const state = { v: '', t: '', types: '', since: '', until: '', area: '', from: 'RU-FE', to: 'KP', map: '' };
let track = null; // { coords, times }

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of Object.keys(state)) if (p.has(k)) state[k] = p.get(k);
}
function writeHash() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
  history.replaceState(null, '', '#' + p.toString());
}

function status(msg) { $('status').textContent = msg || ''; }

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
const fmtTime = (t) => (t ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') : '');

readHash();
let keepView = Boolean(state.map && state.v);
const view = state.map.split('/').map(Number);
const map = new maplibregl.Map({
  container: 'map',
  style: {
    version: 8,
    sources: {
      land: { type: 'geojson', data: `/api/basemap/land?bbox=${REGION.join(',')}` },
      ports: { type: 'geojson', data: `/api/ports?bbox=${REGION.join(',')}` },
      track: { type: 'geojson', data: empty() },
      past: { type: 'geojson', data: empty() },
      here: { type: 'geojson', data: empty() },
      events: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe3f2' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f2efe6', 'fill-outline-color': '#9a9788' } },
      { id: 'ports', type: 'circle', source: 'ports', paint: {
        'circle-radius': ['case', ['>', ['length', ['get', 'groups']], 0], 4, 2.5],
        'circle-color': ['case', ['in', 'KP', ['get', 'groups']], '#c0392b', ['in', 'RU-FE', ['get', 'groups']], '#2c3e91', '#555'],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      { id: 'track', type: 'line', source: 'track', paint: { 'line-color': '#7a8fa6', 'line-width': 1.5, 'line-opacity': 0.7 } },
      { id: 'past', type: 'line', source: 'past', paint: { 'line-color': '#0b4f9c', 'line-width': 2.5 } },
      { id: 'events', type: 'circle', source: 'events', paint: {
        'circle-radius': 6, 'circle-color': ['match', ['get', 'type'], ...Object.entries(EVENT_COLORS).flat(), '#444'],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
      { id: 'here', type: 'circle', source: 'here', paint: { 'circle-radius': 7, 'circle-color': '#ffd400', 'circle-stroke-color': '#0b4f9c', 'circle-stroke-width': 2 } },
    ],
  },
  center: view.length === 3 && view.every(Number.isFinite) ? [view[2], view[1]] : [134, 40],
  zoom: view.length === 3 && Number.isFinite(view[0]) ? view[0] : 4.3,
  attributionControl: false,
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
map.addControl(new maplibregl.ScaleControl());
map.addControl(new maplibregl.AttributionControl({ customAttribution: 'Land: Natural Earth · Ports: World Port Index' }));
map.on('moveend', () => {
  const c = map.getCenter();
  state.map = `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`;
  writeHash();
  if ($('area').checked) loadEvents();
});

// Popups: an event's evidence, a port's name and groups.
function evidenceTable(ev) {
  if (!ev) return '';
  const obj = typeof ev === 'string' ? JSON.parse(ev) : ev;
  return '<table>' + Object.entries(obj).map(([k, v]) =>
    `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('') + '</table>';
}
map.on('click', 'events', (e) => {
  const p = e.features[0].properties;
  const other = p.other_mmsi ? ` · other <a class="ev" data-mmsi="${esc(p.other_mmsi)}">${esc(p.other_mmsi)}</a>` : '';
  const html = `<div class="popup"><b>${esc(p.type)}</b> · MMSI <a class="ev" data-mmsi="${esc(p.mmsi)}">${esc(p.mmsi)}</a>${other}<br>
    ${esc(fmtTime(p.start))} → ${esc(fmtTime(p.end))} (${esc(p.hours)} h)<br>
    ${p.port ? `port ${esc(p.port)} ${p.port_group ? '(' + esc(p.port_group) + ')' : ''}<br>` : ''}
    confidence ${esc(p.confidence)}${evidenceTable(p.evidence)}</div>`;
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(e.lngLat).setHTML(html).addTo(map);
});
map.on('click', 'ports', (e) => {
  const p = e.features[0].properties;
  const groups = JSON.parse(p.groups || '[]');
  new maplibregl.Popup().setLngLat(e.lngLat)
    .setHTML(`<div class="popup"><b>${esc(p.name)}</b> (${esc(p.country)})<br>WPI ${esc(p.id)} ${groups.length ? '· ' + esc(groups.join(', ')) : ''}</div>`).addTo(map);
});
for (const l of ['events', 'ports']) {
  map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
}
document.addEventListener('click', (e) => {
  const a = e.target.closest('a.ev');
  if (!a) return;
  if (a.dataset.mmsi) selectVessel(a.dataset.mmsi);
  if (a.dataset.lon) map.flyTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 7) });
});

// Search.
async function search(q) {
  status('searching…');
  try {
    const r = await api(`/api/vessels?limit=100${q ? '&q=' + encodeURIComponent(q) : ''}`);
    const ol = $('results');
    ol.replaceChildren();
    for (const v of r.vessels) {
      const li = document.createElement('li');
      li.dataset.mmsi = v.mmsi;
      li.innerHTML = `<span class="risk">${v.risk ? v.risk.toFixed(0) : ''}</span>${esc(v.name || '(no name)')}<br>
        <span class="muted">MMSI ${v.mmsi}${v.imo ? ' · IMO ' + v.imo : ''} · ${esc(v.flag || '')}</span>`;
      li.addEventListener('click', () => selectVessel(String(v.mmsi)));
      ol.append(li);
    }
    ol.dataset.query = q;
    status(r.vessels.length ? '' : `no vessel matches “${q}”`);
  } catch (err) { status(err.message); }
}
$('search-form').addEventListener('submit', (e) => { e.preventDefault(); search($('search').value.trim()); });

// Dossier and track.
async function selectVessel(mmsi) {
  state.v = mmsi;
  writeHash();
  for (const li of $('results').children) li.classList.toggle('sel', li.dataset.mmsi === mmsi);
  status(`loading ${mmsi}…`);
  try {
    const [d, t] = await Promise.all([api(`/api/vessels/${mmsi}`), api(`/api/vessels/${mmsi}/track?tolerance_m=30`)]);
    showDossier(d);
    showTrack(t);
    await loadEvents();
    status('');
  } catch (err) { status(err.message); }
}

function eventRows(evs) {
  return evs.map((e) => `<tr><td><a class="ev" data-lon="${e.lon}" data-lat="${e.lat}">${esc(e.type)}</a></td>
    <td>${esc(fmtTime(e.start))}</td><td>${esc(e.port || (e.other_mmsi ? 'with ' + e.other_mmsi : ''))}</td>
    <td>${esc(typeof e.confidence === 'number' ? e.confidence.toFixed(2) : '')}</td></tr>`).join('');
}

function showDossier(d) {
  const el = $('dossier');
  const rs = d.risk_score;
  // A factor cites its events by ID: link each to where it happened.
  const byID = new Map([...d.port_calls, ...d.events, ...d.sanctions_matches].map((e) => [e.id, e]));
  const cite = (ids) => (ids || []).slice(0, 6).map((id) => byID.get(id)).filter(Boolean).map((e) =>
    `<a class="ev" data-lon="${e.lon}" data-lat="${e.lat}" title="${esc(e.id)}">${esc(e.type)} ${esc(fmtTime(e.start).slice(0, 10))}</a>`).join(', ');
  const factors = rs ? rs.factors.map((f) => `<tr><td>${esc(f.name)}</td><td>${f.points}</td><td>${esc(f.detail)}<br>${cite(f.event_ids)}</td></tr>`).join('') : '';
  const ids = d.identities.map((i) => `<tr><td>${esc(fmtTime(i.time))}</td><td>${esc(i.name)}</td><td>${i.imo || ''}</td>
    <td>${esc(i.call_sign)}</td><td>${i.draught_m || ''}</td><td>${esc(i.destination)}</td></tr>`).join('');
  const sanc = d.sanctions_matches.map((e) => `<tr><td>${esc(e.evidence?.list)}</td><td>${esc(e.evidence?.entry_name)}</td>
    <td>${e.confidence.toFixed(2)}</td><td>${esc(e.evidence?.reason)}</td></tr>`).join('');
  el.innerHTML = `<button class="close" type="button" aria-label="Close">×</button>
    <h2 id="dossier-name">${esc(d.name || '(no name)')}</h2>
    <p>MMSI <b id="dossier-mmsi">${d.mmsi}</b>${d.imo ? ' · IMO ' + d.imo : ''} · flag ${esc(d.flag || '?')}<br>
    seen ${esc(fmtTime(d.first_seen))} → ${esc(fmtTime(d.last_seen))}</p>
    <h3>Risk ${rs ? rs.total : 0}</h3><table>${factors || '<tr><td>no risk factors</td></tr>'}</table>
    <h3>Sanctions matches (${d.sanctions_matches.length})</h3><table>${sanc}</table>
    <h3>Identity history (${d.identities.length})</h3>
    <table><tr><th>from</th><th>name</th><th>IMO</th><th>call sign</th><th>draught</th><th>destination</th></tr>${ids}</table>
    <h3>Port calls (${d.port_calls.length})</h3><table>${eventRows(d.port_calls)}</table>
    <h3>Events (${d.events.length})</h3><table>${eventRows(d.events)}</table>`;
  el.hidden = false;
  el.querySelector('.close').addEventListener('click', () => {
    el.hidden = true; $('timebar').hidden = true; state.v = ''; state.t = ''; writeHash();
    track = null;
    for (const s of ['track', 'past', 'here']) map.getSource(s).setData(empty());
    loadEvents();
  });
  map.resize();
}

function showTrack(fc) {
  const f = fc.features[0];
  if (!f || f.geometry.type !== 'LineString') {
    track = null;
    map.getSource('track').setData(fc);
    $('timebar').hidden = true;
    return;
  }
  track = { coords: f.geometry.coordinates, times: f.properties.times };
  map.getSource('track').setData(fc);
  if (keepView) keepView = false; // a shared link keeps its view
  else {
    const b = new maplibregl.LngLatBounds();
    for (const c of track.coords) b.extend(c);
    map.fitBounds(b, { padding: 40, maxZoom: 9, duration: 0 });
  }
  $('timebar').hidden = false;
  const s = $('slider');
  s.min = track.times[0];
  s.max = track.times[track.times.length - 1];
  s.value = state.t && Number(state.t) >= Number(s.min) && Number(state.t) <= Number(s.max) ? state.t : s.max;
  drawUntil(Number(s.value));
  map.resize();
}

// drawUntil draws the track up to time t and the vessel's position then.
function drawUntil(t) {
  if (!track) return;
  let i = 0;
  while (i < track.times.length - 1 && track.times[i + 1] <= t) i++;
  const part = track.coords.slice(0, i + 1);
  map.getSource('past').setData(part.length > 1
    ? { type: 'Feature', geometry: { type: 'LineString', coordinates: part }, properties: {} } : empty());
  map.getSource('here').setData({ type: 'Feature', geometry: { type: 'Point', coordinates: track.coords[i] }, properties: {} });
  $('slider-time').textContent = fmtTime(t * 1000) + ' UTC';
}
$('slider').addEventListener('input', (e) => {
  state.t = e.target.value;
  drawUntil(Number(state.t));
  writeHash();
});

// Events.
async function loadEvents() {
  const p = new URLSearchParams({ limit: '2000' });
  const types = [...$('types').selectedOptions].map((o) => o.value);
  state.types = types.join(',');
  state.since = $('since').value;
  state.until = $('until').value;
  state.area = $('area').checked ? '1' : '';
  if (types.length) p.set('type', types.join(','));
  if (state.since) p.set('since', state.since);
  if (state.until) p.set('until', state.until);
  if (state.area) {
    const b = map.getBounds();
    const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
    p.set('bbox', [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map((x) => x.toFixed(4)).join(','));
  }
  const onlyVessel = Boolean(state.v && $('only-vessel').checked);
  if (onlyVessel) p.set('mmsi', state.v);
  writeHash();
  try {
    const fc = await api('/api/events?' + p.toString());
    map.getSource('events').setData(fc);
    $('event-status').textContent = eventStatus(fc.features.length, fc.truncated, onlyVessel);
  } catch (err) { $('event-status').textContent = err.message; }
}

// eventStatus says what the map draws: whose events, and whether the
// list was cut, so the count never reads as more than is on the map.
function eventStatus(n, truncated, onlyVessel) {
  let s = `${n} events of ${onlyVessel ? 'vessel ' + state.v : 'all vessels'}${state.area ? ' in view' : ''} on the map`;
  if (truncated) s += ` (only the first ${n}: narrow the filters)`;
  if (!state.v && $('only-vessel').checked) s += ' — pick a vessel to show only its events';
  return s;
}
$('apply').addEventListener('click', loadEvents);

// Trips per month, as an inline SVG bar chart: seen trips and possible dark ones stacked.
async function loadTrips() {
  state.from = $('trip-from').value;
  state.to = $('trip-to').value;
  writeHash();
  const box = $('trips-chart');
  if (state.from === state.to) { box.textContent = 'Choose two different groups.'; return; }
  try {
    const r = await api(`/api/trips?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`);
    const rows = r.by_month.filter((m) => m.from === state.from && m.to === state.to);
    if (!rows.length) { box.textContent = `No trips ${state.from} → ${state.to}.`; return; }
    const W = 270, H = 140, pad = 18, bw = (W - pad) / rows.length;
    const max = Math.max(...rows.map((m) => m.trips + m.possible_dark_trips), 1);
    const y = (v) => (H - pad) * v / max;
    let bars = '';
    rows.forEach((m, i) => {
      const x = pad + i * bw + 2, hs = y(m.trips), hd = y(m.possible_dark_trips);
      bars += `<rect x="${x}" y="${H - pad - hs}" width="${bw - 4}" height="${hs}" fill="#2c3e91"><title>${m.month}: ${m.trips} seen</title></rect>`;
      bars += `<rect x="${x}" y="${H - pad - hs - hd}" width="${bw - 4}" height="${hd}" fill="#111"><title>${m.month}: ${m.possible_dark_trips} possible dark</title></rect>`;
      bars += `<text x="${x + (bw - 4) / 2}" y="${H - 5}" text-anchor="middle">${m.month.slice(2)}</text>`;
    });
    box.innerHTML = `<svg id="trips-svg" width="${W}" height="${H}" role="img" aria-label="Trips per month">
      <text x="0" y="10">${max}</text><line x1="${pad}" y1="${H - pad}" x2="${W}" y2="${H - pad}" stroke="#999"/>${bars}</svg>
      <p class="muted"><span style="color:#2c3e91">■</span> seen in AIS <span style="color:#111">■</span> possible dark (${r.trips.length} trips)</p>`;
  } catch (err) { box.textContent = err.message; }
}

async function init() {
  for (const t of Object.keys(EVENT_COLORS)) $('types').append(new Option(t.replaceAll('_', ' '), t, false, state.types.split(',').includes(t)));
  $('since').value = state.since;
  $('until').value = state.until;
  $('area').checked = state.area === '1';
  try {
    const g = await api('/api/groups');
    for (const sel of ['trip-from', 'trip-to']) for (const x of g.groups) $(sel).append(new Option(x.name, x.name));
  } catch (err) { status(err.message); }
  $('trip-from').value = state.from;
  $('trip-to').value = state.to;
  for (const id of ['trip-from', 'trip-to']) $(id).addEventListener('change', loadTrips);
  await Promise.all([search(''), loadTrips(), mapLoaded]);
  if (state.v) await selectVessel(state.v);
  else await loadEvents();
  document.body.dataset.ready = '1';
}
// The side panel's data loads while the map starts; only map layers wait for it.
const timings = { script: performance.now() };
const mapLoaded = new Promise((resolve) => map.once('load', () => { timings.map_load = performance.now(); resolve(); }));
init().then(() => { timings.ready = performance.now(); });
map.once('idle', () => { timings.first_idle = performance.now(); });

// For the end-to-end test and the curious: window.lookout.map is the map.
window.lookout = { map, state, selectVessel, timings };
