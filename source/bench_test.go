package source

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkDMA reads a synthetic DMA file of 100k rows over 1000 vessels.
func BenchmarkDMA(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D\n")
	const rows = 100000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&buf, "01/01/2024 %02d:%02d:%02d,Class A,%d,55.%06d,11.%06d,Under way using engine,0.0,12.3,45.6,44,Unknown,XX%04d,SHIP %d,Cargo,,20,100,GPS,7.5,SOMEWHERE,,AIS,50,50,10,10\n",
			i/3600%24, i/60%60, i%60, 111000000+i%1000, i%1000000, (i*7)%1000000, i%1000, i%1000)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		r, _, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if st := r.Stats(); st.Messages < rows {
			b.Fatalf("%d messages", st.Messages)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
