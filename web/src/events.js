// Every event type the store can hold (package event's Type constants),
// with its colour on the map and how its popup says what happened. A type
// missing here would be a grey dot with no legend row, filter or words:
// web's TestEventTypesDescribed fails when package event has a type that
// TYPES lacks, so keep one entry per type, each starting "  name: {".
import { esc, fmtTime } from './story.js';

// n prints a figure with at most three significant digits, or "?".
const n = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toPrecision(3))) : v == null || v === '' ? '?' : esc(v));
const big = (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en') : '?');
const pct = (v) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '?');
const has = (v) => v !== undefined && v !== null && v !== '';
// cargo is a draught change as cargo: "loaded about 5,200 t (38,000 bbl)".
function cargo(e) {
  const verb = e.loaded === true ? 'loaded' : e.loaded === false ? 'unloaded' : 'moved';
  return has(e.cargo_t) ? `${verb} about ${big(e.cargo_t)} t (${big(e.cargo_bbl)} barrels)` : `${verb} cargo (no hull size to weigh it)`;
}

// Each entry: color on the map; what the subject did (a verb phrase after
// the vessel's name, or a whole sentence for events of no vessel); and
// evidence(ev, p, c), the figures as a sentence of HTML, with c.vessel(mmsi)
// a link to a vessel's dossier and c.partner(id) the dark detection linked
// to a possible dark transfer.
export const TYPES = {
  port_visit: {
    color: '#2b7bb9', what: 'called at a port',
    evidence: (e) => `In port ${n(e.duration_h)} h; entry ${e.entry_observed ? 'seen' : 'not seen'}, exit ${e.exit_observed ? 'seen' : 'not seen'};
      ${n(e.fixes)} positions, the closest ${n(e.min_distance_km)} km from the port's point.`,
  },
  voyage: {
    color: '#888888', what: 'sailed between ports',
    evidence: (e, p) => `${n(e.duration_h)} h at sea from ${esc(p.from_port || '?')}${p.from_group ? ' (' + esc(p.from_group) + ')' : ''} to ${esc(p.port || '?')}.`,
  },
  encounter: {
    color: '#d7301f', what: 'met another vessel at sea',
    evidence: (e) => `Together ${n(e.duration_h)} h, as close as ${n(e.min_distance_m)} m (${n(e.mean_distance_m)} m on average) at a median ${n(e.median_speed_kn)} kn`
      + (e.near_port_name ? `; ${n(e.near_port_km)} km from ${esc(e.near_port_name)}.` : e.near_port === false ? ', away from any port.' : '.'),
  },
  loitering: {
    color: '#fc8d59', what: 'loitered at sea',
    evidence: (e) => `${n(e.duration_h)} h at an average ${n(e.avg_speed_kn)} kn (slower than ${n(e.speed_limit_kn)} kn), at least ${n(e.min_shore_nm)} nm from shore; ${n(e.fixes)} positions.`,
  },
  gap: {
    color: '#6a51a3', what: 'stopped transmitting AIS',
    evidence: (e) => `Silent ${n(e.gap_h)} h, heard again ${n(e.distance_km)} km away (${n(e.implied_speed_kn)} kn implied);
      ${pct(e.others_heard_fraction)} of other vessels around were still heard, so ${e.deliberate ? 'the silence looks deliberate' : 'poor reception may explain it'}`
      + (e.nearest_watched_port ? `; ${n(e.nearest_watched_port_km)} km from ${esc(e.nearest_watched_port)}.` : '.'),
  },
  possible_dark_port_visit: {
    color: '#000000', what: 'possibly called at a port with AIS off',
    evidence: (e, p) => `AIS silent ${n(e.gap_h)} h: at ${n(e.speed_kn)} kn it could reach ${esc(p.port || 'the port')} (${n(e.to_port_km)} km from where it fell silent,
      ${n(e.from_port_km)} km from where it was heard again) and stay ${n(e.min_dwell_h)} h${e.gap_deliberate ? '; the silence looks deliberate' : ''}.`,
  },
  spoofing: {
    color: '#e7298a', what: 'reported impossible positions',
    evidence: (e) => {
      const kinds = (e.kinds || []).map((k) => `${k.replaceAll('_', ' ')} (${n(e[k + '_signals'])}×)`);
      const fig = [has(e.max_implied_speed_kn) && `up to ${n(e.max_implied_speed_kn)} kn implied (limit ${n(e.speed_limit_kn)})`,
        has(e.max_separation_km) && `two places ${n(e.max_separation_km)} km apart`, has(e.inland_fixes) && `${n(e.inland_fixes)} positions on land`,
        has(e.full_turns) && `${n(e.full_turns)} full circles`].filter(Boolean);
      return `Signs: ${kinds.join(', ') || '?'}${fig.length ? '; ' + fig.join(', ') : ''}.`;
    },
  },
  identity_change: {
    color: '#1b9e77', what: 'changed its broadcast identity',
    evidence: (e, p, c) => {
      if (e.reason === 'cloned_mmsi') {
        return `Two ships share this MMSI: ${(e.identities || []).map((i) => `“${esc(i.name || '?')}” (IMO ${esc(i.imo || '?')}, ${n(i.length_m)} m)`).join(' and ')},
          switching ${n(e.switches)} times.`;
      }
      if (e.fields) return `${e.fields.map((f) => `${esc(f.replaceAll('_', ' '))} “${esc(e['old_' + f])}” → “${esc(e['new_' + f])}”`).join(', ')}.`;
      return `The hull ${esc(e.old_name || '')}${p.other_mmsi ? ` (${c.vessel(p.other_mmsi)})` : ''} went on as ${esc(e.new_name || '')} under MMSI ${esc(p.mmsi)}
        (${esc((e.reason || '').replaceAll('_', ' '))})`
        + (e.old_flag || e.new_flag ? `, flag ${esc(e.old_flag || '?')} → ${esc(e.new_flag || '?')}` : '') + (e.flag_hopping ? ': a flag hop.' : '.');
    },
  },
  draught_change: {
    color: '#66a61e', what: 'changed its draught (loaded or unloaded)',
    evidence: (e) => `Draught ${n(e.old_draught_m)} m → ${n(e.new_draught_m)} m: ${cargo(e)}, during ${esc((e.context || 'a stop').replaceAll('_', ' '))}.`,
  },
  possible_dark_transfer: {
    color: '#8c510a', what: 'possibly transferred cargo with a ship whose AIS was off',
    evidence: (e, p, c) => {
      const d = c.partner(p.id);
      return `Loitered ${n(e.loitering_h)} h at ${n(e.avg_speed_kn)} kn, ${n(e.min_shore_nm)} nm from shore, and its draught went
        ${n(e.old_draught_m)} m → ${n(e.new_draught_m)} m (${cargo(e)}) with no vessel alongside in AIS. `
        + (d ? `Satellite radar saw a ship ${n(d.evidence?.length_m)} m long with no AIS ${n(d.evidence?.dark_transfer_km)} km from it at ${esc(fmtTime(d.start))} UTC: the likely partner.`
          : 'No satellite detection is linked to it: the partner is unseen.');
    },
  },
  gnss_interference: {
    color: '#d4a000', what: 'Satellite navigation was disturbed here: several vessels\' positions jumped together',
    evidence: (e, p, c) => `${n(e.vessel_count)} vessels displaced within ${n(e.radius_km)} km (${n(e.jumps)} jumps, ${n(e.displaced_fixes)} displaced positions):
      ${(e.vessels || []).slice(0, 12).map(c.vessel).join(', ')}${(e.vessels || []).length > 12 ? ` and ${e.vessels.length - 12} more` : ''}.`,
  },
  sanctions_match: {
    color: '#b2182b', what: 'matched a sanctions list',
    evidence: (e, p) => {
      const seen = e.observed_value || e.vessel_name;
      return `Its ${esc((e.matched_field || 'identity').replaceAll('_', ' '))}${seen ? ` “${esc(seen)}”` : ''} matches ${esc(e.list || 'a list')}
        entry “${esc(e.entry_name || '?')}” (${e.reason ? esc(e.reason) + ', ' : ''}${e.exact ? 'exact, ' : ''}strength ${pct(e.strength ?? Number(p.confidence))}).`;
    },
  },
  dark_detection: {
    color: '#ff7f00', what: 'Satellite radar saw a ship that sent no AIS',
    evidence: (e, p, c) => `${n(e.length_m)} m long${e.tanker_sized ? ', tanker-sized' : ''}`
      + (p.port ? `, at ${esc(p.port)} (${esc(p.port_group)}): a port call made with AIS off` : '')
      + (has(e.dark_transfer_mmsi) ? `; ${n(e.dark_transfer_km)} km from ${c.vessel(e.dark_transfer_mmsi)}, which then possibly transferred cargo with AIS off: its likely partner.` : '.'),
  },
  sar_match: {
    color: '#1f78b4', what: 'was seen by satellite radar where its AIS put it',
    evidence: (e) => `Radar saw a ship ${n(e.length_m)} m long ${n(e.distance_km)} km from its AIS position (a fix ${n(e.fix_age_s)} s old)`
      + (has(e.vessel_length_m) ? `; AIS gives ${n(e.vessel_length_m)} m.` : '.'),
  },
};

// noVessel: types about a place, not a vessel (MMSI 0).
const noVessel = (p) => !Number(p.mmsi);

// describe is the lead and evidence sentences of an event's popup, HTML.
export function describe(p, ev, c) {
  const t = TYPES[p.type];
  let lead;
  if (noVessel(p)) lead = esc(t ? t.what : p.type.replaceAll('_', ' '));
  else {
    // The other MMSI of an identity change is the hull's old number, of a
    // draught change the vessel alongside; the evidence names them.
    const other = p.other_mmsi && ['encounter', 'sanctions_match'].includes(p.type) ? ` with ${c.vessel(p.other_mmsi)}` : '';
    const where = p.port && p.type !== 'voyage' ? ` at ${esc(p.port)}${p.port_group ? ' (' + esc(p.port_group) + ')' : ''}` : '';
    lead = `${c.vessel(p.mmsi, true)} ${esc(t ? t.what : p.type.replaceAll('_', ' '))}${other}${where}`;
  }
  let evidence = '';
  // An event stored without evidence (imported, or a test's) gets no
  // sentence of question marks.
  if (Object.keys(ev).length) {
    try { evidence = t ? t.evidence(ev, p, c) : ''; } catch { /* a detector's older evidence: the raw JSON shows it */ }
  }
  return { lead: lead + '.', evidence };
}
