package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStoredArtifactSub(t *testing.T) {
	dir := StoredArtifact{Name: "out", ConfigMap: "cm", Dir: true, Files: []StoredFile{
		{Key: "out.0", Path: "a", Mode: 0o644}, {Key: "out.1", Path: "sub/b", Mode: 0o600}, {Key: "out.2", Path: "sub/deeper/c", Mode: 0o644},
	}}
	for _, tc := range []struct {
		name, subPath string
		in            StoredArtifact
		want          StoredArtifact
		wantErr       string
	}{
		{name: "none", subPath: "", in: dir, want: dir},
		{name: "a file of it", subPath: "sub/b", in: dir,
			want: StoredArtifact{Name: "out", ConfigMap: "cm", Files: []StoredFile{{Key: "out.1", Mode: 0o600}}}},
		{name: "a directory of it, cleaned", subPath: "./sub/", in: dir,
			want: StoredArtifact{Name: "out", ConfigMap: "cm", Dir: true, Files: []StoredFile{{Key: "out.1", Path: "b", Mode: 0o600}, {Key: "out.2", Path: "deeper/c", Mode: 0o644}}}},
		{name: "a prefix of a name is not a directory", subPath: "su", in: dir, wantErr: `subPath "su": no such file or directory in artifact "out"`},
		{name: "of a file", subPath: "x", in: StoredArtifact{Name: "f", ConfigMap: "cm", Files: []StoredFile{{Key: "f.0"}}}, wantErr: `subPath "x": artifact "f" is a file, not a directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Sub(tc.subPath)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStoredArtifact(t *testing.T) {
	a := StoredArtifact{Name: "out", Path: "/out", ConfigMap: "cm", Files: []StoredFile{{Key: "out.0", Mode: 0o644}}}
	for _, tc := range []struct {
		in     string
		ok     bool
		wantIn StoredArtifact
	}{
		{in: a.String(), ok: true, wantIn: a},
		{in: "/tmp/x"},
		{in: `{"name":"x"}`}, // no ConfigMap: not a stored artifact
		{in: `{not json`},
	} {
		got, ok := ParseStoredArtifact(tc.in)
		if ok != tc.ok || (ok && cmp.Diff(tc.wantIn, got) != "") {
			t.Errorf("ParseStoredArtifact(%q) = %+v, %v; want ok %v", tc.in, got, ok, tc.ok)
		}
	}
}
