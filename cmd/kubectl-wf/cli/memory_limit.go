package cli

import (
	"os"
	"runtime/debug"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is not set: near it the garbage collector runs more often instead of
// letting the heap grow to twice what is live, which is what a driver of
// a wide workflow, whose evaluations make much short-lived garbage, would
// otherwise do. It is soft: a process that needs more gets more, at the
// price of more collection (at most about half its CPU). GOMEMLIMIT set
// to a size replaces it, GOMEMLIMIT=off removes it (docs/performance.md).
const DefaultMemoryLimit = 56 << 20

// SetDefaultMemoryLimit applies DefaultMemoryLimit unless GOMEMLIMIT is
// set, which the runtime has applied itself.
func SetDefaultMemoryLimit() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}
