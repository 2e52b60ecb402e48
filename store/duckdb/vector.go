package duckdb

import (
	"reflect"
	"unsafe"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// duckdb-go writes a table function's output one value at a time
// (SetChunkValue: a column check and two type switches per value, and a cgo
// call per NULL), which cost positions more CPU than DuckDB's own storing of
// them. A DuckDB vector of a fixed-size type is a plain array beside a
// validity bitmap, both in C memory that DuckDB hands the function; the
// driver keeps their addresses in unexported fields of the vector a
// duckdb.Vector refers to. rawVectors finds those fields by name and type
// when the package loads: if a driver release renames or retypes them, the
// fields are not found and positions take SetChunkValue again
// (TestFastFill says so rather than letting the slowdown pass unseen).
var rawVectors = func() (r struct {
	ok               bool
	ref, data, valid uintptr // offsets: Vector's pointer, vector's data and validity
}) {
	ptrT := reflect.TypeFor[unsafe.Pointer]()
	ref, ok := reflect.TypeFor[duckdb.Vector]().FieldByName("v")
	if !ok || len(ref.Index) != 1 || ref.Type.Kind() != reflect.Pointer || ref.Type.Elem().Kind() != reflect.Struct {
		return r
	}
	data, ok1 := ref.Type.Elem().FieldByName("dataPtr")
	valid, ok2 := ref.Type.Elem().FieldByName("maskPtr")
	if !ok1 || !ok2 || data.Type != ptrT || valid.Type != ptrT || len(data.Index) != 1 || len(valid.Index) != 1 {
		return r
	}
	r.ok, r.ref, r.data, r.valid = true, ref.Offset, data.Offset, valid.Offset
	return r
}()

// column is one output vector of a table function as DuckDB lays it out.
type column struct {
	data  unsafe.Pointer // the values, a vector's capacity of them
	valid unsafe.Pointer // a bit per value, set when it is not NULL
}

// rawColumns returns the data and validity of c's first len(out) columns,
// or false when they cannot be reached (see rawVectors) or a column is not
// projected.
func rawColumns(c duckdb.DataChunk, out []column) bool {
	if !rawVectors.ok {
		return false
	}
	for i := range out {
		v, err := c.GetVector(i)
		if err != nil {
			return false
		}
		p := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(&v), rawVectors.ref))
		if p == nil {
			return false
		}
		out[i].data = *(*unsafe.Pointer)(unsafe.Add(p, rawVectors.data))
		out[i].valid = *(*unsafe.Pointer)(unsafe.Add(p, rawVectors.valid))
		if out[i].data == nil || out[i].valid == nil {
			return false
		}
	}
	return true
}

// values returns the first n values of col as a slice of T, which must be
// the column's physical type.
func values[T any](col column, n int) []T { return unsafe.Slice((*T)(col.data), n) }

// validity returns the words of col's validity bitmap covering n rows, all
// set (no NULL) for the caller to clear a bit per NULL: DuckDB may hand over
// a vector whose bitmap holds the previous chunk's NULLs.
func validity(col column, n int) []uint64 {
	w := unsafe.Slice((*uint64)(col.valid), (n+63)/64)
	for i := range w {
		w[i] = ^uint64(0)
	}
	return w
}
