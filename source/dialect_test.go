package source

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/ais"
)

func realSample(t *testing.T, name string) io.Reader {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", "ais-real", name)
	f, err := os.Open(p)
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	if strings.HasSuffix(name, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	return f
}

// countRows counts a CSV's data rows (non-empty lines after the header).
func countRows(t *testing.T, name string) int64 {
	b, err := io.ReadAll(realSample(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range strings.Split(string(b), "\n")[1:] {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// Every real CSV sample is recognised by its header, and every row is
// either read or rejected under a named reason.
func TestRealCSVSamples(t *testing.T) {
	for _, c := range []struct {
		name   string
		format Format
	}{
		{"stonesoup-solent-20160112.csv.gz", CSV},
		{"mc-small-sample.csv", NOAA},
		{"mc-20200101-sf-bay.csv.gz", NOAA},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := countRows(t, c.name)
			r, f, err := NewReader(realSample(t, c.name))
			if err != nil {
				t.Fatal(err)
			}
			if f != c.format {
				t.Errorf("format %q, want %q", f, c.format)
			}
			var positions, bad int64
			shipTypes := map[uint8]int{}
			for r.Next() {
				m := r.Message()
				if m.IsPositionReport() {
					positions++
					if _, _, ok := m.Position(); !ok || m.RxTime.Year() < 2016 {
						bad++
					}
				}
				if m.Type == 5 {
					shipTypes[m.StaticA.ShipType]++
				}
			}
			st := r.Stats()
			t.Logf("%d rows: %d positions, %d messages, rejected %v", rows, positions, st.Messages, st.Rejected)
			if positions+st.RejectedTotal() != rows || bad != 0 {
				t.Errorf("%d rows, %d positions (%d bad) + %d rejected", rows, positions, bad, st.RejectedTotal())
			}
			if st.RejectedTotal() > rows/100 {
				t.Errorf("%d of %d rows rejected: %v", st.RejectedTotal(), rows, st.Rejected)
			}
			// MarineCadastre writes ship types as decimals ("60.0"):
			// they must not all become 0 (not available).
			if c.format == NOAA && len(shipTypes) < 3 {
				t.Errorf("ship types %v", shipTypes)
			}
		})
	}
}

func readCSV(t *testing.T, in string, opt Options) ([]ais.Message, ais.Stats, Format) {
	t.Helper()
	r, f, err := NewReaderOptions(strings.NewReader(in), opt)
	if err != nil {
		t.Fatalf("%q: %v", in[:min(len(in), 60)], err)
	}
	return readAll(t, r), r.Stats(), f
}

// Dialects seen in the wild, each recognised by its header alone.
func TestCSVDialects(t *testing.T) {
	want := time.Date(2021, 7, 1, 18, 51, 51, 0, time.UTC)
	for name, in := range map[string]string{
		"unit suffixes": "Time,MMSI,Latitude_degrees,Longitude_degrees,COG_degrees,SOG_knots\n2021-07-01 18:51:51.000,235070762,50.77,-1.09,157.8,5.9\n",
		"spire":         "MMSI,Time,Latitude,Longitude,SOG\n235070762,20210701_185151,50.77,-1.09,5.9\n",
		"semicolons":    "Timestamp;MMSI;Latitude;Longitude;SOG\n01/07/2021 18:51:51;235070762;50,77;-1,09;5,9\n",
		"long":          "mmsi,datetime,lat,long,speed\n235070762,2021-07-01T18:51:51Z,50.77,-1.09,5.9\n",
		"unix seconds":  "mmsi\ttimestamp\tlat\tlng\n235070762\t1625165511\t50.77\t-1.09\n",
		"byte order":    "\xef\xbb\xbfMMSI,Time,Lat,Lon\n235070762,2021-07-01T18:51:51,50.77,-1.09\n",
	} {
		msgs, st, _ := readCSV(t, in, Options{})
		if len(msgs) != 1 || st.RejectedTotal() != 0 {
			t.Errorf("%s: %d messages, rejected %v", name, len(msgs), st.Rejected)
			continue
		}
		lat, lon, ok := msgs[0].Position()
		if !ok || lat != 50.77 || lon != -1.09 || !msgs[0].RxTime.Equal(want) || msgs[0].MMSI != 235070762 {
			t.Errorf("%s: %v %v %v at %v", name, lat, lon, ok, msgs[0].RxTime)
		}
	}
}

// MarineCadastre writes navigation status as "8.0": it is 8 (sailing),
// never silently 15 (not defined).
func TestMarineCadastreDecimalCodes(t *testing.T) {
	in := "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status\n" +
		"366989360,2020-01-01T00:00:00,38.05,-122.29,5.6,247.0,247.0,SAILOR,,WCX2709,36.0,8.0\n" +
		"366989361,2020-01-01T00:00:00,38.05,-122.29,5.6,247.0,247.0,MOORED,,WCX2710,60.0,5\n"
	msgs, st, _ := readCSV(t, in, Options{})
	if len(msgs) != 4 || st.RejectedTotal() != 0 {
		t.Fatalf("%d messages, rejected %v", len(msgs), st.Rejected)
	}
	if s := msgs[1].PosA.Status; s != 8 {
		t.Errorf("status 8.0 read as %d", s)
	}
	if s := msgs[3].PosA.Status; s != 5 {
		t.Errorf("status 5 read as %d", s)
	}
	if msgs[0].StaticA.ShipType != 36 || msgs[2].StaticA.ShipType != 60 {
		t.Errorf("ship types %d %d", msgs[0].StaticA.ShipType, msgs[2].StaticA.ShipType)
	}
}

// Anything else is read with --columns.
func TestUserColumns(t *testing.T) {
	cols, err := ParseColumns("time=ts, mmsi = ship_id,lat=Y,lon=x,sog=knots")
	if err != nil {
		t.Fatal(err)
	}
	in := "ship_id,ts,x,y,knots\n235070762,2021-07-01T18:51:51,-1.09,50.77,5.9\n"
	if _, _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("without --columns: %v", err)
	}
	msgs, _, f := readCSV(t, in, Options{Columns: cols})
	if f != CSV || len(msgs) != 1 {
		t.Fatalf("format %q, %d messages", f, len(msgs))
	}
	lat, lon, _ := msgs[0].Position()
	sog, _ := msgs[0].Speed()
	if lat != 50.77 || lon != -1.09 || sog != 5.9 {
		t.Errorf("%v %v %v", lat, lon, sog)
	}
	// The user's mapping wins over a known spelling.
	cols, _ = ParseColumns("lat=lat2")
	msgs, _, _ = readCSV(t, "MMSI,Time,Lat,Lat2,Lon\n235070762,2021-07-01T18:51:51,1,50.77,-1.09\n", Options{Columns: cols})
	if lat, _, _ := msgs[0].Position(); lat != 50.77 {
		t.Errorf("lat %v, want the mapped column", lat)
	}
	for _, bad := range []string{"latitude", "lat=", "speed=x"} {
		if _, err := ParseColumns(bad); err == nil {
			t.Errorf("ParseColumns(%q) accepted", bad)
		}
	}
}

// A header missing a required column is refused with a message that names
// the column, the line and what the header had.
func TestMissingColumnMessage(t *testing.T) {
	in := "\nMMSI,Time,Y,X,SOG\n235070762,2021-07-01T18:51:51,50.77,-1.09,5.9\n"
	_, _, err := NewReader(strings.NewReader(in))
	var he *HeaderError
	if !errors.As(err, &he) || !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("err %v, want a HeaderError", err)
	}
	msg := err.Error()
	for _, want := range []string{"line 2", "no lat column", "no lon column", `"Y"`, `"X"`, `"SOG"`, "--columns lat="} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// A header naming nothing Lookout knows says so.
	_, _, err = NewReader(strings.NewReader("foo;bar;baz\n1;2;3\n"))
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "--columns") || !strings.Contains(err.Error(), "foo;bar;baz") {
		t.Errorf("unknown header: %v", err)
	}
}

// Rows dated year 0001 or 9999 (export placeholders) are rejected with a
// reason, never passed on; the rows around them are read.
func TestImplausibleDatesRejected(t *testing.T) {
	in := "MMSI,BaseDateTime,LAT,LON\n" +
		"366989360,2020-01-01T00:00:00,38.05,-122.29\n" +
		"366989360,0001-01-01T00:00:00,38.05,-122.29\n" +
		"366989360,9999-12-31T23:59:59,38.05,-122.29\n" +
		"366989360,1970-01-01T00:00:00,38.05,-122.29\n" +
		"366989360,2020-01-01T00:00:10,38.05,-122.29\n"
	msgs, st, _ := readCSV(t, in, Options{})
	if len(msgs) != 2 || st.Rejected[ErrImplausibleTime.Error()] != 3 {
		t.Errorf("%d messages, rejected %v", len(msgs), st.Rejected)
	}
	for _, m := range msgs {
		if m.RxTime.Year() != 2020 {
			t.Errorf("passed on a message at %v", m.RxTime)
		}
	}
}

// An untimed NMEA log read with a clock gets its times from its own GPS
// sentences (lookout's --start auto).
func TestClockOption(t *testing.T) {
	r, f, err := NewReaderOptions(realSample(t, "signalk-gofree-merrimac.log"), Options{Clock: true})
	if err != nil || f != NMEA {
		t.Fatal(f, err)
	}
	var n, timed int
	for r.Next() {
		n++
		if !r.Message().RxTime.IsZero() {
			timed++
		}
	}
	if n < 1453 || timed < n*9/10 {
		t.Errorf("%d of %d messages timed", timed, n)
	}
}
