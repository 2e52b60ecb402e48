// Package statecodec encodes the in-memory state of the pipeline's stages
// (tracker, detectors) so that an ingest can stop after one file and a
// later run carry on exactly where it stopped.
//
// It walks values by reflection, unexported fields included, so a field a
// stage adds later is carried without anyone remembering to: only fields
// named as not being state (configuration, callbacks, caches, scratch
// space) are left out, and naming one that does not exist panics when the
// codec is built. Pointers keep their sharing (two fields pointing at one
// value point at one value again after decoding). Every blob starts with a
// fingerprint of the encoded types' layout, so state written by a build
// whose structs differ is refused instead of misread.
package statecodec

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"
	"unsafe"
)

// Custom encodes one type by hand (a pointer into a shared, read-only
// table, say, stored as its index). v is addressable and settable.
type Custom struct {
	Enc func(w *Writer, v reflect.Value) error
	Dec func(r *Reader, v reflect.Value) error
}

// Codec encodes values of one root type.
type Codec struct {
	root   reflect.Type
	skip   map[reflect.Type]map[string]bool
	custom map[reflect.Type]Custom
	// fields lists the encoded fields of every struct type the root
	// reaches (see fieldsOf).
	fields map[reflect.Type][]int
	fp     [8]byte
}

// Option configures a Codec.
type Option func(*Codec)

// Skip leaves the named fields of the struct type of sample out: they are
// configuration or caches that the owner rebuilds. It panics when a name is
// not a field, so a renamed field cannot be silently carried or dropped.
func Skip(sample any, fields ...string) Option {
	t := reflect.TypeOf(sample)
	return func(c *Codec) {
		if c.skip[t] == nil {
			c.skip[t] = map[string]bool{}
		}
		for _, f := range fields {
			if _, ok := t.FieldByName(f); !ok {
				panic(fmt.Sprintf("statecodec: %s has no field %s", t, f))
			}
			c.skip[t][f] = true
		}
	}
}

// With encodes values of the type of sample (a typed nil pointer works)
// with cu.
func With(sample any, cu Custom) Option {
	return func(c *Codec) { c.custom[reflect.TypeOf(sample)] = cu }
}

var timeType = reflect.TypeOf(time.Time{})

// New returns a codec for values of the type of sample.
func New(sample any, opts ...Option) *Codec {
	c := &Codec{root: reflect.TypeOf(sample), skip: map[reflect.Type]map[string]bool{}, custom: map[reflect.Type]Custom{},
		fields: map[reflect.Type][]int{}}
	for _, o := range opts {
		o(c)
	}
	h := sha256.New()
	c.layout(h, c.root, map[reflect.Type]bool{})
	copy(c.fp[:], h.Sum(nil))
	return c
}

// layout writes a description of t's encoding, for the fingerprint.
func (c *Codec) layout(h interface{ Write([]byte) (int, error) }, t reflect.Type, seen map[reflect.Type]bool) {
	fmt.Fprintf(h, "%s/%s(", t.String(), t.Kind())
	defer h.Write([]byte(")"))
	if _, ok := c.custom[t]; ok || t == timeType || seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		c.layout(h, t.Elem(), seen)
	case reflect.Map:
		c.layout(h, t.Key(), seen)
		c.layout(h, t.Elem(), seen)
	case reflect.Struct:
		c.fields[t] = c.listFields(t)
		for _, i := range c.fields[t] {
			f := t.Field(i)
			fmt.Fprintf(h, "%s:", f.Name)
			c.layout(h, f.Type, seen)
		}
	}
}

// fieldsOf returns the indexes of the fields of struct type t that are
// encoded. New lists them for every struct type the root reaches, since
// reflect's Field allocates: asked for every field of every value, it was
// a third of the time of a national feed's checkpoint. A type reached only
// through an interface is listed again at each use. Read only after New,
// so that Writers and Readers may run side by side.
func (c *Codec) fieldsOf(t reflect.Type) []int {
	if fs, ok := c.fields[t]; ok {
		return fs
	}
	return c.listFields(t)
}

func (c *Codec) listFields(t reflect.Type) []int {
	fs := []int{}
	for i := range t.NumField() {
		if !c.skip[t][t.Field(i).Name] {
			fs = append(fs, i)
		}
	}
	return fs
}

// ErrVersion is returned for a blob written by a build whose state types
// differ from this one's.
var ErrVersion = errors.New("state written by a different build (its layout differs)")

// Marshal encodes the value v points to. ctx is handed to Custom encoders
// (Writer.Ctx): the owner of a table they index into, say.
func (c *Codec) Marshal(v, ctx any) ([]byte, error) { return c.MarshalAppend(nil, v, ctx) }

// MarshalAppend is Marshal appending to dst: a caller encoding thousands
// of vessels at the end of a file reuses one buffer rather than growing
// one per vessel (the garbage, 6 times the state saved, was a spike in
// the ingest's memory).
func (c *Codec) MarshalAppend(dst []byte, v, ctx any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Type().Elem() != c.root {
		return nil, fmt.Errorf("statecodec: Marshal wants *%s, got %T", c.root, v)
	}
	w := &Writer{c: c, Ctx: ctx, buf: append(dst, c.fp[:]...)}
	if err := w.value(rv.Elem()); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// Unmarshal decodes data into the value v points to. Skipped fields keep
// their values, and so does what non-nil pointers point to: decoding into a
// freshly built stage keeps the configuration its constructor set. ctx is
// handed to Custom decoders (Reader.Ctx).
func (c *Codec) Unmarshal(data []byte, v, ctx any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Type().Elem() != c.root {
		return fmt.Errorf("statecodec: Unmarshal wants *%s, got %T", c.root, v)
	}
	if len(data) < len(c.fp) || !bytes.Equal(data[:len(c.fp)], c.fp[:]) {
		return ErrVersion
	}
	r := &Reader{c: c, Ctx: ctx, buf: data[len(c.fp):]}
	if err := r.value(rv.Elem()); err != nil {
		return err
	}
	if len(r.buf) != 0 {
		return fmt.Errorf("statecodec: %d bytes left over after %s", len(r.buf), c.root)
	}
	return nil
}

type ptrKey struct {
	p uintptr
	t reflect.Type
}

// Writer is the encoder's output; Custom encoders write through it.
type Writer struct {
	Ctx  any
	c    *Codec
	buf  []byte
	ptrs map[ptrKey]uint64
}

func (w *Writer) Uvarint(x uint64) { w.buf = binary.AppendUvarint(w.buf, x) }
func (w *Writer) Varint(x int64)   { w.buf = binary.AppendVarint(w.buf, x) }
func (w *Writer) String(s string)  { w.Uvarint(uint64(len(s))); w.buf = append(w.buf, s...) }

// Float32 writes f's four bytes, for Custom encoders of compact state.
func (w *Writer) Float32(f float32) {
	w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(f))
}
func (w *Writer) float(f float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
}
func (w *Writer) bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

// settable returns v, made settable if it was reached through an
// unexported field.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func (w *Writer) value(v reflect.Value) error {
	t := v.Type()
	if cu, ok := w.c.custom[t]; ok {
		return cu.Enc(w, settable(v))
	}
	if t == timeType {
		var tm time.Time
		if v.CanAddr() {
			tm = *(*time.Time)(unsafe.Pointer(v.UnsafeAddr()))
		} else {
			tm = settable(v).Interface().(time.Time)
		}
		var a [16]byte
		b, err := tm.AppendBinary(a[:0])
		if err != nil {
			return err
		}
		w.Uvarint(uint64(len(b)))
		w.buf = append(w.buf, b...)
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		w.bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.Varint(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.Uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		w.float(v.Float())
	case reflect.String:
		w.String(v.String())
	case reflect.Slice:
		if v.IsNil() {
			w.Uvarint(0)
			return nil
		}
		w.Uvarint(uint64(v.Len()) + 1)
		for i := 0; i < v.Len(); i++ {
			if err := w.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := w.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		return w.mapValue(settable(v))
	case reflect.Pointer:
		if v.IsNil() {
			w.Uvarint(0)
			return nil
		}
		k := ptrKey{v.Pointer(), t}
		if w.ptrs == nil {
			w.ptrs = map[ptrKey]uint64{}
		}
		if id, ok := w.ptrs[k]; ok {
			w.Uvarint(id)
			return nil
		}
		id := uint64(len(w.ptrs)) + 1
		w.ptrs[k] = id
		w.Uvarint(id)
		return w.value(v.Elem())
	case reflect.Struct:
		for _, i := range w.c.fieldsOf(t) {
			if err := w.value(v.Field(i)); err != nil {
				return fmt.Errorf("%s.%s: %w", t, t.Field(i).Name, err)
			}
		}
	case reflect.Interface:
		return w.any(v)
	default:
		return fmt.Errorf("statecodec: cannot encode %s (kind %s)", t, t.Kind())
	}
	return nil
}

// mapValue writes entries sorted by their encoded key, so that equal
// states give equal bytes (the ingest stores only what changed). Keys are
// encoded into one buffer and values copied into one slice (addressable,
// so that their fields can be read) rather than two or three allocations
// per entry: the shared state's maps of a national feed hold hundreds of
// thousands, encoded at the end of every file.
func (w *Writer) mapValue(v reflect.Value) error {
	if v.IsNil() {
		w.Uvarint(0)
		return nil
	}
	n := v.Len()
	kw := &Writer{c: w.c, Ctx: w.Ctx}
	ends := make([]int, 0, n) // entry i's key is kw.buf[ends[i-1]:ends[i]]
	vals := reflect.MakeSlice(reflect.SliceOf(v.Type().Elem()), n, n)
	key := reflect.New(v.Type().Key()).Elem()
	it := v.MapRange()
	for i := 0; i < n && it.Next(); i++ {
		key.SetIterKey(it)
		if err := kw.value(key); err != nil {
			return err
		}
		if len(kw.ptrs) > 0 {
			return fmt.Errorf("statecodec: map keys of %s hold pointers", v.Type())
		}
		ends = append(ends, len(kw.buf))
		vals.Index(i).SetIterValue(it)
	}
	keyOf := func(i int) []byte {
		if i == 0 {
			return kw.buf[:ends[0]]
		}
		return kw.buf[ends[i-1]:ends[i]]
	}
	order := make([]int, len(ends))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return bytes.Compare(keyOf(order[a]), keyOf(order[b])) < 0 })
	w.Uvarint(uint64(len(order)) + 1)
	for _, i := range order {
		w.buf = append(w.buf, keyOf(i)...)
		if err := w.value(vals.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// Interface values (event evidence) are limited to what JSON would hold.
const (
	anyNil = iota
	anyBool
	anyInt
	anyInt64
	anyUint32
	anyFloat64
	anyString
	anyStrings
	anyFloats
	anySlice
	anyMap
	anyUint64
	anyInt32
	anyFloat32
)

func (w *Writer) any(v reflect.Value) error {
	if v.IsNil() {
		w.Uvarint(anyNil)
		return nil
	}
	switch x := settable(v).Interface().(type) {
	case bool:
		w.Uvarint(anyBool)
		w.bool(x)
	case int:
		w.Uvarint(anyInt)
		w.Varint(int64(x))
	case int64:
		w.Uvarint(anyInt64)
		w.Varint(x)
	case int32:
		w.Uvarint(anyInt32)
		w.Varint(int64(x))
	case uint32:
		w.Uvarint(anyUint32)
		w.Uvarint(uint64(x))
	case uint64:
		w.Uvarint(anyUint64)
		w.Uvarint(x)
	case float64:
		w.Uvarint(anyFloat64)
		w.float(x)
	case float32:
		w.Uvarint(anyFloat32)
		w.float(float64(x))
	case string:
		w.Uvarint(anyString)
		w.String(x)
	case []string:
		w.Uvarint(anyStrings)
		return w.value(reflect.ValueOf(&x).Elem())
	case []float64:
		w.Uvarint(anyFloats)
		return w.value(reflect.ValueOf(&x).Elem())
	case []any:
		w.Uvarint(anySlice)
		return w.value(reflect.ValueOf(&x).Elem())
	case map[string]any:
		w.Uvarint(anyMap)
		return w.value(reflect.ValueOf(&x).Elem())
	default:
		return fmt.Errorf("statecodec: cannot encode a %T held in an interface", x)
	}
	return nil
}

// Reader is the decoder's input; Custom decoders read through it.
type Reader struct {
	Ctx  any
	c    *Codec
	buf  []byte
	ptrs []reflect.Value
}

var errShort = errors.New("statecodec: state truncated")

func (r *Reader) Uvarint() (uint64, error) {
	x, n := binary.Uvarint(r.buf)
	if n <= 0 {
		return 0, errShort
	}
	r.buf = r.buf[n:]
	return x, nil
}

func (r *Reader) Varint() (int64, error) {
	x, n := binary.Varint(r.buf)
	if n <= 0 {
		return 0, errShort
	}
	r.buf = r.buf[n:]
	return x, nil
}

func (r *Reader) String() (string, error) {
	n, err := r.Uvarint()
	if err != nil {
		return "", err
	}
	if uint64(len(r.buf)) < n {
		return "", errShort
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s, nil
}

func (r *Reader) Float32() (float32, error) {
	if len(r.buf) < 4 {
		return 0, errShort
	}
	f := math.Float32frombits(binary.LittleEndian.Uint32(r.buf))
	r.buf = r.buf[4:]
	return f, nil
}

func (r *Reader) float() (float64, error) {
	if len(r.buf) < 8 {
		return 0, errShort
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
	r.buf = r.buf[8:]
	return f, nil
}

func (r *Reader) bool() (bool, error) {
	if len(r.buf) < 1 {
		return false, errShort
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b != 0, nil
}

// length reads a nil-or-length prefix: 0 is nil, n+1 is length n. A length
// longer than the bytes left is damage, refused before allocating.
func (r *Reader) length() (n int, isNil bool, err error) {
	x, err := r.Uvarint()
	if err != nil {
		return 0, false, err
	}
	if x == 0 {
		return 0, true, nil
	}
	if x-1 > uint64(len(r.buf)) {
		return 0, false, errShort
	}
	return int(x - 1), false, nil
}

func (r *Reader) value(v reflect.Value) error {
	v = settable(v)
	t := v.Type()
	if cu, ok := r.c.custom[t]; ok {
		return cu.Dec(r, v)
	}
	if t == timeType {
		s, err := r.String()
		if err != nil {
			return err
		}
		var tm time.Time
		if err := tm.UnmarshalBinary([]byte(s)); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		b, err := r.bool()
		v.SetBool(b)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, err := r.Varint()
		v.SetInt(x)
		return err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := r.Uvarint()
		v.SetUint(x)
		return err
	case reflect.Float32, reflect.Float64:
		f, err := r.float()
		v.SetFloat(f)
		return err
	case reflect.String:
		s, err := r.String()
		v.SetString(s)
		return err
	case reflect.Slice:
		n, isNil, err := r.length()
		if err != nil || isNil {
			v.Set(reflect.Zero(t))
			return err
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			if err := r.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := r.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		n, isNil, err := r.length()
		if err != nil || isNil {
			v.Set(reflect.Zero(t))
			return err
		}
		m := reflect.MakeMapWithSize(t, n)
		for i := 0; i < n; i++ {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			if err := r.value(k); err != nil {
				return err
			}
			if err := r.value(e); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		id, err := r.Uvarint()
		if err != nil {
			return err
		}
		switch {
		case id == 0:
			v.Set(reflect.Zero(t))
		case id <= uint64(len(r.ptrs)):
			p := r.ptrs[id-1]
			if p.Type() != t {
				return fmt.Errorf("statecodec: pointer %d is %s, wanted %s", id, p.Type(), t)
			}
			v.Set(p)
		case id == uint64(len(r.ptrs))+1:
			p := v
			if p.IsNil() {
				p = reflect.New(t.Elem())
			}
			r.ptrs = append(r.ptrs, p)
			if err := r.value(p.Elem()); err != nil {
				return err
			}
			v.Set(p)
		default:
			return fmt.Errorf("statecodec: damaged pointer reference %d", id)
		}
	case reflect.Struct:
		for _, i := range r.c.fieldsOf(t) {
			if err := r.value(v.Field(i)); err != nil {
				return fmt.Errorf("%s.%s: %w", t, t.Field(i).Name, err)
			}
		}
	case reflect.Interface:
		return r.any(v)
	default:
		return fmt.Errorf("statecodec: cannot decode %s (kind %s)", t, t.Kind())
	}
	return nil
}

func (r *Reader) any(v reflect.Value) error {
	tag, err := r.Uvarint()
	if err != nil {
		return err
	}
	var x any
	switch tag {
	case anyNil:
		v.Set(reflect.Zero(v.Type()))
		return nil
	case anyBool:
		x, err = r.bool()
	case anyInt:
		var i int64
		i, err = r.Varint()
		x = int(i)
	case anyInt64:
		x, err = r.Varint()
	case anyInt32:
		var i int64
		i, err = r.Varint()
		x = int32(i)
	case anyUint32:
		var u uint64
		u, err = r.Uvarint()
		x = uint32(u)
	case anyUint64:
		x, err = r.Uvarint()
	case anyFloat64:
		x, err = r.float()
	case anyFloat32:
		var f float64
		f, err = r.float()
		x = float32(f)
	case anyString:
		x, err = r.String()
	case anyStrings:
		var s []string
		err = r.value(reflect.ValueOf(&s).Elem())
		x = s
	case anyFloats:
		var s []float64
		err = r.value(reflect.ValueOf(&s).Elem())
		x = s
	case anySlice:
		var s []any
		err = r.value(reflect.ValueOf(&s).Elem())
		x = s
	case anyMap:
		var m map[string]any
		err = r.value(reflect.ValueOf(&m).Elem())
		x = m
	default:
		return fmt.Errorf("statecodec: unknown interface tag %d", tag)
	}
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(x))
	return nil
}
