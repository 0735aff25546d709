// Package startuppages gives back to the kernel the pages of the program's
// own code and read-only data that only its start-up touched.
//
// Every package's init runs at start, and each one's code and type data
// lie in their own stretch of the binary, so by the time main runs the
// process has faulted in most of its read-only mappings (the kernel also
// maps the neighbours of each page it faults in). A long-running driver
// needs a fraction of them. Dropping the read-only file mappings' pages
// once leaves those it touches again afterwards, which the page cache
// serves without I/O. Only mappings with no private page of their own are
// dropped: dropping a written page would lose the write. Writable ones are
// thus left alone, and so is the read-only one a dynamically linked build
// has (RELRO: its relocations were written before it was made read-only).
package startuppages

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Release drops the resident pages of the executable's read-only
// mappings. It returns how many bytes of mappings it advised.
func Release() (int, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ranges, err := cleanReadOnlyMappings(f, exe)
	if err != nil {
		return 0, err
	}
	released := 0
	for _, r := range ranges {
		// The raw call: the range is not Go memory, so no slice is made of it.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, r[0], r[1]-r[0], unix.MADV_DONTNEED); errno != 0 {
			return released, errno
		}
		released += int(r[1] - r[0])
	}
	return released, nil
}

// cleanReadOnlyMappings reads /proc/PID/smaps: the read-only mappings of
// file exe that hold no private (written) page.
func cleanReadOnlyMappings(smaps io.Reader, exe string) ([][2]uintptr, error) {
	var ranges [][2]uintptr
	var start, end uintptr
	candidate := false
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		line := sc.Text()
		if s, e, ok := readOnlyMappingOf(line, exe); ok {
			start, end, candidate = s, e, true
			continue
		}
		if isMappingHeader(line) {
			candidate = false
			continue
		}
		if v, ok := strings.CutPrefix(line, "Anonymous:"); ok && candidate {
			if strings.TrimSpace(v) == "0 kB" {
				ranges = append(ranges, [2]uintptr{start, end})
			}
			candidate = false
		}
	}
	return ranges, sc.Err()
}

// isMappingHeader tells a mapping's first line in smaps (ADDR-ADDR PERMS
// …) from its fields (Name: value).
func isMappingHeader(line string) bool {
	first, _, _ := strings.Cut(line, " ")
	return strings.Contains(first, "-") && !strings.HasSuffix(first, ":")
}

// readOnlyMappingOf parses a /proc/PID/maps line: a mapping of file exe
// that cannot be written.
func readOnlyMappingOf(line, exe string) (start, end uintptr, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") {
		return 0, 0, false
	}
	from, to, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(from, 16, 64)
	e, err2 := strconv.ParseUint(to, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
