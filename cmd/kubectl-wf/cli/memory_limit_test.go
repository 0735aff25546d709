package cli

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestSetDefaultMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	for _, tc := range []struct {
		env  string
		set  bool
		want int64
	}{
		{set: false, want: DefaultMemoryLimit},
		{env: "off", set: true, want: math.MaxInt64}, // the runtime's own reading of GOMEMLIMIT stands
		{env: "200MiB", set: true, want: math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		if tc.set {
			t.Setenv("GOMEMLIMIT", tc.env)
		} else {
			t.Setenv("GOMEMLIMIT", "")
			unsetEnv(t, "GOMEMLIMIT")
		}
		SetDefaultMemoryLimit()
		if got := debug.SetMemoryLimit(-1); got != tc.want {
			t.Errorf("GOMEMLIMIT %q (set %v): limit %d, want %d", tc.env, tc.set, got, tc.want)
		}
	}
}

// unsetEnv unsets name for the test; t.Setenv has restored it by the end.
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
