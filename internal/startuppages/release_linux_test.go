package startuppages

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestReadOnlyMappingOf(t *testing.T) {
	const exe = "/usr/local/bin/kubectl-wf"
	for _, tc := range []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-01f10000 r-xp 00000000 08:01 123 /usr/local/bin/kubectl-wf", 0x400000, 0x1f10000, true},
		{"01f10000-03e10000 r--p 01b10000 08:01 123 /usr/local/bin/kubectl-wf", 0x1f10000, 0x3e10000, true},
		// Written data: dropping it would lose the writes.
		{"03e10000-03f00000 rw-p 03a10000 08:01 123 /usr/local/bin/kubectl-wf", 0, 0, false},
		{"c000000000-c004000000 rw-p 00000000 00:00 0", 0, 0, false},
		{"7f0000000000-7f0000001000 r--p 00000000 08:01 9 /usr/lib/libc.so.6", 0, 0, false},
		{"garbage", 0, 0, false},
	} {
		start, end, ok := readOnlyMappingOf(tc.line, exe)
		if start != tc.start || end != tc.end || ok != tc.ok {
			t.Errorf("readOnlyMappingOf(%q) = %#x, %#x, %v", tc.line, start, end, ok)
		}
	}
}

// TestRelease: the test binary's read-only pages leave its RSS, and the
// code runs on, faulting back in what it uses.
func TestRelease(t *testing.T) {
	before := rssFileKiB(t)
	released, err := Release()
	if err != nil || released == 0 {
		t.Fatalf("Release() = %d, %v", released, err)
	}
	after := rssFileKiB(t)
	if after >= before {
		t.Errorf("RssFile %d KiB after releasing, %d KiB before", after, before)
	}
	if got := strings.Repeat("ok", 2); got != "okok" {
		t.Errorf("the program does not run on: %q", got)
	}
}

func rssFileKiB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
