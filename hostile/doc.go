// Package hostile holds no code: its tests feed Lookout input made to hurt
// it (issue 16) end to end and assert bounds on the work and memory each
// takes and on what it must not invent. They run with every go test.
//
// At real rates (issue 17): a flood of one MMSI (a report repeated, or
// jumping about, tens of thousands of times in a minute) and every report
// heard by twenty stations, through analyze and ingest (flood_test.go).
//
// Unit-level cases live beside the code they guard: track's clock tests
// (stray, future and pre-AIS receive times; real jumps kept), detect's
// gap-grading work bound, the GeoTIFF reader's refusals of impossible
// headers, the sanctions readers' strict lines. Fuzz targets with their
// corpora in testdata/fuzz: geotiff FuzzReader, sanctions FuzzRead, alert
// FuzzRules, serve FuzzParams.
package hostile
