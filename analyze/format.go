package analyze

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lookout-osint/lookout/event"
	"github.com/lookout-osint/lookout/geoenc"
)

// Formats lists the output formats of NewWriter.
var Formats = []string{"jsonl", "json", "table", "csv", "geojson", "kml"}

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
	case "json":
		return &jsonArrayWriter{w: w}, nil
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
		g, err := geoenc.NewGeoJSON(w, nil)
		return geojsonWriter{g}, err
	case "kml":
		k, err := geoenc.NewKML(w, "Lookout events")
		return kmlWriter{k}, err
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

type jsonlWriter struct{ w *event.Writer }

func (j jsonlWriter) Write(e *event.Event) error { return j.w.Write(e) }
func (j jsonlWriter) Close() error               { return nil }

// jsonArrayWriter writes one indented JSON array, event by event, so a
// month of events is never held to be written (json.Encoder on a slice
// would need them all).
type jsonArrayWriter struct {
	w io.Writer
	n int
}

func (j *jsonArrayWriter) Write(e *event.Event) error {
	b, err := json.MarshalIndent(e, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if j.n == 0 {
		sep = "[\n  "
	}
	j.n++
	if _, err := io.WriteString(j.w, sep); err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

func (j *jsonArrayWriter) Close() error {
	end := "\n]\n"
	if j.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

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

type geojsonWriter struct{ g *geoenc.GeoJSON }

func (g geojsonWriter) Write(e *event.Event) error { return g.g.Write(geoenc.Event(e)) }
func (g geojsonWriter) Close() error               { return g.g.Close() }

type kmlWriter struct{ k *geoenc.KML }

func (k kmlWriter) Write(e *event.Event) error { return k.k.Placemark(geoenc.EventPlacemark(e)) }
func (k kmlWriter) Close() error               { return k.k.Close() }
