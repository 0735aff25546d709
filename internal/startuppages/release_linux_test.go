package startuppages

import (
	"os"
	// With cgo on, a call into C after releasing. (The RELRO mapping of
	// an externally linked binary, which must be kept, is in
	// TestCleanReadOnlyMappings; cmd/kubectl-wf/cli's test binary, which
	// has one, drives workflows in-process and so releases too.)
	"os/user"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestCleanReadOnlyMappings: of the executable's read-only mappings, those
// holding no written page; a RELRO one (relocated, then made read-only)
// holds some and is kept.
func TestCleanReadOnlyMappings(t *testing.T) {
	const exe = "/bin/kwf"
	smaps := `00400000-00500000 r-xp 00000000 08:01 7 /bin/kwf
Size:               1024 kB
Rss:                 800 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
00500000-00600000 r--p 00100000 08:01 7 /bin/kwf
Size:               1024 kB
Anonymous:             0 kB
00600000-00601000 r--p 00200000 08:01 7 /bin/kwf
Size:                  4 kB
Anonymous:             4 kB
00601000-00700000 rw-p 00201000 08:01 7 /bin/kwf
Anonymous:            12 kB
7f0000000000-7f0000100000 r-xp 00000000 08:01 9 /usr/lib/libc.so.6
Anonymous:             0 kB
`
	got, err := cleanReadOnlyMappings(strings.NewReader(smaps), exe)
	want := [][2]uintptr{{0x400000, 0x500000}, {0x500000, 0x600000}}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("cleanReadOnlyMappings = %#x, %v; want %#x", got, err, want)
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
	// Memory from the OS after releasing.
	big := make([]byte, 256<<20)
	big[len(big)-1] = 1
	// A call into C, through the relocated table, where cgo is on.
	if _, err := user.Current(); err != nil {
		t.Errorf("user.Current after releasing: %v", err)
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
