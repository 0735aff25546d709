package compile

import (
	"encoding/json"
	"testing"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// TestArchiveKind: the executor's name for an artifact's archive; none
// given (or one it does not know) leaves detection to it.
func TestArchiveKind(t *testing.T) {
	for _, tc := range []struct {
		archive string // JSON, "" for none
		want    string
	}{
		{"", ""},
		{`{"none":{}}`, "none"},
		{`{"tar":{"compressionLevel":9}}`, "tar"},
		{`{"zip":{}}`, "zip"},
		{`{}`, ""},
		{`"tar"`, ""},
	} {
		var archive *wfv1.Object
		if tc.archive != "" {
			archive = &wfv1.Object{Value: json.RawMessage(tc.archive)}
		}
		if got := archiveKind(archive); got != tc.want {
			t.Errorf("archiveKind(%s) = %q, want %q", tc.archive, got, tc.want)
		}
	}
}
