package executor

import (
	"bytes"
	"reflect"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// recordsEqual compares records, data with bytes.Equal (cmp is slow on a
// 900 KiB slice), and other empty lists as none (JSON drops or keeps them).
var recordsEqual = cmp.Options{
	cmp.Comparer(bytes.Equal),
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().Type() != reflect.TypeFor[[]byte]() }, cmpopts.EquateEmpty()),
}
