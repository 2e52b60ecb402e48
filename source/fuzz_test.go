package source

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCSV drives dialect recognition and the row reader: any input is read
// or refused with ErrUnknownFormat, never a panic; what is read has a
// valid MMSI and a plausible time; every rejected row has a named reason.
func FuzzCSV(f *testing.F) {
	for _, name := range []string{"dma.csv", "noaa.csv"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(string(b), "")
		}
	}
	f.Add("Time,MMSI,Latitude_degrees,Longitude_degrees,COG_degrees,SOG_knots\n2016-01-12 13:02:11.218,235070762,50.77,-1.09,157.8,5.9\n", "")
	f.Add("MMSI,Time,Latitude,Longitude\n235070762,20210701_185151,50.77,-1.09\n", "")
	f.Add("Timestamp;MMSI;Latitude;Longitude;Navigational status\n01/07/2021 18:51:51;235070762;50,77;-1,09;Moored\n", "")
	f.Add("ship_id,ts,x,y\n235070762,1625165511,-1.09,50.77\n", "time=ts,mmsi=ship_id,lat=y,lon=x")
	f.Add("MMSI,BaseDateTime,LAT,LON,Status,VesselType\n366989360,9999-12-31T23:59:59,38.05,-122.29,8.0,60.0\n", "")
	named := map[string]bool{}
	for _, e := range []error{ErrBadNumber, ErrMissingMMSI, ErrOutOfRange, ErrBadTime, ErrBadRow, ErrImplausibleTime} {
		named[e.Error()] = true
	}
	f.Fuzz(func(t *testing.T, in, columns string) {
		cols, err := ParseColumns(columns)
		if err != nil {
			cols = nil
		}
		r, format, err := NewReaderOptions(strings.NewReader(in), Options{Columns: cols})
		if err != nil {
			if !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrBadRow) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if format == NMEA {
			return // package ais's fuzz targets cover it
		}
		for r.Next() {
			m := r.Message()
			if m.MMSI == 0 || m.MMSI > 999999999 {
				t.Fatalf("MMSI %d", m.MMSI)
			}
			if m.RxTime.Before(earliestPlausible) || m.RxTime.Year() > 9000 {
				t.Fatalf("time %v passed on", m.RxTime)
			}
			if lat, lon, ok := m.Position(); ok && (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
				t.Fatalf("position %v %v", lat, lon)
			}
		}
		for k := range r.Stats().Rejected {
			if !named[k] {
				t.Fatalf("unnamed reason %q", k)
			}
		}
	})
}
