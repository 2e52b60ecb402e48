package ais

import (
	"errors"
	"fmt"
	"strconv"
)

// Application messages: the binary payloads of types 6 (addressed) and 8
// (broadcast) that a DAC (designated area code) and FI (function
// identifier) give a layout to. The decoders follow gpsd's AIVDM document
// ("Application-specific messages") and write gpsd's JSON member names and
// scaling, so that `lookout decode` and gpsdecode -j agree field by field.
// They run only for types 6 and 8, after the envelope has been decoded, so
// the position-report path never reaches this code.

// AppKind says which value of an AppField is set.
type AppKind uint8

const (
	AppUint   AppKind = iota // Int holds an unsigned value
	AppInt                   // Int holds a signed value
	AppFloat                 // Float, rendered with Prec decimals
	AppBool                  // Int is 0 or 1
	AppString                // Str
	AppArray                 // Name opens an array of objects, closed by AppEnd
	AppObject                // opens one array element, closed by AppEnd
	AppEnd                   // closes the innermost AppArray or AppObject
)

// AppField is one decoded member of an application message, in gpsd's
// naming and units (scaled values are already scaled). Arrays of records
// (waypoints, sub-areas, tidal windows, ...) are flattened: an AppArray
// field, then per element an AppObject, the element's fields and an AppEnd,
// and a final AppEnd.
type AppField struct {
	Name  string
	Kind  AppKind
	Prec  uint8 // decimals of an AppFloat as gpsd prints it
	Int   int64
	Float float64
	Str   string
}

// AppID names an application message by message type (6 or 8), DAC and FI.
type AppID struct {
	Type uint8
	DAC  uint16
	FI   uint8
}

func (id AppID) String() string {
	return fmt.Sprintf("type %d DAC %d FI %d", id.Type, id.DAC, id.FI)
}

// AppCounts counts application messages of one AppID: decoded into fields,
// of a DAC/FI this package has no layout for (kept as raw data), and bad
// ones (a known DAC/FI whose payload does not fit its layout: too short,
// wrong length, impossible waypoint or sub-area count).
type AppCounts struct {
	Decoded, Unknown, Bad int64
}

// ErrAppPayload is what every *AppError matches with errors.Is.
var ErrAppPayload = errors.New("bad application payload")

// AppError reports an application payload that does not fit the layout of
// its DAC/FI. The message itself is still delivered, with the raw data.
type AppError struct {
	ID     AppID
	Reason string
}

func (e *AppError) Error() string {
	return fmt.Sprintf("DAC %d FI %d: %s", e.ID.DAC, e.ID.FI, e.Reason)
}

func (e *AppError) Unwrap() error { return ErrAppPayload }

// Get returns the top-level field called name (not one inside an array).
func (x *BinaryMessage) Get(name string) (AppField, bool) {
	depth := 0
	for _, f := range x.App {
		switch f.Kind {
		case AppArray, AppObject:
			if depth == 0 && f.Name == name {
				return f, true
			}
			depth++
			continue
		case AppEnd:
			depth--
			continue
		}
		if depth == 0 && f.Name == name {
			return f, true
		}
	}
	return AppField{}, false
}

// appFunc decodes one layout into a; it returns a reason when the payload
// does not fit.
type appFunc func(a *appDec) string

// appDec appends the fields of one application payload. Offsets are bit
// offsets from the start of the application data (bit 88 of a type 6, 56
// of a type 8), so one layout serves both types where the standard defines
// an addressed and a broadcast form.
type appDec struct {
	d    *Decoder
	b    *bitbuf
	base uint
	n    int // application data bits
	out  []AppField
}

func (a *appDec) raw(off, width uint) uint64 { return a.b.u(a.base+off, width) }
func (a *appDec) sraw(off, width uint) int64 { return a.b.i(a.base+off, width) }

func (a *appDec) u(name string, off, width uint) uint64 {
	v := a.raw(off, width)
	a.out = append(a.out, AppField{Name: name, Kind: AppUint, Int: int64(v)})
	return v
}

func (a *appDec) i(name string, off, width uint) int64 {
	v := a.sraw(off, width)
	a.out = append(a.out, AppField{Name: name, Kind: AppInt, Int: v})
	return v
}

func (a *appDec) flag(name string, off uint) {
	a.out = append(a.out, AppField{Name: name, Kind: AppBool, Int: int64(a.raw(off, 1))})
}

func (a *appDec) f(name string, v float64, prec uint8) {
	a.out = append(a.out, AppField{Name: name, Kind: AppFloat, Float: v, Prec: prec})
}

func (a *appDec) str(name, s string) {
	a.out = append(a.out, AppField{Name: name, Kind: AppString, Str: s})
}

func (a *appDec) text(name string, off uint, nchars int) {
	a.str(name, a.d.str(a.base+off, nchars))
}

// enum writes the code and, like gpsd, its legend under textName;
// invalid is gpsd's legend for a code past the table.
func (a *appDec) enum(name, textName string, off, width uint, legends []string, invalid string) {
	v := a.u(name, off, width)
	if v < uint64(len(legends)) {
		a.str(textName, legends[v])
	} else {
		a.str(textName, invalid)
	}
}

// stamp writes gpsd's merged date-time strings: "MM-DDTHH:MMZ" (pad and
// zone), "M-DTH:M" (neither), "DDTHH:MMZ" (month < 0).
func (a *appDec) stamp(name string, month, day, hour, minute int, pad, zone bool) {
	var buf [24]byte
	b := buf[:0]
	for k, v := range [4]int{month, day, hour, minute} {
		if v < 0 {
			continue
		}
		if pad {
			b = appendPadded(b, v, 2)
		} else {
			b = strconv.AppendInt(b, int64(v), 10)
		}
		if k < 3 {
			b = append(b, "-T:"[k])
		}
	}
	if zone {
		b = append(b, 'Z')
	}
	a.str(name, a.d.intern(b))
}

func (a *appDec) array(name string) {
	a.out = append(a.out, AppField{Name: name, Kind: AppArray})
}
func (a *appDec) object() { a.out = append(a.out, AppField{Kind: AppObject}) }
func (a *appDec) end()    { a.out = append(a.out, AppField{Kind: AppEnd}) }

// need is the reason for a payload shorter than bits, "" when it is long
// enough.
func (a *appDec) need(bits int) string {
	if a.n < bits {
		return fmt.Sprintf("payload too short: %d bits, the layout needs %d", a.n, bits)
	}
	return ""
}

// exact is need for the layouts gpsd only accepts at their nominal length
// (the inland and GLA messages): another length means another message
// that happens to carry the same DAC/FI, as seen in the wild.
func (a *appDec) exact(bits int) string {
	if a.n != bits {
		return fmt.Sprintf("payload of %d bits, the layout has exactly %d", a.n, bits)
	}
	return ""
}

// decodeApp decodes the application data of a type 6 or 8 message whose
// envelope is already in x; base is the data's first bit.
func (d *Decoder) decodeApp(typ uint8, x *BinaryMessage, base int) {
	fn := appLayout(typ, x.DAC, x.FI)
	if fn == nil {
		return
	}
	// The state lives in the Decoder: a local would escape through the
	// indirect call and cost an allocation per message.
	a := &d.appState
	*a = appDec{d: d, b: &d.bits, base: uint(base), n: d.bits.n - base, out: d.app[:0]}
	if a.n < 0 {
		a.n = 0
	}
	reason := fn(a)
	d.app = a.out[:0]
	if reason != "" {
		x.AppErr = &AppError{ID: AppID{typ, x.DAC, x.FI}, Reason: reason}
		return
	}
	x.App = a.out
}

// appLayout returns the decoder for a type/DAC/FI, nil when unknown.
func appLayout(typ uint8, dac uint16, fi uint8) appFunc {
	switch dac {
	case 1:
		if typ == 6 {
			return dac1Addressed[fi&63]
		}
		return dac1Broadcast[fi&63]
	case 200:
		if typ == 6 {
			return inlandAddressed[fi&63]
		}
		return inlandBroadcast[fi&63]
	case 235, 250:
		if typ == 6 && fi == 10 {
			return glaAtoN
		}
	}
	return nil
}

// appendApp renders fields as JSON members of the object under
// construction in w.
func (w *jsonWriter) app(fields []AppField) {
	first := false // true right after an opening bracket
	var stack [16]byte
	depth := 0
	for i := range fields {
		f := &fields[i]
		if f.Kind == AppEnd {
			if depth > 0 {
				depth--
				w.b = append(w.b, stack[depth])
			}
			first = false
			continue
		}
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		if f.Kind != AppObject {
			w.b = append(w.b, '"')
			w.b = append(w.b, f.Name...)
			w.b = append(w.b, '"', ':')
		}
		switch f.Kind {
		case AppUint, AppInt:
			w.b = strconv.AppendInt(w.b, f.Int, 10)
		case AppFloat:
			w.b = strconv.AppendFloat(w.b, f.Float, 'f', int(f.Prec), 64)
		case AppBool:
			w.b = strconv.AppendBool(w.b, f.Int != 0)
		case AppString:
			w.b = appendJSONString(w.b, f.Str)
		case AppArray, AppObject:
			if depth == len(stack) {
				continue // never built that deep; keep the output valid
			}
			if f.Kind == AppArray {
				w.b = append(w.b, '[')
				stack[depth] = ']'
			} else {
				w.b = append(w.b, '{')
				stack[depth] = '}'
			}
			depth++
			first = true
		}
	}
	for depth > 0 {
		depth--
		w.b = append(w.b, stack[depth])
	}
}

// countApp counts a delivered type 6 or 8 message by DAC/FI. Pointers in
// the map keep a repeated DAC/FI allocation-free.
func (r *Reader) countApp(m *Message) {
	id := AppID{m.Type, m.Binary.DAC, m.Binary.FI}
	c := r.apps[id]
	if c == nil {
		if r.apps == nil {
			r.apps = make(map[AppID]*AppCounts)
		}
		c = new(AppCounts)
		r.apps[id] = c
	}
	switch {
	case m.Binary.App != nil:
		c.Decoded++
	case m.Binary.AppErr != nil:
		c.Bad++
	default:
		c.Unknown++
	}
}
