// Package web holds the front end of lookout serve: the sources in src/,
// bundled with their npm dependencies (MapLibre GL JS) by scripts/build-web
// into dist/, which is embedded into the binary. dist/ is not committed
// apart from a placeholder, because the bundle contains third-party code;
// a binary built without running scripts/build-web serves a page saying so.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built front end, index.html at its root.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; it always exists
	}
	return sub
}
