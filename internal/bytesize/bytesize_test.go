package bytesize

import "testing"

func TestParse(t *testing.T) {
	for v, want := range map[string]int64{"256MiB": 256 << 20, "1GB": 1e9, "1.5 GiB": 3 << 29,
		"1048576": 1 << 20, "122.0 MiB": 122 << 20, "512KB": 512e3, "2 bytes": 2, " 1TiB ": 1 << 40} {
		if got, ok := Parse(v); !ok || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "lots", "12XB", "-5MB", "MB", "0", "1e30GB"} {
		if got, ok := Parse(v); ok {
			t.Errorf("Parse(%q) = %d, want not a size", v, got)
		}
	}
}
