package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEventTypesDescribed: every event type package event declares (its
// constants of type Type, read from its source, since constants cannot be
// listed at run time) has an entry in web/src/events.js's TYPES, which
// gives the map its colour, legend row, filter and popup. Without one the
// type was drawn as a grey dot nobody could read or filter, as
// possible_dark_transfer and gnss_interference were. An entry for a type
// package event does not have (a typo) fails too.
func TestEventTypesDescribed(t *testing.T) {
	goTypes := eventTypes(t)
	src, err := os.ReadFile("src/events.js")
	if err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(string(src)[strings.Index(string(src), "export const TYPES = {"):], "export const TYPES = {")
	if !ok {
		t.Fatal("src/events.js has no `export const TYPES = {`")
	}
	body = body[:strings.Index(body, "\n};")]
	var jsTypes []string
	for _, m := range regexp.MustCompile(`(?m)^  (\w+): \{`).FindAllStringSubmatch(body, -1) {
		jsTypes = append(jsTypes, m[1])
	}
	entry := regexp.MustCompile(`(?s)^\s*color: '#[0-9a-f]{6}', what: '.+evidence: `)
	for _, typ := range goTypes {
		if !slices.Contains(jsTypes, typ) {
			t.Errorf("event type %q (package event) has no entry in web/src/events.js TYPES: give it a colour, what and evidence", typ)
		}
	}
	for i, typ := range jsTypes {
		if !slices.Contains(goTypes, typ) {
			t.Errorf("web/src/events.js describes %q, which package event does not declare", typ)
		}
		// Each entry has a colour, its words and an evidence sentence.
		start := strings.Index(body, "  "+typ+": {") + len(typ) + 5
		end := len(body)
		if i+1 < len(jsTypes) {
			end = strings.Index(body, "  "+jsTypes[i+1]+": {")
		}
		if !entry.MatchString(body[start:end]) {
			t.Errorf("web/src/events.js %s: want `color: '#rrggbb', what: '…', … evidence: …`, got %q", typ, body[start:min(end, start+120)])
		}
	}
	if len(goTypes) < 14 {
		t.Errorf("read %d event types from package event (%v): the parse missed some", len(goTypes), goTypes)
	}
}

// eventTypes returns the values of package event's constants of type Type.
func eventTypes(t *testing.T) []string {
	names, err := filepath.Glob("../event/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Type" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}
