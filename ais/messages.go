package ais

import "time"

// Not-available values as transmitted. Body fields keep them verbatim; use
// the Has… methods or the Message accessors rather than comparing floats.
const (
	LatNotAvailable     = 91.0
	LonNotAvailable     = 181.0
	SpeedNotAvailable   = 102.3 // knots, class A/B reports (raw 1023)
	CourseNotAvailable  = 360.0 // degrees (raw 3600)
	HeadingNotAvailable = 511
	TurnNotAvailable    = -128 // raw rate-of-turn
	// SARSpeedNotAvailable is type 9's not-available speed (whole knots).
	SARSpeedNotAvailable = 1023
	// SARAltNotAvailable is type 9's not-available altitude in metres.
	SARAltNotAvailable = 4095
	// LongRangeSpeedNotAvailable and LongRangeCourseNotAvailable are type
	// 27's (whole knots and degrees).
	LongRangeSpeedNotAvailable  = 63
	LongRangeCourseNotAvailable = 511
	// AIS 18-bit/17-bit low-resolution positions (types 17, 22, 23, 27) use
	// the same 91/181 sentinels.
)

// Message is one decoded AIS message. Type selects which body field holds
// the data (see the package documentation); the header fields are always set.
type Message struct {
	Type   uint8  // message type 1–27
	Repeat uint8  // repeat indicator 0–3
	MMSI   uint32 // source MMSI
	// RxTime is when the message was received, from a tag block, a timestamp
	// prefix or a $PGHP sentence; zero when the input does not say.
	RxTime time.Time
	// Station is the receiving station (tag block s:, $PGHP station), "" when
	// unknown.
	Station string
	// Channel is the radio channel 'A' or 'B' (or '1'/'2' as some receivers
	// write it), 0 when the sentence left it empty.
	Channel byte
	// Own is true for !xxVDO (own-vessel) sentences.
	Own bool

	PosA      PositionReportA   // types 1, 2, 3
	Base      BaseStationReport // types 4, 11
	StaticA   StaticVoyageData  // type 5
	Binary    BinaryMessage     // types 6, 8, 25, 26
	Ack       Acknowledge       // types 7, 13
	SAR       SARAircraftReport // type 9
	UTCQuery  UTCInquiry        // type 10
	Safety    SafetyMessage     // types 12, 14
	Query     Interrogation     // type 15
	Assign    AssignmentMode    // type 16
	DGNSS     DGNSSBroadcast    // type 17
	PosB      PositionReportB   // types 18, 19 (19 also fills ExtB)
	ExtB      ExtendedClassB    // type 19 static part
	DataLink  DataLinkMgmt      // type 20
	AtoN      AidToNavigation   // type 21
	ChanMgmt  ChannelManagement // type 22
	GroupAsgn GroupAssignment   // type 23
	StaticB   StaticDataReport  // type 24
	LongRange LongRangeReport   // type 27
}

// Dimensions are distances in metres from the position reference point.
type Dimensions struct {
	ToBow, ToStern, ToPort, ToStarboard uint16
}

// PositionReportA is a class A position report (types 1, 2, 3).
type PositionReportA struct {
	Status   uint8 // navigation status 0–15 (15 = not defined)
	Turn     int8  // raw rate of turn, -128 = not available; see RateOfTurn
	Speed    float64
	Accuracy bool
	Lon, Lat float64
	Course   float64
	Heading  uint16
	Second   uint8 // UTC second of the fix; 60–63 mean not available/manual/dead reckoning/inoperative
	Maneuver uint8
	RAIM     bool
	Radio    uint32
}

// HasPosition reports whether Lat/Lon hold a real position.
func (p *PositionReportA) HasPosition() bool { return validLatLon(p.Lat, p.Lon) }

// HasSpeed reports whether Speed holds a value (102.3 means not available).
func (p *PositionReportA) HasSpeed() bool { return p.Speed >= 0 && p.Speed < SpeedNotAvailable-0.05 }

// HasCourse reports whether Course holds a value (360 means not available).
func (p *PositionReportA) HasCourse() bool { return p.Course >= 0 && p.Course < 359.95 }

// HasHeading reports whether Heading holds a value (511 means not available).
func (p *PositionReportA) HasHeading() bool { return p.Heading < 360 }

// RateOfTurn converts Turn to degrees per minute (ROT = (Turn/4.733)²,
// signed). ok is false when not available; Turn ±127 (turning faster than
// 5°/30 s, no indicator) gives ±720 with ok true.
func (p *PositionReportA) RateOfTurn() (degPerMin float64, ok bool) {
	switch p.Turn {
	case TurnNotAvailable:
		return 0, false
	case 127:
		return 720, true
	case -127:
		return -720, true
	}
	r := float64(p.Turn) / 4.733
	if p.Turn < 0 {
		return -r * r, true
	}
	return r * r, true
}

// BaseStationReport is a base station report (4) or UTC/date response (11).
type BaseStationReport struct {
	Year                 uint16 // 0 = not available
	Month, Day           uint8  // 0 = not available
	Hour, Minute, Second uint8  // 24, 60, 60 = not available
	Accuracy             bool
	Lon, Lat             float64
	EPFD                 uint8
	RAIM                 bool
	Radio                uint32
}

// HasPosition reports whether Lat/Lon hold a real position.
func (b *BaseStationReport) HasPosition() bool { return validLatLon(b.Lat, b.Lon) }

// Time returns the reported UTC time; ok is false when any part is not
// available or out of range.
func (b *BaseStationReport) Time() (t time.Time, ok bool) {
	if b.Year == 0 || b.Month == 0 || b.Month > 12 || b.Day == 0 || b.Day > 31 ||
		b.Hour > 23 || b.Minute > 59 || b.Second > 59 {
		return time.Time{}, false
	}
	return time.Date(int(b.Year), time.Month(b.Month), int(b.Day), int(b.Hour), int(b.Minute), int(b.Second), 0, time.UTC), true
}

// StaticVoyageData is a class A static and voyage related message (type 5).
type StaticVoyageData struct {
	AISVersion  uint8
	IMO         uint32 // 0 = not available
	CallSign    string
	ShipName    string
	ShipType    uint8 // 0 = not available
	Dim         Dimensions
	EPFD        uint8
	ETAMonth    uint8   // 0 = not available
	ETADay      uint8   // 0 = not available
	ETAHour     uint8   // 24 = not available
	ETAMinute   uint8   // 60 = not available
	Draught     float64 // metres; 0 = not available
	Destination string
	DTE         bool // true = data terminal NOT ready
}

// HasIMO reports whether IMO holds a number.
func (s *StaticVoyageData) HasIMO() bool { return s.IMO != 0 }

// HasDraught reports whether Draught holds a value.
func (s *StaticVoyageData) HasDraught() bool { return s.Draught > 0 }

// HasETA reports whether the ETA month and day are given (hour and minute
// may still be not available, 24 and 60).
func (s *StaticVoyageData) HasETA() bool {
	return s.ETAMonth >= 1 && s.ETAMonth <= 12 && s.ETADay >= 1 && s.ETADay <= 31
}

// BinaryMessage covers addressed binary (6), binary broadcast (8) and
// single/multiple slot binary messages (25, 26). Data is the application
// payload after the DAC/FI, packed MSB first; DataBits says how many of its
// bits are meaningful. Data aliases Reader storage: copy it to keep it.
type BinaryMessage struct {
	SeqNo      uint8  // 6
	DestMMSI   uint32 // 6, and 25/26 when Addressed
	Retransmit bool   // 6
	Addressed  bool   // 25, 26
	Structured bool   // 25, 26: DAC/FI present
	DAC        uint16 // designated area code (6, 8, structured 25/26)
	FI         uint8  // function identifier
	Data       []byte
	DataBits   int
	Radio      uint32 // 26
	// App holds the decoded application fields of a type 6 or 8 whose
	// DAC/FI has a known layout (see AppField), nil otherwise; it aliases
	// Reader storage like Data. AppErr is set instead when the DAC/FI is
	// known but the payload does not fit its layout.
	App    []AppField
	AppErr error
}

// Acknowledge is a binary (7) or safety-related (13) acknowledgement.
type Acknowledge struct {
	Count int // number of MMSI/sequence pairs present, 1–4
	MMSI  [4]uint32
	Seq   [4]uint8
}

// SARAircraftReport is a standard SAR aircraft position report (type 9).
type SARAircraftReport struct {
	Altitude uint16 // metres; 4095 = not available, 4094 = 4094 or higher
	Speed    uint16 // knots; 1023 = not available, 1022 = 1022 or higher
	Accuracy bool
	Lon, Lat float64
	Course   float64
	Second   uint8
	Regional uint8
	DTE      bool
	Assigned bool
	RAIM     bool
	Radio    uint32
}

// HasPosition reports whether Lat/Lon hold a real position.
func (s *SARAircraftReport) HasPosition() bool { return validLatLon(s.Lat, s.Lon) }

// HasSpeed reports whether Speed holds a value.
func (s *SARAircraftReport) HasSpeed() bool { return s.Speed < SARSpeedNotAvailable }

// HasCourse reports whether Course holds a value.
func (s *SARAircraftReport) HasCourse() bool { return s.Course >= 0 && s.Course < 359.95 }

// UTCInquiry is a UTC/date inquiry (type 10).
type UTCInquiry struct {
	DestMMSI uint32
}

// SafetyMessage is an addressed (12) or broadcast (14) safety text.
type SafetyMessage struct {
	SeqNo      uint8  // 12
	DestMMSI   uint32 // 12
	Retransmit bool   // 12
	Text       string
}

// Interrogation is type 15: up to three requests, (MMSI1, Type1_1),
// (MMSI1, Type1_2) and (MMSI2, Type2_1); absent ones are zero.
type Interrogation struct {
	MMSI1     uint32
	Type1_1   uint8
	Offset1_1 uint16
	Type1_2   uint8
	Offset1_2 uint16
	MMSI2     uint32
	Type2_1   uint8
	Offset2_1 uint16
}

// AssignmentMode is an assignment mode command (type 16).
type AssignmentMode struct {
	MMSI1      uint32
	Offset1    uint16
	Increment1 uint16
	MMSI2      uint32 // 0 when only one assignment is present
	Offset2    uint16
	Increment2 uint16
}

// DGNSSBroadcast is a DGNSS broadcast binary message (type 17). Lat/Lon are
// the reference station position in degrees (1/10 minute resolution).
type DGNSSBroadcast struct {
	Lon, Lat float64
	Data     []byte // aliases Reader storage
	DataBits int
}

// HasPosition reports whether Lat/Lon hold a real position.
func (d *DGNSSBroadcast) HasPosition() bool { return validLatLon(d.Lat, d.Lon) }

// PositionReportB is a class B position report (18) or the position part of
// an extended class B report (19). Fields only in one of them are noted.
type PositionReportB struct {
	Reserved uint8 // regional reserved bits
	Speed    float64
	Accuracy bool
	Lon, Lat float64
	Course   float64
	Heading  uint16
	Second   uint8
	Regional uint8
	CS       bool // 18: carrier-sense unit
	Display  bool // 18
	DSC      bool // 18
	Band     bool // 18
	Msg22    bool // 18
	Assigned bool
	RAIM     bool
	Radio    uint32 // 18
}

// HasPosition reports whether Lat/Lon hold a real position.
func (p *PositionReportB) HasPosition() bool { return validLatLon(p.Lat, p.Lon) }

// HasSpeed reports whether Speed holds a value (102.3 means not available).
func (p *PositionReportB) HasSpeed() bool { return p.Speed >= 0 && p.Speed < SpeedNotAvailable-0.05 }

// HasCourse reports whether Course holds a value (360 means not available).
func (p *PositionReportB) HasCourse() bool { return p.Course >= 0 && p.Course < 359.95 }

// HasHeading reports whether Heading holds a value (511 means not available).
func (p *PositionReportB) HasHeading() bool { return p.Heading < 360 }

// ExtendedClassB holds the static part of a type 19 report.
type ExtendedClassB struct {
	ShipName string
	ShipType uint8
	Dim      Dimensions
	EPFD     uint8
	DTE      bool
}

// DataLinkMgmt is a data link management message (type 20): up to four
// slot reservations, Count of them present.
type DataLinkMgmt struct {
	Count     int
	Offset    [4]uint16
	Number    [4]uint8
	Timeout   [4]uint8
	Increment [4]uint16
}

// AidToNavigation is an aid-to-navigation report (type 21).
type AidToNavigation struct {
	AidType     uint8
	Name        string // name including the extension
	Accuracy    bool
	Lon, Lat    float64
	Dim         Dimensions
	EPFD        uint8
	Second      uint8
	OffPosition bool
	Regional    uint8
	RAIM        bool
	Virtual     bool
	Assigned    bool
}

// HasPosition reports whether Lat/Lon hold a real position.
func (a *AidToNavigation) HasPosition() bool { return validLatLon(a.Lat, a.Lon) }

// ChannelManagement is a channel management message (type 22). When
// Addressed, Dest1/Dest2 are set; otherwise the NE/SW corner of the area.
type ChannelManagement struct {
	ChannelA, ChannelB uint16
	TxRx               uint8
	Power              bool
	NELon, NELat       float64
	SWLon, SWLat       float64
	Dest1, Dest2       uint32
	Addressed          bool
	BandA, BandB       bool
	ZoneSize           uint8
}

// GroupAssignment is a group assignment command (type 23).
type GroupAssignment struct {
	NELon, NELat float64
	SWLon, SWLat float64
	StationType  uint8
	ShipType     uint8
	TxRx         uint8
	Interval     uint8
	Quiet        uint8
}

// StaticDataReport is a class B static data report (type 24). PartNo 0 (A)
// carries ShipName only; PartNo 1 (B) the rest.
type StaticDataReport struct {
	PartNo   uint8
	ShipName string // part A
	ShipType uint8  // part B from here on
	VendorID string // 3 characters (ITU-R M.1371-4 on)
	// VendorIDLong is the same 42 bits read as 7 characters, the vendor ID
	// of transponders built before M.1371-4 carved model and serial number
	// out of it; gpsd writes this form. Model and Serial are meaningless
	// for those transponders.
	VendorIDLong string
	Model        uint8
	Serial       uint32
	CallSign     string
	Dim          Dimensions
	// MothershipMMSI replaces Dim for auxiliary craft (MMSI 98xxxxxxx).
	MothershipMMSI uint32
}

// LongRangeReport is a long-range broadcast position report (type 27).
type LongRangeReport struct {
	Accuracy bool
	RAIM     bool
	Status   uint8
	Lon, Lat float64 // 1/10 minute resolution
	Speed    uint8   // knots; 63 = not available
	Course   uint16  // degrees; 511 = not available
	GNSS     bool    // false = current GNSS position, true = not GNSS position
}

// HasPosition reports whether Lat/Lon hold a real position.
func (l *LongRangeReport) HasPosition() bool { return validLatLon(l.Lat, l.Lon) }

func validLatLon(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// Position returns the reported position of a message that carries one
// (types 1–4, 9, 11, 17, 18, 19, 21, 27). ok is false for other types and
// when the position is not available or out of range.
func (m *Message) Position() (lat, lon float64, ok bool) {
	switch m.Type {
	case 1, 2, 3:
		lat, lon = m.PosA.Lat, m.PosA.Lon
	case 4, 11:
		lat, lon = m.Base.Lat, m.Base.Lon
	case 9:
		lat, lon = m.SAR.Lat, m.SAR.Lon
	case 17:
		lat, lon = m.DGNSS.Lat, m.DGNSS.Lon
	case 18, 19:
		lat, lon = m.PosB.Lat, m.PosB.Lon
	case 21:
		lat, lon = m.AtoN.Lat, m.AtoN.Lon
	case 27:
		lat, lon = m.LongRange.Lat, m.LongRange.Lon
	default:
		return 0, 0, false
	}
	if !validLatLon(lat, lon) {
		return 0, 0, false
	}
	return lat, lon, true
}

// Speed returns speed over ground in knots for a vessel or aircraft
// position report (1–3, 9, 18, 19, 27); ok is false when not available.
func (m *Message) Speed() (knots float64, ok bool) {
	switch m.Type {
	case 1, 2, 3:
		return m.PosA.Speed, m.PosA.HasSpeed()
	case 9:
		return float64(m.SAR.Speed), m.SAR.HasSpeed()
	case 18, 19:
		return m.PosB.Speed, m.PosB.HasSpeed()
	case 27:
		return float64(m.LongRange.Speed), m.LongRange.Speed < LongRangeSpeedNotAvailable
	}
	return 0, false
}

// Course returns course over ground in degrees for a position report
// (1–3, 9, 18, 19, 27); ok is false when not available.
func (m *Message) Course() (deg float64, ok bool) {
	switch m.Type {
	case 1, 2, 3:
		return m.PosA.Course, m.PosA.HasCourse()
	case 9:
		return m.SAR.Course, m.SAR.HasCourse()
	case 18, 19:
		return m.PosB.Course, m.PosB.HasCourse()
	case 27:
		return float64(m.LongRange.Course), m.LongRange.Course < 360
	}
	return 0, false
}

// Heading returns true heading in degrees (1–3, 18, 19); ok is false when
// not available.
func (m *Message) Heading() (deg int, ok bool) {
	switch m.Type {
	case 1, 2, 3:
		return int(m.PosA.Heading), m.PosA.HasHeading()
	case 18, 19:
		return int(m.PosB.Heading), m.PosB.HasHeading()
	}
	return 0, false
}

// ShipName returns the vessel or aid name carried by types 5, 19, 21 and
// 24 part A; ok is false for other types or when the name is blank.
func (m *Message) ShipName() (name string, ok bool) {
	switch m.Type {
	case 5:
		name = m.StaticA.ShipName
	case 19:
		name = m.ExtB.ShipName
	case 21:
		name = m.AtoN.Name
	case 24:
		if m.StaticB.PartNo == 0 {
			name = m.StaticB.ShipName
		}
	}
	return name, name != ""
}

// IsPositionReport reports whether the message is a vessel position report
// (1–3, 18, 19, 27).
func (m *Message) IsPositionReport() bool {
	switch m.Type {
	case 1, 2, 3, 18, 19, 27:
		return true
	}
	return false
}
