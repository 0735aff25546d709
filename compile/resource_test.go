package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseResourceFlags(t *testing.T) {
	for _, tc := range []struct {
		flags   []string
		want    ResourceFlags
		wantErr bool
	}{
		{flags: []string{"pod", "my-pod"}, want: ResourceFlags{Type: "pod", Name: "my-pod"}},
		{flags: []string{"deployment.apps/web"}, want: ResourceFlags{Type: "deployment.apps", Name: "web"}},
		{flags: []string{"configmap", "--selector", "app=x"}, want: ResourceFlags{Type: "configmap", Selector: "app=x"}},
		{flags: []string{"configmap", "-l=app=x"}, want: ResourceFlags{Type: "configmap", Selector: "app=x"}},
		{flags: []string{"--ignore-not-found"}, want: ResourceFlags{}},
		{flags: []string{"--validate=false"}, want: ResourceFlags{NoValidate: true}},
		{flags: []string{"--validate"}, wantErr: true},
		{flags: []string{"--force"}, wantErr: true},
		{flags: []string{"--selector"}, wantErr: true},
		{flags: []string{"pod", "a", "b"}, wantErr: true},
		{flags: []string{"pod", "a", "-l", "x=y"}, wantErr: true},
	} {
		got, err := ParseResourceFlags(tc.flags)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseResourceFlags(%q) error %v, want error %v", tc.flags, err, tc.wantErr)
			continue
		}
		if err == nil && !cmp.Equal(got, tc.want) {
			t.Errorf("ParseResourceFlags(%q) = %+v, want %+v", tc.flags, got, tc.want)
		}
	}
}

func FuzzParseResourceFlags(f *testing.F) {
	f.Add("pod my-pod")
	f.Add("configmap --selector app=x")
	f.Add("--validate=false deployment.apps/web")
	f.Fuzz(func(t *testing.T, line string) {
		flags := splitFields(line)
		got, err := ParseResourceFlags(flags)
		if err == nil && got.Name != "" && got.Selector != "" {
			t.Errorf("ParseResourceFlags(%q) accepted both a name and a selector", flags)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "create")
	f.Add("apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: pi-}\n", "create")
	f.Add("- op: add\n  path: /x\n", "patch")
	f.Fuzz(func(t *testing.T, manifest, action string) {
		obj, err := ParseManifest(manifest, action)
		if err == nil && (obj.GetKind() == "" || obj.GetAPIVersion() == "" || (obj.GetName() == "" && obj.GetGenerateName() == "")) {
			t.Errorf("ParseManifest accepted %q without kind, apiVersion and a name", manifest)
		}
	})
}

// splitFields splits on spaces, keeping empty fields out.
func splitFields(s string) []string {
	var out []string
	start := -1
	for i, r := range s + " " {
		switch {
		case r == ' ' && start >= 0:
			out = append(out, s[start:i])
			start = -1
		case r != ' ' && start < 0:
			start = i
		}
	}
	return out
}
