//go:build !linux

package startuppages

// Release does nothing where there is no madvise of this kind.
func Release() (int, error) { return 0, nil }
