package web

import (
	"encoding/json"
	"os"
	"path"
	"testing"
)

// TestInstallScriptsApproved: every locked npm package with an install
// script has a decision in package.json's allowScripts, so npm ci neither
// warns about an unreviewed script nor (from npm 12) silently skips one
// the build needs. A dependency added without review fails here.
func TestInstallScriptsApproved(t *testing.T) {
	var pkg struct {
		AllowScripts map[string]bool `json:"allowScripts"`
	}
	var lock struct {
		Packages map[string]struct {
			Version          string `json:"version"`
			HasInstallScript bool   `json:"hasInstallScript"`
		} `json:"packages"`
	}
	for file, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	scripts := 0
	for where, p := range lock.Packages {
		if !p.HasInstallScript || where == "" {
			continue
		}
		scripts++
		// The entry is node_modules/<name>, nested for a private copy.
		name := path.Base(where)
		if dir := path.Base(path.Dir(where)); len(dir) > 0 && dir[0] == '@' {
			name = dir + "/" + name
		}
		_, byName := pkg.AllowScripts[name]
		_, byVersion := pkg.AllowScripts[name+"@"+p.Version]
		if !byName && !byVersion {
			t.Errorf("%s@%s has an install script but no allowScripts entry in web/package.json (npm install-scripts approve or deny it)", name, p.Version)
		}
	}
	if scripts == 0 {
		t.Error("no locked package has an install script: esbuild's is expected, so the lock file was not read as meant")
	}
}
