package analyze

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/event"
)

// Formats lists the output formats of NewWriter.
var Formats = []string{"jsonl", "table", "csv", "geojson", "kml"}

// Writer writes events in one output format. Close finishes the document
// (GeoJSON and KML need a footer; the table is aligned at the end).
type Writer interface {
	Write(e *event.Event) error
	Close() error
}

// NewWriter returns a Writer for format (one of Formats).
func NewWriter(w io.Writer, format string) (Writer, error) { return NewNamedWriter(w, format, nil) }

// NewNamedWriter is NewWriter whose table names the vessels beside their
// numbers, when name (a store's directory) knows them.
func NewNamedWriter(w io.Writer, format string, name func(mmsi uint32) string) (Writer, error) {
	switch format {
	case "jsonl":
		return jsonlWriter{event.NewWriter(w)}, nil
	case "table":
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tMMSI\tOTHER\tSTART\tEND\tHOURS\tLAT\tLON\tPORT\tCONF\tEVIDENCE")
		return &tableWriter{tw: tw, name: name}, nil
	case "csv":
		cw := csv.NewWriter(w)
		err := cw.Write([]string{"id", "type", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "port", "port_id", "port_group",
			"from_port", "from_port_id", "from_group", "confidence", "evidence"})
		return &csvWriter{cw: cw}, err
	case "geojson":
		_, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`+"\n")
		return &geojsonWriter{w: w}, err
	case "kml":
		_, err := io.WriteString(w, xml.Header+`<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Lookout events</name>`+"\n")
		return &kmlWriter{w: w}, err
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

type jsonlWriter struct{ w *event.Writer }

func (j jsonlWriter) Write(e *event.Event) error { return j.w.Write(e) }
func (j jsonlWriter) Close() error               { return nil }

type tableWriter struct {
	tw   *tabwriter.Writer
	name func(uint32) string
}

// vessel is an MMSI and, when known, the vessel's name.
func (t *tableWriter) vessel(m uint32) string {
	if m == 0 {
		return ""
	}
	s := strconv.FormatUint(uint64(m), 10)
	if t.name != nil {
		if n := t.name(m); n != "" {
			s += " " + n
		}
	}
	return s
}

func (t *tableWriter) Write(e *event.Event) error {
	port := e.Port
	if e.FromPort != "" {
		port = e.FromPort + " → " + e.Port
	}
	// A stored event still going on ends "open": its END is only the
	// last thing seen so far.
	end := e.End.UTC().Format("2006-01-02 15:04")
	if e.Open {
		end += " open"
	}
	lat, lon, _ := strings.Cut(e.PlaceText(), ", ")
	_, err := fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%g\t%s\n", e.Type, t.vessel(e.MMSI), t.vessel(e.OtherMMSI),
		e.Start.UTC().Format("2006-01-02 15:04"), end, e.Duration().Hours(),
		lat, lon, port, e.Confidence, event.EvidenceText(e.Evidence))
	return err
}

func (t *tableWriter) Close() error { return t.tw.Flush() }

type csvWriter struct{ cw *csv.Writer }

func (c *csvWriter) Write(e *event.Event) error {
	ev, _ := json.Marshal(e.Evidence)
	other := ""
	if e.OtherMMSI != 0 {
		other = strconv.FormatUint(uint64(e.OtherMMSI), 10)
	}
	return c.cw.Write([]string{e.ID(), string(e.Type), strconv.FormatUint(uint64(e.MMSI), 10), other,
		e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339),
		strconv.FormatFloat(e.Lat, 'f', 5, 64), strconv.FormatFloat(e.Lon, 'f', 5, 64),
		e.Port, e.PortID, e.PortGroup, e.FromPort, e.FromPortID, e.FromGroup,
		strconv.FormatFloat(e.Confidence, 'g', -1, 64), string(ev)})
}

func (c *csvWriter) Close() error { c.cw.Flush(); return c.cw.Error() }

type geojsonWriter struct {
	w io.Writer
	n int
}

func (g *geojsonWriter) Write(e *event.Event) error {
	f := struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties *event.Event   `json:"properties"`
		ID         string         `json:"id"`
	}{"Feature", map[string]any{"type": "Point", "coordinates": []float64{e.Lon, e.Lat}}, e, e.ID()}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if g.n > 0 {
		if _, err := io.WriteString(g.w, ",\n"); err != nil {
			return err
		}
	}
	g.n++
	_, err = g.w.Write(b)
	return err
}

func (g *geojsonWriter) Close() error {
	_, err := io.WriteString(g.w, "\n]}\n")
	return err
}

type kmlWriter struct{ w io.Writer }

func (k *kmlWriter) Write(e *event.Event) error {
	type data struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	}
	pm := struct {
		XMLName     xml.Name `xml:"Placemark"`
		Name        string   `xml:"name"`
		Description string   `xml:"description"`
		Begin       string   `xml:"TimeSpan>begin"`
		End         string   `xml:"TimeSpan>end"`
		Data        []data   `xml:"ExtendedData>Data"`
		Coordinates string   `xml:"Point>coordinates"`
	}{
		Name:        fmt.Sprintf("%s %d", e.Type, e.MMSI),
		Description: event.EvidenceText(e.Evidence),
		Begin:       e.Start.UTC().Format(time.RFC3339),
		End:         e.End.UTC().Format(time.RFC3339),
		Coordinates: fmt.Sprintf("%.6f,%.6f", e.Lon, e.Lat),
	}
	pm.Data = append(pm.Data, data{"type", string(e.Type)}, data{"mmsi", strconv.FormatUint(uint64(e.MMSI), 10)},
		data{"confidence", strconv.FormatFloat(e.Confidence, 'g', -1, 64)})
	if e.OtherMMSI != 0 {
		pm.Data = append(pm.Data, data{"other_mmsi", strconv.FormatUint(uint64(e.OtherMMSI), 10)})
	}
	if e.Port != "" {
		pm.Data = append(pm.Data, data{"port", e.Port}, data{"port_id", e.PortID})
	}
	b, err := xml.Marshal(pm)
	if err != nil {
		return err
	}
	_, err = k.w.Write(append(b, '\n'))
	return err
}

func (k *kmlWriter) Close() error {
	_, err := io.WriteString(k.w, "</Document></kml>\n")
	return err
}
