module github.com/lookout-osint/lookout/scripts/bench/goais

go 1.26.8

require github.com/BertoldVdb/go-ais v0.4.0

require github.com/adrianmo/go-nmea v1.3.0 // indirect
