package sanctions

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"sync"
)

//go:embed data/*.csv.gz
var dataFS embed.FS

// Builtin lists shipped with Lookout: file, format and list name. See
// data/README.md for where each comes from.
var builtin = []struct{ file, format, source string }{
	{"data/ofac_sdn_vessels_2024-05-03.csv.gz", "ofac-sdn", "OFAC SDN list sdn.csv of 2024-05-03 (vessel rows)"},
	{"data/uk_sanctions_ships_2025-08-11.csv.gz", "uk", "UK Sanctions List summary export of 2025-08-11 (ships)"},
}

var defaultLists = sync.OnceValues(func() ([]*List, error) {
	var out []*List
	for _, b := range builtin {
		raw, err := dataFS.ReadFile(b.file)
		if err != nil {
			return nil, fmt.Errorf("builtin list %s: %w", b.file, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("builtin list %s: %w", b.file, err)
		}
		l, err := Read(zr, b.format, "", b.source)
		if err != nil {
			return nil, fmt.Errorf("builtin list %s: %w", b.file, err)
		}
		out = append(out, l)
	}
	return out, nil
})

// Builtin returns the lists embedded in Lookout, parsed once. Callers must
// not modify them.
func Builtin() []*List {
	ls, err := defaultLists()
	if err != nil {
		// The files are embedded at build time and tested; failing here
		// is a broken build, not bad input.
		panic(err)
	}
	return ls
}

var defaultIndex = sync.OnceValue(func() *Index {
	return NewIndex(Concat(Builtin()...))
})

// Default returns an index of the builtin lists, built once.
func Default() *Index { return defaultIndex() }

// Concat joins the entries of lists.
func Concat(lists ...*List) []Entry {
	var out []Entry
	for _, l := range lists {
		out = append(out, l.Entries...)
	}
	return out
}
