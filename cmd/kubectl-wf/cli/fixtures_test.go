package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

var update = flag.Bool("update", false, "rewrite the golden files under fixtures/golden")

const fixturesDir = "../../../fixtures"

// run executes kubectl-wf in process and returns its exit code and output.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	in := strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), genericiooptions.IOStreams{In: in, Out: &out, ErrOut: &errOut}, args)
	return code, out.String(), errOut.String()
}

// TestCompileFixtures compiles every workflow under fixtures/ and compares
// what `kubectl wf compile` prints (and its exit code) with the golden file.
func TestCompileFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixturesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			var got strings.Builder
			for _, format := range []string{"yaml", "wide"} {
				// The stored templates that fixtures refer to are given beside each.
				code, stdout, stderr := run(t, "", "compile", file, filepath.Join(fixturesDir, "templates"), filepath.Join(fixturesDir, "cluster-templates"), "-n", "fixtures", "-o", format)
				fmt.Fprintf(&got, "### kubectl wf compile %s.yaml -o %s\n### exit %d\n", name, format, code)
				for _, line := range strings.SplitAfter(strings.ReplaceAll(stderr, fixturesDir+"/", ""), "\n") {
					if line != "" {
						got.WriteString("### stderr: " + line)
					}
				}
				got.WriteString(stdout)
			}
			golden := filepath.Join(fixturesDir, "golden", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/kubectl-wf/cli -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got.String()); d != "" {
				t.Errorf("compile %s differs from %s (-want +got):\n%s", file, golden, d)
			}
		})
	}
}

// TestInvalidFixtures lints every file under fixtures/invalid/. Each holds
// its expected problems as `# want: LINE:COL: message` comments, written by
// hand, so the test checks the messages rather than records them.
func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixturesDir, "invalid", "*.yaml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 invalid fixtures, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(data), "\n") {
				if w, ok := strings.CutPrefix(line, "# want: "); ok {
					want = append(want, file+":"+w)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s has no `# want:` lines", file)
			}
			code, stdout, _ := run(t, "", "lint", file)
			got := strings.Split(strings.TrimSpace(stdout), "\n")
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("lint %s (-want +got):\n%s", file, d)
			}
			if code != ExitFailed {
				t.Errorf("lint %s exited %d, want %d", file, code, ExitFailed)
			}
		})
	}
}
