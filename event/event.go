// Package event holds the record every part of Lookout speaks: detectors emit
// events, stores keep them, the simulator writes them as ground truth, and
// reports, eval and the API read them. Keep it small and free of behaviour
// that belongs to any one of those parts.
package event

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"time"
)

// Type names a behaviour. The string values are the public vocabulary used
// in JSON, CSV, the store schema and the API; never rename one.
type Type string

const (
	PortVisit             Type = "port_visit"
	Voyage                Type = "voyage"
	Encounter             Type = "encounter"
	Loitering             Type = "loitering"
	Gap                   Type = "gap"
	PossibleDarkPortVisit Type = "possible_dark_port_visit"
	Spoofing              Type = "spoofing"
	IdentityChange        Type = "identity_change"
	DraughtChange         Type = "draught_change"
	// PossibleDarkTransfer is a vessel loitering at sea whose draught
	// changed with no partner in sight: a transfer with a vessel whose AIS
	// was off.
	PossibleDarkTransfer Type = "possible_dark_transfer"
	// GNSSInterference is an area and period in which several vessels'
	// positions were displaced together (jamming or spoofing of satellite
	// navigation, not of their own doing): MMSI is 0, evidence lists them.
	GNSSInterference Type = "gnss_interference"
	SanctionsMatch   Type = "sanctions_match"
	// DarkDetection is a ship seen by satellite with no AIS to match it.
	DarkDetection Type = "dark_detection"
	// SARMatch is a ship seen by satellite where a vessel's AIS placed it
	// at the image time: MMSI is that vessel, the evidence the distance
	// and the lengths compared.
	SARMatch Type = "sar_match"
)

// Types lists the behaviour types that lookout analyze emits, in report order.
var Types = []Type{PortVisit, Voyage, Encounter, Loitering, Gap, PossibleDarkPortVisit, Spoofing, IdentityChange, DraughtChange, PossibleDarkTransfer, GNSSInterference}

// Source says how an event could be observed. Ground truth uses it to mark
// behaviour that AIS cannot show (a visit made with the transponder off is
// visible only to a satellite).
type Source string

const (
	SourceAIS       Source = "ais"
	SourceSatellite Source = "satellite"
)

// Event is one behaviour of one vessel (or a pair, for encounters) over a
// time span at a place, with the figures that triggered it.
type Event struct {
	Type Type `json:"type"`
	// MMSI is the vessel the event is about. For identity changes where a
	// hull moved to a new number, MMSI is the new number and OtherMMSI the old.
	MMSI      uint32    `json:"mmsi"`
	OtherMMSI uint32    `json:"other_mmsi,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Lat and Lon are where it happened; for a port visit, the port's position.
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`

	// Port and PortID name the port of a port visit (PortID is the World Port
	// Index number as a string, or a user polygon's id) and the destination
	// port of a voyage; PortGroup the group it belongs to, if any.
	Port      string `json:"port,omitempty"`
	PortID    string `json:"port_id,omitempty"`
	PortGroup string `json:"port_group,omitempty"`
	// FromPort, FromPortID and FromGroup name the origin of a voyage.
	FromPort   string `json:"from_port,omitempty"`
	FromPortID string `json:"from_port_id,omitempty"`
	FromGroup  string `json:"from_group,omitempty"`

	// Confidence is 1–4 for port visits, as Global Fishing Watch defines it,
	// and 0–1 for every other type.
	Confidence float64 `json:"confidence"`
	Source     Source  `json:"source,omitempty"`
	// Evidence holds the figures behind the event (distances, speeds,
	// durations, message counts, thresholds crossed), named in snake_case
	// with their unit as a suffix: min_distance_m, median_speed_kn.
	Evidence map[string]any `json:"evidence,omitempty"`
	// Open says the event was still going on when its data ended (a visit
	// not yet left, a silence not yet broken): End is the last thing seen
	// so far, and a later ingest may extend or close it. Stores set it on
	// the events they hold provisionally; detectors never do, so closed
	// events read and write as before.
	Open bool `json:"open,omitempty"`
}

// Duration is the event's length.
func (e *Event) Duration() time.Duration { return e.End.Sub(e.Start) }

// ID is a stable identifier derived from what makes an event itself (type,
// vessels, start, port), so that writing the same event twice can be
// recognised and stores can be idempotent.
func (e *Event) ID() string {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte(e.Type))
	binary.BigEndian.PutUint32(b[:4], e.MMSI)
	binary.BigEndian.PutUint32(b[4:], e.OtherMMSI)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(e.Start.UnixNano()))
	h.Write(b[:])
	h.Write([]byte(e.PortID))
	if e.MMSI == 0 && e.Source == SourceSatellite {
		// The dark ships of one satellite image share its time and have
		// no MMSI: without their place they were one event, and a store
		// kept one of them.
		binary.BigEndian.PutUint32(b[:4], uint32(int32(math.Round(e.Lat*1e6))))
		binary.BigEndian.PutUint32(b[4:], uint32(int32(math.Round(e.Lon*1e6))))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
