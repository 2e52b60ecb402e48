// Lookout's web map. Everything it draws comes from the Lookout API on the
// same origin: the basemap is the bundled Natural Earth land and port list,
// so the page works with no internet and makes no third-party requests.
import * as maplibregl from 'maplibre-gl';
import { FIT, esc, fmtTime, headline, tripPopup } from './story.js';
import { TYPES, describe } from './events.js';

maplibregl.setWorkerUrl(new URL('/maplibre-gl-worker.js', location.href).href);
// Two GeoJSON sources need no more than one worker; each costs a parse of the worker script.
maplibregl.setWorkerCount(1);

const $ = (id) => document.getElementById(id);
const REGION = [110, 20, 160, 60]; // the basemap's box: the seas around Korea, Japan and Primorye
const EVENT_COLORS = Object.fromEntries(Object.entries(TYPES).map(([t, d]) => [t, d.color]));
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


readHash();
checkHash();
let keepView = Boolean(state.map && state.v);
const linkedView = Boolean(state.map); // a link's view wins over fitting the story
const view = state.map.split('/').map(Number);
// The default story comes in the page, with the box the page's drawing
// of it shows (see first.js): the map starts on that box.
const pageStory = (() => {
  const el = $('story-json');
  const st = el && JSON.parse(el.textContent);
  return st && st.from === state.from && st.to === state.to ? st : null;
})();
// The map starts where first.js framed the page's drawing of the story.
const startCamera = $('preview')?.dataset.camera && !linkedView && !state.v ? JSON.parse($('preview').dataset.camera) : null;
// hidden starts every layer but the land hidden (see showLayers).
function hidden(style) {
  for (const l of style.layers) if (l.source && l.source !== 'land') l.layout = { ...l.layout, visibility: 'none' };
  return style;
}
const map = new maplibregl.Map({
  container: 'map',
  style: hidden({
    version: 8,
    sources: {
      land: { type: 'geojson', data: `/api/basemap/land?bbox=${REGION.join(',')}` },
      // Every port of the region and the learned port areas: set once the
      // story is drawn (init), so the map's first frame does not wait for them.
      ports: { type: 'geojson', data: empty() },
      track: { type: 'geojson', data: empty() },
      // Clusters when zoomed out: the whole period's events stay on the map
      // without hiding the trips under thousands of dots.
      events: { type: 'geojson', data: empty(), cluster: true, clusterMaxZoom: 7, clusterRadius: 30 },
      groups: { type: 'geojson', data: empty() },
      trips: { type: 'geojson', data: empty() },
      hover: { type: 'geojson', data: empty() },
      sar: { type: 'geojson', data: empty() },
      coverage: { type: 'geojson', data: empty() },
      badges: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe3f2' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f2efe6', 'fill-outline-color': '#9a9788' } },
      // Where AIS was received at all (0.5° cells, darker for more): off
      // until asked for, since the server scans every position for it.
      { id: 'coverage', type: 'fill', source: 'coverage', layout: { visibility: 'none' }, paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'level'], 0, '#e5f5e0', 2, '#a1d99b', 4, '#31a354', 6, '#006d2c'], 'fill-opacity': 0.35 } },
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
      { id: 'event-clusters', type: 'circle', source: 'events', filter: ['has', 'point_count'], paint: {
        'circle-radius': ['step', ['get', 'point_count'], 5, 10, 8, 100, 12, 1000, 16],
        'circle-color': '#6a51a3', 'circle-opacity': 0.35, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      { id: 'events', type: 'circle', source: 'events', filter: ['!', ['has', 'point_count']], paint: {
        'circle-radius': 6, 'circle-color': ['match', ['get', 'type'], ...Object.entries(EVENT_COLORS).flat(), '#444'],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
      // Satellite radar detections: matched to a vessel's AIS (blue), or
      // with no AIS to match them (orange; at a watched port they count as
      // a satellite-only port call). Small and pale at sea: the demo has
      // hundreds, and the trips must stay readable under them.
      { id: 'sar-matched', type: 'circle', source: 'sar', filter: ['get', 'matched'], paint: { 'circle-radius': 2.5,
        'circle-color': '#1f78b4', 'circle-opacity': 0.5 } },
      { id: 'sar-dark', type: 'circle', source: 'sar', filter: ['all', ['!', ['get', 'matched']], ['!', ['get', 'at_port']]], paint: { 'circle-radius': 2.5,
        'circle-color': '#ff7f00', 'circle-opacity': 0.6 } },
      { id: 'sar-port', type: 'circle', source: 'sar', filter: ['get', 'at_port'], paint: { 'circle-radius': 6,
        'circle-color': '#ff7f00', 'circle-stroke-color': '#7a0019', 'circle-stroke-width': 2.5 } },
      // Sanctions badges: a ring where a vessel's identity matched a list,
      // and where another vessel met a listed one.
      { id: 'badges-met', type: 'circle', source: 'badges', filter: ['==', ['get', 'badge'], 'met_listed'], paint: { 'circle-radius': 8,
        'circle-color': 'rgba(255,140,0,0.15)', 'circle-stroke-color': '#e6550d', 'circle-stroke-width': 2 } },
      { id: 'badges-listed', type: 'circle', source: 'badges', filter: ['==', ['get', 'badge'], 'listed'], paint: { 'circle-radius': 10,
        'circle-color': 'rgba(178,24,43,0.15)', 'circle-stroke-color': '#b2182b', 'circle-stroke-width': 3 } },
      { id: 'hover', type: 'circle', source: 'hover', paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#ffb000', 'circle-stroke-width': 3 } },
    ],
  }),
  center: view.length === 3 && view.every(Number.isFinite) ? [view[2], view[1]] : [134, 40],
  zoom: view.length === 3 && Number.isFinite(view[0]) ? view[0] : 4.3,
  ...startCamera,
  attributionControl: false,
  fadeDuration: 0, // no symbol fade-in: frames software WebGL need not draw
});
// A layer is drawn once its source has data and unless its legend box is
// unticked. Until then it is hidden, so MapLibre neither loads tiles of
// the empty source nor redraws the map as each arrives: with a dozen
// sources that was a dozen software-WebGL frames before the first screen.
const off = new Set(['coverage']); // switched off in the legend (coverage starts off)
const filled = new Set(['land']);
function showLayers() {
  for (const l of map.getStyle().layers) {
    if (!l.source) continue;
    const v = filled.has(l.source) && !off.has(l.id) ? 'visible' : 'none';
    if (map.getLayoutProperty(l.id, 'visibility') !== v) map.setLayoutProperty(l.id, 'visibility', v);
  }
}
function setSource(id, data) {
  map.getSource(id).setData(data);
  if (!filled.has(id)) {
    filled.add(id);
    showLayers();
  }
}
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
// The server outlines the groups and colours the vessels (its drawing of
// the first screen uses the same), and sends the default story in the
// page (see first.js).
const vesselColor = new Map(); // MMSI → colour, shared by trips, legend and playback
let groupMarkers = [];

function label(cls, text, lngLat, anchor, bg) {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = text;
  if (bg) el.style.background = bg;
  const m = new maplibregl.Marker({ element: el, anchor }).setLngLat(lngLat).addTo(map);
  groupMarkers.push(m);
}

// groupsOf lists the story's groups as the legend shows them.
const groupsOf = (st) => st.groups.features.map((f) => [f.properties.name, f.properties.color, f.properties.ports]);

function drawGroups(st) {
  for (const m of groupMarkers) m.remove();
  groupMarkers = [];
  for (const f of st.groups.features) {
    const top = f.geometry.coordinates[0].reduce((a, b) => (b[1] > a[1] ? b : a));
    label('group-label', f.properties.name, top, 'bottom', f.properties.color);
  }
  for (const p of st.group_ports.features) label('port-label', p.properties.name, p.geometry.coordinates, 'left');
  setSource('groups', st.groups);
}

// legendOf is the legend of a story: its groups and its vessels, most trips first.
function legendOf(st) {
  const perVessel = new Map();
  for (const f of st.tracks.features) perVessel.set(f.properties.mmsi, (perVessel.get(f.properties.mmsi) || 0) + 1);
  vesselColor.clear();
  for (const f of st.tracks.features) vesselColor.set(f.properties.mmsi, f.properties.color);
  legend(groupsOf(st), (st.vessel_order || []).map((m) => ({ mmsi: m, name: st.names[m] || '', trips: perVessel.get(m) })));
}

async function loadStory() {
  try {
    const st = await early(`/api/story?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`);
    for (const f of st.tracks.features) {
      const p = f.properties;
      p.t0 = p.times[0]; // numbers for the brush's filter
      p.t1 = p.times[p.times.length - 1];
    }
    drawGroups(st);
    setSource('trips', st.tracks);
    badgeOf.clear();
    for (const f of st.badges.features) {
      const p = f.properties;
      p.t0 = p.t1 = Date.parse(p.time) / 1000;
      if (badgeOf.get(p.mmsi) !== 'listed') badgeOf.set(p.mmsi, p.badge);
    }
    setSource('badges', st.badges);
    renderResults();
    fitStory(st);
    story = st;
    fleetTrips = st.tracks.features.map((f) => ({ times: f.properties.times, coords: f.geometry.coordinates,
      mmsi: f.properties.mmsi, color: f.properties.color, badge: badgeOf.get(f.properties.mmsi) }));
    if (!track) storyTimeline();
    headline(st);
    legendOf(st);
    // The page's drawing of the first screen gives way once the map has
    // drawn the same trips.
    map.once('idle', () => { $('preview')?.remove(); timings.map_drawn = performance.now(); });
  } catch (err) { $('headline').textContent = err.message; }
}
let story = null;
// The default story comes in the page; any other is asked for now, while
// MapLibre starts, not after the map's load event. early() hands each
// over once, later calls fetch afresh.
const prefetched = new Map();
function early(url) {
  const p = prefetched.get(url);
  prefetched.delete(url);
  return p || api(url);
}
const storyURL = `/api/story?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`;
{
  const p = pageStory ? Promise.resolve(pageStory) : api(storyURL);
  p.catch(() => {}); // reported when early() hands it over
  prefetched.set(storyURL, p);
}
let fitted = Boolean(startCamera); // the story frames the map once, not at every update
// fitStory fits the map to the story's trips, unless a link gave the view.
function fitStory(st) {
  if (linkedView || fitted || state.v || !st.tracks.features.length) return;
  fitted = true;
  map.fitBounds([st.view.slice(0, 2), st.view.slice(2)], { ...FIT, duration: 0 });
}
// The headline and legend too: readable before the map draws.
prefetched.get(storyURL).then((st) => { fitStory(st); headline(st); legendOf(st); timings.headline = performance.now(); }, () => {});

function sw(kind, color) {
  const line = (dash) => `<svg width="28" height="10"><line x1="1" y1="5" x2="27" y2="5" stroke="${color}" stroke-width="2.5" ${dash ? `stroke-dasharray="${dash}"` : ''}/></svg>`;
  if (kind === 'solid') return line('');
  if (kind === 'dash') return line('6 4');
  if (kind === 'dot') return line('1 4');
  if (kind === 'dot-small') return `<svg width="28" height="14"><circle cx="14" cy="7" r="2.5" fill="${color}" fill-opacity="0.6"/></svg>`;
  if (kind === 'ring') return `<svg width="28" height="20"><circle cx="14" cy="10" r="7" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="2.5"/></svg>`;
  if (kind === 'area') return `<svg width="28" height="14"><rect x="1" y="1" width="26" height="12" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="2"/></svg>`;
  return `<svg width="28" height="14"><circle cx="14" cy="7" r="5" fill="${color}" stroke="#fff"/></svg>`;
}

// badge is a vessel's sanctions mark beside its name in lists.
const badgeOf = new Map(); // MMSI → 'listed' | 'met_listed'
function badge(mmsi) {
  const b = badgeOf.get(Number(mmsi));
  return b === 'listed' ? ' <span class="badge listed" title="named by a sanctions list">listed</span>'
    : b === 'met_listed' ? ' <span class="badge met" title="met a vessel a sanctions list names">met listed</span>' : '';
}

// legend lists every symbol on the map; a checkbox switches its layers.
function legend(groups, vessels) {
  // A redrawn legend (live updates) keeps what was switched off or on.
  const shown = (l) => (l === 'fleet' ? fleet.visible : !off.has(l));
  const item = (layers, swatch, text) => `<li><label><input type="checkbox" ${layers === 'events' || shown(layers.split(',')[0]) ? 'checked' : ''}
    data-layers="${layers}">${swatch}<span>${text}</span></label></li>`;
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
    item('badges-listed', sw('ring', '#b2182b'), 'sanctions: a listed vessel, where its identity matched the list'),
    item('badges-met', sw('ring', '#e6550d'), 'sanctions: a vessel that met a listed one, where they met'),
    item('sar-matched', sw('dot-small', '#1f78b4'), 'satellite radar detection matched to a vessel\'s AIS'),
    item('sar-dark', sw('dot-small', '#ff7f00'), 'satellite radar detection with no AIS (dark vessel)'),
    item('sar-port', sw('ring', '#7a0019'), 'dark detection of a tanker-sized ship at a watched port'),
    item('coverage', sw('area', '#31a354'), 'AIS reception: 0.5° cells where positions were received (darker: more)'),
  ];
  $('legend-symbols').innerHTML = rows.join('');
  $('legend').hidden = false; // empty until now: the page's drawing of the story has none
  $('legend-events').innerHTML = Object.entries(EVENT_COLORS).map(([t, c]) => item('events', sw('circle', c), `event: ${t.replaceAll('_', ' ')}`)
    .replace('data-layers="events"', `data-layers="events" data-type="${t}"`)).join('');
  $('legend-vessels').innerHTML = vessels.map((v) => `<li>${sw('solid', vesselColor.get(v.mmsi))}
    <a class="ev" data-mmsi="${v.mmsi}">${esc(v.name || 'MMSI ' + v.mmsi)}</a>${badge(v.mmsi)} <span class="muted">${v.trips} trips</span></li>`).join('')
    || '<li class="muted">no trips between these groups</li>';
}
$('legend').addEventListener('change', (e) => {
  const box = e.target.closest('input[data-layers]');
  if (!box) return;
  // Event types share one layer: a type's box filters it out instead.
  for (const l of box.dataset.layers.split(',')) {
    if (l === 'events') continue;
    if (l === 'fleet') { fleet.visible = box.checked; drawOverlay(); continue; } // drawn over the map, not in it
    if (l === 'coverage' && box.checked) loadCoverage();
    if (box.checked) off.delete(l); else off.add(l);
  }
  showLayers();
  if (box.dataset.layers === 'events') {
    const hidden = [...$('legend').querySelectorAll('input[data-layers="events"]')].filter((b) => !b.checked).map((b) => b.dataset.type);
    map.setFilter('events', hidden.length ? ['!', ['in', ['get', 'type'], ['literal', hidden]]] : null);
  }
});

map.on('click', ['trips-seen', 'trips-dark', 'trips-straight'], (e) => {
  new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(e.lngLat).setHTML(tripPopup(e.features[0].properties, story?.names)).addTo(map);
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
// evidenceSentence turns evidence no describe() covers into one short sentence.
function evidenceSentence(obj) {
  const fmt = (v) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  const parts = Object.entries(obj || {}).filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 6).map(([k, v]) => `${k.replaceAll('_', ' ')} ${fmt(v)}`);
  return parts.length ? esc(parts.join(', ') + '.') : '';
}
// How a popup names a vessel: a link to its dossier.
const popupCtx = {
  vessel: (m, bold) => {
    const name = esc(story?.names?.[m] || 'MMSI ' + m);
    return `<a class="ev" data-mmsi="${esc(m)}">${bold ? `<b>${name}</b>` : name}</a>`;
  },
  partner: (id) => partnerOf.get(id),
};
function eventPopup(p) {
  const ev = typeof p.evidence === 'string' ? JSON.parse(p.evidence || '{}') : p.evidence || {};
  const s = sure(p.type, Number(p.confidence));
  const d = describe(p, ev, popupCtx);
  const evidence = d.evidence || evidenceSentence(ev);
  return `<div class="popup">${d.lead}<br>
    When: ${esc(fmtTime(p.start))}${p.end && p.end !== p.start ? ` → ${esc(fmtTime(p.end))}` : ''} UTC${Number(p.hours) ? ` (${esc(p.hours)} h)` : ''}.<br>
    Where: ${Number(p.lat ?? 0).toFixed(3)}°, ${Number(p.lon ?? 0).toFixed(3)}°.<br>
    How sure: <b>${s.word}</b> (${esc(s.detail)}).<br>
    ${evidence ? '<span class="evidence">Evidence: ' + evidence + '</span><br>' : ''}
    ${Number(p.mmsi) ? `<a class="ev" data-mmsi="${esc(p.mmsi)}">open the dossier</a>` : ''}
    <details><summary>raw JSON</summary><pre>${esc(JSON.stringify({ ...p, evidence: ev }, null, 1))}</pre></details></div>`;
}
// fullEvent is the event the map holds (fields=map) with its evidence:
// the events of its type starting in its second, the one with its ID.
async function fullEvent(p) {
  const t = Math.floor(Date.parse(p.start) / 1000);
  const q = new URLSearchParams({ type: p.type, since: String(t), until: String(t + 1), limit: '10000' });
  if (Number(p.mmsi)) q.set('mmsi', p.mmsi);
  try {
    const f = (await api('/api/events?' + q)).features.find((x) => x.properties.id === p.id);
    if (f) return { ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
  } catch (err) { status(err.message); }
  return p;
}
async function showEvent(p, lngLat) {
  const full = p.evidence ? p : await fullEvent(p);
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(lngLat).setHTML(eventPopup(full)).addTo(map);
}
map.on('click', 'events', (e) => {
  const f = e.features[0];
  showEvent({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }, e.lngLat);
});
map.on('click', 'ports', (e) => {
  const p = e.features[0].properties;
  const groups = JSON.parse(p.groups || '[]');
  new maplibregl.Popup().setLngLat(e.lngLat)
    .setHTML(`<div class="popup"><b>${esc(p.name)}</b> (${esc(p.country)})<br>WPI ${esc(p.id)} ${groups.length ? '· ' + esc(groups.join(', ')) : ''}</div>`).addTo(map);
});
for (const l of ['events', 'event-clusters', 'ports', 'trips-seen', 'trips-dark', 'trips-straight', 'sar-matched', 'sar-dark', 'sar-port', 'badges-listed', 'badges-met']) {
  map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
}
document.addEventListener('click', (e) => {
  const a = e.target.closest('a.ev');
  if (!a) return;
  if (a.dataset.mmsi) selectVessel(a.dataset.mmsi);
  if (a.dataset.lon) map.flyTo({ center: [Number(a.dataset.lon), Number(a.dataset.lat)], zoom: Math.max(map.getZoom(), 7) });
});

// Layers the first screen does not wait for.
const partnerOf = new Map(); // possible dark transfer's ID → the dark detection beside it (its likely partner)
async function loadSAR() {
  try {
    const fc = await api('/api/sar/detections?limit=10000');
    partnerOf.clear();
    for (const f of fc.features) {
      const p = f.properties;
      if (p.evidence?.dark_transfer_id) partnerOf.set(p.evidence.dark_transfer_id, p);
      p.t0 = p.t1 = Date.parse(p.start) / 1000;
      p.matched = p.type === 'sar_match';
      p.at_port = Boolean(p.port_group);
    }
    setSource('sar', fc);
  } catch (err) { status(err.message); }
}
let coverageLoaded = null;
function loadCoverage() {
  coverageLoaded ||= api('/api/coverage').then((fc) => setSource('coverage', fc))
    .catch((err) => { coverageLoaded = null; status(err.message); });
  return coverageLoaded;
}
map.on('click', ['sar-matched', 'sar-dark', 'sar-port'], (e) => {
  const f = e.features[0];
  const p = { ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
  new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(e.lngLat).setHTML(eventPopup(p)).addTo(map);
});
map.on('click', ['badges-listed', 'badges-met'], (e) => {
  const p = e.features[0].properties;
  const who = `<a class="ev" data-mmsi="${esc(p.mmsi)}">${esc(p.name || 'MMSI ' + p.mmsi)}</a>`;
  const html = p.badge === 'listed'
    ? `${who} is named by a sanctions list: ${esc(p.list || '')} entry “${esc(p.entry_name || '')}”
      (match ${Math.round(Number(p.confidence) * 100)}%${p.reason ? ', ' + esc(p.reason) : ''}), matched ${esc(fmtTime(p.time))} UTC here.`
    : `${who} met the listed <a class="ev" data-mmsi="${esc(p.other_mmsi)}">${esc(p.other_name || 'MMSI ' + p.other_mmsi)}</a>
      here for ${esc(p.hours)} h from ${esc(fmtTime(p.time))} UTC.`;
  new maplibregl.Popup({ maxWidth: '340px' }).setLngLat(e.lngLat).setHTML(`<div class="popup">${html}</div>`).addTo(map);
});
map.on('click', 'coverage', (e) => {
  if (map.queryRenderedFeatures(e.point).some((f) => f.layer.id !== 'coverage' && !['land', 'group-fill', 'learned-ports'].includes(f.layer.id))) return;
  const p = e.features[0].properties;
  new maplibregl.Popup().setLngLat(e.lngLat).setHTML(`<div class="popup">${Number(p.positions).toLocaleString('en')} AIS positions received in this 0.5° cell over the period.</div>`).addTo(map);
});

// Search.
async function search(q) {
  status('searching…');
  try {
    const r = await api(`/api/vessels?limit=100${q ? '&q=' + encodeURIComponent(q) : ''}`);
    found = r.vessels;
    renderResults();
    $('results').dataset.query = q;
    status(r.vessels.length ? '' : `no vessel matches “${q}”`);
  } catch (err) { status(err.message); }
}
let found = []; // the vessel list's rows, redrawn when the story's badges arrive
function renderResults() {
  const ol = $('results');
  ol.replaceChildren();
  for (const v of found) {
    const li = document.createElement('li');
    li.dataset.mmsi = v.mmsi;
    li.classList.toggle('sel', String(v.mmsi) === state.v);
    li.innerHTML = `<span class="risk">${v.risk ? v.risk.toFixed(0) : ''}</span>${esc(v.name || '(no name)')}${badge(v.mmsi)}<br>
      <span class="muted">MMSI ${v.mmsi}${v.imo ? ' · IMO ' + v.imo : ''} · ${esc(v.flag || '')}</span>`;
    li.addEventListener('click', () => selectVessel(String(v.mmsi)));
    ol.append(li);
  }
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
    setSource('track', empty());
    drawOverlay();
    storyTimeline();
    loadEvents();
  });
  map.resize();
}

function showTrack(fc) {
  const f = fc.features[0];
  if (!f || f.geometry.type !== 'LineString') {
    track = null;
    setSource('track', fc);
    storyTimeline();
    return;
  }
  track = { coords: f.geometry.coordinates, times: f.properties.times };
  setSource('track', fc);
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
  drawBrush();
  drawAt(Number(s.value));
  map.resize();
}

// The story's timeline: every trip's vessel where it was at time t, so
// the shuttle can be played back as a whole.
//
// Playback draws on a 2D canvas laid over the map, not through MapLibre:
// a GeoJSON setData per frame sends the points to the worker, re-tiles
// them and redraws the whole map, which software WebGL does at 5-9 frames
// a second. Here the map is not redrawn while the vessels move; positions
// are interpolated from typed arrays, each trip keeping the index it
// reached, so a frame costs one step per trip and a dot each.
const overlay = document.createElement('canvas');
overlay.id = 'overlay';
map.getCanvasContainer().append(overlay);
const fleet = { n: 0, off: new Uint32Array(1), times: new Float64Array(0), lon: new Float64Array(0), lat: new Float64Array(0),
  at: new Uint32Array(0), color: [], ring: [], lo: Infinity, hi: -Infinity, visible: true };
let fleetTrips = [];
// setFleet packs trips ({ times, coords or lon and lat, color, badge })
// into the typed arrays.
function setFleet(list) {
  const total = list.reduce((n, f) => n + f.times.length, 0);
  const f = { n: list.length, off: new Uint32Array(list.length + 1), times: new Float64Array(total), lon: new Float64Array(total),
    lat: new Float64Array(total), at: new Uint32Array(list.length), color: list.map((x) => x.color || '#777'),
    ring: list.map((x) => (x.badge === 'listed' ? '#b2182b' : x.badge === 'met_listed' ? '#e6550d' : '')),
    lo: Infinity, hi: -Infinity, visible: fleet.visible };
  let k = 0;
  list.forEach((x, i) => {
    f.off[i] = k;
    f.at[i] = k;
    for (let j = 0; j < x.times.length; j++, k++) {
      f.times[k] = x.times[j];
      f.lon[k] = x.lon ? x.lon[j] : x.coords[j][0];
      f.lat[k] = x.lat ? x.lat[j] : x.coords[j][1];
    }
    if (x.times.length) { f.lo = Math.min(f.lo, x.times[0]); f.hi = Math.max(f.hi, x.times[x.times.length - 1]); }
  });
  f.off[list.length] = k;
  Object.assign(fleet, f);
}
function storyTimeline() {
  setFleet(fleetTrips);
  // One timeline for the trips drawn and the months charted under it.
  let lo = fleet.lo, hi = fleet.hi;
  if (monthRows.length) { lo = Math.min(lo, monthStart(monthRows[0].month)); hi = Math.max(hi, monthEnd(monthRows[monthRows.length - 1].month)); }
  if (!Number.isFinite(lo)) return;
  const s = $('slider');
  s.min = lo;
  s.max = hi;
  s.value = state.t && Number(state.t) >= lo && Number(state.t) <= hi ? state.t : lo;
  drawBrush();
  $('timebar').hidden = false;
  drawAt(Number(s.value));
  map.resize();
}
// position writes trip i's interpolated position at t into out, or
// returns false when the trip is not under way at t.
function position(i, t, out) {
  const a0 = fleet.off[i], b0 = fleet.off[i + 1] - 1, ts = fleet.times;
  if (b0 < a0 || t < ts[a0] || t > ts[b0]) return false;
  let a = fleet.at[i];
  if (a < a0 || a > b0 || ts[a] > t) a = a0; // the timeline went back: start over
  while (a < b0 && ts[a + 1] <= t) a++;
  fleet.at[i] = a;
  const b = Math.min(a + 1, b0);
  const k = ts[b] > ts[a] ? (t - ts[a]) / (ts[b] - ts[a]) : 0;
  out[0] = fleet.lon[a] + k * (fleet.lon[b] - fleet.lon[a]);
  out[1] = fleet.lat[a] + k * (fleet.lat[b] - fleet.lat[a]);
  return true;
}
// sprite is a 24 px picture of a circle of radius r (stroke, fill), at
// the screen's pixel density, made once.
const sprites = new Map();
function sprite(stroke, r, width, fill) {
  const key = `${stroke} ${r} ${width} ${fill}`;
  let c = sprites.get(key);
  if (c) return c;
  const dpr = window.devicePixelRatio || 1;
  c = document.createElement('canvas');
  c.width = c.height = Math.ceil(24 * dpr);
  const g = c.getContext('2d');
  g.scale(dpr, dpr);
  g.beginPath();
  g.arc(12, 12, r, 0, 2 * Math.PI);
  if (fill) { g.fillStyle = fill; g.fill(); }
  g.lineWidth = width;
  g.strokeStyle = stroke;
  g.stroke();
  sprites.set(key, c);
  return c;
}
let shownAt = NaN; // the time the overlay shows
function drawOverlay() {
  const c = map.getCanvas();
  const w = c.clientWidth, h = c.clientHeight, dpr = window.devicePixelRatio || 1;
  if (overlay.width !== Math.round(w * dpr) || overlay.height !== Math.round(h * dpr)) {
    overlay.width = Math.round(w * dpr);
    overlay.height = Math.round(h * dpr);
    overlay.style.width = w + 'px';
    overlay.style.height = h + 'px';
  }
  const g = overlay.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const t = shownAt;
  if (Number.isNaN(t)) return;
  const ll = [0, 0];
  fleet.drawn = 0;
  if (fleet.visible) {
    // Each dot is a copy of a small picture drawn once per colour: software
    // raster fills and strokes 300 antialiased circles a frame far slower
    // than it copies 300 small pictures.
    for (let i = 0; i < fleet.n; i++) {
      if (!position(i, t, ll)) continue;
      const p = map.project(ll);
      if (p.x < -8 || p.y < -8 || p.x > w + 8 || p.y > h + 8) continue;
      if (fleet.ring[i]) g.drawImage(sprite(fleet.ring[i], 10, 3, ''), p.x - 12, p.y - 12, 24, 24); // the sanctions badge travels with the vessel
      g.drawImage(sprite('#000', 6, 1.5, fleet.color[i]), p.x - 12, p.y - 12, 24, 24);
      fleet.drawn++;
    }
  }
  if (track) {
    // The picked vessel: its track so far and where it is.
    let i = 0;
    while (i < track.times.length - 1 && track.times[i + 1] <= t) i++;
    g.beginPath();
    for (let j = 0; j <= i; j++) {
      const p = map.project(track.coords[j]);
      if (j) g.lineTo(p.x, p.y); else g.moveTo(p.x, p.y);
    }
    g.strokeStyle = '#0b4f9c';
    g.lineWidth = 2.5;
    g.stroke();
    const p = map.project(track.coords[i]);
    g.beginPath();
    g.arc(p.x, p.y, 7, 0, 2 * Math.PI);
    g.fillStyle = '#ffd400';
    g.fill();
    g.lineWidth = 2;
    g.stroke();
  }
}
// The overlay follows the map when it moves.
map.on('render', drawOverlay);
map.on('resize', drawOverlay);
function drawAt(t) {
  shownAt = t;
  drawOverlay();
  $('slider-time').textContent = fmtTime(t * 1000) + ' UTC';
}
// Playback: the whole period in about a minute; fps is kept for the tests.
const playback = { on: false, frames: 0, since: 0, fps: 0 };
function frame(now) {
  if (!playback.on) return;
  const s = $('slider');
  // Playback keeps to the brushed period.
  const br = brushRange() || [-Infinity, Infinity];
  const lo = Math.max(Number(s.min), br[0]), hi = Math.min(Number(s.max), br[1]);
  const dt = playback.last ? now - playback.last : 16;
  playback.last = now;
  let t = Number(s.value) + ((hi - lo) / 60000) * dt;
  if (t > hi || t < lo) t = lo;
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
$('slider').addEventListener('input', (e) => {
  state.t = e.target.value;
  drawAt(Number(state.t));
  writeHash();
});

// Events.
const MAP_EVENTS = 200000; // the API's cap for fields=map
async function loadEvents() {
  // Every event, clustered when zoomed out: without their evidence (a
  // tenth of the size), which a popup fetches for the one it shows.
  const p = new URLSearchParams({ fields: 'map', limit: String(MAP_EVENTS) });
  const types = [...$('types').selectedOptions].map((o) => o.value);
  state.types = types.join(',');
  state.since = $('since').value;
  state.until = $('until').value;
  applyBrush();
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
    setSource('events', fc);
    eventList();
    $('event-status').textContent = eventStatus(fc.features.length, fc.truncated, onlyVessel);
  } catch (err) { $('event-status').textContent = err.message; }
}

// eventStatus says what the map draws: whose events, and whether the
// list was cut, so the count never reads as more than is on the map.
function eventStatus(n, truncated, onlyVessel) {
  let s = `${n} events of ${onlyVessel ? 'vessel ' + state.v : 'all vessels'}${state.area ? ' in view' : ''} on the map`;
  if (truncated) s += ` (only the first ${n}: narrow the filters)`;
  else if (n > 1000) s += ' (all of them; zoomed out, circles count those near each other)';
  if (!state.v && $('only-vessel').checked) s += ' — pick a vessel to show only its events';
  return s;
}
$('apply').addEventListener('click', loadEvents);

// Trips per month, drawn under the time slider as the timeline's brush:
// drag across it to keep a period (the trips, events and detections on the
// map, and playback, keep to it; the URL keeps it as since/until), click
// it to move the time, double-click to take the whole period again.
let monthRows = [];
async function loadTrips() {
  state.from = $('trip-from').value;
  state.to = $('trip-to').value;
  writeHash();
  if (state.from === state.to) { monthRows = []; $('trips-note').textContent = 'Choose two different groups.'; drawBrush(); return; }
  try {
    const r = await api(`/api/trips?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`);
    monthRows = r.by_month.filter((m) => m.from === state.from && m.to === state.to);
    $('trips-note').textContent = monthRows.length ? `${r.trips.length} trips; the chart under the map is their count per month: drag across it to keep a period.`
      : `No trips ${state.from} → ${state.to}.`;
  } catch (err) { monthRows = []; $('trips-note').textContent = err.message; }
  if (track) drawBrush(); else storyTimeline();
}
const monthStart = (m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000;
const monthEnd = (m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 1) / 1000; // Date.UTC carries month 12 into the next year
const dayOf = (t) => new Date(t * 1000).toISOString().slice(0, 10);
const unixOf = (d) => Date.parse(d + 'T00:00:00Z') / 1000;
// brushRange is the kept period in Unix seconds, or null for all of it.
function brushRange() {
  if (!state.since && !state.until) return null;
  return [state.since ? unixOf(state.since) : -Infinity, state.until ? unixOf(state.until) : Infinity];
}
function drawBrush() {
  const box = $('brush');
  const s = $('slider');
  const lo = Number(s.min), hi = Number(s.max);
  if (!monthRows.length || !(hi > lo)) { box.innerHTML = ''; return; }
  const W = 1000, H = 44;
  const x = (t) => ((t - lo) / (hi - lo)) * W;
  const max = Math.max(...monthRows.map((m) => m.trips + m.possible_dark_trips), 1);
  let bars = '';
  for (const m of monthRows) {
    const x0 = Math.max(0, x(monthStart(m.month))), x1 = Math.min(W, x(monthEnd(m.month)));
    if (x1 <= x0) continue;
    const hs = ((H - 12) * m.trips) / max, hd = ((H - 12) * m.possible_dark_trips) / max;
    bars += `<g class="month"><title>${m.month}: ${m.trips} seen, ${m.possible_dark_trips} possibly dark</title>
      <rect x="${x0 + 1}" y="${H - hs}" width="${x1 - x0 - 2}" height="${hs}" fill="#2c3e91"/>
      <rect x="${x0 + 1}" y="${H - hs - hd}" width="${x1 - x0 - 2}" height="${hd}" fill="#111"/>
      <text x="${(x0 + x1) / 2}" y="9" text-anchor="middle">${m.month.slice(2)} · ${m.trips + m.possible_dark_trips}</text></g>`;
  }
  const br = brushRange();
  const sel = br ? `<rect id="brush-sel" x="${Math.max(0, x(br[0]))}" y="0" width="${Math.max(2, Math.min(W, x(br[1])) - Math.max(0, x(br[0])))}" height="${H}"/>` : '';
  box.innerHTML = `<svg id="trips-svg" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img"
    aria-label="Trips ${esc(state.from)} → ${esc(state.to)} per month: drag to keep a period">${bars}${sel}<rect id="brush-drag" y="0" height="${H}" width="0"/></svg>`;
  $('brush-clear').hidden = !br;
}
// applyBrush filters what the map draws to the kept period.
function applyBrush() {
  const br = brushRange();
  const inTime = br ? [['>=', ['get', 't1'], br[0]], ['<=', ['get', 't0'], br[1]]] : [];
  const base = {
    'trips-seen': ['all', ['!', ['get', 'possible_dark']], ['!', ['has', 'straight']]],
    'trips-dark': ['all', ['get', 'possible_dark'], ['!', ['has', 'straight']]],
    'trips-straight': ['all', ['has', 'straight']],
    'sar-matched': ['all', ['get', 'matched']], 'sar-dark': ['all', ['!', ['get', 'matched']], ['!', ['get', 'at_port']]],
    'sar-port': ['all', ['get', 'at_port']],
    'badges-listed': ['all', ['==', ['get', 'badge'], 'listed']], 'badges-met': ['all', ['==', ['get', 'badge'], 'met_listed']],
  };
  for (const [id, f] of Object.entries(base)) if (map.getLayer(id)) map.setFilter(id, [...f, ...inTime]);
  $('since').value = state.since;
  $('until').value = state.until;
  drawBrush();
}
function setBrush(t0, t1) {
  if (t0 === null) { state.since = state.until = ''; } else {
    state.since = dayOf(Math.min(t0, t1));
    state.until = dayOf(Math.max(t0, t1) + 86400); // until is exclusive: keep the last day dragged over
  }
  writeHash();
  applyBrush();
  const br = brushRange();
  const s = $('slider');
  if (br && (Number(s.value) < br[0] || Number(s.value) > br[1])) { s.value = Math.max(br[0], Number(s.min)); drawAt(Number(s.value)); }
  if (document.body.dataset.ready) loadEvents();
}
{
  const box = $('brush');
  let x0 = null;
  const timeAt = (e) => {
    const r = box.getBoundingClientRect(), s = $('slider');
    return Number(s.min) + ((e.clientX - r.left) / r.width) * (Number(s.max) - Number(s.min));
  };
  box.addEventListener('pointerdown', (e) => { x0 = e.clientX; box.setPointerCapture(e.pointerId); box.dataset.t0 = timeAt(e); });
  box.addEventListener('pointermove', (e) => {
    if (x0 === null) return;
    const d = box.querySelector('#brush-drag');
    const r = box.getBoundingClientRect();
    if (d) { d.setAttribute('x', ((Math.min(x0, e.clientX) - r.left) / r.width) * 1000); d.setAttribute('width', (Math.abs(e.clientX - x0) / r.width) * 1000); }
  });
  box.addEventListener('pointerup', (e) => {
    if (x0 === null) return;
    const moved = Math.abs(e.clientX - x0) > 3;
    x0 = null;
    if (moved) setBrush(Number(box.dataset.t0), timeAt(e));
    else { const s = $('slider'); s.value = timeAt(e); s.dispatchEvent(new Event('input')); }
  });
  box.addEventListener('dblclick', () => setBrush(null));
  $('brush-clear').addEventListener('click', () => setBrush(null));
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
  const sar = loadSAR(); // after the first screen: it is not part of the story
  setSource('ports', `/api/ports?bbox=${REGION.join(',')}`);
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
  await sar;
  document.body.dataset.ready = '1';
}
// The side panel's data loads while the map starts; only map layers wait for it.
const timings = { script: performance.now() };
const mapLoaded = new Promise((resolve) => map.once('load', () => { timings.map_load = performance.now(); resolve(); }));
init().then(() => { timings.ready = performance.now(); });
map.once('idle', () => { timings.first_idle = performance.now(); });
timings.frames = 0; // frames MapLibre drew: each costs software WebGL a full redraw
map.on('render', () => { timings.frames++; });

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
  setSource('hover', r ? { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [r.lon, r.lat] } } : empty());
});
$('event-list').tBodies[0].addEventListener('click', (e) => {
  const r = listRows[e.target.closest('tr')?.dataset.i];
  if (!r) return;
  map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 9) });
  showEvent(r, [r.lon, r.lat]);
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
// The HTML evidence report of the view: the selected vessel's dossier, or
// the trips of the vessels whose trips are in view, in the kept period.
function reportURL() {
  const p = new URLSearchParams({ from: state.from, to: state.to });
  if (state.since) p.set('since', state.since);
  if (state.until) p.set('until', state.until);
  if (state.v) p.set('mmsi', state.v);
  else {
    const ms = [...new Set(viewFeatures().features.filter((f) => f.properties.layer === 'trip').map((f) => f.properties.mmsi))];
    if (ms.length) p.set('vessels', ms.slice(0, 500).join(','));
  }
  return '/api/report?' + p.toString();
}
$('export-report').addEventListener('click', async () => {
  status('building the report…');
  try {
    const r = await fetch(reportURL());
    if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || r.statusText);
    download(state.v ? `lookout-${state.v}.html` : `lookout-${state.from}-${state.to}.html`, 'text/html', await r.text());
    status('');
  } catch (err) { status('report: ' + err.message); }
});
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
window.lookout = { map, state, selectVessel, timings, playback, viewFeatures, toKML, reportURL, setFleet, drawAt, fullEvent, eventPopup,
  fleetDrawn: () => fleet.drawn, restoreFleet: () => storyTimeline() };
