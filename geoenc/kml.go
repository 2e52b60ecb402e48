package geoenc

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/lookout-osint/lookout/event"
)

// Placemark is one KML placemark: a named geometry with its time and data.
type Placemark struct {
	Name        string
	Description string
	// Begin and End give a TimeSpan (Google Earth's time slider), When a
	// TimeStamp; zero times are left out.
	Begin, End, When time.Time
	Data             []Data
	// Geometry is an orb.Point, LineString (drawn along the ground),
	// Polygon or MultiPolygon; nil writes a placemark without one.
	Geometry orb.Geometry
}

// Data is one entry of a placemark's ExtendedData.
type Data struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value"`
}

// EventPlacemark is e as a placemark at its place, with its evidence as
// the description and its ID, type, vessels, confidence and port as data.
func EventPlacemark(e *event.Event) *Placemark {
	p := &Placemark{
		Name:        fmt.Sprintf("%s %d", e.Type, e.MMSI),
		Description: event.EvidenceText(e.Evidence),
		Begin:       e.Start, End: e.End,
		Geometry: Point(e.Lon, e.Lat),
		Data: []Data{{"id", e.ID()}, {"type", string(e.Type)}, {"mmsi", strconv.FormatUint(uint64(e.MMSI), 10)},
			{"confidence", strconv.FormatFloat(e.Confidence, 'g', -1, 64)}},
	}
	if e.OtherMMSI != 0 {
		p.Data = append(p.Data, Data{"other_mmsi", strconv.FormatUint(uint64(e.OtherMMSI), 10)})
	}
	if e.Port != "" {
		p.Data = append(p.Data, Data{"port", e.Port}, Data{"port_id", e.PortID})
	}
	return p
}

// KML writes one KML document placemark by placemark, in folders if asked.
type KML struct {
	w       io.Writer
	enc     *xml.Encoder
	folders int
	err     error
}

var kmlRoot = xml.StartElement{Name: xml.Name{Local: "kml"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "http://www.opengis.net/kml/2.2"}}}

// NewKML starts a document called name on w.
func NewKML(w io.Writer, name string) (*KML, error) {
	k := &KML{w: w, enc: xml.NewEncoder(w)}
	if _, k.err = io.WriteString(w, xml.Header); k.err != nil {
		return nil, k.err
	}
	k.token(kmlRoot)
	k.token(xml.StartElement{Name: xml.Name{Local: "Document"}})
	k.name(name)
	return k, k.err
}

func (k *KML) token(t xml.Token) {
	if k.err == nil {
		k.err = k.enc.EncodeToken(t)
	}
}

func (k *KML) name(s string) {
	if k.err == nil {
		k.err = k.enc.EncodeElement(s, xml.StartElement{Name: xml.Name{Local: "name"}})
	}
	k.newline()
}

// newline ends a line after each placemark and folder heading, so the
// file reads and diffs one placemark a line.
func (k *KML) newline() {
	if k.err == nil {
		k.err = k.enc.Flush()
	}
	if k.err == nil {
		_, k.err = io.WriteString(k.w, "\n")
	}
}

// WriteKML writes a whole document of placemarks.
func WriteKML(w io.Writer, name string, pms []*Placemark) error {
	k, err := NewKML(w, name)
	for i := 0; err == nil && i < len(pms); i++ {
		err = k.Placemark(pms[i])
	}
	if err != nil {
		return err
	}
	return k.Close()
}

// Folder opens a folder; placemarks written until EndFolder go in it.
func (k *KML) Folder(name string) error {
	k.token(xml.StartElement{Name: xml.Name{Local: "Folder"}})
	k.name(name)
	k.folders++
	return k.err
}

// EndFolder closes the folder opened last.
func (k *KML) EndFolder() error {
	if k.folders == 0 {
		return fmt.Errorf("geoenc: EndFolder without Folder")
	}
	k.folders--
	k.token(xml.EndElement{Name: xml.Name{Local: "Folder"}})
	k.newline()
	return k.err
}

// Close closes any open folder and the document.
func (k *KML) Close() error {
	for k.folders > 0 && k.err == nil {
		k.EndFolder()
	}
	k.token(xml.EndElement{Name: xml.Name{Local: "Document"}})
	k.token(kmlRoot.End())
	k.newline()
	return k.err
}

type xmlSpan struct {
	Begin string `xml:"begin,omitempty"`
	End   string `xml:"end,omitempty"`
}

// Optional elements are pointers: encoding/xml writes the parent of an
// "a>b" path even when b is empty.
type xmlData struct {
	Data []Data `xml:"Data"`
}

type xmlPoint struct {
	Coordinates string `xml:"coordinates"`
}

type xmlStamp struct {
	When string `xml:"when"`
}

type xmlMulti struct {
	Polygons []xmlPolygon `xml:"Polygon"`
}

type xmlLine struct {
	Tessellate  int    `xml:"tessellate"`
	Coordinates string `xml:"coordinates"`
}

type xmlRing struct {
	Coordinates string `xml:"LinearRing>coordinates"`
}

type xmlPolygon struct {
	Outer xmlRing   `xml:"outerBoundaryIs"`
	Inner []xmlRing `xml:"innerBoundaryIs"`
}

type xmlPlacemark struct {
	XMLName     xml.Name    `xml:"Placemark"`
	Name        string      `xml:"name,omitempty"`
	Description string      `xml:"description,omitempty"`
	TimeSpan    *xmlSpan    `xml:"TimeSpan"`
	TimeStamp   *xmlStamp   `xml:"TimeStamp"`
	Data        *xmlData    `xml:"ExtendedData"`
	Point       *xmlPoint   `xml:"Point"`
	Line        *xmlLine    `xml:"LineString"`
	Polygon     *xmlPolygon `xml:"Polygon"`
	Multi       *xmlMulti   `xml:"MultiGeometry"`
}

func kmlTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// coords writes points as KML wants them: lon,lat pairs separated by spaces.
func coords(ps []orb.Point) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	return b.String()
}

func polygon(p orb.Polygon) xmlPolygon {
	var x xmlPolygon
	for i, r := range p {
		if i == 0 {
			x.Outer.Coordinates = coords(r)
		} else {
			x.Inner = append(x.Inner, xmlRing{coords(r)})
		}
	}
	return x
}

// Placemark writes p.
func (k *KML) Placemark(p *Placemark) error {
	if k.err != nil {
		return k.err
	}
	x := xmlPlacemark{Name: p.Name, Description: p.Description}
	if len(p.Data) > 0 {
		x.Data = &xmlData{p.Data}
	}
	if !p.When.IsZero() {
		x.TimeStamp = &xmlStamp{kmlTime(p.When)}
	}
	if !p.Begin.IsZero() || !p.End.IsZero() {
		x.TimeSpan = &xmlSpan{kmlTime(p.Begin), kmlTime(p.End)}
	}
	switch g := p.Geometry.(type) {
	case nil:
	case orb.Point:
		x.Point = &xmlPoint{coords([]orb.Point{g})}
	case orb.LineString:
		x.Line = &xmlLine{1, coords(g)}
	case orb.Polygon:
		pg := polygon(g)
		x.Polygon = &pg
	case orb.MultiPolygon:
		x.Multi = &xmlMulti{}
		for _, pg := range g {
			x.Multi.Polygons = append(x.Multi.Polygons, polygon(pg))
		}
	default:
		return fmt.Errorf("geoenc: KML of a %s is not written", g.GeoJSONType())
	}
	k.err = k.enc.Encode(x)
	k.newline()
	return k.err
}
