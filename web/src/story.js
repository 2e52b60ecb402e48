// What the first screen and the map both write: the headline figures and
// a trip's description. first.js shows them before the map's script has
// loaded, main.js afterwards.

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
export const fmtTime = (t) => (t ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') : '');

export function headline(st) {
  const share = (st.oil_cap || []).map((y) => `${y.year}: <b>${Math.round(y.cap_share.Central * 100)}%</b> of the UN 500,000-barrel cap
    (${Math.round(y.cap_share.Low * 100)}–${Math.round(y.cap_share.High * 100)}%, ${y.deliveries} deliveries)`).join('; ');
  document.getElementById('headline').innerHTML = `${esc(st.from)} → ${esc(st.to)}: <b id="h-trips">${st.trips + st.possible_dark_trips}</b> trips
    (${st.trips} seen in AIS, ${st.possible_dark_trips} possibly dark) by <b id="h-vessels">${st.vessels}</b> vessels
    · oil delivered to KP ${share || 'none estimated'}`;
}

// tripPopup describes one trip (a story track's properties) for people.
export function tripPopup(p, names) {
  const name = names?.[p.mmsi] || 'MMSI ' + p.mmsi;
  return `<div class="popup"><b>${esc(name)}</b>
    sailed from ${esc(p.depart)} (${esc(p.from)}) to ${esc(p.arrive)} (${esc(p.to)}),
    ${esc(fmtTime(p.start))} → ${esc(fmtTime(p.end))} UTC.<br>
    ${p.possible_dark ? 'One end is a <b>possible dark port visit</b>: AIS went silent near the port.' : 'Seen in AIS at both ports.'}
    ${p.straight ? '<br>No positions between the calls: the line joins the ports.' : ''}
    <br><a class="ev" data-mmsi="${esc(p.mmsi)}">open the dossier</a></div>`;
}

// FIT is how the map frames the story's trips: clear of the legend on
// the left (8 + 250 px, style.css) with room for a port's dot and the
// group's label at a trip's end, never closer than zoom 8.
export const FIT = { padding: { top: 40, bottom: 30, left: 300, right: 40 }, maxZoom: 8 };
const mercX = (lon) => (lon + 180) / 360;
const mercY = (lat) => (1 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / Math.PI) / 2;

// storyCamera is where MapLibre's fitBounds(view, FIT) puts a W×H map:
// its centre in Web Mercator units (the world is 0-1) and its scale in
// pixels per unit, with the same centre and zoom as MapLibre's
// (cameraForBounds: the box centred in the padded area).
export function storyCamera(view, W, H) {
  const x0 = mercX(view[0]), x1 = mercX(view[2]), y0 = mercY(view[3]), y1 = mercY(view[1]);
  const p = FIT.padding;
  const s = Math.min((W - p.left - p.right) / (x1 - x0), (H - p.top - p.bottom) / (y1 - y0), 512 * 2 ** FIT.maxZoom);
  const x = (x0 + x1) / 2 - (p.left - p.right) / 2 / s, y = (y0 + y1) / 2 - (p.top - p.bottom) / 2 / s;
  return { x, y, s, center: [x * 360 - 180, (360 / Math.PI) * Math.atan(Math.exp((1 - 2 * y) * Math.PI)) - 90], zoom: Math.log2(s / 512) };
}
