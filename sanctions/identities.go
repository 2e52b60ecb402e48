package sanctions

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ReadIdentities reads vessel identities to screen: JSON lines of Identity
// ({"mmsi":…,"imo":…,"name":…,"call_sign":…,"flag":…,"first":…,"last":…}),
// a JSON array of vessels each with an "identities" list whose items have
// "from" (the simulator's vessels.json), or a CSV with a header naming
// mmsi, imo, name, call_sign, flag, first, last. Bad lines are counted by
// reason in rejected, never fatal.
func ReadIdentities(r io.Reader) (ids []Identity, rejected map[string]int, err error) {
	rejected = map[string]int{}
	br := bufio.NewReaderSize(r, 64*1024)
	head, _ := br.Peek(512)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return readVessels(br, rejected)
	}
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var id Identity
			if err := json.Unmarshal(line, &id); err != nil {
				rejected["json_syntax"]++
				continue
			}
			ids = append(ids, id)
		}
		return ids, rejected, sc.Err()
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, rejected, fmt.Errorf("identities header: %w", err)
	}
	col := columnIndex(header)
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if _, ok := col["mmsi"]; !ok {
		return nil, rejected, fmt.Errorf("identities: no mmsi column in %q", strings.Join(header, ","))
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			rejected["csv_syntax"]++
			continue
		}
		var id Identity
		m, err := strconv.ParseUint(get(rec, "mmsi"), 10, 32)
		if err != nil {
			rejected["mmsi"]++
			continue
		}
		id.MMSI = uint32(m)
		if s := get(rec, "imo"); s != "" && s != "0" {
			n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(s), "IMO"), 10, 32)
			if err != nil {
				rejected["imo"]++
				continue
			}
			id.IMO = uint32(n)
		}
		id.Name = get(rec, "name")
		id.CallSign = get(rec, "call_sign")
		id.Flag = get(rec, "flag")
		for _, f := range []struct {
			col string
			t   *time.Time
		}{{"first", &id.First}, {"last", &id.Last}} {
			if s := get(rec, f.col); s != "" {
				t, err := time.Parse(time.RFC3339, s)
				if err != nil {
					rejected["time"]++
					continue
				}
				*f.t = t.UTC()
			}
		}
		ids = append(ids, id)
	}
	return ids, rejected, nil
}

// vesselHistory is a vessel with its identities over time, each valid from
// its From until the next one's.
type vesselHistory struct {
	Identities []struct {
		Identity
		From time.Time `json:"from"`
	} `json:"identities"`
}

func readVessels(r io.Reader, rejected map[string]int) ([]Identity, map[string]int, error) {
	var raw []json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, rejected, fmt.Errorf("identities JSON array: %w", err)
	}
	var out []Identity
	for _, m := range raw {
		var v vesselHistory
		if err := json.Unmarshal(m, &v); err != nil {
			rejected["json_shape"]++
			continue
		}
		if len(v.Identities) == 0 {
			// A bare identity in the array.
			var id Identity
			if err := json.Unmarshal(m, &id); err != nil || id.MMSI == 0 {
				rejected["no_identity"]++
				continue
			}
			out = append(out, id)
			continue
		}
		for i, h := range v.Identities {
			id := h.Identity
			if id.First.IsZero() {
				id.First = h.From
			}
			if id.Last.IsZero() && i+1 < len(v.Identities) {
				id.Last = v.Identities[i+1].From
			}
			out = append(out, id)
		}
	}
	return out, rejected, nil
}
