package statecodec

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

type leaf struct {
	n    int
	name string
}

type state struct {
	a, b    *leaf // may point at one leaf
	m       map[[2]int32]*leaf
	list    []leaf
	nilList []int
	when    time.Time
	f       float64
	u       uint32
	any     map[string]any
	config  func() // not state: skipped
	kept    int    // skipped: keeps the value the owner set
	ring    [3]int8
}

func sample() *state {
	l := &leaf{7, "seven"}
	return &state{a: l, b: l, m: map[[2]int32]*leaf{{1, -2}: {1, "x"}, {3, 4}: nil},
		list: []leaf{{1, "a"}, {2, "b"}}, nilList: nil, config: nil, when: time.Date(2024, 3, 1, 12, 0, 0, 5, time.UTC),
		f: math.Inf(-1), u: 4e9, ring: [3]int8{-1, 0, 1},
		any: map[string]any{"b": true, "f": 1.5, "i": 3, "s": "x", "l": []string{"p", "q"}, "u": uint32(9)}}
}

func TestRoundTripKeepsEverythingAndSharing(t *testing.T) {
	c := New(state{}, Skip(state{}, "config", "kept"))
	in := sample()
	data, err := c.Marshal(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := &state{kept: 42}
	if err := c.Unmarshal(data, out, nil); err != nil {
		t.Fatal(err)
	}
	if out.kept != 42 {
		t.Errorf("skipped field overwritten: %d", out.kept)
	}
	out.kept = 0
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the state:\n in %+v\nout %+v", in, out)
	}
	if out.a != out.b {
		t.Error("two fields pointing at one value point at two after decoding")
	}
	// Equal states give equal bytes, whatever the map order.
	again, _ := c.Marshal(out, nil)
	if string(again) != string(data) {
		t.Error("re-encoding a decoded state gives other bytes")
	}
}

func TestRefusesOtherLayoutsAndDamage(t *testing.T) {
	c := New(state{}, Skip(state{}, "config", "kept"))
	data, err := c.Marshal(sample(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A build that carries one more field has another fingerprint.
	other := New(state{}, Skip(state{}, "config"))
	if err := other.Unmarshal(data, &state{}, nil); !errors.Is(err, ErrVersion) {
		t.Errorf("other layout: err = %v, want ErrVersion", err)
	}
	for cut := 9; cut < len(data); cut += 7 {
		if err := c.Unmarshal(data[:cut], &state{}, nil); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", cut, len(data))
		}
	}
}

func TestUnencodableFieldFailsLoudly(t *testing.T) {
	// config (a func) is not skipped: encoding must fail, not drop it.
	c := New(state{}, Skip(state{}, "kept"))
	if _, err := c.Marshal(sample(), nil); err == nil {
		t.Fatal("a func field was silently dropped")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("skipping a field that does not exist did not panic")
		}
	}()
	New(state{}, Skip(state{}, "renamed"))
}
