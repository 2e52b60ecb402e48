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
// notice says, where the map is, why a link did not open what it names.
function notice(msg) {
  const el = $('notice');
  el.textContent = el.hidden ? msg : el.textContent + ' ' + msg;
  el.hidden = false;
}

// checkHash drops link state the page cannot use, saying so, so a bad
// link opens the usual map with a message instead of a blank one.
function checkHash() {
  const bad = [];
  for (const k of ['since', 'until']) {
    if (state[k] && !/^\d{4}-\d{2}-\d{2}$/.test(state[k]) || state[k] && Number.isNaN(Date.parse(state[k]))) {
      bad.push(`${k} date “${state[k]}”`);
      state[k] = '';
    }
  }
  if (state.since && state.until && state.since > state.until) {
    bad.push(`dates from ${state.since} until ${state.until} (the end is before the start)`);
    state.since = state.until = '';
  }
  if (state.v && !/^\d{9}$/.test(state.v)) {
    bad.push(`vessel “${state.v}” (an MMSI has 9 digits)`);
    state.v = '';
  }
  const vw = state.map ? state.map.split('/').map(Number) : [];
  if (state.map && (vw.length !== 3 || !vw.every(Number.isFinite) || Math.abs(vw[1]) > 90)) {
    bad.push(`map view “${state.map}”`);
    state.map = '';
  }
  if (bad.length) notice(`This link has a bad ${bad.join(', ')}: showing the whole story instead.`);
}

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
checkHash();
let keepView = Boolean(state.map && state.v);
const linkedView = Boolean(state.map); // a link's view wins over fitting the story
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
      // Clusters when zoomed out: the whole period's events stay on the map
      // without hiding the trips under thousands of dots.
      events: { type: 'geojson', data: empty(), cluster: true, clusterMaxZoom: 7, clusterRadius: 30 },
      groups: { type: 'geojson', data: empty() },
      trips: { type: 'geojson', data: empty() },
      fleet: { type: 'geojson', data: empty() },
      hover: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe3f2' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f2efe6', 'fill-outline-color': '#9a9788' } },
      { id: 'group-fill', type: 'fill', source: 'groups', paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.12 } },
      { id: 'group-line', type: 'line', source: 'groups', paint: { 'line-color': ['get', 'color'], 'line-width': 2 } },
      // line-dasharray cannot follow data, so seen, possibly dark and
      // port-to-port trips are three layers over one source.
      { id: 'trips-seen', type: 'line', source: 'trips', filter: ['all', ['!', ['get', 'possible_dark']], ['!', ['has', 'straight']]],
        layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', 'color'], 'line-width': 2.5, 'line-opacity': 0.85 } },
      { id: 'trips-dark', type: 'line', source: 'trips', filter: ['all', ['get', 'possible_dark'], ['!', ['has', 'straight']]],
        paint: { 'line-color': ['get', 'color'], 'line-width': 2, 'line-opacity': 0.85, 'line-dasharray': [3, 2] } },
      { id: 'trips-straight', type: 'line', source: 'trips', filter: ['has', 'straight'],
        paint: { 'line-color': ['get', 'color'], 'line-width': 1.5, 'line-opacity': 0.8, 'line-dasharray': [0.5, 2] } },
      // Learned port areas come in the same answer as the catalogue's ports.
      { id: 'learned-ports', type: 'fill', source: 'ports', filter: ['==', ['get', 'kind'], 'learned'],
        paint: { 'fill-color': '#00897b', 'fill-opacity': 0.35, 'fill-outline-color': '#00695c' } },
      { id: 'ports', type: 'circle', source: 'ports', filter: ['==', ['get', 'kind'], 'wpi'], paint: {
        'circle-radius': ['case', ['>', ['length', ['coalesce', ['get', 'groups'], ['literal', []]]], 0], 4, 2.5],
        'circle-color': ['case', ['in', 'KP', ['coalesce', ['get', 'groups'], ['literal', []]]], '#c0392b',
          ['in', 'RU-FE', ['coalesce', ['get', 'groups'], ['literal', []]]], '#2c3e91', '#555'],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      { id: 'track', type: 'line', source: 'track', paint: { 'line-color': '#7a8fa6', 'line-width': 1.5, 'line-opacity': 0.7 } },
      { id: 'past', type: 'line', source: 'past', paint: { 'line-color': '#0b4f9c', 'line-width': 2.5 } },
      { id: 'event-clusters', type: 'circle', source: 'events', filter: ['has', 'point_count'], paint: {
        'circle-radius': ['step', ['get', 'point_count'], 5, 10, 8, 100, 12, 1000, 16],
        'circle-color': '#6a51a3', 'circle-opacity': 0.35, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      { id: 'events', type: 'circle', source: 'events', filter: ['!', ['has', 'point_count']], paint: {
        'circle-radius': 6, 'circle-color': ['match', ['get', 'type'], ...Object.entries(EVENT_COLORS).flat(), '#444'],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
      { id: 'fleet', type: 'circle', source: 'fleet', paint: { 'circle-radius': 6, 'circle-color': ['get', 'color'],
        'circle-stroke-color': '#000', 'circle-stroke-width': 1.5 } },
      { id: 'hover', type: 'circle', source: 'hover', paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#ffb000', 'circle-stroke-width': 3 } },
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

// The story: the watched groups outlined, the trips between them as
// tracks coloured by vessel, the headline figures and a legend for all.
const GROUP_COLORS = ['#2c3e91', '#c0392b', '#7b3294', '#008837'];
const VESSEL_COLORS = ['#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00', '#a65628', '#f781bf', '#1b9e77',
  '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#17becf', '#bcbd22', '#8c564b'];
const vesselColor = new Map(); // MMSI → colour, shared by trips, legend and playback
let groupMarkers = [];

// hull is the convex hull (Andrew's monotone chain) of pts.
function hull(pts) {
  const p = [...pts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list) => {
    const h = [];
    for (const q of list) {
      while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], q) <= 0) h.pop();
      h.push(q);
    }
    h.pop();
    return h;
  };
  const ring = [...half(p), ...half(p.reverse())];
  return [...ring, ring[0]];
}

// groupOutline draws a group as the hull of circles round its ports
// (catalogue positions), so a one-port group is still an area.
function groupOutline(name, color, ports) {
  const pts = [];
  for (const f of ports) {
    const [lon, lat] = f.geometry.coordinates;
    const r = 0.3; // degrees of latitude, about 33 km
    for (let k = 0; k < 16; k++) {
      const a = (k / 16) * 2 * Math.PI;
      pts.push([lon + (r * Math.cos(a)) / Math.cos((lat * Math.PI) / 180), lat + r * Math.sin(a)]);
    }
  }
  return { type: 'Feature', properties: { name, color, ports: ports.length }, geometry: { type: 'Polygon', coordinates: [hull(pts)] } };
}

function label(cls, text, lngLat, anchor, bg) {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = text;
  if (bg) el.style.background = bg;
  const m = new maplibregl.Marker({ element: el, anchor }).setLngLat(lngLat).addTo(map);
  groupMarkers.push(m);
}

async function loadGroups() {
  for (const m of groupMarkers) m.remove();
  groupMarkers = [];
  const names = [state.from, state.to].filter((g, i, a) => g && a.indexOf(g) === i);
  const feats = [];
  const sym = [];
  await Promise.all(names.map(async (g, i) => {
    const fc = await api(`/api/ports?kind=wpi&group=${encodeURIComponent(g)}`);
    if (!fc.features.length) return;
    const color = GROUP_COLORS[i % GROUP_COLORS.length];
    const f = groupOutline(g, color, fc.features);
    feats.push(f);
    sym.push([g, color, fc.features.length]);
    const ring = f.geometry.coordinates[0];
    const top = ring.reduce((a, b) => (b[1] > a[1] ? b : a));
    label('group-label', g, top, 'bottom', color);
    for (const p of fc.features) label('port-label', p.properties.name, p.geometry.coordinates, 'left');
  }));
  map.getSource('groups').setData({ type: 'FeatureCollection', features: feats });
  return sym;
}

async function loadStory() {
  try {
    const url = `/api/story?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`;
    // The first answer was asked for while the map started (see below).
    const pending = prefetched?.url === url ? prefetched.p : api(url);
    prefetched = null;
    const [st, groups] = await Promise.all([pending, loadGroups()]);
    const perVessel = new Map();
    for (const f of st.tracks.features) perVessel.set(f.properties.mmsi, (perVessel.get(f.properties.mmsi) || 0) + 1);
    const order = [...perVessel.keys()].sort((a, b) => perVessel.get(b) - perVessel.get(a) || a - b);
    vesselColor.clear();
    order.forEach((m, i) => vesselColor.set(m, VESSEL_COLORS[i % VESSEL_COLORS.length]));
    for (const f of st.tracks.features) f.properties.color = vesselColor.get(f.properties.mmsi);
    map.getSource('trips').setData(st.tracks);
    if (!linkedView && !fitted && !state.v && st.tracks.features.length) {
      fitted = true;
      const b = new maplibregl.LngLatBounds();
      for (const f of st.tracks.features) for (const c of f.geometry.coordinates) b.extend(c);
      map.fitBounds(b, { padding: { top: 30, bottom: 30, left: 280, right: 40 }, maxZoom: 8, duration: 0 });
    }
    story = st;
    fleetTrips = st.tracks.features.map((f) => ({ times: f.properties.times, coords: f.geometry.coordinates,
      mmsi: f.properties.mmsi, color: f.properties.color }));
    if (!track) storyTimeline();
    headline(st);
    legend(groups, order.map((m) => ({ mmsi: m, name: st.names[m] || '', trips: perVessel.get(m) })));
  } catch (err) { $('headline').textContent = err.message; }
}
let story = null;
// The story is the slowest answer the first screen needs: ask for it now,
// while MapLibre starts, not after the map's load event.
let prefetched = { url: `/api/story?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}` };
prefetched.p = api(prefetched.url);
prefetched.p.catch(() => {}); // reported when loadStory awaits it
let fitted = false; // the story frames the map once, not at every update

function headline(st) {
  const share = (st.oil_cap || []).map((y) => `${y.year}: <b>${Math.round(y.cap_share.Central * 100)}%</b> of the UN 500,000-barrel cap
    (${Math.round(y.cap_share.Low * 100)}–${Math.round(y.cap_share.High * 100)}%, ${y.deliveries} deliveries)`).join('; ');
  $('headline').innerHTML = `${esc(st.from)} → ${esc(st.to)}: <b id="h-trips">${st.trips + st.possible_dark_trips}</b> trips
    (${st.trips} seen in AIS, ${st.possible_dark_trips} possibly dark) by <b id="h-vessels">${st.vessels}</b> vessels
    · oil delivered to KP ${share || 'none estimated'}`;
}

function sw(kind, color) {
  const line = (dash) => `<svg width="28" height="10"><line x1="1" y1="5" x2="27" y2="5" stroke="${color}" stroke-width="2.5" ${dash ? `stroke-dasharray="${dash}"` : ''}/></svg>`;
  if (kind === 'solid') return line('');
  if (kind === 'dash') return line('6 4');
  if (kind === 'dot') return line('1 4');
  if (kind === 'area') return `<svg width="28" height="14"><rect x="1" y="1" width="26" height="12" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="2"/></svg>`;
  return `<svg width="28" height="14"><circle cx="14" cy="7" r="5" fill="${color}" stroke="#fff"/></svg>`;
}

// legend lists every symbol on the map; a checkbox switches its layers.
function legend(groups, vessels) {
  const item = (layers, swatch, text) => `<li><label><input type="checkbox" checked data-layers="${layers}">${swatch}<span>${text}</span></label></li>`;
  const rows = [
    ...groups.map(([g, c, n]) => item('group-fill,group-line', sw('area', c), `port group ${esc(g)} (${n} ports)`)),
    item('trips-seen', sw('solid', '#333'), 'trip seen in AIS at both ends'),
    item('trips-dark', sw('dash', '#333'), 'trip with a possible dark port visit'),
    item('trips-straight', sw('dot', '#333'), 'trip without positions: port to port'),
    item('ports', sw('circle', '#c0392b'), 'port (red KP, blue RU-FE, grey other; World Port Index)'),
    item('learned-ports', sw('area', '#00897b'), 'port area learned from where vessels stopped'),
    item('fleet', sw('circle', '#777'), 'vessel on a trip at the timeline\'s time (▶ plays)'),
    item('hover', sw('circle', '#ffb000'), 'event under the pointer in the event list'),
    item('event-clusters', sw('circle', '#b3a6d1'), 'cluster of events (zoom in to split)'),
  ];
  $('legend-symbols').innerHTML = rows.join('');
  $('legend-events').innerHTML = Object.entries(EVENT_COLORS).map(([t, c]) => item('events', sw('circle', c), `event: ${t.replaceAll('_', ' ')}`)).join('');
  $('legend-vessels').innerHTML = vessels.map((v) => `<li>${sw('solid', vesselColor.get(v.mmsi))}
    <a class="ev" data-mmsi="${v.mmsi}">${esc(v.name || 'MMSI ' + v.mmsi)}</a> <span class="muted">${v.trips} trips</span></li>`).join('')
    || '<li class="muted">no trips between these groups</li>';
}
$('legend').addEventListener('change', (e) => {
  const box = e.target.closest('input[data-layers]');
  if (!box) return;
  // Event types share one layer: a type's box filters it out instead.
  for (const l of box.dataset.layers.split(',')) {
    if (l === 'events') continue;
    map.setLayoutProperty(l, 'visibility', box.checked ? 'visible' : 'none');
  }
  if (box.dataset.layers === 'events') {
    const off = [...$('legend').querySelectorAll('input[data-layers="events"]')].filter((b) => !b.checked)
      .map((b) => b.closest('li').textContent.trim().replace('event: ', '').replaceAll(' ', '_'));
    map.setFilter('events', off.length ? ['!', ['in', ['get', 'type'], ['literal', off]]] : null);
  }
});

map.on('click', ['trips-seen', 'trips-dark', 'trips-straight'], (e) => {
  const p = e.features[0].properties;
  const name = story?.names[p.mmsi] || 'MMSI ' + p.mmsi;
  new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(e.lngLat).setHTML(`<div class="popup"><b>${esc(name)}</b>
    sailed from ${esc(p.depart)} (${esc(p.from)}) to ${esc(p.arrive)} (${esc(p.to)}),
    ${esc(fmtTime(p.start))} → ${esc(fmtTime(p.end))} UTC.<br>
    ${p.possible_dark ? 'One end is a <b>possible dark port visit</b>: AIS went silent near the port.' : 'Seen in AIS at both ports.'}
    ${p.straight ? '<br>No positions between the calls: the line joins the ports.' : ''}
    <br><a class="ev" data-mmsi="${esc(p.mmsi)}">open the dossier</a></div>`).addTo(map);
});

// Popups: an event's evidence, a port's name and groups.
map.on('click', 'event-clusters', (e) => {
  map.easeTo({ center: e.features[0].geometry.coordinates, zoom: map.getZoom() + 2 });
});
// sure puts every detector's confidence on one scale people can read:
// port visits carry Global Fishing Watch's grade 2-4 (stop, entry, exit),
// the others a probability 0-1; printed side by side they read as "4.00"
// beside "0.80".
function sure(type, c) {
  if (typeof c !== 'number') return { word: 'unknown', detail: '' };
  if (type === 'port_visit' || c > 1) {
    return { word: c >= 4 ? 'high' : c >= 3 ? 'medium' : 'low', detail: `grade ${c} of 4: stop${c >= 3 ? ', entry' : ''}${c >= 4 ? ' and exit' : ''} seen` };
  }
  return { word: c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low', detail: `${Math.round(c * 100)}%` };
}
const WHAT = {
  port_visit: 'called at a port', voyage: 'sailed between ports', encounter: 'met another vessel at sea',
  loitering: 'loitered at sea', gap: 'stopped transmitting AIS', possible_dark_port_visit: 'possibly called at a port with AIS off',
  spoofing: 'reported impossible positions', identity_change: 'changed its broadcast identity', draught_change: 'changed its draught (loaded or unloaded)',
  sanctions_match: 'matched a sanctions list', dark_detection: 'satellite saw a vessel not transmitting AIS',
};
// evidenceSentence turns the detector's evidence into one short sentence.
function evidenceSentence(obj) {
  const fmt = (v) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  const parts = Object.entries(obj || {}).filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 6).map(([k, v]) => `${k.replaceAll('_', ' ')} ${fmt(v)}`);
  return parts.length ? parts.join(', ') + '.' : '';
}
function eventPopup(p) {
  const ev = typeof p.evidence === 'string' ? JSON.parse(p.evidence || '{}') : p.evidence || {};
  const s = sure(p.type, Number(p.confidence));
  const name = story?.names?.[p.mmsi] || 'MMSI ' + p.mmsi;
  const other = p.other_mmsi ? ` with <a class="ev" data-mmsi="${esc(p.other_mmsi)}">MMSI ${esc(p.other_mmsi)}</a>` : '';
  const where = p.port ? ` at ${esc(p.port)}${p.port_group ? ' (' + esc(p.port_group) + ')' : ''}` : '';
  return `<div class="popup"><b>${esc(name)}</b> ${esc(WHAT[p.type] || p.type.replaceAll('_', ' '))}${other}${where}.<br>
    When: ${esc(fmtTime(p.start))} → ${esc(fmtTime(p.end))} UTC${p.hours ? ` (${esc(p.hours)} h)` : ''}.<br>
    Where: ${Number(p.lat ?? 0).toFixed(3)}°, ${Number(p.lon ?? 0).toFixed(3)}°.<br>
    How sure: <b>${s.word}</b> (${esc(s.detail)}).<br>
    ${evidenceSentence(ev) ? 'Evidence: ' + esc(evidenceSentence(ev)) + '<br>' : ''}
    <a class="ev" data-mmsi="${esc(p.mmsi)}">open the dossier</a>
    <details><summary>raw JSON</summary><pre>${esc(JSON.stringify({ ...p, evidence: ev }, null, 1))}</pre></details></div>`;
}
map.on('click', 'events', (e) => {
  const f = e.features[0];
  const p = { ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(e.lngLat).setHTML(eventPopup(p)).addTo(map);
});
map.on('click', 'ports', (e) => {
  const p = e.features[0].properties;
  const groups = JSON.parse(p.groups || '[]');
  new maplibregl.Popup().setLngLat(e.lngLat)
    .setHTML(`<div class="popup"><b>${esc(p.name)}</b> (${esc(p.country)})<br>WPI ${esc(p.id)} ${groups.length ? '· ' + esc(groups.join(', ')) : ''}</div>`).addTo(map);
});
for (const l of ['events', 'event-clusters', 'ports', 'trips-seen', 'trips-dark', 'trips-straight']) {
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
// A search moves the map: the best match is opened and its track framed.
$('search-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('search').value.trim();
  await search(q);
  const first = $('results').firstElementChild;
  if (q && first) await selectVessel(first.dataset.mmsi);
});

// Dossier and track.
async function selectVessel(mmsi) {
  state.v = mmsi;
  writeHash();
  for (const li of $('results').children) li.classList.toggle('sel', li.dataset.mmsi === mmsi);
  status(`loading ${mmsi}…`);
  try {
    const [d, t] = await Promise.all([api(`/api/vessels/${mmsi}`), api(`/api/vessels/${mmsi}/track?tolerance_m=30`)]);
    showDossier(d);
    // The legend folds away so the vessel's track is not hidden under it.
    $('legend').open = false;
    showTrack(t);
    await loadEvents();
    status('');
  } catch (err) { status(err.message); }
}

function eventRows(evs) {
  return evs.map((e) => `<tr><td><a class="ev" data-lon="${e.lon}" data-lat="${e.lat}">${esc(e.type)}</a></td>
    <td>${esc(fmtTime(e.start))}</td><td>${esc(e.port || (e.other_mmsi ? 'with ' + e.other_mmsi : ''))}</td>
    <td title="${esc(sure(e.type, e.confidence).detail)}">${esc(sure(e.type, e.confidence).word)}</td></tr>`).join('');
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
    el.hidden = true; state.v = ''; state.t = ''; writeHash();
    track = null;
    for (const s of ['track', 'past', 'here']) map.getSource(s).setData(empty());
    storyTimeline();
    loadEvents();
  });
  map.resize();
}

function showTrack(fc) {
  const f = fc.features[0];
  if (!f || f.geometry.type !== 'LineString') {
    track = null;
    map.getSource('track').setData(fc);
    storyTimeline();
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
  drawAt(Number(s.value));
  map.resize();
}

// The story's timeline: every trip's vessel where it was at time t, so
// the shuttle can be played back as a whole.
let fleetTrips = [];
function storyTimeline() {
  let lo = Infinity, hi = -Infinity;
  for (const f of fleetTrips) { lo = Math.min(lo, f.times[0]); hi = Math.max(hi, f.times[f.times.length - 1]); }
  if (!Number.isFinite(lo)) return;
  const s = $('slider');
  s.min = lo;
  s.max = hi;
  s.value = state.t && Number(state.t) >= lo && Number(state.t) <= hi ? state.t : lo;
  $('timebar').hidden = false;
  drawAt(Number(s.value));
  map.resize();
}
function fleetAt(t) {
  const feats = [];
  for (const f of fleetTrips) {
    const ts = f.times;
    if (t < ts[0] || t > ts[ts.length - 1]) continue;
    let a = 0, b = ts.length - 1;
    while (b - a > 1) { const m = (a + b) >> 1; if (ts[m] <= t) a = m; else b = m; }
    const k = ts[b] > ts[a] ? (t - ts[a]) / (ts[b] - ts[a]) : 0;
    const p = f.coords[a], q = f.coords[b];
    feats.push({ type: 'Feature', properties: { mmsi: f.mmsi, color: f.color },
      geometry: { type: 'Point', coordinates: [p[0] + k * (q[0] - p[0]), p[1] + k * (q[1] - p[1])] } });
  }
  return { type: 'FeatureCollection', features: feats };
}
function drawAt(t) {
  map.getSource('fleet').setData(fleetAt(t));
  if (track) drawUntil(t);
  $('slider-time').textContent = fmtTime(t * 1000) + ' UTC';
}
// Playback: the whole period in about a minute; fps is kept for the tests.
const playback = { on: false, frames: 0, since: 0, fps: 0 };
function frame(now) {
  if (!playback.on) return;
  const s = $('slider');
  const lo = Number(s.min), hi = Number(s.max);
  const dt = playback.last ? now - playback.last : 16;
  playback.last = now;
  let t = Number(s.value) + ((hi - lo) / 60000) * dt;
  if (t > hi) t = lo;
  s.value = t;
  drawAt(t);
  playback.frames++;
  if (now - playback.since >= 1000) { playback.fps = (playback.frames * 1000) / (now - playback.since); playback.frames = 0; playback.since = now; }
  requestAnimationFrame(frame);
}
$('play').addEventListener('click', () => {
  playback.on = !playback.on;
  $('play').textContent = playback.on ? '⏸' : '▶';
  if (playback.on) { playback.last = 0; playback.frames = 0; playback.since = performance.now(); requestAnimationFrame(frame); } else {
    state.t = String(Math.round(Number($('slider').value)));
    writeHash();
  }
});

// drawUntil draws the track up to time t and the vessel's position then.
function drawUntil(t) {
  if (!track) return;
  let i = 0;
  while (i < track.times.length - 1 && track.times[i + 1] <= t) i++;
  const part = track.coords.slice(0, i + 1);
  map.getSource('past').setData(part.length > 1
    ? { type: 'Feature', geometry: { type: 'LineString', coordinates: part }, properties: {} } : empty());
  map.getSource('here').setData({ type: 'Feature', geometry: { type: 'Point', coordinates: track.coords[i] }, properties: {} });
}
$('slider').addEventListener('input', (e) => {
  state.t = e.target.value;
  drawAt(Number(state.t));
  writeHash();
});

// Events.
async function loadEvents() {
  const p = new URLSearchParams({ limit: '10000' }); // clustered, so the API's cap, not a screenful
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
    eventList();
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
  for (const id of ['trip-from', 'trip-to']) $(id).addEventListener('change', () => { loadTrips(); loadStory(); });
  await Promise.all([search(''), loadTrips(), mapLoaded.then(loadStory)]);
  if (state.v) {
    const v = state.v;
    await selectVessel(v);
    if ($('dossier').hidden) {
      notice(`No vessel with MMSI ${v} in this store: showing the whole story instead.`);
      state.v = '';
      writeHash();
      await loadEvents();
    }
  }
  else await loadEvents();
  document.body.dataset.ready = '1';
}
// The side panel's data loads while the map starts; only map layers wait for it.
const timings = { script: performance.now() };
const mapLoaded = new Promise((resolve) => map.once('load', () => { timings.map_load = performance.now(); resolve(); }));
init().then(() => { timings.ready = performance.now(); });
map.once('idle', () => { timings.first_idle = performance.now(); });

// The event list beside the map: the loaded events inside the view,
// sortable by column and filtered by text; hovering a row rings the event
// on the map, clicking zooms to it.
const listSort = { k: 'start', dir: -1 };
let listRows = [];
function eventList() {
  if ($('event-list-box') && !$('event-list-box').open) return;
  const d = map.getSource('events')?._data;
  const fc = d && (d.geojson || d);
  const b = map.getBounds();
  const q = $('event-filter').value.trim().toLowerCase();
  listRows = (fc?.features || []).filter((f) => b.contains(f.geometry.coordinates)).map((f) => ({
    ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1],
    sure: sure(f.properties.type, Number(f.properties.confidence)).word }))
    .filter((r) => !q || `${r.type} ${r.port || ''} ${r.mmsi} ${r.other_mmsi || ''}`.toLowerCase().includes(q));
  const k = listSort.k;
  listRows.sort((a, z) => (a[k] > z[k] ? 1 : a[k] < z[k] ? -1 : 0) * listSort.dir);
  $('event-list').tBodies[0].innerHTML = listRows.slice(0, 300).map((r, i) => `<tr data-i="${i}"><td>${esc(r.type.replaceAll('_', ' '))}</td>
    <td>${esc(fmtTime(r.start).slice(0, 10))}</td><td>${esc(story?.names?.[r.mmsi] || r.mmsi)}</td><td>${esc(r.sure)}</td></tr>`).join('')
    + (listRows.length > 300 ? `<tr><td colspan="4" class="muted">${listRows.length - 300} more: zoom in or filter</td></tr>` : '');
}
$('event-list').tHead.addEventListener('click', (e) => {
  const k = e.target.dataset.k;
  if (!k) return;
  listSort.dir = listSort.k === k ? -listSort.dir : 1;
  listSort.k = k;
  eventList();
});
$('event-list').tBodies[0].addEventListener('mouseover', (e) => {
  const r = listRows[e.target.closest('tr')?.dataset.i];
  map.getSource('hover').setData(r ? { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [r.lon, r.lat] } } : empty());
});
$('event-list').tBodies[0].addEventListener('click', (e) => {
  const r = listRows[e.target.closest('tr')?.dataset.i];
  if (!r) return;
  map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 9) });
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat([r.lon, r.lat]).setHTML(eventPopup(r)).addTo(map);
});
$('event-filter').addEventListener('input', eventList);
$('event-list-box').addEventListener('toggle', eventList);
map.on('moveend', eventList);

// Export what is on screen: the trips, the selected vessel's track and the
// events inside the view, as GeoJSON or KML, built from what the map holds.
function viewFeatures() {
  const b = map.getBounds();
  const inView = (c) => b.contains(c);
  const touches = (f) => (f.geometry.type === 'Point' ? inView(f.geometry.coordinates) : f.geometry.coordinates.some(inView));
  const src = (id) => { const d = map.getSource(id)?._data; const fc = d && (d.geojson || d); return fc?.features || (fc?.type === 'Feature' ? [fc] : []); };
  const feats = [];
  for (const f of src('trips')) if (touches(f)) feats.push({ ...f, properties: { layer: 'trip', name: story?.names?.[f.properties.mmsi] || '', ...f.properties } });
  for (const f of src('track')) if (f.geometry?.type === 'LineString') feats.push({ ...f, properties: { layer: 'track', ...f.properties } });
  for (const f of src('events')) if (f.geometry && touches(f)) feats.push({ ...f, properties: { layer: 'event', ...f.properties } });
  return { type: 'FeatureCollection', features: feats };
}
function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
function toKML(fc) {
  const x = (s) => esc(s);
  const coords = (g) => (g.type === 'Point' ? [g.coordinates] : g.coordinates).map((c) => c.join(',')).join(' ');
  const marks = fc.features.map((f) => {
    const p = f.properties;
    const title = p.layer === 'event' ? `${p.type} ${p.mmsi}` : p.layer === 'trip' ? `${p.name || p.mmsi} ${p.depart} → ${p.arrive}` : `track ${p.mmsi}`;
    const geom = f.geometry.type === 'Point' ? `<Point><coordinates>${coords(f.geometry)}</coordinates></Point>`
      : `<LineString><coordinates>${coords(f.geometry)}</coordinates></LineString>`;
    const data = Object.entries(p).filter(([k, v]) => k !== 'times' && typeof v !== 'object')
      .map(([k, v]) => `<Data name="${x(k)}"><value>${x(v)}</value></Data>`).join('');
    return `<Placemark><name>${x(title)}</name><ExtendedData>${data}</ExtendedData>${geom}</Placemark>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Lookout view</name>\n${marks}\n</Document></kml>\n`;
}
$('export-geojson').addEventListener('click', () => download('lookout-view.geojson', 'application/geo+json', JSON.stringify(viewFeatures())));
$('export-kml').addEventListener('click', () => download('lookout-view.kml', 'application/vnd.google-earth.kml+xml', toKML(viewFeatures())));

// Live: the store's row counts are a cheap version. When a feed or an
// ingest adds rows, the story, the chart, the events and the open dossier
// are redrawn in place, keeping the view.
let storeVersion = '';
async function poll() {
  try {
    const h = await api('/api/health');
    const v = JSON.stringify(h.counts);
    if (storeVersion && v !== storeVersion) {
      status('new data in the store: updating…');
      await Promise.all([loadStory(), loadTrips(), state.v ? (keepView = true, selectVessel(state.v)) : loadEvents()]);
      status(`updated ${new Date().toISOString().slice(11, 19)} UTC`);
    }
    storeVersion = v;
  } catch { /* the server may be restarting: try again at the next tick */ }
}
setInterval(poll, 10000);
poll();

// For the end-to-end test and the curious: window.lookout.map is the map.
window.lookout = { map, state, selectVessel, timings, playback, viewFeatures, toKML };
