package frames

import (
	"unsafe"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// column returns a new field of n zero values of T and the field's own storage to write
// them into. data.NewField copies the slice it is given; for the million-row columns of
// a large trace that copy (and the garbage it leaves) costs more than filling the column.
// The SDK keeps a field's values in one Go slice; when that does not hold (a later SDK),
// the returned slice is a plain one and finish copies it into the field.
func column[T any](name string, ft data.FieldType, n int) (f *data.Field, values []T, finish func()) {
	f = data.NewFieldFromFieldType(ft, n)
	f.Name = name
	if n > 0 {
		first, ok1 := f.PointerAt(0).(*T)
		last, ok2 := f.PointerAt(n - 1).(*T)
		if ok1 && ok2 && uintptr(unsafe.Pointer(last))-uintptr(unsafe.Pointer(first)) == uintptr(n-1)*unsafe.Sizeof(*first) {
			return f, unsafe.Slice(first, n), func() {}
		}
	}
	values = make([]T, n)
	return f, values, func() {
		for i := range values {
			f.Set(i, values[i])
		}
	}
}
