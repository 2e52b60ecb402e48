package alert

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-osint/lookout/event"
)

const rulesYAML = `
areas:
  box: {bbox: [128.0, 38.0, 129.0, 39.0]}
  tri: {polygon: [[130.0, 40.0], [131.0, 40.0], [130.5, 41.0]]}
rules:
  - {name: enter box, kind: enter, area: box, vessels: {mmsi: [111]}}
  - {name: leave box, kind: leave, area: box}
  - {name: dark tri, kind: dark, area: tri, near_km: 10, vessels: {listed: true}}
  - {name: meets listed, kind: meets_listed}
  - {name: renamed, kind: identity_change, vessels: {name: [chon ma san]}}
  - {name: risky, kind: risk, above: 20}
  - {name: sts in box, kind: event, events: [encounter], area: box}
`

type lists map[uint32]bool

func (l lists) Listed(mmsi, imo uint32) bool { return l[mmsi] || l[imo] }

func mustParse(t *testing.T, s string) *File {
	t.Helper()
	f, err := Parse([]byte(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseErrorsSayWhatIsWrong(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{``, "no rules"},
		{`rules: []`, "no rules"},
		{`rules: [{name: a, kind: teleport}]`, `rule 1 (a): kind "teleport"`},
		{`rules: [{kind: event}]`, "rule 1: no name"},
		{`rules: [{name: a, kind: enter}]`, "kind enter needs an area"},
		{`rules: [{name: a, kind: enter, area: nowhere}]`, `area "nowhere" is not defined`},
		{`rules: [{name: a, kind: event, events: [party]}]`, `unknown event type "party"`},
		{`rules: [{name: a, kind: risk}]`, "needs above"},
		{`rules: [{name: a, kind: event}, {name: a, kind: event}]`, "used twice"},
		{`rules: [{name: a, kind: event, colour: red}]`, "colour"},
		{"areas: {x: {bbox: [1, 2, 3]}}\nrules: [{name: a, kind: event}]", `area "x": bbox`},
		{"areas: {x: {port_group: NOPE}}\nrules: [{name: a, kind: event}]", `unknown port group "NOPE"`},
		{"areas: {x: {bbox: [1,2,3,4], port_group: KP}}\nrules: [{name: a, kind: event}]", "exactly one"},
		{"rules: [{name: a, kind: event}", "yaml"},
	} {
		_, err := Parse([]byte(c.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.yaml, err, c.want)
		}
	}
	if _, err := Parse([]byte(rulesYAML), nil); err != nil {
		t.Fatalf("good file: %v", err)
	}
	if _, err := Parse([]byte("areas: {kp: {port_group: KP, within_km: 20}}\nrules: [{name: a, kind: dark, area: kp}]"), nil); err != nil {
		t.Fatalf("port group area: %v", err)
	}
}

func TestAreas(t *testing.T) {
	f := mustParse(t, rulesYAML)
	box, tri := f.Areas["box"], f.Areas["tri"]
	if !box.Near(38.5, 128.5, 0) || box.Near(38.5, 129.2, 0) || !box.Near(38.5, 129.1, 10) {
		t.Error("bbox containment or nearness wrong")
	}
	if !tri.Near(40.3, 130.5, 0) || tri.Near(40.9, 130.1, 0) || tri.Near(39.5, 130.5, 10) || !tri.Near(39.95, 130.5, 10) {
		t.Error("polygon containment or nearness wrong")
	}
}

func TestEnterLeave(t *testing.T) {
	e := New(mustParse(t, rulesYAML), Options{})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []string
	for i, p := range [][2]float64{{37.9, 128.5}, {38.1, 128.5}, {38.2, 128.5}, {37.5, 128.5}} {
		for _, m := range []uint32{111, 222} {
			for _, a := range e.Position(m, t0.Add(time.Duration(i)*time.Minute), p[0], p[1]) {
				got = append(got, a.Rule+" "+a.Text)
			}
		}
	}
	want := []string{"enter box MMSI 111 entered box", "leave box MMSI 111 left box", "leave box MMSI 222 left box"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("alerts %q, want %q", got, want)
	}
}

func TestDarkFiresWhileSilentAndOnceForTheGap(t *testing.T) {
	e := New(mustParse(t, rulesYAML), Options{Lists: lists{555: true}, DarkAfter: time.Hour})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.Position(555, t0, 40.3, 130.5) // listed, in the triangle
	e.Position(666, t0, 40.3, 130.5) // not listed
	if a := e.Position(777, t0.Add(30*time.Minute), 0, 0); len(a) != 0 {
		t.Fatalf("fired too early: %+v", a)
	}
	a := e.Position(777, t0.Add(61*time.Minute), 0, 0)
	if len(a) != 1 || a[0].MMSI != 555 || a[0].Rule != "dark tri" {
		t.Fatalf("want one dark alert for 555, got %+v", a)
	}
	if again := e.Tick(t0.Add(3 * time.Hour)); len(again) != 0 {
		t.Fatalf("repeated: %+v", again)
	}
	gap := &event.Event{Type: event.Gap, MMSI: 555, Start: t0, End: t0.Add(5 * time.Hour), Lat: 40.3, Lon: 130.5}
	if a := e.Event(gap); len(a) != 0 {
		t.Fatalf("the gap event repeated the live alert: %+v", a)
	}
}

func TestEventRulesAndDedup(t *testing.T) {
	e := New(mustParse(t, rulesYAML), Options{Lists: lists{900: true}})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	enc := &event.Event{Type: event.Encounter, MMSI: 100, OtherMMSI: 900, Start: t0, End: t0.Add(3 * time.Hour), Lat: 38.5, Lon: 128.5}
	a := e.Event(enc)
	rules := map[string]int{}
	for _, x := range a {
		rules[x.Rule]++
		if x.EventID != enc.ID() {
			t.Errorf("alert %s cites %q, want event %s", x.ID, x.EventID, enc.ID())
		}
	}
	if rules["meets listed"] != 1 || rules["sts in box"] != 1 || len(a) != 2 {
		t.Fatalf("alerts %+v", a)
	}
	if a := e.Event(enc); len(a) != 0 {
		t.Fatalf("same event twice gave alerts again: %+v", a)
	}
	e.Identity(300, 0, "CHON MA SAN ")
	ic := &event.Event{Type: event.IdentityChange, MMSI: 300, Start: t0, End: t0}
	if a := e.Event(ic); len(a) != 1 || a[0].Rule != "renamed" || !strings.Contains(a[0].Text, "CHON MA SAN (MMSI 300)") {
		t.Fatalf("identity change by name: %+v", a)
	}
	if a := e.Event(&event.Event{Type: event.IdentityChange, MMSI: 301, Start: t0, End: t0}); len(a) != 0 {
		t.Fatalf("unselected vessel alerted: %+v", a)
	}
}

func TestRiskCrossesThresholdOnce(t *testing.T) {
	e := New(mustParse(t, rulesYAML), Options{})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var fired []Alert
	for i := range 3 {
		v := &event.Event{Type: event.PortVisit, MMSI: 42, Start: t0.Add(time.Duration(i) * 48 * time.Hour),
			End: t0.Add(time.Duration(i)*48*time.Hour + 24*time.Hour), PortID: "x", PortGroup: "KP", Confidence: 4}
		for _, a := range e.Event(v) {
			if a.Rule == "risky" {
				fired = append(fired, a)
			}
		}
		if i == 0 && len(fired) != 0 {
			t.Fatalf("one watched visit (15 points) crossed 20: %+v", fired)
		}
	}
	if len(fired) != 1 || fired[0].Score <= 20 {
		t.Fatalf("risk alerts %+v, want exactly one above 20", fired)
	}
}

func TestWebhookRetries(t *testing.T) {
	var calls atomic.Int32
	var key atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		key.Store(r.Header.Get("Idempotency-Key"))
		var a Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.Rule != "r" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	h := &Webhook{URL: srv.URL, Backoff: time.Millisecond, Attempts: 5}
	if err := h.Send(context.Background(), &Alert{ID: "r/abc", Rule: "r"}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || key.Load() != "r/abc" {
		t.Fatalf("calls %d key %v, want 3 and r/abc", calls.Load(), key.Load())
	}
	calls.Store(-100) // keeps failing
	h.Attempts = 3
	if err := h.Send(context.Background(), &Alert{ID: "x", Rule: "r"}); err == nil || !strings.Contains(err.Error(), "gave up after 3") {
		t.Fatalf("err %v", err)
	}
	if err := h.Send(context.Background(), &Alert{ID: "x", Rule: "bad"}); err == nil || !strings.Contains(err.Error(), "not retried") {
		t.Fatalf("a 400 should not be retried: %v", err)
	}
}
