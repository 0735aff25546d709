package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stderr string
	}{
		{"version", []string{"version"}, "", ExitOK, ""},
		{"unknown command", []string{"nope"}, "", ExitUsage, `unknown command "nope"`},
		{"unknown flag", []string{"lint", "--nope", "x"}, "", ExitUsage, "unknown flag: --nope"},
		{"missing argument", []string{"lint"}, "", ExitUsage, "requires at least 1 arg"},
		{"bad output format", []string{"compile", "x.yaml", "-o", "bogus"}, "", ExitUsage, `--output must be yaml, json, name or wide`},
		{"missing file", []string{"lint", "no-such-file.yaml"}, "", ExitFailed, "no such file"},
		{"lint error from stdin", []string{"lint", "-"}, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {}\n", ExitFailed, ""},
		{"clean lint from stdin", []string{"lint", "-"}, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: a}\nspec:\n  entrypoint: m\n  templates: [{name: m, container: {image: busybox}}]\n", ExitOK, "no errors"},
		{"bad parameter flag", []string{"compile", "-", "-p", "novalue"}, "", ExitUsage, `-p "novalue": want NAME=VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
		})
	}
}

func TestLintJSON(t *testing.T) {
	code, stdout, _ := run(t, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {entrypoint: x}\n", "lint", "-", "-o", "json")
	if code != ExitFailed {
		t.Errorf("exit code = %d, want %d", code, ExitFailed)
	}
	for _, want := range []string{`"file": "<stdin>"`, `"line": 3`, `"severity": "error"`, `entrypoint template \"x\" is not defined`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("lint -o json output lacks %s:\n%s", want, stdout)
		}
	}
}

func TestSubmitGenerateName(t *testing.T) {
	file := filepath.Join(fixturesDir, "hello-world.yaml")
	code, out, errOut := run(t, "", "submit", file, "--dry-run=client", "--generate-name", "custom-", "-n", "ns")
	if code != 0 || !strings.Contains(out, "name: custom-") {
		t.Errorf("submit --generate-name: exit %d, %s\n%s", code, errOut, out)
	}
	if code, _, _ := run(t, "", "submit", file, "--name", "a", "--generate-name", "b-"); code != ExitUsage {
		t.Errorf("--name with --generate-name exited %d, want %d", code, ExitUsage)
	}
}

func TestSubmitDriverFlags(t *testing.T) {
	file := filepath.Join(fixturesDir, "hello-world.yaml")
	for _, args := range [][]string{{"--detach", "--driver=none"}, {"--driver=later"}} {
		if code, _, errOut := run(t, "", append([]string{"submit", file}, args...)...); code != ExitUsage {
			t.Errorf("submit %v exited %d (%s), want %d", args, code, errOut, ExitUsage)
		}
	}
}
